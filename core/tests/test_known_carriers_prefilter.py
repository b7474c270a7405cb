"""`mentioned_carriers` skips the patterns of carriers a text cannot name (`_may_name`); the answer
is the one every pattern gives."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracklingo.known_carriers import KnownCarrier, known_carriers, mentioned_carriers


def _every_pattern(text: str, installed: set[str]) -> list[KnownCarrier]:
    return [c for c in known_carriers() if c.name not in installed and c.pattern.search(text)]


def _texts() -> list[str]:
    out = ["Delivered", "", "Processing at UPS Facility", "ups and downs", "Arrived at DHL hub."]
    for carrier in known_carriers():
        for name in carrier.names:
            out += [
                name,
                name.lower(),
                name.upper(),
                f"Handed to {name} for delivery",
                f"x{name}",
                f"{name}.",
            ]
    return out


def test_the_texts_naming_each_carrier_in_any_case() -> None:
    texts = _texts()
    assert any(mentioned_carriers(t) for t in texts)  # the names are found
    for text in texts:
        for installed in (set(), {"ups", "dhl"}):
            assert mentioned_carriers(text, installed) == _every_pattern(text, installed), text


_NAME_WORDS = sorted({w for c in known_carriers() for n in c.names for w in n.split()})


@given(
    st.lists(
        st.sampled_from([*_NAME_WORDS, "at", "Delivered", " ", "-", ".", "\u017f", "\u212a"]), max_size=6
    )
)
def test_any_text_of_name_words(words: list[str]) -> None:
    for text in (" ".join(words), "".join(words), " ".join(words).lower()):
        assert mentioned_carriers(text) == _every_pattern(text, set()), text
