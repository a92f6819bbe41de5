"""`quarkctl sign` runs no task, so a task's problem does not stop the day's sign-in (a new user's review:
`sign` refused with a hint to an option it does not have). A problem of the accounts themselves still does."""

from __future__ import annotations

import json

from conftest import COOKIE, Cli, share_url

MOBILE = "; kps=kpsSecretValue42; sign=signValue1; vcode=vcodeValue1"


def test_a_bad_task_pattern_does_not_stop_sign(cli: Cli) -> None:
    config = cli.home / "quark_config.json"
    config.write_text(json.dumps({"cookie": COOKIE + MOBILE, "tasklist": [
        {"taskname": "bad", "shareurl": share_url("abcdef123456"), "savepath": "/A", "pattern": "(unclosed"}]}), encoding="utf-8")
    done = cli.run("sign", "--config", str(config), "--json")
    assert done.returncode != 2, done.stderr
    assert "--skip-invalid" not in done.stderr
    assert json.loads(done.stdout)["job"] == "sign"


def test_a_config_without_cookie_still_stops_sign(cli: Cli) -> None:
    config = cli.home / "quark_config.json"
    config.write_text(json.dumps({"tasklist": []}), encoding="utf-8")
    done = cli.run("sign", "--config", str(config))
    assert done.returncode == 2 and "cookie" in done.stderr
