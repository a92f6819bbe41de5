"""quark-auto-save's `quark_config.json`, read and written back the way the reference does, but safely.

Matched against Cp0204/quark-auto-save `quark_auto_save.py` as stored at commit 1f39ae1c (header
"Modify: 2026-02-04", the file quark-api.md cites as CP): `Config.get_cookies`,
`Config.breaking_change_update` (`$TASKNAME` -> `{TASKNAME}`), `Config.write_json`
(`ensure_ascii=False, indent=2`, no trailing newline), the `is_time` check (enddate inclusive,
runweek Monday = 1, a missing runweek = every day, an empty one = never) and `TASKLIST`
(a JSON array in the environment that replaces the config's tasklist for the run; the reference
never writes those tasks back).

Departures, as the issue asks: every problem is reported with its location before any request;
a bad `TASKLIST` is an error (the reference prints a line and runs the config's tasks instead);
the write-back is atomic with a `.bak`, leaves the file alone when nothing changed, and when the
file was edited during the run it re-applies this run's changes to the edited file instead of
overwriting the user's edits.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.quark.links import LinkError, parse_share_url
from quarkctl.render.messages import N_
from quarkctl.redact import redact
from quarkctl.rename import BUILTIN_MAGIC_REGEX, MAGIC_VARIABLES, explicit_group_refs

CONFIG_ENV = "QUARKCTL_CONFIG"
TASKLIST_ENV = "TASKLIST"
CONFIG_NAME = "quark_config.json"
STALE_TEMP_SECONDS = 3600
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))

# Written when the config file is missing. Valid JSON that loads and validates; the "_comment"
# keys are kept like any unknown key. Values follow the reference's own template.
TEMPLATE: dict[str, Any] = {
    "_comment": (
        "quarkctl autosave config, the same format as quark-auto-save's quark_config.json (you can point "
        "--config at that file instead). Put your cookie below, replace the EXAMPLE task with your own, then "
        "try it with: quarkctl autosave --dry-run. Keys starting with _comment are ignored and kept."
    ),
    "cookie": ["Your pan.quark.cn Cookie1, Only this one will do save task."],
    "_comment_cookie": (
        "The Cookie header of any pan.quark.cn request while signed in; a list (or lines) for several "
        "accounts: the first one saves, the others only sign in. kps=, sign=, vcode= enable the daily sign-in."
    ),
    "push_config": {"QUARK_SIGN_NOTIFY": True},
    "magic_regex": {
        "$TV_PRO": {"pattern": "", "replace": "{TASKNAME}.{SXX}E{E}.{EXT}"},
        "$SHOW_PRO": {
            "pattern": "^(?!.*纯享)(?!.*加更)(?!.*抢先)(?!.*预告).*?第\\d+期.*",
            "replace": "{II}.{TASKNAME}.{DATE}.第{E}期{PART}.{EXT}",
        },
    },
    "tasklist": [
        {
            "_comment": (
                "EXAMPLE task (the reference's public test share): saves episodes into /quarkctl-example. "
                "Replace it with your own or delete it."
            ),
            "taskname": "EXAMPLE 示例任务",
            "shareurl": "https://pan.quark.cn/s/d07a34a9c695#/list/share/7e25ddd87cf64443b637125478733295-夸克自动转存测试",
            "savepath": "/quarkctl-example/剧集",
            "pattern": "$TV",
            "replace": "",
            "enddate": "2099-01-30",
            "runweek": [1, 2, 3, 4, 5, 6, 7],
            "ignore_extension": False,
            "update_subdir": "4k|1080p",
        }
    ],
    "plugins": {},
    "crontab": "0 8,18,20 * * *",
}


class ConfigMissing(ConfigError):
    """There was no config file; an example was written in its place."""


@dataclass(frozen=True)
class Problem:
    location: str  # a JSON path: tasklist[3].pattern (0-based, like jq)
    message: str
    task_index: int | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class _Change:
    """A value this run set on a task, to re-apply if the file was edited meanwhile."""

    index: int
    taskname: Any
    shareurl: Any
    key: str
    value: Any  # _DELETE to remove the key


_DELETE = object()


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)  # as the reference's write_json


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
        if value is _DELETE:
            self.data.pop(key, None)
        else:
            self.data[key] = value
        if self._config is not None:
            self._config._changes.append(
                _Change(self.index, self.data.get("taskname"), self.data.get("shareurl"), key, value))

    @property
    def shareurl_ban(self) -> str:
        value = self.data.get("shareurl_ban")
        return str(value) if value else ""

    @shareurl_ban.setter
    def shareurl_ban(self, message: str | None) -> None:
        """Quark's message bans the task; None or '' lifts the ban (the key goes away)."""
        self._set("shareurl_ban", message if message else _DELETE)

    @property
    def savepath_fid(self) -> str:
        value = self.data.get("savepath_fid")
        return str(value) if value else ""

    @savepath_fid.setter
    def savepath_fid(self, fid: str | None) -> None:
        self._set("savepath_fid", fid if fid else _DELETE)

    @property
    def addition(self) -> dict[str, Any]:
        value = self.data.get("addition")
        return value if isinstance(value, dict) else {}

    @addition.setter
    def addition(self, value: dict[str, Any]) -> None:
        self._set("addition", value)

    def due(self, today: date) -> str | None:
        """None when the task runs today; else why not ("ended 2026-01-01", "not on Sunday (runweek 1-5)", "banned: ...")."""
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
        if self.shareurl_ban:
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
    _changes: list[_Change] = field(default_factory=list, repr=False)

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
        self._changes.append(_Change(-1, None, None, "plugins", value))

    @property
    def crontab(self) -> str:
        value = self.data.get("crontab")
        return value if isinstance(value, str) else ""


# -- finding and loading ---------------------------------------------------------------------------


def config_path(flag: Path | None, env: Mapping[str, str]) -> Path:
    """--config, else QUARKCTL_CONFIG, else $XDG_CONFIG_HOME/quarkctl/quark_config.json (~/.config by default)."""
    if flag is not None:
        return Path(flag).expanduser()
    if env.get(CONFIG_ENV, "").strip():
        return Path(env[CONFIG_ENV].strip()).expanduser()
    base = env.get("XDG_CONFIG_HOME", "").strip() or str(Path.home() / ".config")
    return Path(base) / "quarkctl" / CONFIG_NAME


def write_template(path: Path) -> None:
    """The example config, created only if nothing is there (never overwrites), readable by its owner only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise ConfigError(_("config {path} does not exist and cannot be created: {reason}").format(
            path=path, reason=exc.strerror)) from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(_dumps(TEMPLATE) + "\n")


def load(path: Path) -> AutosaveConfig:
    """Read the config; a missing file gets the example written there and raises ConfigMissing (exit 2)."""
    path = Path(path)
    if not path.exists():
        write_template(path)
        raise ConfigMissing(_(
            "no config at {path}: an example was written there; put your cookie and tasks in it, "
            "then run again (try --dry-run first)"
        ).format(path=path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else _("not UTF-8 text")
        raise ConfigError(_("cannot read config {path}: {reason}").format(path=path, reason=reason)) from None
    return AutosaveConfig(path, _parse(text, path), text)


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(_("{path}: invalid JSON at line {line}, column {column}: {error}").format(
            path=path, line=exc.lineno, column=exc.colno, error=exc.msg)) from None
    if not isinstance(data, dict):
        raise ConfigError(_("{path}: the top level must be a JSON object {{...}}").format(path=path))
    return data


def tasks_from_env(env: Mapping[str, str]) -> list[Task] | None:
    """TASKLIST (a JSON array of tasks) replaces the config's tasklist for this run, as in the reference.

    None when it is not set. Its tasks are not part of the config file, so nothing about them is
    written back (the reference behaves the same).
    """
    raw = env.get(TASKLIST_ENV, "")
    if not raw.strip():
        return None
    try:
        items = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(_("{name}: invalid JSON at line {line}, column {column}: {error}").format(
            name=TASKLIST_ENV, line=exc.lineno, column=exc.colno, error=exc.msg)) from None
    if not isinstance(items, list):
        raise ConfigError(_("{name}: must be a JSON array of tasks").format(name=TASKLIST_ENV))
    bad = [i for i, item in enumerate(items) if not isinstance(item, dict)]
    if bad:
        raise ConfigError(_("{name}[{index}]: a task must be a JSON object").format(name=TASKLIST_ENV, index=bad[0]))
    return [Task(item, i, TASKLIST_ENV) for i, item in enumerate(items)]


def select(tasks: list[Task], selectors: list[str]) -> list[Task]:
    """--task NAME|NUMBER (repeatable): a task name, else its number as the run log shows it (#1 is the first).

    No selectors: every task. The result keeps the config's order.
    """
    if not selectors:
        return list(tasks)
    chosen: set[int] = set()
    for selector in selectors:
        named = [i for i, task in enumerate(tasks) if task.name == selector]
        if named:
            chosen.update(named)
        elif selector.strip().isdigit() and 1 <= int(selector) <= len(tasks):
            chosen.add(int(selector) - 1)
        else:
            names = ", ".join(repr(task.name) for task in tasks[:10]) + (", ..." if len(tasks) > 10 else "")
            if not tasks:
                raise ConfigError(_(
                    "--task {selector!r}: no task has that name, and tasks are numbered 1 to {count} "
                    "(as in the run log); task names: none"
                ).format(selector=selector, count=0))
            raise ConfigError(_(
                "--task {selector!r}: no task has that name, and tasks are numbered 1 to {count} "
                "(as in the run log); task names: {names}"
            ).format(selector=selector, count=len(tasks), names=names))
    return [task for i, task in enumerate(tasks) if i in chosen]


# -- validation ------------------------------------------------------------------------------------


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


# -- write-back ------------------------------------------------------------------------------------


def _merge_into(fresh: dict[str, Any], changes: list[_Change]) -> dict[str, Any]:
    """Re-apply this run's changes to a file the user edited meanwhile; a task is found by name and URL."""
    tasklist = fresh.get("tasklist") if isinstance(fresh.get("tasklist"), list) else []
    for change in changes:
        if change.index < 0:
            fresh[change.key] = change.value
            continue

        def same(item: Any) -> bool:
            return (isinstance(item, dict) and item.get("taskname") == change.taskname
                    and item.get("shareurl") == change.shareurl)

        candidates = [change.index] if change.index < len(tasklist) and same(tasklist[change.index]) else []
        candidates = candidates or [i for i, item in enumerate(tasklist) if same(item)][:1]
        for i in candidates:  # none: the task was removed or its link changed; the change no longer applies
            if change.value is _DELETE:
                tasklist[i].pop(change.key, None)
            else:
                tasklist[i][change.key] = change.value
    return fresh


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


def _remove_stale_temps(path: Path) -> None:
    """Temp files left by a save that was killed (older than an hour, so a save under way is never touched)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass


def _keep_backup(path: Path) -> None:
    """path -> path.bak, replaced atomically: a hard link when the file system allows, else a copy."""
    backup = path.with_name(path.name + ".bak")
    fd, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".bak.tmp")
    os.close(fd)
    os.unlink(staging)
    try:
        os.link(path, staging)
    except OSError:
        shutil.copy2(path, staging)
    os.replace(staging, backup)


def _atomic_write(path: Path, text: str) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        existed = True
    except FileNotFoundError:
        mode, existed = 0o600, False
    _remove_stale_temps(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        if existed:
            _keep_backup(path)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def save(config: AutosaveConfig) -> bool:
    """Write the config back atomically (temp file, fsync, rename; the previous version kept as .bak).

    Returns False when there was nothing to write. A symlinked config is written where the link
    points. When the file changed on disk since it was loaded, this run's changes (bans, save-path
    fids, plugin defaults) are applied to that newer version instead of overwriting it.
    """
    path = Path(os.path.realpath(config.path))
    try:
        on_disk: str | None = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        on_disk = None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else _("not UTF-8 text")
        raise ConfigError(_("cannot read config {path}: {reason}").format(path=path, reason=reason)) from None
    data = config.data
    if on_disk is not None and config._loaded_text is not None and on_disk != config._loaded_text:
        if not config._changes:
            return False
        try:
            data = _merge_into(_parse(on_disk, path), config._changes)
        except ConfigError:
            raise ConfigError(_(
                "{path} was changed during the run and is not valid JSON now; left as it is "
                "(this run's bans and fids were not written)").format(path=path)) from None
    elif config._loaded_text is not None and data == _parse(config._loaded_text, path):
        return False
    text = _dumps(data)
    if text == on_disk:
        return False
    try:
        _atomic_write(path, text)
    except OSError as exc:
        raise ConfigError(_("cannot write config {path}: {reason}; the previous version is unchanged").format(
            path=path, reason=exc.strerror or exc)) from None
    config.data, config._loaded_text, config._changes = data, text, []
    return True
