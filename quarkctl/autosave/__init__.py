"""autosave, the job of the quark-auto-save script: `run.py` the run (accounts, sign-in, tasks, bans),
`task.py` one task's walk, save and rename (the reference's dir_check_and_save), `job.py` the whole job
around it (config, lock, database, hooks, write-back). The renaming rules are quarkctl/config/autosave/rename.py (the
config reads its magic regexes), the options quarkctl/job_options.py."""

from quarkctl.job_options import AutosaveOptions

from .run import run_autosave, utcnow
from .task import Ledger, task_key

__all__ = ["AutosaveOptions", "Ledger", "run_autosave", "task_key", "utcnow"]
