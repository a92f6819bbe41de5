"""What a listing shows and in what order: a drive's Node as file/sort lists it, and the `_sort` order
that file/sort (drive.py) and share detail (server.py) apply. Fields and `_sort` follow docs/reference/quark-api.md 3.2-3.3."""

from __future__ import annotations

from dataclasses import dataclass

from .shapes import drive_item

SORT_MAX_SIZE = 100
DEFAULT_SORT = "file_type:asc,updated_at:desc"
_SORT_FIELDS = frozenset({"file_type", "updated_at", "created_at", "file_name", "size"})


@dataclass
class Node:
    fid: str
    file_name: str
    pdir_fid: str
    is_dir: bool
    size: int
    created_at: int
    updated_at: int
    obj_category: str
    category: int
    format_type: str
    risky: bool
    seq: int  # creation order: the last tie-breaker of a listing

    def item(self, include_items: int | None = None, reveal_risky: bool = True, owner: str = "",
             has_sub_dirs: bool = False) -> dict:  # fmt: skip
        """The node as file/sort lists it, with Quark's whole key set (shapes.drive_item)."""
        item = {
            "fid": self.fid, "file_name": self.file_name if reveal_risky or not self.risky else "***",
            "pdir_fid": self.pdir_fid, "file_type": 0 if self.is_dir else 1, "dir": self.is_dir,
            "file": not self.is_dir, "size": self.size, "obj_category": self.obj_category,
            "category": self.category, "format_type": self.format_type, "created_at": self.created_at,
            "updated_at": self.updated_at, "status": 1, "include_items": include_items or 0,
        }  # fmt: skip
        return drive_item(item, owner, has_sub_dirs)


def sort_keys(spec: str | None) -> list[tuple[str, bool]]:
    """`file_type:asc,updated_at:desc` -> [("file_type", False), ("updated_at", True)]; unknown fields dropped."""
    keys = []
    for part in (spec or DEFAULT_SORT).split(","):
        name, _, order = part.strip().partition(":")
        if name in _SORT_FIELDS:
            keys.append((name, order.strip().lower() == "desc"))
    return keys


def sort_value(node: Node, name: str) -> int | str:
    if name == "file_type":
        return 0 if node.is_dir else 1
    value: int | str = getattr(node, name)  # one of _SORT_FIELDS
    return value


def sort_items(items: list[dict], spec: str | None) -> list[dict]:
    """Listing items (share detail dicts) in `_sort` order; ties keep the order they came in."""
    out = list(items)
    for name, desc in reversed(sort_keys(spec)):  # stable sorts, last key first
        out.sort(key=lambda item: item[name], reverse=desc)
    return out
