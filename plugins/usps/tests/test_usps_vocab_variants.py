"""USPS's everyday variants (vocab/*.toml parts): Arriving On Time / Late, delivery and pickup
variants, status categories, ALL-CAPS forms, reasons; real TrackV2 excerpts (fixtures/real) and
the long-form sentence examples (fixtures/longform.jsonl). Sources are named in the parts and in
fixtures/real/README.md."""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tracklingo import MatchKind, Reason, Stage
from tracklingo_usps import USPSCarrier

CARRIER = USPSCarrier()
VOCAB = CARRIER.vocabulary
FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "real"

S = Stage


@pytest.mark.parametrize(
    ("text", "code", "stage", "reason"),
    [
        # Arriving On Time / Late: exact texts and the "<headline>, <suffix>" family
        ("In Transit, Arriving Late", None, S.DELAYED, Reason.CARRIER_DELAY),
        ("IN TRANSIT, ARRIVING LATE", None, S.DELAYED, Reason.CARRIER_DELAY),
        ("Arriving Late", None, S.DELAYED, Reason.CARRIER_DELAY),
        ("In Transit to Next Facility, Arriving Late", None, S.DELAYED, Reason.CARRIER_DELAY),
        ("In Transit, Arriving On Time", None, S.IN_TRANSIT, None),
        ("In Transit to Next Facility, Arriving On Time", None, S.IN_TRANSIT, None),
        ("IN TRANSIT TO NEXT FACILITY, ARRIVING ON TIME", None, S.IN_TRANSIT, None),
        ("Moving Through Network", None, S.IN_TRANSIT, None),
        ("Awaiting Delivery", None, S.DELAYED, Reason.CARRIER_DELAY),
        # delivered variants, and the agent texts that are not a final delivery
        ("Delivered, To Agent", None, S.DELIVERED, None),
        ("DELIVERED, TO AGENT", None, S.DELIVERED, None),
        ("Delivered, To Mail Room", None, S.DELIVERED, None),
        ("Delivered, Individual Picked Up at Postal Facility", None, S.DELIVERED, None),
        ("Delivered, Front Desk/Reception", "01", S.DELIVERED, None),
        ("Delivered to Agent for Final Delivery", None, S.HANDED_TO_LAST_MILE, None),
        ("DELIVERED TO AGENT FOR FINAL DELIVERY", None, S.HANDED_TO_LAST_MILE, None),
        ("Delivered to Agent for Final Delivery", "01", S.HANDED_TO_LAST_MILE, None),
        ("Delivered, To Original Sender", "01", S.RETURNED, None),
        ("Held at Post Office, Retrieved from full parcel locker", None, S.AVAILABLE_FOR_PICKUP, None),
        # picked up: an acceptance with 03, a collection with 43
        ("Picked Up", "03", S.ACCEPTED, None),
        ("Picked Up", "43", S.DELIVERED, None),
        ("Forwarded", None, S.IN_TRANSIT, None),
        ("FORWARDED", "06", S.IN_TRANSIT, None),
        # ALL-CAPS forms as USPS Web Tools writes them
        ("DELIVERED", None, S.DELIVERED, None),
        ("NOTICE LEFT", None, S.DELIVERY_ATTEMPTED, None),
        ("ARRIVAL AT UNIT", None, S.AT_DESTINATION_FACILITY, None),
        ("ACCEPT OR PICKUP", None, S.ACCEPTED, None),
        ("ENROUTE", None, S.IN_TRANSIT, None),
        ("ACCEPTANCE", None, S.ACCEPTED, None),
        # texts that say why
        ("Seized by Law Enforcement", None, S.EXCEPTION, Reason.SEIZED),
        ("REFUSED", None, S.RETURN_TO_SENDER, Reason.REFUSED),
        ("UNDELIVERABLE AS ADDRESSED", None, S.RETURN_TO_SENDER, Reason.ADDRESS_PROBLEM),
        ("Business Closed", None, S.DELIVERY_ATTEMPTED, Reason.BUSINESS_CLOSED),
        (
            "NOTICE LEFT (NO AUTHORIZED RECIPIENT AVAILABLE)",
            None,
            S.DELIVERY_ATTEMPTED,
            Reason.RECIPIENT_UNAVAILABLE,
        ),
        ("Unclaimed/Being Returned to Sender", None, S.RETURN_TO_SENDER, Reason.RECIPIENT_UNAVAILABLE),
    ],
)
def test_variant_texts(text: str, code: str | None, stage: Stage, reason: Reason | None) -> None:
    res = VOCAB.resolve(text, code)
    assert (res.stage, res.reason) == (stage, reason), res
    assert res.match is not MatchKind.UNMAPPED


@pytest.mark.parametrize(
    ("category", "stage"),
    [
        ("Pre-Shipment", S.LABEL_CREATED),
        ("On its Way to USPS", S.ACCEPTED),
        ("Accepted", S.ACCEPTED),
        ("In Transit", S.IN_TRANSIT),
        ("Moving Through Network", S.IN_TRANSIT),
        ("Delivery Attempt", S.DELIVERY_ATTEMPTED),
        ("Delivery Attempt: Action Needed", S.DELIVERY_ATTEMPTED),
        ("Available for Agent Pickup", S.AVAILABLE_FOR_PICKUP),
        ("Alert", S.EXCEPTION),
    ],
)
def test_status_categories_are_fallbacks(category: str, stage: Stage) -> None:
    res = VOCAB.resolve(category)
    assert res.stage is stage
    assert res.match is MatchKind.FALLBACK  # a category only fills in when nothing finer matched


def test_a_finer_text_wins_over_its_category() -> None:
    assert VOCAB.resolve("Alert: Awaiting Delivery Scan").stage is S.DELAYED
    assert VOCAB.resolve("Alert").stage is S.EXCEPTION


def test_parts_are_listed_and_loaded() -> None:
    assert CARRIER.vocabulary_path is not None
    base = CARRIER.vocabulary_path.parent
    raw = tomllib.loads(CARRIER.vocabulary_path.read_text(encoding="utf-8"))
    parts = raw["meta"]["parts"]
    assert {"vocab/tracking-page.toml", "vocab/delivery-variants.toml", "vocab/delays.toml"} <= set(parts)
    for name in parts:
        part = tomllib.loads((base / name).read_text(encoding="utf-8"))
        assert part["meta"]["carrier"] == "usps"
        for rule in part.get("rule", []):
            for phrase in [rule["phrase"]] if isinstance(rule.get("phrase"), str) else rule.get("phrase", []):
                res = VOCAB.resolve(phrase)
                assert res.rule is not None and res.rule.source == rule["source"], (name, phrase)


# -- real TrackV2 excerpts ----------------------------------------------------------------------

REAL_EXPECTED: dict[str, list[tuple[str, str | None, Stage]]] = {
    "gaffneyc_tracking_field_lookup_2.xml": [("DELIVERED", None, S.DELIVERED)],
    "webservice_shipment_front_desk.xml": [
        ("Delivered, Front Desk/Reception", "01", S.DELIVERED),
        ("Out for Delivery", "OF", S.OUT_FOR_DELIVERY),
        ("Sorting Complete", "PC", S.AT_DESTINATION_FACILITY),
        ("Arrived at Post Office", "07", S.AT_DESTINATION_FACILITY),
        ("Departed USPS Facility", "EF", S.IN_TRANSIT),
        ("Picked up by Request", "03", S.ACCEPTED),
        ("Shipping Label Created", "GX", S.LABEL_CREATED),
    ],
    "shipit_predicted_eta.xml": [
        ("Arrived at Post Office", "07", S.AT_DESTINATION_FACILITY),
        ("Arrived at USPS Destination Facility", "10", S.IN_TRANSIT),
        ("Departed USPS Facility", "EF", S.IN_TRANSIT),
        ("Departed Post Office", "SF", S.IN_TRANSIT),
        ("Picked Up", "03", S.ACCEPTED),
        ("Shipping Label Created", "GX", S.LABEL_CREATED),
    ],
}


def _events(path: Path) -> list[tuple[str, str | None]]:
    root = ET.parse(path).getroot()
    out = []
    for node in root.iter():
        if node.tag in ("TrackSummary", "TrackDetail") and node.find("Event") is not None:
            code = node.findtext("EventCode")
            out.append(((node.findtext("Event") or "").strip(), code.strip() if code else None))
    return out


@pytest.mark.parametrize("name", sorted(REAL_EXPECTED))
def test_real_trackv2_events(name: str) -> None:
    events = _events(REAL / name)
    assert events == [(text, code) for text, code, _ in REAL_EXPECTED[name]]
    for text, code, stage in REAL_EXPECTED[name]:
        assert VOCAB.resolve(text, code).stage is stage, (text, code)


@pytest.mark.parametrize(
    ("name", "category", "stage"),
    [
        ("webservice_shipment_front_desk.xml", "Delivered", S.DELIVERED),
        ("shipit_predicted_eta.xml", "In Transit", S.IN_TRANSIT),
    ],
)
def test_real_status_categories(name: str, category: str, stage: Stage) -> None:
    root = ET.parse(REAL / name).getroot()
    assert root.findtext(".//StatusCategory") == category
    assert VOCAB.resolve(category).stage is stage


def test_revision_0_lines_are_all_caps_events_in_a_sentence() -> None:
    # The old TrackDetail form "May 30 7:44 am NOTICE LEFT WOBURN MA 01815.": the event inside is
    # one the vocabulary knows; the line itself is for the sentence-form layer (longform.jsonl).
    root = ET.parse(REAL / "gaffneyc_tracking_lookup_2.xml").getroot()
    details = [d.text or "" for d in root.iter("TrackDetail")]
    assert details[0] == "May 30 7:44 am NOTICE LEFT WOBURN MA 01815."
    known = {
        "NOTICE LEFT": S.DELIVERY_ATTEMPTED,
        "ARRIVAL AT UNIT": S.AT_DESTINATION_FACILITY,
        "ACCEPT OR PICKUP": S.ACCEPTED,
    }
    for line in details:
        event = next(e for e in known if f" {e} " in line)
        assert VOCAB.resolve(event).stage is known[event]


# -- long-form sentences for the sentence-form layer --------------------------------------------

LONGFORM = [
    json.loads(line) for line in (FIXTURES / "longform.jsonl").read_text(encoding="utf-8").splitlines()
]


def test_longform_examples_are_well_formed() -> None:
    assert len(LONGFORM) >= 20
    texts = [row["text"] for row in LONGFORM]
    assert len(set(texts)) == len(texts)
    for row in LONGFORM:
        assert set(row) == {"text", "stage", "source"}
        assert Stage(row["stage"]) is not Stage.UNKNOWN
        assert row["text"].strip() == row["text"] and row["text"]
        assert row["source"].startswith(("repo ", "public file"))
    assert {row["stage"] for row in LONGFORM} >= {
        "label_created",
        "accepted",
        "in_transit",
        "at_destination_facility",
        "out_for_delivery",
        "delivery_attempted",
        "delivered",
    }


@pytest.mark.parametrize("row", LONGFORM, ids=lambda r: r["text"][:40])
def test_no_carrier_rule_contradicts_a_longform_sentence(row: dict[str, str]) -> None:
    # No per-sentence rules here: a long-form sentence is either unmapped by the carrier's own
    # rules (left to the sentence-form layer) or mapped to the stage it means.
    res = VOCAB.resolve(row["text"])
    assert res.match is MatchKind.UNMAPPED or res.stage is Stage(row["stage"]), res
