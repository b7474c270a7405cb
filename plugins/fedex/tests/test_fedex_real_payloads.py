"""Shapes seen in real FedEx Track API v1 replies published in public code, as small hand-written
excerpts (most fields trimmed). Each test says where the shape was observed.

Sources:
- [K-FIX] repo karrioapi/karrio ``modules/connectors/fedex/tests/fedex/test_tracking.py``
  (``TrackingResponse``, ``DuplicateTrackingResponse``, ``InconsistentDateTimeResponse``).
- [PMY-FIX] repo jLariis/pmy-api ``src/shipments/fedexTracking.json``.
- [MAGENTO] repo magento/magento2 ``app/code/Magento/Fedex/Test/Unit/Model/CarrierTest.php``
  (``getTrackResponse``, ``getTrackErrorResponse``).
- [OMNI] repo wantable/omniship ``spec/mock_responses.rb`` (``track_fedex_response``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from tracklingo import MatchKind, Stage
from tracklingo_fedex import FedExCarrier

CARRIER = FedExCarrier()
NUMBER = "776094337676"


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def place(city: str | None = None, state: str | None = None, postal: str | None = None,
          country: str | None = "US") -> dict[str, Any]:
    loc: dict[str, Any] = {"streetLines": [""], "residential": False}
    for key, value in (("city", city), ("stateOrProvinceCode", state),
                       ("postalCode", postal), ("countryCode", country)):
        if value is not None:
            loc[key] = value
    return loc


def scan(date: str, event_type: str, text: str, location: dict[str, Any], *,
         exception_code: str = "", detail: str = "", derived: str = "IT") -> dict[str, Any]:
    return {
        "date": date,
        "eventType": event_type,
        "eventDescription": text,
        "exceptionCode": exception_code,
        "exceptionDescription": detail,
        "scanLocation": location,
        "derivedStatusCode": derived,
    }


def reply(*results: dict[str, Any]) -> dict[str, Any]:
    return {
        "transactionId": "9ca3d632-0af5-436e-b184-4a99f88598d4",
        "output": {"completeTrackResults": [{"trackingNumber": NUMBER,
                                             "trackResults": list(results)}]},
    }


# -- [K-FIX] DuplicateTrackingResponse / [PMY-FIX]: DL scan with an empty scanLocation ------------


def delivered_result(**extra: Any) -> dict[str, Any]:
    # The delivered trackResults entry: the DL scan's scanLocation is only streetLines [""] and
    # residential; deliveryDetails.actualDeliveryAddress is {"residential": false}; the city is in
    # lastUpdatedDestinationAddress.
    result: dict[str, Any] = {
        "trackingNumberInfo": {"trackingNumber": NUMBER, "carrierCode": "FDXE",
                               "trackingNumberUniqueId": "2460426000~776094337676~FX"},
        "scanEvents": [
            scan("2024-04-26T09:26:00-07:00", "DL", "Delivered", place(country=None),
                 derived="DL"),
            scan("2024-04-26T08:52:00-07:00", "OD", "On FedEx vehicle for delivery",
                 place("CLOVIS", "CA", "93612")),
        ],
        "deliveryDetails": {"actualDeliveryAddress": {"residential": False},
                            "receivedByName": "D.HERRERA"},
        "lastUpdatedDestinationAddress": {"city": "FRESNO", "stateOrProvinceCode": "CA",
                                          "countryCode": "US", "residential": False,
                                          "countryName": "United States"},
    }
    result.update(extra)
    return result


def test_delivered_scan_without_place_takes_the_destination_fedex_gives() -> None:
    result = CARRIER.parse(reply(delivered_result()))
    assert result.errors == []
    out_for_delivery, delivered = result.events
    assert delivered.stage is Stage.DELIVERED
    loc = delivered.location
    assert (loc.city, loc.region, loc.country) == ("FRESNO", "CA", "US")
    assert delivered.occurred_at == datetime(2024, 4, 26, 9, 26, tzinfo=tz(-7))
    # other scans keep their own place
    assert out_for_delivery.location.city == "CLOVIS"


def test_actual_delivery_address_wins_over_the_destination() -> None:
    # [MAGENTO] getTrackResponse: deliveryDetails.actualDeliveryAddress carries the city.
    result = delivered_result(deliveryDetails={"actualDeliveryAddress": {
        "city": "Norton", "stateOrProvinceCode": "VA", "countryCode": "US", "residential": False}})
    delivered = CARRIER.parse(reply(result)).events[-1]
    assert (delivered.location.city, delivered.location.region) == ("Norton", "VA")


def test_delivered_scan_with_its_own_place_keeps_it() -> None:
    result = delivered_result()
    result["scanEvents"][0]["scanLocation"] = place("Blue Point", "NY", "11715")
    delivered = CARRIER.parse(reply(result)).events[-1]
    assert (delivered.location.city, delivered.location.postal_code) == ("Blue Point", "11715")


def test_placeless_non_delivery_scans_stay_placeless() -> None:
    # [K-FIX] / [PMY-FIX]: the OC scan's scanLocation is empty too; it is not the destination.
    result = delivered_result()
    result["scanEvents"].append(scan("2024-04-24T15:30:57-05:00", "OC",
                                     "Shipment information sent to FedEx", place(country=None),
                                     derived="IN"))
    label = CARRIER.parse(reply(result)).events[0]
    assert label.stage is Stage.LABEL_CREATED
    assert label.location.is_empty()


def test_without_any_destination_the_delivered_scan_stays_placeless() -> None:
    result = delivered_result()
    del result["lastUpdatedDestinationAddress"]
    delivered = CARRIER.parse(reply(result)).events[-1]
    assert delivered.stage is Stage.DELIVERED and delivered.location.is_empty()


# -- [K-FIX] DuplicateTrackingResponse: HP detail with the hold address -------------------------


def test_ready_for_pickup_detail_with_the_hold_address() -> None:
    hp = scan("2024-04-25T13:26:00-07:00", "HP", "Ready for recipient pickup",
              place("FRESNO", "CA", "93703"),
              detail="Package available for pickup at: 2420 N BLACKSTONE AVE ")
    (event,) = CARRIER.parse(reply({"scanEvents": [hp]})).events
    assert (event.stage, event.match) == (Stage.AVAILABLE_FOR_PICKUP, MatchKind.CODE)
    # a flat feed that carries only the detail text maps too, the address as facility
    res = CARRIER.vocabulary.resolve("Package available for pickup at: 2420 N BLACKSTONE AVE ")
    assert (res.stage, res.match) == (Stage.AVAILABLE_FOR_PICKUP, MatchKind.PATTERN)
    assert res.captured.get("facility") == "2420 N BLACKSTONE AVE"


# -- [MAGENTO] getTrackErrorResponse: an error text wrapped over several lines -------------------


def test_request_error_text_is_collapsed() -> None:
    payload = {
        "transactionId": "177a2d98-f68a-4c8e-9008-fc4a8d0aa57f",
        "errors": [{
            "code": "SYSTEM.UNEXPECTED.ERROR",
            "message": "The system has experienced an unexpected problem and is unable\n"
                       "                                to complete your request. Please try"
                       " again later.\n                     We regret any inconvenience.",
        }],
    }
    assert CARRIER.sniff(payload)
    (err,) = CARRIER.parse(payload).errors
    assert err.code == "SYSTEM.UNEXPECTED.ERROR"
    assert err.message == (
        "The system has experienced an unexpected problem and is unable to complete your"
        " request. Please try again later. We regret any inconvenience."
    )


def test_per_number_not_found_text_is_kept() -> None:
    # [OMNI] track_fedex_not_found_response: another NOTFOUND wording than K-FIX's.
    payload = reply({
        "trackingNumberInfo": {"trackingNumber": NUMBER, "trackingNumberUniqueId": "",
                               "carrierCode": ""},
        "error": {"code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
                  "message": "The tracking number you entered can't be found right now. Please"
                             " check the number with the shipper or try again later."},
    })
    result = CARRIER.parse(payload)
    assert result.events == []
    (err,) = result.errors
    assert (err.tracking_number, err.code) == (NUMBER, "TRACKING.TRACKINGNUMBER.NOTFOUND")
    assert err.message.startswith("The tracking number you entered can't be found")


# -- [K-FIX] TrackingResponse: an entry with scans *and* an error object -------------------------


def test_entry_with_scans_and_an_error_keeps_its_scans() -> None:
    entry = {
        "error": {"code": "TRACKING.TRACKINGNUMBER.EMPTY", "message": "Please provide tracking number."},
        "scanEvents": [scan("2018-02-02T12:01:00-07:00", "PU", "Picked Up",
                            place("SEATTLE", "WA", "98101"), exception_code="A25",
                            detail="Package available for clearance", derived="PU")],
    }
    result = CARRIER.parse(reply(entry))
    assert result.errors == []
    (event,) = result.events
    assert event.stage is Stage.ACCEPTED  # the pickup code decides, not the detail


# -- time shapes -------------------------------------------------------------------------------


def test_pickup_at_midnight_without_offset_resolved_by_state() -> None:
    # [K-FIX] InconsistentDateTimeResponse: "PU" dated "2024-08-15T00:00:00" (no offset), listed
    # after the later OC scan; Minnesota lies in one zone.
    pu = scan("2024-08-15T00:00:00", "PU", "Picked up", place("MANKATO", "MN", "56001"),
              derived="PU")
    oc = scan("2024-08-15T10:36:00-05:00", "OC", "Shipment information sent to FedEx",
              place(postal="56003"), derived="IN")
    events = CARRIER.parse(reply({"scanEvents": [oc, pu]})).events
    assert [e.code for e in events] == ["PU", "OC"]  # ordered by instant
    pickup = events[0]
    assert pickup.occurred_at == datetime(2024, 8, 15, tzinfo=tz(-5))
    assert not pickup.time_is_local
    assert pickup.time_note is not None and "date only" in pickup.time_note


def test_offset_written_after_a_space() -> None:
    # [OMNI] track_fedex_response: "date": "2024-08-12T15:18:10 -0500".
    pu = scan("2024-08-12T15:18:10 -0500", "PU", "Picked Up", place("SEATTLE", "WA", "98101"),
              derived="OC")
    (event,) = CARRIER.parse(reply({"error": {}, "scanEvents": [pu]})).events
    assert event.occurred_at == datetime(2024, 8, 12, 15, 18, 10, tzinfo=tz(-5))
    assert event.stage is Stage.ACCEPTED
