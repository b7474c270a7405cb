"""Checks that an adapter uses the core only through its adapter API (`tracklingo.adapter`), so
the core can change its insides without breaking it."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from tracklingo.carrier import Carrier
from tracklingo.testing.checks._report import fail
from tracklingo.testing.checks.samples import package_dir

__all__ = ["ALLOWED_MODULES", "check_adapter_imports", "core_imports"]

#: What adapter code may import from the core.
ALLOWED_MODULES: Final = frozenset({"tracklingo.adapter"})


def core_imports(source: str, filename: str = "<source>") -> Iterator[tuple[int, str]]:
    """(line, module) for every import of a ``tracklingo`` module (or of ``tracklingo`` itself) in
    Python `source`; relative imports and other packages are not listed."""
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "tracklingo" or alias.name.startswith("tracklingo."):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "tracklingo":
                for alias in node.names:  # "from tracklingo import adapter" is the API module too
                    yield node.lineno, f"tracklingo.{alias.name}" if alias.name == "adapter" else "tracklingo"
            elif node.module.startswith("tracklingo."):
                yield node.lineno, node.module


def _problems(files: Iterable[Path], root: Path, exempt: set[str]) -> list[str]:
    problems = []
    for path in sorted(files):
        if path.name in exempt:
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for line, module in core_imports(source, str(path)):
            if module not in ALLOWED_MODULES:
                problems.append(f"{path.relative_to(root)}:{line} imports {module}")
    return problems


def check_adapter_imports(carrier: Carrier, exempt: Iterable[str] = ()) -> None:
    """The adapter's package imports nothing from the core but `tracklingo.adapter` (files named
    in `exempt` are not checked)."""
    here = package_dir(carrier)
    if here is None:
        return
    problems = _problems(here.rglob("*.py"), here, set(exempt))
    if problems:
        raise fail(
            carrier.name,
            "the adapter imports the core's internals",
            problems,
            "import what an adapter needs from tracklingo.adapter (Carrier, Scan, Place, Reading,"
            " Shipment, the field accessors, the check-digit helpers, the HTTP client base): it is"
            " the API that stays stable; the core's other modules may change",
        )
