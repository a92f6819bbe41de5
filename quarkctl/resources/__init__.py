"""`quarkctl resources`: put links into cloud_resource, get them out, look at them, tidy them.

An import file is validated whole before anything is written: every bad line is reported with its
line number, and a single bad line means nothing is written. Parsing, validation and decisions live
here; SQL lives in db.py; HTTP (for `add --check`) in quark/.

The modules: model (filters, results, errors, the Store), values (one line against the columns),
formats (import and export files), operations (what each command does).
"""

from quarkctl.lazy import exports

# Each name is imported from its module on first use: `resources.QUARK` must not load SQLAlchemy.
__all__, __getattr__ = exports(__name__, {
    "formats": ("EXPORT_FORMATS", "IMPORT_FORMATS", "decode", "detect_format", "machine_value", "parse_import",
                "parse_text_line", "write_export"),
    "model": ("ON_EXISTING", "QUARK", "SORTS", "STATUSES", "AddResult", "DeadLink", "ImportResult", "InvalidInput",
              "LineProblem", "LinkNotChecked", "NotFound", "Record", "ResourceFilter", "Store", "opened", "utcnow"),
    "operations": ("add_resource", "check_link", "export_resources", "find", "import_text", "list_resources",
                   "refuse_unless_alive", "remove", "set_status", "show_resource"),
    "values": ("COLUMNS", "IGNORED", "KEY", "LAST_CHECK", "validate"),
})
