"""A loopback fake of the Quark share API, for tests and benchmarks (see server.Simulator)."""

from .model import Fault, RequestRecord, Scenario, Share, load_scenario
from .server import Simulator

__all__ = ["Fault", "RequestRecord", "Scenario", "Share", "Simulator", "load_scenario"]
