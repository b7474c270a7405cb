"""The world vocabulary, fourteenth round (UPS, Royal Mail, Amazon): UPS's status names by Track
API status code (``UPS_SC``) and activity descriptions (``UPS_TS``) in the UPS part, a Royal Mail
partial-tracking message (``RM_LM``) and an Amazon order-page delivery line (``AMZ_ORD``).

Checks that the added sources are their parts' own and used, that sourced samples resolve to their
stage and reason, that wordings left out on purpose stay unmapped, that no folded phrase of these
rules is claimed with another meaning by any installed vocabulary, and that none of them is a text
of a held-out set (the round's held-out set is checked in ``test_unseen_batch14_ups.py``).
"""

from __future__ import annotations

import pytest
from worldround import (
    assert_added_sources_are_theirs_and_used,
    assert_no_phrase_claimed_twice,
    assert_sample_resolves,
    part,
    round_rules,
    rules_that_are_held_out_texts,
)

from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, shared_vocabulary

#: Source keys this round added to existing parts (each part keeps its family prefix).
ADDED = {
    "ups": ("UPS_", {"UPS_SC", "UPS_TS"}),
    "royal-mail": ("RM_", {"RM_LM"}),
    "amazon": ("AMZ_", {"AMZ_ORD"}),
}


def batch14_rules() -> list[Rule]:
    """Every rule of the sources this round added to existing parts."""
    return round_rules([], {stem: keys for stem, (_, keys) in ADDED.items()})


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


@pytest.mark.parametrize("stem", sorted(ADDED))
def test_sources_added_to_existing_parts_are_theirs_and_used(stem: str) -> None:
    prefix, keys = ADDED[stem]
    assert_added_sources_are_theirs_and_used(stem, prefix, keys)


SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    ("ups", "Order Processed: In Transit to UPS", Stage.LABEL_CREATED, None),
    ("ups", "Shipment Information Voided", Stage.CANCELLED, None),
    ("ups", "Service Upgraded", Stage.IN_TRANSIT, None),
    ("ups", "Out For Delivery to UPS Access Point", Stage.IN_TRANSIT, None),
    ("ups", "Clearance Completed", Stage.CUSTOMS_CLEARED, None),
    ("ups", "Transferred to Local Post Office for Delivery", Stage.HANDED_TO_LAST_MILE, None),
    ("ups", "On Vehicle for Delivery Today", Stage.OUT_FOR_DELIVERY, None),
    ("ups", "Second Attempt Made", Stage.DELIVERY_ATTEMPTED, None),
    ("ups", "Delivered to UPS Access Point Awaiting Customer Pickup", Stage.AVAILABLE_FOR_PICKUP, None),
    ("ups", "Signature obtained", Stage.DELIVERED, None),
    ("ups", "Held for Future Delivery", Stage.DELAYED, Reason.HELD_AT_REQUEST),
    ("ups", "Delay: Severe Weather", Stage.DELAYED, Reason.WEATHER),
    ("ups", "Delay: Action Required", Stage.EXCEPTION, None),
    ("ups", "Address Information Required", Stage.EXCEPTION, Reason.ADDRESS_PROBLEM),
    ("ups", "Damage Reported", Stage.EXCEPTION, Reason.DAMAGED),
    ("ups", "Delivery Refused", Stage.EXCEPTION, Reason.REFUSED),
    ("ups", "Clearance Information Required", Stage.CUSTOMS_HOLD, Reason.CUSTOMS_DOCUMENTS_REQUIRED),
    ("ups", "Returning to Sender: In Transit", Stage.RETURN_TO_SENDER, None),
    (
        "royal-mail",
        "An update will only be provided when we attempt to deliver your item",
        Stage.IN_TRANSIT,
        None,
    ),
    ("amazon", "Your package was delivered. It was handed directly to a resident.", Stage.DELIVERED, None),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    assert_sample_resolves(world, stem, text, stage, reason)


def test_every_part_of_this_round_has_samples() -> None:
    assert {stem for stem, *_ in SAMPLES} == set(ADDED)


@pytest.mark.parametrize(
    "text",
    [
        # said of two states, no stage said, taught the inference wrong, or a held-out text
        "Held in Warehouse",
        "Delivery Change Requested: Hold for Pickup",
        "Voided Pickup",
        "UPS Access Point™ possession",
        "Delivery Change Completed",
        "In Transit to a UPS Access Point",
        "Delivered by Local Post Office",
    ],
)
def test_left_out_wordings_stay_unmapped_in_the_ups_part(text: str) -> None:
    assert part("ups").resolve(text).stage is Stage.UNKNOWN, text


def test_no_phrase_of_this_round_is_claimed_with_another_meaning() -> None:
    assert_no_phrase_claimed_twice(batch14_rules(), at_least=40)


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    """The rules came from other sources than any held-out set: none of their phrases may be a
    held-out text (that would measure the table, not the layers)."""
    assert rules_that_are_held_out_texts(batch14_rules()) == set()
