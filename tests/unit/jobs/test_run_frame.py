"""jobs/frame.py: the database, the job's lock on its key, the tables, the close; every job opens its run there."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from quarkctl.config.settings import Settings
from quarkctl.errors import LockedError
from quarkctl.jobs.frame import job_lock, run_frame
from quarkctl.runtime.stop import StopSignal
from tests.conftest import ResourceDB


def _settings(db: ResourceDB) -> Settings:
    return Settings(cookie=None, database_url=db.url, default_sqlite=False, api_base=None)


def test_the_frame_prepares_under_the_jobs_lock_and_releases_it(sqlitedb: ResourceDB, tmp_path: Path) -> None:
    sqlitedb.create_schema()
    prepared = []
    stop = StopSignal()
    with run_frame(_settings(sqlitedb), "check-links", stop=stop, lock_dir=tmp_path, prepare=prepared.append) as db:
        assert prepared == [db]
        with pytest.raises(LockedError):  # one run at a time per job and database
            job_lock(tmp_path, "check-links", db).acquire()
        other = job_lock(tmp_path, "reshare", db).acquire()  # another job's lock is its own
        other.release()
        stop.set(signal.SIGTERM)
        assert db.retry.sleep(5.0) is False  # a lost database's retry ends at a signal
    job_lock(tmp_path, "check-links", db).acquire().release()  # released with the frame


def test_a_key_replaces_the_database_as_what_the_lock_guards(sqlitedb: ResourceDB, tmp_path: Path) -> None:
    settings, stop = _settings(sqlitedb), StopSignal()
    with run_frame(settings, "autosave", stop=stop, lock_dir=tmp_path, prepare=lambda db: None, key=tmp_path / "a.json"):
        with run_frame(settings, "autosave", stop=stop, lock_dir=tmp_path, prepare=lambda db: None, key=tmp_path / "b.json"):
            pass  # two configs save side by side into one database
        with pytest.raises(LockedError):
            with run_frame(settings, "autosave", stop=stop, lock_dir=tmp_path, prepare=lambda db: None, key=tmp_path / "a.json"):
                pass


def test_the_lock_is_released_when_the_job_raises(sqlitedb: ResourceDB, tmp_path: Path) -> None:
    settings, stop = _settings(sqlitedb), StopSignal()
    with pytest.raises(RuntimeError):
        with run_frame(settings, "reshare", stop=stop, lock_dir=tmp_path, prepare=lambda db: None):
            raise RuntimeError("the job failed")
    with run_frame(settings, "reshare", stop=stop, lock_dir=tmp_path, prepare=lambda db: None):
        pass
