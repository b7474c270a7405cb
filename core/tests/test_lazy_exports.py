"""The lazily exported packages (`tracklingo._lazy`): every public name resolves, a function that
shares its name with a submodule stays the function, and an unknown name is an AttributeError."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

import tracklingo.advisor
import tracklingo.openworld


@pytest.mark.parametrize("package", [tracklingo.advisor, tracklingo.openworld], ids=lambda p: p.__name__)
def test_every_public_name_resolves_and_is_listed(package: ModuleType) -> None:
    names = list(package.__all__)
    assert names
    for name in names:
        assert getattr(package, name) is not None, name
    assert set(names) <= set(dir(package))
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018


@pytest.mark.parametrize("name", ["advise", "explain", "judge", "language"])
def test_an_advisor_function_stays_the_function_once_its_submodule_is_imported(name: str) -> None:
    module = importlib.import_module(f"tracklingo.advisor.{name}")  # binds the submodule on the package
    value = getattr(tracklingo.advisor, name)
    assert callable(value) and value is getattr(module, name)
    assert value is not module
