"""tracklingo vs karrio on identical raw FedEx and USPS API responses (events/s and ratio).

Creates bench/.karrio-venv (karrio, karrio-fedex, karrio-usps from PyPI) on first use: karrio is a
bench-only dependency, never a project one. Responses: the plugins' test fixtures that carry events,
decoded from JSON once, then parsed `ROUNDS` times per timed run by each side; each side reports its
best of `REPEATS` runs (the least disturbed by the machine).

`--instructions` also counts CPU instructions per event on both sides under valgrind's callgrind
(a run of N rounds minus a run of 0 rounds, so start-up and imports cancel out): a measure this
machine's drifting clock does not move.

tracklingo is timed twice: as a long-running process runs (its event templates, see
`tracklingo.templates`, persist across responses) and cold (templates emptied before every
response, so every distinct scan's mapping is built from scratch: a worst case).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tracklingo import load_carriers
from tracklingo.carrier import Carrier

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "bench" / ".karrio-venv"
ROUNDS = 1000
REPEATS = 5
FEDEX = [
    "international_import_clearance.json",
    "domestic_exception_reattempt.json",
    "ground_economy_usps.json",
]
USPS = [
    "domestic_delivered.json",
    "inbound_international.json",
    "return_to_sender.json",
    "outbound_international.json",
]


def _ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    check = subprocess.run(
        [str(python), "-c", "import karrio.providers.fedex, karrio.providers.usps"], capture_output=True
    )
    if check.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "karrio", "karrio-fedex", "karrio-usps"], check=True
        )
    return python


def _best(carrier: Carrier, payloads: list[Any], *, cold: bool) -> float:
    templates = carrier.templates
    best = float("inf")
    for _ in range(REPEATS):
        templates.clear()
        start = time.perf_counter()
        for _ in range(ROUNDS):
            for payload in payloads:
                if cold:
                    templates.clear()
                carrier.parse(payload)
        best = min(best, time.perf_counter() - start)
    return best


def _loop(name: str, rounds: int) -> None:
    """Only parse `name`'s fixtures `rounds` times (after one warm-up pass), for callgrind."""
    carrier = load_carriers().get(name)
    files = FEDEX if name == "fedex" else USPS
    payloads = [json.loads((ROOT / "plugins" / name / "tests" / "fixtures" / f).read_text()) for f in files]
    for payload in payloads:
        carrier.parse(payload)
    for _ in range(rounds):
        for payload in payloads:
            carrier.parse(payload)


def _instructions(cmd: list[str]) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return int(next(line for line in out.splitlines() if "Collected" in line).split()[-1])


def _per_event(before_rounds: list[str], rounds: int, events: int, after_rounds: list[str]) -> float:
    """Instructions per event: a run of `rounds` rounds minus a run of none."""
    many = _instructions([*before_rounds, str(rounds), *after_rounds])
    none = _instructions([*before_rounds, "0", *after_rounds])
    return (many - none) / (rounds * events)


def instructions(python: Path, fedex: list[Path], usps: list[Path]) -> None:
    """CPU instructions per event on both sides (valgrind's callgrind), if valgrind is there."""
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed; skipped")
        return
    print("CPU instructions per event (callgrind: N rounds minus 0 rounds)")
    for name, paths in (("fedex", fedex), ("usps", usps)):
        carrier = load_carriers().get(name)
        events = sum(len(carrier.parse(json.loads(p.read_text())).events) for p in paths)
        ours = _per_event([sys.executable, __file__, "--loop", name], 200, events, [])
        side = [str(python), str(ROOT / "bench" / "karrio_side.py"), "--loop", name]
        theirs = _per_event(side, 20, events, [str(p) for p in paths])
        print(f"  {name:<6} karrio {theirs:>9,.0f}   tracklingo {ours:>7,.0f}   ratio {theirs / ours:5.1f}x")


def main() -> None:
    if sys.argv[1:2] == ["--loop"]:
        _loop(sys.argv[2], int(sys.argv[3]))
        return
    fedex = [ROOT / "plugins" / "fedex" / "tests" / "fixtures" / f for f in FEDEX]
    usps = [ROOT / "plugins" / "usps" / "tests" / "fixtures" / f for f in USPS]
    python = _ensure_venv()
    side = subprocess.run(
        [
            str(python),
            str(ROOT / "bench" / "karrio_side.py"),
            str(ROUNDS),
            str(REPEATS),
            *map(str, fedex + usps),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    karrio = json.loads(side.stdout.strip().splitlines()[-1])
    carriers = load_carriers()
    print(
        f"raw API responses, best of {REPEATS} runs x {ROUNDS} rounds (events counted from the input scans)"
    )
    for name, paths in (("fedex", fedex), ("usps", usps)):
        carrier = carriers.get(name)
        payloads = [json.loads(p.read_text()) for p in paths]
        events = sum(len(carrier.parse(p).events) for p in payloads) * ROUNDS
        k = karrio[name]
        k_rate = k["events"] / k["seconds"]
        warm = events / _best(carrier, payloads, cold=False)
        cold = events / _best(carrier, payloads, cold=True)
        print(
            f"  {name:<6} karrio {k_rate:>9,.0f} events/s   tracklingo {warm:>9,.0f} events/s"
            f"  ratio {warm / k_rate:5.1f}x (goal ≥ 20x)   cold templates {cold:>9,.0f} events/s"
            f"  ratio {cold / k_rate:5.1f}x"
        )
    if "--instructions" in sys.argv:
        instructions(python, fedex, usps)


if __name__ == "__main__":
    main()
