"""`quarkctl resources`: put links into cloud_resource, get them out, look at them, tidy them.

An import file is validated whole before anything is written: every bad line is reported with its
line number, and a single bad line means nothing is written. Parsing, validation and decisions live
here; SQL lives in db.py; HTTP (for `add --check`) in quark/.

The modules: model (filters, results, errors, the Store), values (one line against the columns),
formats (import and export files), operations (what each command does).
"""

from .formats import (
    EXPORT_FORMATS, IMPORT_FORMATS, decode, detect_format, machine_value, parse_import, parse_text_line, write_export,
)
from .model import (
    ON_EXISTING, QUARK, SORTS, STATUSES, AddResult, DeadLink, ImportResult, InvalidInput, LineProblem, LinkNotChecked,
    NotFound, Record, ResourceFilter, Store, opened, utcnow,
)
from .operations import (
    add_resource, check_link, export_resources, find, import_text, list_resources, refuse_unless_alive, remove,
    set_status, show_resource,
)
from .values import COLUMNS, IGNORED, KEY, LAST_CHECK, validate

__all__ = [
    "COLUMNS", "EXPORT_FORMATS", "IGNORED", "IMPORT_FORMATS", "KEY", "LAST_CHECK", "ON_EXISTING", "QUARK", "SORTS",
    "STATUSES", "AddResult", "DeadLink", "ImportResult", "InvalidInput", "LineProblem", "LinkNotChecked", "NotFound",
    "Record", "ResourceFilter", "Store", "add_resource", "check_link", "decode", "detect_format", "export_resources",
    "find", "import_text", "list_resources", "machine_value", "opened", "parse_import", "parse_text_line",
    "refuse_unless_alive", "remove", "set_status", "show_resource", "utcnow", "validate", "write_export",
]
