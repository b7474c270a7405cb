"""Parse FedEx Track API v1 replies (``POST /track/v1/trackingnumbers``) into canonical events.

Pure functions, no I/O. Whatever the payload, the only exception raised is `tracklingo.ParseError`;
every field is read through a type guard. Shape and quirks: shared/reference/fedex.md 1.5, 1.6, 6.

One reply holds several numbers (``output.completeTrackResults[]``). For each:

- a ``trackResults[].error`` (e.g. ``TRACKING.TRACKINGNUMBER.NOTFOUND``) becomes a `NumberError`
  while the other numbers still yield events;
- several ``trackResults[]`` for one number (a reused / duplicate number, fedex.md 1.5): label-only
  entries are dropped when a moving one exists, then the entry with the latest scan wins (karrio
  keeps the latest; PMY-FIX shows a stale label-only record beside the real shipment). Mixing them
  would put two shipments in one journey;
- ``scanEvents[]`` become events, oldest first (FedEx sends newest first, not strictly). A ``DL``
  scan whose ``scanLocation`` is empty takes the delivery address FedEx gives for that result
  (`_delivery_address`).

A whole-request error body (``{transactionId, errors: [{code, message}]}``, TRK-SPEC
``ErrorResponseVO``) gives a result with errors only, carrying FedEx's own text.

Mapping one scan (see `FedExMapper`): the vocabulary resolves (``eventDescription``,
``eventType``); ``derivedStatusCode`` is a coarse *fallback* code in its own namespace; a generic
``in_transit`` is refined by the ``exceptionDescription`` text; ``exceptionCode`` /
``exceptionDescription`` give the reason through the vocabulary's reason table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from tracklingo import (
    Handoff,
    InputError,
    Location,
    MatchKind,
    NumberError,
    ParseError,
    ParseResult,
    Stage,
    TrackingEvent,
    TracklingoError,
    Vocabulary,
)
from tracklingo.carrier import build_location
from tracklingo.countries import country_code
from tracklingo.taxonomy import Reason
from tracklingo.templates import plain_key, stamp, stamp_resolved
from tracklingo.times import ResolvedTime, resolve_time
from tracklingo.vocabulary import Resolution

if TYPE_CHECKING:
    from tracklingo import Carrier

__all__ = ["FedExMapper", "build_event", "mapper_for", "parse", "sniff", "text_field"]

_CARRIER: Final = "fedex"
#: FedEx API error codes look like ``NOT.AUTHORIZED.ERROR`` / ``TRACKING.TRACKINGNUMBER.EMPTY``.
_ERROR_CODE: Final = re.compile(r"^[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+$")
#: Matches that come from a real rule, as opposed to fallbacks.
_PRIMARY: Final = frozenset({MatchKind.CODE, MatchKind.PHRASE, MatchKind.PATTERN, MatchKind.CONTEXT})
#: Postal-delivered services: FedEx Ground Economy, formerly SmartPost (fedex.md 4.1; K-UNITS).
_POSTAL_CARRIER_CODES: Final = frozenset({"FXSP"})
_POSTAL_SERVICE_TYPES: Final = frozenset(
    {"SMART_POST", "FEDEX_SMART_POST", "GROUND_ECONOMY", "FEDEX_GROUND_ECONOMY"}
)
#: Pickup scans whose midnight time is a date placeholder (K-FIX; bloodhound skips them).
_DATE_ONLY_SCANS: Final = frozenset({"PU", "PX"})
_MAX_ECHO = 60


# -- type guards ----------------------------------------------------------------------------------


def _dict(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, dict) else None


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def text_field(value: Any) -> str | None:
    """A non-empty stripped string; numbers are accepted as their decimal text."""
    if value.__class__ is str:  # the common case, kept fast
        return value.strip() or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _get(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...`` through dicts only; `None` as soon as a step is not one."""
    current = data
    for key in path:
        step = _dict(current)
        if step is None:
            return None
        current = step.get(key)
    return current


def _echo(value: str) -> str:
    return value if len(value) <= _MAX_ECHO else value[: _MAX_ECHO - 1] + "…"


# -- sniff ----------------------------------------------------------------------------------------


def sniff(payload: Any) -> bool:
    """True for a Track API v1 reply or a FedEx whole-request error body."""
    data = _dict(payload)
    if data is None:
        return False
    output = _dict(data.get("output"))
    if output is not None and isinstance(output.get("completeTrackResults"), list):
        return True
    errors = data.get("errors")
    if "transactionId" not in data or not isinstance(errors, list) or not errors:
        return False
    return all(_is_fedex_error(e) for e in errors)


def _is_fedex_error(value: Any) -> bool:
    code = text_field(_get(value, "code"))
    return code is not None and _ERROR_CODE.match(code) is not None


# -- mapping one scan ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mapped:
    """What the mapper decided for one scan."""

    stage: Stage
    match: MatchKind
    reason: Reason | None


class FedExMapper:
    """Maps one scan's codes and texts to (stage, match, reason) through the vocabulary.

    Order, following the core's precedence (code+phrase → code → phrase → pattern → fallback code
    → fallback phrase) with FedEx's two code namespaces kept apart:

    1. ``resolve(eventDescription, eventType)`` when it hits a real (non-fallback) rule;
    2. else ``derivedStatusCode`` looked up among the vocabulary's *fallback* code rules only (its
       own namespace: ``IN`` there is "Initiated"/"Label created", as an eventType it is "On
       Demand Care completed"), then the ``derivedStatus`` text; match ``fallback``;
    3. else a fallback phrase/pattern of ``eventDescription`` (or an eventType that only appears
       as a fallback code);
    4. a result of ``in_transit`` (or nothing) is refined by the ``exceptionDescription`` text
       when that text has a real rule with a finer stage (IT + A25 "Package available for
       clearance" → import_customs; IT + 67 "A trusted third-party vendor…" → out_for_delivery);
    5. ``reason_for(exceptionCode, exceptionDescription)`` sets the reason and, when the entry
       has one, the stage (DE + 03 → exception / address_problem).
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        fallback_codes = [r for r in vocabulary.rules if r.fallback and r.code]
        self.derived = Vocabulary(vocabulary.carrier, fallback_codes, (), vocabulary.sources)

    def primary(self, text: str | None, code: str | None) -> Resolution:
        """The vocabulary's own resolution of (text, eventType), for `make_event`."""
        return self.vocabulary.resolve(text, code)

    def map(
        self,
        res: Resolution,
        *,
        derived_code: str | None = None,
        derived_text: str | None = None,
        detail: str | None = None,
        exception_code: str | None = None,
    ) -> Mapped:
        stage, match = res.stage, res.match
        if match not in _PRIMARY:
            found = self._derived(derived_code, derived_text)
            if found is not None:
                stage, match = found, MatchKind.FALLBACK
        if stage in (Stage.IN_TRANSIT, Stage.UNKNOWN) and detail:
            refined = self.vocabulary.resolve(detail)
            if refined.match in _PRIMARY and refined.stage not in (Stage.IN_TRANSIT, stage):
                stage, match = refined.stage, refined.match
        reason = res.reason
        entry = self.vocabulary.reason_for(code=exception_code, text=detail)
        if entry is not None:
            reason = entry.reason
            if entry.stage is not None:
                stage = entry.stage
                if match is MatchKind.UNMAPPED:
                    by_code = exception_code is not None and entry.code
                    match = MatchKind.CODE if by_code else MatchKind.PHRASE
        return Mapped(stage, match, reason)

    def _derived(self, code: str | None, text: str | None) -> Stage | None:
        if code:
            res = self.derived.resolve(None, code)
            if res.match is MatchKind.FALLBACK:
                return res.stage
        if text:
            res = self.vocabulary.resolve(text)
            if res.match in _PRIMARY:
                return res.stage
        return None


@lru_cache(maxsize=8)
def mapper_for(vocabulary: Vocabulary) -> FedExMapper:
    """One mapper per compiled vocabulary (vocabularies hash by identity)."""
    return FedExMapper(vocabulary)


# -- parse ------------------------------------------------------------------------------------------


def parse(carrier: Carrier, payload: Any) -> ParseResult:
    """Events and per-number errors of one Track API reply; `ParseError` when it is not one."""
    mapper = mapper_for(carrier.vocabulary)  # a broken vocabulary is not the payload's fault
    try:
        return _parse(carrier, mapper, payload)
    except ParseError:
        raise
    except TracklingoError as exc:
        raise ParseError(_CARRIER, str(exc)) from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        raise ParseError(_CARRIER, f"unexpected Track API reply shape: {type(exc).__name__}: {exc}") from None


def _parse(carrier: Carrier, mapper: FedExMapper, payload: Any) -> ParseResult:
    data = _dict(payload)
    if data is None:
        raise ParseError(
            _CARRIER,
            f"a Track API reply is a JSON object, not {type(payload).__name__}",
        )
    output = _dict(data.get("output"))
    if output is None:
        errors = _request_errors(data.get("errors"))
        if errors:
            return ParseResult(errors=errors)
        raise ParseError(_CARRIER, "not a Track API reply: no 'output' object and no 'errors' list")
    results = output.get("completeTrackResults")
    if not isinstance(results, list):
        raise ParseError(_CARRIER, "output.completeTrackResults is missing or not a list")
    parsed = ParseResult()
    for entry in results:
        _parse_number(carrier, mapper, entry, parsed)
    if not parsed.events and not parsed.errors:
        parsed.errors.extend(_alerts(output.get("alerts")))
    return parsed


def _message(value: Any) -> str | None:
    """An error text with its runs of whitespace collapsed: FedEx error messages were seen
    wrapped over several lines with long indents (MAGENTO ``getTrackErrorResponse``)."""
    text = text_field(value)
    return " ".join(text.split()) if text else None


def _request_errors(value: Any) -> list[NumberError]:
    found = []
    for item in _list(value):
        err = _dict(item)
        if err is None:
            continue
        code = text_field(err.get("code"))
        message = _message(err.get("message")) or code
        if message:
            found.append(NumberError(_error_number(err), message, code))
    return found


def _error_number(err: Mapping[str, Any]) -> str | None:
    """A tracking number named in an error's ``parameterList``, if any."""
    for param in _list(err.get("parameterList")):
        p = _dict(param)
        if p is not None and "tracking" in (text_field(p.get("key")) or "").lower():
            return text_field(p.get("value"))
    return None


def _alerts(value: Any) -> list[NumberError]:
    """``output.alerts`` when a reply has nothing else: a list of objects, or a plain string."""
    text = text_field(value)
    if text:
        return [NumberError(None, " ".join(text.split()))]
    found = []
    for item in _list(value):
        alert = _dict(item)
        if alert is None:
            continue
        code = text_field(alert.get("code"))
        if code == "VIRTUAL.RESPONSE":  # sandbox marker, not a problem
            continue
        message = _message(alert.get("message")) or code
        if message:
            found.append(NumberError(None, message, code))
    return found


def _parse_number(carrier: Carrier, mapper: FedExMapper, value: Any, parsed: ParseResult) -> None:
    entry = _dict(value)
    if entry is None:
        parsed.errors.append(NumberError(None, "malformed completeTrackResults entry"))
        return
    results = [r for r in map(_dict, _list(entry.get("trackResults"))) if r is not None]
    number = text_field(entry.get("trackingNumber")) or next(
        (n for r in results if (n := text_field(_get(r, "trackingNumberInfo", "trackingNumber")))),
        None,
    )
    if number is None:
        parsed.errors.append(NumberError(None, "completeTrackResults entry without a trackingNumber"))
        return
    good = [r for r in results if not _is_error(r)]
    if not good:
        err = next((_dict(r.get("error")) for r in results if _dict(r.get("error"))), None)
        code = text_field(err.get("code")) if err else None
        message = (_message(err.get("message")) if err else None) or code
        parsed.errors.append(
            NumberError(number, message or "FedEx returned no tracking result for this number", code)
        )
        return
    candidates = [_events_for(carrier, mapper, number, r) for r in good]
    events = _pick(candidates)
    if not events:
        parsed.errors.append(NumberError(number, "FedEx returned no scan events for this number"))
    parsed.events.extend(events)


def _is_error(result: Mapping[str, Any]) -> bool:
    return _dict(result.get("error")) is not None and not _list(result.get("scanEvents"))


def _pick(candidates: list[list[TrackingEvent]]) -> list[TrackingEvent]:
    """One `trackResults` entry's events when FedEx returned several (fedex.md 1.5)."""
    if len(candidates) == 1:
        return candidates[0]
    moving = [i for i, events in enumerate(candidates) if not _label_only(events)]
    pool = moving or list(range(len(candidates)))
    best = max(pool, key=lambda i: (_latest(candidates[i]), len(candidates[i]), -i))
    return candidates[best]


def _label_only(events: list[TrackingEvent]) -> bool:
    """Nothing beyond label data (PMY-FIX's stale record: ``possessionStatus`` false, one OC).

    Judged from the scans, not ``possessionStatus``: FedEx may stop possessing a delivered
    parcel too.
    """
    return all(e.stage in (Stage.LABEL_CREATED, Stage.UNKNOWN) for e in events)


def _instant(event: TrackingEvent) -> float:
    when = event.occurred_at
    if when is None:
        return float("-inf")
    if when.tzinfo is None:  # a local time: close enough for ordering
        when = when.replace(tzinfo=UTC)
    try:
        return when.timestamp()
    except (OverflowError, ValueError):  # year 1 / 9999 with an offset
        return float("-inf")


def _latest(events: list[TrackingEvent]) -> float:
    return max((_instant(e) for e in events), default=float("-inf"))


# -- one trackResults entry ---------------------------------------------------------------------------


def _events_for(
    carrier: Carrier, mapper: FedExMapper, number: str, result: Mapping[str, Any]
) -> list[TrackingEvent]:
    handoff = _usps_handoff(result)
    delivered_at = _delivery_address(result)
    # Event templates (tracklingo.templates): a scan's mapping depends on its six code/text
    # fields, its scanLocation parts and this result's handoff and delivery address only.
    templates = carrier.templates
    memo = templates.lookup
    context = (
        (handoff.carrier, handoff.tracking_number) if handoff is not None else None,
        (
            delivered_at.city,
            delivered_at.region,
            delivered_at.postal_code,
            delivered_at.country,
        )
        if delivered_at is not None
        else None,
    )
    events: list[TrackingEvent] = []
    for scan in _list(result.get("scanEvents")):
        key: tuple[Any, ...] | None = None
        if scan.__class__ is dict:
            loc = scan.get("scanLocation")
            if loc.__class__ is dict:
                place: tuple[Any, ...] | None = (
                    loc.get("city"),
                    loc.get("stateOrProvinceCode"),
                    loc.get("postalCode"),
                    loc.get("countryCode"),
                    loc.get("countryName"),
                )
            elif loc is None:
                place = None
            else:
                place = ("",)  # not a place FedEx writes: the ordinary path reads it
            key = (
                scan.get("eventType"),
                scan.get("eventDescription"),
                scan.get("exceptionDescription"),
                scan.get("exceptionCode"),
                scan.get("derivedStatusCode"),
                scan.get("derivedStatus"),
                place,
                context,
            )
            when = _fast_when(scan.get("date"))
            try:
                template = memo.get(key)
            except TypeError:  # an unhashable value: the ordinary path reads the scan
                template = None
            if template is not None:
                if when is not None:
                    events.append(stamp(template, number, when, False, None, scan))
                else:  # an unusual time (no offset, midnight): the time rules read it
                    code = text_field(scan.get("eventType"))
                    where = _scan_place(scan, code, delivered_at)
                    resolved = _resolve_when(carrier, scan.get("date"), where, code)
                    events.append(stamp_resolved(template, number, resolved, scan))
                continue
        event = _scan_event(carrier, mapper, number, scan, handoff, delivered_at)
        if event is None:
            continue
        if key is not None and plain_key(key):
            templates.put(key, event)
        events.append(event)
    if not events:
        latest = _latest_status_event(carrier, mapper, number, result)
        return [latest] if latest is not None else []
    # Oldest first; undated events last. Stable, so ties keep FedEx's (reversed) order.
    events.reverse()
    if not _in_order(events):
        events.sort(key=_order)
    return events


def _in_order(events: list[TrackingEvent]) -> bool:
    """True when sorting by `_order` would change nothing: every time aware, none decreasing,
    and all within the years `datetime.timestamp` can take (FedEx's usual reply, reversed)."""
    previous = None
    for event in events:
        when = event.occurred_at
        if when is None or when.tzinfo is None:
            return False
        if previous is not None and when < previous:
            return False
        previous = when
    first, last = events[0].occurred_at, events[-1].occurred_at
    return first is not None and last is not None and first.year > 1 and last.year < 9999


def _order(event: TrackingEvent) -> tuple[bool, float]:
    return (event.occurred_at is None, _instant(event))


def _fast_when(date: Any) -> datetime | None:
    """The scan time when FedEx wrote it the usual way (``2024-05-01T10:20:00-04:00``, an offset,
    not midnight); None for `_resolve_when` to decide. Same answer as `_resolve_when` (the
    plugin's tests compare both on the fixtures and fuzzed scans)."""
    if date.__class__ is not str or len(date) != 25 or date[10] != "T" or date[19] not in "+-":
        return None
    try:
        when = datetime.fromisoformat(date)
    except ValueError:
        return None
    if not (when.hour or when.minute or when.second or when.microsecond):
        return None  # midnight: a pickup scan's date placeholder, maybe (_resolve_when decides)
    return when


def _location(data: Mapping[str, Any] | None) -> Location:
    if data is None:
        return build_location({})
    country = country_code(text_field(data.get("countryCode"))) or country_code(
        text_field(data.get("countryName"))
    )
    return build_location(
        {
            "city": text_field(data.get("city")),
            "region": text_field(data.get("stateOrProvinceCode")),
            "postal_code": text_field(data.get("postalCode")),
            "country": country,
        }
    )


def _located(location: Location) -> bool:
    return any((location.city, location.region, location.postal_code, location.country))


def _delivery_address(result: Mapping[str, Any]) -> Location | None:
    """Where FedEx says the parcel was delivered, for a ``DL`` scan whose ``scanLocation`` is
    empty (only ``streetLines: [""]`` and ``residential``, as in K-FIX's
    ``DuplicateTrackingResponse`` and PMY-FIX): ``deliveryDetails.actualDeliveryAddress``, else
    ``lastUpdatedDestinationAddress`` (the destination as last updated, so a redirect counts).
    Both are FedEx's own fields for this result; nothing is guessed."""
    for value in (
        _get(result, "deliveryDetails", "actualDeliveryAddress"),
        result.get("lastUpdatedDestinationAddress"),
    ):
        location = _location(_dict(value))
        if _located(location):
            return location
    return None


def _resolve_when(carrier: Carrier, value: Any, location: Location, event_type: str | None) -> ResolvedTime:
    text = text_field(value)
    if text is None:
        return ResolvedTime(None, False, "FedEx gave no time for this scan")
    try:
        resolved = resolve_time(
            text, country=location.country, region=location.region, trust_z=carrier.trusts_z
        )
    except (InputError, ValueError, OverflowError):
        return ResolvedTime(None, False, f"FedEx gave an unreadable time {_echo(text)!r}")
    when = resolved.when
    if (
        when is not None
        and event_type in _DATE_ONLY_SCANS
        and (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0)
    ):
        note = "FedEx dates pickup scans at midnight: probably the date only, not the time"
        if not _has_offset(text):
            note += "; FedEx gave no UTC offset"
        if resolved.note:
            note = f"{note}; {resolved.note}"
        return ResolvedTime(when, resolved.is_local, note)
    return resolved


def _has_offset(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _scan_event(
    carrier: Carrier,
    mapper: FedExMapper,
    number: str,
    value: Any,
    handoff: Handoff | None,
    delivered_at: Location | None = None,
) -> TrackingEvent | None:
    scan = _dict(value)
    if scan is None:
        return None
    code = text_field(scan.get("eventType"))
    text = text_field(scan.get("eventDescription"))
    detail = text_field(scan.get("exceptionDescription"))
    derived = text_field(scan.get("derivedStatusCode"))
    if code is None and text is None and detail is None and derived is None:
        return None
    location = _scan_place(scan, code, delivered_at)
    return build_event(
        carrier,
        mapper,
        number=number,
        when=_resolve_when(carrier, scan.get("date"), location, code),
        text=text,
        code=code,
        detail=detail,
        exception_code=text_field(scan.get("exceptionCode")),
        derived_code=derived,
        derived_text=text_field(scan.get("derivedStatus")),
        location=location,
        handoff=handoff,
        handoff_stages=frozenset({Stage.HANDED_TO_LAST_MILE}),
        raw=scan,
    )


def _scan_place(scan: Mapping[str, Any], code: str | None, delivered_at: Location | None) -> Location:
    """Where a scan happened: its ``scanLocation``, or the delivery address for an unlocated
    ``DL`` scan (see `_delivery_address`)."""
    location = _location(_dict(scan.get("scanLocation")))
    if delivered_at is not None and code == "DL" and not _located(location):
        return delivered_at
    return location


def _latest_status_event(
    carrier: Carrier, mapper: FedExMapper, number: str, result: Mapping[str, Any]
) -> TrackingEvent | None:
    """Without scans (e.g. ``includeDetailedScans: false``), the latest status, undated."""
    latest = _dict(result.get("latestStatusDetail"))
    if latest is None:
        return None
    code = text_field(latest.get("code"))
    text = text_field(latest.get("description")) or text_field(latest.get("statusByLocale"))
    if code is None and text is None:
        return None
    return build_event(
        carrier,
        mapper,
        number=number,
        when=ResolvedTime(None, False, "FedEx sent no scan events; this is its latest status, undated"),
        text=text,
        code=code,
        derived_code=text_field(latest.get("derivedCode")),
        derived_text=text_field(latest.get("statusByLocale")),
        location=_location(_dict(latest.get("scanLocation"))),
        raw=latest,
    )


def build_event(
    carrier: Carrier,
    mapper: FedExMapper,
    *,
    number: str,
    when: ResolvedTime,
    text: str | None,
    code: str | None,
    detail: str | None = None,
    exception_code: str | None = None,
    derived_code: str | None = None,
    derived_text: str | None = None,
    location: Location | None = None,
    handoff: Handoff | None = None,
    handoff_stages: frozenset[Stage] | None = None,
    raw: Any = None,
) -> TrackingEvent:
    """One canonical event from a FedEx scan's parts (API scan or flat record).

    `handoff` is attached when the final stage is in `handoff_stages` (always when that is None).
    """
    res = mapper.primary(text, code)
    mapped = mapper.map(
        res,
        derived_code=derived_code,
        derived_text=derived_text,
        detail=detail,
        exception_code=exception_code,
    )
    if handoff is not None and handoff_stages is not None and mapped.stage not in handoff_stages:
        handoff = None
    event = carrier.make_event(
        tracking_number=number,
        when=when,
        text=text,
        code=code,
        location=location,
        reason=mapped.reason,
        stage=mapped.stage if mapped.stage is not res.stage else None,
        handoff=handoff,
        raw=raw,
    )
    if event.match is not mapped.match:
        event = event.model_copy(update={"match": mapped.match})
    return event


# -- the USPS leg of Ground Economy -------------------------------------------------------------------


def _is_postal_service(result: Mapping[str, Any]) -> bool:
    if text_field(_get(result, "trackingNumberInfo", "carrierCode")) in _POSTAL_CARRIER_CODES:
        return True
    if text_field(_get(result, "serviceDetail", "type")) in _POSTAL_SERVICE_TYPES:
        return True
    commit = text_field(_get(result, "serviceCommitMessage", "type")) or ""
    return commit.startswith("USPS_")


def _usps_handoff(result: Mapping[str, Any]) -> Handoff | None:
    """`Handoff` to USPS for a postal-delivered service (fedex.md 4.1), else `None`.

    The USPS number comes from ``additionalTrackingInfo.packageIdentifiers[]`` of type
    ``PARTNER_CARRIER_NUMBER`` (``values[0]`` as captured, or ``value`` as the spec says); without
    it the handoff names USPS only: a number is never invented.
    """
    if not _is_postal_service(result):
        return None
    for item in _list(_get(result, "additionalTrackingInfo", "packageIdentifiers")):
        ident = _dict(item)
        if ident is None or text_field(ident.get("type")) != "PARTNER_CARRIER_NUMBER":
            continue
        values = ident.get("values")
        candidates = _list(values) if isinstance(values, list) else (values, ident.get("value"))
        for candidate in (*candidates, ident.get("value")):
            found = text_field(candidate)
            if found:
                return Handoff(carrier="usps", tracking_number="".join(found.split()))
    return Handoff(carrier="usps")
