"""`Database`: quarkctl's one handle on its database, composed of one mixin per concern over the
shared engine (quarkctl.db.engine.Store)."""

from __future__ import annotations

from quarkctl.db.acquire import Acquire
from quarkctl.db.autosave import Autosave
from quarkctl.db.marking import Marking
from quarkctl.db.reshare import Reshare
from quarkctl.db.resources import Resources
from quarkctl.db.runs import History


class Database(Marking, History, Resources, Autosave, Reshare, Acquire):
    """check-links' candidates and marks (Marking), the runs and verdicts (History), `quarkctl resources`
    (Resources), autosave's ledger, scans and bans (Autosave), re-sharing (Reshare) and re-acquiring (Acquire)."""
