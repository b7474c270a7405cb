"""Which field of a Unified event decides, and what the event keeps: real replies (the ``real_*``
fixtures, sources in ``fixtures/README.md``) and shapes taken from them.

The most specific field decides first: a status key (``statusDetailed``, or a code-like ``status``)
is the event's code; then ``description``, ``remark`` and a phrase ``status``; the coarse
``statusCode`` is the fallback. A key is never lost, a description never empty, HTML never kept.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

from tracklingo import MatchKind, Stage, TrackingEvent
from tracklingo_dhl import DHLCarrier

CARRIER = DHLCarrier()
FIXTURES = Path(__file__).parent / "fixtures"


def fixture_events(name: str) -> list[TrackingEvent]:
    result = CARRIER.parse(json.loads((FIXTURES / name).read_text(encoding="utf-8")))
    assert result.errors == []
    return result.events


def one_event(service: str, event: dict[str, Any], **shipment: Any) -> TrackingEvent:
    payload = {
        "shipments": [{"id": "JVGL06218507000372709959", "service": service, "events": [event], **shipment}]
    }
    result = CARRIER.parse(payload)
    assert result.errors == []
    (ev,) = result.events
    return ev


# -- parcel-nl: the status key is the code ------------------------------------------------------


def test_parcel_nl_status_key_is_the_code_and_decides() -> None:
    # real reply: status PRENOTIFICATION_RECEIVED / DATA_RECEIVED_WITH_PREFIX_LABEL, both with the
    # generic description "Shipment not yet received or processed" and statusCode pre-transit
    events = fixture_events("real_parcel_nl_prenotification_2026.json")
    assert [(e.code, e.match, e.stage) for e in events] == [
        ("DATA_RECEIVED_WITH_PREFIX_LABEL", MatchKind.CODE, Stage.LABEL_CREATED),
        ("PRENOTIFICATION_RECEIVED", MatchKind.CODE, Stage.LABEL_CREATED),
    ]
    assert {e.description for e in events} == {"Shipment not yet received or processed"}


def test_key_without_any_text_is_the_description() -> None:
    # the parcel-nl shape with the description left out: the key must survive outside `raw`
    ev = one_event(
        "parcel-nl",
        {
            "timestamp": "2026-04-13T09:02:21+02:00",
            "statusCode": "pre-transit",
            "status": "PRENOTIFICATION_RECEIVED",
        },
    )
    assert (ev.code, ev.description, ev.stage) == (
        "PRENOTIFICATION_RECEIVED",
        "PRENOTIFICATION_RECEIVED",
        Stage.LABEL_CREATED,
    )


def test_only_a_coarse_status_is_still_a_description() -> None:
    ev = one_event("parcel-nl", {"timestamp": "2026-04-13T09:02:21+02:00", "statusCode": "transit"})
    assert (ev.description, ev.stage, ev.match) == ("transit", Stage.IN_TRANSIT, MatchKind.FALLBACK)


def test_unknown_key_keeps_the_text_deciding() -> None:
    # a key no source explains (ecommerce-europe "42", freight "1-0") is kept as the code while
    # the description decides the stage
    events = fixture_events("real_ecommerce_europe_se_de_2026.json")
    assert [(e.code, e.stage) for e in events] == [
        ("0", Stage.LABEL_CREATED),
        ("33", Stage.ARRIVED_DESTINATION_COUNTRY),
        ("42", Stage.OUT_FOR_DELIVERY),
    ]
    freight = fixture_events("real_freight_se_fi_2026.json")
    assert [(e.code, e.description) for e in freight] == [
        ("ACT-2", "Consignment created"),
        ("1-0", "Received at terminal"),
    ]


def test_parcel_de_two_letter_code_is_never_looked_up_alone() -> None:
    # "PO" is also an Express checkpoint code: without statusDetailed it only pairs with its text
    ev = one_event(
        "parcel-de",
        {
            "timestamp": "2023-06-07T08:40:00",
            "statusCode": "transit",
            "status": "PO",
            "description": "Die Sendung wurde in das Zustellfahrzeug geladen.",
        },
    )
    assert (ev.code, ev.stage, ev.match) == ("PO", Stage.OUT_FOR_DELIVERY, MatchKind.CODE)


# -- remark, HTML ---------------------------------------------------------------------------------


def test_remark_decides_before_an_upper_case_status_word() -> None:
    # DHL's published Unified example event (karrio dhl_universal test_tracking.py): description
    # "JESSICA", status "DELIVERED", statusCode pre-transit, and the remark that says what happens
    ev = one_event(
        "express",
        {
            "timestamp": "2018-03-02T07:53:47",
            "statusCode": "pre-transit",
            "status": "DELIVERED",
            "description": "JESSICA",
            "remark": "The shipment is pending completion of customs inspection.",
            "nextSteps": "The status will be updated following customs inspection.",
        },
    )
    assert ev.stage is not Stage.DELIVERED
    assert ev.description == "The shipment is pending completion of customs inspection."


def test_html_in_a_description_is_dropped() -> None:
    # the shape of a DHL description carrying a link (seen in a public DHL NL tracker's test)
    ev = one_event(
        "parcel-nl",
        {
            "timestamp": "2026-04-13T16:05:00",
            "statusCode": "transit",
            "description": (
                "The shipment has arrived in the destination country"
                " (<a href='https://example.com'>link</a>) &amp; more"
            ),
        },
    )
    assert ev.description == "The shipment has arrived in the destination country (link) & more"


# -- eCommerce: the delivery detail stays ----------------------------------------------------------


def test_ecommerce_delivery_detail_stays_in_the_event() -> None:
    ev = one_event(
        "ecommerce",
        {
            "timestamp": "2023-05-08T10:37:00",
            "statusCode": "delivered",
            "status": "DELIVERED",
            "description": "IN/AT MAILBOX",
        },
    )
    assert (ev.stage, ev.description) == (Stage.DELIVERED, "DELIVERED - IN/AT MAILBOX")


def test_ecommerce_description_that_already_says_it_is_kept_as_is() -> None:
    ev = one_event(
        "ecommerce",
        {
            "timestamp": "2023-05-08T10:37:00",
            "statusCode": "delivered",
            "status": "DELIVERED",
            "description": "DELIVERED - PARCEL LOCKER",
        },
    )
    assert ev.description == "DELIVERED - PARCEL LOCKER"


# -- order and places ------------------------------------------------------------------------------


def test_events_are_ordered_by_time_not_by_dhl_local_clock_order() -> None:
    # real Express reply: DHL lists a Los Angeles pre-clearance (16:21 -08:00) below the Tokyo
    # pickup (16:38 +09:00) of the same calendar day, though it happened 17 hours later
    events = fixture_events("real_express_tokyo_los_angeles_2021.json")
    instants = [e.occurred_at.astimezone(UTC) for e in events if e.occurred_at is not None]
    assert instants == sorted(instants)
    assert events[0].description == "Shipment picked up"


def test_locality_ending_in_its_country_code_is_the_city() -> None:
    events = fixture_events("real_ecommerce_us_to_gb_2023.json")
    customs = events[-1]
    assert customs.stage is Stage.IMPORT_CUSTOMS
    assert customs.location is not None
    assert (customs.location.city, customs.location.country) == ("HEATHROW", "GB")
    # "Whittier, CA, US" is still city, state and country
    assert events[1].location is not None
    assert (events[1].location.city, events[1].location.region) == ("Whittier", "CA")
