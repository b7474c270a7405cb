"""Flat-feed throughput of two tracklingo installs, alternated in one run (the machine is noisy).

Usage: python bench/flat_compare.py PYTHON_A PYTHON_B [--events N] [--rounds R] [--instructions]
       [--instruction-events M] [--instruction-skip S]

Each PYTHON is the interpreter of a checkout's virtualenv (``.venv/bin/python``). Two feeds are
written once (`feedgen`, with this checkout's vocabularies) and read by both sides, so both see
the same records:
- ``unique``: every record its own parcel at a place of its own (the memo's cold case);
- ``repeat``: parcels of 3-8 scans at 3,000 places, hubs taking many scans (real feeds' shape).

Every round runs each side once per feed, in alternating order, each in its own process pinned
to one core where ``taskset`` exists; the best of the rounds is printed as events/s.
``--instructions`` also counts CPU instructions per event with valgrind's callgrind: the feed's
first S+M records minus its first S (``--instruction-skip`` S, ``--instruction-events`` M), so
start-up, imports and the one-time builds of the first S records (the memos filling, the
open-world classifier compiled at the first unknown text) cancel out and the figure is the
steady state; ``PYTHONHASHSEED=0``, since string hashing otherwise moves the count by about half a
percent between runs; after one run without valgrind, so that what a checkout's first run writes to
the on-disk cache (`tracklingo.tomlcache`, shared by every checkout and pruned) is there for both
counts. ``--instruction-skip 0`` counts from the first record (start-up excluded,
one-time builds included).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).parent / "out"


def _loop(path: Path, n: int) -> None:
    """Normalize the first `n` records of `path` (the child side: public API calls only)."""
    from tracklingo import Normalizer, load_carriers, read_records
    from tracklingo.model import event_to_json

    normalizer = Normalizer(load_carriers())
    with open(os.devnull, "wb") as dst:
        for i, record in enumerate(read_records(path)):
            if i >= n:
                break
            events, _ = normalizer.process(record)
            for event in events:
                dst.write(event_to_json(event) + b"\n")


def _timed(python: str, path: Path, n: int) -> float:
    """Seconds for `n` records, measured inside the child (imports excluded)."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); import flat_compare as f; "
        "from tracklingo import load_carriers; load_carriers(); t = time.perf_counter(); "
        "f._loop(__import__('pathlib').Path(sys.argv[2]), int(sys.argv[3])); "
        "print(time.perf_counter() - t)"
    )
    cmd = [python, "-c", code, str(Path(__file__).parent), str(path), str(n)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    return float(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def _instructions(python: str, path: Path, n: int, skip: int = 0) -> float:
    seeded = {**os.environ, "PYTHONHASHSEED": "0"}
    # one run without valgrind first: what the first run of a checkout writes to the on-disk cache
    # (`tracklingo.tomlcache`: checked patterns, the open-world analyses) is read by both counts
    subprocess.run([python, __file__, "--loop", str(path), str(skip + n)], check=True, env=seeded)

    def count(k: int) -> int:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                python,
                __file__,
                "--loop",
                str(path),
                str(k),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=seeded,
        ).stderr
        return int(next(line for line in out.splitlines() if "Collected" in line).split()[-1])

    return (count(skip + n) - count(skip)) / n


def main() -> None:
    if sys.argv[1:2] == ["--loop"]:
        _loop(Path(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("pythons", nargs=2)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--instruction-events", type=int, default=20_000)
    parser.add_argument("--instruction-skip", type=int, default=5_000)
    args = parser.parse_args()
    if args.instructions and args.instruction_skip + args.instruction_events > args.events:
        parser.error("--instruction-skip + --instruction-events must not exceed --events")
    sys.path.insert(0, str(Path(__file__).parent))
    from feedgen import write_feed

    from tracklingo import load_carriers

    OUT.mkdir(exist_ok=True)
    registry = load_carriers()
    feeds = {
        "unique": write_feed(registry, args.events, OUT / f"flat-unique-{args.events}.jsonl"),
        "repeat": write_feed(registry, args.events, OUT / f"flat-repeat-{args.events}.jsonl", places=3000),
    }
    sides = dict(zip("AB", args.pythons, strict=True))
    for label, python in sides.items():
        print(f"{label}: {python}")
    best: dict[tuple[str, str], float] = {}
    for r in range(args.rounds):
        for name, path in feeds.items():
            order = list(sides) if r % 2 == 0 else list(sides)[::-1]
            for label in order:
                took = _timed(sides[label], path, args.events)
                best[label, name] = min(best.get((label, name), took), took)
    for name in feeds if args.rounds else ():
        a, b = best["A", name], best["B", name]
        print(
            f"{name:>7}: A {args.events / a:>9,.0f} events/s   B {args.events / b:>9,.0f} events/s"
            f"   B/A {a / b:5.3f}x  (best of {args.rounds}, alternating)"
        )
    if args.instructions and shutil.which("valgrind"):
        n, skip = args.instruction_events, args.instruction_skip
        for name, path in feeds.items():
            counts = {label: _instructions(python, path, n, skip) for label, python in sides.items()}
            print(
                f"{name:>7}: A {counts['A']:>9,.0f}   B {counts['B']:>9,.0f} instructions/event"
                f"   B/A {counts['B'] / counts['A']:5.3f}  (callgrind, records {skip:,}..{skip + n:,})"
            )


if __name__ == "__main__":
    main()
