"""quarkctl/db/sqlitefile.py: every spelling of one SQLite file names that file (issue 23)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import URL, make_url

from quarkctl.db.sqlitefile import sqlite_file

segment = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\0"), min_size=1, max_size=12).filter(
    lambda s: s not in (".", ".."))


@settings(max_examples=100, deadline=None)
@given(name=segment, form=st.sampled_from(["file:{}", "file://{}", "file://localhost{}"]))
def test_the_file_named_is_the_one_sqlite_opens(tmp_path_factory: pytest.TempPathFactory, name: str, form: str) -> None:
    """A property against SQLite itself: whatever the name (spaces, `#`, `?`, `%`, non-ASCII), the file SQLite
    creates for the URI is the one sqlite_file names."""
    folder = tmp_path_factory.mktemp("uri")
    url = URL.create("sqlite", database=form.format(quote(str(folder / name))), query={"uri": "true", "mode": "rwc"})
    opened = sqlite3.connect(url.database + "?mode=rwc", uri=True)  # as the driver gets it (pysqlite's create_connect_args)
    opened.execute("CREATE TABLE t (x)")
    opened.close()
    assert [p.name for p in folder.iterdir()] == [name]
    assert sqlite_file(url) == folder / name


@pytest.mark.parametrize("text", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true",
                                  "sqlite:///file:shared?mode=memory&uri=true"])
def test_in_memory_databases_have_no_file(text: str) -> None:
    assert sqlite_file(make_url(text)) is None


def test_without_uri_a_file_colon_name_is_an_ordinary_name() -> None:
    assert sqlite_file(make_url("sqlite:///file:odd.db")) == Path("file:odd.db")
    assert sqlite_file(make_url("sqlite:///relative/site.db")) == Path("relative/site.db")
