"""A store shaped like a real one, for timing `tracklingo stuck`.

Usage: python bench/stuck_store.py DB [--events N] [--now ISO]

Shipments of 6-12 scans each, spread over the 60 days before --now, with the installed carriers'
own texts: 85 % run to delivery, the rest stop somewhere on the way (pre-transit, in transit,
customs, at the delivery office, an exception), as a store of recent parcels does. Deterministic.
Then time the command, e.g.:

    /usr/bin/time -f "%e s, peak %M KB" tracklingo stuck --db DB --now 2026-11-20T12:00:00Z --json
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracklingo import load_carriers
from tracklingo.model import TrackingEvent
from tracklingo.plugins import Registry
from tracklingo.store import Store
from tracklingo.taxonomy import Stage

DOMESTIC = [
    Stage.LABEL_CREATED,
    Stage.ACCEPTED,
    Stage.IN_TRANSIT,
    Stage.IN_TRANSIT,
    Stage.IN_TRANSIT,
    Stage.AT_DESTINATION_FACILITY,
    Stage.OUT_FOR_DELIVERY,
    Stage.DELIVERED,
]
INTERNATIONAL = [
    Stage.LABEL_CREATED,
    Stage.ACCEPTED,
    Stage.IN_TRANSIT,
    Stage.DEPARTED_ORIGIN_COUNTRY,
    Stage.ARRIVED_DESTINATION_COUNTRY,
    Stage.IMPORT_CUSTOMS,
    Stage.CUSTOMS_CLEARED,
    Stage.IN_TRANSIT,
    Stage.AT_DESTINATION_FACILITY,
    Stage.OUT_FOR_DELIVERY,
    Stage.DELIVERED,
]


def _phrases(registry: Registry) -> dict[tuple[str, Stage], list[str]]:
    out: dict[tuple[str, Stage], list[str]] = {}
    for carrier in registry:
        for rule in carrier.vocabulary.own_rules():
            if rule.phrase and not rule.context and not rule.fallback:
                out.setdefault((carrier.name, rule.stage), []).extend(rule.phrase)
    return out


def events(registry: Registry, n: int, now: datetime, seed: int = 20261120) -> Iterator[TrackingEvent]:
    rng = random.Random(seed)
    phrases = _phrases(registry)
    names = sorted(c.name for c in registry)
    made, i = 0, 0
    while made < n:
        name = names[i % len(names)]
        carrier = registry.get(name)
        plan = INTERNATIONAL if rng.random() < 0.3 else DOMESTIC
        if rng.random() < 0.15:  # not delivered (yet)
            plan = plan[: rng.randrange(1, len(plan) - 1)]
            if rng.random() < 0.2:
                plan = [*plan, Stage.EXCEPTION]
        start = now - timedelta(days=rng.uniform(2, 60))
        when = start
        number = f"{name.upper()}{i:09d}"
        for stage in plan:
            if made >= n:
                return
            texts = phrases.get((name, stage)) or [stage.value]
            yield carrier.make_event(
                tracking_number=number,
                when=when.isoformat(),
                text=rng.choice(texts),
                stage=stage,
                location={"country": "US", "city": f"CITY{rng.randrange(400):03d}"},
            )
            made += 1
            when += timedelta(hours=rng.uniform(2, 30))
        i += 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", type=Path)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--now", default="2026-11-20T12:00:00+00:00")
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now).astimezone(UTC)
    registry = load_carriers()
    with Store(args.db) as store:
        stats = store.ingest(events(registry, args.events, now))
    print(f"{args.db}: {stats.added} events added")


if __name__ == "__main__":
    main()
