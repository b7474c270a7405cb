"""Shapes seen in real USPS Tracking API v3 responses published in public code, as small hand-written
excerpts (names, numbers and most fields trimmed). Each test says where the shape was observed.

Sources:
- [RDME] repo USPS/api-examples ``README.md``, "Tracking - Single Request - Detail (V3)" response.
- [OMNI] repo wantable/omniship ``spec/mock_responses.rb`` (``track_usps_arrived_response``,
  ``track_usps_in_progress_response``, ``track_usps_not_found_response``).
- [KARRIO] repo karrioapi/karrio ``modules/connectors/usps/tests/usps/test_tracking.py``
  (``TrackingResponse``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tracklingo import MatchKind, ParseError, Stage
from tracklingo_usps import USPSCarrier

CARRIER = USPSCarrier()
IMPB = "9400111899223197428490"


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def event(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "eventCountry": None,
        "firm": None,
        "name": None,
        "authorizedAgent": "false",
        "additionalProp": None,
    }
    base.update(fields)
    return base


# -- [RDME]: a lone event written as an object, not a one-element list ----------------------------


def lone_event_response() -> dict[str, Any]:
    # [RDME]: "trackingEvents": { ... } with a single accepted scan; eventTimestamp carries a Z
    # although statusSummary says 7:31 am local time in RICHMOND, VA.
    return {
        "mailType": "DM",
        "statusCategory": "Accepted",
        "status": "USPS in possession of item",
        "trackingEvents": event(
            eventType="USPS in possession of item",
            eventTimestamp="2023-08-02T07:31:00Z",
            eventCity="RICHMOND",
            eventState="VA",
            eventZIP="23227",
            eventCode="03",
        ),
        "trackingNumber": IMPB,
    }


def test_lone_event_object_is_sniffed_and_parsed() -> None:
    payload = lone_event_response()
    assert CARRIER.sniff(payload)
    result = CARRIER.parse(payload)
    assert result.errors == []
    (ev,) = result.events
    assert (ev.code, ev.stage, ev.match) == ("03", Stage.ACCEPTED, MatchKind.CODE)
    # the Z is not trusted (docs/sources.md#usps-timestamps): 07:31 is Richmond's wall clock, EDT in August
    assert ev.occurred_at == datetime(2023, 8, 2, 7, 31, tzinfo=tz(-4))
    assert (ev.location.city, ev.location.region, ev.location.country) == ("RICHMOND", "VA", "US")


def test_lone_event_object_inside_a_batch_answer() -> None:
    result = CARRIER.parse([lone_event_response()])
    assert [e.stage for e in result.events] == [Stage.ACCEPTED]


def test_object_that_is_no_event_is_still_rejected() -> None:
    payload = {"trackingNumber": IMPB, "trackingEvents": {"a": 1}}
    assert not CARRIER.sniff(payload)
    with pytest.raises(ParseError, match="must be a list"):
        CARRIER.parse(payload)


# -- [OMNI]: pre-shipment scans with no GMT fields; MA at midnight = a date -----------------------


def pre_shipment_response() -> dict[str, Any]:
    # [OMNI] track_usps_in_progress_response (newest first): a plant scan with GMT fields, then
    # "Pre-Shipment, USPS Awaiting Item" (MA) with no GMTTimestamp/GMTOffset keys, no place, and
    # an eventTimestamp of exactly midnight.
    return {
        "mailType": "DM",
        "statusCategory": "Moving Through Network",
        "trackingEvents": [
            event(
                eventType="Arrived at USPS Regional Facility",
                eventTimestamp="2024-11-26T01:44:00",
                GMTTimestamp="2024-11-26T07:44:28Z",
                GMTOffset="-06:00",
                eventCity="OAK CREEK WI DISTRIBUTION CENTER",
                eventState=None,
                eventZIP=None,
                eventCode="10",
            ),
            event(
                eventType="Pre-Shipment, USPS Awaiting Item",
                eventTimestamp="2024-11-23T00:00:00",
                eventCity=None,
                eventState=None,
                eventZIP=None,
                eventCode="MA",
            ),
        ],
        "trackingNumber": IMPB,
    }


def test_midnight_without_gmt_is_flagged_as_a_date() -> None:
    pre, plant = CARRIER.parse(pre_shipment_response()).events
    assert pre.stage is Stage.LABEL_CREATED
    assert pre.occurred_at == datetime(2024, 11, 23)  # kept as USPS wrote it, never shifted
    assert pre.time_is_local
    assert pre.time_note is not None and "probably the date only" in pre.time_note
    # a plant scan: the city field is a plant name holding the state; the offset is USPS's own
    assert plant.stage is Stage.IN_TRANSIT
    assert plant.occurred_at == datetime(2024, 11, 26, 1, 44, tzinfo=tz(-6))
    assert plant.location.facility == "OAK CREEK WI DISTRIBUTION CENTER"
    assert (plant.location.city, plant.location.region) == ("OAK CREEK", "WI")
    assert plant.time_note is None


def test_midnight_with_gmt_fields_is_a_real_time() -> None:
    payload = pre_shipment_response()
    payload["trackingEvents"] = [
        event(
            eventType="Departed USPS Regional Facility",
            eventTimestamp="2024-11-23T00:00:00",
            GMTTimestamp="2024-11-23T06:00:00Z",
            GMTOffset="-06:00",
            eventCity="MILWAUKEE",
            eventState="WI",
            eventZIP="53203",
            eventCode="T1",
        )
    ]
    (ev,) = CARRIER.parse(payload).events
    assert ev.occurred_at == datetime(2024, 11, 23, tzinfo=tz(-6))
    assert ev.time_note is None


def test_gmt_timestamp_a_day_off_keeps_local_time_and_offset() -> None:
    # [OMNI] track_usps_in_progress_response: "Departed Post Office" 2024-11-25T18:31:00 at -06:00
    # came with GMTTimestamp 2024-11-25T00:31:21Z (the UTC date not rolled over).
    payload = pre_shipment_response()
    payload["trackingEvents"] = [
        event(
            eventType="Departed Post Office",
            eventTimestamp="2024-11-25T18:31:00",
            GMTTimestamp="2024-11-25T00:31:21Z",
            GMTOffset="-06:00",
            eventCity="NEW BERLIN",
            eventState="WI",
            eventZIP="53151",
            eventCode="SF",
        )
    ]
    (ev,) = CARRIER.parse(payload).events
    assert ev.occurred_at == datetime(2024, 11, 25, 18, 31, tzinfo=tz(-6))
    assert ev.time_note is not None and "disagrees" in ev.time_note


# -- [OMNI]/[KARRIO]: shipping-partner leg before USPS acceptance --------------------------------


def test_partner_leg_then_destination_acceptance() -> None:
    # [OMNI] track_usps_arrived_response (Parcel Select, destination entry), newest first.
    payload = {
        "mailType": "DM",
        "mailClass": "Parcel Select",
        "trackingEvents": [
            event(eventType="Accepted at USPS Regional Destination Facility",
                  eventTimestamp="2024-11-22T17:22:00", GMTTimestamp="2024-11-22T23:22:15Z",
                  GMTOffset="-06:00", eventCity="OAK CREEK WI DISTRIBUTION CENTER",
                  eventState=None, eventZIP=None, eventCode="AD"),
            event(eventType="Departed Shipping Partner Facility, USPS Awaiting Item",
                  eventTimestamp="2024-11-22T07:43:00", GMTTimestamp="2024-11-22T13:43:15Z",
                  GMTOffset="-06:00", eventCity="GLENDALE HEIGHTS", eventState="IL",
                  eventZIP="60139", eventCode="82"),
            event(eventType="Picked Up By Shipping Partner, USPS Awaiting Item",
                  eventTimestamp="2024-11-21T17:01:00", eventCity=None, eventState=None,
                  eventZIP=None, eventCode="80"),
            event(eventType="Shipping Label Created, USPS Awaiting Item",
                  eventTimestamp="2024-11-19T09:27:00", eventCity=None, eventState=None,
                  eventZIP=None, eventCode="GX"),
        ],
        "trackingNumber": IMPB,
    }
    events = CARRIER.parse(payload).events
    assert [(e.code, e.stage) for e in events] == [
        ("GX", Stage.LABEL_CREATED),
        ("80", Stage.ACCEPTED),
        ("82", Stage.IN_TRANSIT),
        ("AD", Stage.ACCEPTED),
    ]
    assert all(e.match is MatchKind.CODE for e in events)
    # no GMT fields and no place: the naive time is kept and flagged, never guessed
    label, picked = events[0], events[1]
    assert label.time_is_local and label.occurred_at == datetime(2024, 11, 19, 9, 27)
    assert picked.time_is_local and picked.location.is_empty()


def test_not_found_envelope_becomes_a_number_error() -> None:
    # [OMNI] track_usps_not_found_response (message abridged): HTML entity and trailing " - ".
    message = (
        "12: A status update is not yet available on your package. Sign up for Informed"
        " Delivery<SUP>reg;</SUP> to receive notifications for packages addressed to you. - "
    )
    payload = {
        "apiVersion": "/tracking/v3",
        "error": {
            "code": "400",
            "message": message,
            "errors": [{"title": message, "detail": "", "code": "150001"}],
        },
    }
    assert CARRIER.sniff(payload)
    result = CARRIER.parse(payload)
    assert result.events == []
    (err,) = result.errors
    assert err.code == "150001"
    assert err.message.endswith("Informed Delivery® to receive notifications for packages addressed to you.")
