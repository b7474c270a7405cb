"""What an error response says, and how it becomes one safe line of an error message.

`error_text` is the one reader of error bodies that every client uses (a carrier's own error shape is
read by its client's `error_message`, which falls back to `error_text`). `safe_message` turns any
text into what an exception may carry: secrets redacted first, then one line, then cut to length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import httpx

from tracklingo.http.redaction import redact

__all__ = ["MAX_MESSAGE", "error_text", "response_json", "safe_message"]

#: Longest server text kept in an error message (characters).
MAX_MESSAGE: Final = 300

#: Keys of a JSON error body that hold the human text, in the order they are tried (OAuth2's
#: ``error_description`` first, then the common API shapes and RFC 7807 problem details).
DEFAULT_KEYS: Final = ("error_description", "message", "detail", "title", "error")


def response_json(response: httpx.Response) -> Any:
    """The decoded JSON body, or None when the body is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def _text_of(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict):
        inner = value.get("message")
        if isinstance(inner, str) and inner.strip():
            return inner
    return None


def error_text(response: httpx.Response, keys: Sequence[str] = DEFAULT_KEYS) -> str:
    """What an error response says: the first text among `keys` of a JSON body (a key may hold an
    object with a ``message``), else ``errors[0].message|detail|title``, else the body text, else
    the reason phrase. Whole: not redacted and not cut (see `safe_message`)."""
    data = response_json(response)
    if isinstance(data, dict):
        for key in keys:
            found = _text_of(data.get(key))
            if found is not None:
                return found
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            for key in ("message", "detail", "title"):
                found = _text_of(errors[0].get(key))
                if found is not None:
                    return found
    return response.text.strip() or response.reason_phrase or "no details"


def safe_message(text: str, secrets: Iterable[str], limit: int | None = MAX_MESSAGE) -> str:
    """`text` fit for an error message: secrets redacted (in any encoding) and ``user:password@``
    dropped from URLs, on one line, then cut to `limit` characters (None: not cut).

    Redaction comes first: cutting first would leave the start of a secret that straddles the cut.
    """
    if limit is None:
        return redact(text, secrets)
    out = redact(text, secrets, keep=4 * limit)
    if len(out) > limit:
        out = out[: limit - 1].rstrip() + "…"
    return out
