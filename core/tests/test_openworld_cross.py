"""Cross-carrier knowledge: exact phrases of other vocabularies, votes, context rules."""

from __future__ import annotations

from typing import Any

from tracklingo.openworld.cross import CROSS_CONFIDENCE, CrossIndex
from tracklingo.taxonomy import Stage
from tracklingo.vocabulary import Vocabulary

SRC = "https://example.org/source"


def vocab(carrier: str, *rules: dict[str, Any]) -> Vocabulary:
    return Vocabulary.from_dict({"meta": {"carrier": carrier}, "rule": [{"source": SRC, **r} for r in rules]})


def test_a_phrase_of_another_vocabulary_answers_with_its_name() -> None:
    a = vocab("alpha", {"phrase": "Parcel handed to courier", "stage": "out_for_delivery"})
    b = vocab("beta", {"phrase": "Something else", "stage": "in_transit"})
    hit = CrossIndex([a, b]).lookup("PARCEL HANDED TO COURIER.", exclude=b)
    assert hit is not None
    assert (hit.stage, hit.vocabulary, hit.confidence) == (Stage.OUT_FOR_DELIVERY, "alpha", CROSS_CONFIDENCE)


def test_the_asking_carriers_own_rules_are_not_consulted_again() -> None:
    a = vocab("alpha", {"phrase": "Parcel handed to courier", "stage": "out_for_delivery"})
    assert CrossIndex([a]).lookup("Parcel handed to courier", exclude=a) is None


def test_a_strict_majority_wins_with_lower_confidence() -> None:
    vs = [
        vocab("a", {"phrase": "Shipment parked", "stage": "delayed"}),
        vocab("b", {"phrase": "Shipment parked", "stage": "delayed"}),
        vocab("c", {"phrase": "Shipment parked", "stage": "exception"}),
    ]
    hit = CrossIndex(vs).lookup("Shipment parked")
    assert hit is not None
    assert hit.stage is Stage.DELAYED
    assert hit.vocabularies == ("a", "b")
    assert hit.confidence == round(CROSS_CONFIDENCE * 2 / 3, 3)
    assert ("c", Stage.EXCEPTION) in hit.votes


def test_a_tie_abstains() -> None:
    vs = [
        vocab("a", {"phrase": "Shipment parked", "stage": "delayed"}),
        vocab("b", {"phrase": "Shipment parked", "stage": "exception"}),
    ]
    assert CrossIndex(vs).lookup("Shipment parked") is None


def test_a_context_rule_stays_a_context_rule() -> None:
    a = vocab(
        "alpha",
        {
            "phrase": "Processed at exchange office",
            "stage": "in_transit",
            "context": "direction",
            "by_context": {"inbound": "arrived_destination_country", "outbound": "departed_origin_country"},
        },
    )
    hit = CrossIndex([a]).lookup("Processed at exchange office")
    assert hit is not None
    assert hit.stage is Stage.IN_TRANSIT
    assert hit.needs_context == "direction"
    assert dict(hit.by_context) == {
        "inbound": Stage.ARRIVED_DESTINATION_COUNTRY,
        "outbound": Stage.DEPARTED_ORIGIN_COUNTRY,
    }


def test_fallback_phrases_are_not_cross_carrier_knowledge() -> None:
    a = vocab("alpha", {"phrase": "transit", "stage": "in_transit", "fallback": True})
    assert CrossIndex([a]).lookup("transit") is None
