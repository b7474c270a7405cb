"""Runs inside bench/.karrio-venv: times karrio's own FedEx and USPS tracking parsers.

With ``--loop NAME ROUNDS FILES...`` it only parses, for callgrind's instruction count.
Otherwise prints JSON {"fedex": {"events": N, "seconds": S}, "usps": {...}}: the best of `repeats` timed runs
of `rounds` passes over the responses. Not a project module: karrio is not a tracklingo dependency.
Like the tracklingo side, karrio gets the responses already decoded from JSON. The FedEx parser's
proof-of-delivery download (network) is stubbed out, and karrio's debug prints ("unknown
arguments ...") go to /dev/null while it is timed, so the terminal does not slow it down.
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


def _fedex_events(resp: dict[str, Any]) -> int:
    return sum(
        len(r.get("scanEvents") or [])
        for c in resp["output"]["completeTrackResults"]
        for r in c["trackResults"]
    )


def _best(rounds: int, repeats: int, parse: Callable[[Any], Any], inputs: list[Any]) -> float:
    best = float("inf")
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(rounds):
                for item in inputs:
                    parse(item)
            best = min(best, time.perf_counter() - start)
    return best


def loop(name: str, rounds: int, files: list[str]) -> None:
    """Only parse (no timing): `rounds` passes over `name`'s responses, for an instruction count
    under callgrind (karrio_compare.py --instructions subtracts a 0-round run)."""
    responses = [json.loads(Path(p).read_text()) for p in files if f"/{name}/" in p]
    if name == "fedex":
        gateway = sdk.gateway["fedex"].create(
            {"api_key": "k", "secret_key": "s", "account_number": "a", "test_mode": True}
        )
        inputs = [lib.Deserializable(r, lambda v: v) for r in responses]
    else:
        gateway = sdk.gateway["usps"].create({"client_id": "i", "client_secret": "s", "test_mode": True})
        inputs = [lib.Deserializable([(r.get("trackingNumber"), r)], lambda v: v) for r in responses]
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        for item in inputs:  # warm-up, also in the 0-round run
            gateway.mapper.parse_tracking_response(item)
        for _ in range(rounds):
            for item in inputs:
                gateway.mapper.parse_tracking_response(item)


def main() -> None:
    if sys.argv[1] == "--loop":
        loop(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
        return
    rounds, repeats = int(sys.argv[1]), int(sys.argv[2])
    fedex_files = [p for p in sys.argv[3:] if "/fedex/" in p]
    usps_files = [p for p in sys.argv[3:] if "/usps/" in p]
    fedex = sdk.gateway["fedex"].create(
        {"api_key": "k", "secret_key": "s", "account_number": "a", "test_mode": True}
    )
    usps = sdk.gateway["usps"].create({"client_id": "i", "client_secret": "s", "test_mode": True})
    fx = [json.loads(Path(p).read_text()) for p in fedex_files]
    us = [json.loads(Path(p).read_text()) for p in usps_files]
    out = {
        "fedex": {
            "events": sum(_fedex_events(r) for r in fx) * rounds,
            "seconds": _best(
                rounds,
                repeats,
                lambda r: fedex.mapper.parse_tracking_response(lib.Deserializable(r, lambda v: v)),
                fx,
            ),
        },
        "usps": {
            "events": sum(len(r.get("trackingEvents") or []) for r in us) * rounds,
            "seconds": _best(
                rounds,
                repeats,
                lambda r: usps.mapper.parse_tracking_response(
                    lib.Deserializable([(r.get("trackingNumber"), r)], lambda v: v)
                ),
                us,
            ),
        },
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
