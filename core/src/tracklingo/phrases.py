"""Phrase folding: the one key under which carrier texts and place names are compared.

`normalize_phrase` makes a text case-, accent-, punctuation- and whitespace-insensitive: the
vocabulary keys its phrase rules by it, and `tracklingo.countries` its country names.

Letters of every script are kept: accents leave Latin, Greek and Cyrillic letters (``é`` → ``e``),
while the marks that are part of a letter elsewhere (Japanese voicing marks, Devanagari vowel
signs, Thai tone marks) stay, so ``が`` and ``か`` remain different words; Hangul is kept as
syllables. Korean, Chinese, Japanese, Thai, Arabic or Hebrew carrier texts therefore fold to
themselves, lower-cased where the script has case, with punctuation turned into spaces.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["normalize_phrase"]

_NON_WORD: Final = re.compile(r"[^0-9a-z]+")
_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")
#: Combining accents after a Latin, Greek or Cyrillic letter (NFKD form).
_LATIN_ACCENTS: Final = re.compile(r"(?<=[\x00-\u052f])[\u0300-\u036f\u0483-\u0489]+")
#: Characters below this are Latin, Greek or Cyrillic: accents on them are dropped.
_ACCENTED_SCRIPTS_END: Final = "\u0530"
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
        return _fold_unicode(text)
    text = text.lower().replace("&", " and ").replace("'", "")
    return _NON_WORD.sub(" ", text).strip()


def _fold_unicode(text: str) -> str:
    """`normalize_phrase` for text beyond ASCII: accents off Latin/Greek/Cyrillic, other scripts kept.

    >>> normalize_phrase("配送完了（東京）")
    '配送完了 東京'
    >>> normalize_phrase("배송완료")
    '배송완료'
    >>> normalize_phrase("Доставлено")
    'доставлено'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    latin = _LATIN_ACCENTS.sub("", decomposed)
    if not any(c.isalnum() or unicodedata.category(c)[0] == "M" for c in _NON_ASCII.findall(latin)):
        # the usual case: Latin text whose accents are gone; other characters separate words
        latin = _NON_ASCII.sub(" ", latin).lower().replace("&", " and ").replace("'", "")
        return _NON_WORD.sub(" ", latin).strip()
    kept: list[str] = []
    accented = True  # whether the last base character's script drops its accents
    for c in decomposed:
        if unicodedata.category(c)[0] == "M":  # a mark: an accent, a vowel sign, a voicing mark
            if not accented:
                kept.append(c)
            continue
        accented = c < _ACCENTED_SCRIPTS_END
        # letters and digits of any script stay; "&" reads as "and"; anything else separates words
        kept.append(c if c.isalnum() else " and " if c == "&" else "" if c == "'" else " ")
    folded = unicodedata.normalize("NFC", "".join(kept)).lower()
    return " ".join(folded.split())
