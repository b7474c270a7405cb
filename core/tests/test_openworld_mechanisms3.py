"""Fewer confidently wrong open-world answers (issue 15): a split reading, where the
classifier's naive Bayes alone and its nearest known phrases alone pick different stages, is
answered only from `infer.SPLIT_CONFIDENCE` on, in the resolver and in the measurement alike."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tracklingo.openworld import OpenWorld, infer, installed_vocabularies
from tracklingo.openworld.infer import Prediction, needed_confidence, split_reading
from tracklingo.openworld.measure import Outcome, at_threshold, curve
from tracklingo.taxonomy import MatchKind, Stage

_SPLIT_AT = next(i for i, name in enumerate(infer.SIGNALS) if name.startswith("naive Bayes alone"))


def _signals(agree: float) -> tuple[float, ...]:
    out = [0.5] * len(infer.SIGNALS)
    out[_SPLIT_AT] = agree
    return tuple(out)


SPLIT = _signals(-1.0)
AGREED = _signals(1.0)


def test_a_split_reading_is_told_from_the_signals() -> None:
    assert split_reading(SPLIT)
    assert not split_reading(AGREED)
    assert not split_reading(_signals(0.0))  # one of the readers had nothing to say
    assert not split_reading(())  # a table layer's answer has no signals


def test_a_split_reading_needs_more_confidence_than_the_threshold() -> None:
    assert 0.3 < infer.SPLIT_CONFIDENCE < 1.0
    assert needed_confidence(SPLIT, 0.3) == infer.SPLIT_CONFIDENCE
    assert needed_confidence(AGREED, 0.3) == 0.3
    # a caller's higher threshold still rules
    assert needed_confidence(SPLIT, 0.9) == 0.9
    # threshold 0 answers whatever can be answered (one run, then any threshold afterwards)
    assert needed_confidence(SPLIT, 0.0) == 0.0


def _outcome(confidence: float, signals: Sequence[float]) -> Outcome:
    return Outcome(
        "toy", "text", Stage.DELIVERED, Stage.DELIVERED, MatchKind.INFERRED, confidence, (), tuple(signals)
    )


def test_the_measurement_applies_the_same_rule_as_the_resolver() -> None:
    middle = (0.3 + infer.SPLIT_CONFIDENCE) / 2
    outcomes = [_outcome(middle, SPLIT), _outcome(middle, AGREED), _outcome(0.95, SPLIT)]
    shown = at_threshold(outcomes, 0.3)
    assert [o.match for o in shown] == [MatchKind.UNMAPPED, MatchKind.INFERRED, MatchKind.INFERRED]
    assert [share for _, share, _ in curve(outcomes, (0.3,))] == [pytest.approx(2 / 3)]


@pytest.fixture(scope="module")
def world() -> OpenWorld:
    return OpenWorld(installed_vocabularies())


def _fixed(confidence: float, signals: tuple[float, ...]) -> Prediction:
    return Prediction(
        Stage.IN_TRANSIT,
        confidence,
        ("parcel",),
        None,
        Stage.DELIVERED,
        1,
        0.5,
        signals,
        grounded=True,
    )


@pytest.mark.parametrize(
    ("confidence", "signals", "threshold", "answered"),
    [
        (0.45, SPLIT, 0.3, False),  # split, below SPLIT_CONFIDENCE: abstain
        (0.45, AGREED, 0.3, True),  # the same confidence, the readers agree: answered
        (0.6, SPLIT, 0.3, True),  # split, confident enough
        (0.45, SPLIT, 0.0, True),  # threshold 0 answers everything it can
    ],
)
def test_the_resolver_abstains_on_a_weak_split_reading(
    world: OpenWorld,
    monkeypatch: pytest.MonkeyPatch,
    confidence: float,
    signals: tuple[float, ...],
    threshold: float,
    answered: bool,
) -> None:
    local = OpenWorld(world.vocabularies, classifier=world.classifier, threshold=threshold)
    monkeypatch.setattr(local.classifier, "predict", lambda *a, **k: _fixed(confidence, signals))
    answer = local.resolve("Parcel zorbled at the quimby")
    assert answer is not None
    assert answer.answered is answered
    if answered:
        assert (answer.stage, answer.match) == (Stage.IN_TRANSIT, MatchKind.INFERRED)
    else:
        assert (answer.stage, answer.match) == (Stage.UNKNOWN, MatchKind.UNMAPPED)
        assert answer.signals == signals  # kept, so an explanation can say why
