"""The rename engine of quark-auto-save (its `MagicRename`), as a small pure class.

Matched against Cp0204/quark-auto-save `quark_auto_save.py` as stored at commit 1f39ae1c (header
"Modify: 2026-02-04", the file quark-api.md cites as CP): `MagicRename.magic_regex`,
`magic_variable`, `magic_regex_conv`, `sub`, `_custom_sort_key`, `sort_file_list`,
`set_dir_file_list`, `is_exists`, and how `dir_check_and_save` uses them. Same patterns, same
order of variables, same `{I}` numbering; written anew, not copied.

Where quarkctl departs from it, on purpose:
- `{DATE}` is normalised to 8 digits as the issue asks: "2024.1.5" gives 20240105 and "1月5"
  gives <this year>0105 (the reference concatenates the digits: "20202415", "202615"). Dates whose
  parts are already zero-padded, and separator-less dates, come out exactly as in the reference.
- Values put into a `replace` template are escaped, and `\\1` style references are read as
  `\\g<1>` first, so `\\1{E}` means group 1 then the episode (the reference builds `\\105`: group 105).
- A name that would come out empty (every variable unmatched) keeps the source name.
- Two new files that render to the same name with the same `updated_at` get distinct `{I}`
  numbers (the reference gives both the same number).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from natsort import natsort_keygen

from quarkctl.i18n import _

BUILTIN_MAGIC_REGEX: dict[str, dict[str, str]] = {
    "$TV": {
        "pattern": r".*?([Ss]\d{1,2})?(?:[第EePpXx\.\-\_\( ]{1,2}|^)(\d{1,3})(?!\d).*?\.(mp4|mkv)",
        "replace": r"\1E\2.\3",
    },
    "$BLACK_WORD": {
        "pattern": r"^(?!.*纯享)(?!.*加更)(?!.*超前企划)(?!.*训练室)(?!.*蒸蒸日上).*",
        "replace": "",
    },
}

# Order matters: the reference substitutes in this order and the first matching pattern wins.
# {TASKNAME} and {I} have no patterns: the task name, and the sequence number given by number().
MAGIC_VARIABLES: dict[str, tuple[str, ...]] = {
    "{TASKNAME}": (),
    "{I}": (),
    "{EXT}": (r"(?<=\.)\w+$",),
    "{CHINESE}": (r"[\u4e00-\u9fa5]{2,}",),
    "{DATE}": (
        r"(18|19|20)?\d{2}[\.\-/年]\d{1,2}[\.\-/月]\d{1,2}",
        r"(?<!\d)[12]\d{3}[01]?\d[0123]?\d",
        r"(?<!\d)[01]?\d[\.\-/月][0123]?\d",
    ),
    "{YEAR}": (r"(?<!\d)(18|19|20)\d{2}(?!\d)",),
    "{S}": (r"(?<=[Ss])\d{1,2}(?=[EeXx])", r"(?<=[Ss])\d{1,2}"),
    "{SXX}": (r"[Ss]\d{1,2}(?=[EeXx])", r"[Ss]\d{1,2}"),
    "{E}": (
        r"(?<=[Ss]\d\d[Ee])\d{1,3}",
        r"(?<=[Ee])\d{1,3}",
        r"(?<=[Ee][Pp])\d{1,3}",
        r"(?<=第)\d{1,3}(?=[集期话部篇])",
        r"(?<!\d)\d{1,3}(?=[集期话部篇])",
        r"(?!.*19)(?!.*20)(?<=[\._])\d{1,3}(?=[\._])",
        r"^\d{1,3}(?=\.\w+)",
        r"(?<!\d)\d{1,3}(?!\d)(?!$)",
    ),
    "{PART}": (r"(?<=[集期话部篇第])[上中下一二三四五六七八九十]", r"[上中下一二三四五六七八九十]"),
    "{VER}": (r"[\u4e00-\u9fa5]+版",),
}
Entry = TypeVar("Entry", bound=Mapping[str, Any])  # a share entry: number() hands back the very ones it was given

SXX_DEFAULT = "S01"
# Chinese ordinals ranked before natural sorting: 上 < 中 < 下 < 一 < 二 ... (the reference's priority_list).
ORDINALS = "上中下一二三四五六七八九十百千万"

I_SLOT = re.compile(r"\{I+\}")
_DATE_SEPARATORS = re.compile(r"[.\-/年月日]")


class RenameError(ValueError):
    """A replace template that Python's re cannot apply (bad group reference, bad escape)."""


def explicit_group_refs(template: str) -> str:
    """`\\1` -> `\\g<1>`, read exactly as Python's re reads a template (1-2 digits; 3 octal digits are a character)."""
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if ch != "\\" or i + 1 == n:
            out.append(ch)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt in "123456789":
            digits = nxt + (template[i + 2] if i + 2 < n and template[i + 2].isdigit() else "")
            octal = len(digits) == 2 and i + 3 < n and all(c in "01234567" for c in template[i + 1 : i + 4])
            if not octal:
                out.append(f"\\g<{digits}>")
                i += 1 + len(digits)
                continue
        out.append(template[i : i + 2])  # any other escape, \\ included, is left for re
        i += 2
    return "".join(out)


def has_sequence(replace: str) -> bool:
    return I_SLOT.search(replace or "") is not None


def _ordinal_key(name: str) -> str:
    for rank, ordinal in enumerate(ORDINALS):
        if ordinal in name:
            name = name.replace(ordinal, f"_{rank:02d}_")
    return name


_natural = natsort_keygen(key=_ordinal_key)


def _entry_name(entry: Mapping[str, Any] | str) -> str:
    return entry if isinstance(entry, str) else str(entry.get("file_name", ""))


def _entry_is_dir(entry: Mapping[str, Any] | str) -> bool:
    return False if isinstance(entry, str) else bool(entry.get("dir"))


class Renamer:
    """One task's renaming: `Renamer(config.magic_regex, task.name)`.

    Every method takes the task's raw `pattern`/`replace` or the pair `resolve()` returned (resolving
    twice changes nothing). Names returned by `new_name()` keep their `{I}`/`{II}` slots; `number()`
    fills them once the list of files to save is known, as the reference does.
    """

    def __init__(self, magic_regex: Mapping[str, Mapping[str, str]] | None = None, taskname: str = "",
                 *, today: date | None = None) -> None:
        self.magic_regex: dict[str, Mapping[str, str]] = {**BUILTIN_MAGIC_REGEX, **(magic_regex or {})}
        self.taskname = taskname
        self.today = today or date.today()
        self.last_replace = ""  # what the last resolve() returned: number()'s default template

    # -- pattern and name ------------------------------------------------------------------------

    def resolve(self, pattern: str, replace: str) -> tuple[str, str]:
        """A pattern equal to a magic key becomes its regex; its replace is used only when the task's is empty."""
        pattern, replace = self._resolve(pattern, replace)
        self.last_replace = replace
        return pattern, replace

    def _resolve(self, pattern: str, replace: str) -> tuple[str, str]:
        pattern, replace = pattern or "", replace or ""
        magic = self.magic_regex.get(pattern)
        if magic is not None:
            pattern = str(magic.get("pattern") or "")
            if replace == "":
                replace = str(magic.get("replace") or "")
        return pattern, replace

    def matches(self, pattern: str, name: str) -> bool:
        """re.search, as the reference filters; an empty pattern takes everything."""
        pattern, _replace = self._resolve(pattern, "")
        return re.search(pattern, name) is not None

    def variables(self, replace: str, name: str) -> dict[str, str]:
        """The value of each magic variable used in `replace` ({I} excluded); unmatched ones are ''."""
        values: dict[str, str] = {}
        for key, patterns in MAGIC_VARIABLES.items():
            if key not in replace or key == "{I}":
                continue
            if key == "{TASKNAME}":
                values[key] = self.taskname
                continue
            value = next((m.group() for p in patterns if (m := re.search(p, name))), None)
            if value is not None and key == "{DATE}":
                value = self.normalise_date(value)
            if value is None:
                value = SXX_DEFAULT if key == "{SXX}" else ""
            values[key] = value
        return values

    def new_name(self, pattern: str, replace: str, name: str) -> str:
        """The saved name: empty replace = no rename; empty pattern = the whole name is the template."""
        pattern, replace = self._resolve(pattern, replace)
        if not replace:
            return name
        values = self.variables(replace, name)
        if pattern:
            template = explicit_group_refs(replace)
            for key, value in values.items():
                template = template.replace(key, value.replace("\\", "\\\\"))
            if not template:
                return name
            try:
                result = re.sub(pattern, template, name)
            except re.error as exc:
                raise RenameError(_("replace {replace!r}: {error}").format(replace=replace, error=exc)) from None
        else:
            result = replace
            for key, value in values.items():
                result = result.replace(key, value)
        return result or name

    sub = new_name  # the reference's name for it

    def normalise_date(self, text: str) -> str:
        """8 digits, year filled in from today: '24.1.5' -> 20240105, '01.05' -> <year>0105."""
        year = str(self.today.year)
        parts = [p for p in _DATE_SEPARATORS.split(text) if p]
        if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
            y = parts[0] if len(parts) == 3 else year
            if len(y) == 2:
                y = year[:2] + y
            return y + parts[-2].zfill(2) + parts[-1].zfill(2)
        digits = "".join(ch for ch in text if ch.isdigit())
        return year[: max(0, 8 - len(digits))] + digits  # the reference's rule: yymmdd, mmdd, yyyymmdd

    # -- already there? ----------------------------------------------------------------------------

    def exists(self, name: str, target_names: Iterable[str], ignore_extension: bool = False) -> str | None:
        """The target name that `name` is already saved as, or None (the reference's is_exists).

        With ignore_extension, names compare without their last extension (os.path.splitext):
        01.srt counts as there when 01.mp4 is, but 01.chs.srt does not. A `{I}` slot stands for
        any number of that many digits, matched at the start of the name like the reference.
        """
        targets = list(target_names)
        if not name:
            return None

        def stem(text: str) -> str:
            return os.path.splitext(text)[0] if ignore_extension else text

        wanted = stem(name)
        slot = I_SLOT.search(wanted)
        if slot is None:
            return next((t for t in targets if stem(t) == wanted), None)
        rx = re.compile(re.escape(wanted).replace(re.escape(slot.group()), r"\d" * (len(slot.group()) - 2)))
        return next((t for t in targets if rx.match(stem(t))), None)

    # -- {I} numbering -----------------------------------------------------------------------------

    def numbers_in_use(self, target: Iterable[Mapping[str, Any] | str], replace: str) -> dict[int, str]:
        """Existing target files that fit the template: {number: name with its number put back as the slot}.

        The template becomes a regex: the slot -> digits, every variable and backreference -> '.*?'.
        """
        slot = I_SLOT.search(replace)
        names = sorted(_entry_name(e) for e in target if not _entry_is_dir(e))
        if slot is None or not names:
            return {}
        template = replace.replace(slot.group(), "\U0001f522")
        for key in MAGIC_VARIABLES:
            template = template.replace(key, "\U0001f523")
        template = re.sub(r"\\[0-9]+", "\U0001f523", template)
        digits = r"\d" * (len(slot.group()) - 2)
        rx = re.compile("(" + re.escape(template).replace("\U0001f523", ".*?").replace("\U0001f522", f")({digits})(") + ")")
        used: dict[int, str] = {}
        for name in names:
            if m := rx.match(name):
                used[int(m.group(2))] = m.group(1) + slot.group() + m.group(3)
        return used

    def number(self, need: Sequence[tuple[Entry, str]], target: Iterable[Mapping[str, Any] | str],
               replace: str | None = None) -> list[tuple[Entry, str]]:
        """Fill the `{I}` slots of the names to save, continuing the target folder's sequence.

        `need` is [(share entry, new name)] in share order; entries carry `updated_at` (and `dir`).
        New and existing names are sorted together in natural order (Chinese ordinals ranked,
        `updated_at` breaking ties); a new file takes its place in that order and moves up past
        numbers already in use. `replace` is the task's template (default: the one resolve() gave last).
        """
        replace = self.last_replace if replace is None else replace
        if not has_sequence(replace):
            return list(need)
        used = self.numbers_in_use(target, replace)
        existing = set(used.values())
        keys = [None if _entry_is_dir(item) else f"{name}_{item.get('updated_at', '')}" for item, name in need]
        copies: dict[str, int] = {}
        for key in keys:
            if key is not None:
                copies[key] = copies.get(key, 0) + 1
        ordered = sorted(existing | set(copies), key=_natural)
        given: dict[str, list[int]] = {}
        # Walk the merged order, as the reference does: the order decides who moves up past whom.
        for position, key in enumerate(ordered, start=1):
            if key in existing:
                continue
            given[key] = []
            i = position
            for _copy in range(copies[key]):
                while i in used:
                    i += 1
                used[i] = key
                given[key].append(i)
        result: list[tuple[Entry, str]] = []
        for (item, name), key in zip(need, keys):
            slot = I_SLOT.search(name)
            if key is not None and slot is not None:
                # A name the reference takes for an existing one gets 0, as there.
                n = given[key].pop(0) if given.get(key) else 0
                name = name.replace(slot.group(), str(n).zfill(len(slot.group()) - 2))
            result.append((item, name))
        return result

    def plan(self, to_save: Sequence[Mapping[str, Any] | str], target: Iterable[Mapping[str, Any] | str],
             pattern: str, replace: str) -> list[tuple[str, str]]:
        """[(source name, saved name)] for files already chosen to save (folders keep their names)."""
        pattern, replace = self.resolve(pattern, replace)
        need: list[tuple[Mapping[str, Any], str]] = []
        for entry in to_save:
            item: Mapping[str, Any] = {"file_name": entry, "updated_at": ""} if isinstance(entry, str) else entry
            name = _entry_name(item)
            need.append((item, name if _entry_is_dir(item) else self.new_name(pattern, replace, name)))
        return [(_entry_name(item), name) for item, name in self.number(need, target, replace)]
