"""The Unified API parser over every fixture: concrete stages, places, times and hand-offs."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tracklingo import Handoff, MatchKind, ParseError, Reason, Stage, TrackingEvent
from tracklingo.feeds import Record
from tracklingo.normalize import Normalizer, Reject
from tracklingo.places import split_locality
from tracklingo.plugins import Registry
from tracklingo_dhl import DHLCarrier

FIXTURES = Path(__file__).parent / "fixtures"
CARRIER = DHLCarrier()


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def parse(payload: Any) -> list[TrackingEvent]:
    result = CARRIER.parse(payload)
    assert result.errors == []
    return result.events


def offset(event: TrackingEvent) -> timedelta | None:
    assert event.occurred_at is not None
    return event.occurred_at.utcoffset()


# -- DHL Express import: customs hold, payment, release, delivery ---------------------------------


@pytest.fixture(scope="module")
def express_import() -> list[TrackingEvent]:
    return parse(load("express_import_clearance.json"))


def test_express_import_stages_oldest_first(express_import: list[TrackingEvent]) -> None:
    assert [e.stage for e in express_import] == [
        Stage.LABEL_CREATED,
        Stage.ACCEPTED,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IMPORT_CUSTOMS,  # Customs clearance status updated (pre-clearance)
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IMPORT_CUSTOMS,  # Processed for clearance at PARIS - FRANCE
        Stage.CUSTOMS_HOLD,  # Clearance event
        Stage.EXCEPTION,  # Shipment is on hold
        Stage.CUSTOMS_HOLD,  # On hold awaiting for payment
        Stage.IMPORT_CUSTOMS,  # Payment is received and recorded
        Stage.CUSTOMS_CLEARED,  # Clearance processing complete at PARIS - FRANCE
        Stage.IN_TRANSIT,  # processed at PARIS
        Stage.IN_TRANSIT,  # departed PARIS
        Stage.AT_DESTINATION_FACILITY,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERED,
    ]
    assert all(e.carrier == "dhl" and e.tracking_number == "7319048251" for e in express_import)
    assert not any(e.is_unmapped for e in express_import)
    assert all(e.code is None for e in express_import)  # Express via Unified: no statusCode here


def test_express_import_customs_cycle(express_import: list[TrackingEvent]) -> None:
    by_text = {e.description: e for e in express_import}
    hold = by_text["On hold awaiting for payment of shipment related fees"]
    assert hold.stage is Stage.CUSTOMS_HOLD
    assert hold.reason is Reason.CUSTOMS_PAYMENT_DUE
    assert hold.occurred_at == datetime.fromisoformat("2031-03-12T09:20:00+01:00")
    release = by_text["Clearance processing complete at PARIS - FRANCE"]
    assert release.match is MatchKind.PATTERN
    assert release.location.facility == "PARIS"
    assert release.location.city == "PARIS"
    assert release.location.country == "FR"
    assert release.occurred_at is not None and hold.occurred_at is not None
    assert release.occurred_at > hold.occurred_at
    event = by_text["Clearance event"]
    assert event.stage is Stage.CUSTOMS_HOLD
    assert event.raw["remark"] == "The shipment is pending completion of customs inspection."


def test_express_import_locations_and_offsets(express_import: list[TrackingEvent]) -> None:
    delivered = express_import[-1]
    assert (delivered.location.city, delivered.location.country) == ("LYON", "FR")
    assert offset(delivered) == timedelta(hours=1)
    hong_kong = express_import[4]
    assert hong_kong.description.startswith("Shipment has departed from a DHL facility HONG KONG")
    assert (hong_kong.location.city, hong_kong.location.country) == ("HONG KONG", "HK")
    assert offset(hong_kong) == timedelta(hours=8)  # the offset DHL gave, per event location
    shenzhen = express_import[1]
    assert (shenzhen.location.city, shenzhen.location.country) == ("SHENZHEN", "CN")
    assert all(not e.time_is_local for e in express_import)


def test_express_raw_is_the_carrier_event() -> None:
    payload = load("express_import_clearance.json")
    events = parse(payload)
    assert events[-1].raw is payload["shipments"][0]["events"][0]  # DHL lists newest first
    assert events[-1].raw["pieceIds"] == ["JD014600007319048251", "JD014600007319048252"]


# -- DHL eCommerce handed to USPS ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ecommerce() -> list[TrackingEvent]:
    return parse(load("ecommerce_to_usps.json"))


def test_ecommerce_stages(ecommerce: list[TrackingEvent]) -> None:
    assert [e.stage for e in ecommerce] == [
        Stage.LABEL_CREATED,
        Stage.LABEL_CREATED,
        Stage.LABEL_CREATED,
        Stage.ACCEPTED,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.HANDED_TO_LAST_MILE,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.AT_DESTINATION_FACILITY,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERED,
    ]
    assert not any(e.is_unmapped for e in ecommerce)
    # the coarse statusCode is the event's code, the text decided the stage
    assert [e.code for e in ecommerce][-2:] == ["transit", "delivered"]
    assert all(e.match is MatchKind.PHRASE for e in ecommerce)


def test_ecommerce_handoff_to_usps(ecommerce: list[TrackingEvent]) -> None:
    tendered = [e for e in ecommerce if e.handoff is not None]
    assert len(tendered) == 1
    event = tendered[0]
    assert event.description == "TENDERED TO DELIVERY SERVICE PROVIDER"
    assert event.stage is Stage.HANDED_TO_LAST_MILE
    assert event.handoff == Handoff(carrier="usps", tracking_number="9361210912400005577888")


def test_ecommerce_label_created_with_status_code_unknown(ecommerce: list[TrackingEvent]) -> None:
    label = ecommerce[0]
    assert label.description == "LABEL CREATED"
    assert label.code == "unknown"
    assert label.stage is Stage.LABEL_CREATED
    assert label.location.is_empty()


def test_ecommerce_locations_and_times(ecommerce: list[TrackingEvent]) -> None:
    delivered = ecommerce[-1]
    loc = delivered.location
    assert (loc.city, loc.region, loc.postal_code, loc.country) == ("Denver", "CO", "80205", "US")
    # Colorado lies in one zone: the naive local time is resolved (MDT in May)
    assert delivered.occurred_at == datetime.fromisoformat("2031-05-08T14:20:00-06:00")
    assert not delivered.time_is_local
    hebron = ecommerce[5]
    assert (hebron.location.city, hebron.location.region) == ("Hebron", "KY")
    # Kentucky spans two zones: kept local, never shifted, and the note says why
    assert hebron.time_is_local
    assert hebron.occurred_at == datetime(2031, 5, 4, 14, 27, 32)
    assert hebron.time_note is not None and "KY" in hebron.time_note
    # pre-transit events have no place at all: kept local
    assert ecommerce[0].time_is_local and ecommerce[0].occurred_at is not None


def ecommerce_variant(**details: Any) -> dict[str, Any]:
    payload: dict[str, Any] = copy.deepcopy(load("ecommerce_to_usps.json"))
    payload["shipments"][0]["details"].update(details)
    return payload


def tendered(payload: Any) -> TrackingEvent:
    (event,) = [
        e for e in parse(payload) if e.description == "TENDERED TO DELIVERY SERVICE PROVIDER"
    ]
    return event


def test_ecommerce_handoff_routing_prefix_removed() -> None:
    payload = ecommerce_variant(
        references=[
            {"number": "420802059361210912400005577888", "type": "local-tracking-number"}
        ]
    )
    assert tendered(payload).handoff == Handoff(
        carrier="usps", tracking_number="9361210912400005577888"
    )


def test_ecommerce_handoff_without_number_names_usps_only() -> None:
    payload = ecommerce_variant(references=[{"number": "ORDER-1", "type": "customer-reference"}])
    assert tendered(payload).handoff == Handoff(carrier="usps", tracking_number=None)


def test_ecommerce_handoff_partner_from_provider() -> None:
    payload = ecommerce_variant(
        provider={"destinationProvider": "anpost"},
        references=[{"number": "CE123456785IE", "type": "local-tracking-number"}],
    )
    assert tendered(payload).handoff == Handoff(carrier="anpost", tracking_number="CE123456785IE")


def test_no_handoff_invented_when_partner_unknown() -> None:
    payload = ecommerce_variant(references=[])
    payload["shipments"][0]["destination"]["address"]["countryCode"] = "CA"
    assert tendered(payload).handoff is None


# -- DHL Paket (parcel-de), German --------------------------------------------------------------


@pytest.fixture(scope="module")
def parcel_de() -> list[TrackingEvent]:
    return parse(load("parcel_de_delivered.json"))


def test_parcel_de_stages(parcel_de: list[TrackingEvent]) -> None:
    assert [e.stage for e in parcel_de] == [
        Stage.LABEL_CREATED,
        Stage.ACCEPTED,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERED,
    ]
    assert all(e.tracking_number == "00340434123456789012" for e in parcel_de)


def test_parcel_de_codes(parcel_de: list[TrackingEvent]) -> None:
    loaded = parcel_de[5]
    assert loaded.description.startswith("Die Sendung wurde in das Zustellfahrzeug geladen.")
    assert (loaded.code, loaded.match) == ("PO", MatchKind.CODE)  # code+phrase rule
    packstation = parcel_de[1]
    assert (packstation.code, packstation.stage) == ("ES", Stage.ACCEPTED)
    # the German text decided; the event keeps its most specific key (statusDetailed) as its
    # code, not the coarse statusCode "delivered"
    assert (parcel_de[-1].code, parcel_de[-1].match) == ("DLVRD_OTHER_ZU", MatchKind.PHRASE)


def test_parcel_de_place_and_time(parcel_de: list[TrackingEvent]) -> None:
    delivered = parcel_de[-1]
    assert delivered.location.country == "DE" and delivered.location.city is None
    assert delivered.occurred_at == datetime.fromisoformat("2031-03-31T11:47:00+02:00")
    winter = parcel_de[3]
    assert offset(winter) == timedelta(hours=1)  # before the DST change: the offset DHL gave


def parcel_event(**fields: Any) -> dict[str, Any]:
    event = {"timestamp": "2031-03-31T11:47:00+02:00", "statusCode": "transit"}
    event.update(fields)
    return {"shipments": [{"id": "00340434123456789012", "service": "parcel-de",
                           "events": [event]}]}


def test_parcel_de_bare_legacy_code_when_text_unknown() -> None:
    (event,) = parse(parcel_event(status="ZU", statusDetailed="DLVRD_OTHER_ZU",
                                  statusCode="delivered",
                                  description="Ihre Sendung ist angekommen (neuer Text)."))
    assert (event.stage, event.code, event.match) == (Stage.DELIVERED, "ZU", MatchKind.CODE)


def test_parcel_de_status_detailed_code() -> None:
    (event,) = parse(parcel_event(status="PO", statusDetailed="SRTED_NRQRD_PO",
                                  description="Neuer Text"))
    assert (event.stage, event.code) == (Stage.OUT_FOR_DELIVERY, "SRTED_NRQRD_PO")


def test_parcel_de_unknown_text_and_colliding_code_fall_back_to_status_code() -> None:
    # PO is also an Express code: without its German text it must not decide
    (event,) = parse(parcel_event(status="PO", description="Neuer Text"))
    assert (event.stage, event.code, event.match) == (
        Stage.IN_TRANSIT, "transit", MatchKind.FALLBACK)


# -- DHL Express returned to shipper ------------------------------------------------------------


@pytest.fixture(scope="module")
def returned() -> list[TrackingEvent]:
    return parse(load("express_returned.json"))


def test_express_returned_stages(returned: list[TrackingEvent]) -> None:
    assert [e.stage for e in returned] == [
        Stage.ACCEPTED,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IMPORT_CUSTOMS,
        Stage.IN_TRANSIT,
        Stage.CUSTOMS_CLEARED,
        Stage.IN_TRANSIT,
        Stage.AT_DESTINATION_FACILITY,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERY_ATTEMPTED,
        Stage.EXCEPTION,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERY_ATTEMPTED,
        Stage.RETURN_TO_SENDER,
    ]
    # statusCode failure is the code, but the finer texts decided
    assert returned[-1].code == "failure" and returned[-1].match is MatchKind.PHRASE
    assert returned[12].reason is Reason.ADDRESS_PROBLEM
    assert returned[11].reason is Reason.RECIPIENT_UNAVAILABLE


def test_express_returned_naive_times(returned: list[TrackingEvent]) -> None:
    freiburg = returned[-1]
    assert (freiburg.location.city, freiburg.location.country) == ("FREIBURG", "DE")
    # naive time, Germany has one zone: resolved to CEST, the wall-clock time unchanged
    assert freiburg.occurred_at == datetime.fromisoformat("2031-06-20T15:34:00+02:00")
    assert not freiburg.time_is_local
    cincinnati = returned[4]
    assert cincinnati.location.country == "US" and cincinnati.location.city == "CINCINNATI HUB"
    assert cincinnati.location.facility == "CINCINNATI HUB"
    # the USA spans zones: kept as the local wall-clock time, flagged
    assert cincinnati.time_is_local
    assert cincinnati.occurred_at == datetime(2031, 6, 16, 14, 5)


# -- fallback and unmapped ----------------------------------------------------------------------


def express_event(**fields: Any) -> dict[str, Any]:
    event = {"timestamp": "2031-03-14T11:42:00+01:00",
             "location": {"address": {"addressLocality": "LYON - FRANCE"}}}
    event.update(fields)
    return {"shipments": [{"id": "7319048251", "service": "express", "events": [event]}]}


def test_status_code_is_only_a_fallback() -> None:
    (event,) = parse(express_event(statusCode="failure", description="A text DHL invents later"))
    assert (event.stage, event.match, event.code) == (Stage.EXCEPTION, MatchKind.FALLBACK,
                                                       "failure")
    assert event.description == "A text DHL invents later"


def test_unknown_text_without_status_code_is_unmapped_and_kept() -> None:
    (event,) = parse(express_event(description="Something new"))
    assert (event.stage, event.match) == (Stage.UNKNOWN, MatchKind.UNMAPPED)
    assert event.description == "Something new"


def test_status_code_unknown_is_never_a_stage() -> None:
    (event,) = parse(express_event(statusCode="unknown", status="NEW THING"))
    assert event.stage is Stage.UNKNOWN and event.code == "unknown"


def test_code_like_status_is_not_text() -> None:
    (event,) = parse(express_event(status="101", description="Delivered"))
    assert event.stage is Stage.DELIVERED and event.description == "Delivered"


def test_status_text_used_when_description_unknown() -> None:
    (event,) = parse(express_event(status="Shipment picked up", description="Abholung"))
    assert (event.stage, event.description) == (Stage.ACCEPTED, "Shipment picked up")


# -- shapes and edge cases ----------------------------------------------------------------------


def test_status_only_when_no_events() -> None:
    payload = load("express_import_clearance.json")
    del payload["shipments"][0]["events"]
    (event,) = parse(payload)
    assert event.stage is Stage.DELIVERED and event.location.city == "LYON"


def test_nanosecond_fraction_and_offset_kept() -> None:
    (event,) = parse(express_event(timestamp="2023-01-05T15:27:20.331986369+01:00",
                                   description="Delivered"))
    assert event.occurred_at == datetime.fromisoformat("2023-01-05T15:27:20.331986+01:00")


def test_bad_timestamp_keeps_the_event_with_a_note() -> None:
    result = CARRIER.parse(express_event(timestamp="14.03.2031 11:42", description="Delivered"))
    (event,) = result.events
    assert event.occurred_at is None and event.stage is Stage.DELIVERED
    assert event.time_note is not None and "14.03.2031 11:42" in event.time_note


def test_malformed_entries_become_number_errors() -> None:
    payload = {"shipments": [7, {"service": "express"},
                             {"id": "7319048251", "events": ["x", {"description": "Delivered"}]}]}
    result = CARRIER.parse(payload)
    assert [e.stage for e in result.events] == [Stage.DELIVERED]
    assert [(e.tracking_number, "events[0]" in e.message or "shipments" in e.message)
            for e in result.errors] == [(None, True), (None, True), ("7319048251", True)]


@pytest.mark.parametrize(
    "payload",
    [None, [], "shipments", 42, {"foo": "bar"}, {"shipments": "nope"}, {"shipments": {"id": 1}}],
)
def test_not_a_unified_response_raises_parse_error(payload: Any) -> None:
    with pytest.raises(ParseError) as info:
        CARRIER.parse(payload)
    assert info.value.carrier == "dhl"


@pytest.mark.parametrize(
    ("locality", "expected"),
    [
        ("LYON - FRANCE", {"city": "LYON", "country": "FR"}),
        ("MANILA - PHILIPPINES, THE", {"city": "MANILA", "country": "PH"}),
        ("HONG KONG - HONG KONG SAR, CHINA", {"city": "HONG KONG", "country": "HK"}),
        ("MILAN - MALPENSA - ITALY", {"city": "MILAN - MALPENSA", "country": "IT"}),
        ("LEIPZIG-GERMANY", {"city": "LEIPZIG", "country": "DE"}),
        ("CINCINNATI HUB - USA", {"city": "CINCINNATI HUB", "country": "US"}),
        ("Atlanta, GA, US", {"city": "Atlanta", "region": "GA", "country": "US"}),
        ("Deutschland", {"country": "DE"}),
        ("Germany", {"country": "DE"}),
        ("WINSTON-SALEM", {"city": "WINSTON-SALEM"}),
        ("GA", {"city": "GA"}),
    ],
)
def test_split_locality(locality: str, expected: dict[str, str]) -> None:
    assert split_locality(locality) == expected


# -- error bodies -------------------------------------------------------------------------------


def test_error_body_is_a_number_error_with_dhls_words() -> None:
    result = CARRIER.parse(load("error_404.json"))
    assert result.events == []
    (error,) = result.errors
    assert error.tracking_number == "7319048250"
    assert error.code == "404"
    assert "No result found" in error.message
    assert "No shipment with given tracking number found." in error.message


def test_rate_limit_body_without_instance() -> None:
    body = {"status": 429, "title": "Too Many Requests",
            "detail": "Too many requests within defined time period, please try again later."}
    (error,) = CARRIER.parse(body).errors
    assert error.tracking_number is None and error.code == "429"
    assert "Too many requests within defined time period" in error.message


def test_normalizer_turns_error_body_into_a_reject() -> None:
    registry = Registry()
    registry.register(CARRIER, plugin="dhl", distribution=None, version=None)
    normalizer = Normalizer(registry)
    events, rejects = normalizer.process(
        Record(3, {"carrier": "dhl", "payload": load("error_404.json")}))
    assert events == []
    (reject,) = rejects
    assert isinstance(reject, Reject) and reject.line == 3
    assert "No shipment with given tracking number found." in reject.reason
    assert reject.tracking_number == "7319048250"
    assert normalizer.stats.records_rejected == 1


# -- sniff --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["express_import_clearance.json", "ecommerce_to_usps.json", "parcel_de_delivered.json",
     "express_returned.json", "error_404.json"],
)
def test_sniff_recognises_fixtures(name: str) -> None:
    assert CARRIER.sniff(load(name)) is True


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"shipments": []},
        {"shipments": [{"id": "1", "service": "not-a-dhl-service", "events": []}]},
        {"trackingNumber": "9400111899223197428497", "trackingEvents": []},  # USPS v3 shape
        {"transactionId": "x", "output": {"completeTrackResults": []}},  # FedEx shape
        {"title": "Not Found", "status": 404, "detail": "nothing here"},  # generic problem body
        {"title": "x", "status": 404, "instance": "/other/thing"},
    ],
)
def test_sniff_rejects_others(payload: Any) -> None:
    assert CARRIER.sniff(payload) is False


def test_express_us_locality_keeps_the_state_for_the_time_zone() -> None:
    from tracklingo.places import split_locality

    assert split_locality("WILMINGTON, OH - USA") == {
        "city": "WILMINGTON",
        "region": "OH",
        "country": "US",
    }
    assert split_locality("CINCINNATI HUB - USA") == {"city": "CINCINNATI HUB", "country": "US"}
    assert split_locality("MANILA, METRO - PHILIPPINES, THE") == {
        "city": "MANILA, METRO",
        "country": "PH",
    }
