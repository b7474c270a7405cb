"""The world vocabulary, fourteenth round (families outside Europe): new parts for Yilinker
Express in the Philippines (``yilinker-express``) and Post Haste in New Zealand (``nz-couriers``),
and a Shadowfax text in the Indian couriers part (``INX_SFX``).

Checks that the new parts are listed and load with sourced text rules under their own source
prefix, that the source added to the Indian part is its own and used, that sourced samples
resolve to their stage and reason, that wordings left out on purpose stay unmapped in their part,
that no folded phrase of these rules is claimed with another meaning by any installed vocabulary,
and that none of them is a text of a held-out set (the round's held-out set is checked in
``test_unseen_batch14_world.py``).
"""

from __future__ import annotations

import pytest
from worldround import (
    assert_added_sources_are_theirs_and_used,
    assert_no_phrase_claimed_twice,
    assert_part_listed_with_sourced_rules,
    assert_part_uses_its_prefix,
    assert_sample_resolves,
    part,
    round_rules,
    rules_that_are_held_out_texts,
)

from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, shared_vocabulary

#: New parts of this round and their source prefix.
NEW = {"yilinker-express": "PHX_", "nz-couriers": "NZC_"}
#: Source keys this round added to existing parts (each part keeps its family prefix).
ADDED = {"india-couriers": ("INX_", {"INX_SFX"})}


def batch14_rules() -> list[Rule]:
    """Every rule of this round's new parts and of the sources it added to existing parts."""
    return round_rules(NEW, {stem: keys for stem, (_, keys) in ADDED.items()})


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


@pytest.mark.parametrize("stem", sorted(NEW))
def test_new_parts_are_listed_and_load_with_sourced_text_rules(stem: str) -> None:
    assert_part_listed_with_sourced_rules(stem)


@pytest.mark.parametrize(("stem", "prefix"), sorted(NEW.items()))
def test_new_parts_use_their_own_source_prefix_and_every_source(stem: str, prefix: str) -> None:
    assert_part_uses_its_prefix(stem, prefix)


@pytest.mark.parametrize("stem", sorted(ADDED))
def test_sources_added_to_existing_parts_are_theirs_and_used(stem: str) -> None:
    prefix, keys = ADDED[stem]
    assert_added_sources_are_theirs_and_used(stem, prefix, keys)


SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    ("yilinker-express", "Acknowledged for pickup", Stage.LABEL_CREATED, None),
    ("yilinker-express", "Received by Rider, For Transferring", Stage.ACCEPTED, None),
    ("yilinker-express", "Segregated by Area", Stage.IN_TRANSIT, None),
    ("yilinker-express", "Received by Rider, For Delivery", Stage.OUT_FOR_DELIVERY, None),
    ("yilinker-express", "Received by Recipient", Stage.DELIVERED, None),
    ("yilinker-express", "Recipient Not Found", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("yilinker-express", "Damaged Upon Delivery", Stage.EXCEPTION, Reason.DAMAGED),
    ("yilinker-express", "Delivery Rejected By Recipient", Stage.DELIVERY_ATTEMPTED, Reason.REFUSED),
    ("nz-couriers", "On Board", Stage.OUT_FOR_DELIVERY, None),
    ("india-couriers", "Order Delivered", Stage.DELIVERED, None),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    assert_sample_resolves(world, stem, text, stage, reason)


def test_every_part_of_this_round_has_samples() -> None:
    assert {stem for stem, *_ in SAMPLES} == set(NEW) | set(ADDED)


@pytest.mark.parametrize(
    ("stem", "text"),
    [
        # no stage said, said of two states, or another carrier's meaning
        ("yilinker-express", "For Verification"),
        ("yilinker-express", "Ready for Pickup"),
        ("yilinker-express", "Received by Branch"),
        ("yilinker-express", "Recipient is Unable To Pay"),
        ("nz-couriers", "Delivered by courier or branch"),
        ("nz-couriers", "Pickup"),
    ],
)
def test_left_out_wordings_stay_unmapped_in_their_part(stem: str, text: str) -> None:
    assert part(stem).resolve(text).stage is Stage.UNKNOWN, text


def test_no_phrase_of_this_round_is_claimed_with_another_meaning() -> None:
    assert_no_phrase_claimed_twice(batch14_rules(), at_least=10)


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    """The rules came from other sources than any held-out set: none of their phrases may be a
    held-out text (that would measure the table, not the layers)."""
    assert rules_that_are_held_out_texts(batch14_rules()) == set()
