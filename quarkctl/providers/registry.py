"""Every drive by name, in the order a row's link is offered to them: a new drive is one module and one
line here (and its name in names.py, which the command line reads without loading any drive).

check-links opens every drive (checker/run.py: one lane per drive, its own pacer and breaker);
`--drives` limits a run to some of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from quarkctl.providers.aliyun import AliyunDrive
from quarkctl.providers.baidu import BaiduDrive
from quarkctl.providers.base import Drives, DriveSetup, Provider
from quarkctl.providers.caiyun import CaiyunDrive
from quarkctl.providers.names import DRIVE_NAMES
from quarkctl.providers.pan115 import Pan115Drive
from quarkctl.providers.pan123 import Pan123Drive
from quarkctl.providers.quark import QuarkProvider
from quarkctl.providers.tianyi import TianyiDrive
from quarkctl.providers.uc import UcDrive
from quarkctl.providers.xunlei import XunleiDrive

PROVIDERS: dict[str, Callable[[DriveSetup], Provider]] = {
    "quark": QuarkProvider,
    UcDrive.name: UcDrive,
    BaiduDrive.name: BaiduDrive,
    AliyunDrive.name: AliyunDrive,
    Pan123Drive.name: Pan123Drive,
    TianyiDrive.name: TianyiDrive,
    CaiyunDrive.name: CaiyunDrive,
    Pan115Drive.name: Pan115Drive,
    XunleiDrive.name: XunleiDrive,
}
RUN_DEFAULT = ("quark",)  # open_drives without names; check-links names its drives (--drives, default DRIVE_NAMES)
assert tuple(PROVIDERS) == DRIVE_NAMES, "providers/names.py lists the drives in the registry's order"


def open_drives(setup: DriveSetup, names: Iterable[str] | None = None) -> Drives:
    """The drives of one run (`names`: a subset, in this order; default RUN_DEFAULT)."""
    return Drives(PROVIDERS[name](setup) for name in (RUN_DEFAULT if names is None else names))
