"""How the inference layer reads a text: modifiers, frames, compounds, longest entries, stems."""

from __future__ import annotations

import pytest

from tracklingo.openworld.features import analyse, stem
from tracklingo.openworld.forms import load_forms
from tracklingo.taxonomy import Stage


@pytest.mark.parametrize(
    "text",
    [
        "The shipment could not be delivered",
        "Die Sendung konnte nicht zugestellt werden",
        "Zending niet bezorgd",
        "Le colis n'a pas pu être livré",
        "El paquete no ha sido entregado",  # auxiliaries between do not count against the scope
        "Przesyłka nie doręczona",
    ],
)
def test_a_negation_qualifies_the_status_after_it(text: str) -> None:
    features = analyse(text).features
    assert "m:negation:delivered" in features
    assert "c:delivered" not in features  # "not delivered" is not evidence of a delivery


@pytest.mark.parametrize(
    "text",
    [
        "Your parcel will be delivered tomorrow",
        "Die Sendung wird morgen zugestellt",
        # "Zending wordt bezorgd" (present passive: being delivered) reads as in progress, not
        # as a future: test_openworld_mechanisms.py; "wordt morgen bezorgd" is a future
        "Zending wordt morgen bezorgd",
        "Votre colis sera livré",
        "Su envío será entregado",
        "Przesyłka zostanie doręczona",
    ],
)
def test_future_wording_is_not_a_delivery(text: str) -> None:
    features = analyse(text).features
    assert "m:expected:delivered" in features
    assert "c:delivered" not in features


def test_a_modifier_qualifies_only_the_first_status_after_it() -> None:
    features = analyse("Shipment will be delivered to the parcel locker").features
    assert "m:expected:delivered" in features
    assert "c:locker" in features and "m:expected:locker" not in features


def test_a_modifier_inside_a_longer_entry_qualifies_nothing() -> None:
    an = analyse("No one home to receive the delivery")
    assert "recipient_absent" in an.concepts
    assert not any(f.startswith("m:negation:") for f in an.features)


def test_return_frames_every_other_concept() -> None:
    features = analyse("Return shipment has departed facility").features
    assert {"m:return:depart", "m:return:facility", "c:return"} <= features
    assert "c:depart" not in features and "c:facility" not in features


def test_german_and_dutch_compounds_are_split_into_known_words() -> None:
    assert {"delivery", "attempt"} <= analyse("Zustellversuch").concepts
    assert {"processed", "facility"} <= analyse("Sorteercentrum").concepts
    assert "facility" in analyse("Auslieferdepot").concepts


def test_the_longest_entry_wins() -> None:
    an = analyse("Out for delivery")
    assert "out_for_delivery" in an.concepts and "delivery" not in an.concepts
    an = analyse("Ready at the pick up point")
    assert "pickup_point" in an.concepts and "collect" not in an.concepts


def test_numbers_dates_and_times_carry_no_feature() -> None:
    features = analyse("Delivered 12.03.2026 14:05 Montag, 3 March").features
    words = {f for f in features if f.startswith("w:")}
    assert words == set()  # "delivered" is a concept; the rest is a date
    assert "c:delivered" in features


def test_a_direction_marker_keeps_its_word_for_inference() -> None:
    outward = analyse("Receive item at office of exchange (Otb)", forms=load_forms()).concepts
    inward = analyse("Receive item at office of exchange (Inb)", forms=load_forms()).concepts
    assert "export" in outward and "import" in inward


def test_evidence_words_are_kept_for_every_feature() -> None:
    an = analyse("Die Sendung konnte nicht zugestellt werden")
    assert an.shown["m:negation:delivered"] == "nicht zugestellt"
    assert set(an.shown) == set(an.features)


@pytest.mark.parametrize(
    ("a", "b"),
    [("sorted", "sorting"), ("sortiert", "sortierte"), ("gescand", "gescande"), ("entregado", "entregada")],
)
def test_inflections_share_a_stem(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_short_words_are_their_own_stem() -> None:
    assert stem("hub") == "hub" and stem("lost") == "lost"


@pytest.mark.parametrize(
    "text",
    [
        "Ihre Sendung wird morgen zugestellt",
        "Uw pakket wordt morgen bezorgd",
        "Twoja przesyłka zostanie doręczona jutro",
        "Su envío será entregado mañana",
    ],
)
def test_a_time_word_between_will_and_delivered_does_not_take_the_modifier(text: str) -> None:
    from tracklingo.openworld import OpenWorld, installed_vocabularies

    answer = OpenWorld(installed_vocabularies()).resolve(text)
    assert answer is not None and answer.stage is Stage.IN_TRANSIT, answer


def test_a_carrier_name_gives_no_word_feature() -> None:
    # "PostNL" or "Royal Mail" says which network, not what happened to the parcel
    features = analyse("Received by PostNL, delayed").features
    assert not any(f.startswith("w:postnl") for f in features)
    handed = analyse("Item handed to Royal Mail").features
    assert not {"w:royal", "w:mail"} & handed
    assert "c:handover" in handed  # the status words still count
