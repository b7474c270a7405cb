"""Phrase folding: the one key under which carrier texts and place names are compared.

`normalize_phrase` makes a text case-, accent-, punctuation- and whitespace-insensitive: the
vocabulary keys its phrase rules by it, and `tracklingo.countries` its country names.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["normalize_phrase"]

_NON_WORD: Final = re.compile(r"[^0-9a-z]+")
#: Apostrophes (dropped like ``'``) and letters that Unicode does not decompose into ASCII.
_TRANSLITERATE: Final = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "\u00df": "ss",
        "\u00e6": "ae",
        "\u00c6": "AE",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u00f8": "o",
        "\u00d8": "O",
        "\u0142": "l",
        "\u0141": "L",
        "\u0111": "d",
        "\u0110": "D",
        "\u00f0": "d",
        "\u00d0": "D",
        "\u00fe": "th",
        "\u00de": "TH",
        "\u0131": "i",
    }
)


def normalize_phrase(text: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive key for a carrier phrase.

    >>> normalize_phrase("Delivered, In/At  Mailbox.")
    'delivered in at mailbox'
    >>> normalize_phrase("Zustellung erfolgreich – Empfänger’s")
    'zustellung erfolgreich empfangers'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        # accents go; any other non-ASCII character (a dash, a bullet) separates words
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.encode("ascii", "replace").decode().replace("?", " ")
    text = text.lower().replace("&", " and ").replace("'", "")
    return _NON_WORD.sub(" ", text).strip()
