"""Every drive by name, in the order a row's link is offered to them: a new drive is one module and one line here."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from quarkctl.providers.base import Drives, DriveSetup, Provider
from quarkctl.providers.quark import QuarkProvider

PROVIDERS: dict[str, Callable[[DriveSetup], Provider]] = {"quark": QuarkProvider}


def open_drives(setup: DriveSetup, names: Iterable[str] | None = None) -> Drives:
    """The drives of one run (`names`: a subset, in this order; default every drive)."""
    return Drives(PROVIDERS[name](setup) for name in (PROVIDERS if names is None else names))
