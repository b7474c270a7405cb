"""The adapter's sample API responses (its ``tests/fixtures``)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracklingo.carrier import Carrier
from tracklingo.testing.checks._report import fail

__all__ = ["Sample", "default_fixtures_dir", "load_samples"]


@dataclass(frozen=True, slots=True)
class Sample:
    """One sample payload: a real (or realistic) API response from the adapter's fixtures."""

    name: str
    path: Path
    payload: Any


def load_samples(directory: str | Path, pattern: str = "*.json") -> list[Sample]:
    """Every JSON fixture in `directory` (sorted by name). Unreadable files fail the check."""
    root = Path(directory)
    samples = []
    problems = []
    for path in sorted(root.glob(pattern)):
        if not path.is_file():
            continue
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        samples.append(Sample(path.name, path, payload))
    if problems:
        raise fail(
            root.name,
            f"fixtures in {root} that are not valid JSON",
            problems,
            "a fixture is one API response saved as UTF-8 JSON; fix or remove the file",
        )
    return samples


def package_dir(carrier: Carrier) -> Path | None:
    """The folder of the module that defines the carrier's class."""
    module = sys.modules.get(type(carrier).__module__)
    file = getattr(module, "__file__", None)
    return Path(file).resolve().parent if file else None


def default_fixtures_dir(carrier: Carrier) -> Path | None:
    """Where an adapter keeps its fixtures when it is installed from a source tree (editable):
    the ``tests/fixtures`` directory of the first project root (a directory with a
    ``pyproject.toml``, ``setup.cfg`` or ``setup.py``) above the module that defines the carrier."""
    here = package_dir(carrier)
    if here is None:
        return None
    for parent in (here, *list(here.parents)[:3]):
        if any((parent / marker).is_file() for marker in ("pyproject.toml", "setup.cfg", "setup.py")):
            candidate = parent / "tests" / "fixtures"
            return candidate if candidate.is_dir() else None
    return None
