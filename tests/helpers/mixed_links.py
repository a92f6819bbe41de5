"""cloud_resource rows whose links the simulator serves, alive and dead mixed (the database fault tests)."""

from __future__ import annotations

from conftest import ResourceDB, add_valid, pwd, share_url
from quarkctl.simulator import Share, Simulator


def seed_mixed(sim: Simulator, db: ResourceDB, n: int, *, dead_every: int) -> tuple[list[int], set[int]]:
    """`n` rows in `db` (its schema created first): every `dead_every`-th link dead (41012, so its mark
    is written at once), the others alive. Returns (the ids in order, the dead ones)."""
    db.create_schema()
    rows, dead = [], []
    for i in range(n):
        if i % dead_every == dead_every - 1:
            sim.add_share(Share(pwd_id=pwd(i, "d"), dead_code=41012))
            rows.append({"drama_name": f"dead {i}", "link": share_url(pwd(i, "d"))})
            dead.append(i)
        else:
            add_valid(sim, pwd(i))
            rows.append({"drama_name": f"ok {i}", "link": share_url(pwd(i))})
    ids = db.seed(rows)
    return ids, {ids[i] for i in dead}
