"""cloud_resource as the user's own system creates it (the seed shape): made by someone else, before `quarkctl db init`."""

from __future__ import annotations

from sqlalchemy import text

MYSQL = """CREATE TABLE cloud_resource (
  id INT NOT NULL AUTO_INCREMENT, drama_name VARCHAR(255) NOT NULL DEFAULT '', alias VARCHAR(200) NOT NULL DEFAULT '',
  category1 VARCHAR(100) NOT NULL DEFAULT '', category2 VARCHAR(100) NULL, drive_type VARCHAR(50) NOT NULL,
  link TEXT NULL, is_expired TINYINT NOT NULL DEFAULT 1, view_count INT NOT NULL DEFAULT 0, share_count INT NOT NULL DEFAULT 0,
  hot INT NOT NULL DEFAULT 0, size VARCHAR(50) NULL, tmdb_id INT NULL, last_share_time DATETIME NULL,
  create_time DATETIME NULL, update_time DATETIME NULL, PRIMARY KEY (id), UNIQUE KEY uk_name_drive (drama_name, drive_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""
SQLITE = """CREATE TABLE cloud_resource (id INTEGER PRIMARY KEY AUTOINCREMENT, drama_name VARCHAR(255) NOT NULL DEFAULT '',
  alias VARCHAR(200) NOT NULL DEFAULT '', category1 VARCHAR(100) NOT NULL DEFAULT '', category2 VARCHAR(100),
  drive_type VARCHAR(50) NOT NULL, link TEXT, is_expired TINYINT NOT NULL DEFAULT 1, view_count INT NOT NULL DEFAULT 0,
  share_count INT NOT NULL DEFAULT 0, hot INT NOT NULL DEFAULT 0, size VARCHAR(50), tmdb_id INT, last_share_time DATETIME,
  create_time DATETIME, update_time DATETIME, UNIQUE (drama_name, drive_type))"""


def create_seed_table(db) -> None:  # type: ignore[no-untyped-def]  # conftest.ResourceDB
    engine = db.engine()
    with engine.begin() as conn:
        conn.execute(text(MYSQL if db.kind == "mysql" else SQLITE))
    engine.dispose()


def tables(db) -> set[str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect

    engine = db.engine()
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    engine.dispose()
    return names
