"""quark-auto-save's `quark_config.json`, read and written back the way the reference does, but safely.

Matched against Cp0204/quark-auto-save `quark_auto_save.py` as stored at commit 1f39ae1c (header
"Modify: 2026-02-04", the file quark-api.md cites as CP): `Config.get_cookies`,
`Config.breaking_change_update` (`$TASKNAME` -> `{TASKNAME}`), `Config.write_json`
(`ensure_ascii=False, indent=2`, no trailing newline), the `is_time` check (enddate inclusive,
runweek Monday = 1, a missing runweek = every day, an empty one = never) and `TASKLIST`
(a JSON array in the environment that replaces the config's tasklist for the run; the reference
never writes those tasks back).

Departures, as the issue asks: every problem is reported with its location before any request;
a bad `TASKLIST` is an error (the reference prints a line and runs the config's tasks instead);
the write-back is atomic with a `.bak`, leaves the file alone when nothing changed, and when the
file was edited during the run it re-applies this run's changes to the edited file instead of
overwriting the user's edits.

The modules: model (AutosaveConfig, Task), loading (finding and reading, TASKLIST, --task), validation,
write (the write-back), template (the example written where none exists). Callers import its
modules: `from quarkctl.config.autosave.loading import load`.
"""
