"""Deterministic mixed-carrier flat-event feeds for the benchmarks.

Texts and codes are sampled from the installed carriers' own vocabularies (exact phrases, codes, and
texts with embedded places for the pattern rules), plus ~1% texts no vocabulary knows.

Two shapes of feed:
- the default: every record its own parcel, at a place drawn afresh (a random postal code, so
  nearly every place is unique): the cold case for anything keyed by place;
- ``places=N`` (`generate`): parcels of 3 to 8 scans each, every scan at one of N places (city,
  state, postal code) drawn with a skew towards the first ones, the way real feeds repeat their
  hubs, facilities and cities.
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


def generate(
    registry: Registry, n: int, seed: int = 20261125, places: int | None = None
) -> Iterator[dict[str, object]]:
    """Yield `n` flat event records; with `places`, parcels of several scans at `places` places."""
    rng = random.Random(seed)
    pool = [(rng.choice(CITIES), rng.choice(STATES), f"{rng.randrange(10**5):05d}")
            for _ in range(places or 0)]
    number, left = "", 0
    samples = _vocabulary_samples(registry)
    if not samples:
        raise SystemExit("no carrier plugins installed: run `make install` first")
    names = sorted(samples)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    carrier = names[0]
    for i in range(n):
        if not pool:
            carrier = names[i % len(names)]
        elif left == 0:  # a new parcel of 3-8 scans, each carrier in turn
            carrier = names[i % len(names)]
            number, left = f"{carrier.upper()}{rng.randrange(10**9):09d}", rng.randint(3, 8)
        roll = rng.random()
        code: str | None
        text: str | None
        if roll < 0.01:
            code, text = None, f"Unheard-of status {rng.randrange(50)}"
        elif roll < 0.15 and carrier in PLACE_TEMPLATES:
            code = None
            text = rng.choice(PLACE_TEMPLATES[carrier]).format(
                city=rng.choice(CITIES), st=rng.choice(STATES))
        else:
            code, text = rng.choice(samples[carrier])
        when = start + timedelta(minutes=i)
        stamp = (when.astimezone().replace(tzinfo=None).isoformat() if roll > 0.8
                 else when.isoformat())
        if pool:
            left -= 1
            # half the scans at hubs (a heavy tail: the first 10 places take a quarter of all
            # scans), half anywhere in the pool
            if rng.random() < 0.5:
                at = min(int(10 * rng.paretovariate(1.0)) - 10, len(pool) - 1)
            else:
                at = rng.randrange(len(pool))
            city, state, postal = pool[at]
        else:  # the original draw order, so the default feed stays the same
            state = rng.choice(STATES)
            number = f"{carrier.upper()}{rng.randrange(10**9):09d}"
            city, postal = rng.choice(CITIES), f"{rng.randrange(10**5):05d}"
        yield {"carrier": carrier, "tracking_number": number,
               "timestamp": stamp, "code": code, "description": text, "city": city,
               "state": state, "postal_code": postal, "country": "US"}


def write_feed(registry: Registry, n: int, path: Path, places: int | None = None) -> Path:
    """Write `generate`'s records to `path` as JSON lines."""
    with path.open("w") as fh:
        for record in generate(registry, n, places=places):
            fh.write(json.dumps(record) + "\n")
    return path
