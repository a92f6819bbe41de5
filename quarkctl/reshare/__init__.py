"""Self-healing links (issue 17): re-create a dead or expiring share from the owner's own files.

plan.py decides which rows qualify and what their new share would be; job.py runs the plan (pacing,
the run lock, crash recovery) for `resources reshare` and for `check-links --reshare`.
"""
