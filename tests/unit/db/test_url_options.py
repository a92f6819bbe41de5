"""A DATABASE_URL whose query arguments the driver refuses is one line and exit 2, never exit 70 (issue 23).
pymysql refuses these before it opens a socket, so no server is needed."""

from __future__ import annotations

import pytest

from quarkctl.db.database import Database
from quarkctl.errors import DatabaseError, ExitCode
from quarkctl.config import settings


@pytest.mark.parametrize("query", ["charset=bogus", "foo=bar", "ssl_ca=/nonexistent/ca.pem"])
def test_a_bogus_query_argument_is_a_database_error(query: str) -> None:
    url, _ = settings.database_url({"DATABASE_URL": f"mysql+pymysql://quark:s3cretpw@127.0.0.1:1/res?{query}"})
    db = Database(url, timeout=2)
    try:
        with pytest.raises(DatabaseError, match="not accepted by the driver") as caught:
            db.existing_tables()
    finally:
        db.close()
    assert caught.value.exit_code == ExitCode.USAGE
    assert "s3cretpw" not in str(caught.value)


@pytest.mark.parametrize("query", ["read_timeout=abc", "connect_timeout=1e9x"])
def test_a_query_argument_of_the_wrong_type_is_a_database_error(query: str) -> None:
    """The dialect converts these while the engine is made (an attacker's review: exit 70 before)."""
    url, _ = settings.database_url({"DATABASE_URL": f"mysql+pymysql://quark:s3cretpw@127.0.0.1:1/res?{query}"})
    with pytest.raises(DatabaseError, match="invalid URL") as caught:
        Database(url, timeout=2)
    assert caught.value.exit_code == ExitCode.USAGE and "s3cretpw" not in str(caught.value)
