"""How the batch path runs a carrier's flat reading (`Carrier.read_flat`) and the core's event
builder once per distinct input instead of once per row.

A flat record becomes an event in two steps: the adapter's `read_flat` (the record's columns as a
`Scan`, in the carrier's words) and the core's builder (`tracklingo.events`: the words through the
mapper, the place through `locate`, the time through the time rules, the number cleaned). The
batch path splits both along the columns each part depends on:

- **the reading's wiring**: `read_flat` once per distinct (code, description, handoff columns, and
  every other column the adapter was seen to read from the record, recorded as it reads), with
  the place columns, the number, the time and the offset replaced by markers. The scan it returns
  says which place part comes from which column, that the time and the offset are the row's own,
  and what the words are; anything else (a marker in the words, a made-up time, a direction, a
  shipment-level handoff) leaves those rows to the per-record path;
- **the place**: the builder's `place` once per distinct place (the postal code carried through
  when the place shows it passes unchanged);
- **the words**: the builder's `mapped` once per distinct (words, facility); a mapping that waits
  for the shipment's direction is mapped again with the direction the number gives (per distinct
  number and words), as the builder does for a one-scan shipment;
- the location completed by the captured parts (`with_captured`) per distinct (place, words).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from tracklingo.batch.schema import json_text
from tracklingo.carrier import Carrier
from tracklingo.events import builder_for, direction_of
from tracklingo.mapping import Mapped
from tracklingo.model import Handoff, Location
from tracklingo.normalize import FlatRecord
from tracklingo.places import with_captured
from tracklingo.scans import Place, Shipment

__all__ = ["CarrierPlan", "Wiring", "key_value"]

_NUMBER: Final = "TRACKLINGOPROBENUMBER"
_TIME: Final = "TRACKLINGO-PROBE-TIME"
_OFFSET: Final = "TRACKLINGO-PROBE-OFFSET"
_POSTAL: Final = "TRACKLINGO-PROBE-POSTAL"
#: the place columns of a flat record, as `FlatRecord` holds them, and their markers
PLACE_COLUMNS: Final = ("city", "region", "postal_code", "country", "facility")
_MARKERS: Final = {name: f"TRACKLINGO-PROBE-{name.upper()}" for name in PLACE_COLUMNS}
_BY_MARKER: Final = {marker: name for name, marker in _MARKERS.items()}
_MEMO_LIMIT: Final = 1_000_000
_UNSEEN: Final = object()


class _Reads(Mapping[str, Any]):
    """A record's fields that remembers which keys the adapter looked up (all, when iterated)."""

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
class Wiring:
    """What `read_flat` makes of one record's words: the scan's word fields, where each place part
    comes from (a column name, or a value), and the scan's own handoff."""

    words: tuple[Any, ...]
    place: tuple[tuple[str | None, Any], ...]  # (column, None) or (None, value), per Place field
    offset_column: bool  # the scan's offset is the row's utc_offset (else None)
    handoff: Handoff | None


def key_value(value: Any) -> Any:
    """A record's value as it stands in a key (JSON text when not hashable)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json_text(value)


class CarrierPlan:
    """One carrier's memo of wirings, places and mappings (kept across batches)."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self.builder = builder_for(carrier)
        self.rules = self.builder.rules
        #: wiring key -> (wiring or None, the record it was read from)
        self.wirings: dict[tuple[Any, ...], tuple[Wiring | None, Mapping[str, Any]]] = {}
        self.places: dict[tuple[Any, ...], tuple[Location, str | None] | None] = {}
        self.mapped: dict[tuple[Any, ...], Mapped | None] = {}
        self.located: dict[tuple[int, int], Location] = {}
        self.directions: dict[tuple[Any, ...], Mapped | None] = {}
        self.numbers: dict[str, str | None] = {}
        #: columns of the record (besides the flat ones) that `read_flat` reads
        self.reads: set[str] = set()
        self.reads_all = False

    def rekey(self, base: int, columns: list[str]) -> None:
        """The adapter reads more columns than the keys hold: extend each key with the values of
        `columns` in the record its wiring was read from (the first `base` extras were there)."""
        fixed = len(next(iter(self.wirings), ())) - base
        self.wirings = {
            (*key[:fixed], *(key_value(record.get(c)) for c in columns)): (wiring, record)
            for key, (wiring, record) in self.wirings.items()
        }

    def wiring(
        self,
        code: str | None,
        description: str | None,
        handoff_carrier: str | None,
        handoff_number: str | None,
        record: Mapping[str, Any],
    ) -> tuple[Wiring | None, set[str] | None]:
        """How `read_flat` reads a record with these words (its place, number and time marked),
        and the keys of `record` it read (None: all)."""
        reads = _Reads(record)
        city, region, postal, country, facility = (_MARKERS[name] for name in PLACE_COLUMNS)
        rec = FlatRecord(
            self.carrier.name, _NUMBER, _TIME, code, description, city, region, postal, country, facility,
            _OFFSET, handoff_carrier, handoff_number, reads,
        )  # fmt: skip
        read = None if reads.iterated else reads.keys_read
        try:
            shipment = self.carrier.read_flat(rec)
        except Exception:  # the per-record path reports it for each row
            return None, read
        read = None if reads.iterated else reads.keys_read
        return _wiring(shipment), read

    def place(self, values: tuple[Any, ...]) -> tuple[Location, str | None] | None:
        """The builder's location (and facility) of a place tuple; None when it cannot be read."""
        try:
            return self.places[values]
        except KeyError:
            pass
        if len(self.places) >= _MEMO_LIMIT:
            self.places.clear()
        try:
            found: tuple[Location, str | None] | None = self.builder.place(Place(*values))
        except Exception:
            found = None
        self.places[values] = found
        return found

    def words(self, words: tuple[Any, ...], facility: str | None) -> Mapped | None:
        """The builder's mapping of a scan's words (None: it waits for a direction, or fails)."""
        key = (words, facility)
        try:
            return self.mapped[key]
        except KeyError:
            pass
        if len(self.mapped) >= _MEMO_LIMIT:
            self.mapped.clear()
        try:
            found: Mapped | None = self.builder.mapped(words, None, facility)
        except Exception:
            found = None
        self.mapped[key] = found
        return found

    def waits(self, mapped: Mapped | None) -> bool:
        """Whether the builder works `mapped`'s direction out from the shipment (see `directed`)."""
        return mapped is not None and mapped.needs_context == "direction" and self.builder.home is not None

    def directed(self, words: tuple[Any, ...], facility: str | None, direction: str) -> Mapped | None:
        """The builder's mapping of words that wait for the direction, once the shipment's number
        gave it (a one-scan flat record has no origin or destination, and one country only, so
        `direction_of` answers from its number alone, as the builder does)."""
        key = (words, facility, direction)
        try:
            return self.directions[key]
        except KeyError:
            pass
        if len(self.directions) >= _MEMO_LIMIT:
            self.directions.clear()
        try:
            found: Mapped | None = self.builder.mapped(words, direction, facility)
        except Exception:
            found = None
        self.directions[key] = found
        return found

    def direction(self, number: str) -> str | None:
        """The direction of a one-scan flat record's shipment from its (clean) number."""
        found = self.numbers.get(number, _UNSEEN)
        if found is _UNSEEN:
            if len(self.numbers) >= _MEMO_LIMIT:
                self.numbers.clear()
            home = self.builder.home
            found = self.numbers[number] = direction_of(home, number) if home is not None else None
        return found  # type: ignore[return-value]

    def location(self, place_id: int, location: Location, mapped_id: int, mapped: Mapped) -> Location:
        """`location` completed by what the words captured (per place and mapping)."""
        if not mapped.captured:
            return location
        key = (place_id, mapped_id)
        found = self.located.get(key)
        if found is None:
            if len(self.located) >= _MEMO_LIMIT:
                self.located.clear()
            found = self.located[key] = with_captured(location, mapped.captured)
        return found


def _wiring(shipment: Any) -> Wiring | None:
    """The wiring of a marked record's reading, or None when it is not a plain one-scan reading of
    the record's own place, number and time."""
    if (
        shipment.__class__ is not Shipment
        or len(shipment.scans) != 1
        or shipment.number != _NUMBER
        or shipment.direction is not None
        or shipment.origin is not None
        or shipment.destination is not None
        or shipment.handoff is not None
        or shipment.choice is not None
    ):
        return None
    scan = shipment.scans[0]
    if len(scan) != 16:
        return None
    words = tuple(scan[:9])
    place, time, offset, utc_time, note, handoff, raw = scan[9:16]
    if (
        time != _TIME
        or offset not in (_OFFSET, None)
        or utc_time is not None
        or note is not None
        or raw is not None
    ):
        return None
    markers = (*_MARKERS.values(), _NUMBER, _TIME, _OFFSET)
    try:
        if any(isinstance(w, str) and w in markers for w in words) or hash(words) is None:
            return None
    except TypeError:
        return None
    if place is None or not isinstance(place, tuple) or len(place) != len(Place._fields):
        return None
    wired: list[tuple[str | None, Any]] = []
    for value in place:
        if isinstance(value, str) and value in _BY_MARKER:
            wired.append((_BY_MARKER[value], None))
        elif isinstance(value, str) and any(m in value for m in markers):
            return None  # a marker made into something else: the place needs the row
        else:
            wired.append((None, value))
    if handoff is not None and not isinstance(handoff, Handoff):
        return None
    return Wiring(words, tuple(wired), offset == _OFFSET, handoff)


POSTAL_MARKER: Final = _POSTAL
