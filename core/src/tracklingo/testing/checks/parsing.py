"""Checks on `parse`: purity, the order of the events, and their times."""

from __future__ import annotations

import builtins
import copy
import io
import socket
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tracklingo.carrier import Carrier, ParseResult
from tracklingo.errors import AdapterError, ParseError
from tracklingo.model import TrackingEvent
from tracklingo.testing.checks._report import adapter_bug, event_label, fail, short
from tracklingo.testing.checks.samples import Sample
from tracklingo.times import order_key

__all__ = ["Outcome", "check_oldest_first", "check_parse_pure", "check_timestamps", "run_parse"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What parsing one sample gave: a result, or the `ParseError` the adapter raised."""

    sample: Sample
    result: ParseResult | None
    error: ParseError | None


def run_parse(carrier: Carrier, sample: Sample) -> Outcome:
    """Parse one sample; the adapter's own `ParseError` is an outcome, anything else its `read`
    raised (which the core turned into an `AdapterError`) fails with what to fix."""
    try:
        result = carrier.parse(sample.payload)
    except AdapterError as exc:
        raise adapter_bug(carrier.name, f"on fixture {sample.name}", exc) from exc.original
    except ParseError as exc:
        return Outcome(sample, None, exc)
    except Exception as exc:  # the core's guard lets nothing else out: a tracklingo bug
        raise adapter_bug(carrier.name, f"on fixture {sample.name} (through the core)", exc) from exc
    bad = [e for e in result.events if not isinstance(e, TrackingEvent)]
    if bad:
        raise fail(
            carrier.name,
            f"parse() returned events that are not TrackingEvent for fixture {sample.name}",
            [short(repr(b)) for b in bad],
            "return a tracklingo.adapter.Reading from read(); the core builds the events",
        )
    return Outcome(sample, result, None)


# -- purity ------------------------------------------------------------------------------------------


class _ImpureCall(Exception):
    pass


@contextmanager
def _no_io() -> Iterator[list[str]]:
    """Block network, subprocesses and file writes; record attempts (parse must be pure)."""
    seen: list[str] = []

    def blocked(what: str) -> Callable[..., Any]:
        def deny(*args: Any, **kwargs: Any) -> Any:
            seen.append(what)
            raise _ImpureCall(f"parse() must be pure, but it tried to {what}")

        return deny

    real_open = builtins.open

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(m in mode for m in "wax+"):
            seen.append(f"open {file!s} for writing")
            raise _ImpureCall(f"parse() must be pure, but it opened {file!s} for writing")
        return real_open(file, mode, *args, **kwargs)

    patches: list[tuple[Any, str, Any]] = [
        (socket.socket, "connect", blocked("open a network connection")),
        (socket, "create_connection", blocked("open a network connection")),
        (socket, "getaddrinfo", blocked("resolve a host name")),
        (subprocess, "Popen", blocked("start a process")),
        (builtins, "open", guarded_open),
        (io, "open", guarded_open),
    ]
    saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
    try:
        for obj, name, value in patches:
            setattr(obj, name, value)
        yield seen
    finally:
        for obj, name, value in saved:
            setattr(obj, name, value)


def _comparable(outcome: Outcome) -> Any:
    if outcome.error is not None:
        return ("error", outcome.error.message)
    assert outcome.result is not None
    return (list(outcome.result.events), list(outcome.result.errors))


def check_parse_pure(carrier: Carrier, samples: Sequence[Sample]) -> None:
    """`parse` is pure and idempotent: the same input twice gives equal output, the input is not
    changed, and it does no I/O (network, processes, file writes)."""
    from tracklingo.testing.checks.golden import diff_golden, golden_data

    problems: list[str] = []
    for sample in samples:
        before = copy.deepcopy(sample.payload)
        first = run_parse(carrier, sample)  # warms lazy caches (vocabulary, time zones)
        with _no_io() as seen:
            try:
                second = run_parse(carrier, sample)
                third = run_parse(carrier, Sample(sample.name, sample.path, copy.deepcopy(before)))
            except AssertionError as exc:
                if seen:
                    problems.append(f"{sample.name}: {seen[0]}")
                    continue
                raise exc from None
        if seen:
            problems.append(f"{sample.name}: parse() tried to {seen[0]}")
            continue
        if sample.payload != before:
            problems.append(
                f"{sample.name}: parse() changed its input payload (work on copies, never edit"
                " the caller's dicts or lists)"
            )
        for label, other in (("the same payload", second), ("an equal copy", third)):
            if _comparable(first) != _comparable(other):
                diffs = diff_golden(golden_data(first), golden_data(other)) or ["the events differ in `raw`"]
                problems.append(f"{sample.name}: parsing {label} again gave a different result: {diffs[0]}")
    if problems:
        raise fail(
            carrier.name,
            "parse() is not pure and idempotent",
            problems,
            "read() must depend only on its payload: no clock (datetime.now), no randomness, no"
            " state kept between calls, no I/O, and it must not modify the payload",
        )


# -- order and time ------------------------------------------------------------------------------------


def check_oldest_first(carrier: Carrier, samples: Sequence[Sample]) -> None:
    """Every shipment's events come out oldest first (the contract): its events with an aware
    time never go back in time. Naive local times are not compared (their zones differ)."""
    problems: list[str] = []
    for sample in samples:
        outcome = run_parse(carrier, sample)
        if outcome.result is None:
            continue
        last: dict[str, tuple[int, Any]] = {}
        for i, event in enumerate(outcome.result.events):
            when = event.occurred_at
            if when is None or when.tzinfo is None:
                continue
            previous = last.get(event.tracking_number)
            if previous is not None and order_key(when) < order_key(previous[1]):
                problems.append(
                    f"{sample.name} {event_label(event, i)} at {when.isoformat()} comes after"
                    f" event #{previous[0] + 1} at {previous[1].isoformat()}"
                )
            last[event.tracking_number] = (i, when)
    if problems:
        raise fail(
            carrier.name,
            "a shipment's events do not come out oldest first",
            problems,
            "list each Shipment's scans oldest first in read(), or say how the response orders"
            " them: Shipment(newest_first=True) when it lists them newest first,"
            " Shipment(sort_by_time=True) when its order is not reliable",
        )


def check_timestamps(carrier: Carrier, samples: Sequence[Sample]) -> None:
    """Every event's time is aware, or naive and flagged (`time_is_local` + `time_note`), or None
    with a `time_note` saying why."""
    problems: list[str] = []
    for sample in samples:
        outcome = run_parse(carrier, sample)
        if outcome.result is None:
            continue
        for i, event in enumerate(outcome.result.events):
            when = event.occurred_at
            label = f"{sample.name} {event_label(event, i)}"
            if when is None:
                if not event.time_note:
                    problems.append(f"{label}: occurred_at is None and time_note does not say why")
            elif when.tzinfo is None or when.utcoffset() is None:
                if not event.time_is_local or not event.time_note:
                    problems.append(
                        f"{label}: occurred_at {when.isoformat()} has no offset but is not flagged"
                        " (time_is_local with a time_note)"
                    )
            elif event.time_is_local:
                problems.append(
                    f"{label}: occurred_at {when.isoformat()} has an offset but time_is_local is set"
                )
    if problems:
        raise fail(
            carrier.name,
            "event times break the time rules",
            problems,
            "hand the carrier's timestamp as written (Scan.time, with Scan.utc_offset /"
            " Scan.utc_time where the carrier writes them) and the event's place (Scan.place) to"
            " the core: it keeps a given offset, resolves a naive local time only where the zone"
            " is certain, and otherwise flags it; never shift or invent an offset",
        )
