"""autosave, the job of the quark-auto-save script: `run.py` the run (accounts, sign-in, tasks, bans),
`task.py` one task's walk, save and rename (the reference's dir_check_and_save), `job.py` the whole job
around it (config, the run frame, hooks, write-back), `options.py` its options (light, for the command
line). The renaming rules are quarkctl/config/autosave/rename.py (the config reads its magic regexes)."""
