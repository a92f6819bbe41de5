"""A reply shape changed on purpose (scenario option `reshape`): drop or rename one key of one
endpoint's JSON answer, as Quark might without notice. `quarkctl probe` must then say DIFFERENT and
name the key (issue 14).

    "reshape": [{"endpoint": "token", "drop": "data.title"},
                {"endpoint": "detail", "rename": "data.list", "to": "data.items"}]
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Reshape:
    endpoint: str
    drop: str | None = None  # dotted path of the key to remove
    rename: str | None = None  # dotted path of the key to rename ...
    to: str | None = None  # ... to this last segment (or dotted path: its last segment counts)

    def __post_init__(self) -> None:
        if (self.drop is None) == (self.rename is None) or (self.rename is not None and not self.to):
            raise ValueError("a reshape needs `drop`, or `rename` with `to`")

    def apply(self, body: Any) -> Any:
        path = (self.drop or self.rename or "").split(".")
        parent = body
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or path[-1] not in parent:
            return body
        value = parent.pop(path[-1])
        if self.rename is not None:
            parent[(self.to or "").split(".")[-1]] = value
        return body


def reshaped(rules: list[Reshape] | tuple, endpoint: str, reply: Any) -> Any:
    """The simulator's Reply with the rules for `endpoint` applied to its JSON body (others as they are)."""
    mine = [r for r in rules if r.endpoint == endpoint]
    if not mine or not reply.body:
        return reply
    try:
        body = json.loads(reply.body)
    except ValueError:
        return reply
    for rule in mine:
        body = rule.apply(body)
    return replace(reply, body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


def parse(items: list | tuple | None) -> list[Reshape]:
    return [item if isinstance(item, Reshape) else Reshape(**item) for item in items or []]
