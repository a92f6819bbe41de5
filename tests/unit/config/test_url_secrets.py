"""A password never shows, however it is spelled in DATABASE_URL or a proxy URL (issue 23)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from quarkctl.config import settings
from quarkctl.errors import ConfigError
from quarkctl.redact import masked_url, redact

PASSWORDS = st.text(st.characters(codec="ascii", categories=("L", "N", "P", "S")), min_size=6, max_size=20).filter(
    lambda p: "@" in p and "/" not in p and "?" not in p and "#" not in p)


@hsettings(max_examples=60, deadline=None)
@given(password=PASSWORDS)
def test_a_raw_at_in_the_password_is_refused_and_never_shown(password: str) -> None:
    raw = f"mysql+pymysql://user:{password}@db.example:3306/res"
    try:
        url, _ = settings.database_url({"DATABASE_URL": raw})
    except ConfigError as exc:
        message = redact(str(exc))
        assert "%40" in message
        for piece in password.split("@"):
            if len(piece) >= 4:
                assert piece not in message
        return
    # sqlalchemy parsed it some other way: then the label shows nothing of the password either
    label = redact(url.render_as_string(hide_password=True))
    for piece in password.split("@"):
        assert len(piece) < 4 or piece not in label


def test_the_percent_encoded_password_works(tmp_path: object) -> None:
    url, _ = settings.database_url({"DATABASE_URL": f"mysql+pymysql://user:{quote('p@ss:w/rd', safe='')}@db/res"})
    assert url.password == "p@ss:w/rd" and url.host == "db"
    assert "p@ss" not in url.render_as_string(hide_password=True)


def test_mysql_without_a_driver_gets_the_pymysql_hint() -> None:
    with pytest.raises(ConfigError, match=r"mysql\+pymysql://"):
        settings.database_url({"DATABASE_URL": "mysql://user:pw@db/res"})


@pytest.mark.parametrize("proxy", ["http://bob:hunter2secret@proxy.lan:3128", "socks5://bob:hunter2secret@10.0.0.1:1080"])
def test_a_proxy_url_is_shown_without_its_credentials(proxy: str) -> None:
    shown = masked_url(proxy)
    assert "hunter2secret" not in shown and "bob" not in shown and shown.endswith(proxy.rsplit("@", 1)[1])
    assert "hunter2secret" not in redact(f"cannot reach {proxy}")
