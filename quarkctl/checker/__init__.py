"""check-links, the job: `run.py` walks the table and marks the dead (one thread owns the database, workers
only talk HTTP); `job.py` is the whole job around it (lock, database, account check). One link's check is
quarkctl/quark/linkcheck.py; the options are quarkctl/job_options.py (light, for the command line)."""

from quarkctl.job_options import (
    DEFAULT_EMPTY_GRACE, SCOPES, CheckOptions, parse_duration, parse_empty_grace, parse_max_age, parse_shard,
)
from quarkctl.quark.grace import STOP_GRACE

from .job import execute
from .run import CACHE_SIZE, COOKIE_RECHECK, run_check, utcnow

__all__ = [
    "CACHE_SIZE", "COOKIE_RECHECK", "DEFAULT_EMPTY_GRACE", "SCOPES", "STOP_GRACE", "CheckOptions", "execute",
    "parse_duration", "parse_empty_grace", "parse_max_age", "parse_shard", "run_check", "utcnow",
]
