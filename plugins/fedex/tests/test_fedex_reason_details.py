"""The Track API's reason details carried as the event's reason: ``latestStatusDetail.ancillaryDetails``
(``reason`` / ``reasonDescription``), ``delayDetail.type`` and ``serviceCommitMessage``.

Shapes from real replies: repo manalotoj/order-shipping-status
``tests/data/RAW_TransitIssues_10-13-2025_api_bodies.json`` (393926579590, October 2025: a DE
latest status with ``ancillaryDetails`` reason 039 "Damaged, handling per shipper instructions";
DY scans with ``delayDetail.type`` GENERAL) and repo karrioapi/karrio
``modules/connectors/fedex/tests/fedex/test_tracking.py`` (the ``real_redirect_to_hold_2024``
fixture). Where a test empties a field FedEx filled in the capture, it says so.
"""

from __future__ import annotations

import copy
from typing import Any

from tracklingo import Reason, Stage, TrackingEvent
from tracklingo_fedex import FedExCarrier

CARRIER = FedExCarrier()
NUMBER = "393926579590"
LATEST_DE: dict[str, Any] = {
    "code": "DE",
    "derivedCode": "DE",
    "statusByLocale": "Delivery exception",
    "description": "Delivery exception",
    "scanLocation": {"city": "HOUSTON", "stateOrProvinceCode": "TX", "countryCode": "US"},
    "ancillaryDetails": [
        {
            "reason": "039",
            "reasonDescription": "Damaged, handling per shipper instructions",
            "action": "Please contact your shipper for more information.",
            "actionDescription": "Damaged - handling per shipper instructions",
        }
    ],
}
DE_SCAN: dict[str, Any] = {
    "date": "2025-10-09T06:45:21-05:00",
    "eventType": "DE",
    "eventDescription": "Delivery exception",
    "exceptionCode": "039",
    "exceptionDescription": "Damaged, handling per shipper instructions",
    "scanLocation": {
        "city": "HOUSTON",
        "stateOrProvinceCode": "TX",
        "postalCode": "77032",
        "countryCode": "US",
    },
    "derivedStatusCode": "DE",
    "derivedStatus": "Delivery exception",
}
OD_SCAN: dict[str, Any] = {
    "date": "2025-10-09T06:17:00-05:00",
    "eventType": "OD",
    "eventDescription": "On FedEx vehicle for delivery",
    "exceptionCode": "",
    "exceptionDescription": "",
    "scanLocation": {
        "city": "HOUSTON",
        "stateOrProvinceCode": "TX",
        "postalCode": "77032",
        "countryCode": "US",
    },
    "derivedStatusCode": "IT",
    "derivedStatus": "In transit",
}
DY_SCAN: dict[str, Any] = {
    "date": "2025-10-08T08:01:36-04:00",
    "eventType": "DY",
    "eventDescription": "Delivery updated",
    "exceptionCode": "A52",
    "exceptionDescription": "Package delayed",
    "scanLocation": {},
    "derivedStatusCode": "DU",
    "derivedStatus": "Delivery updated",
    "delayDetail": {"type": "GENERAL"},
}


def reply(latest: dict[str, Any] | None, scans: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {"trackingNumberInfo": {"trackingNumber": NUMBER, "carrierCode": "FDXG"}}
    if latest is not None:
        result["latestStatusDetail"] = latest
    if scans:
        result["scanEvents"] = scans
    return {"output": {"completeTrackResults": [{"trackingNumber": NUMBER, "trackResults": [result]}]}}


def events(payload: dict[str, Any]) -> list[TrackingEvent]:
    parsed = CARRIER.parse(payload)
    assert parsed.errors == []
    return parsed.events


def without_exception(scan: dict[str, Any]) -> dict[str, Any]:
    """The scan with its exception fields empty, as FedEx leaves them on most scans."""
    out = copy.deepcopy(scan)
    out["exceptionCode"] = ""
    out["exceptionDescription"] = ""
    return out


def test_latest_status_reason_reaches_the_newest_scan_of_its_code() -> None:
    # the capture's DE scan carries 039 itself; emptied here, the reason comes from the latest status
    evs = events(reply(LATEST_DE, [without_exception(DE_SCAN), OD_SCAN]))
    assert [(e.code, e.reason) for e in evs] == [("OD", None), ("DE", Reason.DAMAGED)]
    assert evs[-1].stage is Stage.EXCEPTION


def test_the_scan_own_reason_wins_over_the_latest_status() -> None:
    latest = copy.deepcopy(LATEST_DE)
    latest["ancillaryDetails"][0]["reason"] = "08"
    latest["ancillaryDetails"][0]["reasonDescription"] = "Customer not available or business closed"
    evs = events(reply(latest, [DE_SCAN]))
    assert evs[-1].reason is Reason.DAMAGED  # the scan's own 039, not the latest status's 08


def test_latest_status_reason_does_not_move_to_another_code() -> None:
    evs = events(reply(LATEST_DE, [OD_SCAN]))
    assert [(e.code, e.reason) for e in evs] == [("OD", None)]


def test_without_scans_the_latest_status_keeps_its_reason() -> None:
    # includeDetailedScans false: the latest status is the one (undated) event
    (ev,) = events(reply(LATEST_DE, []))
    assert (ev.code, ev.stage, ev.reason) == ("DE", Stage.EXCEPTION, Reason.DAMAGED)


def test_delay_type_is_the_reason_of_a_scan_without_exception_code() -> None:
    # the DY scans of the capture carry delayDetail.type GENERAL beside A52; emptied A52 here
    (ev,) = events(reply(None, [without_exception(DY_SCAN)]))
    assert (ev.stage, ev.reason) == (Stage.DELAYED, Reason.CARRIER_DELAY)
    weather = without_exception(DY_SCAN)
    weather["delayDetail"] = {"type": "WEATHER", "subType": "SNOW", "status": "DELAYED"}  # TRK-SPEC example
    (ev,) = events(reply(None, [weather]))
    assert ev.reason is Reason.WEATHER


def test_latest_status_delay_type_without_scans() -> None:
    latest = {
        "code": "DY",
        "derivedCode": "DY",
        "statusByLocale": "Delay",
        "description": "Delay",
        "delayDetail": {"type": "WEATHER", "subType": "SNOW", "status": "DELAYED"},
    }
    (ev,) = events(reply(latest, []))
    assert ev.reason is Reason.WEATHER


def test_service_commit_message_reads_a_status_without_words() -> None:
    # a latest status with neither code nor text (only its place): FedEx's commit message (the
    # K-WS capture's label-only text) is what the reply says, so it is the event, not nothing
    latest = {"scanLocation": {"city": "MEMPHIS", "stateOrProvinceCode": "TN", "countryCode": "US"}}
    payload = reply(latest, [])
    payload["output"]["completeTrackResults"][0]["trackResults"][0]["serviceCommitMessage"] = {
        "message": (
            "Shipping label has been created. The status will be updated when shipment begins to travel."
        ),
        "type": "SHIPMENT_LABEL_CREATED",
    }
    (ev,) = events(payload)
    assert ev.stage is Stage.LABEL_CREATED
    assert ev.description.startswith("Shipping label has been created.")
