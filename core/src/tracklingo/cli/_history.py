"""The dwell-history options `advise` and `stuck` share (``--no-history``, ``--stuck-percentile``,
``--min-samples``) and the `History` they build (`tracklingo.history`, imported on use)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from tracklingo.history import History
    from tracklingo.plugins import Registry

F = TypeVar("F", bound=Callable[..., Any])


def history_options(func: F) -> F:
    """``--no-history``, ``--stuck-percentile`` and ``--min-samples``."""
    func = click.option(
        "--min-samples",
        type=click.IntRange(min=1),
        default=30,
        show_default=True,
        help="With a history: below this many parcels like it (carrier, stage, lane), the fixed"
        " threshold decides.",
    )(func)
    func = click.option(
        "--stuck-percentile",
        type=click.FloatRange(0, 100, min_open=True, max_open=True),
        default=90.0,
        show_default=True,
        help="With a history: stuck when slower than this percentile of parcels like it.",
    )(func)
    return click.option(
        "--no-history",
        is_flag=True,
        help="Judge by the fixed thresholds only, without the store's dwell history (and no"
        " delivery window).",
    )(func)


def load_history(
    db: str, registry: Registry, now: datetime, *, stuck_percentile: float, min_samples: int
) -> History:
    """The dwell history of the store at `db` as it stood at `now` (read-only)."""
    from tracklingo.history import History, HistorySettings, homes_of

    settings = HistorySettings(percentile=stuck_percentile / 100, min_samples=min_samples)
    return History.from_store(db, homes=homes_of(registry), as_of=now, settings=settings)


def history_head(history: History | None) -> dict[str, Any] | None:
    """What ``--json`` says about the history used: `None` without one."""
    if history is None:
        return None
    return {
        "db": history.table.db,
        "as_of": history.table.as_of.isoformat() if history.table.as_of else None,
        "transitions": history.table.transitions,
        "stuck_percentile": round(history.settings.percentile * 100, 6),
        "min_samples": history.settings.min_samples,
    }
