"""The label audit (`measure.label_conflicts`): training phrases that read alike, with different
stages, across vocabularies (issue 15: label noise in what the classifier learns from)."""

from __future__ import annotations

from typing import Any

from tracklingo.openworld.features import analyse
from tracklingo.openworld.measure import content_key, label_conflicts
from tracklingo.taxonomy import Stage
from tracklingo.vocabulary import Vocabulary


def _vocab(carrier: str, rules: list[dict[str, Any]]) -> Vocabulary:
    return Vocabulary.from_dict(
        {"meta": {"carrier": carrier, "sources": {"S1": "a", "S2": "b"}}, "rule": rules}
    )


def test_content_key_ignores_order_inflection_and_numbers() -> None:
    a = content_key(analyse("Shipment returned to sender"))
    b = content_key(analyse("Returned to the sender, shipment 12345"))
    assert a == b
    assert a != content_key(analyse("Shipment delivered to sender"))


def test_label_conflicts_groups_alike_phrases_with_different_stages() -> None:
    one = _vocab(
        "one",
        [
            {"phrase": "Shipment returned to sender", "stage": "returned", "source": "S1"},
            {"phrase": "Parcel delivered", "stage": "delivered", "source": "S1"},
        ],
    )
    two = _vocab(
        "two",
        [
            {"phrase": "Returned to the sender", "stage": "return_to_sender", "source": "S2"},
            {"phrase": "The parcel was delivered", "stage": "delivered", "source": "S2"},
        ],
    )
    conflicts = label_conflicts([one, two])
    assert len(conflicts) == 1  # the two "delivered" phrases agree
    (c,) = conflicts
    assert c.stages == {Stage.RETURNED, Stage.RETURN_TO_SENDER}
    assert c.origins == {"one:S1", "two:S2"}
    # journey order: return_to_sender before returned
    assert [m[0] for m in c.members] == [Stage.RETURN_TO_SENDER, Stage.RETURNED]


def test_one_source_disagreeing_with_itself_is_listed_only_on_request() -> None:
    one = _vocab(
        "one",
        [
            {"phrase": "Shipment returned to sender", "stage": "returned", "source": "S1"},
            {"phrase": "Returned to the sender", "stage": "return_to_sender", "source": "S1"},
        ],
    )
    assert label_conflicts([one]) == []
    assert len(label_conflicts([one], across=False)) == 1


def test_a_return_label_is_a_label_not_a_return() -> None:
    # "return label" is one entry of `label`, as "return address" is of `address` (leave-one-out
    # read "Return label created" and "Étiquette de retour créée" as returns to the sender)
    assert analyse("Return label created").concepts == {"label"}
    assert analyse("Étiquette de retour créée").concepts == {"label"}
    assert "return" in analyse("Return to sender").concepts
