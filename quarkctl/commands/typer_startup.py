"""Two start-up costs of typer (0.29) that quarkctl's command line does not need, avoided, and one
word of its help pages left out.

- Every option value, even an unset one (None) or a default that already has its type, goes through a
  pydantic TypeAdapter: the first one imports pydantic (about 100 ms, as much as typer itself).
  `quick_coercion` answers those values as typer's coercion would, and leaves every other value
  (anything typed on the command line) to typer, so errors and conversions stay typer's own.
- The help renderer, typer.rich_utils, imports rich.markdown and rich.traceback (markdown-it,
  pygments: about 60 ms) for the markdown markup mode and pretty tracebacks; quarkctl uses neither.
  `light_help` lets typer.rich_utils load with stand-ins that import the real class on first use.
- typer 0.29 prints `<bool>` after every flag (--json, --help ...) in the help panels: a flag takes
  no value, and typer before 0.29 printed nothing there. `plain_flags` shows flags without it.
- typer's rich help cuts Chinese text with "…" (issue 23): `own_help` draws quarkctl's page
  (commands/helppage.py) instead, and typer's rich renderer above is left for the fallback.

All three check that typer still looks the way they expect and otherwise change nothing: a newer typer
is slower to start, never wrong. tests/e2e/test_startup.py holds each to typer's own answer.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import EnumMeta
from typing import Any

_PLAIN = (str, int, float)


def install() -> None:
    quick_coercion()
    light_help()
    plain_flags()
    own_help()


# -- coercion --------------------------------------------------------------------------------------


def quick_value(descriptor: Any, value: Any) -> tuple[bool, Any]:
    """(True, the value typer's coercion gives) when it needs no adapter, else (False, None).

    None never reaches this (typer's RuntimeParam.coerce answers it before any adapter). An Enum
    member of an Enum option is itself (typer's coerce_cli_choice); a str, int or float of exactly
    the option's type, within its min and max, is itself (pydantic's answer for a valid value)."""
    info, annotation = descriptor.parameter_info, descriptor.annotation
    if info.parser is not None or descriptor.file_annotation is not None or info.clamp:
        return False, None
    if isinstance(annotation, EnumMeta):  # an Enum class (not list[...] or another generic)
        return (True, value) if isinstance(value, annotation) else (False, None)
    if annotation in _PLAIN and type(value) is annotation:
        low, high = (None, None) if annotation is str else (info.min, info.max)
        if (low is not None and value < low) or (high is not None and value > high):
            return False, None  # typer's own error
        return True, value
    return False, None


def quick_coercion() -> None:
    try:
        from typer import _coercion, core, models

        base, build = _coercion.RuntimeParam, core.build_runtime_param
        expected = (callable(getattr(base, "coerce", None)) and callable(getattr(base, "_coerce_value", None))
                    and "file_annotation" in _coercion.TypeDescriptor.__dataclass_fields__
                    and {"parser", "min", "max", "clamp"} <= set(vars(models.OptionInfo())))
    except (ImportError, AttributeError):
        return
    if not expected or getattr(build, "quarkctl", False):
        return

    class Deferred(base):  # type: ignore[misc, valid-type]
        """typer's RuntimeParam whose adapter is built on the first value that needs it."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            known, result = quick_value(self._descriptor, value)
            if known:
                return result
            if self._real is None:
                object.__setattr__(self, "_real", build(self._descriptor))
            return self._real._coerce_value(value, param=param, ctx=ctx)

    def deferred(descriptor: Any) -> Any:
        param = Deferred(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
        object.__setattr__(param, "_descriptor", descriptor)
        object.__setattr__(param, "_real", None)
        return param

    deferred.quarkctl = True  # type: ignore[attr-defined]
    core.build_runtime_param = deferred


# -- help ------------------------------------------------------------------------------------------


def plain_flags() -> None:
    """A flag's type column empty, as `metavar=""` would leave it (typer's display_type_rich returns
    the metavar when there is one); every other option and argument keeps typer's own."""
    try:
        from typer.core import TyperOption

        shown = TyperOption.display_type_rich
    except (ImportError, AttributeError):
        return
    if getattr(shown, "quarkctl", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> Any:
        return "" if self.is_flag and not self.count and self.metavar is None else shown(self, ctx)

    display_type_rich.quarkctl = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def own_help() -> None:
    """quarkctl's help page (commands/helppage.py) in place of typer's rich one, which cuts Chinese
    text with "…" (issue 23). typer's own page stays the answer when the page cannot be drawn (a typer
    whose parameters look different raises AttributeError or TypeError in helppage)."""
    try:
        from typer.core import TyperCommand, TyperGroup

        originals = {cls: cls.format_help for cls in (TyperCommand, TyperGroup)}
    except (ImportError, AttributeError):
        return

    for cls, typers in originals.items():
        if getattr(typers, "quarkctl", False):
            continue

        def format_help(self: Any, ctx: Any, formatter: Any, typers: Any = typers) -> None:
            from quarkctl.commands import helppage  # a help page only: not loaded by every start

            try:
                text = helppage.page(ctx)
            except (AttributeError, TypeError):
                return typers(self, ctx, formatter)
            formatter.write(text)
            return None

        format_help.quarkctl = True  # type: ignore[attr-defined]
        cls.format_help = format_help  # type: ignore[method-assign]


_STAND_INS = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


class _Later(type):
    """A stand-in class: calling it or reading an attribute imports the real class and uses it."""

    def real(cls) -> Any:
        module_name = cls.__module__
        return getattr(importlib.import_module(module_name), cls.__name__)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.real()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls.real(), name)


@contextmanager
def _stand_ins() -> Iterator[None]:
    """While typer.rich_utils imports: rich.markdown and rich.traceback as modules of one stand-in each."""
    import types

    placed = []
    for module_name, class_name in _STAND_INS.items():
        if module_name in sys.modules:
            continue
        module = types.ModuleType(module_name)
        setattr(module, class_name, _Later(class_name, (), {"__module__": module_name}))
        sys.modules[module_name] = module
        placed.append(module_name)
    try:
        yield
    finally:
        for module_name in placed:  # a later `import rich.markdown` loads the real module
            del sys.modules[module_name]


class _HelpFinder:
    """Finds typer.rich_utils the usual way, and runs its import with the stand-ins in place."""

    @classmethod
    def find_spec(cls, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "typer.rich_utils":
            return None
        sys.meta_path.remove(cls)  # once: the usual finders take it from here
        from importlib.util import find_spec

        spec = find_spec(name)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        plain_exec = loader.exec_module

        def exec_module(module: Any) -> None:
            with _stand_ins():
                plain_exec(module)

        loader.exec_module = exec_module
        return spec


def light_help() -> None:
    if "typer.rich_utils" not in sys.modules and _HelpFinder not in sys.meta_path:
        sys.meta_path.insert(0, _HelpFinder)  # type: ignore[arg-type]
