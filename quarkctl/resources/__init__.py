"""`quarkctl resources`: put links into cloud_resource, get them out, look at them, tidy them.

An import file is validated whole before anything is written: every bad line is reported with its
line number, and a single bad line means nothing is written. Parsing, validation and decisions live
here; SQL lives in db.py; HTTP (for `add --check`) in quark/.

The modules: model (filters, results, errors, the Store), values (one line against the columns),
formats (import and export files), operations (what each command does).
"""
