"""The autosave config: finding it, the example template, validation, tasks, and a write-back that survives kills.

Golden values cite the reference (Cp0204/quark-auto-save quark_auto_save.py, Modify: 2026-02-04):
`Config.get_cookies`, `breaking_change_update`, `is_time` in `do_save`, `main` (TASKLIST),
`Config.write_json`.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from quarkctl.config.autosave import loading as ac_loading
from quarkctl.config.autosave import model as ac_model
from quarkctl.config.autosave import template as ac_template
from quarkctl.config.autosave import validation as ac_validation
from quarkctl.config.autosave import write as ac_write
from quarkctl.errors import ConfigError, ExitCode

SUNDAY = date(2026, 3, 1)
MONDAY = date(2026, 3, 2)


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def task(**extra: Any) -> dict[str, Any]:
    return {"taskname": "剧", "shareurl": "https://pan.quark.cn/s/a00000000001", "savepath": "/video/剧",
            "pattern": "$TV", "replace": "", **extra}


def config(tmp_path: Path, **top: Any) -> ac_model.AutosaveConfig:
    data = {"cookie": "__uid=u1; __puus=p", "tasklist": [task()], **top}
    return ac_loading.load(write(tmp_path / "quark_config.json", data))


# -- where the config is -----------------------------------------------------------------------


def test_config_path_flag_then_environment_then_xdg(tmp_path: Path) -> None:
    env = {"QUARKCTL_CONFIG": str(tmp_path / "env.json"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert ac_loading.config_path(tmp_path / "flag.json", env) == tmp_path / "flag.json"
    assert ac_loading.config_path(None, env) == tmp_path / "env.json"
    assert ac_loading.config_path(None, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}) == tmp_path / "xdg/quarkctl/quark_config.json"
    assert ac_loading.config_path(None, {}) == Path.home() / ".config/quarkctl/quark_config.json"


def test_missing_config_writes_an_example_that_loads_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "new" / "quark_config.json"
    with pytest.raises(ac_loading.ConfigMissing) as caught:
        ac_loading.load(path)
    assert str(path) in str(caught.value)
    assert caught.value.exit_code == ExitCode.USAGE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it will hold a cookie
    cfg = ac_loading.load(path)
    assert ac_validation.validate(cfg) == []
    assert [t.name for t in cfg.tasks] == ["EXAMPLE 示例任务"]
    assert "_comment" in cfg.data and "EXAMPLE" in cfg.tasks[0].data["_comment"]
    assert cfg.tasks[0].due(MONDAY) is None


def test_the_template_never_overwrites_a_file(tmp_path: Path) -> None:
    path = tmp_path / "quark_config.json"
    path.write_text("{}")
    ac_template.write_template(path)
    assert path.read_text() == "{}"


def test_invalid_json_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "quark_config.json"
    path.write_text('{\n  "cookie": "x",\n  "tasklist": [,]\n}')
    with pytest.raises(ConfigError, match=r"quark_config\.json: invalid JSON at line 3, column 16"):
        ac_loading.load(path)
    path.write_text("[]")
    with pytest.raises(ConfigError, match="top level must be a JSON object"):
        ac_loading.load(path)


# -- what the config holds ------------------------------------------------------------------------


@pytest.mark.parametrize(("cookie", "accounts"), [
    ("__uid=1; a=b", ["__uid=1; a=b"]),  # code: get_cookies, one string
    ("__uid=1\n\n  kps=k; sign=s; vcode=v  \n", ["__uid=1", "kps=k; sign=s; vcode=v"]),  # lines, blanks dropped
    (["__uid=1", "", "  ", "__uid=2"], ["__uid=1", "__uid=2"]),  # a list
    ("", []),
])
def test_accounts(tmp_path: Path, cookie: Any, accounts: list[str]) -> None:
    assert config(tmp_path, cookie=cookie).accounts == accounts


def test_magic_regex_merged_over_builtins(tmp_path: Path) -> None:
    cfg = config(tmp_path, magic_regex={"$TV": {"pattern": "x", "replace": "y"}, "$MINE": {"pattern": "", "replace": "{E}"}})
    assert cfg.magic_regex["$TV"] == {"pattern": "x", "replace": "y"}
    assert cfg.magic_regex["$MINE"] == {"pattern": "", "replace": "{E}"}
    assert "$BLACK_WORD" in cfg.magic_regex
    assert "$BLACK_WORD" not in cfg.data["magic_regex"]  # the file is not touched


def test_task_views(tmp_path: Path) -> None:
    cfg = config(tmp_path, tasklist=[task(replace="$TASKNAME.S02E{E}.{EXT}", ignore_extension=True, runweek=[1, 2],
                                          enddate="2026-1-5", update_subdir="4k", startfid="fid9", emby_id="7")])
    t = cfg.tasks[0]
    assert (t.index, t.name, t.savepath, t.pattern) == (0, "剧", "/video/剧", "$TV")
    assert t.replace == "{TASKNAME}.S02E{E}.{EXT}"  # code: breaking_change_update
    assert t.data["replace"] == "$TASKNAME.S02E{E}.{EXT}"  # read as new, file left as it is
    assert t.enddate == date(2026, 1, 5)  # strptime("%Y-%m-%d") takes unpadded parts, as the reference
    assert (t.runweek, t.ignore_extension, t.update_subdir, t.startfid) == ([1, 2], True, "4k", "fid9")
    assert (t.update_subdir_resave_mode, t.shareurl_ban, t.savepath_fid, t.addition) == (False, "", "", {})


def test_setting_a_ban_edits_the_dict_in_place(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    t = cfg.tasks[0]
    t.shareurl_ban = "分享地址已失效"
    t.savepath_fid = "fid123"
    assert cfg.data["tasklist"][0]["shareurl_ban"] == "分享地址已失效"
    assert cfg.data["tasklist"][0]["savepath_fid"] == "fid123"
    t.shareurl_ban = None
    assert "shareurl_ban" not in cfg.data["tasklist"][0]


# -- when a task runs -----------------------------------------------------------------------------


def test_enddate_is_inclusive(tmp_path: Path) -> None:
    # code: is_time: today <= enddate
    t = config(tmp_path, tasklist=[task(enddate="2026-03-01")]).tasks[0]
    assert t.due(date(2026, 3, 1)) is None
    assert t.due(date(2026, 3, 2)) == "ended 2026-03-01"


def test_runweek(tmp_path: Path) -> None:
    # code: is_time: weekday() + 1 in runweek (Monday = 1); no runweek = every day; [] = never
    tasks = config(tmp_path, tasklist=[task(runweek=[1, 2, 3, 4, 5]), task(), task(runweek=[]), task(runweek=[2, 4, 6, 7])]).tasks
    assert tasks[0].due(SUNDAY) == "not on Sunday (runweek 1-5)"
    assert tasks[0].due(MONDAY) is None
    assert tasks[1].due(SUNDAY) is None
    assert tasks[2].due(MONDAY) == "not on Monday (runweek empty)"
    assert tasks[3].due(MONDAY) == "not on Monday (runweek 2,4,6,7)"


def test_a_banned_task_does_not_run(tmp_path: Path) -> None:
    t = config(tmp_path, tasklist=[task(shareurl_ban="分享为空，文件已被分享者删除")]).tasks[0]
    assert t.due(MONDAY) == "banned: 分享为空，文件已被分享者删除"


# -- validation ----------------------------------------------------------------------------------


def test_every_problem_is_listed_with_its_location(tmp_path: Path) -> None:
    cfg = config(
        tmp_path,
        cookie=["__uid=1", 5],
        push_config=[],
        magic_regex={"$BAD": {"pattern": "(", "replace": ""}, "$ODD": "x"},
        tasklist=[
            task(pattern="(\\d+", replace=""),
            task(pattern="a)b"),
            task(pattern="(\\d+)\\.(mp4)", replace="\\3.\\2"),
            task(pattern="$TVX"),
            task(taskname="", shareurl="https://example.com/s/abc", savepath="video/tv"),
            task(enddate="2026/01/05", runweek=[0, 3, 8, "1"], ignore_extension="yes", update_subdir="[4k"),
            task(shareurl=None, savepath=7, replace=["x"], addition=[]),
            "not a task",
            task(pattern="$BAD"),
        ],
    )
    assert [str(p) for p in ac_validation.validate(cfg)] == [
        "cookie[1]: must be text (one account's cookie)",
        "push_config: must be an object {...}",
        "magic_regex.$BAD.pattern: missing ), unterminated subpattern at position 0",
        "magic_regex.$ODD: must be an object {\"pattern\": ..., \"replace\": ...}",
        "tasklist[7]: a task must be an object {...}",
        "tasklist[0].pattern: missing ), unterminated subpattern at position 0",
        "tasklist[1].pattern: unbalanced parenthesis at position 1",
        "tasklist[2].replace: invalid group reference 3",
        "tasklist[3].pattern: $TVX is not a magic regex (known: $TV, $BLACK_WORD, $BAD)",
        "tasklist[4].taskname: missing: a non-empty text is required",
        "tasklist[4].shareurl: not a pan.quark.cn share link (https://pan.quark.cn/s/...)",
        "tasklist[5].update_subdir: unterminated character set at position 0",
        "tasklist[5].enddate: must be a date YYYY-MM-DD (the last day the task runs)",
        "tasklist[5].runweek[0]: 0 is not a weekday 1-7 (Monday = 1)",
        "tasklist[5].runweek[2]: 8 is not a weekday 1-7 (Monday = 1)",
        "tasklist[5].runweek[3]: '1' is not a weekday 1-7 (Monday = 1)",
        "tasklist[5].ignore_extension: must be true or false",
        "tasklist[6].shareurl: missing: a non-empty text is required",
        "tasklist[6].savepath: must be text",
        "tasklist[6].replace: must be text",
        "tasklist[6].addition: must be an object {...}",
        "tasklist[8].pattern: the magic regex $BAD is invalid (see magic_regex.$BAD.pattern)",
    ]


def test_more_problems(tmp_path: Path) -> None:
    cfg = config(tmp_path, cookie={"a": 1}, tasklist={"x": 1}, crontab=5, plugins="x")
    assert [str(p) for p in ac_validation.validate(cfg)] == [
        "cookie: must be text, or a list with one cookie per account",
        "plugins: must be an object {...}",
        "crontab: must be text",
        "tasklist: must be a list of tasks [...]",
    ]
    cfg = config(tmp_path, cookie="  ", tasklist=[task(shareurl="https://pan.quark.cn/list", replace="\\1\\d", pattern="(x)")])
    assert [str(p) for p in ac_validation.validate(cfg)] == [
        "cookie: no cookie: put the Cookie header of a signed-in pan.quark.cn page here",
        "tasklist[0].shareurl: a Quark link without a share id (/s/...)",
        "tasklist[0].replace: bad escape \\d",
    ]


def test_a_valid_config_has_no_problems(tmp_path: Path) -> None:
    cfg = config(tmp_path, tasklist=[
        task(),
        task(pattern="", replace="{TASKNAME}.{SXX}E{E}.{EXT}", runweek=[1, 7], enddate="2099-12-31", ignore_extension=True),
        task(pattern="^(?P<ep>\\d+)\\.mp4", replace="S02E\\g<ep>{PART}.mp4", update_subdir="4k|1080p", update_subdir_resave_mode=1),
        task(shareurl="https://pan.quark.cn/s/d07a34a9c695#/list/share/7e25ddd87cf64443b637125478733295-夸克自动转存测试",
             pattern="$BLACK_WORD", shareurl_ban=None, savepath_fid="abc", addition={"emby": {}}),
    ])
    assert ac_validation.validate(cfg) == []


def test_skip_invalid_knows_which_tasks(tmp_path: Path) -> None:
    cfg = config(tmp_path, push_config=3, tasklist=[task(), task(pattern="("), task(update_subdir="("), task()])
    problems = ac_validation.validate(cfg)
    assert ac_validation.invalid_task_indexes(problems) == {1, 2}
    assert any(p.task_index is None for p in problems)  # push_config stays fatal


# -- TASKLIST and --task --------------------------------------------------------------------------


def test_tasklist_from_the_environment_replaces_the_config_tasks(tmp_path: Path) -> None:
    # code: main: TASKLIST is json.loads'ed and do_save runs it instead of CONFIG_DATA["tasklist"]
    assert ac_loading.tasks_from_env({}) is None
    assert ac_loading.tasks_from_env({"TASKLIST": " "}) is None
    tasks = ac_loading.tasks_from_env({"TASKLIST": json.dumps([task(taskname="环境"), task(pattern="(")])})
    assert tasks is not None and [(t.name, t.location) for t in tasks] == [("环境", "TASKLIST[0]"), ("剧", "TASKLIST[1]")]
    cfg = config(tmp_path, tasklist=[task(pattern=")")])
    assert [str(p) for p in ac_validation.validate(cfg, tasks)] == ["TASKLIST[1].pattern: missing ), unterminated subpattern at position 0"]


@pytest.mark.parametrize(("value", "message"), [
    ("[{", r"TASKLIST: invalid JSON at line 1, column 3"),
    ('{"taskname": "x"}', "TASKLIST: must be a JSON array of tasks"),
    ('[{"taskname": "x"}, 3]', r"TASKLIST\[1\]: a task must be a JSON object"),
])
def test_a_bad_tasklist_is_an_error(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ac_loading.tasks_from_env({"TASKLIST": value})


def test_select_by_name_or_number(tmp_path: Path) -> None:
    tasks = config(tmp_path, tasklist=[task(taskname="甲"), task(taskname="乙"), task(taskname="2"), task(taskname="甲")]).tasks
    assert ac_loading.select(tasks, []) == tasks
    assert [t.index for t in ac_loading.select(tasks, ["甲"])] == [0, 3]  # every task with the name
    assert [t.index for t in ac_loading.select(tasks, ["4", "乙"])] == [1, 3]  # numbered from 1, config order
    assert [t.index for t in ac_loading.select(tasks, ["2"])] == [2]  # a name wins over a number
    with pytest.raises(ConfigError, match=r"--task '丙': no task has that name, and tasks are numbered 1 to 4 .*'甲', '乙'"):
        ac_loading.select(tasks, ["丙"])
    with pytest.raises(ConfigError, match="numbered 1 to 4"):
        ac_loading.select(tasks, ["0"])


# -- write-back ----------------------------------------------------------------------------------


ORIGINAL = {
    "zzz_unknown_first": {"keep": [1, 2.5, None, True]},
    "cookie": ["__uid=1"],
    "tasklist": [{"shareurl": "https://pan.quark.cn/s/a00000000001", "taskname": "剧", "savepath": "/v", "emby_id": "9",
                  "pattern": "$TV", "replace": ""}],
    "crontab": "0 8,18,20 * * *",
    "aaa_unknown_last": "末尾",
}


def test_save_keeps_key_order_and_unknown_keys_and_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "quark_config.json"
    path.write_text(json.dumps(ORIGINAL, indent=4), encoding="utf-8")  # the user's own formatting
    previous = path.read_text()
    os.chmod(path, 0o640)
    cfg = ac_loading.load(path)
    cfg.tasks[0].shareurl_ban = "分享者已取消分享"
    assert ac_write.save(cfg) is True
    text = path.read_text(encoding="utf-8")
    expected = json.loads(json.dumps(ORIGINAL))
    expected["tasklist"][0]["shareurl_ban"] = "分享者已取消分享"
    # code: write_json: json.dump(ensure_ascii=False, indent=2), key order as read, no trailing newline
    assert text == json.dumps(expected, ensure_ascii=False, indent=2)
    assert list(json.loads(text)) == list(ORIGINAL)
    assert list(json.loads(text)["tasklist"][0])[-1] == "shareurl_ban"
    assert (tmp_path / "quark_config.json.bak").read_text() == previous
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quark_config.json", "quark_config.json.bak"]


def test_nothing_changed_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "quark_config.json"
    path.write_text(json.dumps(ORIGINAL, indent=4))
    before = path.stat().st_mtime_ns, path.read_text()
    cfg = ac_loading.load(path)
    cfg.tasks[0].shareurl_ban = None  # no ban to lift: the data is as loaded
    assert ac_write.save(cfg) is False
    assert (path.stat().st_mtime_ns, path.read_text()) == before
    assert not (tmp_path / "quark_config.json.bak").exists()


def test_second_save_keeps_the_first_version_in_bak(tmp_path: Path) -> None:
    cfg = ac_loading.load(write(tmp_path / "quark_config.json", ORIGINAL))
    cfg.tasks[0].savepath_fid = "f1"
    ac_write.save(cfg)
    first = cfg.path.read_text()
    cfg.tasks[0].shareurl_ban = "x"
    ac_write.save(cfg)
    assert (tmp_path / "quark_config.json.bak").read_text() == first
    assert ac_loading.load(cfg.path).tasks[0].shareurl_ban == "x"


def test_a_symlinked_config_stays_a_symlink(tmp_path: Path) -> None:
    real = write(tmp_path / "real.json", ORIGINAL)
    link = tmp_path / "quark_config.json"
    link.symlink_to(real)
    cfg = ac_loading.load(link)
    cfg.tasks[0].shareurl_ban = "x"
    ac_write.save(cfg)
    assert link.is_symlink()
    assert json.loads(real.read_text())["tasklist"][0]["shareurl_ban"] == "x"


def test_edits_made_during_the_run_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "quark_config.json", {**ORIGINAL, "tasklist": [*ORIGINAL["tasklist"], task(taskname="乙")]})
    cfg = ac_loading.load(path)
    cfg.tasks[0].shareurl_ban = "分享地址已失效"
    cfg.tasks[1].shareurl_ban = "分享地址已失效"
    # meanwhile the user adds a task at the top and fixes the second task's link
    edited = json.loads(path.read_text())
    edited["tasklist"].insert(0, task(taskname="新"))
    edited["tasklist"][2]["shareurl"] = "https://pan.quark.cn/s/b00000000002"
    write(path, edited)
    assert ac_write.save(cfg) is True
    saved = json.loads(path.read_text())
    assert [t["taskname"] for t in saved["tasklist"]] == ["新", "剧", "乙"]
    assert saved["tasklist"][1]["shareurl_ban"] == "分享地址已失效"  # found by name and link
    assert "shareurl_ban" not in saved["tasklist"][2]  # its link changed: the ban no longer applies
    assert "shareurl_ban" not in saved["tasklist"][0]


def test_temp_files_of_a_killed_save_are_cleaned_up_later(tmp_path: Path) -> None:
    cfg = ac_loading.load(write(tmp_path / "quark_config.json", ORIGINAL))
    old, fresh = tmp_path / ".quark_config.json.abc123.tmp", tmp_path / ".quark_config.json.def456.tmp"
    old.write_text("{")
    fresh.write_text("{")
    os.utime(old, (0, 0))  # left by a save killed long ago; `fresh` may belong to a save under way
    cfg.tasks[0].shareurl_ban = "x"
    ac_write.save(cfg)
    assert not old.exists() and fresh.exists()


def test_a_config_broken_during_the_run_is_left_alone(tmp_path: Path) -> None:
    path = write(tmp_path / "quark_config.json", ORIGINAL)
    cfg = ac_loading.load(path)
    cfg.tasks[0].shareurl_ban = "x"
    path.write_text('{"cookie": ')
    with pytest.raises(ConfigError, match="changed during the run and is not valid JSON"):
        ac_write.save(cfg)
    assert path.read_text() == '{"cookie": '


# -- a kill at any moment of the write-back leaves a config that loads ----------------------------------

CHILD = textwrap.dedent("""
    import builtins, io, os, sys
    from pathlib import Path
    from quarkctl.config.autosave import loading as ac_loading
    from quarkctl.config.autosave import write as ac_write

    path, stop_at = Path(sys.argv[1]), int(sys.argv[2])
    calls = 0

    def checkpoint(name):
        # The stop_at-th file-system step of save(): say so and wait to be killed.
        global calls
        calls += 1
        if calls == stop_at:
            print("paused", name, flush=True)
            sys.stdin.readline()

    def pausing(fn):
        def step(*args, **kwargs):
            checkpoint(fn.__name__)
            return fn(*args, **kwargs)
        return step

    class TornWrite:
        # A file written in two halves with a kill point between them: a torn write must not show.
        def __init__(self, f):
            self._f = f
        def write(self, data):
            half = len(data) // 2
            self._f.write(data[:half])
            self._f.flush()
            checkpoint("write")
            return half + self._f.write(data[half:])
        def __getattr__(self, name):
            return getattr(self._f, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self._f.__exit__(*exc)

    def opening(fn):
        def open_(file, mode="r", *args, **kwargs):
            f = fn(file, mode, *args, **kwargs)
            return TornWrite(f) if any(c in mode for c in "wax+") else f
        return open_

    for name in ("fsync", "fchmod", "link", "replace", "rename", "unlink", "close"):
        setattr(os, name, pausing(getattr(os, name)))
    builtins.open = io.open = opening(io.open)
    os.fdopen = opening(os.fdopen)
    cfg = ac_loading.load(path)
    for version in range(1, 4 if stop_at else 10**6):
        cfg.tasks[0].shareurl_ban = f"ban {version}"
        cfg.data["padding"] = "x" * (version * 100_000)  # sizes differ: a torn write would show
        ac_write.save(cfg)
        print("saved", version, flush=True)
""")


def versions() -> list[dict[str, Any]]:
    """The config before any save, and after each save the child makes."""
    out = [json.loads(json.dumps(ORIGINAL))]
    for version in range(1, 4):
        data = json.loads(json.dumps(ORIGINAL))
        data["tasklist"][0]["shareurl_ban"] = f"ban {version}"
        data["padding"] = "x" * (version * 100_000)
        out.append(data)
    return out


def assert_loads_as_a_known_version(path: Path) -> None:
    assert ac_loading.load(path).data in versions()
    backup = path.with_name(path.name + ".bak")
    if backup.exists():
        ac_loading.load(backup)


def run_child(tmp_path: Path, stop_at: int) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return subprocess.Popen([sys.executable, str(script), str(tmp_path / "quark_config.json"), str(stop_at)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_at_each_step_of_save_leaves_a_valid_config(tmp_path: Path) -> None:
    paused_at: list[str] = []
    for stop_at in range(1, 40):
        write(tmp_path / "quark_config.json", ORIGINAL)
        for leftover in tmp_path.glob("quark_config.json.bak"):
            leftover.unlink()
        child = run_child(tmp_path, stop_at)
        assert child.stdout is not None
        line = child.stdout.readline()
        while line.startswith("saved"):
            line = child.stdout.readline()
        if not line:  # the child finished its three saves: every step has been a kill point
            assert child.wait(timeout=60) == 0
            break
        paused_at.append(line.split()[1])
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        assert_loads_as_a_known_version(tmp_path / "quark_config.json")
    # the kills landed on every kind of step: data flushed, backup linked, renamed into place
    assert {"write", "fsync", "link", "replace", "fchmod"} <= set(paused_at), paused_at
    assert len(paused_at) >= 15


def test_kill_while_saving_in_a_loop_leaves_a_valid_config(tmp_path: Path) -> None:
    for saves_seen in (0, 1, 3, 7, 15):
        write(tmp_path / "quark_config.json", ORIGINAL)
        child = run_child(tmp_path, 0)
        assert child.stdout is not None
        for _ in range(saves_seen):
            assert child.stdout.readline().startswith("saved")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        cfg = ac_loading.load(tmp_path / "quark_config.json")
        ban = cfg.tasks[0].shareurl_ban
        assert ban == "" or ban.startswith("ban ")
        assert len(cfg.data.get("padding", "")) == (int(ban.split()[1]) * 100_000 if ban else 0)
