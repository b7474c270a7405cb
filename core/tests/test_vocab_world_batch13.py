"""The world vocabulary, thirteenth round (families outside Europe): new parts for OnTrac
(``ontrac``), UniUni (``uniuni``), Pos Malaysia/Pos Laju (``pos-malaysia``) and Blue Express Chile
(``chile``), and ups.com's in-page tracking headline in the UPS part (``UPS_GETSTATUS``).

Checks that the new parts are listed and load with sourced text rules under their own source
prefix, that the source added to the UPS part is its own and used, that sourced samples resolve to
their stage and reason, that wordings left out on purpose stay unmapped in their part, that no
folded phrase of these rules is claimed with another meaning by any installed vocabulary, and that
none of them is a text of a held-out set (the round's held-out set is checked in
``test_unseen_batch13_world.py``).
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
NEW = {"ontrac": "ONT_", "uniuni": "UNI_", "pos-malaysia": "MYP_", "chile": "CL_"}
#: Source keys this round added to existing parts (each part keeps its family prefix).
ADDED = {"ups": ("UPS_", {"UPS_GETSTATUS"})}


def batch13_rules() -> list[Rule]:
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
    ("ontrac", "Picked up from shipper", Stage.ACCEPTED, None),
    ("ontrac", "Package received at facility", Stage.IN_TRANSIT, None),
    ("ontrac", "Held for customer pickup", Stage.AVAILABLE_FOR_PICKUP, None),
    ("ontrac", "Not home on delivery attempt", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("ontrac", "Recipient closed for holiday", Stage.DELIVERY_ATTEMPTED, Reason.BUSINESS_CLOSED),
    ("ontrac", "Delay in delivery due to bad weather", Stage.DELAYED, Reason.WEATHER),
    ("ontrac", "Unsendable - Incomplete Delivery Address", Stage.EXCEPTION, Reason.ADDRESS_PROBLEM),
    ("ontrac", "Unsendable - Dangerous Goods", Stage.EXCEPTION, Reason.PROHIBITED_ITEM),
    ("ontrac", "Delivered open - contents may be missing", Stage.DELIVERED, None),
    ("ontrac", "Return to sender on next business day", Stage.RETURN_TO_SENDER, None),
    ("uniuni", "Shipment is being requested for pickup", Stage.LABEL_CREATED, None),
    ("uniuni", "Shipment was received at a partner location (virtual or PUDO)", Stage.ACCEPTED, None),
    ("uniuni", "Parcel sent to local UniUni warehouse for delivery", Stage.IN_TRANSIT, None),
    ("uniuni", "Task has been assigned to a driver", Stage.AT_DESTINATION_FACILITY, None),
    ("uniuni", "Shipment is out for delivery and is the current active task", Stage.OUT_FOR_DELIVERY, None),
    ("uniuni", "Second failed delivery attempt", Stage.DELIVERY_ATTEMPTED, None),
    ("uniuni", "Shipment has been returned to merchant or a return hub", Stage.RETURNED, None),
    ("uniuni", "Shipment has been cancelled by user or system", Stage.CANCELLED, None),
    ("pos-malaysia", "Consignment received and processed from posting at Post Offices", Stage.ACCEPTED, None),
    ("pos-malaysia", "Arrive At Delivery Facility", Stage.AT_DESTINATION_FACILITY, None),
    ("chile", "En Preparación", Stage.LABEL_CREATED, None),
    ("chile", "Arribado", Stage.AT_DESTINATION_FACILITY, None),
    ("chile", "Transferencia ruteador", Stage.AT_DESTINATION_FACILITY, None),
    ("chile", "Para solución", Stage.EXCEPTION, None),
    ("ups", "On the Way: Delayed", Stage.DELAYED, None),
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
        # no stage said, said of two states, or a held-out text
        ("ontrac", "Data entry"),
        ("ontrac", "Change of delivery address"),
        ("ontrac", "Held in warehouse"),
        ("uniuni", "The pickup for this shipment was cancelled"),
        ("uniuni", "Delivery exception (e.g., wrong address, no recipient)"),
        ("pos-malaysia", "Item posted over the counter"),
        ("pos-malaysia", "Direct delivery to customer"),
        ("chile", "Retiro"),
        ("chile", "En Camino"),
        ("chile", "En espera en bod. Devolución"),
        ("ups", "Shipment Ready for UPS"),
        ("ups", "On the Way"),
    ],
)
def test_left_out_wordings_stay_unmapped_in_their_part(stem: str, text: str) -> None:
    assert part(stem).resolve(text).stage is Stage.UNKNOWN, text


def test_no_phrase_of_this_round_is_claimed_with_another_meaning() -> None:
    assert_no_phrase_claimed_twice(batch13_rules(), at_least=40)


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    """The rules came from other sources than any held-out set: none of their phrases may be a
    held-out text (that would measure the table, not the layers)."""
    assert rules_that_are_held_out_texts(batch13_rules()) == set()
