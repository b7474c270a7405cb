"""Plugins use the core only through `tracklingo.adapter`: every built-in plugin's source and the
scaffold's generated adapter import nothing else from tracklingo."""

from __future__ import annotations

from pathlib import Path

import pytest

import tracklingo.adapter
from tracklingo.scaffold import render_adapter
from tracklingo.testing.checks.imports import ALLOWED_MODULES, core_imports

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_SOURCES = sorted((ROOT / "plugins").glob("*/src/*/*.py"))


def test_there_are_plugin_sources_to_check() -> None:
    assert {p.parent.parent.parent.name for p in PLUGIN_SOURCES} >= {"usps", "dhl", "fedex"}


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plugin_sources_import_only_the_adapter_api(path: Path) -> None:
    bad = [
        (line, m)
        for line, m in core_imports(path.read_text(encoding="utf-8"), str(path))
        if m not in ALLOWED_MODULES
    ]
    assert bad == [], f"{path.relative_to(ROOT)} imports the core's internals: {bad}"


def test_the_scaffold_imports_only_the_adapter_api(tmp_path: Path) -> None:
    root = render_adapter("apicheck", tmp_path / "pkg").root
    sources = sorted((root / "src").rglob("*.py"))
    assert sources
    for path in sources:
        bad = [
            m
            for _, m in core_imports(path.read_text(encoding="utf-8"), str(path))
            if m not in ALLOWED_MODULES
        ]
        assert bad == [], f"generated {path.name} imports {bad}"


def test_everything_the_adapter_api_lists_exists() -> None:
    for name in tracklingo.adapter.__all__:
        assert getattr(tracklingo.adapter, name) is not None, name


def test_the_import_scanner_sees_every_form() -> None:
    source = (
        "import tracklingo\nimport tracklingo.http as h\nfrom tracklingo import adapter, Carrier\n"
        "from tracklingo.vocabulary import Vocabulary\nfrom . import sibling\nimport json\n"
    )
    assert list(core_imports(source)) == [
        (1, "tracklingo"),
        (2, "tracklingo.http"),
        (3, "tracklingo.adapter"),
        (3, "tracklingo"),
        (4, "tracklingo.vocabulary"),
    ]
