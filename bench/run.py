"""`make bench`: throughput of normalization against the JSON floor, through the API and the CLI.

Usage: python bench/run.py [--events N] [--big] [--karrio] [--instructions]
  --events N      size of the main feed (default 200,000)
  --big           also run a 1,000,000-event feed through the CLI (events/s and peak memory)
  --karrio        also compare raw FedEx/USPS API response parsing with karrio (bench/karrio_compare.py)
  --instructions  also count CPU instructions per flat event through the API (valgrind's callgrind:
                  20,000 events minus 0 events of the same feed, so start-up and imports cancel out)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from feedgen import write_feed

from tracklingo import Normalizer, load_carriers, read_records
from tracklingo.model import event_to_json

OUT = Path(__file__).parent / "out"


def floor(path: Path) -> float:
    """What any JSON-to-JSON transform pays: read lines, json.loads, json.dumps, write."""
    start = time.perf_counter()
    with path.open("rb") as src, open(os.devnull, "w") as dst:
        for line in src:
            dst.write(json.dumps(json.loads(line)) + "\n")
    return time.perf_counter() - start


def api(path: Path) -> tuple[float, int]:
    normalizer = Normalizer(load_carriers())
    start = time.perf_counter()
    with open(os.devnull, "wb") as dst:
        for record in read_records(path):
            events, _ = normalizer.process(record)
            for event in events:
                dst.write(event_to_json(event) + b"\n")
    return time.perf_counter() - start, normalizer.stats.events_out


def cli(path: Path) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of `tracklingo normalize` pinned to one core."""
    exe = shutil.which("tracklingo", path=str(Path(sys.executable).parent)) or "tracklingo"
    cmd = [exe, "normalize", str(path), "--output", os.devnull, "--rejects", os.devnull]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"CLI failed: {err}")
    rss = _child_rss(proc.pid)
    print(f"    cli summary: {err.strip().splitlines()[-1]}")
    return elapsed, rss


def _loop(path: Path, n: int) -> None:
    """Only normalize the first `n` records of `path` (for callgrind); the carriers load either way."""
    normalizer = Normalizer(load_carriers())
    with open(os.devnull, "wb") as dst:
        for i, record in enumerate(read_records(path)):
            if i >= n:
                break
            events, _ = normalizer.process(record)
            for event in events:
                dst.write(event_to_json(event) + b"\n")


def instructions(path: Path, n: int = 20_000) -> float:
    """CPU instructions per flat event through `Normalizer` (callgrind, n events minus none)."""

    def count(k: int) -> int:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
             __file__, "--loop", str(path), str(k)],
            capture_output=True, text=True, check=True,
        ).stderr
        return int(next(line for line in out.splitlines() if "Collected" in line).split()[-1])

    return (count(n) - count(0)) / n


def _child_rss(_pid: int) -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    if sys.argv[1:2] == ["--loop"]:
        _loop(Path(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--big", action="store_true")
    parser.add_argument("--karrio", action="store_true")
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    registry = load_carriers()
    print(f"carriers: {', '.join(sorted(registry.carriers))}")
    feed = write_feed(registry, args.events, OUT / f"feed-{args.events}.jsonl")
    n = args.events
    t_floor = floor(feed)
    t_api, _events = api(feed)
    t_cli, rss = cli(feed)
    print(f"feed: {n:,} flat events ({feed.stat().st_size / 1e6:.1f} MB)")
    print(f"  floor (json.loads+dumps) {n / t_floor:>10,.0f} events/s  {t_floor:6.2f} s")
    print(f"  API normalize            {n / t_api:>10,.0f} events/s  {t_api:6.2f} s"
          f"  ratio {t_api / t_floor:4.2f}x floor")
    print(f"  CLI normalize (1 core)   {n / t_cli:>10,.0f} events/s  {t_cli:6.2f} s"
          f"  ratio {t_cli / t_floor:4.2f}x floor  (target ≤ 5x)  peak RSS {rss / 1024:.0f} MiB")
    if args.big:
        big = write_feed(registry, 1_000_000, OUT / "feed-1000000.jsonl")
        t_big, rss_big = cli(big)
        print(f"  CLI 1,000,000 events     {1_000_000 / t_big:>10,.0f} events/s  {t_big:6.2f} s"
              f"  peak RSS {rss_big / 1024:.0f} MiB")
    if args.instructions and shutil.which("valgrind"):
        print(f"  API normalize: {instructions(feed):,.0f} CPU instructions per flat event (callgrind)")
    if args.karrio:
        extra = ["--instructions"] if args.instructions else []
        subprocess.run([sys.executable, str(Path(__file__).parent / "karrio_compare.py"), *extra],
                       check=True)


if __name__ == "__main__":
    main()
