"""`quarkctl probe`: see what Quark really answers, compare it with what quarkctl expects, and record
a capture the simulator can replay (issue 14). Read-only calls only."""
