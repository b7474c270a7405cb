"""Live tracking through the carriers' APIs: `track(numbers)` → events and per-number errors.

Each carrier plugin's ``client()`` (a `tracklingo.http.TrackingClient`) returns raw API replies;
its ``parse`` turns them into canonical events. Numbers without a carrier are assigned by
detection (an ambiguous number is an error, never a guess).

Nothing one number or one carrier does stops the others: every number ends as events or as a
`NumberError` saying why. The numbers of a carrier are sent `batch_size` at a time, so a failure
loses no reply already received. A failure that concerns the whole carrier (its credentials are
missing or refused, its quota is spent, it cannot be reached within the deadline, its plugin
crashed) fails that carrier's remaining numbers without calling it again; the other carriers go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from tracklingo.carrier import Carrier, NumberError, ParseResult
from tracklingo.checkdigits import clean_number
from tracklingo.detection import best_carrier
from tracklingo.errors import (
    AdapterError,
    AuthenticationError,
    CarrierAPIError,
    ConfigError,
    QuotaExceededError,
    TracklingoError,
)
from tracklingo.guard import describe, plugin_code
from tracklingo.plugins import Registry, load_carriers

__all__ = ["track"]

#: Statuses that say the carrier refuses this client, whatever the numbers.
_CARRIER_WIDE_STATUSES = frozenset({401, 403, 407})


def track(
    numbers: Iterable[str],
    *,
    carrier: str | None = None,
    registry: Registry | None = None,
    **client_options: Any,
) -> ParseResult:
    """Track `numbers` live; every event found, and a `NumberError` per number that failed.

    `client_options` go to each carrier's ``client()`` (e.g. ``deadline=``, ``timeout=``).
    Raises only `UnknownCarrierError` when `carrier` names no installed carrier; every other
    failure is the failing numbers' `NumberError` (its message says which carrier and why).
    """
    reg = registry if registry is not None else load_carriers()
    if carrier:
        reg.get(carrier)  # an unknown --carrier is the caller's mistake: say so before any call
    result = ParseResult()
    groups: dict[str, list[str]] = {}
    for number in numbers:
        if carrier:
            groups.setdefault(carrier.strip().lower(), []).append(number)
            continue
        name, why = best_carrier(clean_number(number), reg)
        if name is None:
            result.errors.append(NumberError(number, why or "carrier not detected"))
        else:
            groups.setdefault(name, []).append(number)
    for name, group in groups.items():
        _track_carrier(reg.get(name), group, client_options, result)
    return result


def _track_carrier(adapter: Carrier, numbers: list[str], options: dict[str, Any], out: ParseResult) -> None:
    name = adapter.name
    try:
        with plugin_code(name, "client()"):
            client = adapter.client(**options)
    except TracklingoError as exc:  # the guard lets nothing else out (but the user's Ctrl-C)
        _fail(out, numbers, _describe(name, exc, "building its API client"))
        return
    try:
        size = _batch_size(client)
        stopped: str | None = None
        for batch in _batches(numbers, size):
            if stopped is not None:
                _fail(out, batch, f"not sent to {name}: {stopped}")
                continue
            try:
                with plugin_code(name, "track()"):
                    replies = client.track(batch)
            except CarrierAPIError as exc:
                _fail(out, batch, str(exc))
                if _carrier_wide(exc):
                    stopped = str(exc)
                continue
            except (ConfigError, AdapterError) as exc:  # a crash will not go away for the next batch
                stopped = _describe(name, exc, "tracking")
                _fail(out, batch, stopped)
                continue
            except TracklingoError as exc:  # an input the client refuses, for this batch only
                _fail(out, batch, f"{name}: {exc}")
                continue
            _parse_replies(adapter, batch, replies, out)
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            try:
                with plugin_code(name, "close()"):
                    close()
            except TracklingoError:
                pass  # the replies are in; a client that cannot close loses nothing


def _parse_replies(adapter: Carrier, batch: list[str], replies: Any, out: ParseResult) -> None:
    """Parse one batch's replies; a reply the parser cannot read fails the batch's numbers that
    nothing else accounted for, and so does a reply that says nothing about a number."""
    parsed = ParseResult()
    unreadable: str | None = None
    for reply in replies if isinstance(replies, list | tuple) else [replies]:
        try:
            with plugin_code(adapter.name, "parse()"):
                one = adapter.parse(reply)
        except TracklingoError as exc:
            unreadable = _describe(adapter.name, exc, "reading a reply")
            continue
        parsed.events.extend(one.events)
        parsed.errors.extend(one.errors)
    out.events.extend(parsed.events)
    out.errors.extend(parsed.errors)
    missing = _unaccounted(batch, parsed)
    if missing:
        why = unreadable or f"{adapter.name} returned nothing for this number"
        _fail(out, missing, why)


def _unaccounted(batch: list[str], parsed: ParseResult) -> list[str]:
    """The numbers of `batch` that no event and no error speaks of. A one-number batch is
    accounted for by anything the reply gave (a carrier may answer under another number)."""
    unnamed = any(e.tracking_number is None for e in parsed.errors)
    if (parsed.events or parsed.errors) and (len(batch) == 1 or unnamed):
        return []
    named = {clean_number(e.tracking_number) for e in parsed.events}
    named |= {clean_number(e.tracking_number) for e in parsed.errors if e.tracking_number}
    return [n for n in batch if not any(clean_number(n).endswith(m) for m in named if m)]


def _carrier_wide(exc: CarrierAPIError) -> bool:
    """A failure no other number of this carrier would escape: credentials refused, quota
    spent, or no HTTP answer at all (unreachable, timed out, past the deadline)."""
    return (
        isinstance(exc, QuotaExceededError | AuthenticationError)
        or exc.status_code is None
        or exc.status_code in _CARRIER_WIDE_STATUSES
    )


def _describe(name: str, exc: TracklingoError, doing: str) -> str:
    if isinstance(exc, AdapterError):  # the plugin crashed (`tracklingo.guard`)
        return f"{name}: the plugin raised {describe(exc)} while {doing}"
    text = str(exc)
    return text if text.lower().startswith(name.lower()) else f"{name}: {text}"


def _fail(out: ParseResult, numbers: Sequence[str], message: str) -> None:
    out.errors.extend(NumberError(n, message) for n in numbers)


def _batch_size(client: Any) -> int:
    size = getattr(client, "batch_size", 1)
    return size if isinstance(size, int) and size > 0 else 1


def _batches(numbers: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(numbers), size):
        yield numbers[start : start + size]
