"""The world vocabulary in Asia and the Middle East, ninth round: new parts for Indian express
couriers (``india-couriers``: Blue Dart, Ecom Express, DTDC, Delhivery), Indonesia (``indonesia``: JNE, J&T
Express and SiCepat), Ninja Van (``ninja-van``), SMSA Express (``smsa``) and Viettel Post (``viettel-post``).

Checks that the new parts are listed and load with sourced text rules under their own source
prefix, that sourced samples resolve to their stage and reason (JNE's bracketed places and
SiCepat's texts through anchored patterns that never capture a person's name), that wordings left
out on purpose stay unmapped in their part, that no folded phrase of these rules is claimed with
another stage by any installed vocabulary, and that the held-out set collected before these rules
(``data/unseen_texts_batch9_asia.jsonl``: JNE, SiCepat and Delhivery texts in English and
Indonesian) is well formed, shares no text with the rules or with the earlier held-out sets, is
cited by none of this round's sources, and stays answered at least as well as measured.
"""

from __future__ import annotations

import re

import pytest
from worldround import (
    DATA,
    assert_no_phrase_claimed_twice,
    assert_part_listed_with_sourced_rules,
    assert_part_uses_its_prefix,
    assert_row,
    assert_sample_resolves,
    declared_sources,
    held_out_file_ids_cited,
    held_out_rows,
    measure,
    part,
    round_rules,
    rules_that_are_held_out_texts,
    texts_shared_with_other_sets,
)

from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, normalize_phrase, shared_vocabulary

HELD_OUT = DATA / "unseen_texts_batch9_asia.jsonl"

#: New parts of this round and their source prefix.
NEW = {
    "india-couriers": "INX_",
    "indonesia": "ID_",
    "ninja-van": "SG_",
    "smsa": "ME_",
    "viettel-post": "VN_",
}


def _batch9_rules() -> list[Rule]:
    return round_rules(NEW)


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


@pytest.mark.parametrize("stem", sorted(NEW))
def test_new_parts_are_listed_and_load_with_sourced_text_rules(stem: str) -> None:
    assert_part_listed_with_sourced_rules(stem, rules="either")


@pytest.mark.parametrize(("stem", "prefix"), sorted(NEW.items()))
def test_new_parts_use_their_own_source_prefix_and_every_source(stem: str, prefix: str) -> None:
    assert_part_uses_its_prefix(stem, prefix)


SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    ("india-couriers", "PICK UP SCAN ON FIELD", Stage.ACCEPTED, None),
    ("india-couriers", "SHIPMENT OUTSCANNED TO NETWORK", Stage.IN_TRANSIT, None),
    ("india-couriers", "CANVAS BAG IN SCAN AT DESTINATION LOC", Stage.AT_DESTINATION_FACILITY, None),
    ("india-couriers", "SHIPMENT OUTSCAN", Stage.OUT_FOR_DELIVERY, None),
    ("india-couriers", "SHIPMENT PARTIALLY DELIVERED", Stage.DELIVERED, Reason.PARTIAL_DELIVERY),
    ("india-couriers", "HANDED OVER TO AD-HOC/AGENT/SUB-COURIER", Stage.HANDED_TO_LAST_MILE, None),
    (
        "india-couriers",
        "HELD FOR DUTY/TAXES/FEES PAYMENT",
        Stage.CUSTOMS_HOLD,
        Reason.CUSTOMS_PAYMENT_DUE,
    ),
    ("india-couriers", "RELEASED FROM CUSTOMS", Stage.CUSTOMS_CLEARED, None),
    ("india-couriers", "COMM FLIGHT,VEH/TRAIN; DELAYED/CANCELLED", Stage.DELAYED, Reason.CARRIER_DELAY),
    ("india-couriers", "HEAVY RAIN", Stage.DELAYED, Reason.WEATHER),
    (
        # exception (was delivery_attempted): label audit, issue 15, address problems
        "india-couriers",
        "ADDRESS INCORRECT; CANNOT DELIVER",
        Stage.EXCEPTION,
        Reason.ADDRESS_PROBLEM,
    ),
    (
        "india-couriers",
        "CONSIGNEE NOT AVAILABLE;CANT DELIVER",
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    (
        "india-couriers",
        "RESIDENCE/OFFICE CLOSED;CANT DELIVER",
        Stage.DELIVERY_ATTEMPTED,
        Reason.BUSINESS_CLOSED,
    ),
    ("india-couriers", "CONSIGNEE REFUSED TO ACCEPT", Stage.EXCEPTION, Reason.REFUSED),
    ("india-couriers", "SHP IMPOUNDED BY REGULATORY AUTHORITY", Stage.EXCEPTION, Reason.SEIZED),
    ("india-couriers", "LOST SHIPMENT", Stage.EXCEPTION, Reason.LOST),
    ("india-couriers", "SHIPMENT KEPT IN PARCEL LOCKER", Stage.AVAILABLE_FOR_PICKUP, None),
    ("india-couriers", "RTO FROM HUB ON FRESH AWB", Stage.RETURN_TO_SENDER, None),
    ("india-couriers", "DELIVERED BACK TO SHIPPER", Stage.RETURNED, None),
    ("india-couriers", "Shipment in-scan at DC", Stage.AT_DESTINATION_FACILITY, None),
    (
        "india-couriers",
        "Shipment attempted - Customer not available",
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    ("india-couriers", "Transit Damage", Stage.EXCEPTION, Reason.DAMAGED),
    ("india-couriers", "Booking done in DTDC hub", Stage.ACCEPTED, None),
    (
        "india-couriers",
        "OFFICE CLOSED OR DOOR LOCK-(CIR)",
        Stage.DELIVERY_ATTEMPTED,
        Reason.BUSINESS_CLOSED,
    ),
    ("india-couriers", "LOCAL HOLIDAY-(OTR)", Stage.DELAYED, Reason.CARRIER_DELAY),
    ("india-couriers", "Consignee Unavailable", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("india-couriers", "Office/Institute closed", Stage.DELIVERY_ATTEMPTED, Reason.BUSINESS_CLOSED),
    ("india-couriers", "Returned As Per Client Instructions", Stage.RETURN_TO_SENDER, None),
    ("indonesia", "MANIFEST", Stage.LABEL_CREATED, None),
    ("indonesia", "SHIPMENT RECEIVED BY COUNTER OFFICER", Stage.ACCEPTED, None),
    ("indonesia", "RECEIVED AT ORIGIN GATEWAY", Stage.IN_TRANSIT, None),
    ("indonesia", "RECEIVED AT INBOUND STATION", Stage.AT_DESTINATION_FACILITY, None),
    ("indonesia", "WITH DELIVERY COURIER", Stage.OUT_FOR_DELIVERY, None),
    ("indonesia", "DELIVERED TO RECEIVER", Stage.DELIVERED, None),
    ("indonesia", "Paket keluar dari", Stage.IN_TRANSIT, None),
    ("indonesia", "Manifes", Stage.LABEL_CREATED, None),
    ("indonesia", "Paket akan dikirim ke alamat penerima", Stage.OUT_FOR_DELIVERY, None),
    ("indonesia", "Paket telah diterima", Stage.DELIVERED, None),
    ("indonesia", "Paket akan diretur", Stage.RETURN_TO_SENDER, None),
    ("ninja-van", "Pending Pickup", Stage.LABEL_CREATED, None),
    ("ninja-van", "Arrived at Transit Hub", Stage.IN_TRANSIT, None),
    ("ninja-van", "Arrived at Destination Hub", Stage.AT_DESTINATION_FACILITY, None),
    ("ninja-van", "Delivered, Left at Doorstep", Stage.DELIVERED, None),
    ("ninja-van", "Delivery Exception, Pending Reschedule", Stage.DELIVERY_ATTEMPTED, None),
    ("ninja-van", "Delivery Exception, Return to Sender Initiated", Stage.RETURN_TO_SENDER, None),
    ("smsa", "DATA RECEIVED", Stage.LABEL_CREATED, None),
    ("smsa", "ARRIVED HUB FACILITY", Stage.IN_TRANSIT, None),
    ("smsa", "PROOF OF DELIVERY CAPTURED", Stage.DELIVERED, None),
    ("smsa", "SHIPMENT REFUSE BY RECIPIENT", Stage.EXCEPTION, Reason.REFUSED),
    ("smsa", "RETURNED TO CLIENT", Stage.RETURNED, None),
    ("viettel-post", "Đơn hàng chờ xử lý", Stage.LABEL_CREATED, None),
    ("viettel-post", "Lấy hàng thành công", Stage.ACCEPTED, None),
    ("viettel-post", "Ðóng túi gói", Stage.IN_TRANSIT, None),
    ("viettel-post", "Giao bưu tá đi phát", Stage.OUT_FOR_DELIVERY, None),
    ("viettel-post", "Thành công - Phát thành công", Stage.DELIVERED, None),
    (
        "viettel-post",
        "Tồn - Khách hàng nghỉ, không có nhà",
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    ("viettel-post", "Tồn - Khách hàng đến bưu cục nhận", Stage.AVAILABLE_FOR_PICKUP, None),
    ("viettel-post", "Bưu cục phát duyệt hoàn", Stage.RETURN_TO_SENDER, None),
    ("viettel-post", "Thành công - Chuyển trả người gửi", Stage.RETURNED, None),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    assert_sample_resolves(world, stem, text, stage, reason)


def test_every_part_of_this_round_has_samples() -> None:
    assert {stem for stem, *_ in SAMPLES} == set(NEW)


# texts of this round's sources (not of the held-out set), with the place or person they carry
PATTERN_SAMPLES: list[tuple[str, Stage, Reason | None, dict[str, str]]] = [
    ("RECEIVED AT SORTING CENTER [CILEGON]", Stage.IN_TRANSIT, None, {"facility": "CILEGON"}),
    ("RECEIVED AT WAREHOUSE [INBOUND BKI1]", Stage.IN_TRANSIT, None, {"facility": "INBOUND BKI1"}),
    ("WITH DELIVERY COURIER [BEKASI]", Stage.OUT_FOR_DELIVERY, None, {"facility": "BEKASI"}),
    ("DELIVERED TO [ZAINI | 26-10-2020 11:06 | JAKARTA ]", Stage.DELIVERED, None, {}),
    ("Terima permintaan pick up dari [Tokopedia]", Stage.LABEL_CREATED, None, {}),
    ("Paket telah di pick up oleh [SIGESIT - Fajar triyadi]", Stage.ACCEPTED, None, {}),
    (
        "Paket telah di input (manifested) di Jakarta Barat [Jakbar Tegal Alur]",
        Stage.ACCEPTED,
        None,
        {"facility": "Jakbar Tegal Alur"},
    ),
    (
        "Paket telah di terima di Bandung [Bandung Hub 1]",
        Stage.IN_TRANSIT,
        None,
        {"facility": "Bandung Hub 1"},
    ),
    (
        "Paket keluar dari Bandung [Bandung Sumberasih]",
        Stage.IN_TRANSIT,
        None,
        {"facility": "Bandung Sumberasih"},
    ),
    ("Paket dibawa [SIGESIT - Suhendra]", Stage.OUT_FOR_DELIVERY, None, {}),
    ("Paket diterima oleh [Kamil - (YBS) Yang Bersangkutan]", Stage.DELIVERED, None, {}),
    # exception (was delivery_attempted): label audit, issue 15, address problems
    (
        "Paket di kembalikan di Lebak [Lebak Malingping Selatan COD] - (CU) Cnee Unknown",
        Stage.EXCEPTION,
        Reason.ADDRESS_PROBLEM,
        {},
    ),
    ("PAKET DI KEMBALIKAN DI CIREBON [CIREBON HUB] - (LOST) HILANG", Stage.EXCEPTION, Reason.LOST, {}),
]


@pytest.mark.parametrize(("text", "stage", "reason", "captured"), PATTERN_SAMPLES)
def test_texts_with_a_place_or_person_resolve_by_pattern(
    world: Vocabulary, text: str, stage: Stage, reason: Reason | None, captured: dict[str, str]
) -> None:
    res = world.resolve(text)
    assert (res.stage, res.reason, res.match) == (stage, reason, MatchKind.PATTERN), text
    assert dict(res.captured) == captured


def test_no_pattern_of_this_round_captures_anything_but_a_facility() -> None:
    for rule in _batch9_rules():
        if rule.pattern:
            assert set(re.compile(rule.pattern).groupindex) <= {"facility"}, rule.pattern


@pytest.mark.parametrize(
    ("stem", "text"),
    [
        # what happened to the parcel is not said, or the words say it differently elsewhere
        ("india-couriers", "CONTACT CUSTOMER CARE"),
        ("india-couriers", "FORWARDED TO 3RD PARTY-NO POD AVAILABLE"),
        ("india-couriers", "BEING PROCESSED AT CUSTOMS"),
        ("india-couriers", "SHIPMENT RETURNED BACK TO SHIPPER"),
        ("india-couriers", "Bad Address"),
        ("indonesia", "Paket disimpan di gudang J&T"),
        ("indonesia", "Paket di kembalikan di Lebak [Lebak Malingping Selatan COD] - (HOLD) Hold / Pending"),
        ("ninja-van", "Returned to Sender"),
        ("smsa", "RETURNED TO SHIPPER"),
        ("viettel-post", "Hủy - Theo yêu cầu khách hàng"),
        ("viettel-post", "Phát tiếp"),
        # held-out texts of this or earlier sets: never rules of this round
        ("india-couriers", "SHIPMENT DELIVERED"),
        ("india-couriers", "Bag Added To Trip"),
        ("ninja-van", "On Vehicle for Delivery"),
    ],
)
def test_left_out_wordings_stay_unmapped_in_their_part(stem: str, text: str) -> None:
    assert part(stem).resolve(text).stage is Stage.UNKNOWN, text


def test_no_phrase_of_this_round_is_claimed_with_another_stage() -> None:
    assert_no_phrase_claimed_twice(_batch9_rules(), at_least=151)


# --- the held-out set ----------------------------------------------------------------------------


def test_the_held_out_set_is_well_formed() -> None:
    rows = held_out_rows(HELD_OUT)
    assert len(rows) >= 30
    for row in rows:
        assert_row(row)
    assert {r["lang"] for r in rows} == {"en", "id"}
    assert {r["carrier"] for r in rows} == {"jne", "sicepat", "delhivery"}
    assert len({normalize_phrase(r["text"]) for r in rows}) == len(rows)
    assert len({r["source"] for r in rows}) >= 4


def test_the_held_out_set_shares_no_text_with_earlier_sets() -> None:
    assert texts_shared_with_other_sets(HELD_OUT) == set()


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    """The rules came from other sources than any held-out set: none of their phrases may be a
    held-out text of this round or an earlier one (that would measure the table, not the layer)."""
    assert rules_that_are_held_out_texts(_batch9_rules()) == set()


def test_held_out_sources_are_not_cited_by_this_round() -> None:
    cited = " ".join(text for stem in NEW for text in declared_sources(stem).values())
    assert held_out_file_ids_cited(HELD_OUT, cited) == []


def test_the_held_out_set_stays_answered_as_measured() -> None:
    """A regression floor, not the target: measured 16 of 32 right, 6 wrong, 10 unknown before
    this round's rules and 26 right, 2 wrong, 4 unknown after (the JNE and SiCepat texts with
    their place now read; the SiCepat texts naming a person and Delhivery's bag scans stay
    unknown, no source of this round has them)."""
    overall = measure(HELD_OUT)
    assert overall.n >= 30
    assert overall.correct >= 26
    assert overall.wrong <= 2
