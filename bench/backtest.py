"""Backtest of the dwell history (`tracklingo.history`) on synthetic journeys with known truth.

A seeded store is built by `journeygen` through `Store.ingest`. The history is learned from the
store as it stood when the last of the first 80 % of journeys (by start time) began
(`read_dwell(as_of=...)`), and each of the last 20 % is observed at a few random moments of its
life (through `Store.journeys`, cut at the moment like the advisor does). At each moment:

- delivery window: for a journey that was delivered, whether the delivery fell inside the p10-p90
  window (target: 75-85 % of the windows given), and the error of the median estimate in hours;
- stuck: the advisor's verdict with the history (`judge(..., history=...)`: the percentile where
  a group has enough samples, the fixed thresholds of ``advice.toml`` while it is thin) against
  the generator's truth (the parcel sits at a stuck or lost stage past the dwell it would have
  had), as precision and recall; the advisor without history (``--no-history``) is scored the
  same way.

    python bench/backtest.py [--journeys 20000] [--seed N] [--percentile 0.9] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from journeygen import JourneyTruth, Texts, build_store

from tracklingo import Registry, Store, load_carriers
from tracklingo.advisor import AdviceBook, judge, load_advice
from tracklingo.history import History, HistorySettings
from tracklingo.journeys import Journey


@dataclass
class Score:
    """Stuck verdicts against the truth."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, said: bool, truth: bool) -> None:
        if said and truth:
            self.tp += 1
        elif said:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Report:
    """What one backtest measured (see the module docstring)."""

    journeys: int
    events: int
    train_journeys: int
    test_journeys: int
    as_of: str
    observations: int
    windows: int = 0
    delivered_observations: int = 0
    inside: int = 0
    errors_hours: list[float] = field(default_factory=list)
    history: Score = field(default_factory=Score)
    thresholds: Score = field(default_factory=Score)
    basis: Counter[str] = field(default_factory=Counter)
    build_seconds: float = 0.0
    learn_seconds: float = 0.0

    @property
    def coverage(self) -> float | None:
        """Share of the windows given that held the delivery."""
        return self.inside / self.windows if self.windows else None

    @property
    def median_error_hours(self) -> float | None:
        """Median |likely - delivered| over the windows given."""
        return statistics.median(self.errors_hours) if self.errors_hours else None

    def summary(self) -> dict[str, Any]:
        def pr(score: Score) -> dict[str, Any]:
            return {**asdict(score), "precision": _r(score.precision), "recall": _r(score.recall)}

        return {
            "journeys": self.journeys,
            "events": self.events,
            "train_journeys": self.train_journeys,
            "test_journeys": self.test_journeys,
            "learned_as_of": self.as_of,
            "observations": self.observations,
            "delivery_window": {
                "delivered_observations": self.delivered_observations,
                "windows": self.windows,
                "coverage": _r(self.coverage),
                "median_error_hours": _r(self.median_error_hours),
            },
            "stuck_history": pr(self.history),
            "stuck_thresholds_only": pr(self.thresholds),
            "basis": dict(self.basis),
            "build_seconds": round(self.build_seconds, 1),
            "learn_seconds": round(self.learn_seconds, 1),
        }


def _r(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


HOMES = {"usps": "US", "fedex": None, "dhl": None}


def _moments(rng: random.Random, truth: JourneyTruth, count: int) -> list[datetime]:
    start = truth.start
    end = truth.delivered_at or truth.stages[-1].entered + timedelta(days=14)
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))


def run(
    journeys: int = 20000,
    *,
    seed: int = 20261124,
    train_share: float = 0.8,
    observations: int = 3,
    settings: HistorySettings | None = None,
    db: Path | None = None,
    texts: Texts | None = None,
    registry: Registry | None = None,
) -> Report:
    """Build a store of `journeys` synthetic journeys, learn from the first `train_share` of
    them by start time, and score predictions on the rest (see the module docstring).
    `registry` is what the advisor judges with (default: the installed carriers)."""
    registry = registry if registry is not None else load_carriers()
    with tempfile.TemporaryDirectory() as tmp:
        path = db or Path(tmp) / "backtest.db"
        began = time.perf_counter()
        truths = build_store(path, journeys, seed=seed, texts=texts)
        built = time.perf_counter() - began
        truths.sort(key=lambda t: t.start)
        cut_index = int(len(truths) * train_share)
        as_of = truths[cut_index].start
        began = time.perf_counter()
        history = History.from_store(path, homes=HOMES, as_of=as_of, settings=settings)
        learned = time.perf_counter() - began
        tests = {t.number: t for t in truths[cut_index:]}
        with Store(path) as store:
            report = Report(
                journeys=len(truths),
                events=len(store),
                train_journeys=cut_index,
                test_journeys=len(tests),
                as_of=as_of.isoformat(),
                observations=0,
                build_seconds=built,
                learn_seconds=learned,
            )
            rng = random.Random(seed + 1)
            book = load_advice()
            for journey in store.journeys():
                truth = tests.get(journey.legs[0].tracking_number)
                if truth is not None:
                    moments = _moments(rng, truth, observations)
                    _observe(report, history, book, registry, journey, truth, moments)
    return report


def _observe(
    report: Report,
    history: History,
    book: AdviceBook,
    registry: Registry,
    journey: Journey,
    truth: JourneyTruth,
    moments: Iterable[datetime],
) -> None:
    for now in moments:
        learned = judge(journey, registry, now, book=book, history=history)
        if learned.current.stage.is_terminal:
            continue
        report.observations += 1
        plain = judge(journey, registry, now, book=book)
        report.basis[learned.history.basis if learned.history is not None else "none"] += 1
        stuck = truth.stuck_at(now)
        report.history.add(learned.stuck, stuck)
        report.thresholds.add(plain.stuck, stuck)
        if truth.delivered_at is None:
            continue
        report.delivered_observations += 1
        window = learned.window
        if window is None:
            continue
        report.windows += 1
        report.inside += window.earliest <= truth.delivered_at <= window.latest
        report.errors_hours.append(abs((window.likely - truth.delivered_at).total_seconds()) / 3600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--journeys", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--observations", type=int, default=3, help="moments per test journey")
    parser.add_argument("--percentile", type=float, default=0.9)
    parser.add_argument("--min-samples", type=int, default=30)
    parser.add_argument("--db", type=Path, help="keep the store here (must not exist)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.db is not None and args.db.exists():
        print(f"{args.db} exists; remove it first", file=sys.stderr)
        return 1
    settings = HistorySettings(percentile=args.percentile, min_samples=args.min_samples)
    report = run(
        args.journeys, seed=args.seed, observations=args.observations, settings=settings, db=args.db
    )
    summary = report.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    w, h, f = summary["delivery_window"], summary["stuck_history"], summary["stuck_thresholds_only"]
    print(f"{report.journeys:,} journeys ({report.events:,} events): learned from {report.train_journeys:,}"
          f" (events up to {report.as_of}), tested on {report.test_journeys:,}"
          f" at {report.observations:,} moments")
    print(f"delivery window p10-p90: {w['windows']:,} windows of {w['delivered_observations']:,} moments"
          f" of delivered journeys; coverage {w['coverage']};"
          f" median error of p50 {w['median_error_hours']} h")
    print(f"stuck, advisor with history (p{round(args.percentile * 100)}, min {args.min_samples}"
          f" samples, else thresholds): precision {h['precision']}, recall {h['recall']}"
          f" (tp {h['tp']}, fp {h['fp']}, fn {h['fn']}); basis {summary['basis']}")
    print(f"stuck, advisor without history (fixed thresholds): precision {f['precision']},"
          f" recall {f['recall']} (tp {f['tp']}, fp {f['fp']}, fn {f['fn']})")
    print(f"build {summary['build_seconds']} s, learn {summary['learn_seconds']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
