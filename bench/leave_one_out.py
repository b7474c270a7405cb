"""Leave-one-out over the installed vocabularies, and the held-out real texts, for the open world.

    python bench/leave_one_out.py                 # leave each phrase rule out in turn
    python bench/leave_one_out.py --by source     # leave every rule citing one source out at once
    python bench/leave_one_out.py --unseen core/tests/data/unseen_texts.jsonl
    python bench/leave_one_out.py --speed         # µs per distinct unseen text, and per repeat

Targets (issue 15): precision >= 90 % on what the layers answer, >= 75 % of removed phrases
answered; on held-out real texts >= 95 % right, unknown <= 3 %, wrong <= 7 %.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from tracklingo.openworld.measure import Tally, evaluate_texts, leave_one_out, load_labelled
from tracklingo.openworld.resolver import OpenWorld, installed_vocabularies
from tracklingo.plugins import load_carriers

HEADER = (
    "| group | n | answered | precision | abstained | wrong | still known | layer right/answered |\n"
    "|---|---|---|---|---|---|---|---|"
)


def _table(tallies: dict[str, Tally]) -> str:
    names = [*sorted(k for k in tallies if k != "overall"), "overall"]
    return "\n".join([HEADER, *(tallies[n].row(n) for n in names if n in tallies)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--by", choices=["rule", "source"], default="rule")
    ap.add_argument("--unseen", help="JSONL of labelled real texts (text, expected, carrier, source)")
    ap.add_argument("--no-infer", action="store_true", help="table layers only (no inference)")
    ap.add_argument("--speed", action="store_true", help="time distinct and repeated unseen texts")
    ap.add_argument("--wrong", action="store_true", help="list the wrong answers")
    args = ap.parse_args(argv)
    registry = load_carriers()
    vocabs = installed_vocabularies(registry)
    if args.speed:
        return _speed(vocabs, args.unseen or "core/tests/data/unseen_texts.jsonl")
    if args.unseen:
        world = OpenWorld(vocabs)
        own = {c.name: c.vocabulary for c in registry}
        tallies, outcomes = evaluate_texts(load_labelled(args.unseen), own, world, infer=not args.no_infer)
        print(f"held-out real texts: {args.unseen}")
    else:
        t0 = time.perf_counter()
        tallies, outcomes = leave_one_out(vocabs, by=args.by)
        print(f"leave-one-out by {args.by}: {time.perf_counter() - t0:.1f} s")
    print(_table(tallies))
    overall = tallies["overall"]
    n = max(overall.n, 1)
    print(
        f"\noverall: answered {100 * overall.answered_share:.1f} %, "
        f"precision {100 * overall.precision:.1f} %, unknown {100 * overall.abstained / n:.1f} %, "
        f"wrong {100 * overall.wrong / n:.1f} %, right {100 * overall.correct / n:.1f} % of all"
    )
    if args.wrong:
        confusions = Counter(
            (o.expected.value, o.stage.value) for o in outcomes if o.answered and not o.correct
        )
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
    return 0


def _speed(vocabs: list, path: str) -> int:
    rows = load_labelled(path)
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
