"""The ``tracklingo`` command line (``main``). Exit codes: 0 ok, 1 user error, 2 usage error."""

from __future__ import annotations

from tracklingo.cli import adapters as _adapters  # noqa: F401
from tracklingo.cli import advice as _advice  # noqa: F401
from tracklingo.cli import carriers as _carriers  # noqa: F401  (registers commands)
from tracklingo.cli import dwell as _dwell  # noqa: F401
from tracklingo.cli import normalize as _normalize  # noqa: F401
from tracklingo.cli import store as _store  # noqa: F401
from tracklingo.cli import track as _track  # noqa: F401
from tracklingo.cli._common import handle_errors, main

__all__ = ["handle_errors", "main"]
