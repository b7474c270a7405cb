"""The open-world layers' generalising mechanisms: negated, future and in-progress statements,
named countries and carriers, and long texts read by their status sentences.

The texts here are written for the tests (ordinary sentences in the lexicon's languages), not
taken from the held-out files."""

from __future__ import annotations

import pytest

from tracklingo.countries import country_spellings
from tracklingo.errors import VocabularyError
from tracklingo.openworld import OpenWorld, installed_vocabularies
from tracklingo.openworld.features import analyse, status_sentences
from tracklingo.openworld.lexicon import Lexicon, load_lexicon
from tracklingo.taxonomy import MatchKind, Stage


@pytest.fixture(scope="module")
def world() -> OpenWorld:
    return OpenWorld(installed_vocabularies())


def _stage(world: OpenWorld, text: str) -> Stage:
    answer = world.resolve(text)
    assert answer is not None
    return answer.stage


# -- negation, future, progress ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Your parcel has not been released by customs yet", "Die Sendung wurde vom Zoll noch nicht freigegeben"],
)
def test_customs_not_released_is_a_hold_not_a_release(world: OpenWorld, text: str) -> None:
    features = analyse(text).features
    assert "m:negation:released" in features and "c:released" not in features
    assert _stage(world, text) is Stage.CUSTOMS_HOLD


@pytest.mark.parametrize(
    "text",
    [
        "Your parcel is being cleared through customs",
        "Uw zending wordt door de douane ingeklaard",
        "Colis en cours de dédouanement",
    ],
)
def test_customs_in_progress_is_not_cleared(world: OpenWorld, text: str) -> None:
    features = analyse(text).features
    assert any(f.startswith("m:progressive:") for f in features)
    assert "c:released" not in features or "m:progressive:customs" in features
    assert _stage(world, text) is Stage.IMPORT_CUSTOMS


@pytest.mark.parametrize(
    ("text", "modifier"),
    [
        ("Zending wordt bezorgd", "progressive"),  # the present passive: being delivered
        ("Die Sendung wird zugestellt", "progressive"),
        ("Die Sendung wird morgen zugestellt", "expected"),  # a later day makes it a future
        ("Zending wordt morgen bezorgd", "expected"),
    ],
)
def test_a_present_passive_is_in_progress_and_a_later_day_makes_it_a_future(text: str, modifier: str) -> None:
    features = analyse(text).features
    assert f"m:{modifier}:delivered" in features
    assert "c:delivered" not in features


def test_a_delivery_announced_for_tomorrow_is_not_delivered(world: OpenWorld) -> None:
    assert _stage(world, "Die Sendung wird morgen zugestellt") is Stage.IN_TRANSIT


def test_a_shift_to_an_unknown_concept_is_refused() -> None:
    data = {
        "meta": {"languages": ["en"]},
        "concept": [{"name": "progressive", "scope": 2, "shift": ["later", "expected"], "en": ["being"]}],
    }
    with pytest.raises(VocabularyError, match="shifts to an unknown concept"):
        Lexicon.from_dict(data)
    with pytest.raises(VocabularyError, match="shift"):
        Lexicon.from_dict({**data, "concept": [{"name": "x", "shift": "later", "en": ["x"]}]})


# -- named countries ----------------------------------------------------------------------------


def test_country_spellings_come_in_the_lexicon_languages_without_short_codes() -> None:
    names = country_spellings()
    assert {"united kingdom", "deutschland", "duitsland", "allemagne", "alemania", "niemcy"} <= names
    assert not {"us", "de", "at", "in", "usa"} & names  # a code in a sentence is a word


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Your parcel has departed Germany", Stage.DEPARTED_ORIGIN_COUNTRY),
        ("Die Sendung hat Deutschland verlassen", Stage.DEPARTED_ORIGIN_COUNTRY),
        ("Your parcel has arrived in Poland", Stage.ARRIVED_DESTINATION_COUNTRY),
        ("Votre colis est arrivé en Pologne", Stage.ARRIVED_DESTINATION_COUNTRY),
    ],
)
def test_leaving_or_reaching_a_named_country(world: OpenWorld, text: str, stage: Stage) -> None:
    assert "c:country_name" in analyse(text).features
    assert _stage(world, text) is stage


def test_a_country_name_is_no_compound_part() -> None:
    lex = load_lexicon()
    # a long word ending in "oman" is not Oman: a country is only a word of its own
    assert not any(h.concept == "country_name" for h in lex.hits(["sortierromanoman"]))


# -- named carriers -----------------------------------------------------------------------------


def test_a_hand_over_to_a_named_carrier_is_its_acceptance(world: OpenWorld) -> None:
    text = "Shipment handed over to Royal Mail"
    assert {"c:handover", "c:carrier_name"} <= analyse(text).features
    assert _stage(world, text) is Stage.ACCEPTED


def test_a_hand_over_to_the_local_partner_is_the_last_mile(world: OpenWorld) -> None:
    text = "Parcel handed over to the local delivery partner"
    assert "c:carrier_name" not in analyse(text).features
    assert _stage(world, text) is Stage.HANDED_TO_LAST_MILE


def test_known_carriers_names_are_carrier_concepts() -> None:
    # "An Post" is in known_carriers.toml, not in the lexicon's own [carriers] table
    assert "c:carrier_name" in analyse("Item handed to An Post").features


# -- status sentences ---------------------------------------------------------------------------


def test_boilerplate_sentences_are_left_out() -> None:
    text = "Your parcel is with our driver. For more information visit our website."
    assert status_sentences(text) == "Your parcel is with our driver."
    assert "w:websit" not in analyse(text).features


def test_a_single_sentence_or_all_boilerplate_is_kept() -> None:
    assert status_sentences("Delivered, visit our website") == "Delivered, visit our website"
    only = "Visit our website. Contact us for more information."
    assert status_sentences(only) == only


def test_a_long_text_answers_from_its_status_sentence(world: OpenWorld) -> None:
    answer = world.resolve(
        "Your parcel has arrived in Poland. Thank you for your patience, for updates visit our website."
    )
    assert answer is not None
    assert answer.match is MatchKind.INFERRED
    assert answer.stage is Stage.ARRIVED_DESTINATION_COUNTRY
