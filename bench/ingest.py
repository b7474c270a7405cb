"""`make bench`: `tracklingo ingest` on the batch path against the per-record ingest, side by side.

Usage: python bench/ingest.py [--events N] [--rounds R]

The feed is bench/feedgen.py's varied flat JSON Lines feed. Each round runs, pinned to one core and
interleaved (so a busy machine slows them alike):
  per-record fresh   tracklingo ingest feed.jsonl into a new store, pyarrow blocked (the fallback:
                     the per-record ingest as it was before the batch path)
  batch fresh        tracklingo ingest feed.jsonl into a new store (the batch path)
  per-record rerun   the same feed again into the per-record store (adds nothing)
  batch rerun        the same feed again into the batch store (adds nothing)
  sqlite floor       plain SQLite inserts of the same rows (read back from the store) into a new
                     store, 5,000 per transaction, in this process
Reported, by CPU time (user + system: what the machine's load changes least) and by wall time: the
best of R rounds in events/s, the spread between rounds (the machine's noise), and the ratios
(targets: fresh >= 3x, rerun >= 5x the per-record ingest).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from feedgen import write_feed

from tracklingo import load_carriers
from tracklingo.store import _INSERT, DEFAULT_BATCH_SIZE, Store

OUT = Path(__file__).parent / "out"
NO_ARROW = "import sys; sys.modules['pyarrow'] = None"
CLI = "import sys; from tracklingo.cli import run; run(sys.argv[1:])"  # the console script
ROWS = (
    "SELECT carrier, tracking_number, occurred_at, code, description, stage, event,"
    " handoff_carrier, handoff_number FROM events ORDER BY id"
)


def _pinned(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", "0", *cmd] if shutil.which("taskset") else cmd


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ingest(feed: Path, db: Path, *, per_record: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of one `tracklingo ingest` pinned to core 0. CPU time (user + system)
    does not count the time the process waited for the core: on a loaded machine it varies less."""
    code = f"{NO_ARROW}; {CLI}" if per_record else CLI
    cmd = _pinned([sys.executable, "-c", code, "ingest", str(feed), "--db", str(db), "-q"])
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr}")
    return elapsed, _children_cpu() - cpu


def floor(rows: list[tuple[object, ...]], db: Path) -> tuple[float, float]:
    """Plain inserts of `rows` into a new store, `DEFAULT_BATCH_SIZE` per transaction."""
    with Store(db) as store:  # the store's schema and connection settings (WAL, cache, ...)
        conn = store._conn
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(rows), DEFAULT_BATCH_SIZE):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(_INSERT, rows[i : i + DEFAULT_BATCH_SIZE])
            conn.execute("COMMIT")
        return time.perf_counter() - start, time.process_time() - cpu


def _fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    feed = OUT / f"ingest-feed-{args.events}.jsonl"
    if not feed.exists():
        write_feed(load_carriers(), args.events, feed)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # the floor runs here: the same core as the CLI runs
    sides = ("per-record fresh", "batch fresh", "per-record rerun", "batch rerun", "sqlite floor")
    wall: dict[str, list[float]] = {s: [] for s in sides}
    cpu: dict[str, list[float]] = {s: [] for s in sides}

    def record(side: str, took: tuple[float, float]) -> None:
        wall[side].append(took[0])
        cpu[side].append(took[1])

    events = 0
    for r in range(args.rounds):
        one, two = _fresh(OUT / "ingest-per-record.db"), _fresh(OUT / "ingest-batch.db")
        record("per-record fresh", ingest(feed, one, per_record=True))
        record("batch fresh", ingest(feed, two, per_record=False))
        record("per-record rerun", ingest(feed, one, per_record=True))
        record("batch rerun", ingest(feed, two, per_record=False))
        with sqlite3.connect(one) as a, sqlite3.connect(two) as b:
            rows = a.execute(ROWS).fetchall()
            if rows != b.execute(ROWS).fetchall():
                raise SystemExit("the two stores differ")
        events = len(rows)
        record("sqlite floor", floor(rows, _fresh(OUT / "ingest-floor.db")))
        print(
            f"round {r + 1} (wall/cpu s): "
            + ", ".join(f"{s} {wall[s][-1]:.2f}/{cpu[s][-1]:.2f}" for s in sides),
            flush=True,
        )
    print(f"\n{events:,} events ({args.events:,} feed records), best of {args.rounds} rounds, one core")
    for label, times in (("CPU time", cpu), ("wall time", wall)):
        best = {s: events / min(t) for s, t in times.items()}
        print(f"by {label}:")
        for s in sides:
            spread = (max(times[s]) - min(times[s])) / min(times[s])
            print(f"  {s:<17} {best[s]:>11,.0f} events/s   spread {spread:.0%}")
        fresh = best["batch fresh"] / best["per-record fresh"]
        rerun = best["batch rerun"] / best["per-record rerun"]
        print(f"  batch / per-record: fresh {fresh:.1f}x (target 3x), rerun {rerun:.1f}x (target 5x)")
        floor_rate = best["sqlite floor"]
        print(
            "  cost vs the floor: "
            + ", ".join(f"{s} {floor_rate / best[s]:.1f}x" for s in sides[:4])
        )

if __name__ == "__main__":
    main()
