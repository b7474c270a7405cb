"""Keeping credentials out of every message: each secret in each encoding a server may echo it in.

A carrier's error body can repeat what it was sent: the token request's form (``client_secret=a%2Bb``,
or ``a+b`` for a space), a JSON-escaped copy (``"a\\u002bb"``), an HTML page (``a&#43;b``), a Basic
``Authorization`` header (base64 of ``id:secret``). `redact` replaces every such spelling of every
secret with ``***``, and removes ``user:password@`` from URLs. Callers redact first and cut the text
to length afterwards: cutting first would let the start of a secret through.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable
from typing import Final

__all__ = ["MASK", "basic_credentials", "max_spelled_length", "redact", "strip_userinfo"]

MASK: Final = "***"

#: ``scheme://user:password@`` (or ``scheme://user@``) in a URL.
_USERINFO: Final = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")

#: JSON's two-character escapes.
_JSON_SHORT: Final = {
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
#: HTML's named references for the characters that have one in every version.
_HTML_NAMED: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&(?:apos|#39);"}


def _hex(value: int, width: int) -> str:
    """A pattern for `value` in hexadecimal, each letter in either case."""
    return "".join(f"[{d.lower()}{d.upper()}]" if d.isalpha() else d for d in f"{value:0{width}X}")


def _spellings(char: str) -> str:
    """A pattern matching `char` as itself or in any encoding a server may echo it in (longest
    spellings first, so that ``%25`` is never read as a bare ``%`` followed by ``25``)."""
    code = ord(char)
    options: list[str] = []
    # URL encoding of its UTF-8 bytes (either hex case; "%25" when encoded twice); "+" for space.
    options.append("".join(f"%(?:25)?{_hex(b, 2)}" for b in char.encode("utf-8")))
    # JSON: \uXXXX (a surrogate pair beyond the BMP) or the short escape.
    if code > 0xFFFF:
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        options.append(rf"\\u{_hex(high, 4)}\\u{_hex(low, 4)}")
    else:
        options.append(rf"\\u{_hex(code, 4)}")
    # HTML character references.
    options.append(f"&#0{{0,3}}{code};")
    options.append(f"&#[xX]0{{0,3}}{_hex(code, 1).lstrip('0') or '0'};")
    if char in _HTML_NAMED:
        options.append(_HTML_NAMED[char])
    if char in _JSON_SHORT:
        options.append(re.escape(_JSON_SHORT[char]))
    if char == " ":
        options.append(r"\+")
    options.append(re.escape(char))
    return "(?:" + "|".join(options) + ")"


@functools.lru_cache(maxsize=64)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for every spelling of every secret (longest secrets first)."""
    if not secrets:
        return None
    alternatives = ["".join(_spellings(c) for c in s) for s in sorted(secrets, key=len, reverse=True)]
    return re.compile("|".join(alternatives))


def max_spelled_length(secrets: Iterable[str]) -> int:
    """The most characters one occurrence of any of `secrets` can take in an encoded form."""
    return max((24 * len(s) for s in secrets if s), default=0)  # "%25F0%259F%2598%2580": 20


def basic_credentials(user: str, password: str) -> tuple[str, ...]:
    """Base64 of ``user:password`` as a Basic ``Authorization`` header carries it (standard and
    URL-safe alphabets, with and without padding): values to redact along with the password."""
    raw = f"{user}:{password}".encode()
    standard = base64.b64encode(raw).decode()
    urlsafe = base64.urlsafe_b64encode(raw).decode()
    return tuple(dict.fromkeys((standard, standard.rstrip("="), urlsafe, urlsafe.rstrip("="))))


def strip_userinfo(text: str) -> str:
    """`text` with ``user:password@`` removed from every URL in it."""
    return _USERINFO.sub(r"\1", text)


def redact(text: str, secrets: Iterable[str], *, keep: int | None = None) -> str:
    """`text` on one line, every known secret (in any spelling) replaced by ``***`` and
    ``user:password@`` removed from URLs.

    With `keep`, only the first `keep` characters of `text` are read (then `` …``): a secret that
    starts inside them is still replaced whole, so no beginning of a secret is ever left.

    >>> redact("bad secret s3cr%2Bt at https://me:pw@api.test/x", ["s3cr+t", "pw"])
    'bad secret *** at https://api.test/x'
    """
    known = sorted({s for s in secrets if s})
    cut = keep is not None and len(text) > keep
    end = keep if keep is not None and cut else len(text)
    head = text[: end + max_spelled_length(known)] if cut else text
    pattern = _pattern(tuple(known))
    pieces: list[str] = []
    pos = 0
    if pattern is not None:
        for match in pattern.finditer(head):
            if match.start() >= end:
                break
            pieces += (head[pos : match.start()], MASK)
            pos = match.end()
    if pos < end:
        pieces.append(head[pos:end])
    if cut:
        pieces.append(" …")
    return " ".join(strip_userinfo("".join(pieces)).split())
