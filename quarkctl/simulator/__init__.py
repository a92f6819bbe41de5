"""A loopback fake of the Quark API (shares, and each account's drive), for tests and benchmarks
(see server.Simulator)."""

from .accounts import Account
from .codes import DriveError
from .drive import Drive
from .model import Fault, RequestRecord, Scenario, Share, load_scenario
from .server import Simulator
from . import share_routes  # noqa: E402,F401  (registers the own-share endpoints on server.ROUTES)

__all__ = ["Account", "Drive", "DriveError", "Fault", "RequestRecord", "Scenario", "Share", "Simulator", "load_scenario"]
