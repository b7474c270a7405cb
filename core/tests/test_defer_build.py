"""Every pydantic model of the core defers building its validator (``defer_build=True``) until
its first use, so a command pays only for the models it validates (docs/cache.md); validation
itself is unchanged."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest
from pydantic import BaseModel, ValidationError

import tracklingo
from tracklingo.model import Location

# Modules that need an optional extra to import; their models are checked when it is installed.
_OPTIONAL = ("tracklingo.dask", "tracklingo.server", "tracklingo.batch")


def _core_models() -> list[type[BaseModel]]:
    for info in pkgutil.walk_packages(tracklingo.__path__, "tracklingo."):
        if {"tests", "__main__"} & set(info.name.split(".")):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:
            if not info.name.startswith(_OPTIONAL):
                raise
    seen: list[type[BaseModel]] = []
    todo = list(BaseModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("tracklingo.") and "tests" not in cls.__module__ and cls not in seen:
            seen.append(cls)
    return seen


def test_every_core_model_defers_building_its_validator() -> None:
    models = _core_models()
    assert len(models) >= 30  # the event, vocabulary, advisor, history and export models
    eager = [m for m in models if not m.model_config.get("defer_build")]
    assert sorted(f"{m.__module__}.{m.__qualname__}" for m in eager) == []


def test_a_deferred_model_still_validates() -> None:
    assert Location(country="DE").country == "DE"
    with pytest.raises(ValidationError):
        Location(country="Germany")
    with pytest.raises(ValidationError):
        Location.model_validate({"town": "Bonn"})


def test_importing_the_core_builds_no_validator() -> None:
    """Module-level models and type adapters (the event adapters, the empty location) are
    deferred too: importing the models, the places and the advisor builds no schema."""
    probe = (
        "import json\n"
        "from pydantic import BaseModel\n"
        "import tracklingo.advisor, tracklingo.places, tracklingo.vocabulary\n"
        "from tracklingo import model\n"
        "todo, built = list(BaseModel.__subclasses__()), []\n"
        "while todo:\n"
        "    cls = todo.pop()\n"
        "    todo.extend(cls.__subclasses__())\n"
        "    if cls.__module__.startswith('tracklingo') and cls.__pydantic_complete__:\n"
        "        built.append(cls.__name__)\n"
        "adapters = (model.EVENT_ADAPTER, model.EVENTS_ADAPTER, model._DATETIME)\n"
        "adapters = [a for a in adapters if a.pydantic_complete]\n"
        "print(json.dumps([built, len(adapters)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.splitlines()[-1]) == [[], 0]
