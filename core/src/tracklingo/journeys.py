"""Journeys: events grouped into one shipment, joined across handoffs, deduplicated and ordered.

Legs are (carrier, tracking number) pairs. Two legs are one journey when an event of one names the
other as its `handoff`, or when they share a valid UPU S10 number (the origin post and the
destination post track the same item). Events are deduplicated by `TrackingEvent.dedup_key` and
ordered by time, timezone-correctly; a naive local time is ordered as if it were UTC (it is flagged
`time_is_local` on the event), and an undated event is kept next to its neighbours in the order the
carrier reported it. Direction-dependent events (`needs_context="direction"`) are resolved here from
the journey's origin and destination countries when the carrier has a home country.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Final, TypeAlias

from pydantic import BaseModel, ConfigDict

from tracklingo.carrier import Carrier
from tracklingo.checkdigits import parse_s10
from tracklingo.events import with_direction
from tracklingo.model import TrackingEvent
from tracklingo.taxonomy import INTERNATIONAL_STAGES, Stage
from tracklingo.times import order_key

__all__ = ["Journey", "Leg", "LegKey", "build_journeys", "link_legs"]

#: A leg as (carrier, tracking number).
LegKey: TypeAlias = tuple[str, str]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class Leg(BaseModel):
    """One carrier's part of a journey."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    carrier: str
    tracking_number: str


class Journey(BaseModel):
    """One shipment, possibly across carriers."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    legs: list[Leg]
    events: list[TrackingEvent]
    origin_country: str | None = None
    destination_country: str | None = None

    @property
    def key(self) -> str:
        """``carrier:number`` of the first leg: a stable id for the shipment."""
        first = self.legs[0]
        return f"{first.carrier}:{first.tracking_number}"

    @property
    def current(self) -> TrackingEvent | None:
        """The latest event (by time; undated events by their place in the carrier's order)."""
        return self.events[-1] if self.events else None

    @property
    def tracking_numbers(self) -> list[str]:
        return list(dict.fromkeys(leg.tracking_number for leg in self.legs))

    @property
    def is_international(self) -> bool | None:
        """True/False when both countries are known and differ/match; None when unknown."""
        if self.origin_country and self.destination_country:
            return self.origin_country != self.destination_country
        if any(e.stage in INTERNATIONAL_STAGES for e in self.events):
            return True
        return None


def link_legs(legs: Iterable[LegKey], handoffs: Iterable[tuple[LegKey, LegKey]] = ()) -> dict[LegKey, LegKey]:
    """Which legs are one journey: every leg (and every handoff's end) → the smallest leg of its
    group. Two legs are joined by a handoff (an event of one names the other) or by sharing a
    valid UPU S10 number (the origin post and the destination post track the same item).

    The one linking rule: `build_journeys` and the store (`Store.journeys`) both use it."""
    parent: dict[LegKey, LegKey] = {}

    def find(x: LegKey) -> LegKey:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: LegKey, b: LegKey) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    s10_first: dict[str, LegKey] = {}
    for leg in legs:
        find(leg)
        s10 = parse_s10(leg[1])
        if s10 is not None and s10.valid:
            union(s10_first.setdefault(s10.number, leg), leg)
    for a, b in handoffs:
        union(a, b)
    return {leg: find(leg) for leg in parent}


def _order(events: list[TrackingEvent]) -> list[TrackingEvent]:
    """Order one leg's events by time; an undated event sorts just after its older neighbour
    (parsers return a shipment's events oldest first: the adapter contract)."""
    keyed: list[tuple[datetime, int, TrackingEvent]] = []
    last = _EPOCH
    for i, event in enumerate(events):
        if event.occurred_at is not None:
            last = order_key(event.occurred_at)
        keyed.append((last, i, event))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [k[2] for k in keyed]


def _merge_sorted(legs: list[list[TrackingEvent]]) -> list[TrackingEvent]:
    def key(item: tuple[int, int, TrackingEvent]) -> tuple[datetime, int, int]:
        leg, pos, event = item
        when = event.occurred_at
        if when is None:  # take the previous event's time in its leg
            prev = [e.occurred_at for e in legs[leg][:pos] if e.occurred_at is not None]
            when = prev[-1] if prev else _EPOCH
        return (order_key(when), leg, pos)

    items = [(li, pi, e) for li, leg in enumerate(legs) for pi, e in enumerate(leg)]
    items.sort(key=key)
    return [e for _, _, e in items]


def _countries(legs: list[tuple[str, str]], events: list[TrackingEvent]) -> tuple[str | None, str | None]:
    origin = None
    for _, number in legs:
        s10 = parse_s10(number)
        if s10 is not None and s10.valid:
            origin = s10.country
            break
    with_country = [e.location.country for e in events if e.location.country]
    if origin is None and with_country:
        origin = with_country[0]
    destination = with_country[-1] if with_country else None
    delivered = [
        e.location.country
        for e in events
        if e.location.country and e.stage in (Stage.DELIVERED, Stage.OUT_FOR_DELIVERY)
    ]
    if delivered:
        destination = delivered[-1]
    return origin, destination


def _resolve_context(
    event: TrackingEvent,
    carrier: Carrier | None,
    origin: str | None,
    destination: str | None,
) -> TrackingEvent:
    if event.needs_context != "direction" or carrier is None or carrier.home_country is None:
        return event
    home = carrier.home_country
    if destination == home and origin not in (None, home):
        direction = "inbound"
    elif origin == home and destination not in (None, home):
        direction = "outbound"
    else:
        return event
    return with_direction(carrier, event, direction)


def build_journeys(
    events: Iterable[TrackingEvent],
    carriers: Mapping[str, Carrier] | Iterable[Carrier] | None = None,
) -> list[Journey]:
    """Group events into journeys (see the module docstring). `carriers` (a registry or mapping)
    lets direction-dependent events be resolved; without it they are left as they are."""
    by_name: dict[str, Carrier] = {}
    if carriers is not None:
        by_name = dict(carriers) if isinstance(carriers, Mapping) else {c.name: c for c in carriers}
    per_leg: dict[LegKey, list[TrackingEvent]] = {}
    handoffs: list[tuple[LegKey, LegKey]] = []
    seen: set[tuple[str, str, str, str, str]] = set()
    for event in events:
        key = event.dedup_key
        if key in seen:
            continue
        seen.add(key)
        leg = (event.carrier, event.tracking_number)
        per_leg.setdefault(leg, []).append(event)
        if event.handoff is not None and event.handoff.tracking_number:
            handoffs.append((leg, (event.handoff.carrier, event.handoff.tracking_number)))
    roots = link_legs(per_leg, handoffs)
    groups: dict[LegKey, list[LegKey]] = {}
    for leg in per_leg:
        groups.setdefault(roots[leg], []).append(leg)
    journeys = []
    for legs in groups.values():
        ordered_legs = [_order(per_leg[leg]) for leg in legs]
        merged = _merge_sorted(ordered_legs)
        # legs in the order their first event happened
        first_seen = {(e.carrier, e.tracking_number): i for i, e in reversed(list(enumerate(merged)))}
        legs_sorted = sorted(legs, key=lambda lg: first_seen.get(lg, 0))
        origin, destination = _countries(legs_sorted, merged)
        resolved = [_resolve_context(e, by_name.get(e.carrier), origin, destination) for e in merged]
        journeys.append(
            Journey(
                legs=[Leg(carrier=c, tracking_number=n) for c, n in legs_sorted],
                events=resolved,
                origin_country=origin,
                destination_country=destination,
            )
        )
    journeys.sort(key=lambda j: j.key)
    return journeys
