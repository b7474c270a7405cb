"""Shapes seen in real DHL Unified Shipment Tracking responses published in public code, as small
hand-written excerpts (most fields trimmed). Each test says where the shape was observed.

Sources:
- [SCALA] repo msouvikrepo/scala-API-Integration
  ``dhl-api/src/test/scala/com/mailytica/ai/api/dhl/DhlStatusSpec.scala`` (a parcel-de reply,
  2023, German texts, origin and destination DE, some events without ``location``).
- [DG] repo Asyan77/DHL-Integration-DigitalGenius- ``src/components/FindTrackingDetails.jsx``
  (an eCommerce reply, 2023, US domestic, pre-transit events without ``location``).
- [KARRIO] repo karrioapi/karrio ``modules/connectors/dhl_universal/tests/dhl_universal/
  test_tracking.py`` (the 404 problem body).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from tracklingo import Handoff, Stage
from tracklingo_dhl import DHLCarrier

CARRIER = DHLCarrier()
DE = {"address": {"addressLocality": "Deutschland"}}


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def parcel_de(*events: dict[str, Any], origin: str = "DE", destination: str = "DE") -> dict[str, Any]:
    return {
        "shipments": [
            {
                "id": "470800204932",
                "service": "parcel-de",
                "origin": {"address": {"countryCode": origin}},
                "destination": {"address": {"countryCode": destination}},
                "events": list(events),
            }
        ],
        "possibleAdditionalShipmentsUrl": [
            "/track/shipments?trackingNumber=470800204932&language=DE&service=express",
        ],
    }


def de_event(timestamp: str, status_code: str, text: str, *, located: bool) -> dict[str, Any]:
    event: dict[str, Any] = {"timestamp": timestamp}
    if located:
        event["location"] = DE
    event.update({"statusCode": status_code, "status": text, "description": text})
    return event


LOADED = "Die Sendung wurde in das Zustellfahrzeug geladen. Die Zustellung erfolgt voraussichtlich heute."
ANNOUNCED = (
    "Die Sendung wurde elektronisch angekündigt. Sobald die Sendung von uns bearbeitet"
    " wurde, erhalten Sie weitere Informationen."
)


# -- [SCALA]: a domestic parcel-de shipment, some events without a place --------------------------


def test_placeless_events_of_a_domestic_shipment_take_its_country_zone() -> None:
    payload = parcel_de(
        de_event("2023-03-13T09:50:00", "delivered", "Die Sendung wurde zugestellt.", located=True),
        de_event("2023-03-13T08:36:00", "transit", LOADED, located=False),
        de_event("2023-03-01T16:18:00", "pre-transit", ANNOUNCED, located=False),
    )
    assert CARRIER.sniff(payload)
    result = CARRIER.parse(payload)
    assert result.errors == []
    announced, loaded, delivered = result.events  # oldest first (DHL lists them newest first)
    assert delivered.stage is Stage.DELIVERED
    assert delivered.occurred_at == datetime(2023, 3, 13, 9, 50, tzinfo=tz(1))
    assert delivered.time_note is None
    for event, when in ((loaded, datetime(2023, 3, 13, 8, 36)), (announced, datetime(2023, 3, 1, 16, 18))):
        assert event.occurred_at == when.replace(tzinfo=tz(1))  # CET, never shifted
        assert not event.time_is_local
        assert event.time_note is not None and "DE" in event.time_note
        assert event.location.is_empty()  # the place itself is not invented
    assert loaded.stage is Stage.OUT_FOR_DELIVERY
    assert announced.stage is Stage.LABEL_CREATED


def test_placeless_event_summer_time() -> None:
    (event,) = CARRIER.parse(
        parcel_de(de_event("2023-07-13T08:36:00", "transit", LOADED, located=False))
    ).events
    assert event.occurred_at == datetime(2023, 7, 13, 8, 36, tzinfo=tz(2))


def test_placeless_event_of_a_cross_border_shipment_stays_local() -> None:
    (event,) = CARRIER.parse(
        parcel_de(de_event("2023-03-13T08:36:00", "transit", LOADED, located=False), destination="AT")
    ).events
    assert event.time_is_local
    assert event.occurred_at == datetime(2023, 3, 13, 8, 36)


def test_placeless_event_with_its_own_offset_keeps_it() -> None:
    (event,) = CARRIER.parse(
        parcel_de(de_event("2023-03-13T08:36:00+02:00", "transit", LOADED, located=False))
    ).events
    assert event.occurred_at == datetime(2023, 3, 13, 8, 36, tzinfo=tz(2))
    assert event.time_note is None


# -- [DG]: a US eCommerce shipment; the US has several zones -------------------------------------


def ecommerce() -> dict[str, Any]:
    def at(city: str, state: str, postal: str) -> dict[str, Any]:
        return {
            "address": {"countryCode": "US", "postalCode": postal, "addressLocality": f"{city}, {state}, US"}
        }

    return {
        "shipments": [
            {
                "id": "00340434292135100186",
                "service": "ecommerce",
                "origin": {
                    "address": {"countryCode": "US", "postalCode": "41048", "addressLocality": "HEBRON"}
                },
                "destination": {
                    "address": {"countryCode": "US", "postalCode": "89014", "addressLocality": "HENDERSON"}
                },
                "details": {
                    "references": [
                        {"number": "6100050512345", "type": "ecommerce-number"},
                    ]
                },
                "events": [
                    {
                        "timestamp": "2023-05-08T10:37:00",
                        "location": at("Henderson", "NV", "89014"),
                        "statusCode": "delivered",
                        "status": "DELIVERED",
                        "description": "DELIVERED - PARCEL LOCKER",
                    },
                    {
                        "timestamp": "2023-05-06T04:18:30",
                        "location": at("Whittier", "CA", "90601"),
                        "statusCode": "transit",
                        "status": "TENDERED TO DELIVERY SERVICE PROVIDER",
                    },
                    {
                        "timestamp": "2023-05-02T19:25:28",
                        "location": at("Hebron", "KY", "41048"),
                        "statusCode": "transit",
                        "status": "PACKAGE RECEIVED AT DHL ECOMMERCE DISTRIBUTION CENTER",
                    },
                    {
                        "timestamp": "2023-05-01T14:11:21",
                        "statusCode": "pre-transit",
                        "status": "EN ROUTE TO DHL ECOMMERCE OR AWAITING PROCESSING",
                    },
                    {"timestamp": "2023-05-01T10:02:48", "statusCode": "unknown", "status": "LABEL CREATED"},
                ],
            }
        ]
    }


def test_us_ecommerce_stages_places_and_times() -> None:
    events = CARRIER.parse(ecommerce()).events
    assert [e.stage for e in events] == [
        Stage.LABEL_CREATED,
        Stage.LABEL_CREATED,
        Stage.ACCEPTED,
        Stage.HANDED_TO_LAST_MILE,
        Stage.DELIVERED,
    ]
    label, en_route, received, tendered, delivered = events
    # Nevada and Kentucky span two zones: kept local; California has one
    assert delivered.time_is_local and received.time_is_local
    assert tendered.occurred_at == datetime(2023, 5, 6, 4, 18, 30, tzinfo=tz(-7))
    # a US-domestic shipment gives no certain zone to a placeless event: kept local
    assert en_route.time_is_local and label.time_is_local
    assert en_route.location.is_empty()
    # no local-tracking-number reference: the hand-off names USPS without a number
    assert tendered.handoff == Handoff(carrier="usps", tracking_number=None)


# -- [KARRIO]: the 404 problem body ---------------------------------------------------------------


def test_not_found_problem_body() -> None:
    payload = {
        "title": "No result found",
        "detail": "No shipment with given tracking number found.",
        "status": 404,
        "instance": "/shipment/8264715546",
    }
    assert CARRIER.sniff(payload)
    result = CARRIER.parse(payload)
    assert result.events == []
    (err,) = result.errors
    assert (err.tracking_number, err.code) == ("8264715546", "404")
    assert "No shipment with given tracking number found." in err.message


def test_garbled_usps_reference_names_the_partner_but_no_number() -> None:
    # shape seen in a captured eCommerce US reply (repo Asyan77/DHL-Integration-DigitalGenius-
    # src/components/FindTrackingDetails.jsx): the local-tracking-number is not a USPS number
    from tracklingo import load_carriers

    dhl = load_carriers().get("dhl")
    payload = {
        "shipments": [
            {
                "id": "GM6045000012345678",
                "service": "ecommerce",
                "destination": {"address": {"countryCode": "US"}},
                "details": {"references": [{"type": "local-tracking-number", "number": "936109876h8ikj8"}]},
                "events": [
                    {
                        "timestamp": "2025-03-03T10:00:00-05:00",
                        "statusCode": "transit",
                        "status": "Tendered to delivery service provider",
                        "description": "Tendered to delivery service provider",
                    }
                ],
            }
        ]
    }
    [event] = dhl.parse(payload).events
    assert event.handoff is not None and event.handoff.carrier == "usps"
    assert event.handoff.tracking_number is None
