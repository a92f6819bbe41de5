"""What the jobs (checker/, autosave/, reshare/) stand in: `frame.py`, the run frame (the database, the job's
lock, the tables, the close)."""
