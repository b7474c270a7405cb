"""The world vocabulary beyond Europe, seventh round: new parts for Aramex (``aramex``), China
Post / EMS (``china-post``), Sendle (``sendle``), China consolidators (``cross-border``) and
Courex (``courex``), and batch-7 sources added to existing parts
(aggregators: Shippo, ShipStation, 17TRACK and Sendcloud texts; Australia Post; UPS; Cainiao;
Amazon; India Post).

Checks that the new parts are listed and load with sourced text rules under their own source
prefix, that each batch-7 source of an extended part is used and belongs to that part's family,
that sourced samples resolve to their stage and reason (context rules only with a direction,
patterns with the place they carry), that no folded phrase of these rules is claimed with
another stage by any installed vocabulary, and that the held-out set collected before these rules
(``data/unseen_texts_batch7_global.jsonl``) is well formed and shares no text with the rules or
with the earlier held-out sets.
"""

from __future__ import annotations

import pytest
from worldround import (
    DATA,
    assert_added_sources_are_theirs_and_used,
    assert_no_phrase_claimed_twice,
    assert_part_listed_with_sourced_rules,
    assert_part_uses_its_prefix,
    assert_sample_resolves,
    declared_sources,
    held_out_rows,
    part,
    round_rules,
    rules_that_are_held_out_texts,
    texts_shared_with_other_sets,
)

from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, normalize_phrase, shared_vocabulary

HELD_OUT = DATA / "unseen_texts_batch7_global.jsonl"

#: New parts of this round and their source prefix.
NEW = {"aramex": "ARX_", "china-post": "CNP_", "sendle": "SND_", "cross-border": "XB_", "courex": "CRX_"}
#: Source keys this round added to existing parts (each part keeps its family prefix).
ADDED = {
    "aggregators": ("AGG_", {"AGG_SS", "AGG_SH", "AGG_17", "AGG_SC"}),
    "australia-post": ("AP_", {"AP_GO", "AP_LBL"}),
    "ups": ("UPS_", {"UPS_KTRK"}),
    "cainiao": ("CN_", {"CN_TRK", "CN_NOTE"}),
    "amazon": ("AMZ_", {"AMZ_SWISHIP", "AMZ_WEBOS", "AMZ_IN"}),
    "india-post": ("IN_", {"IN_TRK"}),
}


#: An existing source a batch-7 rule also draws on ("Arrived in New Zealand").
ALSO_USED = {"australia-post": {"AP_KAR"}}


def _batch7_rules() -> list[Rule]:
    return round_rules(NEW, {stem: keys | ALSO_USED.get(stem, set()) for stem, (_, keys) in ADDED.items()})


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


@pytest.mark.parametrize("stem", sorted(NEW))
def test_new_parts_are_listed_and_load_with_sourced_text_rules(stem: str) -> None:
    assert_part_listed_with_sourced_rules(stem, rules="any")


@pytest.mark.parametrize(("stem", "prefix"), sorted(NEW.items()))
def test_new_parts_use_their_own_source_prefix(stem: str, prefix: str) -> None:
    assert_part_uses_its_prefix(stem, prefix, every_source_used=False)


@pytest.mark.parametrize("stem", sorted(ADDED))
def test_sources_added_to_existing_parts_are_theirs_and_used(stem: str) -> None:
    prefix, keys = ADDED[stem]
    assert_added_sources_are_theirs_and_used(stem, prefix, keys)


SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    ("aramex", "Record created.", Stage.LABEL_CREATED, None),
    ("aramex", "Received at Origin Facility", Stage.ACCEPTED, None),
    (
        # exception (was delivery_attempted): label audit, issue 15, address problems
        "aramex",
        "Attempted Delivery - Awaiting Correct Delivery Address",
        Stage.EXCEPTION,
        Reason.ADDRESS_PROBLEM,
    ),
    (
        "aramex",
        "Customer Contact Attempts Completed - Pending Return to Shipper",
        Stage.RETURN_TO_SENDER,
        None,
    ),
    ("china-post", "Posting", Stage.ACCEPTED, None),
    ("sendle", "Pickup Attempted", Stage.LABEL_CREATED, None),
    ("cross-border", "Hand over to airline.", Stage.DEPARTED_ORIGIN_COUNTRY, None),
    ("courex", "On the way to deliver", Stage.OUT_FOR_DELIVERY, None),
    ("courex", "Undelivered - No One Home", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("cross-border", "Clearence processing completed - Export", Stage.EXPORT_CUSTOMS, None),
    ("cross-border", "Delivered to local carrier", Stage.HANDED_TO_LAST_MILE, None),
    ("sendle", "Card Left", Stage.DELIVERY_ATTEMPTED, None),
    ("aggregators", "Announced: not collected", Stage.LABEL_CREATED, None),
    ("china-post", "Despatch from Sorting Center", Stage.IN_TRANSIT, None),
    ("aggregators", "Your shipment pickup has been scheduled.", Stage.LABEL_CREATED, None),
    ("aggregators", "Your shipment is with the local delivery partner.", Stage.HANDED_TO_LAST_MILE, None),
    (
        "aggregators",
        "Delivery refused. Shipment being returned. Contact the sender.",
        Stage.RETURN_TO_SENDER,
        Reason.REFUSED,
    ),
    ("aggregators", "Your shipment is held in export customs. We'll update you.", Stage.EXPORT_CUSTOMS, None),
    ("aggregators", "Package has been accepted into the carrier network for delivery.", Stage.ACCEPTED, None),
    ("aggregators", "Package has been lost. Contact carrier for more details.", Stage.EXCEPTION, Reason.LOST),
    (
        "aggregators",
        "The package has left the port of the originating country/region.",
        Stage.DEPARTED_ORIGIN_COUNTRY,
        None,
    ),
    ("aggregators", "Sender has successfully received the returned package.", Stage.RETURNED, None),
    ("australia-post", "Arrived in New Zealand", Stage.ARRIVED_DESTINATION_COUNTRY, None),
    ("australia-post", "It's coming today", Stage.OUT_FOR_DELIVERY, None),
    (
        "australia-post",
        "Attempted delivery - Unable to gain access",
        Stage.DELIVERY_ATTEMPTED,
        Reason.NO_SECURE_LOCATION,
    ),
    ("ups", "Due to weather, your package is delayed by one business day.", Stage.DELAYED, Reason.WEATHER),
    ("cainiao", "Shipment confirmation", Stage.LABEL_CREATED, None),
    ("amazon", "Package has left seller facility and is in transit to carrier", Stage.LABEL_CREATED, None),
    ("amazon", "Returned to seller", Stage.RETURNED, None),
    ("india-post", "Bag Received", Stage.IN_TRANSIT, None),
    ("cainiao", "International reception", Stage.ARRIVED_DESTINATION_COUNTRY, None),
    ("cainiao", "Import customs clearance delay", Stage.CUSTOMS_HOLD, None),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    assert_sample_resolves(world, stem, text, stage, reason)


def test_every_part_of_this_round_has_samples() -> None:
    assert {stem for stem, *_ in SAMPLES} == set(NEW) | set(ADDED)


@pytest.mark.parametrize(
    ("text", "direction", "stage"),
    [
        ("Your shipment is going through customs.", "inbound", Stage.IMPORT_CUSTOMS),
        ("Your shipment is going through customs.", "outbound", Stage.EXPORT_CUSTOMS),
        ("Your shipment has passed customs clearance.", "inbound", Stage.CUSTOMS_CLEARED),
        ("Your shipment is held in customs. We'll update you.", "outbound", Stage.EXPORT_CUSTOMS),
        ("Your shipment is held in customs. We'll update you.", "inbound", Stage.CUSTOMS_HOLD),
        ("At customs", "inbound", Stage.IMPORT_CUSTOMS),
        ("Start Customs Clearence", "outbound", Stage.EXPORT_CUSTOMS),
    ],
)
def test_customs_texts_without_a_direction_are_context_rules(
    world: Vocabulary, text: str, direction: str, stage: Stage
) -> None:
    assert world.resolve(text).needs_context == "direction"
    res = world.resolve(text, context={"direction": direction})
    assert (res.stage, res.match) == (stage, MatchKind.CONTEXT)


@pytest.mark.parametrize(
    ("text", "stage", "facility"),
    [
        ("Awaiting collection at INALA HEIGHTS LPO", Stage.AVAILABLE_FOR_PICKUP, "INALA HEIGHTS LPO"),
        ("In transit to next facility in DARRA QLD", Stage.IN_TRANSIT, "DARRA QLD"),
        ("Item Bagged for ICH FARIDABAD", Stage.IN_TRANSIT, "ICH FARIDABAD"),
        ("Bag Despatched to DELHI RMS", Stage.IN_TRANSIT, "DELHI RMS"),
    ],
)
def test_patterns_keep_the_place(world: Vocabulary, text: str, stage: Stage, facility: str) -> None:
    res = world.resolve(text)
    assert (res.stage, res.match) == (stage, MatchKind.PATTERN)
    assert res.captured.get("facility") == facility


def test_left_out_wordings_stay_unmapped_in_these_parts() -> None:
    # a payment (Aramex); which post took the item over, sorting or delivery not said (Cainiao)
    assert part("aramex").resolve("Shipment charges paid").stage is Stage.UNKNOWN
    cainiao = part("cainiao")
    for text in ("Acceptance by the Post Services", "In distribution"):
        assert cainiao.resolve(text).stage is Stage.UNKNOWN, text
    # a notification, nothing about the parcel (ShipStation)
    text = "You've received an email with a shipment update."
    assert part("aggregators").resolve(text).stage is Stage.UNKNOWN


def test_no_phrase_of_this_round_is_claimed_with_another_stage() -> None:
    assert_no_phrase_claimed_twice(_batch7_rules(), at_least=101)


# --- the held-out set ----------------------------------------------------------------------------


def test_the_held_out_set_is_well_formed() -> None:
    rows = held_out_rows(HELD_OUT)
    assert len(rows) >= 40
    for row in rows:
        assert set(row) - {"reason"} == {"text", "stage", "source", "lang", "carrier"}, row
        assert Stage(row["stage"]) is not Stage.UNKNOWN
        assert row["text"].strip() and row["source"].strip() and row["carrier"].strip()
        assert row["lang"] == "en"
    assert len({normalize_phrase(r["text"]) for r in rows}) == len(rows)
    assert len({r["source"] for r in rows}) >= 8


def test_the_held_out_set_shares_no_text_with_earlier_sets() -> None:
    assert texts_shared_with_other_sets(HELD_OUT) == set()


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    """The rules came from other sources than any held-out set: none of their phrases may be a
    held-out text of this round or an earlier one (that would measure the table, not the layer)."""
    assert rules_that_are_held_out_texts(_batch7_rules()) == set()


def test_held_out_sources_are_not_cited_by_this_round() -> None:
    cited = " ".join(
        [text for stem in NEW for text in declared_sources(stem).values()]
        + [declared_sources(stem)[key] for stem, (_, keys) in ADDED.items() for key in keys]
    )
    for row in held_out_rows(HELD_OUT):
        address = row["source"].split(" ")[0]
        assert address not in cited, address
