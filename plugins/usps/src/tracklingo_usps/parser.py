"""Reading USPS Tracking API v3 responses: the payload walk. Pure: no I/O, no clock.

Formats (USPS Tracking API v3: repo USPS/api-examples README.md; the v3r2 OpenAPI file in repo
Thecodergabe/shipstack specs/usps/tracking-v3r2_4.yaml; captured v3 JSON in repo wantable/omniship
spec/mock_responses.rb):

- the v3 **DETAIL** response of ``GET /tracking/v3/tracking/{number}?expand=DETAIL``: a JSON object
  with ``trackingNumber``, ``mailType``, origin/destination fields and ``trackingEvents[]``
  (newest first) whose items carry ``eventType``, ``eventCode``, ``eventTimestamp`` (local wall
  clock, no offset), ``GMTTimestamp``, ``GMTOffset``, ``eventCity``/``eventState``/``eventZIP``/
  ``eventCountry``. The v3r2 spelling ``eventZIPCode`` / ``destinationCountry`` is read too, and a
  JSON array of such objects (the v3r2 batch answer) is accepted. A lone event written as an object
  instead of a one-element ``trackingEvents`` list (USPS's own v3 sample) is read as that event.
- the v3 **error envelope** ``{"apiVersion", "error": {"code", "message", "errors": [...]}}``: a
  `NumberError` carrying USPS's text (the normalizer turns it into a reject). `USPSClient.track`
  adds ``trackingNumber`` to it so the error names the number.

What each field is, for the core (which does the mapping, the time rules and the places):

- ``eventType`` is the text and ``eventCode`` the code; both are also the keys of the reason table;
  the response's ``statusCategory`` (the category of the latest status) is the newest event's
  coarse status, read only when its own code and text match nothing;
- ``eventCity`` is a **label** (`Place.label`): USPS writes plant names and International Service
  Center labels there ("OAK CREEK WI DISTRIBUTION CENTER", "ISC NEW YORK NY(USPS)") with no state,
  and foreign offices of exchange ("TOKYO INT"); ``eventState``, ``eventZIP``, ``eventCountry`` (an
  upper-case country name in USPS's spelling) are the other parts. The vocabulary matches an ISC
  label with a generic text (``[meta.options] text_with_facility``), so the ISC direction rules apply;
- ``eventTimestamp`` is the local time, ``GMTOffset`` its offset and ``GMTTimestamp`` the same moment
  in UTC: a cross-check (it was seen a day off), and the time when ``eventTimestamp`` is missing or
  unreadable. A trailing ``Z`` on ``eventTimestamp`` is local time too (`USPSCarrier.trusts_z`), and
  a midnight without GMT fields is a date only (pre-shipment scans; `USPSCarrier.midnight`);
- ``mailType`` (INTERNATIONAL_INBOUND / _OUTBOUND, any spelling) says the direction outright; else
  the core works it out (the S10 number, ``originCountry`` / ``destinationCountryCode``, where the
  located events lie).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from tracklingo.adapter import NumberError, ParseError, Reading, ScanTuple, Shipment, string

__all__ = ["clean_message", "mail_type_direction", "read", "sniff"]

CARRIER: Final = "usps"

# -- recognising a response -------------------------------------------------------------------

#: Top-level keys only USPS tracking details carry (the v3 OpenAPI TrackingDetails schema).
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
        events = [events]  # one event written as an object (USPS's own sample)
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
    if isinstance(payload, dict):
        return _sniff_one(payload)
    if isinstance(payload, list) and payload:
        return all(isinstance(item, dict) and _sniff_one(item) for item in payload)
    return False


# -- messages ---------------------------------------------------------------------------------

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


def _error(data: Mapping[str, Any], number: str | None) -> NumberError:
    err = data.get("error")
    message: str | None = None
    code: str | None = None
    first: Mapping[str, Any] = {}
    if isinstance(err, Mapping):
        message = string(err.get("message"))
        code = string(err.get("code"))
        items = err.get("errors")
        if isinstance(items, list):
            first = next((i for i in items if isinstance(i, Mapping)), {})
    elif isinstance(err, str):
        message = string(data.get("error_description")) or err  # OAuth-style body
    detail_code = string(first.get("code"))
    for candidate in (message, string(first.get("title")), string(first.get("detail"))):
        if candidate and clean_message(candidate):
            message = clean_message(candidate)
            break
    else:
        message = "USPS answered with an error and no message"
    return NumberError(number, message, detail_code or code)


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
    if not mail_type or not mail_type.strip():
        return None
    key = _NON_ALNUM.sub("_", mail_type.upper()).strip("_")
    return _MAIL_TYPE_DIRECTION.get(key)


# -- whole responses --------------------------------------------------------------------------




def _scans(events: list[Any], where: str) -> list[ScanTuple]:
    """The events as scans, in the API's order: eventCode/eventType (also the reason keys),
    eventCity as a label with eventState/eventZIP/eventCountry, eventTimestamp with GMTOffset and
    GMTTimestamp, and the event itself. One loop, no call per event, each scan and place written as
    the plain tuple of its fields (`ScanTuple`, `PlaceTuple`): a feed holds millions."""
    scans: list[ScanTuple] = []
    append = scans.append
    for i, ev in enumerate(events):
        if ev.__class__ is not dict:
            if not isinstance(ev, Mapping):
                raise ParseError(CARRIER, f"{where}.trackingEvents[{i}] must be an object")
            ev = dict(ev)  # the payload's own record, as a dict
        get = ev.get
        text, code, zip_code = get("eventType"), get("eventCode"), get("eventZIP")
        if zip_code is None:
            zip_code = get("eventZIPCode")  # the v3r2 spelling
        # Place: city, region, postal_code, country, facility, label, locality, country_name
        place = (None, get("eventState"), zip_code, get("eventCountry"), None, get("eventCity"), None, None)
        # Scan: code, text, alt_texts, alt_codes, status_code, status_text, detail, reason_code,
        # reason_text, place, time, utc_offset, utc_time, time_note, handoff, raw
        append(
            (code, text, (), (), None, None, None, code, text, place,
             get("eventTimestamp"), get("GMTOffset"), get("GMTTimestamp"), None, None, ev)
        )  # fmt: skip
    return scans


def _detail(data: Mapping[str, Any], where: str, reading: Reading) -> None:
    if "trackingEvents" not in data:
        if "error" in data:
            reading.errors.append(_error(data, string(data.get("trackingNumber"))))
            return
        if "eventSummaries" in data or "TrackResults" in data:
            raise ParseError(
                CARRIER, f"{where}: a SUMMARY response has no event details; request expand=DETAIL"
            )
        raise ParseError(CARRIER, f"{where}: not a USPS Tracking API v3 response (no trackingEvents)")
    get = data.get
    number = get("trackingNumber")
    if not (number.__class__ is str and number.strip()):
        raise ParseError(CARRIER, f"{where}: the response has no trackingNumber")
    events = get("trackingEvents")
    if events is None:
        events = []
    elif events.__class__ is not list and isinstance(events, Mapping) and _EVENT_KEYS & events.keys():
        events = [events]  # XML-to-JSON habit: a one-element list written as an object
    if not isinstance(events, list):
        raise ParseError(CARRIER, f"{where}.trackingEvents must be a list")
    empty: str | None = None
    if not events:  # what USPS says instead (e.g. "Label created, not yet in system")
        said = string(get("statusSummary")) or string(get("status"))
        empty = (clean_message(said) if said else None) or "USPS returned no tracking events"
    mail_type = get("mailType")
    scans = _scans(events, where)
    category = get("statusCategory")
    if scans and category.__class__ is str and category.strip():
        # statusCategory ("Moving Through Network", "Delivery Attempt: Action Needed") is the
        # category of the latest status: the newest event's coarse status, read only when its own
        # code and text say nothing the vocabulary knows
        newest = scans[0]
        scans[0] = (*newest[:5], category.strip(), *newest[6:])
    reading.shipments.append(
        Shipment(
            number,
            scans,
            True,  # newest_first: the API lists events newest first
            False,  # sort_by_time
            mail_type_direction(mail_type) if mail_type.__class__ is str else None,  # direction
            get("originCountry"),  # origin (the core reads the country)
            get("destinationCountryCode") or get("destinationCountry"),  # destination
            None,  # handoff
            None,  # choice
            empty,  # empty_message
        )
    )


def read(payload: Any) -> Reading:
    """What one USPS v3 response says (see the module notes); `ParseError` for anything else."""
    if isinstance(payload, (bytes, bytearray, str)):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError):
            raise ParseError(CARRIER, "the response is not valid JSON") from None
    reading = Reading()
    if payload.__class__ is dict or isinstance(payload, Mapping):
        _detail(payload, "response", reading)
        return reading
    if not isinstance(payload, list):
        raise ParseError(CARRIER, f"a USPS tracking response is a JSON object, not {type(payload).__name__}")
    # a batch answer (v3r2): one malformed item is that number's error, not the batch's; only a
    # list in which nothing is readable is not a USPS response at all
    failures: list[ParseError] = []
    for i, item in enumerate(payload):
        try:
            if not isinstance(item, Mapping):
                raise ParseError(CARRIER, f"response[{i}] must be an object")
            _detail(item, f"response[{i}]", reading)
        except ParseError as exc:
            failures.append(exc)
            number = string(item.get("trackingNumber")) if isinstance(item, Mapping) else None
            reading.errors.append(NumberError(number, exc.message))
    if failures and len(failures) == len(payload):
        raise failures[0]
    return reading
