"""The world vocabulary, thirteenth round (central and eastern Europe): new parts for Czech Post in
Czech (``czech-post``), Packeta (``packeta``) and the Romanian couriers FAN Courier and Sameday
(``romania-couriers``).

Checks that the new parts are listed and load with sourced rules under their own source prefix,
that sourced samples resolve to their stage and reason, that wordings left out on purpose stay
unmapped in their part, and that no folded phrase of these rules is claimed with another meaning by
any installed vocabulary. The held-out set collected before these rules is checked in
``test_unseen_batch13_eu.py``.
"""

from __future__ import annotations

import pytest
from worldround import (
    assert_no_phrase_claimed_twice,
    assert_part_listed_with_sourced_rules,
    assert_part_uses_its_prefix,
    assert_sample_resolves,
    part,
    round_rules,
)

from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, shared_vocabulary

#: New parts of this round and their source prefix.
NEW = {"czech-post": "CZP_", "packeta": "PKT_", "romania-couriers": "RO_"}


def _batch13_rules() -> list[Rule]:
    return round_rules(NEW)


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


@pytest.mark.parametrize(("stem", "prefix"), sorted(NEW.items()))
def test_new_parts_are_listed_and_load_with_sourced_rules(stem: str, prefix: str) -> None:
    assert_part_listed_with_sourced_rules(stem)
    assert_part_uses_its_prefix(stem, prefix)


SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    ("czech-post", "PŘEDANÁ DATA", Stage.LABEL_CREATED, None),
    ("czech-post", "Podaná zásilka", Stage.ACCEPTED, None),
    ("czech-post", "podano", Stage.ACCEPTED, None),
    ("czech-post", "V PŘEPRAVĚ", Stage.IN_TRANSIT, None),
    ("czech-post", "Vstup na dodací poštu", Stage.AT_DESTINATION_FACILITY, None),
    ("czech-post", "Uložená", Stage.AVAILABLE_FOR_PICKUP, None),
    ("czech-post", "DORUČENO", Stage.DELIVERED, None),
    ("czech-post", "VRACÍ SE", Stage.RETURN_TO_SENDER, None),
    ("czech-post", "Doručená odesílateli", Stage.RETURNED, None),
    ("czech-post", "Poškozená", Stage.EXCEPTION, Reason.DAMAGED),
    ("packeta", "received data", Stage.LABEL_CREATED, None),
    ("packeta", "prepared for departure", Stage.IN_TRANSIT, None),
    ("packeta", "handed to carrier", Stage.HANDED_TO_LAST_MILE, None),
    ("packeta", "zbox delivery attempt", Stage.DELIVERY_ATTEMPTED, None),
    ("packeta", "posted back", Stage.RETURN_TO_SENDER, None),
    ("romania-couriers", "AWB Generat", Stage.LABEL_CREATED, None),
    ("romania-couriers", "Expeditie sortata pe banda", Stage.IN_TRANSIT, None),
    ("romania-couriers", "Expeditie in depozitul de destinatie", Stage.AT_DESTINATION_FACILITY, None),
    ("romania-couriers", "Expeditie preluate spre livrare", Stage.OUT_FOR_DELIVERY, None),
    ("romania-couriers", "Avizat", Stage.DELIVERY_ATTEMPTED, None),
    ("romania-couriers", "Adresa gresita", Stage.DELIVERY_ATTEMPTED, Reason.ADDRESS_PROBLEM),
    ("romania-couriers", "Nu raspunde la telefon", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("romania-couriers", "Refuz primire", Stage.DELIVERY_ATTEMPTED, Reason.REFUSED),
    ("romania-couriers", "Predat partener extern", Stage.HANDED_TO_LAST_MILE, None),
    ("romania-couriers", "Retur solicitat", Stage.RETURN_TO_SENDER, None),
    ("romania-couriers", "Lipsa acte vama", Stage.CUSTOMS_HOLD, Reason.CUSTOMS_DOCUMENTS_REQUIRED),
    ("romania-couriers", "Ti-am returnat coletul cu succes.", Stage.RETURNED, None),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    assert_sample_resolves(world, stem, text, stage, reason)


def test_every_part_of_this_round_has_samples() -> None:
    assert {stem for stem, *_ in SAMPLES} == set(NEW)


@pytest.mark.parametrize(
    ("stem", "text"),
    [
        # held-out texts, and names whose stage the words leave open (see each part's header)
        ("czech-post", "Obdrženy údaje k zásilce"),
        ("czech-post", "Chybně směrovaná"),
        ("czech-post", "ÚLOŽNA BALÍKOVNA"),
        ("packeta", "ready for pickup"),
        ("packeta", "arrived"),
        ("packeta", "collected"),
        ("packeta", "rejected by recipient"),
        ("romania-couriers", "Expeditie ridicata"),
        ("romania-couriers", "Livrat"),
        ("romania-couriers", "Livrare din sediul FAN Courier"),
        ("romania-couriers", "Neplecata"),
        ("romania-couriers", "Din pacate, coletul nu poate fi localizat. Revenim cu vesti."),
    ],
)
def test_left_out_wordings_stay_unmapped_in_their_part(stem: str, text: str) -> None:
    assert part(stem).resolve(text).stage is Stage.UNKNOWN, text


def test_no_phrase_of_this_round_is_claimed_with_another_meaning() -> None:
    assert_no_phrase_claimed_twice(_batch13_rules(), at_least=50)
