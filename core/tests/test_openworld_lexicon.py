"""The concept lexicon: words of six languages to concepts, and its data checks."""

from __future__ import annotations

from typing import Any

import pytest

from tracklingo.errors import VocabularyError
from tracklingo.openworld.lexicon import Lexicon, load_lexicon, words
from tracklingo.taxonomy import Reason, Stage


def concepts(text: str) -> set[str]:
    return {h.concept for h in load_lexicon().hits(words(text))}


@pytest.mark.parametrize(
    "text",
    [
        "Held by customs",
        "Vom Zoll angehalten",
        "Vastgehouden door de douane",
        "Retenu en douane",
        "Retenido en aduana",
        "Zatrzymana przez urząd celny",
    ],
)
def test_the_same_two_concepts_in_every_language(text: str) -> None:
    assert {"customs", "held"} <= concepts(text)


def test_apostrophes_split_french_words() -> None:
    assert words("l'adresse d’expédition") == ["l", "adresse", "d", "expedition"]
    assert "address" in concepts("l'adresse est incomplète")


def test_prefix_entries_match_word_starts_only() -> None:
    assert "customs" in concepts("Verzollung abgeschlossen")  # verzoll*
    assert "customs" not in concepts("Cancelled")  # no infix matching


def test_multiword_entries_need_the_whole_sequence() -> None:
    assert "out_for_delivery" in concepts("Out for delivery")
    assert "out_for_delivery" not in concepts("Out of customs for review")


def test_reasons_and_reason_stages_come_from_the_data() -> None:
    lex = load_lexicon()
    assert lex.concept("weather").reason is Reason.WEATHER
    assert Stage.DELAYED in lex.reason_stages[Reason.WEATHER]
    assert Stage.DELIVERED not in lex.reason_stages[Reason.LOST]


def test_every_declared_language_has_words_for_the_core_concepts() -> None:
    lex = load_lexicon()
    for name in (
        "customs",
        "held",
        "released",
        "delivered",
        "attempt",
        "return",
        "delay",
        "damaged",
        "address",
    ):
        assert lex.concept(name).name == name
    # a hint may only name concepts that exist, and every hint's stage is a real stage
    assert lex.hints and all(h.stage is not Stage.UNKNOWN for h in lex.hints)


def test_carrier_names_are_folded() -> None:
    assert load_lexicon().carriers["poczta_polska"] == ("poczta polska",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"concept": [{"name": "x", "en": ["ab*"]}]}, "shorter than"),
        ({"concept": [{"name": "x", "xx": ["word"]}]}, "unknown fields"),
        (
            {"concept": [{"name": "x", "en": ["word"]}], "hint": [{"concepts": ["y"], "stage": "delivered"}]},
            "unknown concept",
        ),
        (
            {"concept": [{"name": "x", "en": ["word"]}], "hint": [{"concepts": ["x"], "stage": "nope"}]},
            "unknown stage",
        ),
        ({"concept": [{"name": "x", "en": ["word"], "scope": 9}]}, "scope"),
        ({"concept": [{"name": "x", "en": ["word"], "scope": True}]}, "scope"),
        ({"concept": [{"name": "x", "en": ["word"], "frame": "yes"}]}, "frame"),
        (
            {"concept": [{"name": "x", "en": ["word"]}], "stopwords": {"dates": {"xx": ["word"]}}},
            "undeclared",
        ),
    ],
)
def test_bad_lexicon_data_is_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        Lexicon.from_dict({"meta": {"languages": ["en"]}, **data})


def test_modifiers_and_frames_come_from_the_data() -> None:
    lex = load_lexicon()
    assert lex.concept("negation").scope > 0 and lex.concept("expected").scope > 0
    assert lex.concept("return").frame and not lex.concept("delivered").frame
    assert lex.concept("delivered").scope == 0


def test_a_group_of_stopword_lists_is_read_per_language() -> None:
    lex = Lexicon.from_dict(
        {
            "meta": {"languages": ["en", "de"]},
            "concept": [{"name": "x", "en": ["word"]}],
            "stopwords": {"en": ["the"], "dates": {"en": ["monday"], "de": ["Montag"]}},
        }
    )
    assert {"the", "monday", "montag"} <= lex.stopwords


def test_a_compound_ends_with_a_known_word_after_a_head() -> None:
    lex = Lexicon.from_dict(
        {
            "meta": {"languages": ["de"]},
            "concept": [{"name": "attempt", "de": ["versuch*"]}, {"name": "hub", "de": ["depot"]}],
        }
    )
    assert [h.concept for h in lex.hits(["zustellversuch"])] == ["attempt"]
    assert [h.concept for h in lex.hits(["auslieferdepot"])] == ["hub"]
    assert lex.hits(["zzzdepots"]) == []  # an exact word must end the compound
    assert lex.hits(["zzversuchen"]) == []  # the head is at least three letters
