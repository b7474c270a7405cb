"""Reading USPS Tracking API v3 responses into canonical events. Pure: no I/O, no clock.

Formats (shared/reference/usps.md section 2):

- the v3 **DETAIL** response of ``GET /tracking/v3/tracking/{number}?expand=DETAIL``: a JSON object
  with ``trackingNumber``, ``mailType``, origin/destination fields and ``trackingEvents[]``
  (newest first) whose items carry ``eventType``, ``eventCode``, ``eventTimestamp`` (local wall
  clock, no offset), ``GMTTimestamp``, ``GMTOffset``, ``eventCity``/``eventState``/``eventZIP``/
  ``eventCountry`` [V3] [OMNI]. The v3r2 spelling ``eventZIPCode`` / ``destinationCountry`` is read
  too, and a JSON array of such objects (the v3r2 batch answer) is accepted. A lone event written
  as an object instead of a one-element ``trackingEvents`` list (USPS's own v3 sample [RDME]) is
  read as that one event.
- the v3 **error envelope** ``{"apiVersion", "error": {"code", "message", "errors": [...]}}``:
  a result with no events and one `NumberError` carrying USPS's text (the normalizer turns it into
  a reject). `USPSClient.track` adds ``trackingNumber`` to it so the error names the number.

Events come out oldest first (the API lists them newest first). Every failure is a `ParseError`.

Decisions:

- **Direction** (for the ISC context rules, seen from the US): ``mailType``
  (INTERNATIONAL_INBOUND / _OUTBOUND, any spelling), else the S10 number's issuing country
  (`Carrier.direction_of`), else ``originCountry`` / ``destinationCountryCode``, else where the
  located events lie (the oldest abroad = inbound; the newest abroad = outbound).
- **ISC events**: v3 puts the place in ``eventCity`` ("ISC NEW YORK NY(USPS)") and a generic text in
  ``eventType`` ("Processed Through Facility"). When the city is an ISC label and the text alone
  only says "in transit", the text *with* the label is matched too, so the vocabulary's ISC
  pattern (a direction rule) applies; the event keeps USPS's own ``eventType`` as description.
- **Places**: with no ``eventState``, a plant name in ``eventCity`` ("OAK CREEK WI DISTRIBUTION
  CENTER", "ISC LOS ANGELES CA(USPS)") becomes the facility, and the city and state inside it
  fill city/region (so the state's time zone applies). A US state/territory means country US (or
  the territory's own ISO code).
- **Time**: ``eventTimestamp`` + ``GMTOffset`` when the offset is there; else the US state's zone
  where the state lies in one zone; else a naive local time (kept, flagged). A trailing ``Z`` on
  ``eventTimestamp`` is not trusted (usps.md 7). ``GMTTimestamp`` is only a cross-check (it was seen
  a day off, usps.md 7): a disagreement is noted in ``time_note``; it gives the time only when
  ``eventTimestamp`` is missing or unreadable. Undated events keep ``occurred_at`` None.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from tracklingo import (
    Handoff,
    InputError,
    NumberError,
    ParseError,
    ParseResult,
    Reason,
    ResolvedTime,
    Stage,
    TrackingEvent,
    resolve_time,
)
from tracklingo.countries import US_STATES, country_code
from tracklingo.taxonomy import MatchKind
from tracklingo.templates import plain_key, stamp, stamp_resolved
from tracklingo.times import parse_offset
from tracklingo.vocabulary import Resolution

if TYPE_CHECKING:
    from tracklingo import Carrier
    from tracklingo.normalize import FlatRecord

__all__ = [
    "build_event",
    "direction_of_response",
    "event_from_flat",
    "parse",
    "place_of",
    "sniff",
]

CARRIER = "usps"

# -- recognising a response -------------------------------------------------------------------

#: Top-level keys only USPS tracking details carry (usps.md 2.3).
_USPS_KEYS: Final = frozenset(
    {
        "mailClass",
        "mailType",
        "statusCategory",
        "statusSummary",
        "serviceTypeCode",
        "kahalaIndicator",
        "tableCode",
        "uniqueMailPieceID",
        "uniqueMailPieceId",
        "mailPieceIntakeDate",
    }
)
_EVENT_KEYS: Final = frozenset({"eventType", "eventCode", "eventTimestamp", "GMTTimestamp"})


def _sniff_one(data: Mapping[str, Any]) -> bool:
    events = data.get("trackingEvents")
    if isinstance(events, dict) and _EVENT_KEYS & events.keys():
        events = [events]  # one event written as an object ([RDME] sample)
    if isinstance(events, list) and isinstance(data.get("trackingNumber"), str):
        if _USPS_KEYS & data.keys():
            return True
        first = events[0] if events else None
        return isinstance(first, dict) and bool(_EVENT_KEYS & first.keys())
    api = data.get("apiVersion")
    return (
        isinstance(data.get("error"), dict)
        and isinstance(api, str)
        and api.strip().lower().startswith("/tracking/")
    )


def sniff(payload: Any) -> bool:
    """True for a USPS Tracking API v3 DETAIL response, its error envelope, or a list of them."""
    try:
        if isinstance(payload, dict):
            return _sniff_one(payload)
        if isinstance(payload, list) and payload:
            return all(isinstance(item, dict) and _sniff_one(item) for item in payload)
    except Exception:  # sniff never raises
        return False
    return False


# -- guarded field access ---------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str, where: str) -> str | None:
    """A string field (numbers accepted), stripped; None when absent/null/blank."""
    value = data.get(key)
    if value.__class__ is str:  # the common case, kept fast
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError(CARRIER, f"{where}.{key} must be a string, not a boolean")
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        raise ParseError(CARRIER, f"{where}.{key} must be a string, not {type(value).__name__}")
    value = value.strip()
    return value or None


def _soft_text(data: Mapping[str, Any], key: str) -> str | None:
    """Like `_text` for fields that only help (direction hints): a wrong type is ignored."""
    value = data.get(key)
    if isinstance(value, str):
        return value.strip() or None
    return None


_SUP_MARK: Final = re.compile(
    r"<\s*sup\s*>\s*&?\s*(reg|#174|trade|#153|#8482)\s*;?\s*<\s*/\s*sup\s*>", re.IGNORECASE
)
_TAG: Final = re.compile(r"<[^>]{0,200}>")
_SPACES: Final = re.compile(r"\s+")


def clean_message(text: str) -> str:
    """USPS error text without its HTML (``<SUP>reg;</SUP>`` → ®), whitespace collapsed."""
    text = _SUP_MARK.sub(lambda m: "®" if m.group(1).lower() in ("reg", "#174") else "™", text)
    text = html.unescape(_TAG.sub("", text))
    return _SPACES.sub(" ", text).strip().rstrip("-").strip()


# -- places -----------------------------------------------------------------------------------

_ISC_LABEL: Final = re.compile(r"^\s*ISC\b|\bINTERNATIONAL SERVICE CENTER\b", re.IGNORECASE)
_ISC_PREFIX: Final = re.compile(r"^\s*ISC\s+", re.IGNORECASE)
_STATE_TOKEN: Final = re.compile(r"\b([A-Z]{2})\b")
#: Foreign office-of-exchange labels such as "TOKYO INT", "TOKYO INT V BAG 2" (usps.md 5.4 [LARRY]).
_FOREIGN_INT: Final = re.compile(r"^(?P<city>[^,]+?)\s+INT\b")
#: Territories that have their own ISO 3166 code; military "states" (AA/AE/AP) have no country.
_TERRITORY: Final = {
    "PR": "PR",
    "VI": "VI",
    "GU": "GU",
    "AS": "AS",
    "MP": "MP",
    "FM": "FM",
    "MH": "MH",
    "PW": "PW",
}
_MILITARY: Final = frozenset({"AA", "AE", "AP"})


def is_isc_label(label: str | None) -> bool:
    """True for an International Service Center label such as ``ISC NEW YORK NY(USPS)``."""
    if not label:
        return False
    upper = label.upper()  # cheap substring tests first: this runs for every flat record
    if "ISC" not in upper and "INTERNATIONAL SERVICE CENTER" not in upper:
        return False
    return _ISC_LABEL.search(label) is not None


def _country_of_state(state: str) -> str | None:
    state = state.upper()
    if state in _MILITARY:
        return None
    return _TERRITORY.get(state, "US")


def _split_label(label: str) -> tuple[str | None, str | None, str]:
    """(city, state, rest) of a USPS plant label: "OAK CREEK WI DISTRIBUTION CENTER" →
    ("OAK CREEK", "WI", "DISTRIBUTION CENTER"); no state found → (None, None, label)."""
    body = _ISC_PREFIX.sub("", label).strip()
    for token in _STATE_TOKEN.finditer(body):
        if token.start() == 0:
            continue  # the first word is part of the name, never its state
        state = token.group(1)
        if state in US_STATES:
            city = body[: token.start()].strip(" ,-")
            rest = body[token.end() :].strip(" ,-")
            return city or None, state, rest
    return None, None, label


def usps_country(name: str | None) -> str | None:
    """ISO alpha-2 for a USPS country name or code. USPS writes eventCountry as an upper-case name
    in its International Mail Manual spelling ("GREAT BRITAIN AND NORTHERN IRELAND (UNITED
    KINGDOM)", "KOREA, REPUBLIC OF (SOUTH KOREA)"); the core's `country_code` reads those."""
    return country_code(name) if name else None


def place_of(
    *,
    city: str | None,
    state: str | None,
    postal_code: str | None,
    country: str | None,
    facility: str | None = None,
) -> dict[str, str | None]:
    """Map USPS's place fields to the canonical location fields (see the module notes)."""
    code = usps_country(country)
    region = state.upper() if state and len(state) == 2 and state.isalpha() else state
    if city and not region and not facility:
        if (country is None and code is None) or code in ("US", "PR", "VI", "GU", "AS", "MP"):
            name, found, rest = _split_label(city)
            if found is not None and (rest or is_isc_label(city)):
                facility, city, region = city, name, found  # a plant or ISC label
            elif found is not None:
                city, region = name, found  # "SACRAMENTO CA" in one field
        else:
            m = _FOREIGN_INT.match(city)
            if m is not None:  # a foreign office of exchange ("TOKYO INT V BAG 2")
                facility, city = city, m.group("city")
    elif city and region and not facility and is_isc_label(city):
        # an ISC label in the city with the state filled in too (flat feeds, some v3 events):
        # still the facility, so the ISC direction rules apply to the event
        name, found, _rest = _split_label(city)
        if found is not None:
            facility, city = city, name
    if code is None and country is None and region and region.upper() in US_STATES:
        code = _country_of_state(region)
    return {
        "city": city,
        "region": region,
        "postal_code": postal_code,
        "country": code,
        "facility": facility,
    }


# -- time -------------------------------------------------------------------------------------

_MAX_OFFSET: Final = timedelta(hours=14)
_GMT_TOLERANCE: Final = timedelta(minutes=2)  # eventTimestamp is whole minutes, GMT has seconds
_EARLY: Final = -_GMT_TOLERANCE
_fromiso: Final = datetime.fromisoformat


def _offset_ok(value: str | None) -> str | None:
    if not value:
        return None
    try:
        parse_offset(value)
    except InputError:
        return None
    return value


def _parse_gmt(value: str | None) -> datetime | None:
    """``GMTTimestamp`` as an aware UTC datetime; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _offset_text(delta: timedelta) -> str:
    """``-06:00`` for an offset."""
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _hours_text(delta: timedelta) -> str:
    """``+24.0 h`` for a difference."""
    return f"{delta.total_seconds() / 3600:+.1f} h"


_DATE_ONLY_NOTE: Final = "USPS wrote midnight with no GMT time: probably the date only, not the time"


def _midnight(when: datetime | None) -> bool:
    return when is not None and when.time() == time()


def event_time(
    *,
    timestamp: str | None,
    gmt_timestamp: str | None,
    gmt_offset: str | None,
    country: str | None,
    region: str | None,
) -> ResolvedTime:
    """The design's time rules for one v3 event (see the module notes). Never raises.

    Pre-shipment scans (``MA``, ``GX``, ``80``) come without ``GMTTimestamp``/``GMTOffset``, and
    ``MA`` was seen at exactly midnight: a date, not a time (usps.md 2.4, 7 [OMNI]). Such a
    midnight keeps its value, with a note saying so.
    """
    resolved = _event_time(
        timestamp=timestamp,
        gmt_timestamp=gmt_timestamp,
        gmt_offset=gmt_offset,
        country=country,
        region=region,
    )
    if gmt_timestamp is None and gmt_offset is None and _midnight(resolved.when):
        note = f"{_DATE_ONLY_NOTE}; {resolved.note}" if resolved.note else _DATE_ONLY_NOTE
        return ResolvedTime(resolved.when, resolved.is_local, note)
    return resolved


def _event_time(
    *,
    timestamp: str | None,
    gmt_timestamp: str | None,
    gmt_offset: str | None,
    country: str | None,
    region: str | None,
) -> ResolvedTime:
    offset = _offset_ok(gmt_offset)
    gmt = _parse_gmt(gmt_timestamp)
    resolved: ResolvedTime | None = None
    if timestamp:
        try:
            resolved = resolve_time(
                timestamp, country=country, region=region, utc_offset=offset, trust_z=False
            )
        except (InputError, ValueError, OverflowError):
            resolved = None
    if resolved is None or resolved.when is None:
        if gmt is not None:
            why = "unreadable" if timestamp else "missing"
            return ResolvedTime(gmt, False, f"eventTimestamp {why}; the time is USPS's GMTTimestamp")
        if timestamp:
            return ResolvedTime(None, False, f"USPS's eventTimestamp {timestamp!r} is unreadable")
        return ResolvedTime(None, False, "the carrier gave no time for this event")
    when = resolved.when
    if gmt is None:
        return resolved
    try:
        if resolved.is_local:
            # no offset and no certain zone: the GMT time gives the offset, if it is plausible
            delta = when - gmt.replace(tzinfo=None)
            rounded = timedelta(minutes=round(delta.total_seconds() / 900) * 15)
            if abs(rounded) <= _MAX_OFFSET and abs(delta - rounded) <= _GMT_TOLERANCE:
                return ResolvedTime(
                    when.replace(tzinfo=timezone(rounded)),
                    False,
                    f"offset {_offset_text(rounded)} derived from USPS's GMTTimestamp",
                )
            return resolved
        delta = when - gmt
    except (OverflowError, ValueError):
        return resolved
    if abs(delta) > _GMT_TOLERANCE:
        return ResolvedTime(
            when,
            False,
            f"USPS's GMTTimestamp {gmt_timestamp} disagrees with eventTimestamp {timestamp}"
            f" at its offset by {_hours_text(delta)}; the local time and offset are used",
        )
    return resolved


#: GMTOffset text → (``+HH:MM`` suffix, offset), or None when `event_time` must read it.
_OFFSETS: dict[str, tuple[str, timedelta] | None] = {}


def _offset_entry(value: str) -> tuple[str, timedelta] | None:
    """``-07:00`` → (``-07:00``, -7 h), ``-7:00`` → (``-07:00``, -7 h); None if unreadable."""
    if value in _OFFSETS:
        return _OFFSETS[value]
    entry: tuple[str, timedelta] | None = None
    if value.strip():
        try:
            offset = parse_offset(value.strip()).utcoffset(None)
        except InputError:
            offset = None
        if offset is not None:
            entry = (_offset_text(offset), offset)
    if len(_OFFSETS) < 1024:
        _OFFSETS[value] = entry
    return entry


def _fast_time(timestamp: Any, gmt_timestamp: Any, gmt_offset: Any) -> datetime | None:
    """`event_time` for the common, well-formed event, or None for `event_time` to decide.

    Common means: ``eventTimestamp`` a plain local ``YYYY-MM-DDTHH:MM:SS``, a valid ``GMTOffset``,
    and ``GMTTimestamp`` absent or a whole-second UTC time that agrees within the tolerance; the
    answer is then the aware local time with no note, exactly what `event_time` gives (the plugin's
    tests compare both on every fixture and on fuzzed events).
    """
    if timestamp.__class__ is not str or gmt_offset.__class__ is not str or len(timestamp) != 19:
        return None
    entry = _OFFSETS.get(gmt_offset) or _offset_entry(gmt_offset)
    if entry is None or timestamp[10] != "T":
        return None
    try:
        when = _fromiso(timestamp + entry[0])
        if gmt_timestamp is None:
            return when
        if gmt_timestamp.__class__ is not str or len(gmt_timestamp) != 20 or gmt_timestamp[19] != "Z":
            return None
        # local - offset - GMT, on naive times: the same difference event_time takes
        gap = _fromiso(timestamp) - _fromiso(gmt_timestamp[:19]) - entry[1]
    except ValueError:
        return None
    if _EARLY <= gap <= _GMT_TOLERANCE:
        return when
    return None  # event_time words the disagreement


def _fast_local_time(ev: Mapping[str, Any], country: str | None, region: str | None) -> ResolvedTime | None:
    """`event_time` for an event without GMT fields (pre-shipment and foreign scans) whose
    ``eventTimestamp`` is a plain local time, not midnight; None for `event_time` to decide."""
    timestamp = ev.get("eventTimestamp")
    if timestamp.__class__ is not str or len(timestamp) != 19 or timestamp.endswith("00:00:00"):
        return None  # not plain, or midnight (event_time notes a date-only midnight)
    if ev.get("GMTTimestamp") is not None or ev.get("GMTOffset") is not None:
        return None
    try:
        return resolve_time(timestamp, country=country, region=region, trust_z=False)
    except (InputError, ValueError, OverflowError):
        return None


# -- direction --------------------------------------------------------------------------------

_NON_ALNUM: Final = re.compile(r"[^A-Z0-9]+")
_MAIL_TYPE_DIRECTION: Final = {
    "INTERNATIONAL_INBOUND": "inbound",
    "INTERNATIONAL_OUTBOUND": "outbound",
}


@lru_cache(maxsize=256)  # a handful of spellings, one call per response
def mail_type_direction(mail_type: str | None) -> str | None:
    """``inbound``/``outbound`` from a v3 ``mailType`` (INTERNATIONAL_INBOUND, "International
    Inbound", ...); None for domestic, military or unknown values."""
    if not mail_type:
        return None
    key = _NON_ALNUM.sub("_", mail_type.upper()).strip("_")
    return _MAIL_TYPE_DIRECTION.get(key)


def _countries_direction(origin: str | None, destination: str | None) -> str | None:
    o = usps_country(origin)
    d = usps_country(destination)
    if o and d:
        if o != "US" and d == "US":
            return "inbound"
        if o == "US" and d != "US":
            return "outbound"
        return None
    if o and o != "US":
        return "inbound"
    if d and d != "US":
        return "outbound"
    return None


def _events_direction(places: Sequence[Mapping[str, str | None]]) -> str | None:
    """From the located events, oldest first: starting abroad = inbound, ending abroad = outbound."""
    first = next((c for p in places if (c := p.get("country"))), None)
    if first is None:
        return None
    last = next(c for p in reversed(places) if (c := p.get("country")))
    if first != "US" and last == "US":
        return "inbound"
    if first == "US" and last != "US":
        return "outbound"
    return None  # all at home, all abroad, or back where it started


def direction_of_response(
    carrier: Carrier,
    detail: Mapping[str, Any],
    number: str,
    places: Sequence[Mapping[str, str | None]] = (),
) -> str | None:
    """Direction of a whole v3 detail (see the module notes), or None when not certain."""
    return (
        mail_type_direction(_soft_text(detail, "mailType"))
        or carrier.direction_of(number)
        or _countries_direction(
            _soft_text(detail, "originCountry"),
            _soft_text(detail, "destinationCountryCode") or _soft_text(detail, "destinationCountry"),
        )
        or _events_direction(places)
    )


# -- one event --------------------------------------------------------------------------------


def _generic(res: Resolution) -> bool:
    """The text alone says no more than "moving": worth trying the text with its place."""
    if res.match in (MatchKind.UNMAPPED, MatchKind.FALLBACK):
        return True
    return res.stage is Stage.IN_TRANSIT and (res.rule is None or res.rule.context is None)


def build_event(
    carrier: Carrier,
    *,
    tracking_number: str,
    text: str | None,
    code: str | None,
    place: Mapping[str, str | None],
    when: ResolvedTime,
    direction: str | None,
    raw: Any = None,
    handoff: Handoff | None = None,
) -> TrackingEvent:
    """One canonical event through the carrier's vocabulary (the ISC rule of the module notes)."""
    vocabulary = carrier.vocabulary
    context = {"direction": direction} if direction else None
    use_text, use_code = text, code
    label = place.get("facility")
    if text and label and is_isc_label(label):
        alone = vocabulary.resolve(text, code, context)
        if _generic(alone):
            combined = f"{text} {label}"
            if not _generic(vocabulary.resolve(combined, None, context)):
                use_text, use_code = combined, None
    reason: Reason | None = None
    stage: Stage | None = None
    why = vocabulary.reason_for(code, text)
    if why is not None:
        reason, stage = why.reason, why.stage
    event = carrier.make_event(
        tracking_number=tracking_number,
        when=when,
        text=use_text,
        code=use_code,
        location=dict(place),
        context=context,
        reason=reason,
        stage=stage,
        handoff=handoff,
        raw=raw,
    )
    if use_text != text or use_code != code:
        # matched with the place glued on; keep USPS's own text and code
        event = event.model_copy(update={"description": text or "", "code": code})
    return event


def _event_place(ev: Mapping[str, Any], where: str) -> dict[str, str | None]:
    return place_of(
        city=_text(ev, "eventCity", where),
        state=_text(ev, "eventState", where),
        postal_code=_text(ev, "eventZIP", where) or _text(ev, "eventZIPCode", where),
        country=_text(ev, "eventCountry", where),
    )


# -- whole responses --------------------------------------------------------------------------


def _error_result(data: Mapping[str, Any], number: str | None) -> ParseResult:
    err = data.get("error")
    message: str | None = None
    code: str | None = None
    first: Mapping[str, Any] = {}
    if isinstance(err, Mapping):
        message = _soft_text(err, "message")
        code = _soft_text(err, "code")
        items = err.get("errors")
        if isinstance(items, list):
            first = next((i for i in items if isinstance(i, Mapping)), {})
    elif isinstance(err, str):
        message = _soft_text(data, "error_description") or err  # OAuth-style body
    detail_code = _soft_text(first, "code")
    for candidate in (message, _soft_text(first, "title"), _soft_text(first, "detail")):
        if candidate and clean_message(candidate):
            message = clean_message(candidate)
            break
    else:
        message = "USPS answered with an error and no message"
    return ParseResult(errors=[NumberError(number, message, detail_code or code)])


def _parse_detail(carrier: Carrier, data: Mapping[str, Any], where: str) -> ParseResult:
    number_hint = _soft_text(data, "trackingNumber")
    if "trackingEvents" not in data:
        if "error" in data:
            return _error_result(data, number_hint)
        if "eventSummaries" in data or "TrackResults" in data:
            raise ParseError(
                CARRIER, f"{where}: a SUMMARY response has no event details; request expand=DETAIL"
            )
        raise ParseError(CARRIER, f"{where}: not a USPS Tracking API v3 response (no trackingEvents)")
    number = _text(data, "trackingNumber", where)
    if not number:
        raise ParseError(CARRIER, f"{where}: the response has no trackingNumber")
    events = data.get("trackingEvents")
    if events is None:
        events = []
    elif events.__class__ is not list and isinstance(events, Mapping) and _EVENT_KEYS & events.keys():
        # USPS's own v3 DETAIL sample ([RDME]) writes a lone event as an object, not a
        # one-element list (the XML-to-JSON habit of collapsing single-item arrays).
        events = [events]
    if not isinstance(events, list):
        raise ParseError(CARRIER, f"{where}.trackingEvents must be a list")
    last = len(events) - 1
    rows = events[::-1]  # the API lists newest first; events come out oldest first
    templates = carrier.templates
    memo = templates.lookup  # place keys (5-tuples) and event keys (4-tuples) share it
    place_keys: list[tuple[Any, ...]] = []
    places: list[dict[str, str | None]] = []
    for j, ev in enumerate(rows):
        if ev.__class__ is not dict and not isinstance(ev, Mapping):  # (the ABC check is slow)
            raise ParseError(CARRIER, f"{where}.trackingEvents[{last - j}] must be an object")
        pkey = (
            ev.get("eventCity"),
            ev.get("eventState"),
            ev.get("eventZIP"),
            ev.get("eventZIPCode"),
            ev.get("eventCountry"),
        )
        try:
            place = memo.get(pkey)
        except TypeError:  # an unhashable value (a list for a city): `_event_place` says why
            place = None
        if place is None:
            place = _event_place(ev, f"{where}.trackingEvents[{last - j}]")
            if plain_key(pkey):
                templates.put(pkey, place)
        place_keys.append(pkey)
        places.append(place)
    direction = direction_of_response(carrier, data, number, places)
    out: list[TrackingEvent] = []
    for j, ev in enumerate(rows):
        raw = ev if ev.__class__ is dict else dict(ev)  # the payload's own record, as FedEx's
        fast = _fast_time(ev.get("eventTimestamp"), ev.get("GMTTimestamp"), ev.get("GMTOffset"))
        try:
            template = memo.get((ev.get("eventType"), ev.get("eventCode"), place_keys[j], direction))
        except TypeError:  # unhashable: the ordinary path below reports the field
            template = None
        if template is not None and fast is not None:
            out.append(stamp(template, number, fast, False, None, raw))
            continue
        place = places[j]
        if fast is not None:
            when: ResolvedTime | None = ResolvedTime(fast)
        else:
            when = _fast_local_time(ev, place["country"], place["region"])
        if when is None:
            w = f"{where}.trackingEvents[{last - j}]"
            when = event_time(
                timestamp=_text(ev, "eventTimestamp", w),
                gmt_timestamp=_text(ev, "GMTTimestamp", w),
                gmt_offset=_text(ev, "GMTOffset", w),
                country=place["country"],
                region=place["region"],
            )
        if template is not None:
            out.append(stamp_resolved(template, number, when, raw))
            continue
        w = f"{where}.trackingEvents[{last - j}]"
        event = build_event(
            carrier,
            tracking_number=number,
            text=_text(ev, "eventType", w),
            code=_text(ev, "eventCode", w),
            place=place,
            when=when,
            direction=direction,
            raw=raw,
        )
        key = (ev.get("eventType"), ev.get("eventCode"), place_keys[j], direction)
        if plain_key(key):
            templates.put(key, event)
        out.append(event)
    if not out:
        said = _soft_text(data, "statusSummary") or _soft_text(data, "status")
        message = clean_message(said) if said else "USPS returned no tracking events"
        return ParseResult(errors=[NumberError(number, message or "no tracking events")])
    return ParseResult(events=out)


def _parse(carrier: Carrier, payload: Any) -> ParseResult:
    if isinstance(payload, (bytes, bytearray, str)):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError):
            raise ParseError(CARRIER, "the response is not valid JSON") from None
    if payload.__class__ is dict or isinstance(payload, Mapping):
        return _parse_detail(carrier, payload, "response")
    if isinstance(payload, list):
        # a batch answer (v3r2): one malformed item is that number's error, not the batch's;
        # only a list in which nothing is readable is not a USPS response at all
        result = ParseResult()
        failures: list[ParseError] = []
        for i, item in enumerate(payload):
            try:
                if not isinstance(item, Mapping):
                    raise ParseError(CARRIER, f"response[{i}] must be an object")
                part = _parse_detail(carrier, item, f"response[{i}]")
            except ParseError as exc:
                failures.append(exc)
                number = _soft_text(item, "trackingNumber") if isinstance(item, Mapping) else None
                result.errors.append(NumberError(number, exc.message))
                continue
            result.events.extend(part.events)
            result.errors.extend(part.errors)
        if failures and len(failures) == len(payload):
            raise failures[0]
        return result
    raise ParseError(CARRIER, f"a USPS tracking response is a JSON object, not {type(payload).__name__}")


def parse(carrier: Carrier, payload: Any) -> ParseResult:
    """Events and per-number errors from one USPS v3 response; raises only `ParseError`."""
    carrier.vocabulary  # noqa: B018 - load it first: a broken vocabulary is not an input error
    try:
        return _parse(carrier, payload)
    except ParseError:
        raise
    except Exception as exc:  # the last guard: nothing but ParseError leaves a parser
        raise ParseError(CARRIER, f"unreadable response ({type(exc).__name__}: {exc})") from None


# -- flat feed records ------------------------------------------------------------------------


def event_from_flat(carrier: Carrier, rec: FlatRecord, *, include_raw: bool = False) -> TrackingEvent:
    """A flat feed record (DESIGN "Normalizer and feeds") read like a v3 event.

    The direction comes from what the record carries: its S10 number, or a ``mailType`` /
    ``mail_type`` field if the feed kept one. A bad timestamp is the record's fault:
    `InputError` (the normalizer rejects the line).
    """
    place = place_of(
        city=rec.city,
        state=rec.region,
        postal_code=rec.postal_code,
        country=rec.country,
        facility=rec.facility,
    )
    when = rec.when(trust_z=carrier.trusts_z, country=place["country"], region=place["region"])
    raw = rec.raw or {}
    direction = carrier.direction_of(rec.tracking_number) or mail_type_direction(
        _soft_text(raw, "mailType") or _soft_text(raw, "mail_type")
    )
    return build_event(
        carrier,
        tracking_number=rec.tracking_number,
        text=rec.description,
        code=rec.code,
        place=place,
        when=when,
        direction=direction,
        raw=rec.raw_copy(include_raw),
        handoff=rec.handoff(),
    )
