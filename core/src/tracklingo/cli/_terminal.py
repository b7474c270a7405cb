"""Text on a terminal: what carriers, servers and feeds wrote, made safe to print.

Carrier texts, tracking numbers and server error bodies are foreign input. Written raw to a terminal,
an escape sequence in them can change the window title, clear the screen or rewrite earlier lines,
even when stdout is piped to a pager. Human output goes through `printable`; JSON output stays exact
(JSON escapes control characters itself).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["printable"]

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode format characters that
# reorder or hide text on a terminal (bidirectional overrides and isolates, zero-width marks).
_UNSAFE: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: object, *, newlines: bool = True) -> str:
    """`text` with control and format characters shown as ``\\x1b`` / ``\\u202e`` escapes.

    Tabs are kept; newlines too unless `newlines` is False (then they are escaped as well, for
    one-line messages). A carriage return is always escaped: it rewrites the line on screen.

    >>> printable("Delivered\\x1b]0;pwned\\x07")
    'Delivered\\\\x1b]0;pwned\\\\x07'
    """
    value = text if isinstance(text, str) else str(text)
    out = _UNSAFE.sub(_escape, value)
    if not newlines:
        out = out.replace("\n", "\\n")
    return out
