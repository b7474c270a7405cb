"""Settings for every test directory (core, plugins, integration).

- Each test run keeps the parsed-TOML cache in a directory of its own, removed at the end: tests
  never read or write the user's cache (``TRACKLINGO_CACHE_DIR``; the commands the tests run in
  subprocesses inherit it, so they exercise the cache too).
- Hypothesis examples are never timed: a property test asserts what the code does, not how fast a
  loaded machine runs it, so a busy CI runner is not a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import settings

_CACHE = tempfile.mkdtemp(prefix="tracklingo-test-cache-")
os.environ["TRACKLINGO_CACHE_DIR"] = _CACHE

settings.register_profile("tracklingo", deadline=None)
settings.load_profile("tracklingo")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)
