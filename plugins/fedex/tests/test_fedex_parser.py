"""The Track API v1 parser over every fixture, plus duplicates, fallbacks, errors and flat records."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import tracklingo
from tracklingo import Handoff, MatchKind, ParseError, Reason, Stage, TrackingEvent
from tracklingo.feeds import Record
from tracklingo_fedex import FedExCarrier

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fedex() -> FedExCarrier:
    return FedExCarrier()


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def row(e: TrackingEvent) -> tuple[Any, ...]:
    return (e.code, e.stage, e.reason, e.location.city, e.location.region, e.location.country)


def by_code(events: list[TrackingEvent], code: str) -> list[TrackingEvent]:
    return [e for e in events if e.code == code]


# -- international import with a clearance delay then release -------------------------------------


def test_import_through_customs(fedex: FedExCarrier) -> None:
    result = fedex.parse(load("international_import_clearance.json"))
    assert result.errors == []
    events = result.events
    assert {e.tracking_number for e in events} == {"772845193061"}
    assert {e.carrier for e in events} == {"fedex"}
    # oldest first, whatever order FedEx sent
    assert [row(e) for e in events] == [
        ("OC", Stage.LABEL_CREATED, None, None, None, "GB"),
        ("PU", Stage.ACCEPTED, None, "LEEDS", None, "GB"),
        ("AR", Stage.IN_TRANSIT, None, "STANSTED", None, "GB"),
        ("CC", Stage.EXPORT_CUSTOMS, None, "STANSTED", None, "GB"),
        ("DP", Stage.IN_TRANSIT, None, "STANSTED", None, "GB"),
        ("AR", Stage.IN_TRANSIT, None, "ROISSY CHARLES DE GAULLE CEDEX", None, "FR"),
        ("DP", Stage.IN_TRANSIT, None, "ROISSY CHARLES DE GAULLE CEDEX", None, "FR"),
        ("AR", Stage.IN_TRANSIT, None, "MEMPHIS", "TN", "US"),
        ("IT", Stage.IMPORT_CUSTOMS, None, "MEMPHIS", "TN", "US"),
        ("CD", Stage.CUSTOMS_HOLD, Reason.CUSTOMS_INSPECTION, "MEMPHIS", "TN", "US"),
        ("CC", Stage.CUSTOMS_CLEARED, None, "MEMPHIS", "TN", "US"),
        ("DP", Stage.IN_TRANSIT, None, "MEMPHIS", "TN", "US"),
        ("AR", Stage.AT_DESTINATION_FACILITY, None, "DENVER", "CO", "US"),
        ("OD", Stage.OUT_FOR_DELIVERY, None, "DENVER", "CO", "US"),
        ("DL", Stage.DELIVERED, None, "DENVER", "CO", "US"),
    ]
    assert not any(e.is_unmapped for e in events)


def test_import_keeps_each_scan_offset(fedex: FedExCarrier) -> None:
    events = fedex.parse(load("international_import_clearance.json")).events
    offsets = {e.occurred_at.utcoffset() for e in events if e.occurred_at}
    assert offsets == {timedelta(0), timedelta(hours=1), timedelta(hours=-5), timedelta(hours=-6)}
    cleared = by_code(events, "CC")[1]
    assert cleared.occurred_at == datetime(2025, 3, 13, 21, 15, tzinfo=tz(-5))
    assert not any(e.time_is_local for e in events)
    delivered = events[-1]
    assert delivered.occurred_at == datetime(2025, 3, 14, 13, 42, tzinfo=tz(-6))
    assert delivered.location.postal_code == "80202"
    # events are in time order
    instants = [e.occurred_at for e in events]
    assert instants == sorted(instants)  # type: ignore[type-var]


def test_customs_scans_in_detail(fedex: FedExCarrier) -> None:
    events = fedex.parse(load("international_import_clearance.json")).events
    (available,) = by_code(events, "IT")
    # IT is generic; its exceptionDescription "Package available for clearance" refines it
    assert available.stage is Stage.IMPORT_CUSTOMS
    assert available.match is MatchKind.PHRASE
    assert available.description == "In transit"  # the carrier's text, untouched
    assert available.raw["exceptionCode"] == "A25"
    (hold,) = by_code(events, "CD")
    assert hold.status is tracklingo.Status.EXCEPTION
    assert hold.description == "Clearance delay - Import"
    assert hold.raw["exceptionDescription"] == "Goods are subject to regulatory review."
    export, release = by_code(events, "CC")
    assert export.description.endswith("Export") and export.stage is Stage.EXPORT_CUSTOMS
    assert release.description.endswith("Import") and release.stage is Stage.CUSTOMS_CLEARED
    assert release.match is MatchKind.CODE


def test_raw_is_the_carrier_scan(fedex: FedExCarrier) -> None:
    payload = load("international_import_clearance.json")
    events = fedex.parse(payload).events
    scans = payload["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"]
    assert [e.raw for e in events] == list(reversed(scans))


# -- domestic delivery with an exception and a re-attempt -------------------------------------------


def test_domestic_exception_and_reattempt(fedex: FedExCarrier) -> None:
    result = fedex.parse(load("domestic_exception_reattempt.json"))
    assert result.errors == []
    events = result.events
    stages = [e.stage for e in events]
    assert stages == [
        Stage.ACCEPTED,  # the midnight PU sorts before the OC (FedEx dates it at 00:00)
        Stage.LABEL_CREATED,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,  # AO "Shipment arriving On-Time": an ETA notice
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.AT_DESTINATION_FACILITY,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERY_ATTEMPTED,
        Stage.AT_DESTINATION_FACILITY,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERED,
    ]
    (attempt,) = by_code(events, "DE")
    assert attempt.reason is Reason.RECIPIENT_UNAVAILABLE
    assert attempt.status is tracklingo.Status.DELIVERY_ATTEMPTED
    assert attempt.occurred_at == datetime(2025, 6, 6, 14, 37, 22, tzinfo=tz(-7))
    assert (attempt.location.city, attempt.location.postal_code) == ("RANCHO CORDOVA", "95742")
    assert len(by_code(events, "OD")) == 2  # out for delivery twice: the re-attempt
    assert events[-1].location.city == "FOLSOM"


def test_midnight_pickup_without_offset(fedex: FedExCarrier) -> None:
    events = fedex.parse(load("domestic_exception_reattempt.json")).events
    (pickup,) = by_code(events, "PU")
    # no offset in the payload: Ohio lies in one zone, so the offset is certain (EDT in June)
    assert pickup.occurred_at == datetime(2025, 6, 2, 0, 0, tzinfo=tz(-4))
    assert pickup.time_is_local is False
    assert pickup.time_note is not None
    assert "date only" in pickup.time_note and "no UTC offset" in pickup.time_note
    # the other scans carry no note
    assert all(e.time_note is None for e in events if e.code != "PU")


# -- several numbers, one not found --------------------------------------------------------------------


def test_multi_number_with_one_not_found(fedex: FedExCarrier) -> None:
    result = fedex.parse(load("multi_number_one_not_found.json"))
    assert {e.tracking_number for e in result.events} == {"552100348719263"}
    assert [e.stage for e in result.events] == [
        Stage.LABEL_CREATED,
        Stage.ACCEPTED,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
        Stage.IN_TRANSIT,
    ]
    assert result.events[-1].description == "On the way"
    (error,) = result.errors
    assert error.tracking_number == "392740618526"
    assert error.code == "TRACKING.TRACKINGNUMBER.NOTFOUND"
    assert error.message.startswith("Tracking number cannot be found.")


def test_normalizer_rejects_only_the_missing_number(fedex: FedExCarrier) -> None:
    registry = tracklingo.load_carriers(strict=True)
    normalizer = tracklingo.Normalizer(registry)
    payload = load("multi_number_one_not_found.json")
    events, rejects = normalizer.process(Record(1, payload))
    assert len(events) == 5
    (reject,) = rejects
    assert reject.tracking_number == "392740618526"
    assert "Tracking number cannot be found" in reject.reason
    assert "TRACKING.TRACKINGNUMBER.NOTFOUND" in reject.reason
    stats = normalizer.stats
    assert (stats.records_in, stats.records_ok, stats.number_errors) == (1, 1, 1)


# -- Ground Economy: the USPS leg ----------------------------------------------------------------------


def test_ground_economy_handoff_to_usps(fedex: FedExCarrier) -> None:
    result = fedex.parse(load("ground_economy_usps.json"))
    assert result.errors == []
    events = result.events
    handed = [e for e in events if e.stage is Stage.HANDED_TO_LAST_MILE]
    assert [e.code for e in handed] == ["OX", "AX"]
    usps = Handoff(carrier="usps", tracking_number="9261291234056789123453")
    assert all(e.handoff == usps for e in handed)
    assert all(e.handoff is None for e in events if e not in handed)
    assert [e.stage for e in events[-2:]] == [Stage.OUT_FOR_DELIVERY, Stage.DELIVERED]
    # "In transit to U.S. Postal Service": FedEx still has it
    it_to_usps = [e for e in events if e.raw.get("exceptionDescription", "").startswith("In tr")]
    assert [e.stage for e in it_to_usps] == [Stage.IN_TRANSIT]


def test_ground_economy_without_usps_number_names_usps_only(fedex: FedExCarrier) -> None:
    payload = load("ground_economy_usps.json")
    result = payload["output"]["completeTrackResults"][0]["trackResults"][0]
    result["additionalTrackingInfo"]["packageIdentifiers"] = [
        p for p in result["additionalTrackingInfo"]["packageIdentifiers"]
        if p["type"] != "PARTNER_CARRIER_NUMBER"
    ]
    handed = [e for e in fedex.parse(payload).events if e.handoff is not None]
    assert [e.code for e in handed] == ["OX", "AX"]
    assert {e.handoff for e in handed} == {Handoff(carrier="usps")}  # no number invented


def test_partner_number_spec_spelling_value(fedex: FedExCarrier) -> None:
    payload = load("ground_economy_usps.json")
    result = payload["output"]["completeTrackResults"][0]["trackResults"][0]
    result["additionalTrackingInfo"]["packageIdentifiers"] = [
        {"type": "PARTNER_CARRIER_NUMBER", "value": "9261 2912 3405 6789 1234 53"}
    ]
    handed = [e for e in fedex.parse(payload).events if e.handoff is not None]
    assert {e.handoff.tracking_number for e in handed if e.handoff} == {"9261291234056789123453"}


def test_no_usps_handoff_for_express_services(fedex: FedExCarrier) -> None:
    payload = load("international_import_clearance.json")
    result = payload["output"]["completeTrackResults"][0]["trackResults"][0]
    result["additionalTrackingInfo"]["packageIdentifiers"].append(
        {"type": "PARTNER_CARRIER_NUMBER", "values": ["9261291234056789123453"]}
    )
    assert all(e.handoff is None for e in fedex.parse(payload).events)


# -- whole-request errors, alerts, odd shapes --------------------------------------------------------------


def test_whole_request_error_body(fedex: FedExCarrier) -> None:
    payload = load("error_401.json")
    assert fedex.sniff(payload)
    result = fedex.parse(payload)
    assert result.events == []
    (error,) = result.errors
    assert error.tracking_number is None
    assert error.code == "NOT.AUTHORIZED.ERROR"
    assert error.message == "Access token expired. Please modify your request and try again."


def test_normalizer_turns_error_body_into_a_reject_with_fedex_text() -> None:
    normalizer = tracklingo.Normalizer(tracklingo.load_carriers(strict=True))
    events, rejects = normalizer.process(Record(7, load("error_401.json")))
    assert events == []
    (reject,) = rejects
    assert reject.line == 7
    assert "Access token expired" in reject.reason and "NOT.AUTHORIZED.ERROR" in reject.reason


def test_alerts_as_a_plain_string(fedex: FedExCarrier) -> None:
    payload = {
        "transactionId": "x",
        "output": {
            "alerts": "TRACKING.DATA.NOTFOUND -  Tracking data unavailable",
            "completeTrackResults": [],
        },
    }
    (error,) = fedex.parse(payload).errors
    assert error.message == "TRACKING.DATA.NOTFOUND - Tracking data unavailable"


def test_alerts_as_objects_ignore_the_sandbox_marker(fedex: FedExCarrier) -> None:
    payload = {
        "output": {
            "alerts": [
                {"code": "VIRTUAL.RESPONSE", "message": "This is a Virtual Response."},
                {"code": "SOME.WARNING", "alertType": "WARNING", "message": "Try later"},
            ],
            "completeTrackResults": [],
        }
    }
    (error,) = fedex.parse(payload).errors
    assert (error.code, error.message) == ("SOME.WARNING", "Try later")


def test_alerts_are_ignored_when_there_are_events(fedex: FedExCarrier) -> None:
    payload = load("multi_number_one_not_found.json")
    payload["output"]["alerts"] = [{"code": "VIRTUAL.RESPONSE", "message": "virtual"}]
    assert len(fedex.parse(payload).errors) == 1


@pytest.mark.parametrize(
    "payload",
    [None, [], "text", 3, {}, {"output": []}, {"output": {}}, {"output": {"alerts": []}},
     {"errors": "nope"}, {"output": {"completeTrackResults": {"a": 1}}}],
)
def test_not_a_track_reply_is_a_parse_error(fedex: FedExCarrier, payload: Any) -> None:
    with pytest.raises(ParseError) as info:
        fedex.parse(payload)
    assert str(info.value).startswith("fedex: ")


def test_malformed_entries_do_not_stop_the_others(fedex: FedExCarrier) -> None:
    payload = load("multi_number_one_not_found.json")
    results = payload["output"]["completeTrackResults"]
    results.insert(0, "garbage")
    results.append({"trackResults": []})
    results[1]["trackResults"][0]["scanEvents"].insert(0, ["not", "a", "scan"])
    result = fedex.parse(payload)
    assert len(result.events) == 5
    assert [e.tracking_number for e in result.errors] == [None, "392740618526", None]


def test_unreadable_date_keeps_the_event_undated(fedex: FedExCarrier) -> None:
    payload = load("multi_number_one_not_found.json")
    scans = payload["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"]
    scans[0]["date"] = "yesterday-ish"
    events = fedex.parse(payload).events
    undated = [e for e in events if e.occurred_at is None]
    assert [e.code for e in undated] == ["IT"]
    assert events[-1] is undated[0]  # undated events sort last
    assert undated[0].time_note and "yesterday-ish" in undated[0].time_note


def test_naive_time_outside_a_single_zone_stays_local(fedex: FedExCarrier) -> None:
    payload = load("multi_number_one_not_found.json")
    scan = payload["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"][0]
    scan["date"] = "2025-05-03T04:18:00"
    scan["scanLocation"] = {"city": "EL PASO", "stateOrProvinceCode": "TX", "countryCode": "US"}
    (event,) = [e for e in fedex.parse(payload).events if e.code == "IT"]
    assert event.occurred_at == datetime(2025, 5, 3, 4, 18)
    assert event.time_is_local is True
    assert event.time_note and "TX" in event.time_note


def test_country_name_when_the_code_is_missing(fedex: FedExCarrier) -> None:
    payload = load("international_import_clearance.json")
    scans = payload["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"]
    # "United States" is the countryName captured replies carry (HEIM)
    scans[0]["scanLocation"] = {"city": "DENVER", "countryName": "United States"}
    assert fedex.parse(payload).events[-1].location.country == "US"


def test_no_scans_falls_back_to_the_latest_status(fedex: FedExCarrier) -> None:
    payload = load("international_import_clearance.json")
    result = payload["output"]["completeTrackResults"][0]["trackResults"][0]
    del result["scanEvents"]
    (event,) = fedex.parse(payload).events
    assert (event.code, event.stage, event.occurred_at) == ("DL", Stage.DELIVERED, None)
    assert event.location.city == "DENVER"
    assert event.time_note and "latest status" in event.time_note


def test_nothing_to_show_is_a_number_error(fedex: FedExCarrier) -> None:
    payload = {"output": {"completeTrackResults": [
        {"trackingNumber": "701234567893", "trackResults": [{"scanEvents": []}]}
    ]}}
    result = fedex.parse(payload)
    assert result.events == []
    assert [(e.tracking_number, e.message) for e in result.errors] == [
        ("701234567893", "FedEx returned no scan events for this number")
    ]


# -- duplicates: one number, several trackResults ------------------------------------------------------


def _duplicate_payload() -> dict[str, Any]:
    """The delivered import plus a stale label-only record under the same number (PMY-FIX)."""
    payload: dict[str, Any] = load("international_import_clearance.json")
    entry = payload["output"]["completeTrackResults"][0]
    real = entry["trackResults"][0]
    stale = copy.deepcopy(real)
    stale["trackingNumberInfo"]["trackingNumberUniqueId"] = "2459999000~772845193061~FX"
    stale["shipmentDetails"] = {"possessionStatus": False}
    stale["scanEvents"] = [
        {
            "date": "2025-04-02T10:00:00-05:00",
            "eventType": "OC",
            "eventDescription": "Shipment information sent to FedEx",
            "scanLocation": {"postalCode": "38118", "countryCode": "US"},
            "derivedStatusCode": "IN",
        }
    ]
    entry["trackResults"] = [stale, real]
    return payload


def test_duplicate_number_drops_the_stale_label_only_record(fedex: FedExCarrier) -> None:
    events = fedex.parse(_duplicate_payload()).events
    assert len(events) == 15
    assert events[-1].stage is Stage.DELIVERED
    assert not any(e.occurred_at and e.occurred_at.month == 4 for e in events)


def test_duplicate_judged_by_scans_not_possession(fedex: FedExCarrier) -> None:
    """A delivered parcel is no longer in FedEx's possession either: scans decide."""
    payload = _duplicate_payload()
    payload["output"]["completeTrackResults"][0]["trackResults"][1]["shipmentDetails"] = {
        "possessionStatus": False
    }
    events = fedex.parse(payload).events
    assert len(events) == 15 and events[-1].stage is Stage.DELIVERED


def test_duplicate_number_keeps_the_latest_moving_record(fedex: FedExCarrier) -> None:
    payload = _duplicate_payload()
    stale, real = payload["output"]["completeTrackResults"][0]["trackResults"]
    newer = copy.deepcopy(real)
    newer["scanEvents"] = [
        {**scan, "date": scan["date"].replace("2025-03", "2025-08")} for scan in real["scanEvents"]
    ]
    payload["output"]["completeTrackResults"][0]["trackResults"] = [real, stale, newer]
    events = fedex.parse(payload).events
    assert len(events) == 15
    assert {e.occurred_at.month for e in events if e.occurred_at} == {8}


def test_duplicate_number_all_label_only_keeps_the_latest(fedex: FedExCarrier) -> None:
    payload = _duplicate_payload()
    stale = payload["output"]["completeTrackResults"][0]["trackResults"][0]
    older = copy.deepcopy(stale)
    older["scanEvents"][0]["date"] = "2024-01-02T10:00:00-06:00"
    payload["output"]["completeTrackResults"][0]["trackResults"] = [stale, older]
    (event,) = fedex.parse(payload).events
    assert event.occurred_at == datetime(2025, 4, 2, 10, tzinfo=tz(-5))


def test_duplicate_with_an_error_entry_uses_the_good_one(fedex: FedExCarrier) -> None:
    payload = load("multi_number_one_not_found.json")
    good, missing = payload["output"]["completeTrackResults"]
    good["trackResults"].append(missing["trackResults"][0])
    result = fedex.parse(payload)
    assert len(result.events) == 5
    assert len(result.errors) == 1


# -- mapping: derivedStatusCode fallback, reasons ------------------------------------------------------


def _one_scan(**scan: Any) -> dict[str, Any]:
    base = {
        "date": "2025-05-03T04:18:00-04:00",
        "scanLocation": {"city": "LOCKBOURNE", "stateOrProvinceCode": "OH", "countryCode": "US"},
    }
    return {"output": {"completeTrackResults": [{
        "trackingNumber": "552100348719263",
        "trackResults": [{"scanEvents": [{**base, **scan}]}],
    }]}}


@pytest.mark.parametrize(
    ("scan", "stage", "match"),
    [
        # an unknown eventType and text: the coarse derivedStatusCode decides, as a fallback
        ({"eventType": "ZZ", "eventDescription": "Novel scan", "derivedStatusCode": "DL"},
         Stage.DELIVERED, MatchKind.FALLBACK),
        ({"eventType": "ZZ", "eventDescription": "Novel scan", "derivedStatusCode": "IT"},
         Stage.IN_TRANSIT, MatchKind.FALLBACK),
        ({"eventType": "ZZ", "eventDescription": "Novel scan", "derivedStatusCode": "RL"},
         Stage.DELAYED, MatchKind.FALLBACK),
        # derivedStatusCode IN is "Initiated"/"Label created" (its own namespace)
        ({"eventType": "ZZ", "derivedStatusCode": "IN"}, Stage.LABEL_CREATED, MatchKind.FALLBACK),
        # unknown derived code: the derivedStatus text
        ({"eventType": "ZZ", "derivedStatusCode": "QQ", "derivedStatus": "Clearance delay"},
         Stage.CUSTOMS_HOLD, MatchKind.FALLBACK),
        # the eventType always beats the coarse code: RS says DL there (HEIM capture)
        ({"eventType": "RS", "eventDescription": "Returning package to shipper",
          "derivedStatusCode": "DL"}, Stage.RETURN_TO_SENDER, MatchKind.CODE),
        # OD collapses to IT in derivedStatusCode; eventType keeps it out for delivery
        ({"eventType": "OD", "eventDescription": "On FedEx vehicle for delivery",
          "derivedStatusCode": "IT"}, Stage.OUT_FOR_DELIVERY, MatchKind.CODE),
        # a known text without a code
        ({"eventDescription": "Clearance delay - Import"}, Stage.CUSTOMS_HOLD, MatchKind.PHRASE),
        # IT + 67: a contractor's last mile
        ({"eventType": "IT", "eventDescription": "On the way", "exceptionCode": "67",
          "exceptionDescription": "A trusted third-party vendor is on the way with your package.",
          "derivedStatusCode": "IT"}, Stage.OUT_FOR_DELIVERY, MatchKind.PHRASE),
        # nothing known anywhere (no rule, and no word the open-world layers read)
        ({"eventType": "ZZ", "eventDescription": "Zorblax quux"}, Stage.UNKNOWN, MatchKind.UNMAPPED),
    ],
)
def test_mapping_precedence(
    fedex: FedExCarrier, scan: dict[str, Any], stage: Stage, match: MatchKind
) -> None:
    (event,) = fedex.parse(_one_scan(**scan)).events
    assert (event.stage, event.match) == (stage, match)
    assert event.code == scan.get("eventType")  # eventType, never derivedStatusCode
    assert event.description == scan.get("eventDescription", "")


def test_unmapped_scan_keeps_the_raw_text(fedex: FedExCarrier) -> None:
    (event,) = fedex.parse(_one_scan(eventType="ZZ", eventDescription="Zorblax quux")).events
    assert event.is_unmapped
    assert (event.code, event.description, event.raw["eventType"]) == ("ZZ", "Zorblax quux", "ZZ")


@pytest.mark.parametrize(
    ("code", "detail", "stage", "reason"),
    [
        ("007", "Customer not available or business closed",
         Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
        ("08", "Customer not available or business closed",
         Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
        ("03", "Incorrect address", Stage.EXCEPTION, Reason.ADDRESS_PROBLEM),
        ("07", "Delivery was refused by the recipient", Stage.EXCEPTION, Reason.REFUSED),
        ("083", "Local delivery restriction - Delivery not attempted", Stage.DELAYED, Reason.OTHER),
        ("", "Incorrect address", Stage.EXCEPTION, Reason.ADDRESS_PROBLEM),  # text only
        ("A47", "FedEx redirected your package to a nearby FedEx location",
         Stage.DELIVERY_ATTEMPTED, Reason.OTHER),  # a reason without a stage override
    ],
)
def test_delivery_exception_reasons(
    fedex: FedExCarrier, code: str, detail: str, stage: Stage, reason: Reason
) -> None:
    payload = _one_scan(
        eventType="DE",
        eventDescription="Delivery exception",
        exceptionCode=code,
        exceptionDescription=detail,
        derivedStatusCode="DE",
    )
    (event,) = fedex.parse(payload).events
    assert (event.stage, event.reason) == (stage, reason)
    assert event.status is stage.status


def test_exception_code_width_matters(fedex: FedExCarrier) -> None:
    """'007' and '07' are different codes: 07 alone (no text) is a refusal."""
    (event,) = fedex.parse(
        _one_scan(eventType="DE", eventDescription="Delivery exception", exceptionCode="07")
    ).events
    assert event.reason is Reason.REFUSED


def test_shipment_exception_weather_is_a_delay(fedex: FedExCarrier) -> None:
    (event,) = fedex.parse(_one_scan(
        eventType="SE",
        eventDescription="Shipment exception",
        exceptionDescription="Weather - Delay in transit",
    )).events
    assert (event.stage, event.reason) == (Stage.DELAYED, Reason.WEATHER)


def test_reason_on_an_unknown_scan(fedex: FedExCarrier) -> None:
    (event,) = fedex.parse(_one_scan(
        eventType="ZZ", eventDescription="Novel scan", exceptionCode="03",
    )).events
    assert (event.stage, event.reason, event.match) == (
        Stage.EXCEPTION, Reason.ADDRESS_PROBLEM, MatchKind.CODE
    )


# -- sniff ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_sniff_recognises_every_fixture(fedex: FedExCarrier, name: str) -> None:
    assert fedex.sniff(load(name))


@pytest.mark.parametrize(
    "payload",
    [
        None, [], "x", {}, {"output": {}},
        {"errors": [{"code": "NOT.AUTHORIZED.ERROR"}]},  # no transactionId
        {"transactionId": "1", "errors": [{"code": "invalid_client"}]},  # not FedEx's shape
        {"trackingNumber": "9400111899223197428497", "trackingEvents": []},  # USPS v3
        {"shipments": [{"id": "1234567890", "events": []}]},  # DHL unified
    ],
)
def test_sniff_declines_other_payloads(fedex: FedExCarrier, payload: Any) -> None:
    assert not fedex.sniff(payload)


# -- flat records ------------------------------------------------------------------------------------


def _flat(**fields: Any) -> list[Any]:
    record = {
        "carrier": "fedex",
        "tracking_number": "398471065237182",
        "timestamp": "2025-09-09T13:05:00",
        "city": "SACRAMENTO",
        "state": "CA",
        "country": "US",  # a state code alone does not make the time zone certain
        **fields,
    }
    normalizer = tracklingo.Normalizer(tracklingo.load_carriers(strict=True))
    events, rejects = normalizer.process(Record(1, record))
    return [*events, *rejects]


def test_flat_record_with_exception_code() -> None:
    (event,) = _flat(code="DE", description="Delivery exception", exception_code="03",
                     exception_description="Incorrect address")
    assert isinstance(event, TrackingEvent)
    assert (event.stage, event.reason) == (Stage.EXCEPTION, Reason.ADDRESS_PROBLEM)
    assert event.occurred_at == datetime(2025, 9, 9, 13, 5, tzinfo=tz(-7))  # CA in September


def test_flat_record_with_derived_status_only() -> None:
    (event,) = _flat(code="ZZ", description="Novel scan", derived_status_code="DL")
    assert isinstance(event, TrackingEvent)
    assert (event.stage, event.match) == (Stage.DELIVERED, MatchKind.FALLBACK)


def test_flat_record_handoff_and_offset() -> None:
    (event,) = _flat(
        code="OX", description="Shipment information sent to U.S. Postal Service",
        timestamp="2025-04-17T01:30:00", utc_offset="-04:00", state=None, city=None,
        handoff_carrier="usps", handoff_tracking_number="9261291234056789123453",
    )
    assert isinstance(event, TrackingEvent)
    assert event.stage is Stage.HANDED_TO_LAST_MILE
    assert event.handoff == Handoff(carrier="usps", tracking_number="9261291234056789123453")
    assert event.occurred_at == datetime(2025, 4, 17, 1, 30, tzinfo=tz(-4))


def test_flat_record_bad_timestamp_is_a_reject() -> None:
    (reject,) = _flat(code="DL", description="Delivered", timestamp="not a time")
    assert isinstance(reject, tracklingo.Reject)
    assert "timestamp" in reject.reason


# -- the shipped examples --------------------------------------------------------------------------------


def test_examples_normalise_without_rejects_or_unknowns() -> None:
    paths = [EXAMPLES / "fedex.jsonl", *sorted(EXAMPLES.glob("fedex-*.json"))]
    assert all(p.exists() for p in paths)
    registry = tracklingo.load_carriers(strict=True)
    normalizer = tracklingo.Normalizer(registry)
    items = [
        item
        for path in paths
        for record in tracklingo.read_records(path)
        for item in normalizer.run([record])
    ]
    assert all(isinstance(i, TrackingEvent) for i in items)
    events = [i for i in items if isinstance(i, TrackingEvent)]
    assert not any(e.is_unmapped for e in events)
    stages = {e.stage for e in events if e.tracking_number == "772845193061"}
    assert {Stage.IMPORT_CUSTOMS, Stage.CUSTOMS_HOLD, Stage.CUSTOMS_CLEARED} <= stages
