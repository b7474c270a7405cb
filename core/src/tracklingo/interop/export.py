"""Export: canonical events and journeys as a peer's statuses (AfterShip, 17TRACK, EasyPost, Shippo).

>>> from tracklingo.interop import export_event                      # doctest: +SKIP
>>> export_event(event, "aftership").fields                          # doctest: +SKIP
{'tag': 'InTransit', 'subtag': 'InTransit_005', 'subtag_message': 'Customs clearance completed'}

Where the peer has no equivalent, the nearest published code is given with ``lossy=True`` and
`lost` saying what the peer's code cannot express; an event's reason that the peer's code does not
carry is reported there too. Only codes the peer publishes with a meaning are ever emitted (the
maps in ``tracklingo/data/interop/`` list them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from tracklingo.interop.peers import load_peer
from tracklingo.journeys import Journey, build_journeys
from tracklingo.model import TrackingEvent
from tracklingo.plugins import Registry
from tracklingo.taxonomy import Reason, Stage

__all__ = ["ExportedEvent", "ExportedJourney", "PeerStatus", "export_event", "export_journeys", "peer_status"]


class PeerStatus(BaseModel):
    """A canonical stage (and reason) as one peer status.

    `fields` are the peer's own field names and values (AfterShip ``tag``/``subtag``/
    ``subtag_message``, 17TRACK ``status``/``sub_status``, EasyPost ``status``/``status_detail``,
    Shippo ``status``/``substatus``); `lossy` is True when the code cannot express everything the
    canonical event says, and `lost` lists what.
    """

    model_config = ConfigDict(defer_build=True, frozen=True)

    peer: str
    fields: dict[str, str]
    lossy: bool = False
    lost: list[str] = []
    source: str


class ExportedEvent(BaseModel):
    """One canonical event with its peer status."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    carrier: str
    tracking_number: str
    occurred_at: datetime | None
    stage: Stage
    reason: Reason | None
    code: str | None
    description: str
    peer: PeerStatus


class ExportedJourney(BaseModel):
    """A shipment (journey) with its current peer status and every event's."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    key: str
    tracking_numbers: list[str]
    current: PeerStatus
    current_stage: Stage
    events: list[ExportedEvent]


def peer_status(peer: str, stage: Stage | str, reason: Reason | str | None = None) -> PeerStatus:
    """`stage` and `reason` as `peer`'s status (see the module docstring)."""
    pmap = load_peer(peer)
    stage = Stage(stage)
    reason = Reason(reason) if reason else None
    rule, reason_kept = pmap.export_rule(stage, reason)
    lost = [rule.lost] if rule.lost else []
    if reason is not None and not reason_kept:
        lost.append(f"reason {reason.value}")
    return PeerStatus(
        peer=pmap.peer,
        fields=dict(rule.code.fields),
        lossy=bool(lost),
        lost=lost,
        source=rule.code.source,
    )


def export_event(event: TrackingEvent, peer: str) -> ExportedEvent:
    """One canonical event as `peer`'s status."""
    return ExportedEvent(
        carrier=event.carrier,
        tracking_number=event.tracking_number,
        occurred_at=event.occurred_at,
        stage=event.stage,
        reason=event.reason,
        code=event.code,
        description=event.description,
        peer=peer_status(peer, event.stage, event.reason),
    )


def _current(journey: Journey) -> TrackingEvent | None:
    """The journey's state: its latest event whose stage is known (an unmapped last scan does not
    erase what was known before it); the latest event when none is known."""
    for event in reversed(journey.events):
        if event.stage is not Stage.UNKNOWN:
            return event
    return journey.current


def export_journeys(
    events: Iterable[TrackingEvent], peer: str, registry: Registry | None = None
) -> Iterator[ExportedJourney]:
    """Group `events` into journeys (`tracklingo.journeys.build_journeys`) and export each: its
    current state and every event, as `peer`'s statuses."""
    load_peer(peer)  # fail early on an unknown peer
    for journey in build_journeys(events, registry):
        current = _current(journey)
        if current is None:
            continue
        yield ExportedJourney(
            key=journey.key,
            tracking_numbers=journey.tracking_numbers,
            current=peer_status(peer, current.stage, current.reason),
            current_stage=current.stage,
            events=[export_event(e, peer) for e in journey.events],
        )


def to_json(item: ExportedJourney | ExportedEvent | PeerStatus) -> dict[str, Any]:
    """JSON-ready dict (no `None` fields)."""
    return item.model_dump(mode="json", exclude_none=True)
