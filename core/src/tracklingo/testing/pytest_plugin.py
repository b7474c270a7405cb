"""Opt-in pytest plugin for the conformance kit: adds ``--regen-golden``.

Enable it with ``pytest -p tracklingo.testing.pytest_plugin`` (or ``addopts`` in your pytest
configuration, or ``pytest_plugins = ["tracklingo.testing.pytest_plugin"]`` in a root
conftest.py). Without it, ``TRACKLINGO_REGEN_GOLDEN=1`` does the same.
"""

from __future__ import annotations

import pytest

from tracklingo.testing.checks import regen_requested


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tracklingo", "tracklingo conformance kit")
    group.addoption(
        "--regen-golden",
        action="store_true",
        dest="tracklingo_regen_golden",
        default=False,
        help="Rewrite the golden files of the conformance kit from the current parser output"
        " (review the diff before committing).",
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.getoption("tracklingo_regen_golden", default=False) or regen_requested():
        return "tracklingo: regenerating golden files (review the diff before committing)"
    return None
