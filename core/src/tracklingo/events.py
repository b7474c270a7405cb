"""The event builder: what an adapter read (`tracklingo.scans.Reading`) becomes canonical events.

The one path from a carrier's words to a `TrackingEvent`, for API responses and flat feed records
alike. For each `Shipment` of a reading:

1. the tracking number is read (a string, or an integer's exact digits) and cleaned
   (`clean_tracking_number`);
2. the scans are put oldest first (the reading says whether the response lists them newest first,
   or in no reliable order: then they are sorted by time);
3. each scan's `Place` becomes a `Location` (`tracklingo.places.locate`);
4. the shipment's direction is worked out for a carrier with a home country (`direction_of`);
5. each scan's words go through the mapper (`tracklingo.mapping`), its time through the time rules
   (`tracklingo.times.scan_time`), and the event is assembled: the handoff of the shipment goes on
   the events whose stage is `handed_to_last_mile`, a scan's own handoff on that scan.

A scan that cannot be read (a value of the wrong type) makes its shipment a `NumberError`; the
other shipments of the response are kept. Shipments that are alternatives for one parcel (the same
`Shipment.choice`) give one result (`pick`).

**The memo.** A feed repeats itself: the same texts at the same places, thousands of times a day.
The builder keeps, per carrier, what a scan's words mean (keyed by exactly the words, the
direction and the one facility the vocabulary may read: `Mapped`), what a place is (keyed by the
`Place`), and the two combined (keyed by words, direction and place). Adapters write nothing for
it, and no key can miss an input: the mapper receives nothing else. Every memo is bounded. Once
one has filled up (places that rarely repeat), and for feed records' scans from the start (a feed
is a stream of one-scan records, most of whose place-and-words combinations never come again), a
place or scan is memoised only the second time it is seen; until then only its hash is kept (an
int the garbage collector never visits), so one-offs fill no memo. A feed record's place is
memoised at once until then: a feed's places repeat far more than its scans, and a feed whose
places do not repeat stops consulting the place memo (below).

**Feeds that do not repeat.** Keying a record costs hashing it (twice: the lookup, then the
sighting); on a feed whose places never come back, that is pure cost. So for feed records the
place memo and the scan memo each measure their own hit rate (`_Gate`): over a probe of
`PROBE` records, a memo that answers fewer than one in `PAYS` is not consulted for the next
`PROBE * REST` records (doubling, up to `PROBE * REST_MAX`, while it keeps not paying), then
probed again. The words memo (`Mapped`, keyed by words only) always pays and is always used.
Events are assembled from parts that already satisfy the model (enums, a `Location`, a cleaned
number, a time from the time rules, strings), without running pydantic's validator again
(`tracklingo._construct`); the conformance kit checks, on every adapter's fixtures and on mutated
ones, that the result is the same with the memo off.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from tracklingo._construct import new_event
from tracklingo.checkdigits import clean_tracking_number, parse_s10
from tracklingo.countries import country_code
from tracklingo.errors import InputError, ParseError
from tracklingo.fields import FieldError, number_of, text_of
from tracklingo.mapping import Mapped, Mapper, Words
from tracklingo.model import Handoff, Location, TrackingEvent
from tracklingo.openworld.layer import join as join_open_world
from tracklingo.places import city_names, country_of, locate, with_captured
from tracklingo.scans import PLACE_SIZE, SCAN_SIZE, NumberError, Place, Reading, Scan, Shipment
from tracklingo.taxonomy import MatchKind, Stage
from tracklingo.times import TimeRules, fast_time, order_key, scan_time

if TYPE_CHECKING:
    from tracklingo.carrier import Carrier

__all__ = [
    "ParseResult",
    "builder_for",
    "clear_memo",
    "direction_of",
    "mapper_for",
    "memo_disabled",
    "pick",
    "with_direction",
]

MEMO_SIZE: Final = 4096
SEEN_SIZE: Final = 65536
PROBE: Final = 1024  # feed records over which a memo's hit rate is measured (`_Gate`)
PAYS: Final = 8  # a memo answering fewer than one probe in PAYS is skipped for a while
REST: Final = 8  # ... for PROBE * REST records, doubling while it keeps not paying,
REST_MAX: Final = 64  # up to PROBE * REST_MAX
_OWN_RAW: Final[Any] = object()  # `Builder.shipment`: each event's raw is its scan's
# A scan's fields by position: a `Scan`, or its fields as a plain tuple (`tracklingo.scans.ScanTuple`).
_PLACE, _TIME, _UTC_OFFSET, _UTC_TIME, _TIME_NOTE, _HANDOFF, _RAW = (
    Scan._fields.index(name)
    for name in ("place", "time", "utc_offset", "utc_time", "time_note", "handoff", "raw")
)
_SCAN_TYPES: Final = (Scan, tuple)
_DIRECTIONS: Final = frozenset({"inbound", "outbound"})


@dataclass(slots=True, init=False)
class ParseResult:
    """What `Carrier.parse` returns: the events (each shipment's oldest first) and the numbers
    the response could not track."""

    events: list[TrackingEvent]
    errors: list[NumberError]

    def __init__(
        self, events: list[TrackingEvent] | None = None, errors: list[NumberError] | None = None
    ) -> None:
        self.events = events if events is not None else []
        self.errors = errors if errors is not None else []


class _Unreadable(Exception):
    """A shipment that cannot be read: it becomes a `NumberError` with this message."""


class _Gate:
    """Whether one memo is worth consulting for feed records, measured as the feed goes (see the
    module docstring). `on`: consult it (and count: `tried`); off: skip it, counting `left`
    down, then `wake`."""

    __slots__ = ("hits", "left", "on", "rest")

    def __init__(self) -> None:
        self.on = True
        self.left = PROBE  # records left in this probe (on) or this rest (off)
        self.hits = 0
        self.rest = REST

    def tried(self, hit: bool) -> None:
        """A feed record was looked up (`hit`: the memo knew it)."""
        if hit:
            self.hits += 1
        self.left -= 1
        if self.left <= 0:
            if self.hits * PAYS >= PROBE:  # it pays: probe on
                self.rest = REST
                self.left = PROBE
            else:  # it does not: rest, longer each time
                self.on = False
                self.left = PROBE * self.rest
                self.rest = min(self.rest * 2, REST_MAX)
            self.hits = 0

    def wake(self) -> None:
        """The rest is over (`left` counted down to 0 by the feed records that went past the
        memo without a lookup): probe again."""
        self.on = True
        self.left = PROBE


class Builder:
    """One carrier's event builder and its memos (get it with `builder_for`)."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self.name = carrier.name
        self.home = carrier.home_country
        self.mapper = Mapper(carrier.vocabulary)
        join_open_world(self.mapper)  # after the carrier's rules: texts no rule knows (issue 15)
        time_name, utc_name = carrier.time_names
        self.rules = TimeRules(carrier.display_name, carrier.trusts_z, carrier.midnight, time_name, utc_name)
        self.enabled = True
        self._events: dict[Any, tuple[dict[str, Any], bool, str | None, str | None, bool]] = {}
        self._mapped: dict[Any, Mapped] = {}
        self._places: dict[Any, tuple[Location, str | None]] = {}
        self._seen: set[int] = set()  # hashes of places and scans seen once (`_again`)
        self.picky = False  # a memo has filled up: memoise places and scans on a second sighting
        self._event_gate = _Gate()  # for feed records: whether the scan memo pays
        self._place_gate = _Gate()  # ... and the place memo
        self.mapper.watch(self.clear)  # a layer added or switched: every memoised answer may change

    # -- memo ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every memoised mapping and place."""
        self._events.clear()
        self._mapped.clear()
        self._places.clear()
        self._seen.clear()
        self.picky = False
        self._event_gate = _Gate()
        self._place_gate = _Gate()

    def memo_size(self) -> int:
        """How many entries the memos hold (each bounded by `MEMO_SIZE`)."""
        return len(self._events) + len(self._mapped) + len(self._places)

    def _put(self, memo: dict[Any, Any], key: Any, value: Any) -> None:
        if len(memo) >= MEMO_SIZE:
            # feeds repeat a few thousand keys: a rare full reset beats an LRU per scan
            memo.clear()
            if memo is not self._mapped:  # many places: from now on a place or scan gets in
                self._events.clear()  # only when it repeats (`_again`)
                self._places.clear()
                self.picky = True
        memo[key] = value

    def _again(self, key: Any, feed: bool) -> bool:
        """Whether to memoise `key` (a place, a scan) now: always, until a memo has filled up
        (`picky`); then, and for a feed record (`feed`) from the start, only when it was seen
        before (the first sighting keeps only its hash)."""
        if not (self.picky or feed):
            return True
        seen = self._seen
        digest = hash(key)
        if digest in seen:
            return True
        if len(seen) >= SEEN_SIZE:
            seen.clear()
        seen.add(digest)
        return False

    # -- parts ---------------------------------------------------------------------------------

    def place(self, place: Place | tuple[Any, ...] | None, feed: bool = False) -> tuple[Location, str | None]:
        """The `Location` of a place, and its facility when the vocabulary reads facilities
        (`Options.text_with_facility`) and this one matches. `feed`: a feed record's (`_Gate`;
        memoised as an API response's place is, `_again`)."""
        gate = self._place_gate
        if feed and not gate.on:  # a feed whose places do not repeat: no key, no hash
            gate.left -= 1
            if gate.left <= 0:  # <=: threads sharing a builder may race past 0
                gate.wake()
            found, key_ok = None, False
        else:
            try:
                found = self._places.get(place) if self.enabled else None
                key_ok = True
            except TypeError:  # a part that cannot be a key (a list): `locate` says what is wrong
                found, key_ok = None, False
            if feed:
                gate.tried(found is not None)
        if found is None:
            location = locate(place, self.home, memo=False)
            regex = self.mapper.facility_regex
            facility = location.facility if regex is not None and location.facility else None
            if facility is not None and regex is not None and regex.search(facility) is None:
                facility = None
            found = (location, facility)
            if self.enabled and key_ok and self._again(place, False):
                self._put(self._places, place, found)
        return found

    def mapped(self, words: tuple[Any, ...], direction: str | None, facility: str | None) -> Mapped:
        """The mapper's answer for a scan's raw word fields (see `tracklingo.mapping`)."""
        key = (words, direction, facility)
        try:
            found = self._mapped.get(key) if self.enabled else None
            key_ok = True
        except TypeError:  # a word that cannot be a key (a list): `Words.clean` says what is wrong
            found, key_ok = None, False
        if found is None:
            found = self.mapper.map(Words.clean(words), direction, facility)
            if self.enabled and key_ok:
                self._put(self._mapped, key, found)
        return found

    def _template(
        self, scan: Scan | tuple[Any, ...], direction: str | None, location: Location, facility: str | None
    ) -> tuple[dict[str, Any], bool, str | None, str | None, bool]:
        mapped = self.mapped(scan[:9], direction, facility)
        if mapped.captured:
            location = with_captured(location, mapped.captured)
        fields = {  # every field of TrackingEvent, in declaration order
            "carrier": self.name,
            "tracking_number": "",
            "occurred_at": None,
            "time_is_local": False,
            "time_note": None,
            "stage": mapped.stage,
            "status": mapped.status,
            "reason": mapped.reason,
            "location": location,
            "code": mapped.code,
            "description": mapped.description,
            "handoff": None,
            "match": mapped.match,
            "confidence": mapped.confidence,
            "evidence": mapped.evidence,
            "needs_context": mapped.needs_context,
            "raw": None,
        }
        return (
            fields,
            mapped.stage is Stage.HANDED_TO_LAST_MILE,
            location.country,
            location.region,
            mapped.needs_context == "direction",
        )

    # -- shipments -----------------------------------------------------------------------------

    def shipment(
        self, shipment: Shipment, *, strict: bool = False, raw: Any = _OWN_RAW
    ) -> list[TrackingEvent]:
        """The events of one shipment (see the module docstring). `strict`: a feed record, whose
        unusable time is an `InputError` (a reject) rather than an undated event; `raw`: every
        event's `raw` (a feed record's), instead of its scan's.

        The direction is worked out only when an event's rule depends on it (few do): every
        scan is mapped without one first (with the shipment's own, when it says one), and a
        mapping that does not ask for the direction is the same with any."""
        number = shipment.number
        if number.__class__ is not str or not number.isdigit() or not number.isascii():
            number = _number(number)  # the usual number (all ASCII digits) is already clean
        scans = shipment.scans
        if scans.__class__ is not list and (
            not isinstance(scans, Sequence) or isinstance(scans, str | bytes)
        ):
            raise _Unreadable(f"the scans of shipment {number} are not a list")
        if shipment.newest_first:
            scans = scans[::-1]
        handoff = shipment.handoff
        if handoff is not None and not isinstance(handoff, Handoff):
            raise _Unreadable(f"the handoff of shipment {number} is not a tracklingo Handoff")
        hint = shipment.direction
        if hint is not None and hint not in _DIRECTIONS:
            raise _Unreadable(f"shipment {number}: direction {hint!r} is neither 'inbound' nor 'outbound'")
        home = _home(shipment) if shipment.origin is not None else None
        if home is None and (shipment.origin is not None or shipment.destination is not None):
            scans = _at_named_ends(scans, shipment)
        sort = shipment.sort_by_time
        every = range(len(scans))
        given = hint if self.home is not None else None  # the shipment says its direction
        out, pending, ordered = self._build(scans, every, number, given, handoff, home, strict, sort, raw)
        if pending and self.home is not None and given is None:
            direction = self._direction(shipment, number, scans)
            if direction is not None:
                redone, _, _ = self._build(
                    scans, pending, number, direction, handoff, home, strict, False, raw
                )
                for i, event in zip(pending, redone, strict=True):
                    out[i] = event
        if sort and not ordered:
            out.sort(key=_sort_key)
        return out

    def _build(
        self,
        scans: Sequence[Any],
        indices: Sequence[int],
        number: str,
        direction: str | None,
        handoff: Handoff | None,
        home: str | None,
        strict: bool,
        check_order: bool,
        raw: Any = _OWN_RAW,
    ) -> tuple[list[TrackingEvent], list[int], bool]:
        """The events of the scans at `indices`, the indices of those whose mapping waits for
        the direction, and (if `check_order`, else False) whether the events are in time order
        (every time aware, none decreasing: sorting would change nothing). Neighbours whose
        times are written ``YYYY-MM-DDTHH:MM:SS±HH:MM`` with the same offset are compared as
        text (the same order, far cheaper than comparing aware times)."""
        memo = self._events if self.enabled else {}
        gate = self._event_gate if strict else None  # a feed record (see `_Gate`)
        rules = self.rules
        out: list[TrackingEvent] = []
        append = out.append
        pending: list[int] = []
        ordered = check_order
        previous: Any = None  # the previous scan's time as written
        previous_when: datetime | None = None
        previous_offset: str | None = None  # its offset as written (`offset`)
        for i in indices:
            scan = scans[i]
            if scan.__class__ is not Scan and (scan.__class__ is not tuple or len(scan) != SCAN_SIZE):
                raise _Unreadable(
                    f"scan {i} of shipment {number} is a {type(scan).__name__}, not a tracklingo Scan"
                )
            key: Any
            entry: tuple[dict[str, Any], bool, str | None, str | None, bool] | None
            if gate is not None and not gate.on:  # a feed whose scans do not repeat: no key
                gate.left -= 1
                if gate.left <= 0:  # <=: threads sharing a builder may race past 0
                    gate.wake()
                entry = key = None
            else:
                key = scan[:10] if direction is None else (scan[:10], direction)
                try:
                    entry = memo.get(key)
                except TypeError:  # a value that cannot be a key (a list): the parts say what is wrong
                    entry, key = None, None
                if gate is not None:
                    gate.tried(entry is not None)
            if entry is None:
                entry = self._entry(scan, i, number, direction, key, strict)
                template, takes_handoff, country, region, waits = entry
                # a template no memo holds (no key) is this event's own: no copy
                fields = template if key is None else template.copy()
            else:
                template, takes_handoff, country, region, waits = entry
                fields = template.copy()
            if waits:
                pending.append(i)
            fields["tracking_number"] = number
            when = fast_time(rules, scan[_TIME], scan[_UTC_OFFSET], scan[_UTC_TIME], country, region)
            if when is not None:
                fields["occurred_at"] = when
            else:
                resolved = scan_time(
                    rules,
                    scan[_TIME],
                    utc_offset=scan[_UTC_OFFSET],
                    utc_time=scan[_UTC_TIME],
                    missing_note=scan[_TIME_NOTE],
                    code=template["code"],
                    country=country,
                    region=region,
                    home=home if country is None else None,
                    strict=strict,
                    fast=False,
                )
                fields["occurred_at"] = resolved.when
                fields["time_is_local"] = resolved.is_local
                fields["time_note"] = resolved.note
                when = resolved.when
            if ordered:
                value = scan[_TIME]
                # the offset of a time written ``YYYY-MM-DDTHH:MM:SS±HH:MM``, else None
                offset = value[19:] if value.__class__ is str and len(value) == 25 else None
                if when is None or when.tzinfo is None:
                    ordered = False
                elif offset is not None and offset == previous_offset:
                    ordered = value >= previous
                elif previous_when is not None:
                    ordered = when >= previous_when
                previous, previous_when, previous_offset = value, when, offset
            own = scan[_HANDOFF]
            if own is not None:
                if not isinstance(own, Handoff):
                    raise _Unreadable(
                        f"the handoff of scan {i} of shipment {number} is not a tracklingo Handoff"
                    )
                fields["handoff"] = own
            elif takes_handoff:
                fields["handoff"] = handoff
            fields["raw"] = scan[_RAW] if raw is _OWN_RAW else raw
            append(new_event(fields))
        return out, pending, ordered

    def _entry(
        self, scan: Scan | tuple[Any, ...], i: int, number: str, direction: str | None, key: Any, feed: bool
    ) -> tuple[dict[str, Any], bool, str | None, str | None, bool]:
        """The memo entry of a scan (its template fields, whether it takes the shipment's handoff,
        its country and region for the time rules), built and stored (`_again`)."""
        try:
            where: Any = scan[_PLACE]
            location, facility = self.place(where, feed)
            entry = self._template(scan, direction, location, facility)
        except (FieldError, TypeError) as exc:
            raise _Unreadable(f"scan {i} of shipment {number}: {exc}") from None
        if key is not None and self.enabled and self._again(key, feed):
            self._put(self._events, key, entry)
        return entry

    def _direction(self, shipment: Shipment, number: str, scans: Sequence[Any]) -> str | None:
        home = self.home
        assert home is not None  # called only for a carrier with a home country
        origin, destination = _country(shipment.origin), _country(shipment.destination)
        s10 = parse_s10(number)
        if (s10 is not None and s10.valid) or origin or destination:
            return direction_of(home, number, origin=origin, destination=destination)
        countries = []  # where the located events lie (only needed now)
        for i, scan in enumerate(scans):
            try:
                country = self.place(scan[_PLACE])[0].country if scan.__class__ in _SCAN_TYPES else None
            except (FieldError, TypeError) as exc:
                raise _Unreadable(f"scan {i} of shipment {number}: {exc}") from None
            if country:
                countries.append(country)
        return direction_of(home, number, countries=countries)

    def reading(self, reading: Reading) -> ParseResult:
        """The events and per-number errors of a whole reading."""
        if reading.__class__ is not Reading:
            raise ParseError(
                self.name, f"the adapter's read() returned {type(reading).__name__}, not a Reading"
            )
        result = ParseResult()
        for error in reading.errors:
            if not isinstance(error, NumberError):
                raise ParseError(
                    self.name, f"an error in the reading is a {type(error).__name__}, not a NumberError"
                )
            result.errors.append(error)
        shipments = reading.shipments
        if len(shipments) == 1 and shipments[0].__class__ is Shipment and shipments[0].choice is None:
            shipment = shipments[0]  # the usual reading: one shipment
            try:
                events = self.shipment(shipment)
            except _Unreadable as exc:
                result.errors.append(NumberError(_number_or_none(shipment.number), str(exc)))
                return result
            if not events and shipment.empty_message:
                result.errors.append(NumberError(_number_or_none(shipment.number), shipment.empty_message))
            result.events = events
            return result
        groups: dict[Any, list[Shipment]] = {}
        for i, shipment in enumerate(shipments):
            if shipment.__class__ is not Shipment:
                raise ParseError(
                    self.name, f"shipment {i} of the reading is a {type(shipment).__name__}, not a Shipment"
                )
            groups.setdefault(shipment.choice if shipment.choice is not None else i, []).append(shipment)
        for members in groups.values():
            built: list[tuple[Shipment, list[TrackingEvent]]] = []
            failed: list[NumberError] = []
            for shipment in members:
                try:
                    built.append((shipment, self.shipment(shipment)))
                except _Unreadable as exc:
                    failed.append(NumberError(_number_or_none(shipment.number), str(exc)))
            if not built:
                result.errors.extend(failed[:1])
                continue
            shipment, events = built[0] if len(built) == 1 else pick(built)
            if not events and shipment.empty_message:
                result.errors.append(NumberError(_number_or_none(shipment.number), shipment.empty_message))
            result.events.extend(events)
        return result

    def one(self, shipment: Shipment) -> TrackingEvent:
        """The one event of a shipment of one scan (an API response's rules: an unusable time is
        kept as no time, with a note); `InputError` when it cannot be read."""
        try:
            events = self.shipment(shipment)
        except _Unreadable as exc:
            raise InputError(str(exc)) from None
        if len(events) != 1:
            raise InputError(f"expected one scan, {self.name} read {len(events)}")
        return events[0]

    def flat(self, shipment: Shipment, raw: Any = None) -> TrackingEvent:
        """The one event of a flat feed record (its `Shipment` of one scan), whose `raw` is
        `raw`; `InputError` when it cannot be read or its time is unusable."""
        try:
            events = self.shipment(shipment, strict=True, raw=raw)
        except _Unreadable as exc:
            raise InputError(str(exc)) from None
        if len(events) != 1:
            raise InputError(f"a flat record is one scan; {self.name} read {len(events)}")
        return events[0]


def _number(value: Any) -> str:
    if value.__class__ is str:  # cleaning drops the white space `number_of` would strip
        number = clean_tracking_number(value)
    else:
        try:
            written = number_of(value, "the tracking number")
        except FieldError as exc:
            raise _Unreadable(str(exc)) from None
        number = clean_tracking_number(written) if written else ""
    if not number:
        raise _Unreadable("a shipment without a tracking number")
    return number


def _number_or_none(value: Any) -> str | None:
    try:
        return _number(value)
    except _Unreadable:
        return None


def _country(value: Any) -> str | None:
    """A shipment's origin or destination: a `Place`, or a country code or name."""
    if isinstance(value, Place):
        return country_of(value)
    try:
        text = text_of(value, "country")
    except FieldError:
        return None
    return country_code(text) if text else None


def _at_named_ends(scans: Sequence[Any], shipment: Shipment) -> Sequence[Any]:
    """The scans, with the country of the origin or destination put on a scan whose place is only
    a name of that end's city (DHL Express writes the delivery at "SHARJAH" for a shipment to
    "SHARJAH - SHARJAH - UNITED ARAB EMIRATES"): the place and its time zone follow. A name both
    ends hold in different countries stays without one. The same list when nothing changes."""
    ends = [city_names(shipment.origin), city_names(shipment.destination)]
    named = [(country, names) for country, names in ends if names]
    if not named:
        return scans
    out: list[Any] | None = None
    for i, scan in enumerate(scans):
        place = scan[_PLACE] if scan.__class__ is tuple or scan.__class__ is Scan else None
        if place is None or place.__class__ not in (tuple, Place) or len(place) != PLACE_SIZE:
            continue
        if place[3] is not None or place[7] is not None:  # a country (code or name) is given
            continue
        name = place[0] if place[0] is not None else place[6]
        if name.__class__ is not str:
            continue
        key = name.strip().upper()
        found = {country for country, names in named if key in names}
        if len(found) != 1:
            continue
        if out is None:
            out = list(scans)
        filled = (*place[:3], found.pop(), *place[4:])
        out[i] = (*scan[:_PLACE], filled, *scan[_PLACE + 1 :])
    return scans if out is None else out


def _home(shipment: Shipment) -> str | None:
    """The one country a shipment starts and ends in, when the response says both."""
    origin = _country(shipment.origin)
    return origin if origin is not None and origin == _country(shipment.destination) else None


def direction_of(
    home: str,
    number: str,
    *,
    origin: str | None = None,
    destination: str | None = None,
    countries: Sequence[str] = (),
) -> str | None:
    """``inbound`` / ``outbound`` relative to `home` when certain, else None. In order: a valid
    UPU S10 number names its issuing (origin) country; the response's origin and destination
    countries; the countries of the located events, oldest first (starting abroad and ending at
    home is inbound; the reverse, outbound)."""
    s10 = parse_s10(number)
    if s10 is not None and s10.valid:
        return "outbound" if s10.country == home else "inbound"
    if origin and destination:
        if origin != home and destination == home:
            return "inbound"
        if origin == home and destination != home:
            return "outbound"
        return None
    if origin and origin != home:
        return "inbound"
    if destination and destination != home:
        return "outbound"
    if countries:
        first, last = countries[0], countries[-1]
        if first != home and last == home:
            return "inbound"
        if first == home and last != home:
            return "outbound"
    return None


def _sort_key(event: TrackingEvent) -> tuple[bool, datetime]:
    when = event.occurred_at
    return (when is None, order_key(when) if when is not None else _EPOCH)


_EPOCH: Final = order_key(datetime(1970, 1, 1))


def pick(built: list[tuple[Shipment, list[TrackingEvent]]]) -> tuple[Shipment, list[TrackingEvent]]:
    """One of several records for one parcel (a number the carrier reused, as FedEx does): those
    that show no more than a label are dropped when one moved; then the one with the latest scan,
    then the one with more events, then the first."""

    def label_only(events: list[TrackingEvent]) -> bool:
        return all(e.stage in (Stage.LABEL_CREATED, Stage.UNKNOWN) for e in events)

    def latest(events: list[TrackingEvent]) -> datetime:
        return max((order_key(e.occurred_at) for e in events if e.occurred_at is not None), default=_EPOCH)

    moving = [i for i, (_, events) in enumerate(built) if not label_only(events)]
    pool = moving or list(range(len(built)))
    best = max(pool, key=lambda i: (latest(built[i][1]), len(built[i][1]), -i))
    return built[best]


def with_direction(carrier: Carrier, event: TrackingEvent, direction: str) -> TrackingEvent:
    """`event` with a direction-dependent stage resolved, now that its journey says the direction
    (`tracklingo.journeys`): its words mapped again by the carrier's mapper with `direction`.
    Unchanged when the mapping still needs context."""
    builder = builder_for(carrier)
    regex = builder.mapper.facility_regex
    facility = event.location.facility
    if facility is None or regex is None or regex.search(facility) is None:
        facility = None
    words = (event.code, event.description or None, (), (), None, None, None, None, None)
    mapped = builder.mapped(words, direction, facility)
    if mapped.match is not MatchKind.CONTEXT:
        return event
    return event.model_copy(
        update={
            "stage": mapped.stage,
            "status": mapped.status,
            "match": MatchKind.CONTEXT,
            "needs_context": None,
        }
    )


# -- one builder per carrier -------------------------------------------------------------------

_SLOT: Final = "_tracklingo_builder"


def builder_for(carrier: Carrier) -> Builder:
    """The carrier's builder (made once per carrier instance, with its vocabulary), kept in the
    instance's ``__dict__`` under a name of the core's: adapters never see or key it."""
    builder: Builder | None = carrier.__dict__.get(_SLOT)
    if builder is None:
        builder = Builder(carrier)
        carrier.__dict__[_SLOT] = builder
    return builder


def mapper_for(carrier: Carrier) -> Mapper:
    """The carrier's mapper (`tracklingo.mapping.Mapper`): where a later resolution layer joins
    (`Mapper.add_layer`) or a layer is switched off (`Mapper.switch`); the builder's memo follows."""
    return builder_for(carrier).mapper


def clear_memo(carrier: Carrier) -> None:
    """Forget the carrier's memoised mappings and places (a benchmark's "cold" case)."""
    builder_for(carrier).clear()


@contextmanager
def memo_disabled(carrier: Carrier) -> Iterator[None]:
    """Build the carrier's events without the memo (for tests that compare both paths)."""
    builder = builder_for(carrier)
    builder.enabled = False
    try:
        yield
    finally:
        builder.enabled = True
        builder.clear()
