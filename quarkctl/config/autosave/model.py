"""The autosave config as the run sees it: `AutosaveConfig` (the parsed file, kept as it is) and
`Task` (a view onto one task), the `due` rules of the reference's `is_time`, and the JSON text
format both loading and the write-back use. The setters record each change, for the write-back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.redact import redact
from quarkctl.i18n import N_
from quarkctl.config.autosave.rename import BUILTIN_MAGIC_REGEX

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))


@dataclass
class Change:
    """A value this run set on a task, to re-apply if the file was edited meanwhile."""

    index: int
    taskname: Any
    shareurl: Any
    key: str
    value: Any  # DELETE to remove the key


DELETE = object()


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)  # as the reference's write_json


def load_json(text: str, invalid: str, **where: Any) -> Any:
    """json.loads, or ConfigError from `invalid` (a translated message taking {line}, {column}, {error})."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(invalid.format(line=exc.lineno, column=exc.colno, error=exc.msg, **where)) from None
    except (ValueError, RecursionError) as exc:  # a number over 4300 digits; nesting past the recursion limit
        source = where.get("path") or where.get("name")
        if isinstance(exc, RecursionError):
            raise ConfigError(_("{source}: invalid JSON: nested too deeply").format(source=source)) from None
        raise ConfigError(_("{source}: invalid JSON: a number with more than 4300 digits").format(source=source)) from None


def parse(text: str, path: Path) -> dict[str, Any]:
    """The file's text as a JSON object, or ConfigError naming the line and column."""
    data = load_json(text, _("{path}: invalid JSON at line {line}, column {column}: {error}"), path=path)
    if not isinstance(data, dict):
        raise ConfigError(_("{path}: the top level must be a JSON object {{...}}").format(path=path))
    return data


class Task:
    """A view onto one task dict: reading it never changes it; the setters edit it in place."""

    def __init__(self, data: dict[str, Any], index: int, source: str = "tasklist",
                 config: AutosaveConfig | None = None) -> None:
        self.data = data
        self.index = index  # 0-based position in its list; the run log shows index + 1
        self.source = source
        self._config = config

    def __repr__(self) -> str:
        return f"Task({self.location}, {self.name!r})"

    @property
    def location(self) -> str:
        return f"{self.source}[{self.index}]"

    def _text(self, key: str) -> str:
        value = self.data.get(key)
        return value if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        return self._text("taskname")

    @property
    def shareurl(self) -> str:
        return self._text("shareurl").strip()

    @property
    def savepath(self) -> str:
        return self._text("savepath")

    @property
    def pattern(self) -> str:
        return self._text("pattern")

    @property
    def replace(self) -> str:
        # The reference rewrites v0.5 configs on load (breaking_change_update); we only read them so.
        return self._text("replace").replace("$TASKNAME", "{TASKNAME}")

    @property
    def enddate(self) -> date | None:
        raw = self.data.get("enddate")
        if not raw or not isinstance(raw, str):
            return None
        try:
            return datetime.strptime(raw, "%Y-%m-%d").date()
        except ValueError:
            return None

    @property
    def runweek(self) -> list[int] | None:
        raw = self.data.get("runweek")
        if raw is None:
            return None
        return [d for d in raw if isinstance(d, int) and not isinstance(d, bool)] if isinstance(raw, list) else []

    @property
    def ignore_extension(self) -> bool:
        return bool(self.data.get("ignore_extension"))

    @property
    def update_subdir(self) -> str:
        return self._text("update_subdir")

    @property
    def update_subdir_resave_mode(self) -> bool:
        return bool(self.data.get("update_subdir_resave_mode"))

    @property
    def startfid(self) -> str:
        value = self.data.get("startfid")
        return str(value) if value not in (None, "") else ""

    def _set(self, key: str, value: Any) -> None:
        # the task as the file knows it before this change: a write-back into a file edited meanwhile finds it
        # by name and URL (write.py), also when the change is a new shareurl (--replace-dead)
        before = self.data.get("shareurl")
        if value is DELETE:
            self.data.pop(key, None)
        else:
            self.data[key] = value
        if self._config is not None:
            self._config._changes.append(Change(self.index, self.data.get("taskname"), before, key, value))

    def replace_shareurl(self, new: str) -> None:
        """Move the task to another share (--replace-dead): the dead link kept under `shareurl_dead`, the ban
        lifted (the reference's dead-task workflow pops `shareurl_ban`, search-api.md 3.4)."""
        old = self.shareurl
        self.shareurl_ban = None
        self._set("shareurl_dead", old)
        self._set("shareurl", new)

    @property
    def shareurl_ban(self) -> str:
        value = self.data.get("shareurl_ban")
        return str(value) if value else ""

    @shareurl_ban.setter
    def shareurl_ban(self, message: str | None) -> None:
        """Quark's message bans the task; None or '' lifts the ban (the key goes away)."""
        self._set("shareurl_ban", message if message else DELETE)

    @property
    def savepath_fid(self) -> str:
        value = self.data.get("savepath_fid")
        return str(value) if value else ""

    @savepath_fid.setter
    def savepath_fid(self, fid: str | None) -> None:
        self._set("savepath_fid", fid if fid else DELETE)

    @property
    def addition(self) -> dict[str, Any]:
        value = self.data.get("addition")
        return value if isinstance(value, dict) else {}

    @addition.setter
    def addition(self, value: dict[str, Any]) -> None:
        self._set("addition", value)

    def due(self, today: date, *, ban: bool = True) -> str | None:
        """None when the task runs today; else why not ("ended 2026-01-01", "not on Sunday (runweek 1-5)", "banned: ...");
        `ban=False`: whether it would run but for its ban."""
        raw_end = self.data.get("enddate")
        if raw_end and self.enddate is None:
            return _("invalid enddate {value!r}").format(value=raw_end)
        if self.enddate is not None and today > self.enddate:
            return _("ended {date}").format(date=self.enddate.isoformat())
        runweek = self.runweek
        if runweek is not None and today.isoweekday() not in runweek:
            day = _(WEEKDAYS[today.weekday()])
            if not runweek:
                return _("not on {day} (runweek empty)").format(day=day)
            return _("not on {day} (runweek {days})").format(day=day, days=_format_days(runweek))
        if ban and self.shareurl_ban:
            return _("banned: {message}").format(message=self.shareurl_ban)
        return None


def _format_days(days: list[int]) -> str:
    """[1, 2, 3, 4, 5] -> '1-5'; [2, 4, 6] -> '2,4,6'."""
    runs: list[list[int]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in runs)


@dataclass
class AutosaveConfig:
    """The parsed file, kept as it is (key order, unknown keys); properties read it, setters edit it."""

    path: Path
    data: dict[str, Any]
    _loaded_text: str | None = field(default=None, repr=False)
    _changes: list[Change] = field(default_factory=list, repr=False)
    # the file the path led to when read: the write-back goes there or nowhere (a link swapped in mid-run)
    _real_path: str | None = field(default=None, repr=False)

    @property
    def accounts(self) -> list[str]:
        """One cookie per account: a list, or a string with one cookie per line; blank ones dropped."""
        raw = self.data.get("cookie")
        items = raw if isinstance(raw, list) else str(raw or "").split("\n")
        cookies = [item.strip() for item in items if isinstance(item, str) and item.strip()]
        for cookie in cookies:
            redact.add_cookie(cookie)
        return cookies

    @property
    def tasks(self) -> list[Task]:
        raw = self.data.get("tasklist")
        if not isinstance(raw, list):
            return []
        return [Task(item, i, "tasklist", self) for i, item in enumerate(raw) if isinstance(item, dict)]

    @property
    def magic_regex(self) -> dict[str, dict[str, str]]:
        """The built-ins with the user's entries merged over them (a user `$TV` replaces the built-in)."""
        user = self.data.get("magic_regex")
        merged: dict[str, dict[str, str]] = {k: dict(v) for k, v in BUILTIN_MAGIC_REGEX.items()}
        if isinstance(user, dict):
            merged.update({k: v for k, v in user.items() if isinstance(v, dict)})
        return merged

    @property
    def push_config(self) -> dict[str, Any]:
        value = self.data.get("push_config")
        return value if isinstance(value, dict) else {}

    @property
    def plugins(self) -> dict[str, Any]:
        value = self.data.get("plugins")
        return value if isinstance(value, dict) else {}

    @plugins.setter
    def plugins(self, value: dict[str, Any]) -> None:
        self.data["plugins"] = value
        self._changes.append(Change(-1, None, None, "plugins", value))

    @property
    def replace_dead(self) -> bool:
        """`"replace_dead": true`: what --replace-dead does, for every run of this config."""
        return bool(self.data.get("replace_dead"))

    @property
    def crontab(self) -> str:
        value = self.data.get("crontab")
        return value if isinstance(value, str) else ""


