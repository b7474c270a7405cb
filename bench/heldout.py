"""The held-out real texts, every set: right, wrong and unknown per set and overall.

    python bench/heldout.py            # one line per core/tests/data/unseen_texts*.jsonl, then ALL
    python bench/heldout.py --wrong    # also each text answered wrong (BAD) or not at all (UNK)

Each set holds real carrier texts collected from public sources and labelled by meaning before
the vocabulary round that came with it (docs/sources.md names every set's sources). The texts go
through the installed carriers' vocabularies and the open-world layers, exactly as `explain` reads
them; the issue's targets on such sets are >= 95 % / >= 85 % right, unknown <= 3 %, wrong <= 7 %.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tracklingo.openworld import OpenWorld, installed_vocabularies
from tracklingo.openworld.measure import evaluate_texts, load_labelled
from tracklingo.plugins import load_carriers

DATA = Path(__file__).resolve().parent.parent / "core" / "tests" / "data"


def _line(name: str, n: int, right: int, wrong: int, unknown: int) -> str:
    return (
        f"{name:32s} n={n:4d} right {100 * right / n:5.1f} wrong {100 * wrong / n:5.1f}"
        f" unknown {100 * unknown / n:5.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--wrong", action="store_true", help="list the texts not answered right")
    args = parser.parse_args()
    registry = load_carriers()
    own = {c.name: c.vocabulary for c in registry}
    world = OpenWorld(installed_vocabularies(registry))
    totals = [0, 0, 0, 0]
    for path in sorted(DATA.glob("unseen_texts*.jsonl")):
        _, outcomes = evaluate_texts(load_labelled(path), own, world)
        n = len(outcomes)
        right = sum(o.correct for o in outcomes)
        unknown = sum(not o.answered for o in outcomes)
        wrong = n - right - unknown
        for i, value in enumerate((n, right, wrong, unknown)):
            totals[i] += value
        print(_line(path.stem, n, right, wrong, unknown))
        if args.wrong:
            for o in outcomes:
                if not o.correct:
                    kind = "UNK" if not o.answered else "BAD"
                    said = f"{o.stage.value:24s} {o.match.value:12s}"
                    print(f"    {kind} {o.expected.value:>24s} <- {said} {o.text[:90]!r}")
    print(_line("ALL", *totals))


if __name__ == "__main__":
    main()
