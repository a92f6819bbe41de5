"""The `http` fixture of the simulator tests: raw requests to the simulator on loopback.

A test module takes it with `from helpers.loopback_http import loopback_session  # noqa: F401`:
pytest finds the fixture in the module by its name, `http`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests


@pytest.fixture(name="http")
def loopback_session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.trust_env = False  # never send loopback traffic through an environment proxy
        yield s
