"""The drives' names, light (no HTTP): what --drives, --trust-unverified and --pace accept, and the
drive_type values a table uses for each drive (a row whose drive_type names another drive than its link's
host is a summary warning, never a reason to skip or mark). registry.py holds the drives themselves."""

from __future__ import annotations

# In the order a row's link is offered to them (providers/registry.py checks it is the registry's)
DRIVE_NAMES = ("quark", "uc", "baidu", "aliyun", "123", "tianyi", "mobile", "115", "xunlei")

# cloud_resource.drive_type spellings of each drive (compared lower-cased, stripped)
DRIVE_TYPES: dict[str, frozenset[str]] = {
    "quark": frozenset({"quark", "夸克", "夸克网盘"}),
    "uc": frozenset({"uc", "uc网盘"}),
    "baidu": frozenset({"baidu", "bd", "百度", "百度网盘"}),
    "aliyun": frozenset({"aliyun", "alipan", "aliyundrive", "ali", "阿里", "阿里云盘"}),
    "123": frozenset({"123", "123pan", "pan123", "123云盘"}),
    "tianyi": frozenset({"tianyi", "189", "ctyun", "天翼", "天翼云盘"}),
    "mobile": frozenset({"mobile", "139", "caiyun", "移动", "移动云盘", "和彩云"}),
    "115": frozenset({"115", "pan115", "115网盘"}),
    "xunlei": frozenset({"xunlei", "thunder", "迅雷", "迅雷云盘"}),
}


# The drives with code-only dead rules (providers/evidence.py) that --trust-unverified may let mark: not Quark
# (every dead answer of it was seen), not Xunlei (its links are not checked at all)
TRUSTABLE = tuple(name for name in DRIVE_NAMES if name not in ("quark", "xunlei"))


def drive_named(text: str) -> str | None:
    """The drive a flag's word names: its name or any drive_type spelling (`百度`, `189`, `139`), None for none."""
    value = text.strip().lower()
    return value if value in DRIVE_NAMES else next((drive for drive, names in DRIVE_TYPES.items() if value in names), None)


def type_disagrees(drive_type: str | None, drive: str) -> bool:
    """The row's drive_type names a drive other than `drive` (an empty drive_type names none)."""
    value = (drive_type or "").strip().lower()
    return bool(value) and value not in DRIVE_TYPES.get(drive, frozenset({drive}))
