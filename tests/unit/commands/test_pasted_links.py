"""Links as people paste them (issue 21, item 4), end to end: the installed `quarkctl` against the
simulator, with passcode-protected shares stored in the forms people write. The simulator answers 41008
when no passcode is sent and 41007 for a wrong one, so `valid` means the right passcode went out, and
`needs_passcode` for the archive-password row means the archive password was not sent."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import Cli, ResourceDB, on_database
from quarkctl.simulator import Share, Simulator

FAST = ["--no-pacing", "--retry-backoff", "0"]
FOLDER = "S1"
NAMES = ["query passcode", "query PWD", "glued 提取码", "bracketed 提取码", "www host", "Passcode + folder", "archive password"]
PASSCODES = ["pa01", "Pb02", "pc03", "pd04", "pe05", "pf06", "pg07"]
EXPECTED = {name: ("valid", "ok") for name in NAMES} | {"archive password": ("needs_passcode", "passcode_required")}


def add_shares(sim: Simulator, prefix: str) -> dict[str, tuple[str, str]]:
    """One passcode share per form; name -> (share id, the link as stored or pasted). The archive row's
    share has the archive password as its passcode: had it been sent, the row would check valid."""
    ids = [f"{prefix}{n:08d}" for n in range(1, len(NAMES) + 1)]
    for pwd_id, passcode in zip(ids, PASSCODES):
        sim.add_share(Share(pwd_id=pwd_id, title=pwd_id, passcode=passcode,
                            files=[{"name": "e01.mp4", "size": 1024}, {"name": FOLDER, "children": [{"name": "e02.mkv"}]}]))
    fid = sim.fid_of(ids[5], FOLDER)
    links = [
        f"https://pan.quark.cn/s/{ids[0]}?passcode=pa01",
        f"https://pan.quark.cn/s/{ids[1]}?PWD=Pb02",
        f"https://pan.quark.cn/s/{ids[2]}提取码：pc03",
        f"https://pan.quark.cn/s/{ids[3]}（提取码：pd04）",
        f"www.quark.cn/s/{ids[4]}?pwd=pe05",
        f"https://pan.quark.cn/s/{ids[5]}?Passcode=pf06#/list/share/{fid}",
        f"https://pan.quark.cn/s/{ids[6]} 解压密码: pg07",
    ]
    return dict(zip(NAMES, zip(ids, links)))


def verdicts(cli: Cli) -> dict[str, tuple[str, str]]:
    proc = cli.run("check-links", *FAST, "--json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return {r["name"]: (r["verdict"], r["reason"]) for r in json.loads(proc.stdout)["results"]}


def assert_sent(sim: Simulator, shares: dict[str, tuple[str, str]]) -> None:
    """Each share's passcode went out with its token request; the archive row's token request had none;
    the folder row listed its folder."""
    for (name, (pwd_id, _link)), passcode in zip(shares.items(), PASSCODES):
        sent = {(r.body or {}).get("passcode") or "" for r in sim.requests(endpoint="token", pwd_id=pwd_id)}
        assert sent == ({""} if name == "archive password" else {passcode}), name
    folder_id = shares["Passcode + folder"][0]
    assert sim.requests(endpoint="detail", pwd_id=folder_id)[0].query["pdir_fid"] == sim.fid_of(folder_id, FOLDER)


@pytest.fixture
def db(testdb: ResourceDB, cli: Cli) -> ResourceDB:
    return on_database(cli, testdb)


def test_check_links_sends_the_passcode_of_every_form_and_never_an_archive_password(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    shares = add_shares(sim, "form")
    db.seed([{"drama_name": name, "link": link} for name, (_pwd_id, link) in shares.items()])
    assert verdicts(cli) == EXPECTED
    assert_sent(sim, shares)
    assert {r.drama_name: r.is_expired for r in db.rows().values()} == {name: 0 for name in NAMES}


def test_imported_cells_are_stored_so_that_they_check_valid(cli: Cli, sim: Simulator, db: ResourceDB) -> None:
    pasted, cells = add_shares(sim, "text"), add_shares(sim, "csvf")
    text = cli.home / "pasted.txt"
    text.write_text("".join(f"{name} {link}\n" for name, (_pwd_id, link) in pasted.items()), encoding="utf-8")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["drama_name", "link"]] + [[f"csv {name}", link] for name, (_p, link) in cells.items()])
    table = cli.home / "cells.csv"
    table.write_text(out.getvalue(), encoding="utf-8")
    for path in (text, table):
        proc = cli.run("resources", "import", str(path))
        assert proc.returncode == 0, proc.stderr
        assert "inserted 7" in proc.stdout

    stored = {r.drama_name: r.link for r in db.rows().values()}
    # a pasted line: the passcode labelled after the link goes into the query, a scheme is added
    assert stored["glued 提取码"] == "https://pan.quark.cn/s/text00000003?pwd=pc03"
    assert stored["bracketed 提取码"] == "https://pan.quark.cn/s/text00000004?pwd=pd04"
    assert stored["www host"] == "https://www.quark.cn/s/text00000005?pwd=pe05"
    assert stored["archive password"] == "https://pan.quark.cn/s/text00000007"
    assert stored["csv glued 提取码"] == cells["glued 提取码"][1]  # a CSV cell is stored as given

    assert verdicts(cli) == EXPECTED | {f"csv {name}": verdict for name, verdict in EXPECTED.items()}
    assert_sent(sim, pasted)
    assert_sent(sim, cells)
