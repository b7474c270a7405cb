"""Feed speed with and without the open-world layers, both sides alternated in one run.

    python bench/openworld_speed.py [--events N] [--rounds R] [--instructions]

A varied flat feed from `feedgen` (every installed carrier's phrases and codes, texts with places,
and about 1 % texts no vocabulary knows) goes through `Normalizer.process` R times per side,
alternating: "tables" (the carriers' own rules only: the open-world layers switched off in every
mapper, as before they joined) and "open world" (the layers on, as shipped). Each round starts
from a cold event-builder memo; the open world itself is compiled before the first timed round
(its one-off cost is printed apart), since a process pays it once. The figure per side is the
median events/s; the machine is shared, so only the ratio means much. `--instructions` counts
CPU instructions per event instead (valgrind's callgrind: N events minus 0 events of the same
feed per side, each side in its own process, the open world compiled before the loop in both
counts, so start-up and the one-off compile cancel out).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from feedgen import write_feed

from tracklingo import Normalizer, load_carriers, read_records
from tracklingo.events import clear_memo, mapper_for
from tracklingo.openworld.layer import INFERENCE, OPEN_WORLD, join
from tracklingo.openworld.resolver import shared_world

OUT = Path(__file__).parent / "out"


def _layers(registry: object, on: bool) -> None:
    for carrier in registry:  # type: ignore[attr-defined]
        mapper = mapper_for(carrier)
        join(mapper)
        for name in (OPEN_WORLD, INFERENCE):
            if (name not in mapper.off) != on:
                mapper.switch(name, on)


def _round(registry: object, records: Sequence[object], on: bool) -> tuple[float, int, int]:
    _layers(registry, on)
    for carrier in registry:  # type: ignore[attr-defined]
        clear_memo(carrier)
    normalizer = Normalizer(registry)  # type: ignore[arg-type]
    start = time.perf_counter()
    for record in records:
        normalizer.process(record)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    stats = normalizer.stats
    return stats.events_out / elapsed, stats.unmapped, stats.inferred


def _loop(path: Path, n: int, on: bool) -> None:
    """Normalize the first `n` records of `path`, layers `on` or off (for callgrind)."""
    registry = load_carriers()
    _layers(registry, on)
    if on:
        shared_world()  # the one-off compile, outside what the difference counts
    normalizer = Normalizer(registry)
    for i, record in enumerate(read_records(path)):
        if i >= n:
            break
        normalizer.process(record)


def _instructions(path: Path, n: int, on: bool) -> float:
    def count(k: int) -> int:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                sys.executable,
                __file__,
                "--loop",
                str(path),
                str(k),
                "on" if on else "off",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        return int(next(line for line in out.splitlines() if "Collected" in line).split()[-1])

    return (count(n) - count(0)) / n


def main() -> None:
    if sys.argv[1:2] == ["--loop"]:
        _loop(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "on")
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--instructions", action="store_true", help="CPU instructions per event (callgrind)")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    registry = load_carriers()
    feed = write_feed(registry, args.events, OUT / f"feed-{args.events}.jsonl")
    if args.instructions:
        off, on = _instructions(feed, args.events, False), _instructions(feed, args.events, True)
        print(f"feed: {args.events:,} flat events; CPU instructions per event (callgrind)")
        print(f"  tables only   {off:>10,.0f}")
        print(f"  open world    {on:>10,.0f}")
        print(f"  ratio         {on / off:.3f}")
        return
    records = list(read_records(feed))
    t0 = time.perf_counter()
    world = shared_world()
    compile_s = time.perf_counter() - t0
    rates: dict[bool, list[float]] = {False: [], True: []}
    counts: dict[bool, tuple[int, int]] = {}
    for _ in range(args.rounds):
        for on in (False, True):
            rate, unmapped, inferred = _round(registry, records, on)
            rates[on].append(rate)
            counts[on] = (unmapped, inferred)
    off, on = statistics.median(rates[False]), statistics.median(rates[True])
    print(f"feed: {args.events:,} flat events, {args.rounds} rounds per side, alternated")
    print(f"open world compiled once: {1000 * compile_s:.0f} ms; distinct texts asked: {world.cache_size()}")
    print(f"  tables only   {off:>10,.0f} events/s   unmapped {counts[False][0]:,}")
    unmapped, inferred = counts[True]
    print(f"  open world    {on:>10,.0f} events/s   unmapped {unmapped:,}, inferred {inferred:,}")
    print(f"  ratio         {on / off:.3f}")


if __name__ == "__main__":
    main()
