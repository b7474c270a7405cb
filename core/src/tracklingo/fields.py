"""Field accessors: reading values out of decoded JSON (or CSV) without trusting their types.

One module for the type guards every payload walk needs. Adapters import them through
`tracklingo.adapter`; the core uses `text_of` and `number_of` on what adapters hand it.

- `text` (lenient): a stripped non-empty string, a number as its decimal text, else None.
- `string`: a stripped non-empty string, else None (numbers too).
- `text_of` (strict): like `text`, but a value of another type raises `FieldError`.
- `number_of`: a tracking number: a string, or an integer as its exact digits; a JSON float (its
  digits are already lost: ``9.400111899223197e+21``) or another type raises `FieldError`.
- `mapping`, `items`, `dig`: containers, never raising.
- `short`: a value cut to a length, for messages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["FieldError", "dig", "items", "mapping", "number_of", "short", "string", "text", "text_of"]


class FieldError(ValueError):
    """A field holds a value of a type it cannot have (a list where a text belongs)."""

    def __init__(self, field: str, value: Any, why: str | None = None) -> None:
        self.field = field
        self.value = value
        super().__init__(why or f"{field} must be text, not {type(value).__name__}")


def text(value: Any) -> str | None:
    """A non-empty stripped string; a number is read as its decimal text; else None."""
    if value.__class__ is str:  # the common case, kept fast
        return value.strip() or None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def string(value: Any) -> str | None:
    """A non-empty stripped string, or None for anything else."""
    if isinstance(value, str):
        return value.strip() or None
    return None


def text_of(value: Any, field: str) -> str | None:
    """`text`, but a value that is neither text, a number nor None raises `FieldError`."""
    if value.__class__ is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        raise FieldError(field, value, f"{field} must be text, not a boolean")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    raise FieldError(field, value)


def number_of(value: Any, field: str = "tracking number") -> str | None:
    """A tracking number as written: a string (stripped), or a non-negative integer as its exact
    digits. A float raises `FieldError`: JSON numbers with a fraction or an exponent, and integers
    past 2**53 in many producers, have lost digits, so the number cannot be trusted."""
    if value.__class__ is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        raise FieldError(field, value, f"{field} must be text, not a boolean")
    if isinstance(value, int):
        if value < 0:
            raise FieldError(field, value, f"{field} must not be a negative number ({value})")
        return str(value)
    if isinstance(value, float):
        raise FieldError(
            field,
            value,
            f"{field} is a JSON number with a fraction or exponent ({value!r}): its digits are lost;"
            " write tracking numbers as strings",
        )
    if isinstance(value, str):
        return value.strip() or None
    raise FieldError(field, value)


def mapping(value: Any) -> Mapping[str, Any] | None:
    """`value` when it is a mapping (a JSON object), else None."""
    if value.__class__ is dict:  # decoded JSON: skip the (slow) abstract-class check
        return value
    return value if isinstance(value, Mapping) else None


def items(value: Any) -> Sequence[Any]:
    """`value` when it is a list, else an empty tuple."""
    return value if value.__class__ is list or isinstance(value, list) else ()


def dig(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]...`` through mappings only; None as soon as a step is not one."""
    current = data
    for key in path:
        if current.__class__ is not dict and not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def short(value: Any, limit: int = 80) -> str:
    """`value` as JSON (or its repr), cut to `limit` characters with an ellipsis."""
    try:
        rendered = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        rendered = repr(value)
    return rendered if len(rendered) <= limit else rendered[: limit - 1] + "…"
