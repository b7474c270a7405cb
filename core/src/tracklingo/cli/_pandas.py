"""Keep pandas out of the command-line process.

pyarrow imports pandas whenever it is installed, the first time an Arrow function asks whether a
value is a pandas object (``pyarrow.compute`` with a Python scalar does): about 0.4 s of CPU on
every batch command, for a library the command line never uses. `block` makes ``import pandas``
fail with `ModuleNotFoundError` (a finder first on ``sys.meta_path``), so pyarrow takes its path for
an environment without pandas. Not ``sys.modules["pandas"] = None``: pyarrow's compiled code reads
``sys.modules`` directly and would take that None for the module. Only the ``tracklingo`` console
script (`tracklingo.cli.run`) calls `block`: a program using tracklingo as a library keeps pandas.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

__all__ = ["block"]


class _NoPandas:
    """A meta path finder that refuses pandas and its submodules."""

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (kept out of the tracklingo CLI)", name=name)
        return None


def block() -> None:
    """Make ``import pandas`` fail in this process from now on, unless pandas is imported already."""
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())
