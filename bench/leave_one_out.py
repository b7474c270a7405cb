"""Leave-one-out over the installed vocabularies, and the held-out real texts, for the open world.

    python bench/leave_one_out.py                 # leave each phrase rule out in turn
    python bench/leave_one_out.py --by source     # leave every rule citing one source out at once
    python bench/leave_one_out.py --unseen core/tests/data/unseen_texts.jsonl --batch 2 --batch 3
    python bench/leave_one_out.py --curve         # precision / answered share per threshold
    python bench/leave_one_out.py --by both --calibrate --cv 5
                                                  # fit infer.CALIBRATION on both leave-one-out
                                                  # runs pooled; 5-fold cross-validated curve
    python bench/leave_one_out.py --confusion     # wrong answers by (expected, answered) stage
    python bench/leave_one_out.py --speed         # µs per distinct unseen text, and per repeat

The held-out file's batches: 1 and 2 tuned on earlier, 4 tuned on in the second round, 3 held out
(collected from sources no vocabulary cites, measured before and after the second round only).

Every run asks the layers once at threshold 0 and applies the threshold afterwards, so the table
(at `--threshold`, default the resolver's) and the curve come from the same answers.

Targets (issue 15): precision >= 90 % on what the layers answer, >= 75 % of removed phrases
answered; on held-out real texts >= 95 % right, unknown <= 3 %, wrong <= 7 %.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from typing import Any

from tracklingo.openworld import infer
from tracklingo.openworld.measure import (
    Outcome,
    Tally,
    at_threshold,
    confusion,
    cross_validated,
    curve,
    evaluate_texts,
    fit_calibration,
    leave_one_out,
    load_labelled,
    tally,
)
from tracklingo.openworld.resolver import DEFAULT_THRESHOLD, OpenWorld, installed_vocabularies
from tracklingo.plugins import load_carriers

HEADER = (
    "| group | n | answered | precision | abstained | wrong | still known | layer right/answered |\n"
    "|---|---|---|---|---|---|---|---|"
)
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def _table(tallies: dict[str, Tally]) -> str:
    names = [*sorted(k for k in tallies if k != "overall"), "overall"]
    return "\n".join([HEADER, *(tallies[n].row(n) for n in names if n in tallies)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--by",
        choices=["rule", "source", "both"],
        default="rule",
        help="leave out each rule, each source, or both runs pooled (what --calibrate fits on)",
    )
    ap.add_argument("--cv", type=int, default=0, help="with --calibrate: K-fold cross-validated curve")
    ap.add_argument("--unseen", help="JSONL of labelled real texts (text, expected, carrier, source)")
    ap.add_argument("--batch", type=int, action="append", help="only these batches of --unseen")
    ap.add_argument("--no-infer", action="store_true", help="table layers only (no inference)")
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="inference threshold")
    ap.add_argument("--curve", action="store_true", help="answered share and precision per threshold")
    ap.add_argument("--calibrate", action="store_true", help="fit the confidence calibration")
    ap.add_argument("--speed", action="store_true", help="time distinct and repeated unseen texts")
    ap.add_argument("--wrong", action="store_true", help="list the wrong answers")
    ap.add_argument("--confusion", action="store_true", help="wrong answers by expected and answered stage")
    args = ap.parse_args(argv)
    registry = load_carriers()
    vocabs = installed_vocabularies(registry)
    if args.speed:
        return _speed(vocabs, args.unseen or "core/tests/data/unseen_texts.jsonl", args.batch)
    still: dict[str, int] = {}
    if args.unseen:
        world = OpenWorld(vocabs, threshold=0.0)
        own = {c.name: c.vocabulary for c in registry}
        rows = [r for r in load_labelled(args.unseen) if not args.batch or r.get("batch") in args.batch]
        _, outcomes = evaluate_texts(rows, own, world, infer=not args.no_infer)
        print(f"held-out real texts: {args.unseen} batches {args.batch or 'all'}")
    else:
        t0 = time.perf_counter()
        outcomes = []
        for by in ("rule", "source") if args.by == "both" else (args.by,):
            raw, part = leave_one_out(vocabs, by=by, threshold=0.0)
            outcomes += part
            for k, t in raw.items():
                still[k] = still.get(k, 0) + t.still_known
        print(f"leave-one-out by {args.by}: {time.perf_counter() - t0:.1f} s")
    if args.calibrate:
        if args.cv:
            print(f"\n{args.cv}-fold cross-validated (each fold's confidence from a fit on the others):")
            print("\n| threshold | answered | precision | right of all |\n|---|---|---|---|")
            for th, share, precision in curve(cross_validated(outcomes, args.cv), THRESHOLDS):
                right = 100 * share * precision
                print(f"| {th:.2f} | {100 * share:.1f} % | {100 * precision:.1f} % | {right:.1f} % |")
            print()
        coefficients = fit_calibration(outcomes)
        print(f"CALIBRATION = {coefficients}")
        infer.CALIBRATION = coefficients
        outcomes = [_recalibrated(o) for o in outcomes]
    shown = at_threshold(outcomes, args.threshold)
    tallies = tally(shown)
    for name, n in still.items():
        tallies.setdefault(name, Tally()).still_known = n
    print(f"threshold {args.threshold}")
    print(_table(tallies))
    overall = tallies["overall"]
    n = max(overall.n, 1)
    print(
        f"\noverall: answered {100 * overall.answered_share:.1f} %, "
        f"precision {100 * overall.precision:.1f} %, unknown {100 * overall.abstained / n:.1f} %, "
        f"wrong {100 * overall.wrong / n:.1f} %, right {100 * overall.correct / n:.1f} % of all"
    )
    if args.curve or args.calibrate:
        print("\n| threshold | answered | precision | right of all |\n|---|---|---|---|")
        for th, share, precision in curve(outcomes, THRESHOLDS):
            right = 100 * share * precision
            print(f"| {th:.2f} | {100 * share:.1f} % | {100 * precision:.1f} % | {right:.1f} % |")
    if args.wrong:
        _wrong(shown)
    if args.confusion:
        _confusion(shown)
    return 0


def _recalibrated(o: Outcome) -> Outcome:
    if not o.signals or o.confidence is None:
        return o
    return Outcome(
        o.group,
        o.text,
        o.expected,
        o.stage,
        o.match,
        round(infer.calibrated(o.signals), 3),
        o.evidence,
        o.signals,
    )


def _wrong(outcomes: list[Outcome]) -> None:
    confusions = Counter({(a.value, b.value): n for (a, b), n in confusion(outcomes).items()})
    for o in outcomes:
        if o.answered and not o.correct:
            print(
                f"  WRONG [{o.group}] {o.text!r}: expected {o.expected.value}, got {o.stage.value} "
                f"({o.match.value} {o.confidence}) {o.evidence}"
            )
    for o in outcomes:
        if not o.answered:
            print(f"  UNKNOWN [{o.group}] {o.text!r}: expected {o.expected.value}")
    print("confusions:", confusions.most_common(12))


def _confusion(outcomes: list[Outcome]) -> None:
    """The wrong answers as a matrix: a row per expected stage, a column per answered stage
    (only stages with a wrong answer), then each expected stage's wrong share of its answers."""
    counts = confusion(outcomes)
    rows = sorted({a for a, _ in counts}, key=lambda s: s.rank)
    cols = sorted({b for _, b in counts}, key=lambda s: s.rank)
    print("\nwrong answers: expected (row) read as (column)")
    print("| expected | " + " | ".join(c.value for c in cols) + " | wrong / answered |")
    print("|---" * (len(cols) + 2) + "|")
    for r in rows:
        answered = [o for o in outcomes if o.answered and o.expected is r]
        wrong = sum(counts[(r, c)] for c in cols)
        cells = " | ".join(str(counts[(r, c)] or "") for c in cols)
        print(f"| {r.value} | {cells} | {wrong} / {len(answered)} |")


def _speed(vocabs: list[Any], path: str, batches: list[int] | None) -> int:
    rows = [r for r in load_labelled(path) if not batches or r.get("batch") in batches]
    texts = list(dict.fromkeys(r["text"] for r in rows))
    t0 = time.perf_counter()
    world = OpenWorld(vocabs)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in texts:
        world.resolve(t)
    distinct = (time.perf_counter() - t0) / len(texts)
    rounds = 50
    t0 = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            world.resolve(t)
    repeat = (time.perf_counter() - t0) / (rounds * len(texts))
    print(f"compile (lexicon, forms, cross index, classifier): {1000 * build:.0f} ms")
    print(f"distinct unseen texts: {len(texts)}, {1e6 * distinct:.0f} µs each (first sight)")
    print(f"repeated texts: {1e6 * repeat:.2f} µs each (cache hit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
