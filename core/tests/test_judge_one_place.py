"""The stuck verdict is decided in one place (issue 14): `tracklingo.advisor.judge.is_stuck`, for
the fixed threshold and the dwell history alike. The history package gives figures only
(`History.figures`); `stage_verdict` (and `History.judge`, its delegate) decides with `is_stuck`."""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from test_history import HUNDRED, _history, _stats

from tracklingo import Registry
from tracklingo.advisor import is_stuck, judge, stage_verdict
from tracklingo.history import DwellFigures, History, Position, Prior
from tracklingo.journeys import Journey, Leg
from tracklingo.model import TrackingEvent
from tracklingo.taxonomy import STAGE_STATUS, MatchKind, Stage

ROOT = Path(__file__).resolve().parents[2]
SINCE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
WHERE = Position("acme", Stage.IN_TRANSIT, "domestic", SINCE)


def _in_transit() -> Journey:
    """One ACME parcel in transit since `SINCE`, within the US (fixed threshold: 120 calendar hours)."""
    event = TrackingEvent(
        carrier="acme",
        tracking_number="ACME42",
        occurred_at=SINCE,
        stage=Stage.IN_TRANSIT,
        status=STAGE_STATUS[Stage.IN_TRANSIT],
        description="Departed facility",
        match=MatchKind.CODE,
    )
    return Journey(
        legs=[Leg(carrier="acme", tracking_number="ACME42")],
        events=[event],
        origin_country="US",
        destination_country="US",
    )


def _full() -> History:
    """A history of 100 transitions (1..100 hours: p90 = 90 hours) for `WHERE`."""
    return _history(_stats("acme", Stage.IN_TRANSIT, "domestic", HUNDRED))


def _thin() -> History:
    """Too few transitions for `WHERE`: the prior decides."""
    return _history(_stats("acme", Stage.IN_TRANSIT, "domestic", HUNDRED[:12]))


# -- the one function's boundary ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "limit", "stuck"),
    [(24.0, 24.0, False), (23.99, 24.0, False), (24.01, 24.0, True), (0.0, 0.0, False), (0.5, 0.0, True)],
)
def test_is_stuck_only_beyond_the_limit(elapsed: float, limit: float, stuck: bool) -> None:
    assert is_stuck(elapsed, limit) is stuck


def test_exactly_at_the_limit_is_not_stuck_on_every_basis(acme_registry: Registry) -> None:
    journey = _in_transit()
    found = judge(journey, acme_registry, SINCE + timedelta(hours=1))
    assert found.threshold is not None and not found.threshold.business_days
    limit = found.threshold.hours
    at = judge(journey, acme_registry, SINCE + timedelta(hours=limit))
    after = judge(journey, acme_registry, SINCE + timedelta(hours=limit, minutes=1))
    assert (at.dwell_hours, at.verdict, after.verdict) == (limit, "on_track", "stuck")

    full = _full()  # the history's limit: its p90, 90 hours
    on_limit = full.judge(WHERE, SINCE + timedelta(hours=90))
    assert (on_limit.basis, on_limit.limit_hours, on_limit.elapsed_hours) == ("history", 90.0, 90.0)
    assert on_limit.stuck is False
    assert full.judge(WHERE, SINCE + timedelta(hours=90, minutes=1)).stuck is True

    thin = _thin()  # the prior's limit
    on_prior = thin.judge(WHERE, SINCE + timedelta(hours=48), prior=Prior(48))
    assert (on_prior.basis, on_prior.stuck) == ("threshold", False)
    assert thin.judge(WHERE, SINCE + timedelta(hours=48, minutes=1), prior=Prior(48)).stuck is True


# -- every path asks the one function ----------------------------------------------------------


def test_every_path_asks_is_stuck(monkeypatch: pytest.MonkeyPatch, acme_registry: Registry) -> None:
    """With `is_stuck` replaced by one that always says stuck, a parcel one hour into its stage is
    stuck on every basis: no path decides by a comparison of its own."""
    asked: list[tuple[float, float]] = []

    def always(elapsed_hours: float, limit_hours: float) -> bool:
        asked.append((elapsed_hours, limit_hours))
        return True

    # the module itself: `tracklingo.advisor.judge` as an attribute is the function (lazy exports)
    monkeypatch.setattr(importlib.import_module("tracklingo.advisor.judge"), "is_stuck", always)
    now = SINCE + timedelta(hours=1)
    journey = _in_transit()

    plain = judge(journey, acme_registry, now)
    assert plain.verdict == "stuck" and asked == [(1.0, 120.0)]

    by_history = _full().judge(WHERE, now)
    assert (by_history.basis, by_history.stuck) == ("history", True)
    assert asked[-1] == (1.0, 90.0)

    by_prior = _thin().judge(WHERE, now, prior=Prior(48))
    assert (by_prior.basis, by_prior.stuck) == ("threshold", True)
    assert asked[-1] == (1.0, 48.0)

    learned = judge(journey, acme_registry, now, history=_full())
    assert learned.history is not None and learned.history.basis == "history"
    assert learned.verdict == "stuck"


def test_the_history_gives_figures_the_advisor_decides() -> None:
    figures = _full().figures(WHERE, SINCE + timedelta(hours=97.5))
    assert isinstance(figures, DwellFigures)
    assert not hasattr(figures, "stuck")
    assert (figures.basis, figures.limit_hours, figures.elapsed_hours) == ("history", 90.0, 97.5)
    said = stage_verdict(figures)
    assert said == _full().judge(WHERE, SINCE + timedelta(hours=97.5))
    assert said.stuck is True
    nothing = _thin().figures(WHERE, SINCE + timedelta(hours=200))
    assert (nothing.basis, nothing.limit_hours, stage_verdict(nothing).stuck) == ("none", None, None)


# -- no second comparison in the source --------------------------------------------------------

_ORDER = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)
_TIME_AT_STAGE = ("elaps", "dwell", "spent", "waited")
_LIMIT = ("limit", "threshold", "prior", "percentile", "quantile")


def _words(node: ast.AST) -> set[str]:
    """The names and attribute names in an expression, lower-cased."""
    out: set[str] = set()
    for part in ast.walk(node):
        if isinstance(part, ast.Name):
            out.add(part.id.lower())
        elif isinstance(part, ast.Attribute):
            out.add(part.attr.lower())
    return out


def _mentions(words: set[str], stems: tuple[str, ...]) -> bool:
    return any(stem in word for word in words for stem in stems)


def _stuck_comparisons(source: str) -> list[tuple[str, str]]:
    """Each ordering comparison of a time at a stage with a limit (``dwell > threshold.hours``,
    ``elapsed > limit``, ``limit < elapsed_hours``...): the function it is in, and its text."""
    found: list[tuple[str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for op, (left, right) in zip(node.ops, pairwise(sides), strict=True):
                a, b = _words(left), _words(right)
                crossed = (_mentions(a, _TIME_AT_STAGE) and _mentions(b, _LIMIT)) or (
                    _mentions(b, _TIME_AT_STAGE) and _mentions(a, _LIMIT)
                )
                if isinstance(op, _ORDER) and crossed:
                    found.append((function, ast.unparse(node)))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "<module>")
    return found


@pytest.mark.parametrize(
    "line",
    [
        "if dwell > threshold.hours: pass",
        "stuck = elapsed > limit",
        "x = StageVerdict(stuck=elapsed > prior.hours)",
        "ok = limit_hours >= elapsed_hours",
        "s = spent > dist.quantile(settings.percentile)",
    ],
)
def test_the_scan_finds_a_stuck_comparison(line: str) -> None:
    assert len(_stuck_comparisons(line)) == 1


@pytest.mark.parametrize(
    "line", ["kept = order_key(at) <= limit", "if len(text) > limit: pass", "done = elapsed > 0"]
)
def test_the_scan_leaves_other_comparisons_alone(line: str) -> None:
    assert _stuck_comparisons(line) == []


def test_only_is_stuck_compares_a_time_at_a_stage_with_a_limit() -> None:
    sources = [ROOT / "core" / "src" / "tracklingo", *sorted((ROOT / "plugins").glob("*/src"))]
    found = [
        (path.relative_to(ROOT).as_posix(), function, text)
        for source in sources
        for path in sorted(source.rglob("*.py"))
        for function, text in _stuck_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert found == [("core/src/tracklingo/advisor/judge.py", "is_stuck", "elapsed_hours > limit_hours")]
