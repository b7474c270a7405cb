"""The stage classifier: trained on labelled phrases, deterministic, abstaining on the unknown."""

from __future__ import annotations

import pytest

from tracklingo.openworld.infer import (
    SIGNALS,
    Example,
    StageClassifier,
    calibrated,
    labelled_examples,
    pattern_literal,
)
from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import Vocabulary

TRAIN = [
    Example("Held in Customs", Stage.CUSTOMS_HOLD, "toy"),
    Example("Detained by customs awaiting payment", Stage.CUSTOMS_HOLD, "toy"),
    Example("Released from customs", Stage.CUSTOMS_CLEARED, "toy"),
    Example("Customs clearance completed", Stage.CUSTOMS_CLEARED, "toy"),
    Example("Delivered to recipient", Stage.DELIVERED, "toy"),
    Example("Delivered, front door", Stage.DELIVERED, "toy"),
    Example("Delivery attempted, recipient not at home", Stage.DELIVERY_ATTEMPTED, "toy"),
    Example("Out for delivery", Stage.OUT_FOR_DELIVERY, "toy"),
    Example("Arrived at sorting facility", Stage.IN_TRANSIT, "toy"),
    Example("Departed facility", Stage.IN_TRANSIT, "toy"),
]


def test_concepts_carry_what_english_phrases_taught_to_other_languages() -> None:
    clf = StageClassifier(TRAIN)
    pred = clf.predict("Przesyłka zatrzymana w urzędzie celnym")  # held + customs, in Polish
    assert pred is not None and pred.stage is Stage.CUSTOMS_HOLD
    pred = clf.predict("Vom Zoll freigegeben")  # released + customs, in German
    assert pred is not None and pred.stage is Stage.CUSTOMS_CLEARED


def test_evidence_names_the_words_of_the_text() -> None:
    pred = StageClassifier(TRAIN).predict("Your package is held by customs")
    assert pred is not None
    assert {"held", "customs"} <= set(pred.evidence)
    assert 0.0 <= pred.confidence <= 1.0


def test_a_reason_comes_from_the_words_when_the_stage_allows_it() -> None:
    pred = StageClassifier(TRAIN).predict("Held by customs until the duties are paid")
    assert pred is not None and pred.stage is Stage.CUSTOMS_HOLD
    assert pred.reason is Reason.CUSTOMS_PAYMENT_DUE


def test_no_known_feature_no_prediction() -> None:
    assert StageClassifier(TRAIN).predict("zzz qqq") is None


def test_training_is_deterministic_whatever_the_order() -> None:
    a = StageClassifier(TRAIN)
    b = StageClassifier(list(reversed(TRAIN)))
    for text in ("held by customs", "delivered", "left the facility", "Zending is bezorgd"):
        assert a.predict(text) == b.predict(text)


def test_without_removes_the_examples() -> None:
    clf = StageClassifier(TRAIN)
    gone = clf.without([TRAIN[7]])
    assert len(gone.examples) == len(TRAIN) - 1
    assert all(n.text != "Out for delivery" for n in gone.neighbours("Out for delivery", 5))


@pytest.mark.parametrize("drop", [[0], [7], [2, 3], [0, 4, 9]])
def test_without_answers_as_a_classifier_trained_without_them(drop: list[int]) -> None:
    # leave-one-out subtracts counts instead of retraining: it must not change any answer
    dropped = [TRAIN[i] for i in drop]
    view = StageClassifier(TRAIN).without(dropped)
    fresh = StageClassifier([e for e in TRAIN if e not in dropped])
    for text in ("Held at customs", "Out for delivery", "Delivered to recipient", "Zending is bezorgd"):
        assert view.predict(text) == fresh.predict(text)
        assert view.neighbours(text, 4) == fresh.neighbours(text, 4)


def test_confidence_comes_from_the_signals_and_rises_with_the_probability() -> None:
    pred = StageClassifier(TRAIN).predict("Held by customs")
    assert pred is not None
    assert len(pred.signals) == len(SIGNALS)
    assert pred.confidence == round(calibrated(pred.signals), 3)
    assert 0.0 <= pred.confidence <= 1.0 and 0.0 <= pred.probability <= 1.0
    low, high = list(pred.signals), list(pred.signals)
    low[0], high[0] = -2.0, 2.0  # the log-odds of the model's probability
    assert calibrated(low) < calibrated(high)


def test_a_future_delivery_is_not_read_as_delivered() -> None:
    train = [*TRAIN, Example("Shipment will be delivered tomorrow", Stage.IN_TRANSIT, "toy")]
    pred = StageClassifier(train).predict("Votre colis sera livré demain")
    assert pred is not None and pred.stage is not Stage.DELIVERED


def test_neighbours_are_ranked_and_unique() -> None:
    near = StageClassifier(TRAIN).neighbours("Held at customs", 3)
    assert near[0].text == "Held in Customs"
    assert near[0].similarity >= near[1].similarity >= near[2].similarity
    assert len({n.text for n in near}) == 3


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (r"^Delivery Attempted\b.*$", "Delivery Attempted"),
        (r"^The shipment could not be delivered", "The shipment could not be delivered"),
        (r"^Der Empf.nger wurde nicht angetroffen", None),
        (
            r"^Clearance processing complete(?:\s+at\s+(?P<facility>.+?))?\s*$",
            "Clearance processing complete",
        ),
        (r"^Arrive\w* at", None),
        (r"^Departed Facility in\s+(?P<facility>.+)$", "Departed Facility in"),
        ("no anchor", None),
    ],
)
def test_pattern_literal(pattern: str, literal: str | None) -> None:
    assert pattern_literal(pattern) == literal


def test_labelled_examples_skip_context_fallback_and_code_only_rules() -> None:
    v = Vocabulary.from_dict(
        {
            "meta": {"carrier": "toy"},
            "rule": [
                {"phrase": "Parcel delivered", "stage": "delivered", "source": "https://x.org"},
                {"code": "X1", "stage": "delivered", "source": "https://x.org"},
                {"phrase": "transit", "stage": "in_transit", "fallback": True, "source": "https://x.org"},
                {
                    "phrase": "Processed at exchange",
                    "stage": "in_transit",
                    "context": "direction",
                    "by_context": {"inbound": "arrived_destination_country"},
                    "source": "https://x.org",
                },
                {
                    "pattern": r"^Item arrived at (?P<facility>.+)$",
                    "stage": "in_transit",
                    "source": "https://x.org",
                },
            ],
        }
    )
    texts = {(e.text, e.stage, e.from_pattern) for e in labelled_examples([v])}
    assert texts == {
        ("Parcel delivered", Stage.DELIVERED, False),
        ("Item arrived at", Stage.IN_TRANSIT, True),
    }


def test_the_lexicon_definitions_and_the_two_models_agreeing_raise_the_confidence() -> None:
    pred = StageClassifier(TRAIN).predict("Held by customs")
    assert pred is not None and pred.stage is Stage.CUSTOMS_HOLD
    both, leaning, hinted = pred.signals[7:]
    assert both == 1.0  # naive Bayes and the nearest phrases both say customs hold
    assert hinted == 1.0  # the lexicon's hint customs + held names customs hold
    assert 0.0 < leaning <= 1.0
    disagreeing = [*pred.signals[:7], -1.0, leaning, 0.0]
    assert calibrated(disagreeing) < calibrated(pred.signals)
