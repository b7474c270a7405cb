"""Honest measurement: a small leave-one-out, and the held-out real texts through every layer.

The held-out file's batches: 1, collected first and tuned on; 2, collected after that tuning
(the layers were adjusted on it once); 3, collected from sources no vocabulary cites before the
second round of work and measured only before and after it (never tuned on); 4, collected for
tuning that round (carriers apart from batch 3's). Batch 1's texts whose sources the shared
`world` vocabulary came to cite left the file (a held-out text is one no vocabulary holds).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracklingo.openworld import OpenWorld, installed_vocabularies
from tracklingo.openworld.measure import (
    Outcome,
    at_threshold,
    confusion,
    cross_validated,
    curve,
    evaluate_texts,
    fit_calibration,
    leave_one_out,
    load_labelled,
    tally,
)
from tracklingo.plugins import load_carriers
from tracklingo.taxonomy import MatchKind, Stage

UNSEEN = Path(__file__).parent / "data" / "unseen_texts.jsonl"


def test_the_held_out_set_is_well_formed() -> None:
    rows = load_labelled(UNSEEN)
    # 185 texts left the set when the shared `world` vocabulary came to cite their sources
    # (PostNL's T & T codes, UPS, InPost, Colissimo): a held-out text is one no vocabulary holds
    assert len(rows) >= 90
    for row in rows:
        assert set(row) == {"text", "expected", "carrier", "lang", "source", "batch"}
        assert row["batch"] in (1, 2, 3, 4)
        assert Stage(row["expected"]) is not Stage.UNKNOWN
        assert row["source"].strip() and row["text"].strip()
    assert {r["lang"] for r in rows} >= {"en", "de", "nl", "fr", "es", "pl"}
    assert len({(r["text"], r["carrier"]) for r in rows}) == len(rows)


def test_no_held_out_text_is_a_phrase_of_the_vocabularies_it_is_measured_against() -> None:
    from tracklingo.vocabulary import normalize_phrase

    known = {normalize_phrase(p) for v in installed_vocabularies() for r in v.rules for p in r.phrase}
    rows = [r for r in load_labelled(UNSEEN) if r["batch"] != 1]
    overlap = [r["text"] for r in rows if normalize_phrase(r["text"]) in known]
    # a few short texts happen to be words every carrier uses ("Delivered", "In transit"); they
    # stay in the set (they test cross-carrier knowledge) but are counted here so they cannot
    # grow unseen
    assert len(overlap) <= 15, overlap


@pytest.mark.parametrize(
    ("batches", "right", "wrong", "unknown"),
    [
        # regression floors, not the targets: bench/leave_one_out.py --unseen prints the figures.
        # Tuned-on batches must stay well answered; batch 3 (held out) must stay right at least
        # as often as before the second round of work (77.1 % right, 10.0 % wrong, 12.9 %
        # unknown then; the layers now answer more, so wrong may grow a little). Tuned-on
        # unknowns may reach 5 of 141 since the confidence weighs conflicting evidence (naive
        # Bayes against the nearest phrases, the lexicon's stage definitions): fewer wrong
        # answers (9 of 141), a few more abstentions. Since a split reading (naive Bayes and the
        # nearest phrases disagree) needs confidence 0.55, 7 of 141 are unknown (2 of them wrong
        # answers before, 3 right ones: right 92.2 % -> 90.1 %, wrong 6.4 % -> 5.0 %). The
        # batch-14 rounds' phrases (UPS/Amazon "delivered" texts among them) left "The parcel has
        # been delivered at the ParcelShop" unknown (it was read right): 8 of 141.
        ((1, 2, 4), 0.86, 0.08, 8 / 141),
        ((3,), 0.771, 0.15, 0.129),
    ],
)
def test_held_out_real_texts_through_all_layers(
    batches: tuple[int, ...], right: float, wrong: float, unknown: float
) -> None:
    registry = load_carriers()
    own = {c.name: c.vocabulary for c in registry}
    rows = [r for r in load_labelled(UNSEEN) if r["batch"] in batches]
    tallies, outcomes = evaluate_texts(rows, own, OpenWorld(installed_vocabularies(registry)))
    overall = tallies["overall"]
    assert overall.n == len(outcomes) == len(rows)
    assert overall.correct / overall.n >= right
    assert overall.wrong / overall.n <= wrong
    assert overall.abstained / overall.n <= unknown


def test_a_small_leave_one_out() -> None:
    vocabs = installed_vocabularies()
    tallies, outcomes = leave_one_out(vocabs, carriers=["fedex"], limit=40)
    fedex = tallies["fedex"]
    assert fedex.n + fedex.still_known >= 40
    # a removed phrase is answered by the open world only, never by a rule of its own carrier
    assert {o.match for o in outcomes} <= {
        MatchKind.CROSS_CARRIER,
        MatchKind.SENTENCE_FORM,
        MatchKind.INFERRED,
        MatchKind.UNMAPPED,
    }
    # at the default threshold; the whole leave-one-out by rule: bench/leave_one_out.py. 89 of
    # 111 answered (0.80) before the lexicon's Chinese, Japanese, Korean, Thai and Russian words,
    # 87 after: "Enroute to Origin Airport" (right at confidence 0.003) and "In transit to U.S.
    # Postal Service" (wrong) are left unanswered; precision 0.685 -> 0.690
    assert fedex.answered_share >= 0.78
    assert fedex.precision >= 0.6
    assert json.loads(json.dumps(fedex.to_dict()))["n"] == fedex.n


@pytest.mark.parametrize("by", ["source"])
def test_leaving_a_whole_source_out(by: str) -> None:
    tallies, _ = leave_one_out(installed_vocabularies(), carriers=["fedex"], by=by, limit=3)
    assert tallies["fedex"].n > 0


def _outcome(
    match: MatchKind, confidence: float | None, right: bool, signals: tuple[float, ...] = ()
) -> Outcome:
    stage = Stage.DELIVERED if right else Stage.IN_TRANSIT
    if match is MatchKind.UNMAPPED:
        stage = Stage.UNKNOWN
    return Outcome("toy", "text", Stage.DELIVERED, stage, match, confidence, (), signals)


def test_the_confusion_counts_wrong_answers_by_expected_and_answered_stage() -> None:
    outcomes = [
        _outcome(MatchKind.INFERRED, 0.9, True),
        _outcome(MatchKind.INFERRED, 0.9, False),
        _outcome(MatchKind.INFERRED, 0.4, False),
        _outcome(MatchKind.UNMAPPED, None, False),  # an abstention is not a confusion
        Outcome("toy", "t", Stage.EXCEPTION, Stage.DELIVERY_ATTEMPTED, MatchKind.INFERRED, 0.5),
    ]
    assert confusion(outcomes) == {
        (Stage.DELIVERED, Stage.IN_TRANSIT): 2,
        (Stage.EXCEPTION, Stage.DELIVERY_ATTEMPTED): 1,
    }


def test_a_threshold_turns_weaker_inferences_into_abstentions() -> None:
    outcomes = [
        _outcome(MatchKind.CROSS_CARRIER, 0.2, True),  # a table layer answers at any threshold
        _outcome(MatchKind.INFERRED, 0.9, True),
        _outcome(MatchKind.INFERRED, 0.4, False),
        _outcome(MatchKind.UNMAPPED, None, False),
    ]
    shown = at_threshold(outcomes, 0.5)
    assert [o.match for o in shown] == [
        MatchKind.CROSS_CARRIER,
        MatchKind.INFERRED,
        MatchKind.UNMAPPED,
        MatchKind.UNMAPPED,
    ]
    assert tally(shown)["overall"].precision == 1.0
    rows = curve(outcomes, (0.3, 0.5, 0.95))
    assert [(th, share) for th, share, _ in rows] == [(0.3, 0.75), (0.5, 0.5), (0.95, 0.25)]
    assert rows[0][2] == pytest.approx(2 / 3)


def test_the_calibration_learns_which_signal_says_right() -> None:
    # the first signal mostly tells right from wrong (two exceptions), the second is noise
    xs = [-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, -1.2, 1.2, 0.3, -0.3]
    right = [x > 0 for x in xs]
    right[10], right[11] = False, True
    outcomes = [
        _outcome(MatchKind.INFERRED, 0.5, r, (x, float(i % 2)))
        for i, (x, r) in enumerate(zip(xs, right, strict=True))
    ]
    coefficients = fit_calibration(outcomes)
    assert len(coefficients) == 3
    assert coefficients[1] > 1.0 and abs(coefficients[2]) < coefficients[1]
    assert fit_calibration(outcomes) == coefficients  # deterministic


def test_cross_validated_confidences_come_from_fits_on_the_other_folds() -> None:
    xs = [-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, -1.2, 1.2, 0.3, -0.3]
    outcomes = [
        Outcome(
            "toy",
            f"text {i}",
            Stage.DELIVERED,
            Stage.DELIVERED if x > 0 else Stage.IN_TRANSIT,
            MatchKind.INFERRED,
            0.5,
            (),
            (x,),
        )
        for i, x in enumerate(xs)
    ]
    outcomes.append(_outcome(MatchKind.CROSS_CARRIER, 1.0, True))
    cv = cross_validated(outcomes, 3)
    assert len(cv) == len(outcomes) and cv[-1] == outcomes[-1]  # a table layer keeps its answer
    by_x = {o.signals[0]: o.confidence for o in cv if o.signals}
    assert by_x[2.0] is not None and by_x[-2.0] is not None and by_x[2.0] > by_x[-2.0]
    assert cross_validated(outcomes, 3) == cv  # deterministic
