"""A value that names nothing is a usage error that names its option (issue 23). In-process."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from quarkctl import cli
from quarkctl.errors import QuarkctlError


def invoke(*args: str) -> tuple[int, str]:
    """The exit code and output as the installed command gives them: launch.py turns a QuarkctlError into
    its exit code and one `Error:` line."""
    result = CliRunner().invoke(cli.make_app(), list(args), prog_name="quarkctl")
    if isinstance(result.exception, QuarkctlError):
        return int(result.exception.exit_code), result.output + f"Error: {result.exception}\n"
    return result.exit_code, result.output


def test_history_job_nosuch_is_a_usage_error(tmp_path: Path) -> None:
    code, output = invoke("history", "--job", "nosuch", "--database-url", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 2 and "--job 'nosuch'" in output and "check-links" in output
    assert not (tmp_path / "x.db").exists()  # refused before the database is opened


def test_unban_nosuch_names_unban(tmp_path: Path) -> None:
    config = tmp_path / "quark_config.json"
    config.write_text(json.dumps({"cookie": "__uid=u1; __puus=p", "tasklist": [
        {"taskname": "A", "shareurl": "https://pan.quark.cn/s/abcdef123456", "savepath": "/A", "shareurl_ban": "x"}]}))
    code, output = invoke("autosave", "--config", str(config), "--unban", "nosuch")
    assert code == 2 and "--unban 'nosuch'" in output and "--task" not in output
    assert json.loads(config.read_text())["tasklist"][0]["shareurl_ban"] == "x"  # nothing changed
