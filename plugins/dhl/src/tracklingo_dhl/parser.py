"""Reading DHL's Unified Shipment Tracking API (``GET /track/shipments``): the payload walk.

Response shape (DHL Shipment Tracking - Unified, https://developer.dhl.com/api-reference/shipment-
tracking): ``{"shipments": [{"id", "service", "status", "details", "events": [{"timestamp",
"location": {"address": {...}}, "statusCode", "status", "statusDetailed", "description", "remark",
"nextSteps", "pieceIds"}]}]}``; errors are RFC 7807 problem+json bodies (``title``, ``status``,
``detail``, ``instance``). Events are listed newest first, ordered by each event's local clock:
across time zones that is not the order they happened in, so the core sorts them by time.

Which field is what, for the core (plugins/dhl/NOTES.md has the evidence). The most specific field
decides first, the coarse ``statusCode`` last:

- A **status key** is the event's code: ``statusDetailed``, or a code-like ``status`` (parcel-nl
  ``PRENOTIFICATION_RECEIVED``, parcel-de ``SRTED_NRQRD_PO``, ecommerce-europe ``42``, freight
  ``1-0``; DHL says ``status`` is not unified: a sentence, an upper-case word or a code). Parcel DE's
  bare two-letter legacy codes (``PO``, ``ZU``, ``ES``) are also Express checkpoint codes: they are
  only a second code namespace paired with their text (`Scan.alt_codes`, precedence in the
  vocabulary's ``[meta.options] alt_codes``), never the code looked up alone.
- The **texts**, tried in order: ``description``, ``remark``, a phrase ``status`` (eCommerce sends
  only an upper-case ``status``); the one a rule knows becomes the description. eCommerce relays the
  partner's delivery detail beside the upper-case status ("DELIVERED" / "IN/AT MAILBOX"): DHL's own
  joined form ("DELIVERED - PARCEL LOCKER") is tried first so the detail stays. HTML is dropped.
- The coarse ``statusCode`` (pre-transit, transit, delivered, failure, unknown) is `Scan.status_code`:
  the vocabulary maps those values with *fallback* rules only, so it decides only when nothing finer
  matched. Nothing is lost: an event without any text keeps its key (else its coarse status) as the
  description.
- ``location.address.addressLocality`` is a locality line ("LEIPZIG - GERMANY", "Atlanta, GA, US",
  "Deutschland"); ``addressRegion``, ``postalCode`` and ``countryCode`` are the other parts.
- Times are ISO 8601 with or without an offset. A shipment's ``origin`` and ``destination`` tell
  the core where a domestic shipment's placeless events happen (their time zone).

**MyDHL API** (DHL Express, ``GET /mydhlapi/shipments/{number}/tracking``) answers in the same
``{"shipments": [...]}`` envelope with a shape of its own: ``shipmentTrackingNumber`` instead of
``id``, no ``service``, ``shipperDetails`` / ``receiverDetails`` with a ``postalAddress``, and
events ``{"date", "time", "GMTOffset", "typeCode", "description", "serviceArea": [{"code",
"description": "La Paz-MX"}], "signedBy"}`` listed oldest first. ``typeCode`` is the Express
checkpoint code, ``description`` the text, the first ``serviceArea`` description the place (a
locality line, "City-CC"); the shipment-level ``status`` ("Success") is the request's outcome, not
an event. Seen in real responses in public code (tests/test_dhl_real_payloads.py).

The hand-off to a last-mile partner (eCommerce → USPS) names the partner from
``details.provider.destinationProvider``, else USPS when the ``local-tracking-number`` reference is
a USPS IMpb or the shipment is a DHL eCommerce one bound for the US (DHL: US parcels are delivered
by the U.S. Postal Service); the number from ``details.references[type=local-tracking-number]``
with a ``420``+ZIP routing prefix removed. Without a known partner no hand-off is invented; the core
puts it on the events whose stage is `handed_to_last_mile`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from tracklingo.adapter import (
    Handoff,
    NumberError,
    ParseError,
    Place,
    Reading,
    Scan,
    Shipment,
    country_of,
    local_time,
    mod10_ok,
    number_of,
    string,
)

__all__ = ["SERVICES", "read", "sniff"]

CARRIER: Final = "dhl"

#: ``service`` values of the Unified API (the OpenAPI enum and the services seen in
#: ``possibleAdditionalShipmentsUrl``).
SERVICES: Final = frozenset(
    {
        "express",
        "parcel-de",
        "post-de",
        "ecommerce",
        "ecommerce-apac",
        "ecommerce-europe",
        "ecommerce-ppl",
        "ecommerce-iberia",
        "parcel-nl",
        "parcel-pl",
        "parcel-uk",
        "dgf",
        "freight",
        "dsc",
        "sameday",
        "post-international",
        "svb",
    }
)

#: Services whose events may carry legacy standard event codes in ``status``.
_LEGACY_CODE_SERVICES: Final = frozenset({"parcel-de", "post-de"})
#: ``"101"``, ``"PO"``, ``"SRTED_NRQRD_PO"``: a code, not a sentence.
_CODE_LIKE: Final = re.compile(r"^(?:\d+|[A-Z]{2}|[A-Z0-9]+(?:[_-][A-Z0-9]+)+)$")
#: A two-letter legacy Parcel DE code (``PO``, ``ZU``, ``ES``).
_BARE_CODE: Final = re.compile(r"^[A-Z]{2}$")
_TAG: Final = re.compile(r"<[^<>]{0,500}>")
_SPACES: Final = re.compile(r"\s+")
#: ``details.provider.destinationProvider`` values that are a tracklingo carrier name of their
#: own (the others, e.g. ``anpost``, ``bpost``, ``posti``, are kept as DHL names them).
_PROVIDER_CARRIER: Final = {"parcel-de": "dhl", "usps": "usps"}
#: Path prefixes of MyDHL API problem bodies' ``instance`` (``/expressapi/tracking?...``,
#: ``/mydhlapi/shipments/{number}/tracking``).
_MYDHL_PATHS: Final = ("/expressapi/", "/mydhlapi/")


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# -- sniff ---------------------------------------------------------------------------------------


def _problem_like(payload: Mapping[str, Any]) -> bool:
    """An RFC 7807 body: a title or detail plus a status, type or instance."""
    has_words = isinstance(payload.get("title"), str) or isinstance(payload.get("detail"), str)
    return has_words and any(k in payload for k in ("status", "type", "instance"))


def _is_mydhl(shipment: Mapping[str, Any]) -> bool:
    """A MyDHL API tracking shipment: ``shipmentTrackingNumber`` and an ``events`` list, no ``id``."""
    return (
        "id" not in shipment
        and shipment.get("shipmentTrackingNumber") is not None
        and isinstance(shipment.get("events"), list)
    )


def sniff(payload: Any) -> bool:
    """True for a Unified Shipment Tracking response or a MyDHL API tracking response, or a
    problem+json body whose ``instance`` is a Unified tracking path (``/shipment/...``,
    ``/track/shipments...``)."""
    if not isinstance(payload, Mapping):
        return False
    shipments = payload.get("shipments")
    if isinstance(shipments, list):
        if isinstance(payload.get("possibleAdditionalShipmentsUrl"), list):
            return True
        for shipment in shipments[:5]:
            if not isinstance(shipment, Mapping):
                continue
            if _is_mydhl(shipment):
                return True
            service = shipment.get("service")
            if (
                isinstance(service, str)
                and service.strip().lower() in SERVICES
                and ("events" in shipment or "status" in shipment)
            ):
                return True
        return False
    instance = payload.get("instance")
    return (
        _problem_like(payload)
        and isinstance(instance, str)
        and instance.startswith(("/shipment/", "/track/shipments", *_MYDHL_PATHS))
    )


# -- errors --------------------------------------------------------------------------------------


def _number_from_instance(instance: str | None) -> str | None:
    if not instance:
        return None
    if instance.startswith("/shipment/"):
        return string(instance[len("/shipment/") :].split("?", 1)[0].split("/", 1)[0])
    parts = urlsplit(instance)
    segments = parts.path.split("/")
    if instance.startswith(_MYDHL_PATHS) and len(segments) > 3 and segments[2] == "shipments":
        return string(segments[3])
    query = parse_qs(parts.query)
    found = query.get("trackingNumber") or query.get("shipmentTrackingNumber")
    return string(found[0]) if found else None


def _problem_error(payload: Mapping[str, Any]) -> NumberError:
    title = string(payload.get("title"))
    detail = string(payload.get("detail"))
    status = payload.get("status")
    if title and detail and detail != title:
        message = f"DHL: {title}: {detail}"
    else:
        message = f"DHL: {title or detail or 'error response without a title'}"
    if isinstance(status, int) and not isinstance(status, bool):
        code: str | None = str(status)
    else:  # MyDHL writes the HTTP status as a string ("400")
        code = status.strip() if isinstance(status, str) and status.strip().isdigit() else None
    return NumberError(_number_from_instance(string(payload.get("instance"))), message, code)


# -- one event -----------------------------------------------------------------------------------


def _place(value: Any) -> Place:
    address = _map(_map(value).get("address"))
    locality, country = address.get("addressLocality"), address.get("countryCode")
    if isinstance(locality, str) and isinstance(country, str) and locality.count(",") == 1:
        # eCommerce writes "HEATHROW, GB" beside countryCode "GB": the tail is that country
        city, _, tail = locality.partition(",")
        if city.strip() and tail.strip().upper() == country.strip().upper():
            locality = city
    return Place(
        locality=locality,
        region=address.get("addressRegion"),
        postal_code=address.get("postalCode"),
        country=country,
    )


def _plain(value: Any) -> str | None:
    """A text field as a reader sees it: HTML tags dropped, entities decoded, whitespace collapsed
    (DHL puts links in some descriptions, e.g. ``(<a href='...'>...</a>)``)."""
    if value.__class__ is not str:
        return string(value)
    if "<" not in value and "&" not in value:
        return value.strip() or None
    plain = _SPACES.sub(" ", html.unescape(_TAG.sub(" ", value)))
    return plain.replace(" )", ")").replace("( ", "(").strip() or None


def _scan(service: str | None, event: Mapping[str, Any]) -> Scan:
    """One event. The most specific field decides first: a status key (``statusDetailed``, or a
    code-like ``status``: parcel-nl ``PRENOTIFICATION_RECEIVED``, parcel-de ``SRTED_NRQRD_PO``) is the
    event's code; the texts are ``description``, ``remark`` and a phrase ``status``, in that order;
    the coarse ``statusCode`` is the fallback namespace (`Scan.status_code`). A key is never lost:
    without any text it is the description (and without a key, the coarse status is)."""
    get = event.get
    coarse = string(get("statusCode"))
    status = _plain(get("status"))
    detailed = get("statusDetailed")
    keys: list[str] = []
    if detailed is not None and (detailed := string(detailed)) and _CODE_LIKE.match(detailed):
        keys.append(detailed)
    status_is_key = False
    if status is not None and _CODE_LIKE.match(status):
        status_is_key = True
        if status not in keys:
            keys.append(status)
    texts: list[str] = []
    for raw in (get("description"), get("remark")):
        if raw is not None and (said := _plain(raw)) and said not in texts and not _CODE_LIKE.match(said):
            texts.append(said)
    if status is not None and not status_is_key and status not in texts:
        if (
            texts
            and service is not None
            and service.startswith("ecommerce")
            and not texts[0].upper().startswith(status.upper())
        ):
            # eCommerce relays the partner's delivery detail beside the coarse upper-case status
            # ("DELIVERED" / "IN/AT MAILBOX"): DHL's own joined form ("DELIVERED - PARCEL LOCKER")
            # first, so the detail stays the event's text when the vocabulary knows the form
            texts.insert(0, f"{status} - {texts[0]}")
        texts.append(status)
    if service in _LEGACY_CODE_SERVICES:
        # a bare two-letter legacy code (PO, ZU) is also an Express checkpoint code: only ever an
        # alternative paired with its text, never the code the rules look up first
        specific = [k for k in keys if not _BARE_CODE.match(k)]
        alt_codes = tuple(keys)
    else:
        specific = keys
        alt_codes = tuple(keys[1:])
    return Scan(
        code=specific[0] if specific else coarse,
        text=texts[0] if texts else (keys[0] if keys else coarse),
        alt_texts=tuple(texts[1:]),
        alt_codes=alt_codes,
        status_code=coarse,
        place=_place(get("location")),
        time=get("timestamp"),
        raw=event,
    )


def _service_area(value: Any) -> Place:
    """The first ``serviceArea`` entry's description ("La Paz-MX") as a locality line."""
    first = _map(value[0]) if isinstance(value, list) and value else {}
    return Place(locality=string(first.get("description")))


def _postal_address(details: Any) -> Place:
    """``shipperDetails`` / ``receiverDetails``: the ``postalAddress`` parts, else the service area."""
    details = _map(details)
    address = _map(details.get("postalAddress"))
    if not address:
        return _service_area(details.get("serviceArea"))
    return Place(
        city=address.get("cityName"),
        region=address.get("provinceCode"),
        postal_code=address.get("postalCode"),
        country=address.get("countryCode"),
    )


def _mydhl_scan(event: Mapping[str, Any]) -> Scan:
    """One MyDHL event: ``typeCode`` is the checkpoint code, ``description`` the text, ``date`` +
    ``time`` the local time (``GMTOffset`` its offset when given), the first ``serviceArea`` the
    place. A code without a text stays the description."""
    get = event.get
    code = string(get("typeCode"))
    text = _plain(get("description"))
    when, offset = local_time(get("date"), get("time"), get("GMTOffset"))
    return Scan(
        code=code,
        text=text or code,
        place=_service_area(get("serviceArea")),
        time=when,
        utc_offset=offset,
        time_note=None if when else "MyDHL event without a 'date'",
        raw=event,
    )


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


def _local_number(details: Mapping[str, Any]) -> str | None:
    references = details.get("references")
    for ref in references if isinstance(references, list) else ():
        ref_map = _map(ref)
        if string(ref_map.get("type")) == "local-tracking-number":
            try:
                local = number_of(ref_map.get("number"))
            except ValueError:
                local = None
            if local:
                return local
    return None


def _ecommerce_to_the_us(shipment: Mapping[str, Any], service: str | None) -> bool:
    """A DHL eCommerce shipment bound for the US: USPS delivers it."""
    if service is None or not service.startswith("ecommerce"):
        return False
    return country_of(_place(shipment.get("destination"))) == "US"


def _handoff(shipment: Mapping[str, Any], service: str | None) -> Handoff | None:
    details = _map(shipment.get("details"))
    local = _local_number(details)
    provider = string(_map(details.get("provider")).get("destinationProvider"))
    partner: str | None = None
    if provider:
        partner = _PROVIDER_CARRIER.get(provider.lower(), provider.lower())
    elif (local and _is_usps_impb(local)) or _ecommerce_to_the_us(shipment, service):
        partner = "usps"
    if partner is None:
        return None
    if local and partner == "usps":
        # only a number USPS could track (IMpb with a valid check digit); a garbled reference
        # still names the partner but must not become a journey link
        local = _usps_number(local) if _is_usps_impb(local) else None
    return Handoff(carrier=partner, tracking_number=local)


# -- read ----------------------------------------------------------------------------------------


def _shipment(index: int, shipment: Any, reading: Reading) -> None:
    if not isinstance(shipment, Mapping):
        reading.errors.append(NumberError(None, f"DHL response: shipments[{index}] is not an object"))
        return
    if _is_mydhl(shipment):
        _mydhl_shipment(index, shipment, reading)
        return
    number = shipment.get("id")
    if isinstance(number, bool) or not ((isinstance(number, int) and number >= 0) or string(number)):
        reading.errors.append(
            NumberError(None, f"DHL response: shipments[{index}] has no tracking number ('id')")
        )
        return
    service_text = string(shipment.get("service"))
    service = service_text.lower() if service_text else None
    raw_events = shipment.get("events")
    events: list[Any]
    if isinstance(raw_events, list) and raw_events:
        events = raw_events
    else:
        if raw_events is not None and not isinstance(raw_events, list):
            reading.errors.append(
                NumberError(
                    string(number) or str(number), "DHL response: 'events' is not a list; used 'status' only"
                )
            )
        status = shipment.get("status")
        events = [status] if isinstance(status, Mapping) else []
    scans = []
    for i, event in enumerate(events):
        if not isinstance(event, Mapping):
            reading.errors.append(
                NumberError(
                    string(number) or str(number), f"DHL response: events[{i}] is not an object; skipped"
                )
            )
            continue
        scans.append(_scan(service, event))
    reading.shipments.append(
        Shipment(
            number,
            scans,
            newest_first=True,
            # DHL orders events by their local wall-clock time: across time zones that is not the
            # order they happened in (a Los Angeles pre-clearance at 16:21 -08:00 listed before a
            # Tokyo pickup at 16:38 +09:00 the same day), so the core sorts them by time
            sort_by_time=True,
            origin=_place(shipment.get("origin")),
            destination=_place(shipment.get("destination")),
            handoff=_handoff(shipment, service),
        )
    )


def _mydhl_shipment(index: int, shipment: Mapping[str, Any], reading: Reading) -> None:
    number = shipment.get("shipmentTrackingNumber")
    if isinstance(number, bool) or not ((isinstance(number, int) and number >= 0) or string(number)):
        reading.errors.append(
            NumberError(None, f"DHL response: shipments[{index}] has no 'shipmentTrackingNumber'")
        )
        return
    label = string(number) or str(number)
    scans = []
    for i, event in enumerate(shipment["events"]):
        if not isinstance(event, Mapping):
            reading.errors.append(NumberError(label, f"DHL response: events[{i}] is not an object; skipped"))
            continue
        scans.append(_mydhl_scan(event))
    reading.shipments.append(
        Shipment(
            number,
            scans,
            newest_first=False,  # MyDHL lists its events oldest first
            sort_by_time=True,  # local wall-clock times across zones: the core sorts them
            origin=_postal_address(shipment.get("shipperDetails")),
            destination=_postal_address(shipment.get("receiverDetails")),
        )
    )


def read(payload: Any) -> Reading:
    """What one Unified API response (or problem+json body) says; `ParseError` for a payload that
    is not a Unified response at all."""
    if not isinstance(payload, Mapping):
        raise ParseError(
            CARRIER,
            f"expected a JSON object from the Unified Shipment Tracking API, got {type(payload).__name__}",
        )
    shipments = payload.get("shipments")
    if shipments is None:
        if _problem_like(payload):
            return Reading(errors=[_problem_error(payload)])
        raise ParseError(
            CARRIER,
            "not a Unified Shipment Tracking API response: no 'shipments' list and no"
            " problem+json 'title'/'detail'",
        )
    if not isinstance(shipments, list):
        raise ParseError(CARRIER, f"'shipments' must be a list, not {type(shipments).__name__}")
    reading = Reading()
    for index, shipment in enumerate(shipments):
        _shipment(index, shipment, reading)
    return reading
