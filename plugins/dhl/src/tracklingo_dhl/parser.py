"""Parser for DHL's Unified Shipment Tracking API (``GET /track/shipments``). Pure: no I/O.

Response shape (shared/reference/dhl.md 1.4): ``{"shipments": [{"id", "service", "status",
"details", "events": [{"timestamp", "location": {"address": {...}}, "statusCode", "status",
"statusDetailed", "description", "remark", "nextSteps", "pieceIds"}]}]}``; errors are RFC 7807
problem+json bodies (``title``, ``status``, ``detail``, ``instance``; dhl.md 1.6).

Which field is the text and which the code (dhl.md 1.5, 1.8; plugins/dhl/NOTES.md):

- The event's text is ``description``, else ``status`` when it is a phrase (eCommerce sends only
  an upper-case ``status``). A code-like ``status`` (``"101"``, ``"PO"``) is never used as text.
- The coarse ``statusCode`` (pre-transit, transit, delivered, failure, unknown) is passed as the
  event's code: the vocabulary maps those values with *fallback* rules only, so any text rule wins
  and ``statusCode`` decides only when no text matched. DHL Express checkpoint codes (``PU``,
  ``OK``...) never appear in Unified responses; they share the code table with the statusCode
  values without overlap, and matter for flat feeds built from MyDHL / XML-PI.
- Parcel DE events may also carry the legacy standard-event-code in ``status`` (``PO``, ``ZU``)
  and ``ICE_RIC_CODE`` in ``statusDetailed``. Two of those codes (``ES``, ``PO``) are also DHL
  Express codes, so for parcel-de the order is: a code+phrase rule with the legacy code, then the
  text, then a bare legacy code, then the statusCode fallback. The event keeps whichever code
  decided (``statusCode`` unless a legacy code did).

Times: ISO 8601 with or without an offset goes to the core's time rules with the event's place.
An event with no place at all, in a shipment whose ``origin`` and ``destination`` are one
country, is resolved in that country when it lies in one zone (see `_placeless_time`).

Events come out in DHL's own order (newest first, dhl.md 1.4); journeys order them by time.

The hand-off to a last-mile partner (eCommerce → USPS, dhl.md 3.3) is put on every event whose
stage is `handed_to_last_mile`: the partner from ``details.provider.destinationProvider``, else
USPS when the ``local-tracking-number`` reference is a USPS IMpb or the shipment is a DHL
eCommerce one bound for the US (DHL: US parcels are delivered by the U.S. Postal Service); the
number from ``details.references[type=local-tracking-number]`` with a ``420``+ZIP routing prefix
removed. Without a known partner no hand-off is invented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs, urlsplit

from tracklingo import Handoff, NumberError, ParseError, ParseResult, TrackingEvent
from tracklingo.checkdigits import mod10_ok
from tracklingo.countries import US_STATES, country_code
from tracklingo.errors import TracklingoError
from tracklingo.taxonomy import MatchKind, Stage
from tracklingo.times import ResolvedTime, resolve_time
from tracklingo.vocabulary import Resolution, Vocabulary

if TYPE_CHECKING:
    from tracklingo import Carrier

__all__ = ["SERVICES", "parse", "sniff", "split_locality"]

CARRIER: Final = "dhl"

#: ``service`` values of the Unified API (dhl.md 1.3: the OpenAPI enum and the services seen in
#: ``possibleAdditionalShipmentsUrl``).
SERVICES: Final = frozenset(
    {
        "express", "parcel-de", "post-de", "ecommerce", "ecommerce-apac", "ecommerce-europe",
        "ecommerce-ppl", "ecommerce-iberia", "parcel-nl", "parcel-pl", "parcel-uk", "dgf",
        "freight", "dsc", "sameday", "post-international", "svb",
    }
)

#: Services whose events may carry legacy standard-event-codes in ``status`` (dhl.md 4.3).
_LEGACY_CODE_SERVICES: Final = frozenset({"parcel-de", "post-de"})

#: ``"101"``, ``"PO"``, ``"SRTED_NRQRD_PO"``: a code, not a sentence.
_CODE_LIKE: Final = re.compile(r"^(?:\d+|[A-Z]{2}|[A-Z0-9]+(?:_[A-Z0-9]+)+)$")

_TEXT_MATCHES: Final = frozenset({MatchKind.CODE, MatchKind.PHRASE, MatchKind.PATTERN,
                                  MatchKind.CONTEXT})

#: ``details.provider.destinationProvider`` values that are a tracklingo carrier name of their
#: own (the others, e.g. ``anpost``, ``bpost``, ``posti``, are kept as DHL names them).
_PROVIDER_CARRIER: Final = {"parcel-de": "dhl", "usps": "usps"}

_MAX_REPR: Final = 80


# -- small guarded accessors -----------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A non-empty stripped string, or None for anything else."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _id(value: Any) -> str | None:
    """A tracking number: a string, or an integer some producers emit for numeric waybills."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    return _text(value)


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


# -- sniff ---------------------------------------------------------------------------------------


def _problem_like(payload: Mapping[str, Any]) -> bool:
    """An RFC 7807 body: a title or detail plus a status, type or instance."""
    has_words = isinstance(payload.get("title"), str) or isinstance(payload.get("detail"), str)
    return has_words and any(k in payload for k in ("status", "type", "instance"))


def sniff(payload: Any) -> bool:
    """True for a Unified Shipment Tracking response, or a problem+json body whose ``instance``
    is a Unified tracking path (``/shipment/...``, ``/track/shipments...``)."""
    if not isinstance(payload, Mapping):
        return False
    shipments = payload.get("shipments")
    if isinstance(shipments, list):
        if isinstance(payload.get("possibleAdditionalShipmentsUrl"), list):
            return True
        for shipment in shipments[:5]:
            if not isinstance(shipment, Mapping):
                continue
            service = shipment.get("service")
            if isinstance(service, str) and service.strip().lower() in SERVICES and (
                "events" in shipment or "status" in shipment
            ):
                return True
        return False
    instance = payload.get("instance")
    return (
        _problem_like(payload)
        and isinstance(instance, str)
        and instance.startswith(("/shipment/", "/track/shipments"))
    )


# -- errors --------------------------------------------------------------------------------------


def _number_from_instance(instance: str | None) -> str | None:
    if not instance:
        return None
    if instance.startswith("/shipment/"):
        return _text(instance[len("/shipment/") :].split("?", 1)[0].split("/", 1)[0])
    query = parse_qs(urlsplit(instance).query)
    found = query.get("trackingNumber")
    return _text(found[0]) if found else None


def _problem_error(payload: Mapping[str, Any]) -> NumberError:
    title = _text(payload.get("title"))
    detail = _text(payload.get("detail"))
    status = payload.get("status")
    if title and detail and detail != title:
        message = f"DHL: {title}: {detail}"
    else:
        message = f"DHL: {title or detail or 'error response without a title'}"
    code = str(status) if isinstance(status, int) and not isinstance(status, bool) else None
    number = _number_from_instance(_text(payload.get("instance")))
    return NumberError(number, message, code)


# -- locations -----------------------------------------------------------------------------------

_STATE: Final = re.compile(r"^[A-Za-z]{2,3}$")
_ALPHA2: Final = re.compile(r"^[A-Za-z]{2}$")


def split_locality(locality: str) -> dict[str, str]:
    """Split DHL's free-text ``addressLocality`` into location parts.

    - Express ``"CITY - COUNTRY NAME"`` (split at the last `` - ``; MyDHL writes
      ``"LEIPZIG-GERMANY"``): city + ISO country; ``"CITY, ST - USA"`` keeps the US state.
    - eCommerce US ``"City, ST, US"``: city, region, country.
    - Parcel DE ``"Deutschland"`` / ``"Germany"``: country only.
    - Anything else is kept whole as the city.
    """
    text = " ".join(locality.split())
    for sep in (" - ", "-"):
        head, found, tail = text.rpartition(sep)
        if found and head.strip() and tail.strip():
            code = country_code(tail)
            if code is not None:
                city = head.strip(" -")
                # Express writes US places as "WILMINGTON, OH - USA": keep the state (time zone)
                town, comma, state = city.rpartition(",")
                if code == "US" and comma and town.strip() and state.strip().upper() in US_STATES:
                    return {"city": town.strip(), "region": state.strip().upper(), "country": code}
                return {"city": city, "country": code}
    parts = [p.strip() for p in text.split(",")]
    if len(parts) >= 3 and _ALPHA2.match(parts[-1]) and _STATE.match(parts[-2]):
        code = country_code(parts[-1])
        city = ", ".join(p for p in parts[:-2] if p)
        if code is not None and city:
            return {"city": city, "region": parts[-2].upper(), "country": code}
    if not _ALPHA2.match(text):  # "GA" alone is a state as often as Gabon: do not guess
        code = country_code(text)
        if code is not None:
            return {"country": code}
    return {"city": text}


def _location(value: Any) -> dict[str, str]:
    address = _map(_map(value).get("address"))
    out: dict[str, str] = {}
    locality = _text(address.get("addressLocality"))
    if locality:
        out.update(split_locality(locality))
    region = _text(address.get("addressRegion"))
    if region and "region" not in out:
        out["region"] = region
    postal = _text(address.get("postalCode"))
    if postal:
        out["postal_code"] = postal
    cc = _text(address.get("countryCode"))
    if cc:
        code = country_code(cc)
        if code is not None:
            out["country"] = code
    return out


# -- time ----------------------------------------------------------------------------------------


def _when(value: Any) -> str | ResolvedTime | None:
    """The timestamp for `Carrier.make_event`, or a `ResolvedTime` that says why it is unusable.

    ISO 8601 with or without an offset and with any number of fraction digits (dhl.md 6) goes to
    the core's time rules as is; anything else keeps the event with no time and a note.
    """
    if value is None:
        return None
    text = _text(value)
    if text is None:
        return ResolvedTime(None, False, f"the carrier's timestamp {_short(value)} is not a string")
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return ResolvedTime(None, False, f"the carrier's timestamp {_short(text)} is not ISO 8601")
    return text


# -- text / code choice --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Choice:
    code: str | None
    text: str | None
    resolution: Resolution


def _choose(
    vocabulary: Vocabulary, service: str | None, event: Mapping[str, Any]
) -> _Choice:
    """Pick the (code, text) pair that decides the event's stage; see the module docstring."""
    description = _text(event.get("description"))
    status = _text(event.get("status"))
    detailed = _text(event.get("statusDetailed"))
    status_code = _text(event.get("statusCode"))

    texts: list[str] = []
    for candidate in (description, status):
        if candidate and not _CODE_LIKE.match(candidate) and candidate not in texts:
            texts.append(candidate)
    text = texts[0] if texts else None

    legacy: list[str] = []
    if service in _LEGACY_CODE_SERVICES:
        for candidate in (detailed, status):
            if candidate and _CODE_LIKE.match(candidate) and candidate not in legacy:
                legacy.append(candidate)

    for code in legacy:  # 1. a legacy code together with its text (code+phrase rules)
        res = vocabulary.resolve(text, code)
        if res.match is MatchKind.CODE and res.rule is not None and res.rule.phrase:
            return _Choice(code, text, res)
    for candidate in texts:  # 2. the text (statusCode only as the fallback behind it)
        res = vocabulary.resolve(candidate, status_code)
        if res.match in _TEXT_MATCHES:
            return _Choice(status_code, candidate, res)
    for code in legacy:  # 3. a bare legacy code
        res = vocabulary.resolve(text, code)
        if res.match is MatchKind.CODE:
            return _Choice(code, text, res)
    return _Choice(status_code, text, vocabulary.resolve(text, status_code))  # 4. fallback


# -- hand-off ------------------------------------------------------------------------------------


def _usps_number(number: str) -> str:
    """The USPS IMpb inside a DHL eCommerce number: a ``420``+ZIP(5 or 9) routing prefix removed."""
    if number.isdigit() and number.startswith("420"):
        for cut in (8, 12):
            rest = number[cut:]
            if rest.startswith(("92", "93", "94", "95")) and mod10_ok(rest):
                return rest
    return number


def _is_usps_impb(number: str) -> bool:
    candidate = _usps_number(number)
    return (
        candidate.isdigit()
        and 20 <= len(candidate) <= 34
        and candidate.startswith(("92", "93", "94", "95"))
        and mod10_ok(candidate)
    )


def _handoff(shipment: Mapping[str, Any], service: str | None) -> Handoff | None:
    details = _map(shipment.get("details"))
    local: str | None = None
    references = details.get("references")
    if isinstance(references, list):
        for ref in references:
            ref_map = _map(ref)
            if _text(ref_map.get("type")) == "local-tracking-number":
                local = _id(ref_map.get("number"))
                if local:
                    break
    provider = _text(_map(details.get("provider")).get("destinationProvider"))
    partner: str | None = None
    if provider:
        partner = _PROVIDER_CARRIER.get(provider.lower(), provider.lower())
    elif local and _is_usps_impb(local):
        partner = "usps"
    elif service is not None and service.startswith("ecommerce"):
        destination = _location(_map(shipment.get("destination")))
        if destination.get("country") == "US":
            partner = "usps"
    if partner is None:
        return None
    if local and partner == "usps":
        # only a number USPS could track (IMpb with a valid check digit); a garbled reference
        # still names the partner but must not become a journey link
        local = _usps_number(local) if _is_usps_impb(local) else None
    return Handoff(carrier=partner, tracking_number=local)


# -- parse ---------------------------------------------------------------------------------------


def _home_country(shipment: Mapping[str, Any]) -> str | None:
    """The one country a shipment starts and ends in (``origin`` and ``destination`` agree), or
    None for a cross-border or unknown route."""
    origin = _location(shipment.get("origin")).get("country")
    destination = _location(shipment.get("destination")).get("country")
    return origin if origin is not None and origin == destination else None


def _placeless_time(
    when: str | ResolvedTime | None, home: str | None
) -> str | ResolvedTime | None:
    """The time of an event that names no place, in a shipment that never leaves `home`.

    DHL leaves ``location`` off some events (parcel-de's "Die Sendung wurde in das
    Zustellfahrzeug geladen..." and the electronic announcement in a real 2023 capture, repo
    msouvikrepo/scala-API-Integration ``dhl-api/src/test/scala/com/mailytica/ai/api/dhl/
    DhlStatusSpec.scala``, origin and destination both DE). Every event of a domestic shipment
    happens in that country, so where the country lies in one zone the naive local time is
    resolved there, and the note says why. A multi-zone country (US) stays local. The event's
    location is left as DHL gave it.
    """
    if home is None or not isinstance(when, str):
        return when
    try:
        naive = datetime.fromisoformat(when)
        if naive.tzinfo is not None:
            return when  # DHL gave the offset: kept as is
        resolved = resolve_time(naive, country=home)
    except (TracklingoError, ValueError, OverflowError):
        return when
    if resolved.when is None or resolved.is_local:
        return when  # no certain zone for that country: the usual rules apply
    return ResolvedTime(
        resolved.when,
        False,
        f"DHL gave no place for this event; the time zone is that of {home}, where the"
        " shipment starts and ends",
    )


def _event(
    carrier: Carrier,
    number: str,
    service: str | None,
    raw: Mapping[str, Any],
    handoff: Handoff | None,
    home: str | None = None,
) -> TrackingEvent:
    choice = _choose(carrier.vocabulary, service, raw)
    stage = choice.resolution.stage
    location = _location(raw.get("location"))
    when = _when(raw.get("timestamp"))
    if "country" not in location and "country" not in choice.resolution.captured:
        when = _placeless_time(when, home)
    return carrier.make_event(
        tracking_number=number,
        when=when,
        text=choice.text,
        code=choice.code,
        location=location,
        handoff=handoff if stage is Stage.HANDED_TO_LAST_MILE else None,
        raw=raw,
    )


def _shipment(
    carrier: Carrier, index: int, shipment: Any, result: ParseResult
) -> None:
    if not isinstance(shipment, Mapping):
        result.errors.append(
            NumberError(None, f"DHL response: shipments[{index}] is not an object")
        )
        return
    number = _id(shipment.get("id"))
    if number is None:
        result.errors.append(
            NumberError(None, f"DHL response: shipments[{index}] has no tracking number ('id')")
        )
        return
    service_text = _text(shipment.get("service"))
    service = service_text.lower() if service_text else None
    raw_events = shipment.get("events")
    events: Sequence[Any]
    if isinstance(raw_events, list) and raw_events:
        events = raw_events
    else:
        if raw_events is not None and not isinstance(raw_events, list):
            result.errors.append(
                NumberError(number, "DHL response: 'events' is not a list; used 'status' only")
            )
        status = shipment.get("status")
        events = [status] if isinstance(status, Mapping) else []
    handoff = _handoff(shipment, service)
    home = _home_country(shipment)
    for i, raw in enumerate(events):
        if not isinstance(raw, Mapping):
            result.errors.append(
                NumberError(number, f"DHL response: events[{i}] is not an object; skipped")
            )
            continue
        result.events.append(_event(carrier, number, service, raw, handoff, home))


def parse(carrier: Carrier, payload: Any) -> ParseResult:
    """Events and per-number errors from one Unified API response (or problem+json body).

    Raises only `tracklingo.ParseError`, for a payload that is not a Unified response at all.
    """
    if not isinstance(payload, Mapping):
        raise ParseError(
            CARRIER,
            f"expected a JSON object from the Unified Shipment Tracking API, got"
            f" {type(payload).__name__}",
        )
    shipments = payload.get("shipments")
    if shipments is None:
        if _problem_like(payload):
            return ParseResult(errors=[_problem_error(payload)])
        raise ParseError(
            CARRIER,
            "not a Unified Shipment Tracking API response: no 'shipments' list and no"
            " problem+json 'title'/'detail'",
        )
    if not isinstance(shipments, list):
        raise ParseError(CARRIER, f"'shipments' must be a list, not {type(shipments).__name__}")
    carrier.vocabulary  # noqa: B018 - load it here: a broken vocabulary is not a ParseError
    result = ParseResult()
    try:
        for index, shipment in enumerate(shipments):
            _shipment(carrier, index, shipment, result)
    except ParseError:
        raise
    except (TracklingoError, ValueError, TypeError, OverflowError, KeyError) as exc:
        # Defensive: every field above is guarded; this turns a missed corner (e.g. a date the
        # time-zone database cannot place) into the one error type parsers may raise.
        raise ParseError(CARRIER, f"unreadable response: {type(exc).__name__}: {exc}") from None
    return result
