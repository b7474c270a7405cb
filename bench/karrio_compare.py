"""tracklingo vs karrio on identical raw FedEx and USPS API responses (events/s and ratio).

Creates bench/.karrio-venv (karrio, karrio-fedex, karrio-usps from PyPI) on first use: karrio is a
bench-only dependency, never a project one. Both sides get the responses already decoded from JSON.

Two inputs per carrier:

- **repeated**: the plugins' test fixtures that carry events (3 FedEx, 4 USPS responses), parsed
  `ROUNDS` times per timed run: the same 47 / 40 scans over and over, a best case for any memo;
- **varied**: the same responses, but each round's US places redrawn from 500 US places and each
  parcel its own number (`karrio_places.varied_rounds`): what a real feed looks like. Every timed
  run parses its own `VARIED_ROUNDS` rounds, never seen before.

The two sides alternate in one run (karrio, tracklingo, karrio, tracklingo...: karrio runs in a
worker process of its own venv that times one batch per command), so a drift of this machine's
clock hits both; each side reports its best of `REPEATS` runs. tracklingo runs warm, as a
long-running process does (its memo of scan mappings persists across responses), and "cold" on
the repeated input (the memo emptied before every response: every scan built from scratch).

`--instructions` counts CPU instructions per event on both sides under valgrind's callgrind (a
run of N rounds minus a run of 0 rounds, so start-up, imports and decoding cancel out;
``PYTHONHASHSEED=0`` on both sides): a measure the clock does not move.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from karrio_places import varied_rounds

from tracklingo import load_carriers

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "bench" / ".karrio-venv"
OUT = ROOT / "bench" / "out"
ROUNDS = int(os.environ.get("KARRIO_ROUNDS", "1000"))
REPEATS = int(os.environ.get("KARRIO_REPEATS", "5"))
VARIED_ROUNDS = 200
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
FILES = {"fedex": FEDEX, "usps": USPS}


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


def fixture_paths(name: str) -> list[Path]:
    return [ROOT / "plugins" / name / "tests" / "fixtures" / f for f in FILES[name]]


def fixtures(name: str) -> list[Any]:
    return [json.loads(p.read_text()) for p in fixture_paths(name)]


def scans(name: str, payloads: list[Any]) -> int:
    """Events in the input (the carrier's scans), counted the same way for both sides."""
    if name == "fedex":
        return sum(
            len(r.get("scanEvents") or [])
            for p in payloads
            for c in p["output"]["completeTrackResults"]
            for r in c["trackResults"]
        )
    return sum(len(p.get("trackingEvents") or []) for p in payloads)


def write_varied(rounds: int) -> Path:
    """Both sides' varied input: {carrier: [round, ...]}, each round a list of responses."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"karrio-varied-{rounds}.json"
    data = {name: varied_rounds(name, fixtures(name), rounds) for name in FILES}
    path.write_text(json.dumps(data))
    return path


def clear_memo(carrier: Any) -> None:
    """Empty the core's memo of scan mappings and places for `carrier` (the "cold" figure)."""
    from tracklingo.events import clear_memo as clear

    clear(carrier)


def _timed(carrier: Any, batches: list[list[Any]], *, cold: bool = False) -> float:
    parse = carrier.parse
    start = time.perf_counter()
    for batch in batches:
        for payload in batch:
            if cold:
                clear_memo(carrier)
            parse(payload)
    return time.perf_counter() - start


class Karrio:
    """The karrio worker (bench/karrio_side.py --serve in its own venv): times one batch per call."""

    def __init__(self, python: Path, varied: Path) -> None:
        files = [str(p) for name in FILES for p in fixture_paths(name)]
        self.proc = subprocess.Popen(
            [str(python), str(ROOT / "bench" / "karrio_side.py"), "--serve", str(varied), *files],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # karrio's log lines and "unknown arguments" prints
            text=True,
        )

    def time(self, *command: object) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(" ".join(map(str, command)) + "\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


def compare(python: Path) -> None:
    varied_path = write_varied(VARIED_ROUNDS * REPEATS)
    varied = json.loads(varied_path.read_text())
    carriers = load_carriers()
    karrio = Karrio(python, varied_path)
    print(
        f"raw API responses, best of {REPEATS} alternating runs per side; repeated = {ROUNDS} rounds of"
        f" the fixtures, varied = {VARIED_ROUNDS} new rounds per run (500 US places, own numbers)"
    )
    try:
        for name in FILES:
            carrier = carriers.get(name)
            payloads = fixtures(name)
            repeated = [payloads] * ROUNDS
            n_repeated = scans(name, payloads) * ROUNDS
            best = {"k_rep": float("inf"), "t_rep": float("inf"), "k_var": float("inf"),
                    "t_var": float("inf"), "t_cold": float("inf")}
            n_varied = []
            for run in range(REPEATS):
                lo, hi = run * VARIED_ROUNDS, (run + 1) * VARIED_ROUNDS
                batches = varied[name][lo:hi]
                n_varied.append(sum(scans(name, b) for b in batches))
                best["k_rep"] = min(best["k_rep"], karrio.time("repeated", name, ROUNDS))
                best["t_rep"] = min(best["t_rep"], _timed(carrier, repeated))
                best["k_var"] = min(best["k_var"], karrio.time("varied", name, lo, hi) / n_varied[-1])
                best["t_var"] = min(best["t_var"], _timed(carrier, batches) / n_varied[-1])
                best["t_cold"] = min(best["t_cold"], _timed(carrier, [payloads] * 50, cold=True) / 50)
            k_rep, t_rep = n_repeated / best["k_rep"], n_repeated / best["t_rep"]
            k_var, t_var = 1 / best["k_var"], 1 / best["t_var"]
            cold = scans(name, payloads) / best["t_cold"]
            print(
                f"  {name:<6} repeated: karrio {k_rep:>8,.0f}/s  tracklingo {t_rep:>9,.0f}/s"
                f"  {t_rep / k_rep:5.1f}x | varied: karrio {k_var:>8,.0f}/s  tracklingo {t_var:>9,.0f}/s"
                f"  {t_var / k_var:5.1f}x | cold memo {cold:>9,.0f}/s  {cold / k_rep:5.1f}x"
            )
    finally:
        karrio.close()


# -- instruction counts ------------------------------------------------------------------------


def _loop(name: str, rounds: int, varied: str | None) -> None:
    """Only parse (for callgrind): one warm-up pass over the fixtures, then `rounds` rounds of the
    fixtures, or of the varied input's first `rounds` rounds. The input is loaded either way."""
    carrier = load_carriers().get(name)
    payloads = fixtures(name)
    batches = json.loads(Path(varied).read_text())[name] if varied else None
    for payload in payloads:
        carrier.parse(payload)
    for i in range(rounds):
        for payload in batches[i] if batches is not None else payloads:
            carrier.parse(payload)


def _instructions(cmd: list[str]) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # string hashing moves the count otherwise
    ).stderr
    return int(next(line for line in out.splitlines() if "Collected" in line).split()[-1])


def instructions(python: Path, ours_rounds: int = 100, karrio_rounds: int = 10) -> None:
    """CPU instructions per event on both sides (valgrind's callgrind), if valgrind is there."""
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed; skipped")
        return
    varied_path = write_varied(ours_rounds)
    varied = json.loads(varied_path.read_text())
    print("CPU instructions per event (callgrind: N rounds minus 0 rounds)")
    for name in FILES:
        payloads = fixtures(name)
        files = [str(p) for p in fixture_paths(name)]
        for label, extra in (("repeated", []), ("varied", [f"--varied={varied_path}"])):
            if label == "repeated":
                ours_events = scans(name, payloads) * ours_rounds
                their_events = scans(name, payloads) * karrio_rounds
            else:
                ours_events = sum(scans(name, b) for b in varied[name][:ours_rounds])
                their_events = sum(scans(name, b) for b in varied[name][:karrio_rounds])
            ours = _ours(name, ours_rounds, extra) / ours_events
            theirs = _theirs(python, name, karrio_rounds, files, extra) / their_events
            print(
                f"  {name:<6} {label:<8} karrio {theirs:>9,.0f}   tracklingo {ours:>7,.0f}"
                f"   ratio {theirs / ours:5.1f}x"
            )


def _ours(name: str, rounds: int, extra: list[str]) -> int:
    cmd = [sys.executable, __file__, "--loop", name]
    # one run without valgrind first: what a checkout's first run writes to the on-disk cache
    # (`tracklingo.tomlcache`: checked patterns) is read by both counts
    subprocess.run([*cmd, "0", *extra], check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    return _instructions([*cmd, str(rounds), *extra]) - _instructions([*cmd, "0", *extra])


def _theirs(python: Path, name: str, rounds: int, files: list[str], extra: list[str]) -> int:
    cmd = [str(python), str(ROOT / "bench" / "karrio_side.py"), "--loop", name]
    return _instructions([*cmd, str(rounds), *extra, *files]) - _instructions([*cmd, "0", *extra, *files])


def main() -> None:
    if sys.argv[1:2] == ["--loop"]:
        varied = next((a.split("=", 1)[1] for a in sys.argv[4:] if a.startswith("--varied=")), None)
        _loop(sys.argv[2], int(sys.argv[3]), varied)
        return
    python = _ensure_venv()
    if "--only-instructions" not in sys.argv:
        compare(python)
    if "--instructions" in sys.argv or "--only-instructions" in sys.argv:
        instructions(python)


if __name__ == "__main__":
    main()
