"""Sentence forms: frames as data, what they keep, and the bounds on their work."""

from __future__ import annotations

from typing import Any

import pytest

from tracklingo.errors import VocabularyError
from tracklingo.openworld import forms as forms_module
from tracklingo.openworld.forms import Forms, load_forms


@pytest.mark.parametrize("form", load_forms().forms, ids=lambda f: f.name)
def test_every_forms_example_is_read_by_its_own_form(form: forms_module.Form) -> None:
    reading = load_forms().read(form.example)
    applied = {name for k in reading.kernels for name in k.forms}
    assert form.name in applied
    assert all(len(k.text) < len(form.example) for k in reading.kernels)


def test_a_usps_summary_keeps_its_place_date_and_time() -> None:
    reading = load_forms().read(
        "Your item was delivered in or at the mailbox at 2:41 pm on June 28, 2018 in ARLINGTON, TN 38002."
    )
    assert "delivered in or at the mailbox" in [k.text for k in reading.kernels]
    assert dict(reading.captured) == {
        "city": "ARLINGTON",
        "region": "TN",
        "postal_code": "38002",
        "country": "US",
    }
    assert dict(reading.when) == {"date": "June 28, 2018", "time": "2:41 pm"}


def test_a_frame_template_names_the_event() -> None:
    reading = load_forms().read(
        "Your item departed our MEMPHIS TN DISTRIBUTION CENTER ANNEX origin facility"
        " on June 28, 2018 at 1:05 am."
    )
    assert reading.kernels[0].text == "departed USPS Regional origin Facility"
    assert reading.captured["facility"] == "MEMPHIS TN DISTRIBUTION CENTER ANNEX"


def test_a_bracketed_marker_is_removed_and_gives_the_direction() -> None:
    reading = load_forms().read("Held by customs (Import)")
    assert reading.kernels[0].text == "Held by customs"
    assert reading.direction == "inbound"


def test_status_then_explanation_keeps_the_status() -> None:
    reading = load_forms().read(
        "Delivered, In/At Mailbox - Your item was delivered in or at the mailbox"
        " at 11:29 am on August 28, 2018"
    )
    assert "Delivered, In/At Mailbox" in [k.text for k in reading.kernels]
    # a second status after the dash is not an explanation: no split
    other = load_forms().read("In transit - Package available for clearance")
    assert "In transit" not in [k.text for k in other.kernels]


@pytest.mark.parametrize(
    ("text", "kernel"),
    [
        ("Your parcel has been delivered", "delivered"),
        ("Je pakket is onderweg", "onderweg"),
        ("Votre colis a été livré", "livré"),
        ("Tu envío ha sido entregado", "entregado"),
        ("Paczka została doręczona", "doręczona"),
        ("Das Paket wurde zugestellt.", "zugestellt."),
    ],
)
def test_a_subject_opening_is_dropped(text: str, kernel: str) -> None:
    assert kernel in [k.text for k in load_forms().read(text).kernels]


@pytest.mark.parametrize(
    "text",
    ["Your parcel will be delivered today", "Your parcel is being delivered", "Die Sendung wird zugestellt"],
)
def test_a_future_or_progressive_auxiliary_is_not_dropped(text: str) -> None:
    # "will be delivered" and "wird zugestellt" are not "delivered": no kernel may say so
    kernels = [k.text.lower() for k in load_forms().read(text).kernels]
    assert not any(k.startswith(("delivered", "zugestellt")) for k in kernels)


def test_a_plain_status_has_no_kernel() -> None:
    assert load_forms().read("Delivered").kernels == ()


def test_texts_longer_than_the_bound_skip_the_forms() -> None:
    forms = load_forms()
    long = "Your item was delivered " + "x" * (forms.max_length + 10)
    reading = forms.read(long)
    assert reading.kernels == ()
    assert len(reading.inference_text) == forms.max_length


def test_the_affix_loop_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    forms = load_forms()
    calls = 0
    real = forms._strip_affixes

    def counting(*args: Any) -> str:
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(forms, "_strip_affixes", counting)
    text = ", ".join(["Out for Delivery"] + ["May 16, 2016, 8:36 am"] * 40)[: forms.max_length]
    forms.read(text)
    assert calls <= 4  # one per starting text, each at most _MAX_PASSES passes
    assert forms_module._MAX_PASSES <= 10


def _entry(pattern: str) -> dict[str, Any]:
    return {
        "meta": {"sources": {"S": "https://example.org"}},
        "affix": [{"name": "x", "at": "end", "pattern": pattern, "source": "S", "example": "e"}],
    }


@pytest.mark.parametrize("pattern", ["(a+)+$", "(?:x*y)*$", r"(\d+,?){2,}$"])
def test_nested_quantifiers_are_refused(pattern: str) -> None:
    with pytest.raises(VocabularyError, match="nests quantifiers"):
        Forms.from_dict(_entry(pattern))


def test_every_shipped_pattern_has_star_height_one() -> None:
    for form in load_forms().forms:
        assert not forms_module._NESTED.search(form.regex.pattern), form.name


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"affix": [{"name": "x", "at": "end", "pattern": "a$", "source": "NOPE", "example": "e"}]},
            "source key",
        ),
        (
            {
                "affix": [
                    {"name": "x", "at": "middle", "pattern": "a$", "source": "https://x.org", "example": "e"}
                ]
            },
            "`at`",
        ),
        ({"frame": [{"name": "x", "pattern": "^a", "source": "https://x.org", "example": "e"}]}, "kernel"),
        ({"marker": [{"name": "x", "pattern": "a", "source": "https://x.org", "example": "e"}]}, "direction"),
        ({"subject": [{"name": "x", "pattern": "^a", "source": "https://x.org"}]}, "example"),
    ],
)
def test_bad_forms_data_is_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        Forms.from_dict(raw)


def test_a_bare_noun_opening_is_dropped_but_opens_no_explanation() -> None:
    # terse event texts open with the noun alone (a courier scan relayed by an aggregator)
    assert "ARRIVED AT HUB" in [k.text for k in load_forms().read("SHIPMENT ARRIVED AT HUB").kernels]
    # after " - " the same opening starts a second status: the text is not split at the dash
    other = load_forms().read("Delivered to neighbour - Parcel left at the door")
    assert "Delivered to neighbour" not in [k.text for k in other.kernels]
    # with a determiner it is an explanation, and the status before the dash is a kernel
    told = load_forms().read("Delivered to neighbour - Your parcel was left with a neighbour")
    assert "Delivered to neighbour" in [k.text for k in told.kernels]


def test_explains_must_be_true_or_false() -> None:
    entry = {"name": "x", "pattern": "^parcel ", "source": "https://example.org", "example": "parcel x"}
    assert Forms.from_dict({"subject": [{**entry, "explains": False}]}).forms[0].explains is False
    with pytest.raises(VocabularyError, match="explains"):
        Forms.from_dict({"subject": [{**entry, "explains": "no"}]})
