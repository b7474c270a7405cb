"""Deterministic mixed-carrier flat-event feed for the benchmarks.

Texts and codes are sampled from the installed carriers' own vocabularies (exact phrases, codes, and
texts with embedded places for the pattern rules), plus ~1% texts no vocabulary knows.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracklingo import Registry

# Texts with embedded places, one template per carrier where its vocabulary has such patterns.
PLACE_TEMPLATES = {
    "usps": ["Processed Through Facility ISC {city} {st}(USPS)",
             "Arrived at USPS Regional Facility {city} {st} DISTRIBUTION CENTER"],
    "dhl": ["Clearance processing complete at {city} HUB - USA",
            "Arrived at DHL Sort Facility {city} - GERMANY"],
    "fedex": ["Arrived at FedEx location {city}, {st}"],
}
CITIES = [f"CITY{i:03d}" for i in range(400)]
STATES = ["NY", "CA", "IL", "CO", "GA", "WA", "MA", "OH", "PA", "NJ"]


def _vocabulary_samples(registry: Registry) -> dict[str, list[tuple[str | None, str | None]]]:
    samples: dict[str, list[tuple[str | None, str | None]]] = {}
    for carrier in registry:
        pairs: list[tuple[str | None, str | None]] = []
        for rule in carrier.vocabulary.own_rules():
            for phrase in rule.phrase:
                pairs.append((rule.code[0] if rule.code else None, phrase))
            if rule.code and not rule.phrase:
                pairs.extend((code, None) for code in rule.code)
        if pairs:
            samples[carrier.name] = pairs
    return samples


def generate(registry: Registry, n: int, seed: int = 20261125) -> Iterator[dict[str, object]]:
    """Yield `n` flat event records."""
    rng = random.Random(seed)
    samples = _vocabulary_samples(registry)
    if not samples:
        raise SystemExit("no carrier plugins installed: run `make install` first")
    names = sorted(samples)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(n):
        carrier = names[i % len(names)]
        roll = rng.random()
        if roll < 0.01:
            code, text = None, f"Unheard-of status {rng.randrange(50)}"
        elif roll < 0.15 and carrier in PLACE_TEMPLATES:
            code = None
            text = rng.choice(PLACE_TEMPLATES[carrier]).format(
                city=rng.choice(CITIES), st=rng.choice(STATES))
        else:
            code, text = rng.choice(samples[carrier])
        when = start + timedelta(minutes=i)
        state = rng.choice(STATES)
        stamp = (when.astimezone().replace(tzinfo=None).isoformat() if roll > 0.8
                 else when.isoformat())
        yield {"carrier": carrier, "tracking_number": f"{carrier.upper()}{rng.randrange(10**9):09d}",
               "timestamp": stamp, "code": code, "description": text, "city": rng.choice(CITIES),
               "state": state, "postal_code": f"{rng.randrange(10**5):05d}", "country": "US"}


def write_feed(registry: Registry, n: int, path: Path) -> Path:
    with path.open("w") as fh:
        for record in generate(registry, n):
            fh.write(json.dumps(record) + "\n")
    return path
