"""The USPS Tracking API v3 parser over the recorded-shape fixtures and targeted payloads."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tracklingo import MatchKind, ParseError, Stage, TrackingEvent
from tracklingo_usps import USPSCarrier

FIXTURES = Path(__file__).parent / "fixtures"
CARRIER = USPSCarrier()


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def events_of(name: str) -> list[TrackingEvent]:
    result = CARRIER.parse(load(name))
    assert result.errors == []
    return result.events


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def by_text(events: list[TrackingEvent], text: str) -> list[TrackingEvent]:
    return [e for e in events if e.description == text]


# -- every fixture ------------------------------------------------------------------------------

EVENT_FIXTURES = [
    "domestic_delivered.json",
    "inbound_international.json",
    "outbound_international.json",
    "return_to_sender.json",
]


@pytest.mark.parametrize("name", EVENT_FIXTURES)
def test_fixture_is_sniffed_and_fully_mapped(name: str) -> None:
    payload = load(name)
    assert CARRIER.sniff(payload)
    events = CARRIER.parse(payload).events
    assert len(events) == len(payload["trackingEvents"])
    unmapped = [e.description for e in events if e.match is MatchKind.UNMAPPED]
    assert unmapped == []
    assert all(e.carrier == "usps" for e in events)
    assert all(e.tracking_number == payload["trackingNumber"] for e in events)
    assert all(e.needs_context is None for e in events)
    # events come out oldest first; raw is the carrier's event dict, untouched
    assert [e.raw for e in events] == list(reversed(payload["trackingEvents"]))
    # descriptions and codes exactly as USPS gave them
    for event, raw in zip(events, reversed(payload["trackingEvents"]), strict=True):
        assert event.description == raw["eventType"]
        assert event.code == raw["eventCode"]
        assert event.handoff is None  # v3 events name no next-leg carrier/number


@pytest.mark.parametrize("name", EVENT_FIXTURES)
def test_times_with_gmt_offset_agree_with_gmt_timestamp(name: str) -> None:
    payload = load(name)
    events = CARRIER.parse(payload).events
    for event, raw in zip(events, reversed(payload["trackingEvents"]), strict=True):
        if raw.get("GMTOffset") and raw.get("eventTimestamp"):
            assert event.occurred_at is not None and event.occurred_at.tzinfo is not None
            assert event.time_is_local is False
            local = datetime.fromisoformat(raw["eventTimestamp"])
            assert event.occurred_at.replace(tzinfo=None) == local  # never shifted
            gmt = datetime.fromisoformat(raw["GMTTimestamp"].replace("Z", "+00:00"))
            if abs(event.occurred_at - gmt) > timedelta(minutes=2):
                assert event.time_note and "GMTTimestamp" in event.time_note


# -- domestic -------------------------------------------------------------------------------------


def test_domestic_journey() -> None:
    events = events_of("domestic_delivered.json")
    assert [e.stage for e in events] == [
        Stage.LABEL_CREATED,
        Stage.ACCEPTED,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.AT_DESTINATION_FACILITY,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERED,
    ]
    delivered = events[-1]
    assert delivered.description == "Delivered, In/At Mailbox"
    assert delivered.occurred_at == datetime(2025, 3, 6, 13, 27, tzinfo=tz(-8))
    assert delivered.occurred_at.astimezone(UTC) == datetime(2025, 3, 6, 21, 27, tzinfo=UTC)
    assert delivered.location.model_dump(exclude_none=True) == {
        "city": "SACRAMENTO",
        "region": "CA",
        "postal_code": "95814",
        "country": "US",
    }
    accepted = events[1]
    assert accepted.description == "USPS in possession of item"
    assert accepted.occurred_at == datetime(2025, 3, 3, 16, 48, tzinfo=tz(-7))
    assert accepted.location.city == "DENVER" and accepted.location.postal_code == "80205"


def test_plant_names_become_the_facility() -> None:
    events = events_of("domestic_delivered.json")
    arrived = by_text(events, "Arrived at USPS Regional Facility")[0]
    assert arrived.location.model_dump(exclude_none=True) == {
        "facility": "DENVER CO DISTRIBUTION CENTER",
        "city": "DENVER",
        "region": "CO",
        "country": "US",
    }
    assert arrived.occurred_at == datetime(2025, 3, 3, 21, 37, tzinfo=tz(-7))


def test_pre_shipment_without_gmt_fields_stays_local() -> None:
    label = events_of("domestic_delivered.json")[0]
    assert label.stage is Stage.LABEL_CREATED
    assert label.code == "GX"
    assert label.occurred_at == datetime(2025, 3, 3, 10, 12)  # naive: no place, no offset
    assert label.time_is_local is True
    assert label.time_note
    assert label.location.is_empty()


# -- inbound international: foreign leg, ISC, customs ---------------------------------------------


def test_inbound_international_through_isc_and_customs() -> None:
    events = events_of("inbound_international.json")
    stages = [(e.description, e.stage) for e in events]
    assert stages == [
        ("Acceptance", Stage.ACCEPTED),
        ("Processed Through Facility", Stage.IN_TRANSIT),
        ("Processed Through Facility", Stage.IN_TRANSIT),
        ("Origin Post is Preparing Shipment", Stage.DEPARTED_ORIGIN_COUNTRY),
        ("Processed Through Facility", Stage.ARRIVED_DESTINATION_COUNTRY),
        ("Inbound Into Customs", Stage.IMPORT_CUSTOMS),
        ("Customs Clearance", Stage.IMPORT_CUSTOMS),
        ("Item Returned From Import Customs", Stage.CUSTOMS_CLEARED),
        ("Inbound Out of Customs", Stage.CUSTOMS_CLEARED),
        ("Arrived at USPS Regional Facility", Stage.IN_TRANSIT),
        ("Departed USPS Regional Facility", Stage.IN_TRANSIT),
        ("Arrived at Post Office", Stage.AT_DESTINATION_FACILITY),
        ("Out for Delivery", Stage.OUT_FOR_DELIVERY),
        ("Delivered, In/At Mailbox", Stage.DELIVERED),
    ]


def test_isc_event_is_resolved_by_direction_and_fills_the_facility() -> None:
    events = events_of("inbound_international.json")
    isc = events[4]
    assert isc.description == "Processed Through Facility"  # USPS's own text, not the joined one
    assert isc.code is None
    assert isc.stage is Stage.ARRIVED_DESTINATION_COUNTRY
    assert isc.match is MatchKind.CONTEXT
    assert isc.location.facility == "ISC LOS ANGELES CA(USPS)"
    assert (isc.location.city, isc.location.region, isc.location.country) == (
        "LOS ANGELES",
        "CA",
        "US",
    )
    assert isc.occurred_at == datetime(2025, 6, 12, 8, 31, tzinfo=tz(-7))


def test_foreign_leg_places_and_times() -> None:
    events = events_of("inbound_international.json")
    acceptance, tokyo = events[0], events[1]
    assert acceptance.location.model_dump(exclude_none=True) == {"country": "JP"}
    # Japan lies in one time zone: the naive local time is resolved (+09:00), never shifted
    assert acceptance.occurred_at == datetime(2025, 6, 9, 14, 5, tzinfo=tz(9))
    assert tokyo.location.facility == "TOKYO INT"
    assert tokyo.location.city == "TOKYO"
    assert tokyo.location.country == "JP"
    assert events[2].location.facility == "TOKYO INT CONTAINER 1"


def test_undated_event_is_kept() -> None:
    preparing = events_of("inbound_international.json")[3]
    assert preparing.description == "Origin Post is Preparing Shipment"
    assert preparing.occurred_at is None
    assert preparing.time_note == "the carrier gave no time for this event"
    assert preparing.location.is_empty()


def test_customs_events_at_the_isc() -> None:
    events = events_of("inbound_international.json")
    released = by_text(events, "Inbound Out of Customs")[0]
    assert released.stage is Stage.CUSTOMS_CLEARED
    assert released.location.facility == "ISC LOS ANGELES CA(USPS)"
    assert released.occurred_at == datetime(2025, 6, 13, 14, 50, tzinfo=tz(-7))
    edc = by_text(events, "Item Returned From Import Customs")[0]
    assert edc.stage is Stage.CUSTOMS_CLEARED  # UPU EDC: released to the post, not returned


# -- outbound international -----------------------------------------------------------------------


def test_outbound_international_leaves_through_the_isc() -> None:
    events = events_of("outbound_international.json")
    isc = by_text(events, "Processed Through Facility")[0]
    assert isc.location.facility == "ISC NEW YORK NY(USPS)"
    assert isc.stage is Stage.DEPARTED_ORIGIN_COUNTRY
    assert isc.match is MatchKind.CONTEXT
    dispatched = by_text(events, "Dispatched from USPS International Service Center")[0]
    assert dispatched.stage is Stage.DEPARTED_ORIGIN_COUNTRY
    assert dispatched.match is MatchKind.CONTEXT
    assert dispatched.occurred_at == datetime(2025, 4, 8, 18, 55, tzinfo=tz(-4))


def test_outbound_foreign_events_use_the_country_name() -> None:
    events = events_of("outbound_international.json")
    delivered = events[-1]
    assert delivered.stage is Stage.DELIVERED
    assert delivered.location.model_dump(exclude_none=True) == {"city": "LONDON", "country": "GB"}
    # "UNITED KINGDOM" → GB, one zone: BST in April
    assert delivered.occurred_at == datetime(2025, 4, 11, 13, 22, tzinfo=tz(1))
    heathrow = by_text(events, "Processed Through Facility")[-1]
    assert heathrow.location.country == "GB"
    assert heathrow.location.region is None  # "DC" in "HEATHROW WORLDWIDE DC" is no US state
    customs = by_text(events, "Customs Clearance")[0]
    assert customs.stage is Stage.IMPORT_CUSTOMS
    assert customs.location.country == "GB"


# -- attempts, pickup, return to sender ------------------------------------------------------------


def test_return_to_sender_journey() -> None:
    events = events_of("return_to_sender.json")
    tail = [(e.description, e.stage, e.reason) for e in events[-5:]]
    assert [t[:2] for t in tail] == [
        ("Out for Delivery", Stage.OUT_FOR_DELIVERY),
        ("Notice Left (No Authorized Recipient Available)", Stage.DELIVERY_ATTEMPTED),
        ("Available for Pickup", Stage.AVAILABLE_FOR_PICKUP),
        ("Reminder to Schedule Redelivery of your item", Stage.DELIVERY_ATTEMPTED),
        ("Unclaimed/Being Returned to Sender", Stage.RETURN_TO_SENDER),
    ]
    notice = events[-4]
    assert notice.reason is not None and notice.reason.value == "recipient_unavailable"
    rts = events[-1]
    assert rts.status.value == "returning"
    assert rts.occurred_at == datetime(2025, 1, 25, 10, 30, tzinfo=tz(-6))


def test_gmt_timestamp_a_day_off_is_noted_not_used() -> None:
    events = events_of("return_to_sender.json")
    memphis = [e for e in events if e.occurred_at == datetime(2025, 1, 8, 23, 31, tzinfo=tz(-6))]
    assert len(memphis) == 1
    note = memphis[0].time_note or ""
    assert "GMTTimestamp 2025-01-08T05:31:47Z disagrees" in note
    assert "+24.0 h" in note


def test_midnight_reminder_without_place_stays_local() -> None:
    events = events_of("return_to_sender.json")
    reminder = by_text(events, "Reminder to Schedule Redelivery of your item")[0]
    assert reminder.occurred_at == datetime(2025, 1, 14, 0, 0)
    assert reminder.time_is_local is True


# -- error envelope -------------------------------------------------------------------------------


def test_error_body_gives_only_the_carriers_text() -> None:
    payload = load("error_no_status.json")
    assert CARRIER.sniff(payload)
    result = CARRIER.parse(payload)
    assert result.events == []
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.message.startswith("12: A status update is not yet available on your package.")
    assert "<SUP>" not in error.message and "Informed Delivery®" in error.message
    assert not error.message.endswith("-")
    assert error.code == "150001"
    assert error.tracking_number is None


def test_error_body_names_the_number_the_client_added() -> None:
    payload = {**load("error_no_status.json"), "trackingNumber": "9400111899223197428490"}
    error = CARRIER.parse(payload).errors[0]
    assert error.tracking_number == "9400111899223197428490"


def test_missing_scope_401_envelope_with_empty_errors() -> None:
    payload = {
        "apiVersion": "/tracking/v3",
        "error": {"code": "401", "message": "The client application identifier is invalid.",
                  "errors": []},
    }
    result = CARRIER.parse(payload)
    assert result.events == []
    assert result.errors[0].message == "The client application identifier is invalid."
    assert result.errors[0].code == "401"


def test_error_envelope_without_message_still_says_something() -> None:
    result = CARRIER.parse({"apiVersion": "/tracking/v3", "error": {}})
    assert result.errors[0].message


def test_normalizer_turns_the_error_body_into_a_reject() -> None:
    from tracklingo import Normalizer, Record, Registry, Reject

    registry = Registry()
    registry.register(CARRIER, plugin="usps", distribution=None, version=None)
    normalizer = Normalizer(registry)
    events, rejects = normalizer.process(Record(1, load("error_no_status.json")))
    assert events == []
    assert len(rejects) == 1 and isinstance(rejects[0], Reject)
    assert "A status update is not yet available" in rejects[0].reason
    assert normalizer.stats.records_in == normalizer.stats.records_rejected == 1


# -- targeted payloads ----------------------------------------------------------------------------


def isc_payload(number: str, **top: Any) -> dict[str, Any]:
    """A minimal v3 detail: one ISC event."""
    return {
        "trackingNumber": number,
        **top,
        "trackingEvents": [
            {
                "eventType": "Processed Through Facility",
                "eventTimestamp": "2025-06-16T06:37:00",
                "GMTTimestamp": "2025-06-16T10:37:31Z",
                "GMTOffset": "-04:00",
                "eventCity": "ISC NEW YORK NY(USPS)",
                "eventState": None,
                "eventZIP": None,
                "eventCountry": None,
                "eventCode": None,
            }
        ],
    }


# MOD 10 worked example (docs/sources.md#usps-tracking-numbers): not S10, no direction of its own
IMPB = "9261290000012300000427"


@pytest.mark.parametrize(
    ("payload", "stage"),
    [
        (isc_payload(IMPB, mailType="INTERNATIONAL_INBOUND"), Stage.ARRIVED_DESTINATION_COUNTRY),
        (isc_payload(IMPB, mailType="International Outbound"), Stage.DEPARTED_ORIGIN_COUNTRY),
        (isc_payload("CP202506149DE"), Stage.ARRIVED_DESTINATION_COUNTRY),  # S10 issued abroad
        (isc_payload("CP100000140US"), Stage.DEPARTED_ORIGIN_COUNTRY),  # S10 issued by USPS
        (isc_payload(IMPB, originCountry="DE", destinationCountryCode="US"),
         Stage.ARRIVED_DESTINATION_COUNTRY),
        (isc_payload(IMPB, originCountry="US", destinationCountryCode="GB"),
         Stage.DEPARTED_ORIGIN_COUNTRY),
        (isc_payload(IMPB, destinationCountry="CA"), Stage.DEPARTED_ORIGIN_COUNTRY),  # v3r2 name
        # mailType wins over a contradicting S10 suffix
        (isc_payload("CP100000140US", mailType="INTERNATIONAL_INBOUND"),
         Stage.ARRIVED_DESTINATION_COUNTRY),
    ],
)
def test_direction_sources(payload: dict[str, Any], stage: Stage) -> None:
    event = CARRIER.parse(payload).events[0]
    assert event.stage is stage
    assert event.match is MatchKind.CONTEXT
    assert event.needs_context is None
    assert event.location.facility == "ISC NEW YORK NY(USPS)"


def test_direction_from_where_the_events_lie() -> None:
    payload = isc_payload(IMPB)
    payload["trackingEvents"].append(
        {"eventType": "Acceptance", "eventTimestamp": "2025-06-12T15:22:00", "eventCountry": "GERMANY"}
    )
    events = CARRIER.parse(payload).events
    assert events[0].location.country == "DE"
    assert events[0].occurred_at == datetime(2025, 6, 12, 15, 22, tzinfo=tz(2))  # CEST
    assert events[1].stage is Stage.ARRIVED_DESTINATION_COUNTRY


def test_unknown_direction_is_flagged_not_guessed() -> None:
    event = CARRIER.parse(isc_payload(IMPB, mailType="DM")).events[0]
    assert event.stage is Stage.IN_TRANSIT
    assert event.match is MatchKind.PATTERN
    assert event.needs_context == "direction"
    assert event.location.facility == "ISC NEW YORK NY(USPS)"


def test_non_generic_text_at_the_isc_is_not_rewritten() -> None:
    payload = isc_payload("CP202506149DE")
    payload["trackingEvents"][0]["eventType"] = "Inbound Into Customs"
    event = CARRIER.parse(payload).events[0]
    assert event.stage is Stage.IMPORT_CUSTOMS
    assert event.match is MatchKind.PHRASE


def one_event(**fields: Any) -> dict[str, Any]:
    return {"trackingNumber": IMPB, "mailType": "DM",
            "trackingEvents": [{"eventType": "Out for Delivery", "eventCode": "OF", **fields}]}


def test_trailing_z_is_local_time_resolved_by_gmt_offset() -> None:
    # the USPS README sample: "2023-08-02T07:31:00Z" while statusSummary says 7:31 am in Richmond
    event = CARRIER.parse(one_event(eventTimestamp="2023-08-02T07:31:00Z", GMTOffset="-4:00",
                                    eventCity="RICHMOND", eventState="VA")).events[0]
    assert event.occurred_at == datetime(2023, 8, 2, 7, 31, tzinfo=tz(-4))


def test_trailing_z_without_offset_resolved_by_the_state() -> None:
    event = CARRIER.parse(one_event(eventTimestamp="2023-08-02T07:31:00Z", eventCity="RICHMOND",
                                    eventState="VA")).events[0]
    assert event.occurred_at == datetime(2023, 8, 2, 7, 31, tzinfo=tz(-4))  # EDT
    assert event.time_is_local is False


def test_state_in_plant_name_resolves_the_zone() -> None:
    event = CARRIER.parse(one_event(eventTimestamp="2024-11-23T13:10:00",
                                    eventCity="OAK CREEK WI DISTRIBUTION CENTER",
                                    eventState=None)).events[0]
    assert event.occurred_at == datetime(2024, 11, 23, 13, 10, tzinfo=tz(-6))  # CST
    assert event.location.facility == "OAK CREEK WI DISTRIBUTION CENTER"
    assert (event.location.city, event.location.region) == ("OAK CREEK", "WI")


def test_split_zone_state_stays_local_unless_gmt_gives_the_offset() -> None:
    local = CARRIER.parse(one_event(eventTimestamp="2025-01-06T15:22:00", eventCity="AUSTIN",
                                    eventState="TX")).events[0]
    assert local.time_is_local is True and local.occurred_at == datetime(2025, 1, 6, 15, 22)
    derived = CARRIER.parse(one_event(eventTimestamp="2025-01-06T15:22:00",
                                      GMTTimestamp="2025-01-06T21:22:57Z", eventCity="AUSTIN",
                                      eventState="TX")).events[0]
    assert derived.occurred_at == datetime(2025, 1, 6, 15, 22, tzinfo=tz(-6))
    assert derived.time_note and "derived from USPS's GMTTimestamp" in derived.time_note


def test_unreadable_timestamp_falls_back_to_gmt_then_none() -> None:
    # Aug 2023: eventTimestamp briefly held a time without a date (https://github.com/USPS/api-examples/issues/15)
    with_gmt = CARRIER.parse(one_event(eventTimestamp="07:31", GMTTimestamp="2023-08-02T11:31:10Z",
                                       eventState="VA")).events[0]
    assert with_gmt.occurred_at == datetime(2023, 8, 2, 11, 31, 10, tzinfo=UTC)
    assert with_gmt.time_note and "GMTTimestamp" in with_gmt.time_note
    without = CARRIER.parse(one_event(eventTimestamp="07:31")).events[0]
    assert without.occurred_at is None
    assert without.time_note and "unreadable" in without.time_note


def test_offset_in_timestamp_is_kept() -> None:
    # v3r2 types eventTimestamp as a date-time with offset
    # (repo Thecodergabe/shipstack specs/usps/tracking-v3r2_4.yaml)
    event = CARRIER.parse(one_event(eventTimestamp="2024-04-04T14:03:12-07:00",
                                    eventState="NY")).events[0]
    assert event.occurred_at == datetime(2024, 4, 4, 14, 3, 12, tzinfo=tz(-7))


def test_bad_gmt_offset_is_ignored() -> None:
    event = CARRIER.parse(one_event(eventTimestamp="2025-03-06T08:03:00", GMTOffset="soon",
                                    eventState="CA", eventZIPCode="95814")).events[0]
    assert event.occurred_at == datetime(2025, 3, 6, 8, 3, tzinfo=tz(-8))
    assert event.location.postal_code == "95814"  # the v3r2 spelling


def test_territory_and_military_states() -> None:
    pr = CARRIER.parse(one_event(eventTimestamp="2025-03-06T08:03:00", eventCity="SAN JUAN",
                                 eventState="PR")).events[0]
    assert pr.location.country == "PR"
    assert pr.occurred_at == datetime(2025, 3, 6, 8, 3, tzinfo=tz(-4))
    apo = CARRIER.parse(one_event(eventTimestamp="2025-03-06T08:03:00", eventCity="APO",
                                  eventState="AE")).events[0]
    assert apo.location.country is None and apo.location.region == "AE"
    assert apo.time_is_local is True


def test_empty_event_list_is_a_number_error() -> None:
    result = CARRIER.parse({"trackingNumber": IMPB, "mailType": "DM", "trackingEvents": [],
                            "statusSummary": "Label created, not yet in system"})
    assert result.events == []
    assert result.errors[0].tracking_number == IMPB
    assert result.errors[0].message == "Label created, not yet in system"


def test_batch_list_with_a_failed_item() -> None:
    good = load("domestic_delivered.json")
    bad = {"statusCode": "404", "trackingNumber": "9400111899223197428490",
           "error": {"code": "404", "message": "Not found", "errors": [{"code": "160001"}]}}
    result = CARRIER.parse([good, bad])
    assert len(result.events) == len(good["trackingEvents"])
    assert [(e.tracking_number, e.message, e.code) for e in result.errors] == [
        ("9400111899223197428490", "Not found", "160001")
    ]


def test_batch_list_with_a_malformed_item_keeps_the_other_numbers() -> None:
    good = load("domestic_delivered.json")
    odd = {"trackingNumber": "9400111899223197428490", "trackingEvents": "not a list"}
    result = CARRIER.parse([good, odd, 7])
    assert len(result.events) == len(good["trackingEvents"])
    assert [e.tracking_number for e in result.errors] == ["9400111899223197428490", None]
    assert "trackingEvents must be a list" in result.errors[0].message
    assert "response[2] must be an object" in result.errors[1].message


def test_json_text_is_accepted() -> None:
    text = (FIXTURES / "domestic_delivered.json").read_text(encoding="utf-8")
    assert len(CARRIER.parse(text).events) == 10
    assert len(CARRIER.parse(text.encode()).events) == 10


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (None, "JSON object"),
        (42, "JSON object"),
        ("{not json", "not valid JSON"),
        ({}, "not a USPS Tracking API v3 response"),
        ({"trackingNumber": IMPB, "eventSummaries": ["Delivered"]}, "expand=DETAIL"),
        ({"trackingNumber": IMPB, "trackingEvents": {"a": 1}}, "must be a list"),
        ({"trackingNumber": IMPB, "trackingEvents": [1]}, "trackingEvents[0] must be an object"),
        ({"trackingNumber": "", "trackingEvents": []}, "no trackingNumber"),
        ([1], "response[0] must be an object"),
    ],
)
def test_bad_payloads_raise_parse_error(payload: Any, says: str) -> None:
    with pytest.raises(ParseError, match=None) as info:
        CARRIER.parse(payload)
    assert says in str(info.value)
    assert str(info.value).startswith("usps: ")


def test_an_event_field_of_the_wrong_type_costs_its_number_not_the_batch() -> None:
    good = {"trackingNumber": IMPB, "trackingEvents": [{"eventType": "Delivered", "eventCode": "01",
                                                         "eventTimestamp": "2025-01-01T10:00:00"}]}
    bad = {"trackingNumber": "9400111899223197428490", "trackingEvents": [{"eventType": ["x"]}]}
    result = CARRIER.parse([good, bad])
    assert [e.tracking_number for e in result.events] == [IMPB]
    [error] = result.errors
    assert error.tracking_number == "9400111899223197428490"
    assert "text must be text, not list" in error.message


# -- sniff ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"shipments": [{"id": "1234567890", "events": []}]},  # DHL unified tracking
        {"output": {"completeTrackResults": []}},  # FedEx track v1
        {"trackingNumber": "1Z999", "events": []},
        {"error": {"message": "x"}},  # no USPS apiVersion
        {"apiVersion": "/shipments/v3", "error": {"code": "429"}},  # another USPS API
        {"carrier": "usps", "tracking_number": IMPB, "timestamp": "2025-01-01T00:00:00",
         "description": "Delivered"},  # a flat record
        [],
        "text",
        None,
    ],
)
def test_sniff_rejects_other_shapes(payload: Any) -> None:
    assert CARRIER.sniff(payload) is False


def test_sniff_accepts_minimal_and_batch_shapes() -> None:
    assert CARRIER.sniff(isc_payload(IMPB))
    assert CARRIER.sniff({"trackingNumber": IMPB, "mailType": "DM", "trackingEvents": []})
    assert CARRIER.sniff([load("domestic_delivered.json"), load("error_no_status.json")])


def test_parse_does_not_mutate_the_payload() -> None:
    payload = load("inbound_international.json")
    before = copy.deepcopy(payload)
    CARRIER.parse(payload)
    assert payload == before


def test_unknown_country_name_is_not_taken_for_the_us() -> None:
    event = CARRIER.parse(one_event(eventTimestamp="2025-03-06T08:03:00", eventCity="PORT TOWN CA",
                                    eventState=None, eventCountry="ATLANTIS")).events[0]
    assert event.location.country is None
    assert event.location.region is None  # "CA" is no US state abroad
    assert event.time_is_local is True


def test_isc_label_in_event_city_with_event_state_is_still_an_isc_event() -> None:
    payload = {
        "trackingNumber": "CP202506149DE",
        "trackingEvents": [{
            "eventType": "Processed Through Facility", "eventCode": None,
            "eventTimestamp": "2025-06-16T06:37:00", "GMTOffset": "-04:00",
            "GMTTimestamp": "2025-06-16T10:37:31Z",
            "eventCity": "ISC NEW YORK NY(USPS)", "eventState": "NY", "eventCountry": None,
        }],
    }
    [event] = CARRIER.parse(payload).events
    assert event.stage is Stage.ARRIVED_DESTINATION_COUNTRY
    assert event.match is MatchKind.CONTEXT
    assert event.location.facility == "ISC NEW YORK NY(USPS)"
    assert (event.location.city, event.location.region, event.location.country) == (
        "NEW YORK", "NY", "US")
