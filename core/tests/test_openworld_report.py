"""The data `explain` and `coverage` will print for open-world answers."""

from __future__ import annotations

import tomllib

import pytest

from tracklingo.openworld import OpenWorld, explain_unseen, installed_vocabularies, rule_stub
from tracklingo.taxonomy import MatchKind, Stage


@pytest.fixture(scope="module")
def world() -> OpenWorld:
    return OpenWorld(installed_vocabularies())


def test_an_inferred_reading_says_from_which_words(world: OpenWorld) -> None:
    answer = world.resolve("La aduana ha retenido el envío")
    assert answer is not None
    exp = explain_unseen(answer, label=lambda s: s.value)
    assert exp.sentence.startswith("tracklingo has not seen this exact wording; from ")
    assert "'aduana'" in exp.sentence and "customs_hold" in exp.sentence
    assert f"(confidence {round(answer.confidence or 0, 2):g})" in exp.sentence
    assert exp.to_dict()["stage"] == "customs_hold"


def test_the_stage_label_comes_from_the_advice_headlines(world: OpenWorld) -> None:
    answer = world.resolve("La aduana ha retenido el envío")
    assert answer is not None
    assert "reads as held by customs" in explain_unseen(answer).sentence


def test_an_abstention_lists_the_nearest_known_wordings(world: OpenWorld) -> None:
    answer = world.resolve("Zorblax quux in customs")
    assert answer is not None
    if answer.answered:  # the word "customs" may be enough for a reading; force an abstention
        answer = OpenWorld(world.vocabularies, threshold=1.01).resolve("Zorblax quux in customs")
    assert answer is not None and answer.match is MatchKind.UNMAPPED
    exp = explain_unseen(answer)
    assert "not clear enough to read a stage" in exp.sentence
    assert exp.suggestions and exp.to_dict()["suggestions"][0]["text"] == exp.suggestions[0].text


def test_a_carrier_that_is_not_installed_is_named(world: OpenWorld) -> None:
    answer = world.resolve("Arrived at GLS depot")
    assert answer is not None
    assert explain_unseen(answer).mentions == ("gls",)


def test_a_stub_confirms_the_reading_and_an_abstention_asks_for_a_stage(world: OpenWorld) -> None:
    a = world.resolve("La aduana ha retenido el envío")
    assert a is not None and a.answered
    stub = tomllib.loads(rule_stub(a))["rule"][0]
    assert stub["phrase"] == a.text and Stage(stub["stage"]) is a.stage
    unknown = OpenWorld(world.vocabularies, threshold=1.01).resolve("Zorblax quux")
    assert unknown is not None and not unknown.answered
    assert tomllib.loads(rule_stub(unknown))["rule"][0]["stage"] == "TODO"


def test_the_sentence_speaks_the_asked_language(world: OpenWorld) -> None:
    answer = world.resolve("Your package is held by customs awaiting payment of duties")
    assert answer is not None and answer.match is MatchKind.INFERRED
    english = explain_unseen(answer).sentence
    german = explain_unseen(answer, lang="de").sentence
    assert english.startswith("tracklingo has not seen this exact wording; from '")
    assert "Konfidenz" in german and german != english
    assert str(round(answer.confidence or 0, 2)).replace(".", ",") in german  # German decimal comma
