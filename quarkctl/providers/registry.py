"""Every drive by name, in the order a row's link is offered to them: a new drive is one module and one line here.

The other drives (issue 24) are listed, but a run opens only RUN_DEFAULT until the run loop gives each
drive its own pacer, breaker and `--drives` (the next step of issue 24): till then their links stay
`skipped: unsupported_link` in check-links, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from quarkctl.providers.aliyun import AliyunDrive
from quarkctl.providers.baidu import BaiduDrive
from quarkctl.providers.base import Drives, DriveSetup, Provider
from quarkctl.providers.caiyun import CaiyunDrive
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
RUN_DEFAULT = ("quark",)


def open_drives(setup: DriveSetup, names: Iterable[str] | None = None) -> Drives:
    """The drives of one run (`names`: a subset, in this order; default RUN_DEFAULT)."""
    return Drives(PROVIDERS[name](setup) for name in (RUN_DEFAULT if names is None else names))
