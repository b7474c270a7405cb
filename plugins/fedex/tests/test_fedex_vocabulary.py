"""Vocabulary sanity: real FedEx codes and texts (docs/sources.md#fedex) resolve as expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracklingo import MatchKind, Reason, Stage
from tracklingo.mapping import Mapped, Mapper, Words
from tracklingo_fedex import FedExCarrier

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def fedex() -> FedExCarrier:
    return FedExCarrier()


# (eventType, eventDescription as FedEx prints it, stage); texts from the sources the vocabulary cites
SCANS = [
    ("OC", "Shipment information sent to FedEx", Stage.LABEL_CREATED),
    ("IP", "In FedEx possession", Stage.ACCEPTED),
    ("PU", "Picked up", Stage.ACCEPTED),
    ("OF", "At FedEx origin facility", Stage.ACCEPTED),
    ("DP", "Left FedEx origin facility", Stage.IN_TRANSIT),
    ("AR", "Arrived at FedEx location", Stage.IN_TRANSIT),
    ("DP", "Departed FedEx location", Stage.IN_TRANSIT),
    ("AR", "Arrived at FedEx hub", Stage.IN_TRANSIT),
    ("DP", "Departed FedEx hub", Stage.IN_TRANSIT),
    ("IT", "In transit", Stage.IN_TRANSIT),
    ("IT", "On the way", Stage.IN_TRANSIT),
    ("AO", "Shipment arriving On-Time", Stage.IN_TRANSIT),
    ("AE", "Shipment arriving early", Stage.IN_TRANSIT),
    ("RR", "Delivery option requested", Stage.IN_TRANSIT),
    ("CC", "International shipment release - Export", Stage.EXPORT_CUSTOMS),
    ("CP", "Clearance in progress", Stage.IMPORT_CUSTOMS),
    ("CD", "Clearance delay - Import", Stage.CUSTOMS_HOLD),
    ("CC", "International shipment release - Import", Stage.CUSTOMS_CLEARED),
    ("OX", "Shipment information sent to U.S. Postal Service", Stage.HANDED_TO_LAST_MILE),
    ("AX", "At U.S. Postal Service facility", Stage.HANDED_TO_LAST_MILE),
    ("AR", "At local FedEx facility", Stage.AT_DESTINATION_FACILITY),
    ("OD", "On FedEx vehicle for delivery", Stage.OUT_FOR_DELIVERY),
    ("DE", "Delivery exception", Stage.DELIVERY_ATTEMPTED),
    ("HP", "Ready for recipient pickup", Stage.AVAILABLE_FOR_PICKUP),
    ("DL", "Delivered", Stage.DELIVERED),
    ("DY", "Delay", Stage.DELAYED),
    ("SE", "Shipment exception", Stage.EXCEPTION),
    ("RS", "Returning package to shipper", Stage.RETURN_TO_SENDER),
    ("CA", "Shipment cancelled by sender", Stage.CANCELLED),
]


@pytest.mark.parametrize(("code", "text", "stage"), SCANS)
def test_scan_codes_with_their_texts(fedex: FedExCarrier, code: str, text: str, stage: Stage) -> None:
    res = fedex.vocabulary.resolve(text, code)
    assert res.stage is stage
    assert res.match is MatchKind.CODE


def test_af_local_facility_is_either_station(fedex: FedExCarrier) -> None:
    """AF carries "At local FedEx facility" at the origin station too (tests/fixtures/real, the
    sandbox Express Saver reply: Tampa, before the Memphis hub), so only AR with that text says
    destination; the text alone keeps its destination reading (AR is the usual code)."""
    text = "At local FedEx facility"
    assert fedex.vocabulary.resolve(text, "AF").stage is Stage.IN_TRANSIT
    assert fedex.vocabulary.resolve(text, "AR").stage is Stage.AT_DESTINATION_FACILITY
    assert fedex.vocabulary.resolve(text).stage is Stage.AT_DESTINATION_FACILITY


@pytest.mark.parametrize(("code", "text", "stage"), SCANS)
def test_texts_alone_for_flat_feeds(fedex: FedExCarrier, code: str, text: str, stage: Stage) -> None:
    """A flat feed may carry only the text: it must map to the same stage."""
    res = fedex.vocabulary.resolve(text)
    assert res.stage is stage
    assert res.match is MatchKind.PHRASE


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("SHIPMENT INFORMATION SENT TO FEDEX", Stage.LABEL_CREATED),  # case-insensitive
        ("Clearance delay", Stage.CUSTOMS_HOLD),
        ("Package available for clearance", Stage.IMPORT_CUSTOMS),
        ("Out for delivery with the U.S. Postal Service", Stage.OUT_FOR_DELIVERY),
        ("Package delivered by U.S. Postal Service to addressee", Stage.DELIVERED),
        ("Customer not available or business closed", Stage.DELIVERY_ATTEMPTED),
        ("Running Late", Stage.DELAYED),
        ("Package available for pickup at FedEx Office: 2201 SHATTUCK AVE",
         Stage.AVAILABLE_FOR_PICKUP),
    ],
)
def test_other_texts(fedex: FedExCarrier, text: str, stage: Stage) -> None:
    assert fedex.vocabulary.resolve(text).stage is stage


def test_pattern_captures_the_fedex_office(fedex: FedExCarrier) -> None:
    res = fedex.vocabulary.resolve("Package available for pickup at FedEx Office: 2201 SHATTUCK AVE")
    assert res.match is MatchKind.PATTERN
    assert res.captured["facility"] == "FedEx Office: 2201 SHATTUCK AVE"


# derivedStatusCode values (observed, not a documented list): fallback only, in their own namespace
def derived_status(fedex: FedExCarrier, code: str) -> Mapped:
    """What the core's mapper makes of a derivedStatusCode alone (its own namespace)."""
    return Mapper(fedex.vocabulary).map(Words(status_code=code))


@pytest.mark.parametrize(
    ("derived", "stage"),
    [
        ("IN", Stage.LABEL_CREATED),
        ("PU", Stage.ACCEPTED),
        ("IT", Stage.IN_TRANSIT),
        ("DL", Stage.DELIVERED),
        ("DE", Stage.DELIVERY_ATTEMPTED),
        ("DY", Stage.DELAYED),
        ("CD", Stage.CUSTOMS_HOLD),
        ("CA", Stage.CANCELLED),
    ],
)
def test_derived_status_codes_are_fallbacks(fedex: FedExCarrier, derived: str, stage: Stage) -> None:
    res = derived_status(fedex, derived)
    assert (res.stage, res.match) == (stage, MatchKind.FALLBACK)


def test_derived_in_is_not_the_event_type_in(fedex: FedExCarrier) -> None:
    """eventType IN is "On Demand Care completed" (webhook list); derivedStatusCode IN is
    "Initiated" / "Label created". The two namespaces must not mix."""
    assert fedex.vocabulary.resolve("On Demand Care completed", "IN").stage is Stage.IN_TRANSIT
    assert derived_status(fedex, "IN").stage is Stage.LABEL_CREATED


# exceptionCode / exceptionDescription → reason (codes only where a source shows them)
@pytest.mark.parametrize(
    ("code", "text", "reason", "stage"),
    [
        ("007", None, Reason.RECIPIENT_UNAVAILABLE, Stage.DELIVERY_ATTEMPTED),
        ("08", None, Reason.RECIPIENT_UNAVAILABLE, Stage.DELIVERY_ATTEMPTED),
        ("03", None, Reason.ADDRESS_PROBLEM, Stage.EXCEPTION),
        ("07", None, Reason.REFUSED, Stage.EXCEPTION),
        ("083", None, Reason.OTHER, Stage.DELAYED),
        ("099", None, Reason.OTHER, Stage.EXCEPTION),
        ("A52", None, Reason.CARRIER_DELAY, Stage.DELAYED),
        (None, "Customer not available or business closed", Reason.RECIPIENT_UNAVAILABLE,
         Stage.DELIVERY_ATTEMPTED),
        (None, "Incorrect address", Reason.ADDRESS_PROBLEM, Stage.EXCEPTION),
        (None, "Weather - Delay in transit", Reason.WEATHER, Stage.DELAYED),
        (None, "Goods are subject to regulatory review.", Reason.CUSTOMS_INSPECTION,
         Stage.CUSTOMS_HOLD),
    ],
)
def test_exception_reasons(
    fedex: FedExCarrier, code: str | None, text: str | None, reason: Reason, stage: Stage
) -> None:
    entry = fedex.vocabulary.reason_for(code=code, text=text)
    assert entry is not None
    assert (entry.reason, entry.stage) == (reason, stage)


def test_unknown_exception_code_has_no_reason(fedex: FedExCarrier) -> None:
    assert fedex.vocabulary.reason_for(code="29") is None  # meaning unconfirmed (EAGLE1 only)
    assert fedex.vocabulary.reason_for(code="7") is None  # width matters: not 007 / 07


def test_every_rule_resolves_to_its_own_stage(fedex: FedExCarrier) -> None:
    vocab = fedex.vocabulary
    own = vocab.own_rules()
    assert own, "the vocabulary has rules"
    for rule in own:
        assert rule.stage is not Stage.UNKNOWN
        assert rule.source.strip()
        if rule.fallback and rule.code:
            for code in rule.code:
                assert derived_status(fedex, code).stage in rule.stages, rule.describe()
        elif rule.code and rule.phrase:
            for code in rule.code:
                for phrase in rule.phrase:
                    assert vocab.resolve(phrase, code).stage in rule.stages, rule.describe()
        elif rule.code:
            for code in rule.code:
                assert vocab.resolve(None, code).stage in rule.stages, rule.describe()
        elif rule.phrase and not rule.fallback:
            for phrase in rule.phrase:
                assert vocab.resolve(phrase).stage in rule.stages, rule.describe()


def test_every_reason_entry_is_reachable(fedex: FedExCarrier) -> None:
    vocab = fedex.vocabulary
    for entry in vocab.reasons:
        for code in entry.code:
            assert vocab.reason_for(code=code) == entry
        for phrase in entry.phrase:
            assert vocab.reason_for(text=phrase) == entry


def test_every_fixture_scan_is_mapped(fedex: FedExCarrier) -> None:
    """Coverage: no fixture scan comes out `unknown`."""
    unmapped = []
    for path in sorted(FIXTURES.glob("*.json")):
        for event in fedex.parse(json.loads(path.read_text(encoding="utf-8"))).events:
            if event.stage is Stage.UNKNOWN:
                unmapped.append((path.name, event.code, event.description))
    assert unmapped == []


def test_every_rule_source_is_known(fedex: FedExCarrier) -> None:
    vocab = fedex.vocabulary
    for rule in vocab.own_rules():
        assert vocab.source_text(rule)
    for entry in vocab.reasons:
        assert vocab.source_text(entry)
