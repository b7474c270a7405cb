"""`make bench`: the columnar batch path against the per-record CLI, side by side in one run.

Usage: python bench/batch.py [--events N] [--rounds R] [--memory N,N,...]

Each round runs, pinned to one core and interleaved (so a busy machine slows them alike):
  per-record   tracklingo normalize feed.jsonl -o /dev/null            (JSONL out)
  jsonl->pq    tracklingo normalize feed.jsonl -o events.parquet       (batch path)
  pq->pq       tracklingo normalize feed.parquet -o events.parquet     (the flat feed as Parquet)
Reported, by CPU time (user + system: what the machine's load changes least) and by wall time: the
best of R rounds in events/s, the spread between rounds (the machine's noise), the ratios (targets:
jsonl->pq >= 4x, pq->pq >= 10x); and the peak RSS of jsonl->pq and pq->pq at each size of --memory
(flat memory: the peak must not grow with the feed).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq
from feedgen import write_feed

from tracklingo import load_carriers

OUT = Path(__file__).parent / "out"


def _exe() -> str:
    return shutil.which("tracklingo", path=str(Path(sys.executable).parent)) or "tracklingo"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system) and peak RSS (KiB, from GNU time when installed, else 0)
    of one CLI run pinned to core 0."""
    cmd = [_exe(), *args, "-q", "--rejects", os.devnull]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    if Path("/usr/bin/time").exists():
        cmd = ["/usr/bin/time", "-f", "PEAK_RSS_KIB %M", *cmd]
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr}")
    peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KIB ")]
    return elapsed, cpu, int(peak[-1].split()[1]) if peak else 0


def feeds(n: int) -> tuple[Path, Path]:
    """The bench feed (bench/feedgen.py) as JSON Lines and as a flat Parquet file."""
    jsonl = OUT / f"feed-{n}.jsonl"
    if not jsonl.exists():
        write_feed(load_carriers(), n, jsonl)
    parquet = OUT / f"feed-{n}.parquet"
    if not parquet.exists():
        schema = pa.schema(
            [
                (k, pa.string())
                for k in (
                    "carrier",
                    "tracking_number",
                    "timestamp",
                    "code",
                    "description",
                    "city",
                    "state",
                    "postal_code",
                    "country",
                )
            ]
        )
        table = pj.read_json(jsonl, parse_options=pj.ParseOptions(explicit_schema=schema))
        pq.write_table(table, parquet, row_group_size=65_536)
    return jsonl, parquet


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--memory", default="1000000", help="feed sizes for the peak-RSS check")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    n = args.events
    jsonl, parquet = feeds(n)
    events = OUT / "batch-events.parquet"
    cases = {
        "per-record CLI (JSONL out)": ["normalize", str(jsonl), "-o", os.devnull],
        "batch JSONL -> Parquet": ["normalize", str(jsonl), "-o", str(events)],
        "batch Parquet -> Parquet": ["normalize", str(parquet), "-o", str(events)],
    }
    wall: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    rss: dict[str, int] = {}
    for _ in range(args.rounds):
        for label, cmd in cases.items():
            t, c, peak = run(cmd)
            wall[label].append(t)
            cpu[label].append(c)
            rss[label] = max(rss.get(label, 0), peak)
    print(
        f"batch path, {n:,} flat events (bench/feedgen.py), best of {args.rounds} interleaved rounds, 1 core:"
    )
    for measure, times in (("CPU time", cpu), ("wall time", wall)):
        print(f"by {measure}:")
        base = min(times["per-record CLI (JSONL out)"])
        for label, ts in times.items():
            best, worst = min(ts), max(ts)
            print(
                f"  {label:<28} {n / best:>10,.0f} events/s  {best:6.2f} s"
                f"  (rounds spread {100 * (worst - best) / best:4.0f}%)"
                f"  {base / best:5.2f}x per-record  peak RSS {rss[label] / 1024:.0f} MiB"
            )
    print("  targets: JSONL -> Parquet >= 4x, Parquet -> Parquet >= 10x")
    sizes = [int(s) for s in args.memory.split(",") if s]
    if sizes:
        print("peak RSS by feed size (flat memory: the peak does not grow with the feed):")
        for size in sizes:
            j, p = feeds(size)
            _, _, r1 = run(["normalize", str(j), "-o", str(events)])
            _, _, r2 = run(["normalize", str(p), "-o", str(events)])
            print(
                f"  {size:>12,} events   JSONL -> Parquet {r1 / 1024:6.0f} MiB"
                f"   Parquet -> Parquet {r2 / 1024:6.0f} MiB"
            )


if __name__ == "__main__":
    main()
