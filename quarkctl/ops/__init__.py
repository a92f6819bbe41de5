"""Operations around the jobs: `history.py` (the runs and verdicts kept), `doctor.py` (is this machine ready:
the set-up checks, with `doctor_runs.py` the checks of what has been running and `findings.py` what they
share and report), `demo.py` (both jobs against the simulator)."""
