"""Compare one answer with the samples quarkctl expects for its endpoint (quark-replies.json).

Keys, nesting and JSON types count, values do not (samples hold placeholders). A list element is
compared with the sample element of its kind (a folder with a folder: `dir`, `file_type`). Among
several samples of the same code (a detail page with and without `share`), the closest one is the
expectation. The contract test (tests/unit/simulator/test_contract.py) uses this same shape_diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quarkctl.probe.samples import ANY_DRIVE, SAMPLE_KEYS

# The drive envelope's keys that samples shorten away (quark-replies.json `_meta`): allowed at the top.
ENVELOPE_EXTRAS = frozenset({"status", "code", "message", "timestamp", "req_id", "metadata"})
# Keys Quark added to an answer at some date, by the samples' endpoint key: an answer may show them or
# not, whichever sample it is compared with. A sample that lacks one does not make its presence a
# difference ("new key"), and the probe does not call its absence one ("key missing"); the contract's
# rule (cover=True) still holds the simulator to every key a sample shows.
# - share_token data.url_type: live token replies carry it since 2026 (quark-replies.json share_token[12],
#   [13], captured; quark-api.md 7); the older captures (share_token[0], 2025-06) lack it.
OPTIONAL_KEYS: dict[str, frozenset[str]] = {
    "share_token": frozenset({"$.data.url_type"}),
}
_ELEMENTS = 3  # list elements compared per list: enough to see a changed item shape


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: a bool is not a number
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "string")


# What makes two list items the same kind: a folder, a video, an image (obj_category, quark-api.md 3.3).
# A video's preview keys (video_width, ...) are not an image's: only files that have them show them.
KIND_KEYS = ("dir", "file_type", "obj_category")


def same_kind(sample: Any, actual: Any, keys: tuple[str, ...] = KIND_KEYS) -> bool:
    """List elements pair by kind (`keys`, where the sample shows them): a folder with a folder."""
    if json_type(sample) != json_type(actual):
        return False
    return not isinstance(sample, dict) or all(sample[k] == actual.get(k) for k in keys if k in sample)


def shape_diff(sample: Any, actual: Any, path: str = "$", extras: frozenset[str] = frozenset(), *, cover: bool = False,
               types_only: bool = False, optional: frozenset[str] = frozenset()) -> list[str]:  # fmt: skip
    """What differs between the sample's shape and the answer's, one phrase per difference.

    `extras`: keys the answer may add at this level (the envelope's, at the top). By default (the
    probe's rule) every list element the answer shows must fit a sample element of its kind (a real
    page may hold files only) and a sample's envelope key may be absent; an element of a kind no
    sample shows (an image where the samples show a video) has its own keys, so only the types of
    the keys both have count (`types_only`). `cover=True` (the contract test's rule for the
    simulator) also demands every kind of element and every key the sample shows. `optional`: the
    paths ("$.data.url_type") of keys an answer may have or not (OPTIONAL_KEYS): never a new key,
    and a missing one only under `cover`.
    """
    if sample is None:
        return []  # null in a sample: the source did not show the value's type
    kind, got = json_type(sample), json_type(actual)
    if kind != got:
        return [f"{path}: type changed ({kind} expected, {got} received)"]
    problems: list[str] = []
    if kind == "object":
        for key, value in sample.items():
            if key in actual:
                problems += shape_diff(value, actual[key], f"{path}.{key}", cover=cover, types_only=types_only,
                                       optional=optional)  # fmt: skip
            elif not types_only and (cover or (key not in extras and f"{path}.{key}" not in optional)):
                problems.append(f"{path}.{key}: key missing")
        if not types_only:
            problems += [f"{path}.{key}: new key" for key in actual
                         if key not in sample and key not in extras and f"{path}.{key}" not in optional]  # fmt: skip
    elif kind == "array" and cover:
        for i, element in enumerate(sample):
            diffs = [shape_diff(element, other, f"{path}[{i}]", cover=True, optional=optional)
                     for other in actual if same_kind(element, other)]  # fmt: skip
            problems += min(diffs, key=len) if diffs else [f"{path}[{i}]: no element of that kind received"]
    elif kind == "array" and sample:
        for i, element in enumerate(actual[:_ELEMENTS]):
            same = [s for s in sample if same_kind(s, element)]
            loose = types_only or not same
            near = same or [s for s in sample if same_kind(s, element, KIND_KEYS[:2])] or sample
            problems += min((shape_diff(s, element, f"{path}[{i}]", types_only=loose, optional=optional) for s in near),
                            key=len)  # fmt: skip
    return problems


@dataclass
class Comparison:
    expected: bool  # as expected
    differences: list[str] = field(default_factory=list)
    sample: str | None = None  # the case of the sample compared with
    note: str | None = None

    def as_dict(self) -> dict:
        return {"as_expected": self.expected, "differences": self.differences, "sample": self.sample, "note": self.note}


def _code(body: Any) -> Any:
    code = body.get("code") if isinstance(body, dict) else None
    if isinstance(code, str) and code.strip().lstrip("-").isdigit():
        return int(code)
    return code


def _has(body: Any, path: str) -> bool:
    """Whether `body` holds the key at `path` ("$.data.url_type")."""
    node = body
    for key in path.split(".")[1:]:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


# Keys a sample shows only because its request asked for them: (endpoint, query field, value) -> data key.
ASKED_FOR = {("detail", "_fetch_share", "1"): "share", ("detail", "fetch_share_full_path", "1"): "full_path"}


def _as_asked(endpoint: str, sample: Any, query: dict[str, str]) -> Any:
    """The sample without the keys this request did not ask for (detail's `share` needs _fetch_share=1)."""
    data = sample.get("data") if isinstance(sample, dict) else None
    if not isinstance(data, dict):
        return sample
    dropped = {key for (ep, field_, value), key in ASKED_FOR.items() if ep == endpoint and query.get(field_) != value}
    return {**sample, "data": {k: v for k, v in data.items() if k not in dropped}} if dropped & set(data) else sample


def compare(endpoint: str, http_status: int | None, body: Any, *, known_code: bool, expected: dict[str, list[dict]],
            snippet: str = "", content_type: str = "", query: dict[str, str] | None = None) -> Comparison:
    """`known_code`: classify() knows the answer's code (it is not `unknown_code`)."""
    if body is None:
        what = ", ".join(x for x in (f"HTTP {http_status}" if http_status else "", content_type) if x)
        return Comparison(False, [f"not JSON ({what}): {snippet}" if snippet else f"not JSON ({what})"])
    key = SAMPLE_KEYS.get(endpoint)
    samples = list(expected.get(key, [])) if key else []
    if endpoint != "account":
        samples += expected.get(ANY_DRIVE, [])
    if not samples:
        return Comparison(True, note=f"no samples for {endpoint}")
    code = _code(body)
    same_code = [s for s in samples if _code(s["body"]) == code or (code is None and _code(s["body"]) in (None, 0))]
    if not same_code:
        if not known_code:
            return Comparison(False, [f"unknown code {code!r} (no sample of {key} shows it)"])
        return Comparison(True, note=f"no sample of {key} shows code {code!r}; quarkctl knows it")
    extras = frozenset() if endpoint == "account" else ENVELOPE_EXTRAS
    optional = OPTIONAL_KEYS.get(key or "", frozenset())
    shapes = [(s, _as_asked(endpoint, s["body"], query or {})) for s in same_code]

    # The closest sample among those that show the same optional keys, where any does: a reply with
    # url_type is held to a 2026 capture (its type counts), one without it to an older capture.
    def distance(pair: tuple[dict, Any]) -> tuple[int, int]:
        presence = sum(_has(pair[1], path) != _has(body, path) for path in optional)
        return presence, len(shape_diff(pair[1], body, extras=extras, optional=optional))

    best, shape = min(shapes, key=distance)
    problems = shape_diff(shape, body, extras=extras, optional=optional)
    if not known_code:
        problems.insert(0, "no code" if code is None else f"unknown code {code!r}")  # a body without a code says so
    return Comparison(not problems, problems, sample=best["case"])
