"""tracklingo vs karrio on identical raw FedEx and USPS API responses (events/s and ratio).

Creates bench/.karrio-venv (karrio, karrio-fedex, karrio-usps from PyPI) on first use: karrio is a
bench-only dependency, never a project one. Responses: the plugins' test fixtures that carry events.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tracklingo import load_carriers

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "bench" / ".karrio-venv"
ROUNDS = 300
FEDEX = ["international_import_clearance.json", "domestic_exception_reattempt.json",
         "ground_economy_usps.json"]
USPS = ["domestic_delivered.json", "inbound_international.json", "return_to_sender.json",
        "outbound_international.json"]


def _ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    check = subprocess.run([str(python), "-c", "import karrio.providers.fedex, karrio.providers.usps"],
                           capture_output=True)
    if check.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "karrio", "karrio-fedex",
                        "karrio-usps"], check=True)
    return python


def _tracklingo(carrier_name: str, paths: list[Path]) -> tuple[int, float, int]:
    carrier = load_carriers().get(carrier_name)
    payloads = [json.loads(p.read_text()) for p in paths]
    events = 0
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for payload in payloads:
            events += len(carrier.parse(payload).events)
    return events, time.perf_counter() - start, sum(
        len(carrier.parse(p).events) for p in payloads)


def main() -> None:
    fedex = [ROOT / "plugins" / "fedex" / "tests" / "fixtures" / f for f in FEDEX]
    usps = [ROOT / "plugins" / "usps" / "tests" / "fixtures" / f for f in USPS]
    python = _ensure_venv()
    side = subprocess.run([str(python), str(ROOT / "bench" / "karrio_side.py"), str(ROUNDS),
                           *map(str, fedex + usps)], capture_output=True, text=True, check=True)
    karrio = json.loads(side.stdout.strip().splitlines()[-1])
    print(f"raw API responses, {ROUNDS} rounds (events counted from the input scans)")
    for name, paths in (("fedex", fedex), ("usps", usps)):
        ev, secs, _ = _tracklingo(name, paths)
        k = karrio[name]
        k_rate, t_rate = k["events"] / k["seconds"], ev / secs
        print(f"  {name:<6} karrio {k_rate:>10,.0f} events/s   tracklingo {t_rate:>10,.0f} events/s"
              f"   ratio {t_rate / k_rate:5.1f}x  (goal ≥ 20x)")


if __name__ == "__main__":
    main()
