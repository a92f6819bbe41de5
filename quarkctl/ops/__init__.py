"""Operations around the jobs: `history.py` (the runs and verdicts kept), `doctor.py` (what is set up and
what answers), `demo.py` (both jobs against the simulator)."""
