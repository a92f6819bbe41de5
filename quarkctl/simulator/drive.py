"""One account's drive in the simulator: a folder tree and a recycle bin (accounts.py holds the
account around it, its sign-in state and the tasks that save and delete answer with).

Plain data and rules, no HTTP (server.py renders it). Fields follow docs/reference/quark-api.md 3.2-3.5.
Simplifications, on purpose: a save whose item name already exists in the target keeps both (the
same name twice, where Quark may add a suffix); `exclude_fids` and `action_type` of delete are
ignored; capacity counts the live tree only, not the recycle bin.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Callable

from .codes import INVALID_PARAMS, TOO_MANY_PATHS, DriveError, file_not_found
from .listing import Node, sort_keys, sort_value
from .shapes import file_kind

ROOT = "0"
MiB = 1024 * 1024
DEFAULT_FILE_SIZE = MiB
TOP_FIDS_LIMIT = 100  # save_as_top_fids lists at most this many (quark-api.md 3.4): why clients save 100 at a time
PATH_LIST_LIMIT = 50


def wall_ms() -> int:
    return int(time.time() * 1000)


def split_path(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or "/" in name or name in (".", ".."):
        raise DriveError(INVALID_PARAMS)
    return name


def nested_file_count(items: list[dict], children: dict[str, list[dict]]) -> int:
    """The files a save of `items` copies: a folder counts the files in its whole subtree, not itself."""
    count, stack = 0, list(items)
    while stack:
        item = stack.pop()
        if item["dir"]:
            stack.extend(children.get(item["fid"], ()))
        else:
            count += 1
    return count


class Drive:
    """One account's drive. Every method is thread-safe (the server answers on many threads).

    Test helpers take paths ("/追更/剧集A/01.mp4"); the server-facing methods take fids.
    """

    def __init__(self, seed: str, clock: Callable[[], int] = wall_ms) -> None:
        self._seed = hashlib.md5(seed.encode()).hexdigest()  # fids are deterministic per account
        self._clock = clock
        self._last_ms = 0
        self._seq = 0
        self._nodes: dict[str, Node] = {}
        self._children: dict[str, dict[str, Node]] = {ROOT: {}}  # folder fid -> children by fid, in creation order
        self._recycle: dict[str, tuple[dict, list[Node]]] = {}  # record_id -> (record, the subtree's nodes)
        self.used = 0  # bytes of the files in the tree
        self.lock = threading.RLock()

    # --- internals (call with the lock held) ----------------------------------------------------

    def _now(self) -> int:
        # Strictly increasing, so "newest first" is well defined even within one millisecond.
        self._last_ms = max(self._clock(), self._last_ms + 1)
        return self._last_ms

    def _new_id(self, kind: str = "fid") -> str:
        self._seq += 1
        return hashlib.md5(f"{self._seed}:{kind}:{self._seq}".encode()).hexdigest()

    def _add(
        self, pdir_fid: str, name: str, is_dir: bool, *, size: int = 0, created_at: int | None = None,
        updated_at: int | None = None, risky: bool = False, kind: tuple[str, int, str] | None = None,
    ) -> Node:  # fmt: skip
        now = self._now()
        obj_category, category, format_type = ("", 0, "") if is_dir else (kind or file_kind(name))
        fid = self._new_id()
        node = Node(
            fid, name, pdir_fid, is_dir, 0 if is_dir else size, created_at or updated_at or now,
            updated_at or now, obj_category, category, format_type, risky, self._seq,
        )  # fmt: skip
        self._nodes[fid] = node
        self._children[pdir_fid][fid] = node
        if is_dir:
            self._children[fid] = {}
        self.used += node.size
        return node

    def _find(self, pdir_fid: str, name: str) -> Node | None:
        for node in self._children[pdir_fid].values():
            if node.file_name == name:
                return node
        return None

    def _resolve(self, path: str | list[str], start: str = ROOT) -> str | None:
        fid = start
        for part in split_path(path) if isinstance(path, str) else path:
            if fid not in self._children:
                return None  # a file in the middle of the path
            node = self._find(fid, part)
            if node is None:
                return None
            fid = node.fid
        return fid

    def _folder(self, fid: object) -> str:
        if not isinstance(fid, str) or fid not in self._children:
            raise DriveError(41013)
        return fid

    def _make_dirs(self, parts: list[str], start: str = ROOT, exist_ok: bool = True) -> str:
        fid = start
        for i, part in enumerate(parts):
            node = self._find(fid, _check_name(part))
            if node is None:
                node = self._add(fid, part, True)
            elif not node.is_dir or (not exist_ok and i == len(parts) - 1):
                raise DriveError(23008)  # a file in the way, or the leaf exists
            fid = node.fid
        return fid

    def _has_sub_dirs(self, fid: str) -> bool:
        return any(child.is_dir for child in self._children[fid].values())

    def _subtree(self, node: Node) -> list[Node]:
        nodes, stack = [], [node]
        while stack:
            current = stack.pop()
            nodes.append(current)
            stack.extend(self._children.get(current.fid, {}).values())
        return nodes

    def _path(self, fid: str) -> str:
        parts = []
        while fid != ROOT:
            node = self._nodes[fid]
            parts.append(node.file_name)
            fid = node.pdir_fid
        return "/" + "/".join(reversed(parts))

    def _node_or_error(self, path: str) -> Node:
        fid = self._resolve(path)
        if fid is None or fid == ROOT:
            raise FileNotFoundError(path)
        return self._nodes[fid]

    # --- test helpers ---------------------------------------------------------------------------

    def mkdir(self, path: str) -> str:
        """Create the folder and any missing parents; return its fid (also when it exists)."""
        with self.lock:
            try:
                return self._make_dirs(split_path(path))
            except DriveError:
                raise ValueError(f"cannot create folder {path!r}: a file is in the way or a name is invalid") from None

    def put_file(
        self, path: str, size: int = DEFAULT_FILE_SIZE, updated_at: int | None = None,
        created_at: int | None = None, risky: bool = False,
    ) -> str:  # fmt: skip
        """Create a file (and missing parent folders); return its fid. `risky` masks its name as `***`
        in file/sort unless the client asks with fetch_risk_file_name=1."""
        parts = split_path(path)
        if not parts:
            raise ValueError("put_file needs a file path")
        if parts[-1].strip() in ("", ".", ".."):
            raise ValueError(f"not a file name: {parts[-1]!r}")
        with self.lock:
            parent = self.mkdir("/".join(parts[:-1]))
            if self._find(parent, parts[-1]) is not None:
                raise ValueError(f"{path!r} already exists")
            node = self._add(parent, parts[-1], False, size=size, updated_at=updated_at, created_at=created_at, risky=risky)
            return node.fid

    def seed(self, entries: list) -> None:
        """Fill from a scenario: "folder/" strings are folders, other strings files, dicts give
        {"path", "dir"?, "size"?, "updated_at"?, "created_at"?, "risky"?}."""
        for i, entry in enumerate(entries):
            try:
                entry = {"path": entry, "dir": entry.endswith("/")} if isinstance(entry, str) else dict(entry)
                if entry.pop("dir", False):
                    self.mkdir(entry.pop("path"), **entry)
                else:
                    self.put_file(**entry)
            except (TypeError, ValueError, KeyError) as exc:
                raise ValueError(f"drive[{i}]: {exc}") from None

    def exists(self, path: str) -> bool:
        with self.lock:
            return self._resolve(path) is not None

    def listdir(self, path: str = "/") -> list[str]:
        """The names in a folder, sorted (a name saved twice appears twice)."""
        with self.lock:
            fid = self._resolve(path)
            if fid is None or fid not in self._children:
                raise FileNotFoundError(path)
            return sorted(node.file_name for node in self._children[fid].values())

    def node(self, path: str) -> dict:
        """The item as file/sort shows it (real name), plus "risky" and "path"."""
        with self.lock:
            node = self._node_or_error(path)
            item = node.item(len(self._children.get(node.fid, ())), owner=self._seed)
            return {**item, "risky": node.risky, "path": self._path(node.fid)}

    def path(self, fid: str) -> str:
        with self.lock:
            if fid != ROOT and fid not in self._nodes:
                raise FileNotFoundError(fid)
            return self._path(fid)

    def tree(self) -> dict:
        """{name: subtree for a folder, None for a file}. A name present twice gets "#2", "#3"... on its
        later copies (in creation order), so double saves show up in golden assertions."""
        with self.lock:

            def build(fid: str) -> dict:
                out: dict = {}
                for node in self._children[fid].values():
                    key, n = node.file_name, 1
                    while key in out:
                        n += 1
                        key = f"{node.file_name}#{n}"
                    out[key] = build(node.fid) if node.is_dir else None
                return dict(sorted(out.items()))

            return build(ROOT)

    def recycle(self) -> list[dict]:
        """The recycle bin, newest first, as file/recycle/list shows it."""
        with self.lock:
            return [dict(record) for record, _ in reversed(self._recycle.values())]

    # --- the server's operations ----------------------------------------------------------------

    def path_fids(self, paths: list) -> list[dict]:
        if len(paths) > PATH_LIST_LIMIT:
            raise DriveError(TOO_MANY_PATHS)
        with self.lock:
            found = []
            for path in paths:
                fid = self._resolve(path) if isinstance(path, str) else None
                if fid is not None:
                    found.append({"file_path": path, "fid": fid})
            return found

    def list_children(self, pdir_fid: object, sort: str | None, page: int, size: int, reveal_risky: bool) -> tuple[list[dict], int]:
        with self.lock:
            children = self._children[self._folder(pdir_fid)]
            nodes = sorted(children.values(), key=lambda n: (n.file_name, n.seq))
            for name, desc in reversed(sort_keys(sort)):  # stable sorts, last key first
                nodes.sort(key=lambda n: sort_value(n, name), reverse=desc)
            chunk = nodes[(page - 1) * size : page * size]
            items = [
                n.item(len(self._children[n.fid]), reveal_risky, self._seed, self._has_sub_dirs(n.fid))
                if n.is_dir else n.item(None, reveal_risky, self._seed)
                for n in chunk
            ]  # fmt: skip
            return items, len(nodes)

    def full_path(self, fid: str) -> list[dict]:
        with self.lock:
            crumbs = []
            while fid != ROOT:
                node = self._nodes[fid]
                crumbs.append({"fid": fid, "file_name": node.file_name})
                fid = node.pdir_fid
            return crumbs[::-1]

    def create_dir(self, pdir_fid: object, file_name: object) -> str:
        with self.lock:
            parent = self._folder(pdir_fid)
            return self._make_dirs([_check_name(file_name)], parent, exist_ok=False)

    def create_dirs(self, pdir_fid: object, dir_path: str) -> str:
        parts = split_path(dir_path)
        if not parts:
            raise DriveError(INVALID_PARAMS)
        with self.lock:
            return self._make_dirs(parts, self._folder(pdir_fid), exist_ok=False)

    def rename(self, fid: object, file_name: object) -> None:
        name = _check_name(file_name)
        with self.lock:
            node = self._nodes.get(fid) if isinstance(fid, str) else None
            if node is None:
                raise file_not_found(fid)
            clash = self._find(node.pdir_fid, name)
            if clash is not None and clash is not node:
                raise DriveError(23008)
            node.file_name = name
            if not node.is_dir:
                node.obj_category, node.category, node.format_type = file_kind(name)

    def delete(self, fids: object) -> int:
        """Move the nodes (with their subtrees) to the recycle bin; all or nothing."""
        if not isinstance(fids, list) or not fids:
            raise DriveError(INVALID_PARAMS)
        with self.lock:
            found = [self._nodes.get(fid) if isinstance(fid, str) else None for fid in fids]
            nodes = [node for node in found if node is not None]
            if len(nodes) < len(found):
                raise file_not_found(next(fid for fid, node in zip(fids, found) if node is None))
            moved = 0
            for node in nodes:
                if node.fid not in self._nodes:
                    continue  # already gone with a parent listed earlier
                subtree = self._subtree(node)
                del self._children[node.pdir_fid][node.fid]
                for n in subtree:
                    del self._nodes[n.fid]
                    self._children.pop(n.fid, None)
                    self.used -= n.size
                record_id = self._new_id("record")
                record = {
                    "record_id": record_id, "fid": node.fid, "file_name": node.file_name,
                    "pdir_fid": node.pdir_fid, "file_type": 0 if node.is_dir else 1, "dir": node.is_dir,
                    "size": sum(n.size for n in subtree), "obj_category": node.obj_category,
                    "updated_at": node.updated_at, "deleted_at": self._now(),
                }  # fmt: skip
                self._recycle[record_id] = (record, subtree)
                moved += 1
            return moved

    def recycle_page(self, page: int, size: int) -> tuple[list[dict], int]:
        records = self.recycle()
        return records[(page - 1) * size : page * size], len(records)

    def purge(self, record_ids: object) -> int:
        if not isinstance(record_ids, list):
            raise DriveError(INVALID_PARAMS)
        with self.lock:
            return sum(self._recycle.pop(rid, None) is not None for rid in record_ids if isinstance(rid, str))

    def save_from_share(self, items: list[dict], children: dict[str, list[dict]], to_pdir_fid: str, capacity: int) -> dict:
        """Copy share items (folders with their subtrees) under `to_pdir_fid`, with new fids; return the
        task's `save_as`. Raises 41013 when the target folder is gone, 32003 when the drive is full."""

        def total(item: dict) -> int:
            return sum(total(kid) for kid in children.get(item["fid"], ())) if item["dir"] else item["size"]

        def copy(item: dict, pdir_fid: str) -> Node:
            kind = (item.get("obj_category", ""), item.get("category", 0), item.get("format_type", ""))
            node = self._add(
                pdir_fid, item["file_name"], item["dir"], size=item.get("size", 0), kind=kind,
                created_at=item.get("created_at"), updated_at=item.get("updated_at"),
            )  # fmt: skip
            for kid in children.get(item["fid"], ()) if item["dir"] else ():
                copy(kid, node.fid)
            return node

        with self.lock:
            if to_pdir_fid not in self._children:
                raise DriveError(41013)
            incoming = sum(total(item) for item in items)
            if self.used + incoming > capacity:
                raise DriveError(32003)
            top = [copy(item, to_pdir_fid).fid for item in items]
            sizes = [item["size"] for item in items if not item["dir"]]
            return {
                "search_exit": True, "save_as_select_top_fids": [], "remain_capacity": capacity - self.used,
                "to_pdir_fid": to_pdir_fid, "save_as_sum_num": len(top), "is_pack": "0", "save_as_top_fids": top[:TOP_FIDS_LIMIT],
                "to_pdir_name": self._nodes[to_pdir_fid].file_name if to_pdir_fid != ROOT else "",
                "min_save_file_size": min(sizes, default=0),
            }  # fmt: skip
