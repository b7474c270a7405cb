"""How a conformance check reports: `ConformanceError` with what is wrong and how to fix it."""

from __future__ import annotations

import json
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from tracklingo.errors import AdapterError, VocabularyError
from tracklingo.model import TrackingEvent

__all__ = ["ConformanceError", "adapter_bug", "event_label", "fail", "short", "where"]

_MAX_LISTED: Final = 12


class ConformanceError(AssertionError):
    """A conformance check failed. The message says what is wrong and what to fix."""


def fail(carrier: str, title: str, problems: Sequence[str], fix: str) -> ConformanceError:
    """The error a check raises: the carrier, a title, the problems (at most 12 listed), the fix."""
    shown = [f"  - {p}" for p in problems[:_MAX_LISTED]]
    if len(problems) > _MAX_LISTED:
        shown.append(f"  ... and {len(problems) - _MAX_LISTED} more")
    body = "\n".join(shown)
    return ConformanceError(f"{carrier}: {title}\n{body}\nHow to fix: {fix}")


def short(value: Any, limit: int = 160) -> str:
    """`value` as JSON (or its repr), cut to `limit` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def where(exc: BaseException) -> str:
    """`` (at file.py:12 in name)`` for the innermost frame of an exception's traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"


def event_label(event: TrackingEvent | Mapping[str, Any], index: int) -> str:
    """``event #3 code DL "Delivered"``, for messages."""
    code: Any
    text: Any
    if isinstance(event, TrackingEvent):
        code, text = event.code, event.description
    else:
        code, text = event.get("code"), event.get("description")
    parts = [f"event #{index + 1}"]
    if code:
        parts.append(f"code {code}")
    if text:
        parts.append(short(text, 70))
    return " ".join(parts)


def adapter_bug(carrier: str, what: str, exc: BaseException, payload: Any = None) -> ConformanceError:
    """The report for an adapter hook that raised something other than `ParseError` (the core
    turned it into an `AdapterError` so the host survives; the kit shows the original)."""
    original = exc.original if isinstance(exc, AdapterError) else exc
    if isinstance(original, VocabularyError):
        return fail(
            carrier,
            f"read() cannot work {what}: the vocabulary does not load",
            [str(original)],
            "fix the vocabulary first (test_vocabulary_loads says how)",
        )
    problems = [f"{type(original).__name__}: {original}{where(original)}"]
    if payload is not None:
        problems.append(f"payload: {short(payload, 300)}")
    return fail(
        carrier,
        f"read() raised {type(original).__name__} {what}",
        problems,
        "a parser raises nothing but tracklingo.ParseError: check types (tracklingo.adapter's"
        " mapping/items/text accessors) before use, catch the error for a missing or malformed"
        " field (KeyError, TypeError, ValueError, IndexError) and `raise ParseError(carrier.name,"
        " 'what is missing or wrong') from None`, or skip the malformed event. (The core already"
        " turns such errors into a rejected record, so the host survives; the kit reports them"
        " because the message a user sees is then Python's, not yours.)",
    )
