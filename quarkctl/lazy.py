"""A package's public names, each imported from its submodule on first use (PEP 562).

A package that re-exported everything eagerly made `import quarkctl.resources` load SQLAlchemy and
HTTP even for a command that needs one constant of it; with this, a name costs only its own module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, homes: Mapping[str, tuple[str, ...]]) -> tuple[list[str], Callable[[str], Any]]:
    """`__all__` and the module `__getattr__` of `package`, from {submodule: names it defines}."""
    module_of = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        vars(importlib.import_module(package))[name] = value  # later look-ups skip this function
        return value

    return sorted(module_of), __getattr__
