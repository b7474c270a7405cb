"""The event builder (`tracklingo.events`): a later mapper layer joins through `mapper_for` and the
memo follows; the time-order check; the memo is bounded and changes nothing; `pick`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from tracklingo import MatchKind, Stage, TrackingEvent, Vocabulary
from tracklingo import events as events_module
from tracklingo.adapter import Carrier, Contact, Place, Reading, Scan, Shipment
from tracklingo.events import builder_for, mapper_for, memo_disabled, pick
from tracklingo.mapping import Answer, Words
from tracklingo.openworld.layer import tables_only

VOCAB = Vocabulary.from_dict(
    {
        "meta": {"carrier": "toy", "sources": {"T": "core test data"}},
        "rule": [
            {"phrase": "Delivered", "stage": "delivered", "source": "T"},
            {"phrase": "In transit", "stage": "in_transit", "source": "T"},
        ],
    }
)


class Toy(Carrier):
    name: ClassVar[str] = "toy"
    display_name: ClassVar[str] = "Toy"
    contacts: ClassVar[tuple[Contact, ...]] = (Contact("help", url="https://toy.example"),)

    def __init__(self) -> None:
        self.shipments: list[Shipment] = []

    @property
    def vocabulary(self) -> Vocabulary:
        return VOCAB

    def sniff(self, payload: Any) -> bool:
        return True

    def read(self, payload: Any) -> Reading:
        return Reading(list(payload))

    def detect(self, tracking_number: str) -> float:
        return 0.0


class Neighbour:
    name = "inferred"

    def answer(self, words: Words, context: Mapping[str, str] | None) -> Answer | None:
        if words.text and "neighbour" in words.text.lower():
            return Answer(Stage.DELIVERED, MatchKind.INFERRED, confidence=0.6, evidence=("neighbour",))
        return None


def one(carrier: Carrier, text: str) -> TrackingEvent:
    result = carrier.parse([Shipment("T1", [Scan(text=text, time="2026-01-02T10:00:00+01:00")])])
    assert not result.errors
    (event,) = result.events
    return event


def test_a_later_layer_joins_through_mapper_for_and_the_memo_forgets_old_answers() -> None:
    carrier = Toy()
    with tables_only(mapper_for(carrier)):  # the carrier's own vocabulary has nothing for it
        assert one(carrier, "Left with the neighbour").match is MatchKind.UNMAPPED  # memoised
    mapper_for(carrier).add_layer(Neighbour())  # it goes before the core's open-world layers
    assert [layer.name for layer in mapper_for(carrier).layers][-2:] == ["open_world", "inference"]
    event = one(carrier, "Left with the neighbour")
    assert (event.stage, event.match, event.confidence, event.evidence) == (
        Stage.DELIVERED,
        MatchKind.INFERRED,
        0.6,
        ("neighbour",),
    )
    assert one(carrier, "Delivered").match is MatchKind.PHRASE  # the exact rule still wins
    mapper_for(carrier).switch("inferred", False)
    with tables_only(mapper_for(carrier)):
        assert one(carrier, "Left with the neighbour").match is MatchKind.UNMAPPED


def _scans(*times: Any) -> list[Scan]:
    return [Scan(text="In transit", time=t, raw={"i": i}) for i, t in enumerate(times)]


@pytest.mark.parametrize(
    ("times", "order"),
    [
        (("2026-01-02T10:00:00+01:00", "2026-01-02T09:00:00+01:00"), [1, 0]),  # same offset, as text
        (("2026-01-02T10:00:00+01:00", "2026-01-02T03:30:00-05:00"), [1, 0]),  # 09:00Z, 08:30Z
        (("2026-01-02T10:00:00+01:00", "2026-01-02T03:30:00-06:00"), [0, 1]),  # 09:00Z, 09:30Z
        ((None, "2026-01-02T03:30:00-06:00"), [1, 0]),  # undated last
        (("2026-01-02T10:00:00+01:00", "2026-01-02T10:00:00+01:00"), [0, 1]),  # equal: stable
    ],
)
def test_sort_by_time_orders_events_oldest_first_and_undated_last(
    times: tuple[Any, ...], order: list[int]
) -> None:
    events = Toy().parse([Shipment("T1", _scans(*times), sort_by_time=True)]).events
    assert [e.raw["i"] for e in events if isinstance(e.raw, dict)] == order


def test_without_sort_by_time_the_order_is_the_adapters() -> None:
    scans = _scans("2026-01-02T10:00:00+01:00", "2026-01-02T09:00:00+01:00")
    events = Toy().parse([Shipment("T1", scans)]).events
    assert [e.raw["i"] for e in events if isinstance(e.raw, dict)] == [0, 1]
    reversed_ = Toy().parse([Shipment("T1", scans, newest_first=True)]).events
    assert [e.raw["i"] for e in reversed_ if isinstance(e.raw, dict)] == [1, 0]


def test_the_memo_is_bounded_and_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_module, "MEMO_SIZE", 5)
    carrier = Toy()
    scans = [
        Scan(
            text=f"In transit {i % 7}",
            place=Place(city=f"Town {i % 9}", region="CA", country="US"),
            time=None,
        )
        for i in range(60)
    ]
    payload = [Shipment("T1", scans)]
    warm = carrier.parse(payload).events
    builder = builder_for(carrier)
    assert 0 < builder.memo_size() <= 3 * 5
    with memo_disabled(carrier):
        cold = carrier.parse(payload).events
    assert [e.model_dump() for e in warm] == [e.model_dump() for e in cold]


def _event(stage: Stage, when: str | None) -> TrackingEvent:
    return TrackingEvent.model_validate(
        {
            "carrier": "toy",
            "tracking_number": "T1",
            "stage": stage,
            "occurred_at": when,
            "description": "x",
            "match": "phrase",
        }
    )


def test_pick_prefers_a_record_that_moved_then_the_latest_scan() -> None:
    label = (Shipment("T1", []), [_event(Stage.LABEL_CREATED, "2026-03-01T00:00:00+00:00")])
    older = (Shipment("T1", []), [_event(Stage.IN_TRANSIT, "2026-01-01T00:00:00+00:00")])
    newer = (Shipment("T1", []), [_event(Stage.DELIVERED, "2026-02-01T00:00:00+00:00")])
    assert pick([label, older, newer]) is newer
    assert pick([label, older]) is older  # a label only, though later, loses to one that moved
    assert pick([label]) is label


def _feed(carrier: Carrier, places: list[int]) -> list[TrackingEvent]:
    """One flat feed record per entry of `places` (the place's number), through the builder."""
    builder = builder_for(carrier)
    return [
        builder.flat(
            Shipment(
                f"T{i}",
                [
                    Scan(
                        text="In transit",
                        place=Place(city=f"Town {p}", region="CA"),
                        time="2026-01-02T10:00:00Z",
                    )
                ],
            )
        )
        for i, p in enumerate(places)
    ]


def test_feed_memos_rest_while_they_do_not_pay_and_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_module, "PROBE", 8)
    monkeypatch.setattr(events_module, "REST", 2)
    carrier = Toy()
    builder = builder_for(carrier)
    unique = list(range(8))  # a probe of places never seen again: neither memo pays
    _feed(carrier, unique)
    assert not builder._place_gate.on and not builder._event_gate.on
    size = builder.memo_size()
    resting = list(range(100, 115))  # 8 * 2 records pass without a lookup (one left) ...
    _feed(carrier, resting)
    assert builder.memo_size() == size and not builder._place_gate.on
    _feed(carrier, [200])  # ... then they probe again
    assert builder._place_gate.on and builder._event_gate.on
    repeating = [1, 2, 3] * 8  # places that come back: the memos answer and stay in use
    warm = _feed(carrier, repeating + repeating)
    assert builder._place_gate.on and builder._event_gate.on
    assert {key[0] for key in builder._places if isinstance(key, tuple)} >= {"Town 1", "Town 2", "Town 3"}
    with memo_disabled(carrier):
        cold = _feed(carrier, repeating + repeating)
    assert [e.model_dump() for e in warm] == [e.model_dump() for e in cold]
    assert {e.location.city for e in warm} == {"Town 1", "Town 2", "Town 3"}
