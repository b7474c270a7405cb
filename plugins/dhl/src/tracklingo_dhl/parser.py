"""Reading DHL's Unified Shipment Tracking API (``GET /track/shipments``): the payload walk.

Response shape (DHL Shipment Tracking - Unified, https://developer.dhl.com/api-reference/shipment-
tracking): ``{"shipments": [{"id", "service", "status", "details", "events": [{"timestamp",
"location": {"address": {...}}, "statusCode", "status", "statusDetailed", "description", "remark",
"nextSteps", "pieceIds"}]}]}``; errors are RFC 7807 problem+json bodies (``title``, ``status``,
``detail``, ``instance``). Events are listed newest first.

Which field is what, for the core (plugins/dhl/NOTES.md has the evidence):

- The event's text is ``description``, else ``status`` when it is a phrase (eCommerce sends only an
  upper-case ``status``); both are offered (`Scan.alt_texts`) and the one a rule knows becomes the
  description. A code-like ``status`` (``"101"``, ``"PO"``) is never used as text.
- The coarse ``statusCode`` (pre-transit, transit, delivered, failure, unknown) is the event's code:
  the vocabulary maps those values with *fallback* rules only, so any text rule wins and
  ``statusCode`` decides only when no text matched. DHL Express checkpoint codes never appear in
  Unified responses; they share the code table without overlap and matter for flat feeds.
- Parcel DE events may also carry a legacy standard event code in ``status`` (``PO``, ``ZU``) and
  ``ICE_RIC_CODE`` in ``statusDetailed``: a second code namespace (`Scan.alt_codes`, precedence in
  the vocabulary's ``[meta.options] alt_codes``). A legacy code that decides becomes the code.
- ``location.address.addressLocality`` is a locality line ("LEIPZIG - GERMANY", "Atlanta, GA, US",
  "Deutschland"); ``addressRegion``, ``postalCode`` and ``countryCode`` are the other parts.
- Times are ISO 8601 with or without an offset. A shipment's ``origin`` and ``destination`` tell
  the core where a domestic shipment's placeless events happen (their time zone).

The hand-off to a last-mile partner (eCommerce → USPS) names the partner from
``details.provider.destinationProvider``, else USPS when the ``local-tracking-number`` reference is
a USPS IMpb or the shipment is a DHL eCommerce one bound for the US (DHL: US parcels are delivered
by the U.S. Postal Service); the number from ``details.references[type=local-tracking-number]``
with a ``420``+ZIP routing prefix removed. Without a known partner no hand-off is invented; the core
puts it on the events whose stage is `handed_to_last_mile`.
"""

from __future__ import annotations

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
_CODE_LIKE: Final = re.compile(r"^(?:\d+|[A-Z]{2}|[A-Z0-9]+(?:_[A-Z0-9]+)+)$")
#: ``details.provider.destinationProvider`` values that are a tracklingo carrier name of their
#: own (the others, e.g. ``anpost``, ``bpost``, ``posti``, are kept as DHL names them).
_PROVIDER_CARRIER: Final = {"parcel-de": "dhl", "usps": "usps"}


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


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
        and instance.startswith(("/shipment/", "/track/shipments"))
    )


# -- errors --------------------------------------------------------------------------------------


def _number_from_instance(instance: str | None) -> str | None:
    if not instance:
        return None
    if instance.startswith("/shipment/"):
        return string(instance[len("/shipment/") :].split("?", 1)[0].split("/", 1)[0])
    query = parse_qs(urlsplit(instance).query)
    found = query.get("trackingNumber")
    return string(found[0]) if found else None


def _problem_error(payload: Mapping[str, Any]) -> NumberError:
    title = string(payload.get("title"))
    detail = string(payload.get("detail"))
    status = payload.get("status")
    if title and detail and detail != title:
        message = f"DHL: {title}: {detail}"
    else:
        message = f"DHL: {title or detail or 'error response without a title'}"
    code = str(status) if isinstance(status, int) and not isinstance(status, bool) else None
    return NumberError(_number_from_instance(string(payload.get("instance"))), message, code)


# -- one event -----------------------------------------------------------------------------------


def _place(value: Any) -> Place:
    address = _map(_map(value).get("address"))
    return Place(
        locality=address.get("addressLocality"),
        region=address.get("addressRegion"),
        postal_code=address.get("postalCode"),
        country=address.get("countryCode"),
    )


def _scan(service: str | None, event: Mapping[str, Any]) -> Scan:
    description = string(event.get("description"))
    status = string(event.get("status"))
    texts = [t for t in dict.fromkeys((description, status)) if t and not _CODE_LIKE.match(t)]
    legacy: tuple[str, ...] = ()
    if service in _LEGACY_CODE_SERVICES:
        detailed = string(event.get("statusDetailed"))
        legacy = tuple(c for c in dict.fromkeys((detailed, status)) if c and _CODE_LIKE.match(c))
    return Scan(
        code=string(event.get("statusCode")),
        text=texts[0] if texts else None,
        alt_texts=tuple(texts[1:]),
        alt_codes=legacy,
        place=_place(event.get("location")),
        time=event.get("timestamp"),
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
            origin=_place(shipment.get("origin")),
            destination=_place(shipment.get("destination")),
            handoff=_handoff(shipment, service),
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
