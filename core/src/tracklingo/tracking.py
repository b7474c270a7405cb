"""Live tracking through the carriers' APIs: `track(numbers)` → events and per-number errors.

Each carrier plugin's `client().track(numbers)` returns raw API responses; its `parse` turns them
into canonical events. Numbers without a carrier are assigned by detection (an ambiguous number is
an error, never a guess).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracklingo.carrier import NumberError, ParseResult
from tracklingo.checkdigits import clean_number
from tracklingo.detection import best_carrier
from tracklingo.plugins import Registry, load_carriers

__all__ = ["track"]


def track(
    numbers: Iterable[str],
    *,
    carrier: str | None = None,
    registry: Registry | None = None,
    **client_options: Any,
) -> ParseResult:
    """Track `numbers` live; returns every event found and a `NumberError` per number that failed.

    Raises `ConfigError` (missing credentials), `CarrierAPIError` / `QuotaExceededError` (the API
    refused), `UnknownCarrierError` (no such carrier).
    """
    reg = registry if registry is not None else load_carriers()
    result = ParseResult()
    groups: dict[str, list[str]] = {}
    for number in numbers:
        if carrier:
            groups.setdefault(carrier.lower(), []).append(number)
            continue
        name, why = best_carrier(clean_number(number), reg)
        if name is None:
            result.errors.append(NumberError(number, why or "carrier not detected"))
        else:
            groups.setdefault(name, []).append(number)
    for name, group in groups.items():
        adapter = reg.get(name)
        client = adapter.client(**client_options)
        try:
            payloads = client.track(group)
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()
        for payload in payloads:
            parsed = adapter.parse(payload)
            result.events.extend(parsed.events)
            result.errors.extend(parsed.errors)
    return result
