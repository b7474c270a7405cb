"""The mapper (`tracklingo.mapping`): its layers in order, exact rules first, later layers joining
and switching off, the carrier's declared precedence options, and the refinements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tracklingo import MatchKind, Reason, Stage, Vocabulary
from tracklingo.mapping import Answer, Mapper, Words

SRC = {"T": "core test data"}


def vocab(*rules: dict[str, Any], options: dict[str, Any] | None = None, **extra: Any) -> Vocabulary:
    meta: dict[str, Any] = {"carrier": "acme", "sources": SRC}
    if options:
        meta["options"] = options
    data: dict[str, Any] = {"meta": meta, "rule": [{"source": "T", **r} for r in rules]}
    for table, rows in extra.items():
        data[table] = [{"source": "T", **r} for r in rows]
    return Vocabulary.from_dict(data)


class Guess:
    """A later layer (as the open-world ones will be): answers every text, counting its calls."""

    def __init__(self, name: str = "inferred", stage: Stage = Stage.DELIVERED) -> None:
        self.name = name
        self.stage = stage
        self.calls = 0

    def answer(self, words: Words, context: Mapping[str, str] | None) -> Answer | None:
        self.calls += 1
        if not words.text:
            return None
        return Answer(
            self.stage, MatchKind.INFERRED, confidence=0.7, evidence=(f"guessed from {words.text!r}",)
        )


RULES = vocab(
    {"code": "DL", "stage": "delivered"},
    {"phrase": "Out for delivery", "stage": "out_for_delivery"},
    {"code": "transit", "fallback": True, "stage": "in_transit"},
)


def test_an_exact_rule_wins_over_a_later_layer_which_is_not_even_asked() -> None:
    mapper = Mapper(RULES)
    guess = Guess(stage=Stage.RETURNED)
    mapper.add_layer(guess)
    mapped = mapper.map(Words(text="Out for delivery"))
    assert (mapped.stage, mapped.match) == (Stage.OUT_FOR_DELIVERY, MatchKind.PHRASE)
    assert guess.calls == 0


def test_the_fallback_layer_comes_before_a_later_layer() -> None:
    mapper = Mapper(RULES)
    guess = Guess()
    mapper.add_layer(guess)
    mapped = mapper.map(Words(code="transit", text="Somewhere on its way"))
    assert (mapped.stage, mapped.match) == (Stage.IN_TRANSIT, MatchKind.FALLBACK)
    assert guess.calls == 0


def test_a_later_layer_answers_what_the_carrier_rules_do_not_with_its_confidence_and_evidence() -> None:
    mapper = Mapper(RULES)
    mapper.add_layer(Guess())
    mapped = mapper.map(Words(text="Left with the neighbour"))
    assert (mapped.stage, mapped.match) == (Stage.DELIVERED, MatchKind.INFERRED)
    assert mapped.confidence == 0.7
    assert mapped.evidence == ("guessed from 'Left with the neighbour'",)
    assert mapped.description == "Left with the neighbour"


def test_a_switched_off_layer_is_skipped_and_can_be_switched_on_again() -> None:
    mapper = Mapper(RULES)
    mapper.add_layer(Guess())
    mapper.switch("inferred", False)
    assert mapper.map(Words(text="Left with the neighbour")).match is MatchKind.UNMAPPED
    mapper.switch("inferred", True)
    assert mapper.map(Words(text="Left with the neighbour")).match is MatchKind.INFERRED
    mapper.switch("rules", False)
    assert mapper.map(Words(code="DL")).match is MatchKind.UNMAPPED  # rules off; no text: the guess passes
    mapper.switch("rules", True)
    assert mapper.map(Words(code="DL")).match is MatchKind.CODE


def test_layers_keep_their_order_and_none_goes_before_the_carrier_rules() -> None:
    mapper = Mapper(RULES)
    mapper.add_layer(Guess("sentence_form", Stage.RETURNED))
    mapper.add_layer(Guess("cross_carrier", Stage.EXCEPTION), before="sentence_form")
    assert [layer.name for layer in mapper.layers] == ["rules", "fallback", "cross_carrier", "sentence_form"]
    assert mapper.map(Words(text="Unheard of")).stage is Stage.EXCEPTION
    with pytest.raises(ValueError, match="before the carrier's own rules"):
        mapper.add_layer(Guess("x"), before="rules")
    with pytest.raises(ValueError, match="already there"):
        mapper.add_layer(Guess("cross_carrier"))
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        mapper.add_layer(Guess("y"), before="nope")
    with pytest.raises(ValueError, match="no layer or refinement"):
        mapper.switch("nope", False)


def test_adding_or_switching_a_layer_tells_its_watchers() -> None:
    mapper = Mapper(RULES)
    told: list[int] = []
    mapper.watch(lambda: told.append(1))
    mapper.add_layer(Guess())
    mapper.switch("inferred", False)
    assert len(told) == 2


def test_alt_codes_after_text_by_default_and_before_text_when_declared() -> None:
    rules = (
        {"code": "LEGACY1", "stage": "delivered"},
        {"phrase": "Shipment picked up", "stage": "accepted"},
    )
    words = Words(text="Shipment picked up", alt_codes=("LEGACY1",))
    after = Mapper(vocab(*rules)).map(words)
    assert after.stage is Stage.ACCEPTED
    before = Mapper(vocab(*rules, options={"alt_codes": "before_text"})).map(words)
    assert (before.stage, before.code) == (Stage.DELIVERED, "LEGACY1")
    # with no rule for the text, the alternative code answers either way
    assert Mapper(vocab(*rules)).map(Words(text="Other", alt_codes=("LEGACY1",))).stage is Stage.DELIVERED


def test_a_status_code_reads_only_fallback_rules_unless_declared_any() -> None:
    rules = ({"code": "DL", "stage": "delivered"}, {"code": "IT", "fallback": True, "stage": "in_transit"})
    own = Mapper(vocab(*rules))
    assert own.map(Words(text="Unheard of", status_code="DL")).match is MatchKind.UNMAPPED
    assert own.map(Words(text="Unheard of", status_code="IT")).match is MatchKind.FALLBACK
    shared = Mapper(vocab(*rules, options={"status_codes": "any"}))
    mapped = shared.map(Words(text="Unheard of", status_code="DL"))
    assert (mapped.stage, mapped.match) == (Stage.DELIVERED, MatchKind.FALLBACK)


def test_a_detail_refines_in_transit_and_the_refinement_can_be_switched_off() -> None:
    v = vocab(
        {"phrase": "On the way", "stage": "in_transit"},
        {"phrase": "Customer not available", "stage": "delivery_attempted"},
    )
    mapper = Mapper(v)
    words = Words(text="On the way", detail="Customer not available")
    assert mapper.map(words).stage is Stage.DELIVERY_ATTEMPTED
    mapper.switch("detail", False)
    assert mapper.map(words).stage is Stage.IN_TRANSIT


def test_a_reason_entry_sets_the_reason_and_the_refinement_can_be_switched_off() -> None:
    v = vocab(
        {"phrase": "Delivery attempted", "stage": "delivery_attempted"},
        reason=[{"code": "R1", "reason": "recipient_unavailable"}],
    )
    mapper = Mapper(v)
    words = Words(text="Delivery attempted", reason_code="R1")
    assert mapper.map(words).reason is Reason.RECIPIENT_UNAVAILABLE
    mapper.switch("reasons", False)
    assert mapper.map(words).reason is None


def test_text_with_facility_refines_a_generic_text_but_keeps_the_events_own_text() -> None:
    v = vocab(
        {"phrase": "Processed through facility", "stage": "in_transit"},
        {"phrase": "Processed through facility ISC Chicago IL", "stage": "arrived_destination_country"},
        options={"text_with_facility": "^ISC "},
    )
    mapper = Mapper(v)
    mapped = mapper.map(Words(text="Processed through facility"), facility="ISC Chicago IL")
    assert mapped.stage is Stage.ARRIVED_DESTINATION_COUNTRY
    assert mapped.description == "Processed through facility"
    mapper.switch("facility", False)
    assert (
        mapper.map(Words(text="Processed through facility"), facility="ISC Chicago IL").stage
        is Stage.IN_TRANSIT
    )


def test_a_direction_rule_waits_for_the_direction_then_resolves() -> None:
    v = vocab(
        {
            "phrase": "Processed through gateway",
            "stage": "in_transit",
            "context": "direction",
            "by_context": {"inbound": "arrived_destination_country", "outbound": "departed_origin_country"},
        }
    )
    mapper = Mapper(v)
    waiting = mapper.map(Words(text="Processed through gateway"))
    assert (waiting.stage, waiting.needs_context) == (Stage.IN_TRANSIT, "direction")
    assert (
        mapper.map(Words(text="Processed through gateway"), "inbound").stage
        is Stage.ARRIVED_DESTINATION_COUNTRY
    )
    assert (
        mapper.map(Words(text="Processed through gateway"), "outbound").stage is Stage.DEPARTED_ORIGIN_COUNTRY
    )


def test_words_clean_strips_and_drops_blanks() -> None:
    words = Words.clean(("  DL ", "  ", ("a ", " "), (), None, None, None, None, None))
    assert words == Words(code="DL", text=None, alt_texts=("a",))
