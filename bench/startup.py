"""`make bench`: start-up time of the command line, as ratios against a bare interpreter.

Usage: python bench/startup.py [--runs N]

Each command runs N times, the commands interleaved (so a busy machine slows them alike); the best
wall time of each is compared with ``python -c pass`` and ``python -c "import click"`` (the median
is shown too: on a loaded machine the gap between the two says how noisy the figures are). Targets:
``tracklingo --help`` within 2x of importing click; ``tracklingo explain Delivered`` within 0.25 s.
The parsed-TOML cache (docs/cache.md) is warm after the first round, as it is for a user.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _exe() -> str:
    return shutil.which("tracklingo", path=str(Path(sys.executable).parent)) or "tracklingo"


COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    'python -c "import click"': [sys.executable, "-c", "import click"],
    "tracklingo --help": [_exe(), "--help"],
    "tracklingo explain Delivered": [_exe(), "explain", "Delivered"],
    "tracklingo normalize (empty input)": [_exe(), "normalize", os.devnull],
}


def all_times(runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for _ in range(runs):
        for label, cmd in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[label].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times = all_times(args.runs)
    best = {label: min(seconds) for label, seconds in times.items()}
    bare = best["python -c pass"]
    click = best['python -c "import click"']
    print(f"start-up, best of {args.runs} runs (interleaved):")
    for label, seconds in best.items():
        median = statistics.median(times[label])
        print(
            f"  {label:<36} {seconds:6.3f} s  {seconds / bare:5.1f}x bare  {seconds / click:5.2f}x click"
            f"  (median {median:6.3f} s)"
        )
    help_ratio = best["tracklingo --help"] / click
    explain = best["tracklingo explain Delivered"]
    print(f"  --help / import click = {help_ratio:.2f} (target <= 2.0)")
    print(f"  explain Delivered     = {explain:.3f} s (target <= 0.25 s)")


if __name__ == "__main__":
    main()
