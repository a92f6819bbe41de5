"""Every table quarkctl reads or writes, and the column widths its writes truncate to.

`cloud_resource` is the user's: its seed shape is mapped here, never altered; the queries use the
columns a user's table has (engine.Store.resource_table). quarkctl's own state is the
`quarkctl_*` tables, created where missing, never dropped or altered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Dialect

metadata = MetaData()

MYSQL_TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_engine": "InnoDB"}

# The widths of quarkctl's own text columns; the writes cut values to the same constants.
NAME_WIDTH = 255  # names, titles, messages, the host
KEY_WIDTH = 64  # sha256 hex digests, Quark ids (pwd_id, share_id, fid), machine reasons
CODE_WIDTH = 80  # a drive's code as text: providers/evidence.py keeps 80 characters of it

SHARE_DRIVE = "quark"  # cloud_resource.drive_type of Quark rows (compared lower-cased)


@event.listens_for(metadata, "before_create")
def _mysql_table_options(target: MetaData, connection: Any, tables: Sequence[Table] = (), **_kw: Any) -> None:
    """utf8mb4 and InnoDB for every table quarkctl creates on MySQL/MariaDB, set as it is created:
    named in Table(...) they make SQLAlchemy load its mysql dialect package at import (~80 ms, all of
    its drivers) on every start, SQLite or not."""
    if connection.dialect.name in ("mysql", "mariadb"):
        for table in tables or target.sorted_tables:
            table.dialect_kwargs.update(MYSQL_TABLE_OPTIONS)


class TinyFlag(TypeDecorator):  # type: ignore[type-arg]
    """TINYINT on MySQL/MariaDB (the existing schema), SMALLINT elsewhere. Importing SQLAlchemy's mysql
    dialect package loads all its drivers (asyncio with aiomysql: ~50 ms), so only a MySQL run does."""

    impl = SmallInteger
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            from sqlalchemy.dialects.mysql import TINYINT

            return dialect.type_descriptor(TINYINT())
        return dialect.type_descriptor(SmallInteger())


# Exactly the existing MySQL schema (the system quarkctl serves created it), widths as its DDL has them.
cloud_resource = Table(
    "cloud_resource",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("drama_name", String(255), nullable=False, server_default=""),
    Column("alias", String(200), nullable=False, server_default=""),
    Column("category1", String(100), nullable=False, server_default=""),
    Column("category2", String(100), nullable=True),
    Column("drive_type", String(50), nullable=False),
    Column("link", Text, nullable=True),
    Column("is_expired", TinyFlag(), nullable=False, server_default="1"),
    Column("view_count", Integer, nullable=False, server_default="0"),
    Column("share_count", Integer, nullable=False, server_default="0"),
    Column("hot", Integer, nullable=False, server_default="0"),
    Column("size", String(50), nullable=True),
    Column("tmdb_id", Integer, nullable=True),
    Column("last_share_time", DateTime, nullable=True),
    Column("create_time", DateTime, nullable=True),
    Column("update_time", DateTime, nullable=True),
    UniqueConstraint("drama_name", "drive_type", name="uk_drama_drive"),
)

_BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only

# One row per job run (times are UTC).
run_history = Table(
    "quarkctl_run",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("job", String(32), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("status", String(16), nullable=False),  # running | finished | aborted | interrupted
    Column("exit_code", Integer, nullable=True),
    Column("host", String(NAME_WIDTH), nullable=False, server_default=""),
    Column("pid", Integer, nullable=True),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("valid", Integer, nullable=False, server_default="0"),
    Column("expired", Integer, nullable=False, server_default="0"),
    Column("needs_passcode", Integer, nullable=False, server_default="0"),
    Column("errors", Integer, nullable=False, server_default="0"),
    Column("skipped", Integer, nullable=False, server_default="0"),
    Column("detail", Text, nullable=True),  # JSON: options, abort reason
    Index("ix_quarkctl_run_job_started", "job", "started_at"),
)

# One row per link check (times are UTC).
check_history = Table(
    "quarkctl_check",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, nullable=True),
    Column("resource_id", Integer, nullable=False),
    Column("checked_at", DateTime, nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("reason", String(KEY_WIDTH), nullable=False, server_default=""),
    Column("api_code", Integer, nullable=True),
    Column("http_status", Integer, nullable=True),
    Column("message", String(NAME_WIDTH), nullable=True),
    Index("ix_quarkctl_check_resource", "resource_id", "checked_at"),
    Index("ix_quarkctl_check_run", "run_id"),
)

# autosave: one row per task per run (times UTC); the saved-files ledger; the share URL each ban was for.
autosave_task_history = Table(
    "quarkctl_autosave_task",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, nullable=True),
    Column("task_index", Integer, nullable=False),
    Column("taskname", String(NAME_WIDTH), nullable=False, server_default=""),
    Column("status", String(20), nullable=False),
    Column("reason", String(KEY_WIDTH), nullable=False, server_default=""),
    Column("message", String(NAME_WIDTH), nullable=True),
    Column("files_saved", Integer, nullable=False, server_default="0"),
    Column("detail", Text, nullable=True),  # JSON: added tree, problems
    Index("ix_quarkctl_autosave_task_run", "run_id"),
)

saved_ledger = Table(
    "quarkctl_saved",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("task_hash", String(KEY_WIDTH), nullable=False),  # sha256 of the task key: long names fit any index
    Column("taskname", String(NAME_WIDTH), nullable=False, server_default=""),
    Column("pwd_id", String(KEY_WIDTH), nullable=False, server_default=""),
    Column("source_fid", String(KEY_WIDTH), nullable=False),
    Column("source_name", String(NAME_WIDTH), nullable=False, server_default=""),
    Column("saved_name", String(NAME_WIDTH), nullable=False, server_default=""),
    Column("saved_at", DateTime, nullable=False),
    Index("ix_quarkctl_saved_task", "task_hash", "source_fid"),
)

task_bans = Table(
    "quarkctl_ban",
    metadata,
    Column("task_hash", String(KEY_WIDTH), primary_key=True),
    Column("taskname", String(NAME_WIDTH), nullable=False, server_default=""),
    Column("shareurl", Text, nullable=False),
    Column("message", String(NAME_WIDTH), nullable=True),
    Column("banned_at", DateTime, nullable=False),
)

# Issue 16: a task's last run that listed its share, clean (every wanted file saved or present) for
# these filter settings; only then may its share listing stop paging early (quarkctl/autosave/task.py _enough).
scan_marker = Table(
    "quarkctl_scan",
    metadata,
    Column("task_hash", String(KEY_WIDTH), primary_key=True),
    Column("taskname", String(NAME_WIDTH), nullable=False, server_default=""),
    Column("filters_hash", String(KEY_WIDTH), nullable=False),
    Column("clean", SmallInteger, nullable=False, server_default="0"),
    Column("updated_at", DateTime, nullable=False),
)

# Issue 17: one row per re-created share (and per share `resources add --reshare-from` made), times UTC.
reshare_history = Table(
    "quarkctl_reshare",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, nullable=True),
    Column("resource_id", Integer, nullable=False),
    Column("old_link", Text, nullable=False),
    Column("new_link", Text, nullable=True),
    Column("share_id", String(KEY_WIDTH), nullable=True),
    Column("pwd_id", String(KEY_WIDTH), nullable=True),  # of the new share
    Column("fid_list", Text, nullable=False),  # JSON list of the shared fids
    Column("title", String(NAME_WIDTH), nullable=False, server_default=""),
    Column("reason", String(KEY_WIDTH), nullable=False, server_default=""),  # why: share_expired, expiring, added ...
    Column("status", String(16), nullable=False),  # pending (intent recorded) | done | abandoned
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Index("ix_quarkctl_reshare_resource", "resource_id"),
    Index("ix_quarkctl_reshare_pwd", "pwd_id"),
)

# The share an `empty` streak is about, per row: a link changed mid-streak starts a new one (an attacker's
# review, issue 21: a fresh share swapped into a row that had been empty was marked at its first sighting).
# quarkctl_check does not keep the link, and a table quarkctl owns is never altered.
empty_streak = Table(
    "quarkctl_empty",
    metadata,
    Column("resource_id", Integer, primary_key=True, autoincrement=False),
    Column("share_key", String(128), nullable=False),  # pwd_id/pdir_fid
    Column("since", DateTime, nullable=False),  # the first empty sighting of this share in the row
)

# Issue 24: the drive of each verdict and the drive's own code as text (Baidu's -9, Aliyun's
# "NotFound.ShareLink"), beside quarkctl_check, which is never altered (its api_code is an integer: Quark's).
# Written in the same transaction as the check rows (db/runs.py write_checks), only for a drive other than
# Quark: no row is Quark's verdict, or no drive's for reason unsupported_link (db/runs.py drive_of).
check_drive = Table(
    "quarkctl_check_drive",
    metadata,
    Column("check_id", BigInteger, primary_key=True, autoincrement=False),  # quarkctl_check.id
    Column("drive", String(16), nullable=False),  # providers/names.py DRIVE_NAMES
    Column("code", String(CODE_WIDTH), nullable=True),
)

# Issue 25: one row per re-acquisition: the row's old link, the search result taken (its link, note and
# source), the drive folder it was saved into and the owner's new link; `pending` from before the save until
# the row carries the new link, so a crashed run's saved files are found again (acquire/job.py). Times UTC.
acquire_history = Table(
    "quarkctl_acquire",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, nullable=True),
    Column("resource_id", Integer, nullable=True),  # None until a new name's row is inserted
    Column("name", String(NAME_WIDTH), nullable=False),
    Column("old_link", Text, nullable=False),
    Column("candidate_link", Text, nullable=False),
    Column("candidate_note", Text, nullable=True),
    Column("source", String(NAME_WIDTH), nullable=False, server_default=""),  # the search service and its channel
    Column("saved_path", Text, nullable=True),
    Column("videos", Integer, nullable=True),  # video files saved: the next replacement must have as many
    Column("new_link", Text, nullable=True),
    Column("status", String(16), nullable=False),  # prepared (no save sent yet) | pending | done | abandoned | refused (Quark would not share it) | unmarked
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Index("ix_quarkctl_acquire_resource", "resource_id"),
)

# The link each verdict was about (a new-user review of issue 25: `history show RUN` listed the row's current link,
# a re-acquired row's new working link under an old "expired"). Beside quarkctl_check, which is never altered;
# written in the same transaction as the check rows (db/runs.py write_checks). A check from before this table has
# no row: db/runs.py run_checks shows the row's link only when no re-share or re-acquisition changed it since.
check_link = Table(
    "quarkctl_check_link",
    metadata,
    Column("check_id", BigInteger, primary_key=True, autoincrement=False),  # quarkctl_check.id
    Column("link", Text, nullable=False),
)

AUTOSAVE_TABLES = (run_history, autosave_task_history, saved_ledger, task_bans, scan_marker)
# `db init` and every job create these where missing.
OWN_TABLES = (run_history, check_history, autosave_task_history, saved_ledger, task_bans, scan_marker, reshare_history,
              empty_streak, check_drive, acquire_history, check_link)
