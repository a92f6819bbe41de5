"""With --json, stdout is one JSON object whatever the outcome (issue 23): an error before or during the run
is {"job", "exit_code", "error"} on stdout, the one error line on stderr, the same exit code, no secret."""

from __future__ import annotations

import json

import pytest

from conftest import COOKIE_SECRETS, Cli

BAD_DB = "mysql+pymysql://quark:s3cretpw@127.0.0.1:1/res"


@pytest.mark.parametrize(("job", "args"), [
    ("check-links", ["check-links", "--no-pacing"]),
    ("reshare", ["resources", "reshare", "--all-expired"]),
])
def test_a_database_that_cannot_be_reached(cli: Cli, job: str, args: list[str]) -> None:
    done = cli.run(*args, "--json", env={"DATABASE_URL": BAD_DB})
    assert done.returncode == 2, done.stderr
    doc = json.loads(done.stdout)  # one object, nothing else on stdout
    assert doc["job"] == job and doc["exit_code"] == 2 and "cannot connect" in doc["error"]
    assert done.stderr.startswith("Error: ") and len(done.stderr.strip().splitlines()) == 1
    for secret in ("s3cretpw", *COOKIE_SECRETS):
        assert secret not in done.stdout + done.stderr


@pytest.mark.parametrize("job", ["autosave", "sign"])
def test_a_config_that_is_not_json(cli: Cli, job: str) -> None:
    config = cli.home / "quark_config.json"
    config.write_text("{not json", encoding="utf-8")
    done = cli.run(job, "--config", str(config), "--json")
    assert done.returncode == 2, done.stderr
    doc = json.loads(done.stdout)
    assert doc["job"] == job and doc["exit_code"] == 2 and "quark_config.json" in doc["error"]


def test_a_log_file_that_cannot_be_opened(cli: Cli) -> None:
    done = cli.run("check-links", "--json", "--anonymous", "--log-file", str(cli.home / "nofolder" / "x" / ".." / "run.log"),
                   env={"DATABASE_URL": BAD_DB})
    assert done.returncode == 2
    assert json.loads(done.stdout)["exit_code"] == 2
