"""The example config written where none exists: valid JSON that loads and validates."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from quarkctl.errors import ConfigError
from quarkctl.i18n import _
from quarkctl.safefs import open_dir

from .model import dumps

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


def write_template(path: Path) -> None:
    """The example config, created only if nothing is there (never overwrites), readable by its owner only."""
    try:
        # its folder made 0700 and reached without a link others could have planted (safefs.open_dir, issue 23)
        folder = open_dir(path.parent)
        try:
            fd = os.open(path.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder)
        finally:
            os.close(folder)
    except FileExistsError:
        return
    except OSError as exc:
        raise ConfigError(_("config {path} does not exist and cannot be created: {reason}").format(
            path=path, reason=exc.strerror)) from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(dumps(TEMPLATE) + "\n")
