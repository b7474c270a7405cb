"""Lazy public names for a package (PEP 562): a name's module is imported on the name's first use.

The package root, `tracklingo.advisor` and `tracklingo.openworld` each keep a table of where their
public names live and call `export_lazily` once; type checkers see the same names through each
package's ``if TYPE_CHECKING:`` imports.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from importlib import import_module
from types import ModuleType
from typing import Any


class _Package(ModuleType):
    """A package module whose public functions share their name with a submodule (``tracklingo.
    normalize``, ``tracklingo.advisor.explain``): when the import system binds such a submodule
    on the package after importing it, the function of the same name is bound instead, as an
    eagerly imported package would have it."""

    _lazy_where: Mapping[str, str]

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and self._lazy_where.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


def export_lazily(package: str, where: Mapping[str, str]) -> None:
    """Give the module `package` a ``__getattr__`` and ``__dir__`` that import each name of
    `where` (name -> module) on first use and keep it on the package."""
    module = sys.modules[package]
    namespace = module.__dict__

    def __getattr__(name: str) -> Any:
        home = where.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    namespace["__getattr__"] = __getattr__
    namespace["__dir__"] = __dir__
    namespace["_lazy_where"] = where
    module.__class__ = _Package
