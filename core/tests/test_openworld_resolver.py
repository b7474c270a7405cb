"""The open-world resolver over the installed vocabularies: precedence, layers, cache, determinism."""

from __future__ import annotations

from typing import Any

import pytest

from tracklingo.openworld import (
    OpenWorld,
    OpenWorldAnswer,
    installed_vocabularies,
    layered_resolve,
    open_world_for,
    resolve_open_world,
)
from tracklingo.plugins import load_carriers
from tracklingo.taxonomy import MatchKind, Stage
from tracklingo.vocabulary import Resolution, Vocabulary


@pytest.fixture(scope="module")
def vocabs() -> list[Vocabulary]:
    found = installed_vocabularies()
    names = {v.carrier for v in found}
    assert {"usps", "dhl", "fedex", "upu"} <= names  # the repository's plugins are installed
    return found


@pytest.fixture(scope="module")
def world(vocabs: list[Vocabulary]) -> OpenWorld:
    return OpenWorld(vocabs)


@pytest.fixture(scope="module")
def own() -> dict[str, Vocabulary]:
    return {c.name: c.vocabulary for c in load_carriers()}


SRC = "https://example.org/source"


def toy(carrier: str, *rules: dict[str, Any]) -> Vocabulary:
    return Vocabulary.from_dict({"meta": {"carrier": carrier}, "rule": [{"source": SRC, **r} for r in rules]})


def test_an_exact_rule_always_beats_inference(world: OpenWorld, own: dict[str, Vocabulary]) -> None:
    # "Delivered" alone would read as delivered too; what matters is that the rule answers
    res = layered_resolve(world, own["usps"], "Delivered, Front Door/Porch")
    assert isinstance(res, Resolution)
    assert res.match is MatchKind.PHRASE


def test_inference_never_overrides_a_code_rule(world: OpenWorld) -> None:
    v = toy("acme", {"code": "ZZ", "stage": "delivered"})
    ow = OpenWorld([*world.vocabularies, v])
    # the words say "held by customs"; the code says delivered, and the code wins
    res = layered_resolve(ow, v, "Held by customs awaiting payment", code="ZZ")
    assert isinstance(res, Resolution)
    assert (res.stage, res.match) == (Stage.DELIVERED, MatchKind.CODE)
    # without the code the open world answers
    answer = layered_resolve(ow, v, "Held by customs awaiting payment")
    assert isinstance(answer, OpenWorldAnswer)
    assert answer.match is MatchKind.INFERRED


def test_cross_carrier_names_the_vocabulary(world: OpenWorld, own: dict[str, Vocabulary]) -> None:
    answer = world.resolve("Shipment information sent to FedEx", None, own["usps"])
    assert answer is not None
    assert (answer.stage, answer.match, answer.vocabulary) == (
        Stage.LABEL_CREATED,
        MatchKind.CROSS_CARRIER,
        "fedex",
    )
    assert answer.confidence is not None and answer.evidence


def test_a_context_rule_of_the_own_vocabulary_resolves_with_context_through_a_form(
    world: OpenWorld, own: dict[str, Vocabulary]
) -> None:
    v = toy(
        "acme",
        {
            "phrase": "Processed at exchange office",
            "stage": "in_transit",
            "context": "direction",
            "by_context": {"inbound": "arrived_destination_country", "outbound": "departed_origin_country"},
        },
    )
    ow = OpenWorld([*world.vocabularies, v])
    text = "Processed at exchange office on May 16, 2016"  # a date affix, no direction marker
    unresolved = ow.resolve(text, None, v)
    assert unresolved is not None and unresolved.needs_context == "direction"
    assert unresolved.stage is Stage.IN_TRANSIT
    resolved = ow.resolve(text, None, v, {"direction": "outbound"})
    assert resolved is not None
    assert (resolved.stage, resolved.needs_context) == (Stage.DEPARTED_ORIGIN_COUNTRY, None)
    # asked as another carrier, the same context rule stays unresolved
    other = ow.resolve("Processed at exchange office", None, own["dhl"], {"direction": "outbound"})
    assert other is not None and other.match is MatchKind.CROSS_CARRIER and other.needs_context == "direction"


def test_a_direction_marker_in_the_text_resolves_a_direction_rule(world: OpenWorld) -> None:
    # the text says which way it goes, whichever vocabulary holds the rule
    inward = world.resolve("Receive item at office of exchange (Inbound)")
    outward = world.resolve("Receive item at office of exchange (Outbound)")
    assert inward is not None and outward is not None
    assert (inward.stage, inward.needs_context) == (Stage.ARRIVED_DESTINATION_COUNTRY, None)
    assert (outward.stage, outward.needs_context) == (Stage.DEPARTED_ORIGIN_COUNTRY, None)
    assert inward.match is MatchKind.SENTENCE_FORM and "marker: inbound" in inward.evidence


def test_a_sentence_form_reaches_the_carriers_own_rule(world: OpenWorld, own: dict[str, Vocabulary]) -> None:
    answer = world.resolve("Out for Delivery, May 16, 2016, 8:36 am, DES MOINES, IA 50311", None, own["usps"])
    assert answer is not None
    assert (answer.stage, answer.match, answer.vocabulary) == (
        Stage.OUT_FOR_DELIVERY,
        MatchKind.SENTENCE_FORM,
        "usps",
    )
    assert answer.captured["city"] == "DES MOINES" and answer.when["time"] == "8:36 am"


def test_a_usps_summary_worded_unlike_its_event_reaches_the_events_rule(
    world: OpenWorld, own: dict[str, Vocabulary]
) -> None:
    # "picked up at a postal facility" is the recipient collecting it (USPS files the summary
    # under 'Delivered, Individual Picked Up at Postal Facility'), not a pick-up from the sender
    answer = world.resolve(
        "Your item was picked up at a postal facility at 11:27 am on April 8, 2017 in SAN FRANCISCO,"
        " CA 94133. The item was signed for by J JUSTIN.",
        None,
        own["usps"],
    )
    assert answer is not None
    assert (answer.stage, answer.match, answer.vocabulary) == (
        Stage.DELIVERED,
        MatchKind.SENTENCE_FORM,
        "usps",
    )
    assert "usps-summary-picked-up-postal-facility" in answer.evidence
    assert answer.captured["city"] == "SAN FRANCISCO" and answer.when["time"] == "11:27 am"


def test_a_known_phrase_followed_by_a_place_in_capitals(world: OpenWorld, own: dict[str, Vocabulary]) -> None:
    answer = world.resolve(
        "ARRIVED AT USPS REGIONAL FACILITY CHICAGO IL NETWORK DISTRIBUTION CENTER", None, own["usps"]
    )
    assert answer is not None and answer.match is MatchKind.SENTENCE_FORM
    assert answer.stage is Stage.IN_TRANSIT
    assert answer.captured["facility"] == "CHICAGO IL NETWORK DISTRIBUTION CENTER"


def test_inference_reads_other_languages(world: OpenWorld) -> None:
    answer = world.resolve("La aduana ha retenido el envío")
    assert answer is not None
    assert (answer.stage, answer.match) == (Stage.CUSTOMS_HOLD, MatchKind.INFERRED)
    assert {"aduana", "retenido"} <= set(answer.evidence)


def test_abstains_with_suggestions(world: OpenWorld) -> None:
    answer = world.resolve("Zorblax quux frobnicated the widget")
    assert answer is not None
    assert (answer.stage, answer.match, answer.confidence) == (Stage.UNKNOWN, MatchKind.UNMAPPED, None)
    assert not answer.answered
    weak = world.resolve("Status update")
    assert weak is not None
    assert weak.answered or weak.suggestions  # either a reading or the nearest known phrases


def test_no_text_no_answer(world: OpenWorld) -> None:
    assert world.resolve(None, "XX") is None
    assert world.resolve("   ") is None


def test_infer_false_keeps_the_tables_only(world: OpenWorld, own: dict[str, Vocabulary]) -> None:
    assert world.resolve("Retenido en aduana", infer=False).match is MatchKind.UNMAPPED  # type: ignore[union-attr]
    cross = world.resolve("Shipment information sent to FedEx", None, own["usps"], infer=False)
    assert cross is not None and cross.match is MatchKind.CROSS_CARRIER


def test_inference_after_the_tables_abstained_reads_the_text_once(vocabs: list[Vocabulary]) -> None:
    """The mapper asks the table layers (``infer=False``), then the inference, about one text:
    the second question reuses the first one's reading, with the same answer as asking it alone."""
    texts = ["La aduana ha retenido el envío", "Zorblax quux frobnicated the widget"]
    fresh, ow = OpenWorld(vocabs), OpenWorld(vocabs)
    read: list[str] = []
    tables = ow._tables

    def counted(text: str, vocab: Vocabulary | None) -> Any:
        read.append(text)
        return tables(text, vocab)

    ow._tables = counted  # type: ignore[method-assign]
    for text in texts:
        assert ow.resolve(text, infer=False).match is MatchKind.UNMAPPED  # type: ignore[union-attr]
        assert ow.resolve(text) == fresh.resolve(text)
    assert read == texts
    ow.resolve("Parcel sorted at the depot in Rotterdam")  # asked without the tables first: read
    assert read[-1] == "Parcel sorted at the depot in Rotterdam"


def test_a_repeated_text_is_one_cache_entry(vocabs: list[Vocabulary]) -> None:
    ow = OpenWorld(vocabs)
    first = ow.resolve("Parcel sorted at the depot in Rotterdam")
    size = ow.cache_size()
    again = ow.resolve("Parcel sorted at the depot in Rotterdam")
    assert again is first and ow.cache_size() == size
    ow.resolve("Parcel sorted at the depot in Utrecht")
    assert ow.cache_size() == size + 1


def test_deterministic_across_builds(vocabs: list[Vocabulary]) -> None:
    texts = ["Held at customs", "Votre colis est disponible en point relais", "Zending is bezorgd", "Zorblax"]
    a, b = OpenWorld(vocabs), OpenWorld(list(vocabs))
    assert [a.resolve(t) for t in texts] == [b.resolve(t) for t in texts]


def test_the_process_wide_world_is_built_once(vocabs: list[Vocabulary]) -> None:
    assert open_world_for(vocabs) is open_world_for(vocabs)
    answer = resolve_open_world("Parcel delivered to the neighbour", None, None, vocabs)
    assert answer is not None and answer.stage is Stage.DELIVERED


def test_a_text_naming_a_carrier_not_installed_says_so(world: OpenWorld) -> None:
    answer = world.resolve("Arrived at GLS depot")
    assert answer is not None and answer.mentions == ("gls",)


@pytest.mark.parametrize("text", ["Ihre Sendung wird morgen zugestellt", "Votre colis sera livré demain"])
def test_a_delivery_still_to_come_is_not_read_as_delivered(world: OpenWorld, text: str) -> None:
    answer = world.resolve(text)
    assert answer is not None and answer.match is MatchKind.INFERRED
    assert answer.stage is Stage.IN_TRANSIT


def test_a_return_leg_stays_a_return(world: OpenWorld) -> None:
    answer = world.resolve("Return parcel departed the hub in Leeds")
    assert answer is not None and answer.stage is Stage.RETURN_TO_SENDER


def test_a_compound_word_is_read_by_its_parts(world: OpenWorld) -> None:
    answer = world.resolve("Zustellversuch erfolglos, Empfänger nicht angetroffen")
    assert answer is not None
    assert (answer.stage, answer.match) == (Stage.DELIVERY_ATTEMPTED, MatchKind.INFERRED)
    assert "zustellversuch" in answer.evidence


def test_an_inferred_confidence_is_the_calibrated_reading_of_its_signals(world: OpenWorld) -> None:
    from tracklingo.openworld.infer import SIGNALS, calibrated

    answer = world.resolve("La aduana ha retenido el envío")
    assert answer is not None and len(answer.signals) == len(SIGNALS)
    assert answer.confidence == round(calibrated(answer.signals), 3)
    # an abstention keeps the signals it abstained on (the threshold decided, not a lack of data)
    strict = OpenWorld(world.vocabularies, threshold=1.0, classifier=world.classifier)
    held = strict.resolve("La aduana ha retenido el envío")
    assert held is not None and held.match is MatchKind.UNMAPPED and held.signals == answer.signals
