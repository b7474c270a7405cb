from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracklingo.cli._terminal import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Delivered\x1b]0;title\x07", "Delivered\\x1b]0;title\\x07"),
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
        ("a\x9bb", "a\\x9bb"),
        ("evil\u202egnp.exe", "evil\\u202egnp.exe"),
        ("Zugestellt – Empfänger", "Zugestellt – Empfänger"),
        ("tab\tkept", "tab\tkept"),
    ],
)
def test_control_characters_are_escaped(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_newlines_are_kept_or_escaped() -> None:
    assert printable("a\nb") == "a\nb"
    assert printable("a\r\nb", newlines=False) == "a\\x0d\\nb"


@given(st.text())
def test_nothing_a_terminal_acts_on_survives(text: str) -> None:
    out = printable(text, newlines=False)
    assert not any((ord(c) < 0x20 and c != "\t") or 0x7F <= ord(c) <= 0x9F for c in out)
    assert "\u202e" not in out and "\u2066" not in out
