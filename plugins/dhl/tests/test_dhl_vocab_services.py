"""The DHL vocabulary over every Unified service: the real payload excerpts in
``tests/fixtures/real`` (sources in its README) resolve event by event to the stage a reader of the
source expects, no text, remark or status key in them is unmapped, and the texts whose words say
why carry that reason. The vocabulary is ``vocabulary.toml`` plus the parts named in its
``[meta] parts`` (one file per service family under ``vocab/``)."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tracklingo import MatchKind, Reason, Stage
from tracklingo_dhl import DHLCarrier

REAL = Path(__file__).parent / "fixtures" / "real"
PACKAGE = Path(DHLCarrier.vocabulary_path or "").parent
VOCABULARY = DHLCarrier().vocabulary

#: The fields an event's text and status key come from, in the shapes of the excerpts.
TEXT_FIELDS = ("description", "status", "remark")
KEY_FIELDS = ("statusDetailed", "key")
#: A Unified ``status`` that is a key rather than a sentence (``PO``, ``SRTED_NRQRD_PO``, ``101``)
#: and a Parcel NL key (``NOT_HOME_RETURN_TO_SHIPPER``, ``..._AT_ANOTHER_TIME/DATE``).
CODE_LIKE = re.compile(r"^(?:\d+|[A-Z]{2}|[A-Z0-9]+(?:_[A-Z0-9/]+)+)$")

Expected = tuple[Stage, Reason | None]


def _events(payload: Any) -> Iterator[Mapping[str, Any]]:
    """The events of one excerpt in file order: Unified ``shipments[].events``, the Parcel NL
    track-trace ``events`` list, or the my.dhlecommerce.nl ``view.phases[].events``."""
    if isinstance(payload, Mapping) and "shipments" in payload:
        for shipment in payload["shipments"]:
            yield from shipment["events"]
    elif isinstance(payload, Mapping):
        yield from payload["events"]
    else:
        for item in payload:
            for phase in item["view"]["phases"]:
                yield from phase["events"]


def _status_blocks(payload: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(payload, Mapping):
        for shipment in payload.get("shipments", ()):
            if isinstance(shipment.get("status"), Mapping):
                yield shipment["status"]


def _text_and_key(event: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The most specific text (description, else a sentence-like status) and the status key."""
    status = event.get("status")
    key = next((event[f] for f in KEY_FIELDS if isinstance(event.get(f), str)), None)
    if key is None and isinstance(status, str) and CODE_LIKE.match(status):
        key = status
    text = event.get("description")
    if not text and isinstance(status, str) and not CODE_LIKE.match(status):
        text = status
    return text, key


def _load(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


D = Stage.DELIVERED
EXPECTED: dict[str, list[Expected]] = {
    "express_customs_inspection_2022.json": [
        (Stage.IMPORT_CUSTOMS, None),  # Customs clearance status updated. Note; ...
        (Stage.CUSTOMS_HOLD, None),  # Clearance event
        (Stage.IMPORT_CUSTOMS, None),  # Processed for clearance at MANILA
        (Stage.IN_TRANSIT, None),  # Arrived at DHL Sort Facility MANILA
        (Stage.IN_TRANSIT, None),  # departed HONG KONG
        (Stage.EXCEPTION, None),  # Shipment is on hold
        (Stage.CUSTOMS_CLEARED, None),  # Clearance processing complete at HONG KONG
        (Stage.IN_TRANSIT, None),  # Processed at DHAKA
        (Stage.LABEL_CREATED, None),  # Shipper has generated a shipment label ...
        (Stage.ACCEPTED, None),  # Shipment Accepted
    ],
    "ecommerce_parcel_locker_2023.json": [
        (D, None),  # DELIVERED - PARCEL LOCKER
        (Stage.OUT_FOR_DELIVERY, None),
        (Stage.AT_DESTINATION_FACILITY, None),
        (Stage.HANDED_TO_LAST_MILE, None),
        (Stage.LABEL_CREATED, None),
    ],
    "parcel_pl_tarnow_2022.json": [(Stage.ACCEPTED, None)],
    "parcel_pl_to_de_2023.json": [
        (D, None),  # doręczona do odbiorcy
        (Stage.AT_DESTINATION_FACILITY, None),  # dotarła do oddziału (German depot)
        (Stage.DEPARTED_ORIGIN_COUNTRY, None),  # opuściła Polskę
        (Stage.IN_TRANSIT, None),  # centrum sortowania
        (Stage.DEPARTED_ORIGIN_COUNTRY, None),
        (Stage.IN_TRANSIT, None),
        (Stage.IN_TRANSIT, None),  # odebrana przez Kuriera DHL z DHL POP
        (Stage.ACCEPTED, None),  # nadana w DHL POP
    ],
    "parcel_de_export_canada_2024.json": [
        (Stage.IN_TRANSIT, None),  # left the import parcel centre abroad
        (Stage.CUSTOMS_CLEARED, None),
        (Stage.IMPORT_CUSTOMS, None),
        (Stage.ARRIVED_DESTINATION_COUNTRY, None),
    ],
    "dgf_ocean_lcl_2025.json": [(D, None), (Stage.CUSTOMS_CLEARED, None)],
    "parcel_nl_track_trace_2026.json": [
        (Stage.LABEL_CREATED, None),
        (Stage.LABEL_CREATED, None),
        (Stage.ACCEPTED, None),  # SHIPMENT_ACCEPTANCE_PARCELSHOP
    ],
    "parcel_nl_phases.json": [
        (D, None),  # DELIVERED (the Unified statusCode fallback, same word)
        (Stage.OUT_FOR_DELIVERY, None),
        (Stage.AT_DESTINATION_FACILITY, None),  # PARCEL_ARRIVED_AT_LOCAL_DEPOT
        (Stage.IN_TRANSIT, None),  # PARCEL_SORTED_AT_HUB
        (Stage.LABEL_CREATED, None),
    ],
}


def test_every_real_excerpt_has_expectations() -> None:
    assert {p.name for p in REAL.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_events_resolve_to_the_expected_stage(name: str) -> None:
    payload = _load(name)
    got = []
    for event in _events(payload):
        text, key = _text_and_key(event)
        res = VOCABULARY.resolve(text, key, fallback_code=event.get("statusCode"))
        got.append((res.stage, res.reason))
    assert got == EXPECTED[name]


def _strings(payload: Any) -> Iterator[tuple[str, str]]:
    """Every text field and key of the events and status blocks, as (field, value)."""
    for block in (*_events(payload), *_status_blocks(payload)):
        for field in (*TEXT_FIELDS, *KEY_FIELDS):
            value = block.get(field)
            if isinstance(value, str) and value.strip():
                yield field, value


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_text_or_key_in_real_excerpts_is_unmapped(name: str) -> None:
    strings = list(_strings(_load(name)))
    assert strings
    unmapped = []
    for field, value in strings:
        as_key = CODE_LIKE.match(value) is not None
        res = VOCABULARY.resolve(None if as_key else value, value if as_key else None)
        if res.match is MatchKind.UNMAPPED:
            unmapped.append((field, value))
    assert unmapped == []


def test_the_customs_remark_says_why_the_parcel_waits() -> None:
    status = _load("express_customs_inspection_2022.json")["shipments"][0]["status"]
    description = VOCABULARY.resolve(status["description"])
    remark = VOCABULARY.resolve(status["remark"])
    assert description.stage is Stage.IMPORT_CUSTOMS
    assert (remark.stage, remark.reason) == (Stage.CUSTOMS_HOLD, Reason.CUSTOMS_INSPECTION)


def test_ecommerce_delivery_detail_is_kept_as_a_delivered_text() -> None:
    event = _load("ecommerce_parcel_locker_2023.json")["shipments"][0]["events"][0]
    detail = VOCABULARY.resolve(event["description"], fallback_code=event["statusCode"])
    assert (detail.stage, detail.match) == (Stage.DELIVERED, MatchKind.PHRASE)
    # any other spot in the same 'DELIVERED - <where>' shape stays delivered, not unmapped
    assert VOCABULARY.resolve("DELIVERED - FRONT DESK").stage is Stage.DELIVERED
    # ... but not a different event that merely starts with the word
    assert VOCABULARY.resolve("DELIVERED TO AGENT? NO").match is MatchKind.UNMAPPED


# -- texts and keys that say why ------------------------------------------------------------------

REASONS: list[tuple[str | None, str | None, Stage, Reason]] = [
    # Parcel PL (DHL24 texts and codes)
    (
        "próba doręczenia zakończona niepowodzeniem. Odbiorcy nie było w domu w momencie doręczenia"
        " przesyłki",
        None,
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    (None, "AWI_ONU", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("odbiorca odmówił przyjęcia przesyłki", None, Stage.EXCEPTION, Reason.REFUSED),
    ("przesyłka niekompletna", None, Stage.EXCEPTION, Reason.PARTIAL_DELIVERY),
    (
        "przesyłka będzie zwrócona do nadawcy, Adresat nieznany",
        None,
        Stage.RETURN_TO_SENDER,
        Reason.ADDRESS_PROBLEM,
    ),
    ("przesyłka błędnie zaadresowana lub niepełny adres", None, Stage.EXCEPTION, Reason.ADDRESS_PROBLEM),
    (
        "zwrot przesyłki do nadawcy - odbiorca odmówił przyjęcia przesyłki",
        None,
        Stage.RETURN_TO_SENDER,
        Reason.REFUSED,
    ),
    # Parcel NL keys
    (None, "NOT_HOME_NEW_DELIVERY", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    (None, "DELIVERED_DAMAGED", Stage.DELIVERED, Reason.DAMAGED),
    (None, "PARTIAL_DELIVERY", Stage.DELIVERED, Reason.PARTIAL_DELIVERY),
    (None, "REFUSED_DAMAGED", Stage.RETURN_TO_SENDER, Reason.DAMAGED),
    (None, "TRANSPORT_DELAY", Stage.DELAYED, Reason.CARRIER_DELAY),
    # Parcel DE ICE combinations and texts
    (None, "CNFSC_LEGAT_BV", Stage.EXCEPTION, Reason.SEIZED),
    (None, "DLVRD_ACCDM_ZU", Stage.DELIVERED, Reason.DAMAGED),
    (None, "DLVRD_ACCSI_ZU", Stage.DELIVERED, Reason.PARTIAL_DELIVERY),
    ("Rückstellung auf Kundenwunsch", None, Stage.DELAYED, Reason.HELD_AT_REQUEST),
    # Express
    ("Delivered damaged", "DD", Stage.DELIVERED, Reason.DAMAGED),
    (None, "PD", Stage.DELIVERED, Reason.PARTIAL_DELIVERY),
    ("Partial delivery", None, Stage.DELIVERED, Reason.PARTIAL_DELIVERY),
    (
        "Nicht durch DHL beeinflussbare Verzögerung in der Verzollung",
        None,
        Stage.CUSTOMS_HOLD,
        Reason.CUSTOMS_INSPECTION,
    ),
]


@pytest.mark.parametrize(("text", "code", "stage", "reason"), REASONS)
def test_texts_that_say_why_carry_the_reason(
    text: str | None, code: str | None, stage: Stage, reason: Reason
) -> None:
    res = VOCABULARY.resolve(text, code)
    assert (res.stage, res.reason) == (stage, reason)


# -- namespaces -----------------------------------------------------------------------------------


def test_short_parcel_pl_codes_only_count_with_their_text() -> None:
    """CC is the Express 'awaiting consignee collection'; DHL24's CC means processing trouble."""
    assert VOCABULARY.resolve(None, "CC").stage is Stage.AVAILABLE_FOR_PICKUP
    trouble = (
        "powstały trudności w procesowaniu przesyłki. Aby uzyskać szczegółowe informacje prosimy o"
        " kontakt z Działem Obsługi Klienta DHL Parcel"
    )
    assert VOCABULARY.resolve(trouble, "CC").stage is Stage.EXCEPTION
    assert VOCABULARY.resolve(None, "LK").match is MatchKind.UNMAPPED
    assert VOCABULARY.resolve("przesyłka przekazana kurierowi do doręczenia", "LK").stage is (
        Stage.OUT_FOR_DELIVERY
    )


def test_parcelshop_return_to_hub_is_the_outbound_flow() -> None:
    for key in ("PARCEL_READY_FOR_RETURN_TO_HUB", "PARCEL_RETURNED_FROM_ROUTE"):
        assert VOCABULARY.resolve(None, key).stage is Stage.IN_TRANSIT
    assert VOCABULARY.resolve(None, "RETURNED_TO_SHIPPER").stage is Stage.RETURN_TO_SENDER


def test_every_part_file_is_listed_and_loaded() -> None:
    main = tomllib.loads((PACKAGE / "vocabulary.toml").read_text(encoding="utf-8"))
    listed = main["meta"]["parts"]
    assert sorted(listed) == sorted(f"vocab/{p.name}" for p in (PACKAGE / "vocab").glob("*.toml"))
    expected = len(main.get("rule", ()))
    for name in listed:
        part = tomllib.loads((PACKAGE / name).read_text(encoding="utf-8"))
        assert part["meta"]["carrier"] == "dhl"
        assert part.get("rule"), name
        expected += len(part["rule"])
        for key in part["meta"].get("sources", {}):
            assert key in VOCABULARY.sources, (name, key)
    assert len(VOCABULARY.own_rules()) == expected
