"""The USPS vocabulary: every rule valid, and real USPS texts (docs/sources.md#usps) resolving
to the stage they mean."""

from __future__ import annotations

import re
import tomllib

import pytest

from tracklingo import MatchKind, Reason, Stage, Vocabulary
from tracklingo_usps import USPSCarrier

CARRIER = USPSCarrier()
VOCAB = CARRIER.vocabulary
assert CARRIER.vocabulary_path is not None
RAW = tomllib.loads(CARRIER.vocabulary_path.read_text(encoding="utf-8"))


def test_loads_and_compiles() -> None:
    # from_toml validates stages, reasons, sources and patterns; a second load is independent
    again = Vocabulary.from_toml(CARRIER.vocabulary_path)  # type: ignore[arg-type]
    assert again.carrier == "usps" == VOCAB.carrier
    base = CARRIER.vocabulary_path.parent  # type: ignore[union-attr]
    names = RAW["meta"].get("parts", [])
    parts = [tomllib.loads((base / name).read_text(encoding="utf-8")) for name in names]
    assert len(VOCAB.own_rules()) == len(RAW["rule"]) + sum(len(part.get("rule", [])) for part in parts)
    assert "upu" in RAW["meta"].get("include", [])  # relayed UPU texts come from the core


@pytest.mark.parametrize("rule", VOCAB.own_rules(), ids=lambda r: r.describe()[:60])
def test_every_rule_is_valid(rule: object) -> None:
    from tracklingo.vocabulary import Rule

    assert isinstance(rule, Rule)
    assert rule.stage is not Stage.UNKNOWN
    assert all(isinstance(s, Stage) and s is not Stage.UNKNOWN for s in rule.stages)
    assert rule.reason is None or isinstance(rule.reason, Reason)
    assert rule.code or rule.phrase or rule.pattern
    assert VOCAB.source_text(rule).strip()
    if rule.context is not None:
        assert rule.context == "direction"
        assert set(rule.by_context) <= {"inbound", "outbound"}
    if rule.pattern is not None:
        assert re.match(r"^\^[A-Za-z]", rule.pattern), "a pattern starts with ^ and a word"
        re.compile(rule.pattern)


def test_sources_keys_are_described() -> None:
    for key, text in RAW["meta"]["sources"].items():
        assert key and text.strip()


# Codes confirmed by a cited source (docs/sources.md#usps-event-codes): each has a rule.
CONFIRMED_CODES = [
    "GX", "MA", "89", "GC", "80", "81", "82", "83", "TM", "PA", "03", "OA", "UA", "AD", "10", "A1",
    "T1", "EF", "SF", "EX", "19", "41", "42", "07", "PC", "OF", "01", "DX", "71", "02", "52", "53",
    "54", "55", "56", "30", "51", "14", "16", "17", "43", "04", "05", "06", "08", "15", "09", "21",
    "22", "23", "24", "25", "26", "27", "28", "29", "31", "44", "11",
]


@pytest.mark.parametrize("code", CONFIRMED_CODES)
def test_confirmed_codes_are_mapped(code: str) -> None:
    assert VOCAB.resolve(None, code).match is not MatchKind.UNMAPPED


# Real USPS texts (sources: the vocabulary's [meta.sources], docs/sources.md#usps) → the stage they mean.
TEXTS: list[tuple[str, Stage]] = [
    ("Shipping Label Created, USPS Awaiting Item", Stage.LABEL_CREATED),
    ("Pre-Shipment Info Sent to USPS, USPS Awaiting Item", Stage.LABEL_CREATED),
    ("Pre-Shipment, USPS Awaiting Item", Stage.LABEL_CREATED),
    ("Merchant Order Receipt Notification, USPS Awaiting Item", Stage.LABEL_CREATED),
    ("USPS in possession of item", Stage.ACCEPTED),
    ("Accepted at USPS Origin Facility", Stage.ACCEPTED),
    ("Accepted at USPS Regional Destination Facility", Stage.ACCEPTED),
    ("Shipment Received, Package Acceptance Pending", Stage.ACCEPTED),
    ("Acceptance", Stage.ACCEPTED),
    ("Arrived at USPS Regional Facility", Stage.IN_TRANSIT),
    ("Departed USPS Regional Facility", Stage.IN_TRANSIT),
    ("Arrived at USPS Facility", Stage.IN_TRANSIT),
    ("Departed USPS Facility", Stage.IN_TRANSIT),
    ("Departed Post Office", Stage.IN_TRANSIT),
    ("In Transit to Next Facility", Stage.IN_TRANSIT),
    ("In Transit, Arriving On Time", Stage.IN_TRANSIT),
    ("In Transit, Arriving Late", Stage.DELAYED),
    ("Forwarded", Stage.IN_TRANSIT),
    ("Origin Post is Preparing Shipment", Stage.DEPARTED_ORIGIN_COUNTRY),
    ("Inbound Into Customs", Stage.IMPORT_CUSTOMS),
    ("Customs Clearance", Stage.IMPORT_CUSTOMS),
    ("Held in Customs", Stage.CUSTOMS_HOLD),
    ("Customs Clearance Processing Complete", Stage.CUSTOMS_CLEARED),
    ("Inbound Out of Customs", Stage.CUSTOMS_CLEARED),
    ("Item Returned From Import Customs", Stage.CUSTOMS_CLEARED),  # UPU EDC, not a return
    ("Arrived at Post Office", Stage.AT_DESTINATION_FACILITY),
    ("Arrived at Unit", Stage.AT_DESTINATION_FACILITY),
    ("Sorting Complete", Stage.AT_DESTINATION_FACILITY),
    ("Out for Delivery", Stage.OUT_FOR_DELIVERY),
    ("Out for Delivery, Expected Delivery by 9:00pm", Stage.OUT_FOR_DELIVERY),
    ("Delivery Attempted - No Access to Delivery Location", Stage.DELIVERY_ATTEMPTED),
    ("Notice Left (No Authorized Recipient Available)", Stage.DELIVERY_ATTEMPTED),
    ("Notice Left (No Secure Location Available)", Stage.DELIVERY_ATTEMPTED),
    ("Notice Left (Receptacle Full/Item Oversized)", Stage.DELIVERY_ATTEMPTED),
    ("Notice Left (Receptacle Blocked)", Stage.DELIVERY_ATTEMPTED),
    ("Available for Pickup", Stage.AVAILABLE_FOR_PICKUP),
    ("Held at Post Office, At Customer Request", Stage.AVAILABLE_FOR_PICKUP),
    ("Delivered", Stage.DELIVERED),
    ("Delivered, In/At Mailbox", Stage.DELIVERED),
    ("Delivered, Front Door/Porch", Stage.DELIVERED),
    ("Delivered, Front Desk/Reception/Mail Room", Stage.DELIVERED),
    ("Delivered, Garage or Other Location at Address", Stage.DELIVERED),
    ("Delivered, Parcel Locker", Stage.DELIVERED),
    ("Delivered, PO Box", Stage.DELIVERED),
    ("Delivered, Left with Individual", Stage.DELIVERED),
    ("Delivered, Neighbor as Requested", Stage.DELIVERED),
    ("Delivered, Individual Picked Up at Post Office", Stage.DELIVERED),
    ("Delivered to Agent for Final Delivery", Stage.HANDED_TO_LAST_MILE),  # not final (BHIE)
    ("Delivered, To Original Sender", Stage.RETURNED),  # a completed return (BHIE)
    ("Return to Sender", Stage.RETURN_TO_SENDER),
    ("Refused", Stage.RETURN_TO_SENDER),
    ("Undeliverable as Addressed", Stage.RETURN_TO_SENDER),
    ("Insufficient Address", Stage.RETURN_TO_SENDER),
    ("Moved, Left no Address", Stage.RETURN_TO_SENDER),
    ("Addressee Unknown", Stage.RETURN_TO_SENDER),
    ("Sent to Mail Recovery Center", Stage.EXCEPTION),
]


@pytest.mark.parametrize(("text", "stage"), TEXTS, ids=[t for t, _ in TEXTS])
def test_real_texts_resolve(text: str, stage: Stage) -> None:
    res = VOCAB.resolve(text)
    assert res.stage is stage
    assert res.match in (MatchKind.PHRASE, MatchKind.PATTERN)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Notice Left (No Authorized Recipient Available)", Reason.RECIPIENT_UNAVAILABLE),
        ("Notice Left (No Secure Location Available)", Reason.NO_SECURE_LOCATION),
        ("Refused", Reason.REFUSED),
        ("Insufficient Address", Reason.ADDRESS_PROBLEM),
        ("Held at Post Office, At Customer Request", Reason.HELD_AT_REQUEST),
    ],
)
def test_reasons(text: str, reason: Reason) -> None:
    assert VOCAB.resolve(text).reason is reason


def test_matching_ignores_case_and_punctuation() -> None:
    assert VOCAB.resolve("DELIVERED IN AT MAILBOX").stage is Stage.DELIVERED
    assert VOCAB.resolve("  out for delivery ").stage is Stage.OUT_FOR_DELIVERY


# -- pattern cases with places ----------------------------------------------------------------------

ISC_TEXTS = [
    "Processed Through Facility, ISC NEW YORK NY(USPS)",
    "Processed Through Facility ISC NEW YORK NY(USPS)",
    "Processed Through Facility ISC LOS ANGELES CA(USPS)",
]


@pytest.mark.parametrize("text", ISC_TEXTS)
@pytest.mark.parametrize(
    ("direction", "stage"),
    [
        ("inbound", Stage.ARRIVED_DESTINATION_COUNTRY),
        ("outbound", Stage.DEPARTED_ORIGIN_COUNTRY),
    ],
)
def test_isc_pattern_is_a_direction_rule(text: str, direction: str, stage: Stage) -> None:
    res = VOCAB.resolve(text, None, {"direction": direction})
    assert res.stage is stage
    assert res.match is MatchKind.CONTEXT
    assert res.captured["facility"] == text.split("Facility", 1)[1].strip(" ,")


@pytest.mark.parametrize("text", ISC_TEXTS)
def test_isc_pattern_without_direction_needs_context(text: str) -> None:
    res = VOCAB.resolve(text)
    assert res.stage is Stage.IN_TRANSIT
    assert res.needs_context == "direction"


@pytest.mark.parametrize(
    ("text", "stage", "facility"),
    [
        ("Arrived at USPS Regional Facility OAK CREEK WI DISTRIBUTION CENTER", Stage.IN_TRANSIT,
         "OAK CREEK WI DISTRIBUTION CENTER"),
        ("Departed USPS Regional Facility OAK CREEK WI DISTRIBUTION CENTER", Stage.IN_TRANSIT,
         "OAK CREEK WI DISTRIBUTION CENTER"),
        ("Processed Through Facility, TOKYO INT V BAG 2, JAPAN", Stage.IN_TRANSIT,
         "TOKYO INT V BAG 2, JAPAN"),
        ("Inbound Out of Customs, ISC CHICAGO IL(USPS)", Stage.CUSTOMS_CLEARED,
         "ISC CHICAGO IL(USPS)"),
    ],
)
def test_patterns_capture_the_place(text: str, stage: Stage, facility: str) -> None:
    res = VOCAB.resolve(text)
    assert res.stage is stage
    assert res.match is MatchKind.PATTERN
    assert res.captured["facility"] == facility


def test_dispatched_from_isc_depends_on_direction() -> None:
    text = "Dispatched from USPS International Service Center"
    assert VOCAB.resolve(text, None, {"direction": "outbound"}).stage is (
        Stage.DEPARTED_ORIGIN_COUNTRY
    )
    assert VOCAB.resolve(text).needs_context == "direction"
