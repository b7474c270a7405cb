"""Runs inside bench/.karrio-venv: karrio's own FedEx and USPS tracking parsers, for
bench/karrio_compare.py. Not a project module: karrio is not a tracklingo dependency.

- ``--serve VARIED FILES...``: a worker that answers one command per stdin line with the seconds
  one batch took: ``repeated NAME ROUNDS`` (the fixtures `FILES`, ROUNDS times) or
  ``varied NAME START STOP`` (rounds START..STOP of the varied input file `VARIED`). The comparison
  alternates these calls with its own timed runs.
- ``--loop NAME ROUNDS [--varied=PATH] FILES...``: only parse (no timing) ROUNDS rounds of the
  fixtures or of the varied input, after one warm-up pass over the fixtures, for callgrind.

Like the tracklingo side, karrio gets the responses already decoded from JSON. The FedEx parser's
proof-of-delivery download (network) is stubbed out, and karrio's debug prints ("unknown
arguments ...") go to /dev/null while it runs, so the terminal does not slow it down.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import karrio.lib as lib
import karrio.providers.fedex.utils as fedex_utils
import karrio.sdk as sdk

fedex_utils.get_proof_of_delivery = lambda *a, **k: None  # no network in a benchmark


def _parser(name: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(parse one prepared input, prepare one decoded response) for karrio's `name` gateway."""
    if name == "fedex":
        gateway = sdk.gateway["fedex"].create(
            {"api_key": "k", "secret_key": "s", "account_number": "a", "test_mode": True}
        )
        return gateway.mapper.parse_tracking_response, lambda r: lib.Deserializable(r, lambda v: v)
    gateway = sdk.gateway["usps"].create({"client_id": "i", "client_secret": "s", "test_mode": True})
    return gateway.mapper.parse_tracking_response, lambda r: lib.Deserializable(
        [(r.get("trackingNumber"), r)], lambda v: v
    )


def _fixtures(name: str, files: list[str]) -> list[Any]:
    return [json.loads(Path(p).read_text()) for p in files if f"/{name}/" in p]


def serve(varied_path: str, files: list[str]) -> None:
    varied = json.loads(Path(varied_path).read_text())
    parsers = {name: _parser(name) for name in ("fedex", "usps")}
    repeated = {name: [parsers[name][1](r) for r in _fixtures(name, files)] for name in parsers}
    rounds = {name: [[parsers[name][1](r) for r in batch] for batch in varied[name]] for name in parsers}
    out = sys.stdout
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        for name, (parse, _) in parsers.items():  # warm-up
            for item in repeated[name]:
                parse(item)
        for line in sys.stdin:
            words = line.split()
            parse = parsers[words[1]][0]
            if words[0] == "repeated":
                batches = [repeated[words[1]]] * int(words[2])
            else:
                batches = rounds[words[1]][int(words[2]) : int(words[3])]
            start = time.perf_counter()
            for batch in batches:
                for item in batch:
                    parse(item)
            out.write(f"{time.perf_counter() - start}\n")
            out.flush()


def loop(name: str, rounds: int, varied_path: str | None, files: list[str]) -> None:
    """Only parse (no timing), for an instruction count under callgrind (karrio_compare.py
    subtracts a 0-round run)."""
    parse, prepare = _parser(name)
    inputs = [prepare(r) for r in _fixtures(name, files)]
    batches = (
        [[prepare(r) for r in batch] for batch in json.loads(Path(varied_path).read_text())[name]][:rounds]
        if varied_path
        else [inputs] * rounds
    )
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        for item in inputs:  # warm-up, also in the 0-round run
            parse(item)
        for batch in batches:
            for item in batch:
                parse(item)


def main() -> None:
    if sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3:])
        return
    if sys.argv[1] == "--loop":
        rest = sys.argv[4:]
        varied = next((a.split("=", 1)[1] for a in rest if a.startswith("--varied=")), None)
        loop(sys.argv[2], int(sys.argv[3]), varied, [a for a in rest if not a.startswith("--varied=")])
        return
    raise SystemExit(
        "usage: karrio_side.py --serve VARIED FILES... | --loop NAME ROUNDS [--varied=PATH] FILES..."
    )


if __name__ == "__main__":
    main()
