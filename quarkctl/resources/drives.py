"""Which drive a resource's link belongs to (issue 24), for add, import and list: the drives' own readers
(quarkctl/providers/), so a row is stored with the drive check-links will give it. The link's host decides;
a drive_type that names another drive is a warning, and a drive_type naming none of our drives (the table
holds other things too) is stored as it is."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from quarkctl.providers.names import DRIVE_NAMES, DRIVE_TYPES, type_disagrees

if TYPE_CHECKING:
    from quarkctl.providers.base import Drives, Link
    from quarkctl.quark.linkcheck import CheckResult


@dataclass(frozen=True)
class Claim:
    """A text's first link as the drive whose host it has read it: a Link, or the CheckResult of a link of
    that drive it cannot read (malformed)."""

    drive: str
    found: Link | CheckResult

    @property
    def readable(self) -> bool:
        from quarkctl.providers.base import Link

        return isinstance(self.found, Link)


@lru_cache(maxsize=1)
def readers() -> Drives:
    """Every drive, for reading links only (no client is ever made from these)."""
    from quarkctl.providers.base import DriveSetup
    from quarkctl.providers.registry import open_drives

    return open_drives(DriveSetup(lambda: None), DRIVE_NAMES)


def claim(text: str | None) -> Claim | None:
    """The drive that claims the text's first link, None when no drive does (the order of Drives.read)."""
    if not text or "/" not in text:
        return None
    return _claim(text)


@lru_cache(maxsize=1024)  # one line's link is read by several checks (values.py, formats.py): each reads it once
def _claim(text: str) -> Claim | None:
    for name, provider in readers().by_name.items():
        found = provider.parse(text)
        if found is not None:
            return Claim(name, found)
    return None


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where each link of the text starts (every drive's hosts and any URL), and where its text ends."""
    from quarkctl.providers.linkforms import FORMS

    readers()  # every drive's host joins FORMS as its module loads
    return FORMS.links(text) if "/" in text else []


def drive_named(drive_type: str | None) -> str | None:
    """The drive a drive_type value names (any of its spellings, providers/names.py), None for anything else."""
    value = (drive_type or "").strip().lower()
    return next((drive for drive, spellings in DRIVE_TYPES.items() if value in spellings), None)


def spellings(drive_type: str) -> tuple[str, ...]:
    """What a drive filter matches, lower-cased: every spelling of the drive it names, else the value itself."""
    drive = drive_named(drive_type)
    return tuple(sorted(DRIVE_TYPES[drive])) if drive else (drive_type.strip().lower(),)


def disagrees(drive_type: str | None, link: str | None) -> str | None:
    """The link's drive when the row's drive_type names another (providers/names.py type_disagrees)."""
    found = claim(link)
    return found.drive if found is not None and found.readable and type_disagrees(drive_type, found.drive) else None
