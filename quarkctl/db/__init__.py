"""The database layer: the only package that knows SQL and its dialects.

`cloud_resource` belongs to the user's existing system: quarkctl maps its seed shape, uses the columns
the user's table has (Store.resource_table) and never alters its schema. The jobs only ever write `is_expired` and `update_time`; rows are added, edited or removed
only by `quarkctl resources`, at the user's request. quarkctl's own state lives in `quarkctl_*` tables.

The modules: schema (the tables), records (rows and records passed in and out), engine (the
connection, its error mapping and retry), retry (which errors mean "lost", the retry until
DB_TIMEOUT), loss (a run whose database went away), and one module per concern composed into
`Database` (database): marking, runs, resources, autosave, reshare.
"""
