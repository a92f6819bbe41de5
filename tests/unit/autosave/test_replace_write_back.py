"""--replace-dead's config changes (issue 25): the task moved to its replacement, the dead link kept, the ban
lifted; written into a file the user edited during the run too (the task found by the URL it had), and told
in the notification, old -> new."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from quarkctl.config.autosave.loading import load
from quarkctl.config.autosave.write import save
from quarkctl.hooks.monitoring import notify
from quarkctl.reports.autosave import AutosaveReport, SavedNode, TaskResult

OLD, NEW = "https://pan.quark.cn/s/olds00000001", "https://pan.quark.cn/s/good00000001?pwd=ab12"


def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "quark_config.json"
    tasks = [{"taskname": "剧集A", "shareurl": OLD, "savepath": "/A", "shareurl_ban": "好友已取消了分享"},
             {"taskname": "剧集B", "shareurl": "https://pan.quark.cn/s/bbbb00000001", "savepath": "/B"}]
    path.write_text(json.dumps({"cookie": "__uid=1", "tasklist": tasks}, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_move_is_written_with_the_dead_link_kept_and_the_ban_gone(tmp_path: Path) -> None:
    path = config_file(tmp_path)
    config = load(path)
    config.tasks[0].replace_shareurl(NEW)
    assert save(config)
    task = json.loads(path.read_text(encoding="utf-8"))["tasklist"][0]
    assert task == {"taskname": "剧集A", "shareurl": NEW, "savepath": "/A", "shareurl_dead": OLD}


def test_the_move_reaches_a_file_edited_during_the_run(tmp_path: Path) -> None:
    path = config_file(tmp_path)
    config = load(path)
    edited = json.loads(path.read_text(encoding="utf-8"))
    edited["tasklist"].insert(0, {"taskname": "新任务", "shareurl": "https://pan.quark.cn/s/cccc00000001", "savepath": "/C"})
    path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    config.tasks[0].replace_shareurl(NEW)
    config.tasks[0].savepath_fid = "fid-after-the-move"  # a change made on the new link
    assert save(config)
    tasks = json.loads(path.read_text(encoding="utf-8"))["tasklist"]
    assert [t["taskname"] for t in tasks] == ["新任务", "剧集A", "剧集B"]
    assert tasks[1] == {"taskname": "剧集A", "shareurl": NEW, "savepath": "/A", "shareurl_dead": OLD, "savepath_fid": "fid-after-the-move"}


def _report(**task: object) -> AutosaveReport:
    report = AutosaveReport(started_at=datetime(2026, 12, 7, tzinfo=timezone.utc))
    report.tasks.append(TaskResult(1, "剧集A", savepath="/A", position=1, **task))  # type: ignore[arg-type]
    return report


def test_the_notification_names_every_replacement_old_and_new() -> None:
    replaced = {"old_url": OLD, "url": NEW, "note": "剧集A 1080p", "dead_message": "好友已取消了分享", "applied": True}
    body = notify.autosave_body(_report(status="nothing_new", replaced=replaced))
    assert body is not None and f"share {OLD} dead (好友已取消了分享); replaced with {NEW} (剧集A 1080p); nothing new" in body
    saved = notify.autosave_body(_report(status="saved", replaced=replaced, added=[SavedNode("E04.mkv", "E04.mkv", False, "f")]))
    assert saved is not None and "replaced with" in saved and "E04.mkv" in saved


def test_the_notification_carries_a_suggestion_and_the_search_warning() -> None:
    report = _report(status="banned", reason="share_cancelled", message="好友已取消了分享",
                     suggested_replacement={"url": NEW, "note": "剧集A"})
    report.search_warning = "the search service http://127.0.0.1:9 cannot be reached: refused"
    body = notify.autosave_body(report)
    assert body is not None
    assert f"banned: 好友已取消了分享; suggested replacement: {NEW} (剧集A) (--replace-dead takes it)" in body
    assert "no replacement searched: the search service http://127.0.0.1:9 cannot be reached" in body
