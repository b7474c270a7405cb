"""The world vocabulary, fourteenth round (UK and Ukraine): a new part for Nova Poshta in Ukrainian
(``nova-poshta``).

Checks that the new part is listed and loads with sourced rules under its own source prefix, that
sourced samples resolve to their stage and reason, that wordings left out on purpose stay unmapped
in their part, and that no folded phrase of these rules is claimed with another meaning by any
installed vocabulary. The held-out set collected before these rules is checked in
``test_unseen_batch14_eu.py``.
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
from tracklingo.vocabulary import Vocabulary, shared_vocabulary

#: New parts of this round and their source prefix.
NEW = {"nova-poshta": "NP_"}


@pytest.mark.parametrize(("stem", "prefix"), sorted(NEW.items()))
def test_new_parts_are_listed_and_load_with_sourced_rules(stem: str, prefix: str) -> None:
    assert_part_listed_with_sourced_rules(stem)
    assert_part_uses_its_prefix(stem, prefix)


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    (
        "nova-poshta",
        "Відправник самостійно створив цю накладну, але ще не надав до відправки",
        Stage.LABEL_CREATED,
        None,
    ),
    ("nova-poshta", "Прибув на відділення", Stage.AVAILABLE_FOR_PICKUP, None),
    ("nova-poshta", "Прибув на відділення (завантажено в Поштомат)", Stage.AVAILABLE_FOR_PICKUP, None),
    ("nova-poshta", "На шляху до одержувача", Stage.IN_TRANSIT, None),
    (
        "nova-poshta",
        "Відмова одержувача (отримувач відмовився від відправлення)",
        Stage.DELIVERY_ATTEMPTED,
        Reason.REFUSED,
    ),
    ("nova-poshta", "Припинено зберігання", Stage.RETURN_TO_SENDER, None),
    ("nova-poshta", "Одержано і створено ЄН зворотньої доставки", Stage.DELIVERED, None),
    (
        "nova-poshta",
        "Невдала спроба доставки через відсутність Одержувача на адресі або зв'язку з ним",
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    assert_sample_resolves(world, stem, text, stage, reason)


@pytest.mark.parametrize(
    "text",
    [
        # held-out texts, and names whose stage the words leave open (see the part's header)
        "Змінено адресу",
        "Відправлення отримано",
        "Видалено",
        "Номер не знайдено",
        "Нова Пошта комплектує ваше відправлення",
    ],
)
def test_left_out_wordings_stay_unmapped_in_their_part(text: str) -> None:
    assert part("nova-poshta").resolve(text).stage is Stage.UNKNOWN, text


def test_no_phrase_of_this_round_is_claimed_with_another_meaning() -> None:
    assert_no_phrase_claimed_twice(round_rules(NEW), at_least=9)
