"""check-links, the job: `run.py` walks the table and marks the dead (one thread owns the database, workers
only talk HTTP), `marking.py` what a verdict means for the table, `job.py` the whole job around the run
(the run frame, the account check), `options.py` its options (light, for the command line). One link's
check is the drive's, behind quarkctl/providers/."""
