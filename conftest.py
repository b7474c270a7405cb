"""Every test run (core, plugins, integration) keeps the parsed-TOML cache in a directory of its own,
removed at the end: tests never read or write the user's cache (``TRACKLINGO_CACHE_DIR``; the
commands the tests run in subprocesses inherit it, so they exercise the cache too)."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_CACHE = tempfile.mkdtemp(prefix="tracklingo-test-cache-")
os.environ["TRACKLINGO_CACHE_DIR"] = _CACHE


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)
