"""Runs inside bench/.karrio-venv: times karrio's own FedEx and USPS tracking parsers.

Prints JSON {"fedex": {"events": N, "seconds": S}, "usps": {...}}. Not a project module: karrio is
not a tracklingo dependency. The FedEx parser's proof-of-delivery download (network) is stubbed out.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import karrio.lib as lib
import karrio.providers.fedex.utils as fedex_utils
import karrio.sdk as sdk

fedex_utils.get_proof_of_delivery = lambda *a, **k: None  # no network in a benchmark


def _fedex_events(resp: dict) -> int:
    return sum(len(r.get("scanEvents") or []) for c in resp["output"]["completeTrackResults"]
               for r in c["trackResults"])


def main() -> None:
    rounds = int(sys.argv[1])
    fedex_files = [p for p in sys.argv[2:] if "/fedex/" in p]
    usps_files = [p for p in sys.argv[2:] if "/usps/" in p]
    fedex = sdk.gateway["fedex"].create({"api_key": "k", "secret_key": "s",
                                         "account_number": "a", "test_mode": True})
    usps = sdk.gateway["usps"].create({"client_id": "i", "client_secret": "s",
                                       "test_mode": True})
    out = {}
    fx = [json.loads(Path(p).read_text()) for p in fedex_files]
    events = sum(_fedex_events(r) for r in fx) * rounds
    texts = [json.dumps(r) for r in fx]
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            fedex.mapper.parse_tracking_response(lib.Deserializable(text, lib.to_dict))
    out["fedex"] = {"events": events, "seconds": time.perf_counter() - start}
    us = [json.loads(Path(p).read_text()) for p in usps_files]
    events = sum(len(r.get("trackingEvents") or []) for r in us) * rounds
    start = time.perf_counter()
    for _ in range(rounds):
        for resp in us:
            usps.mapper.parse_tracking_response(
                lib.Deserializable([(resp.get("trackingNumber"), resp)], lambda v: v))
    out["usps"] = {"events": events, "seconds": time.perf_counter() - start}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
