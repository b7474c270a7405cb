"""Reading FedEx Track API v1 replies (``POST /track/v1/trackingnumbers``): the payload walk.

Pure functions, no I/O. Whatever the payload, the only exception raised is `ParseError`; every
field is read through a type guard. Shapes: the FedEx Track API reference
(https://developer.fedex.com/api/en-us/catalog/track/v1/docs.html, ``TrackingResponse`` and
``ErrorResponseVO``) and captured replies (repo karrioapi/karrio
modules/connectors/fedex/tests/fedex/test_tracking.py; repo jLariis/pmy-api
src/shipments/fedexTracking.json; see tests/fixtures/README.md).

One reply holds several numbers (``output.completeTrackResults[]``). For each:

- a ``trackResults[].error`` (e.g. ``TRACKING.TRACKINGNUMBER.NOTFOUND``) becomes a `NumberError`
  while the other numbers still yield events;
- several ``trackResults[]`` for one number (a reused number) are alternatives for one parcel
  (`Shipment.choice`): the core keeps the one that moved, with the latest scan (karrio keeps the
  latest; a stale label-only record was seen beside the real shipment);
- ``scanEvents[]`` are the scans, newest first but not strictly: the core sorts them by time. A
  ``DL`` scan whose ``scanLocation`` is empty is placed at the delivery address FedEx gives for
  that result (`tracklingo_fedex.places`);
- without scans (``includeDetailedScans: false``), ``latestStatusDetail`` is one undated scan
  (`tracklingo_fedex.latest`, which also carries the latest status's reason).

What each scan field is, for the core's mapper: ``eventType`` the code and ``eventDescription``
the text; ``derivedStatusCode`` / ``derivedStatus`` a coarse status in its own namespace
(``[meta.options] status_codes`` in the vocabulary); ``exceptionDescription`` a finer detail; and
``exceptionCode`` / ``exceptionDescription`` the keys of the reason table, and without an exception
code the scan's ``delayDetail.type`` (``WEATHER``, ``OPERATIONAL``, ``LOCAL``, ``GENERAL``,
``CLEARANCE``; reason codes of their own in the vocabulary). Scan dates carry their own offset;
a pickup scan (``PU``, ``PX``) at midnight is a date only (`FedExCarrier.midnight`).

A whole-request error body (``{transactionId, errors: [{code, message}]}``) gives errors only,
carrying FedEx's own text. A postal-delivered service (Ground Economy, formerly SmartPost) hands
the parcel to USPS: the handoff names USPS, with the USPS number when FedEx gives one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from tracklingo.adapter import (
    Handoff,
    NumberError,
    ParseError,
    Place,
    PlaceTuple,
    Reading,
    Scan,
    ScanTuple,
    Shipment,
    dig,
    items,
    mapping,
    text,
)
from tracklingo_fedex.latest import _delay_type, _latest_status, _with_latest_reason
from tracklingo_fedex.places import _delivery_address, _located, _place

__all__ = ["read", "sniff"]

_CARRIER: Final = "fedex"
#: FedEx API error codes look like ``NOT.AUTHORIZED.ERROR`` / ``TRACKING.TRACKINGNUMBER.EMPTY``.
_ERROR_CODE: Final = re.compile(r"^[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+$")
#: Postal-delivered services: FedEx Ground Economy, formerly SmartPost (carrier code FXSP).
_POSTAL_CARRIER_CODES: Final = frozenset({"FXSP"})
_POSTAL_SERVICE_TYPES: Final = frozenset(
    {"SMART_POST", "FEDEX_SMART_POST", "GROUND_ECONOMY", "FEDEX_GROUND_ECONOMY"}
)
_NO_SCANS: Final = "FedEx returned no scan events for this number"
_NO_TIME: Final = "FedEx gave no time for this scan"


# -- sniff ----------------------------------------------------------------------------------------


def sniff(payload: Any) -> bool:
    """True for a Track API v1 reply or a FedEx whole-request error body."""
    data = mapping(payload)
    if data is None:
        return False
    output = mapping(data.get("output"))
    if output is not None and isinstance(output.get("completeTrackResults"), list):
        return True
    errors = data.get("errors")
    if "transactionId" not in data or not isinstance(errors, list) or not errors:
        return False
    return all(_is_fedex_error(e) for e in errors)


def _is_fedex_error(value: Any) -> bool:
    code = text(dig(value, "code"))
    return code is not None and _ERROR_CODE.match(code) is not None


# -- errors ---------------------------------------------------------------------------------------


def _message(value: Any) -> str | None:
    """An error text with its runs of whitespace collapsed: FedEx error messages were seen
    wrapped over several lines with long indents (Magento's FedEx module, getTrackErrorResponse)."""
    said = text(value)
    return " ".join(said.split()) if said else None


def _request_errors(value: Any) -> list[NumberError]:
    found = []
    for item in items(value):
        err = mapping(item)
        if err is None:
            continue
        code = text(err.get("code"))
        message = _message(err.get("message")) or code
        if message:
            found.append(NumberError(_error_number(err), message, code))
    return found


def _error_number(err: Mapping[str, Any]) -> str | None:
    """A tracking number named in an error's ``parameterList``, if any."""
    for param in items(err.get("parameterList")):
        p = mapping(param)
        if p is not None and "tracking" in (text(p.get("key")) or "").lower():
            return text(p.get("value"))
    return None


def _alerts(value: Any) -> list[NumberError]:
    """``output.alerts`` when a reply has nothing else: a list of objects, or a plain string."""
    said = text(value)
    if said:
        return [NumberError(None, " ".join(said.split()))]
    found = []
    for item in items(value):
        alert = mapping(item)
        if alert is None:
            continue
        code = text(alert.get("code"))
        if code == "VIRTUAL.RESPONSE":  # sandbox marker, not a problem
            continue
        message = _message(alert.get("message")) or code
        if message:
            found.append(NumberError(None, message, code))
    return found


# -- read -----------------------------------------------------------------------------------------


def read(payload: Any) -> Reading:
    """What one Track API reply says (see the module notes); `ParseError` when it is not one."""
    data = mapping(payload)
    if data is None:
        raise ParseError(_CARRIER, f"a Track API reply is a JSON object, not {type(payload).__name__}")
    output = mapping(data.get("output"))
    if output is None:
        errors = _request_errors(data.get("errors"))
        if errors:
            return Reading(errors=errors)
        raise ParseError(_CARRIER, "not a Track API reply: no 'output' object and no 'errors' list")
    results = output.get("completeTrackResults")
    if not isinstance(results, list):
        raise ParseError(_CARRIER, "output.completeTrackResults is missing or not a list")
    reading = Reading()
    for entry in results:
        _number(entry, reading)
    if not reading.shipments and not reading.errors:
        reading.errors.extend(_alerts(output.get("alerts")))
    return reading


def _number(value: Any, reading: Reading) -> None:
    entry = mapping(value)
    if entry is None:
        reading.errors.append(NumberError(None, "malformed completeTrackResults entry"))
        return
    results = [r for r in map(mapping, items(entry.get("trackResults"))) if r is not None]
    number = text(entry.get("trackingNumber")) or next(
        (n for r in results if (n := text(dig(r, "trackingNumberInfo", "trackingNumber")))), None
    )
    if number is None:
        reading.errors.append(NumberError(None, "completeTrackResults entry without a trackingNumber"))
        return
    good = [
        r for r in results if not (mapping(r.get("error")) is not None and not items(r.get("scanEvents")))
    ]
    if not good:
        err = next((e for r in results if (e := mapping(r.get("error"))) is not None), None)
        code = text(err.get("code")) if err else None
        message = (_message(err.get("message")) if err else None) or code
        reading.errors.append(
            NumberError(number, message or "FedEx returned no tracking result for this number", code)
        )
        return
    for result in good:
        reading.shipments.append(_shipment(number, result, choice=number if len(good) > 1 else None))


def _shipment(number: str, result: Mapping[str, Any], choice: str | None) -> Shipment:
    scans = _scans(items(result.get("scanEvents")), result)
    if scans:
        _with_latest_reason(scans, mapping(result.get("latestStatusDetail")))
    else:
        latest = _latest_status(result)
        scans = [latest] if latest is not None else []
    return Shipment(
        number,
        scans,
        True,  # newest_first: FedEx lists scans newest first, not strictly...
        True,  # sort_by_time: ...so the core sorts them by time
        None,  # direction
        None,  # origin
        None,  # destination
        _usps_handoff(result),  # handoff
        choice,
        _NO_SCANS,  # empty_message
    )


def _scans(values: Sequence[Any], result: Mapping[str, Any]) -> list[Scan | ScanTuple]:
    """The scans of ``scanEvents``, in FedEx's order: one loop, no call per scan, each scan and
    place written as the plain tuple of its fields (`ScanTuple`, `PlaceTuple`): a feed holds
    millions. A scan with no code, text, detail or status is skipped; a ``DL`` scan without a
    location is placed at the result's delivery address (`_delivery_address`), if it has one."""
    scans: list[Scan | ScanTuple] = []
    append = scans.append
    for value in values:
        scan = value if value.__class__ is dict else mapping(value)
        if scan is None:
            continue
        get = scan.get
        code, description = get("eventType"), get("eventDescription")
        detail, derived = get("exceptionDescription"), get("derivedStatusCode")
        trimmed = (code.strip() or None) if code.__class__ is str else text(code)  # stripped once
        if trimmed is None and all(text(v) is None for v in (description, detail, derived)):
            continue  # nothing to read
        location = get("scanLocation")
        if location.__class__ is dict:
            lget = location.get
            # Place: city, region, postal_code, country, facility, label, locality, country_name
            place: Place | PlaceTuple | None = (
                lget("city"), lget("stateOrProvinceCode"), lget("postalCode"), lget("countryCode"),
                None, None, None, lget("countryName"),
            )  # fmt: skip
        else:
            location = mapping(location)
            place = _place(location)
        if trimmed == "DL" and not _located(location):
            delivered_at = _delivery_address(result)  # only then: most DL scans are located
            if delivered_at is not None:
                place = delivered_at
        reason = get("exceptionCode")
        if not reason:  # no exception code: the scan's delayDetail.type (WEATHER, LOCAL, ...)
            delay = get("delayDetail")
            if delay is not None:
                reason = _delay_type(delay)
        # Scan: code, text, alt_texts, alt_codes, status_code, status_text, detail, reason_code,
        # reason_text, place, time, utc_offset, utc_time, time_note, handoff, raw
        append(
            (code, description, (), (), derived, get("derivedStatus"), detail, reason,
             detail, place, get("date"), None, None, _NO_TIME, None, scan)
        )  # fmt: skip
    return scans


# -- the USPS leg of Ground Economy -------------------------------------------------------------------


def _is_postal_service(result: Mapping[str, Any]) -> bool:
    if text(dig(result, "trackingNumberInfo", "carrierCode")) in _POSTAL_CARRIER_CODES:
        return True
    if text(dig(result, "serviceDetail", "type")) in _POSTAL_SERVICE_TYPES:
        return True
    commit = text(dig(result, "serviceCommitMessage", "type")) or ""
    return commit.startswith("USPS_")


def _usps_handoff(result: Mapping[str, Any]) -> Handoff | None:
    """`Handoff` to USPS for a postal-delivered service, else `None`. The USPS number comes from
    ``additionalTrackingInfo.packageIdentifiers[]`` of type ``PARTNER_CARRIER_NUMBER``
    (``values[0]`` as captured, or ``value`` as the reference says); without it the handoff names
    USPS only: a number is never invented."""
    if not _is_postal_service(result):
        return None
    for item in items(dig(result, "additionalTrackingInfo", "packageIdentifiers")):
        ident = mapping(item)
        if ident is None or text(ident.get("type")) != "PARTNER_CARRIER_NUMBER":
            continue
        values = ident.get("values")
        candidates = items(values) if isinstance(values, list) else (values, ident.get("value"))
        for candidate in (*candidates, ident.get("value")):
            found = text(candidate)
            if found:
                return Handoff(carrier="usps", tracking_number=found)
    return Handoff(carrier="usps")
