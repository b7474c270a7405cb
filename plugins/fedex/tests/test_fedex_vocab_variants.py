"""FedEx's everyday variants (vocab/*.toml parts): weather and local delays, the label stage and
the relabelled scan, customs reasons, damage / address / refusal / return reasons, the Track API's
reason details (exceptionCode, ancillaryDetails, delayDetail), checked on texts alone and on real
Track API replies (fixtures/real, sources in fixtures/real/README.md)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tracklingo import MatchKind, Reason, Stage
from tracklingo.mapping import Mapper, Words
from tracklingo_fedex import FedExCarrier

CARRIER = FedExCarrier()
VOCAB = CARRIER.vocabulary
REAL = Path(__file__).parent / "fixtures" / "real"

S = Stage
R = Reason


@pytest.mark.parametrize(
    ("text", "stage", "reason"),
    [
        # weather and local delays
        ("Weather delay", S.DELAYED, R.WEATHER),
        ("WEATHER DELAY", S.DELAYED, R.WEATHER),
        ("Weather - Delay in transit", S.DELAYED, R.WEATHER),
        ("Local delivery restriction - Delivery not attempted", S.DELAYED, R.OTHER),
        ("Local delivery restriction, delivery not attempted", S.DELAYED, R.OTHER),
        ("Your package may be late- local delivery restrictions", S.DELAYED, R.OTHER),
        ("No attempt made, delivery scheduled for next business day", S.DELAYED, R.CARRIER_DELAY),
        ("Package at station, arrived after courier dispatch.", S.DELAYED, R.CARRIER_DELAY),
        ("A request was made to change this delivery date.", S.DELAYED, R.HELD_AT_REQUEST),
        # label stage and the relabelled parcel
        ("We'll add a delivery date as soon as we get your package.", S.LABEL_CREATED, None),
        ("We\u2019ll add a delivery date as soon as we get your package.", S.LABEL_CREATED, None),
        ("Shipment information sent to FedEx", S.LABEL_CREATED, None),
        ("Label created", S.LABEL_CREATED, None),
        ("Barcode label unreadable and replaced", S.IN_TRANSIT, None),
        # customs: why it is held
        ("Goods are subject to regulatory review.", S.CUSTOMS_HOLD, R.CUSTOMS_INSPECTION),
        (
            "Clearance instructions from the importer are required.",
            S.CUSTOMS_HOLD,
            R.CUSTOMS_DOCUMENTS_REQUIRED,
        ),
        ("Regulatory Agency Clearance Delay", S.CUSTOMS_HOLD, R.CUSTOMS_INSPECTION),
        # attempts, address, refusal, payment
        ("Customer not available or business closed", S.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE),
        ("Recipient Not In/Business Closed", S.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE),
        ("Incorrect address", S.EXCEPTION, R.ADDRESS_PROBLEM),
        ("Incorrect address - Street name", S.EXCEPTION, R.ADDRESS_PROBLEM),
        ("Incorrect address - Apartment/Suite number", S.EXCEPTION, R.ADDRESS_PROBLEM),
        ("Delivery was refused by the recipient", S.EXCEPTION, R.REFUSED),
        ("Held, unable to collect payment", S.EXCEPTION, R.CUSTOMS_PAYMENT_DUE),
        # damaged: an exception, a return, and a delivery that carries the reason
        ("Damaged, handling per shipper instructions", S.EXCEPTION, R.DAMAGED),
        ("Damaged - handling per shipper instructions", S.EXCEPTION, R.DAMAGED),
        ("Unable to deliver - Damaged package", S.EXCEPTION, R.DAMAGED),
        (
            "Damaged in transit - Unable to deliver shipment - Returning to shipper",
            S.RETURN_TO_SENDER,
            R.DAMAGED,
        ),
        ("Damaged, delivery completed", S.DELIVERED, R.DAMAGED),
        # returns without a stated cause
        ("Unable to deliver shipment - Returning to shipper", S.RETURN_TO_SENDER, None),
        ("Unable to deliver shipment, returned to shipper", S.RETURN_TO_SENDER, None),
        ("No action is required.  The package is being returned to the shipper.", S.RETURN_TO_SENDER, None),
        ("Return tracking number 466227601536", S.RETURN_TO_SENDER, None),
        (" Signature Service not requested.", S.DELIVERED, None),
    ],
)
def test_texts_alone_carry_stage_and_reason(text: str, stage: Stage, reason: Reason | None) -> None:
    res = VOCAB.resolve(text)
    assert (res.stage, res.reason) == (stage, reason), res
    assert res.match is not MatchKind.UNMAPPED


def test_the_address_pattern_takes_other_address_parts() -> None:
    # FedEx names the faulty part after the dash; parts not seen yet still give the reason
    res = VOCAB.resolve("Incorrect address - ZIP code")
    assert (res.stage, res.reason, res.match) == (S.EXCEPTION, R.ADDRESS_PROBLEM, MatchKind.PATTERN)


@pytest.mark.parametrize(
    ("code", "text", "reason", "stage"),
    [
        ("062", "Weather delay", R.WEATHER, S.DELAYED),
        ("027", "No attempt made, delivery scheduled for next business day", R.CARRIER_DELAY, S.DELAYED),
        ("063", "Barcode label unreadable and replaced", R.OTHER, S.IN_TRANSIT),
        ("002B", "Incorrect address - Street name", R.ADDRESS_PROBLEM, S.EXCEPTION),
        ("002D", "Incorrect address - Apartment/Suite number", R.ADDRESS_PROBLEM, S.EXCEPTION),
        ("011", "Customer not available or business closed", R.RECIPIENT_UNAVAILABLE, S.DELIVERY_ATTEMPTED),
        ("039", "Damaged, handling per shipper instructions", R.DAMAGED, S.EXCEPTION),
        ("099A", "Unable to deliver - Damaged package", R.DAMAGED, S.EXCEPTION),
        (
            "060B",
            "Damaged in transit - Unable to deliver shipment - Returning to shipper",
            R.DAMAGED,
            S.RETURN_TO_SENDER,
        ),
        # by the text alone (an ancillaryDetails actionDescription, no code)
        (None, "Damaged - handling per shipper instructions", R.DAMAGED, S.EXCEPTION),
        (None, "Weather delay", R.WEATHER, S.DELAYED),
    ],
)
def test_exception_and_ancillary_reason_table(
    code: str | None, text: str, reason: Reason, stage: Stage
) -> None:
    entry = VOCAB.reason_for(code=code, text=text)
    assert entry is not None
    assert (entry.reason, entry.stage) == (reason, stage)
    if code is not None:  # the code alone decides too
        assert VOCAB.reason_for(code=code) == entry


def test_a_delivered_damage_note_keeps_the_delivery() -> None:
    entry = VOCAB.reason_for(text="Damaged, delivery completed")
    assert entry is not None and entry.reason is R.DAMAGED and entry.stage is None


@pytest.mark.parametrize(
    ("delay_type", "reason"),
    [
        ("WEATHER", R.WEATHER),
        ("OPERATIONAL", R.CARRIER_DELAY),
        ("GENERAL", R.CARRIER_DELAY),
        ("LOCAL", R.OTHER),
    ],
)
def test_delay_detail_types(delay_type: str, reason: Reason) -> None:
    entry = VOCAB.reason_for(code=delay_type)
    assert entry is not None and entry.reason is reason
    assert entry.stage is None  # the delay type says why, the scan says where


def test_clearance_delay_type_gives_no_reason() -> None:
    assert VOCAB.reason_for(code="CLEARANCE") is None  # a customs delay that does not say why


def test_delivery_updated_derived_codes_are_coarse_fallbacks() -> None:
    mapper = Mapper(VOCAB)  # a derivedStatusCode alone, in its own namespace
    for code in ("DU", "DF"):
        res = mapper.map(Words(status_code=code))
        assert (res.stage, res.match) == (S.DELAYED, MatchKind.FALLBACK)


def test_parts_are_listed_and_loaded() -> None:
    assert CARRIER.vocabulary_path is not None
    base = CARRIER.vocabulary_path.parent
    raw = tomllib.loads(CARRIER.vocabulary_path.read_text(encoding="utf-8"))
    parts = raw["meta"]["parts"]
    assert set(parts) == {
        "vocab/delays.toml",
        "vocab/label.toml",
        "vocab/clearance.toml",
        "vocab/reasons.toml",
    }
    own = VOCAB.own_rules()
    counted = len(raw["rule"]) + sum(
        len(tomllib.loads((base / name).read_text(encoding="utf-8")).get("rule", [])) for name in parts
    )
    assert len(own) == counted


# -- real Track API replies -----------------------------------------------------------------------

# (tracking number, eventType, exceptionCode) -> (stage, reason), for every scan with an exception code
REAL_EXCEPTIONS = {
    ("393844335341", "SE", "063"): (S.IN_TRANSIT, R.OTHER),
    ("393844335341", "RS", "060"): (S.RETURN_TO_SENDER, None),
    ("393844335341", "DE", "002B"): (S.EXCEPTION, R.ADDRESS_PROBLEM),
    ("393844335341", "DE", "011"): (S.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE),
    ("393844335341", "DE", "002D"): (S.EXCEPTION, R.ADDRESS_PROBLEM),
    ("393785344858", "DY", "A52"): (S.DELAYED, R.CARRIER_DELAY),
    ("393785344858", "RS", "060B"): (S.RETURN_TO_SENDER, R.DAMAGED),
    ("393785344858", "DE", "039"): (S.EXCEPTION, R.DAMAGED),
    ("393926579590", "DE", "039"): (S.EXCEPTION, R.DAMAGED),
    ("393926579590", "SE", "099A"): (S.EXCEPTION, R.DAMAGED),
    ("393926579590", "DY", "A52"): (S.DELAYED, R.CARRIER_DELAY),
    ("393926579590", "SE", "062"): (S.DELAYED, R.WEATHER),
}


@pytest.fixture(scope="module")
def real_events() -> list[tuple[str, str | None, str, Stage, Reason | None]]:
    payload = json.loads((REAL / "order_shipping_status_2025.json").read_text(encoding="utf-8"))
    result = CARRIER.parse(payload)
    assert result.errors == []
    out = []
    for ev in result.events:
        raw = ev.raw if isinstance(ev.raw, dict) else {}
        out.append((ev.tracking_number, ev.code, str(raw.get("exceptionCode", "")), ev.stage, ev.reason))
    return out


def test_real_replies_have_no_unknown_scan(
    real_events: list[tuple[str, str | None, str, Stage, Reason | None]],
) -> None:
    assert len(real_events) == 26 + 20 + 13
    assert [e for e in real_events if e[3] is Stage.UNKNOWN] == []


def test_real_exception_scans_get_stage_and_reason(
    real_events: list[tuple[str, str | None, str, Stage, Reason | None]],
) -> None:
    seen: dict[tuple[str, str, str], set[tuple[Stage, Reason | None]]] = {}
    for number, code, exc, stage, reason in real_events:
        if exc:
            seen.setdefault((number, code or "", exc), set()).add((stage, reason))
    assert set(seen) == set(REAL_EXCEPTIONS)
    for key, expected in REAL_EXCEPTIONS.items():
        assert seen[key] == {expected}, key


def test_real_scans_without_exception_keep_their_plain_stage(
    real_events: list[tuple[str, str | None, str, Stage, Reason | None]],
) -> None:
    plain = {(code, stage) for _, code, exc, stage, _ in real_events if not exc}
    assert ("AS", S.IN_TRANSIT) in plain  # "Address corrected": the parcel keeps moving
    assert ("SE", S.EXCEPTION) not in plain
    assert {stage for code, stage in plain if code == "DL"} == {S.DELIVERED}
    assert all(reason is None for _, _, exc, _, reason in real_events if not exc)
