"""How the batch path runs a carrier's own flat mapping (`Carrier.event_from_flat`) once per
distinct input instead of once per row.

A flat event splits into parts that depend on different columns:

- the **place** (location columns → the event's location before any text capture, and the country,
  region and ``Z`` rule the time rules get): one *probe* per distinct (city, region, country,
  facility), calling the carrier with no text and recording what it passes to `FlatRecord.when`;
- the **mapping** (code, description, the number's direction, the handoff columns, the facility the
  place yields, and whatever other column the carrier reads from the record): one *template* per
  distinct combination, calling the carrier with that record and a neutral place and time;
- the **time** (`tracklingo.batch.timecols`) and the **number** (cleaned per distinct value).

The event of a row is the template's mapping, the probe's location completed by the template's
captured parts, the row's time and number. Which extra columns a carrier reads is learnt by
recording the keys it looks up in the record; a postal code or a handoff number is carried through
only when the probe shows that the carrier passes it through unchanged. Whatever does not fit (a
probe or template that raises, a carrier that resolves its time without `FlatRecord.when`) sends
its rows to the per-record path, so results never differ from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from tracklingo.batch.schema import json_text
from tracklingo.batch.timecols import TimePlace
from tracklingo.carrier import Carrier
from tracklingo.countries import country_code
from tracklingo.model import Handoff, TrackingEvent
from tracklingo.normalize import FlatRecord
from tracklingo.times import ResolvedTime

__all__ = ["CarrierPlan", "Place", "Template", "key_value"]

_PROBE_TIME: Final = "2000-01-01T12:00:00"
_PROBE_NUMBER: Final = "TRACKLINGOPROBE"
_POSTAL: Final = "TRACKLINGO-POSTAL-PROBE"
_HANDOFF: Final = "TRACKLINGOHANDOFFPROBE"
_MEMO_LIMIT: Final = 1_000_000


class _Recording(FlatRecord):
    """A flat record that remembers the arguments its time was resolved with."""

    seen: list[TimePlace]

    def when(self, *, trust_z: bool, country: str | None = None, region: str | None = None) -> ResolvedTime:
        if country is None and self.country:
            country = country_code(self.country)
        if region is None:
            region = self.region
        self.__dict__.setdefault("seen", []).append(TimePlace(country, region, trust_z))
        # core-v2 removed FlatRecord.when (times now resolve in tracklingo.events): no carrier
        # calls this any more, so every probe finds no place and its rows take the per-record path
        resolved: ResolvedTime = super().when(trust_z=trust_z, country=country, region=region)  # type: ignore[misc]
        return resolved


class _Reads(Mapping[str, Any]):
    """A record's fields that remembers which keys the carrier looked up (all, when iterated)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        self.keys_read: set[str] = set()
        self.iterated = False

    def __getitem__(self, key: str) -> Any:
        self.keys_read.add(key)
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.keys_read.add(key)
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.keys_read.add(key)
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self.iterated = True
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True, slots=True)
class Place:
    """What a carrier makes of one set of location columns."""

    city: str | None
    region: str | None
    country: str | None
    facility: str | None
    time: TimePlace


@dataclass(frozen=True, slots=True)
class Template:
    """Everything of an event that the mapping decides, and the location parts it captured."""

    stage: str
    status: str
    reason: str | None
    match: str
    confidence: float | None
    evidence: tuple[str, ...] | None
    needs_context: str | None
    code: str | None
    description: str
    handoff_carrier: str | None
    #: the row's handoff number is the event's (cleaned); False: the event has none
    handoff_number: bool
    captured: tuple[str | None, str | None, str | None, str | None, str | None]


class CarrierPlan:
    """One carrier's memo of places and templates (kept across batches)."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self.places: dict[tuple[Any, ...], Place | None] = {}
        #: mapping key -> (template, the record it was built from)
        self.templates: dict[tuple[Any, ...], tuple[Template | None, Mapping[str, Any]]] = {}
        #: columns of the record (besides the flat ones) that the mapping reads
        self.reads: set[str] = set()
        self.reads_all = False
        base = type(carrier).direction_of is Carrier.direction_of
        self.has_direction = not (base and carrier.home_country is None)

    def rekey(self, base: int, columns: list[str]) -> None:
        """The carrier reads more columns than the keys hold: extend each key with the values of
        `columns` in the record its template was built from (the first `base` extras were there)."""
        fixed = len(next(iter(self.templates), ())) - base
        self.templates = {
            (*key[:fixed], *(key_value(record.get(c)) for c in columns)): (template, record)
            for key, (template, record) in self.templates.items()
        }

    def direction(self, number: str) -> str | None:
        """The number's direction, as the carrier's mapping sees it."""
        return self.carrier.direction_of(number) if self.has_direction else None

    def place(
        self, city: str | None, region: str | None, country: str | None, facility: str | None
    ) -> Place | None:
        """The place of these location columns (None: the carrier does not fit the plan here)."""
        key = (city, region, country, facility)
        try:
            return self.places[key]
        except KeyError:
            pass
        if len(self.places) >= _MEMO_LIMIT:
            self.places.clear()
        rec = _Recording(
            self.carrier.name,
            _PROBE_NUMBER,
            _PROBE_TIME,
            None,
            None,
            city,
            region,
            _POSTAL,
            country,
            facility,
        )
        found: Place | None = None
        try:
            event = self.carrier.event_from_flat(rec, include_raw=False)
        except Exception:  # the per-record path reports it for each row
            event = None
        seen = rec.__dict__.get("seen", [])
        if event is not None and len(seen) == 1 and event.location.postal_code == _POSTAL:
            loc = event.location
            found = Place(loc.city, loc.region, loc.country, loc.facility, seen[0])
        self.places[key] = found
        return found

    def template(
        self,
        number: str,
        code: str | None,
        description: str | None,
        facility: str | None,
        handoff_carrier: str | None,
        handoff_number: bool,
        record: Mapping[str, Any],
    ) -> tuple[Template | None, set[str] | None]:
        """The mapping of one record (its place reduced to `facility`), and the keys of `record`
        the carrier read (None: it read them all)."""
        reads = _Reads(record)
        rec = FlatRecord(
            self.carrier.name,
            number,
            _PROBE_TIME,
            code,
            description,
            None,
            None,
            None,
            None,
            facility,
            None,
            handoff_carrier,
            _HANDOFF if handoff_number else None,
            reads,
        )
        try:
            event = self.carrier.event_from_flat(rec, include_raw=False)
        except Exception:
            return None, reads.keys_read if not reads.iterated else None
        return _template(event, facility, handoff_number), reads.keys_read if not reads.iterated else None


def key_value(value: Any) -> Any:
    """A record's value as it stands in a mapping key (JSON text when not hashable)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json_text(value)


def _template(event: TrackingEvent, facility: str | None, handoff_number: bool) -> Template | None:
    handoff = event.handoff
    carried = False
    if handoff is not None and handoff.tracking_number is not None:
        if not handoff_number or handoff.tracking_number != _clean_handoff(_HANDOFF):
            return None  # a handoff number the carrier made up or changed: per record
        carried = True
    loc = event.location
    if loc.facility != facility and facility is not None:
        return None
    return Template(
        stage=event.stage.value,
        status=event.status.value,
        reason=event.reason.value if event.reason is not None else None,
        match=event.match.value,
        confidence=event.confidence,
        evidence=event.evidence,
        needs_context=event.needs_context,
        code=event.code,
        description=event.description,
        handoff_carrier=handoff.carrier if handoff is not None else None,
        handoff_number=carried,
        captured=(loc.city, loc.region, loc.postal_code, loc.country, loc.facility),
    )


def _clean_handoff(number: str) -> str | None:
    return Handoff(carrier="x", tracking_number=number).tracking_number
