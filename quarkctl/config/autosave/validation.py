"""Validation: every problem of the config at once, each with its JSON location (tasklist[3].pattern),
before any request."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quarkctl.i18n import _
from quarkctl.quark.links import LinkError, parse_share_url
from quarkctl.config.autosave.rename import MAGIC_VARIABLES, explicit_group_refs

from .model import AutosaveConfig, Task


@dataclass(frozen=True)
class Problem:
    location: str  # a JSON path: tasklist[3].pattern (0-based, like jq)
    message: str
    task_index: int | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def _regex_problem(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    return None


def _template_problem(pattern: str, replace: str) -> str | None:
    """What re.sub would say about `replace` with this pattern (bad group reference, bad escape)."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None  # reported on the pattern
    names = {number: name for name, number in compiled.groupindex.items()}
    probe = re.match("".join(f"(?P<{names[n]}>)" if n in names else "()" for n in range(1, compiled.groups + 1)), "")
    template = explicit_group_refs(replace)
    for key in MAGIC_VARIABLES:
        template = template.replace(key, "x")
    try:
        assert probe is not None
        probe.expand(template)
    except (re.error, IndexError) as exc:
        return re.sub(r" at position \d+$", "", str(exc))  # a position in our rewritten template would mislead
    return None


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or value in (0, 1) and isinstance(value, int)


def _check_task(task: Task, magic: Mapping[str, Mapping[str, str]]) -> list[Problem]:
    data, where = task.data, task.location
    found: list[Problem] = []

    def add(key: str, message: str) -> None:
        found.append(Problem(f"{where}.{key}" if key else where, message, task.index))

    for key in ("taskname", "shareurl", "savepath"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            add(key, _("missing: a non-empty text is required") if value in (None, "") else _("must be text"))
    if isinstance(data.get("shareurl"), str) and data["shareurl"].strip():
        try:
            parse_share_url(data["shareurl"])
        except LinkError as exc:
            add("shareurl", _("not a pan.quark.cn share link (https://pan.quark.cn/s/...)") if exc.reason == "unsupported_link"
                else _("a malformed URL: stray brackets or characters around pan.quark.cn") if exc.reason == "malformed_url"
                else _("a Quark link without a share id (/s/...)"))
    # A savepath without the leading "/" is fine: the reference (and autosave) read it from the drive root.
    for key in ("pattern", "replace", "update_subdir", "startfid", "shareurl_ban"):
        if data.get(key) is not None and not isinstance(data[key], str):
            add(key, _("must be text"))
    pattern, replace = task.pattern, task.replace
    if isinstance(data.get("pattern"), str):
        if pattern in magic:
            pattern = str(magic[pattern].get("pattern") or "")
            replace = replace or str(magic[task.pattern].get("replace") or "")
            if _regex_problem(pattern):
                add("pattern", _("the magic regex {name} is invalid (see magic_regex.{name}.pattern)").format(name=task.pattern))
        elif pattern.startswith("$") and re.fullmatch(r"\$\w+", pattern):
            add("pattern", _("{name} is not a magic regex (known: {known})").format(name=pattern, known=", ".join(magic)))
        elif problem := _regex_problem(pattern):
            add("pattern", problem)
    if pattern and replace and isinstance(data.get("replace", ""), str) and not _regex_problem(pattern):
        if problem := _template_problem(pattern, replace):
            add("replace", problem)
    if isinstance(data.get("update_subdir"), str) and (problem := _regex_problem(data["update_subdir"])):
        add("update_subdir", problem)
    enddate = data.get("enddate")
    if enddate not in (None, ""):
        if not isinstance(enddate, str) or task.enddate is None:
            add("enddate", _("must be a date YYYY-MM-DD (the last day the task runs)"))
    runweek = data.get("runweek")
    if runweek is not None:
        if not isinstance(runweek, list):
            add("runweek", _("must be a list of weekdays 1-7 (Monday = 1), e.g. [1, 3, 5]"))
        else:
            for i, day in enumerate(runweek):
                if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7:
                    found.append(Problem(f"{where}.runweek[{i}]", _("{value!r} is not a weekday 1-7 (Monday = 1)").format(
                        value=day), task.index))
    for key in ("ignore_extension", "update_subdir_resave_mode"):
        if data.get(key) is not None and not _is_bool(data[key]):
            add(key, _("must be true or false"))
    if data.get("savepath_fid") is not None and not isinstance(data["savepath_fid"], (str, int)):
        add("savepath_fid", _("must be text"))
    if data.get("addition") is not None and not isinstance(data["addition"], dict):
        add("addition", _("must be an object {...}"))
    return found


def validate(config: AutosaveConfig, tasks: list[Task] | None = None) -> list[Problem]:
    """Every problem in the config at once, before any request. `tasks` (e.g. from TASKLIST) replaces its tasklist."""
    data = config.data
    found: list[Problem] = []
    cookie = data.get("cookie")
    if isinstance(cookie, list):
        for i, item in enumerate(cookie):
            if not isinstance(item, str):
                found.append(Problem(f"cookie[{i}]", _("must be text (one account's cookie)")))
    elif cookie is not None and not isinstance(cookie, str):
        found.append(Problem("cookie", _("must be text, or a list with one cookie per account")))
    if not config.accounts and not any(p.location.startswith("cookie") for p in found):
        found.append(Problem("cookie", _("no cookie: put the Cookie header of a signed-in pan.quark.cn page here")))
    for key in ("push_config", "plugins", "magic_regex"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            found.append(Problem(key, _("must be an object {...}")))
    if data.get("crontab") is not None and not isinstance(data["crontab"], str):
        found.append(Problem("crontab", _("must be text")))
    if data.get("replace_dead") is not None and not _is_bool(data["replace_dead"]):
        found.append(Problem("replace_dead", _("must be true or false")))
    if isinstance(data.get("magic_regex"), dict):
        for key, entry in data["magic_regex"].items():
            if not isinstance(entry, dict):
                found.append(Problem(f"magic_regex.{key}", _('must be an object {"pattern": ..., "replace": ...}')))
                continue
            for part in ("pattern", "replace"):
                if entry.get(part) is not None and not isinstance(entry[part], str):
                    found.append(Problem(f"magic_regex.{key}.{part}", _("must be text")))
            if isinstance(entry.get("pattern"), str) and (problem := _regex_problem(entry["pattern"])):
                found.append(Problem(f"magic_regex.{key}.pattern", problem))
    if tasks is None:
        raw = data.get("tasklist")
        if raw is not None and not isinstance(raw, list):
            found.append(Problem("tasklist", _("must be a list of tasks [...]")))
        elif isinstance(raw, list):
            found.extend(Problem(f"tasklist[{i}]", _("a task must be an object {...}"), i)
                         for i, item in enumerate(raw) if not isinstance(item, dict))
        tasks = config.tasks
    magic = config.magic_regex
    for task in tasks:
        found.extend(_check_task(task, magic))
    return found


def invalid_task_indexes(problems: list[Problem]) -> set[int]:
    """The tasks --skip-invalid leaves out; problems outside any task stay fatal."""
    return {p.task_index for p in problems if p.task_index is not None}
