"""Fuzzing `parse` with hypothesis: arbitrary JSON, and the adapter's own fixtures with one part
deleted, nulled or replaced. Either way `parse` may raise only `tracklingo.ParseError`; and the
core's memo of scan mappings (`tracklingo.events`) changes no answer."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from tracklingo.carrier import Carrier, ParseResult
from tracklingo.errors import AdapterError, ParseError, VocabularyError
from tracklingo.events import clear_memo, memo_disabled
from tracklingo.model import event_to_json
from tracklingo.testing.checks import ConformanceError, Sample, adapter_bug
from tracklingo.testing.checks import fail as _fail
from tracklingo.testing.checks import short as _short
from tracklingo.testing.checks import where as _where

__all__ = [
    "check_fuzz_arbitrary",
    "check_fuzz_mutated",
    "check_memo_changes_nothing",
    "json_values",
    "mutations",
]

Path_ = tuple[str | int, ...]


def _keys(value: Any, out: set[str], limit: int = 200) -> None:
    if len(out) >= limit:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(str(k))
            _keys(v, out, limit)
    elif isinstance(value, list):
        for v in value[:20]:
            _keys(v, out, limit)


def json_values(keys: Sequence[str] = (), max_leaves: int = 25) -> st.SearchStrategy[Any]:
    """Arbitrary JSON values; object keys are drawn from `keys` (the carrier's own field names,
    so the parser gets past its first lookups) or are random text."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**63), max_value=2**64)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=40)
    )
    key = st.sampled_from(sorted(keys)) | st.text(max_size=12) if keys else st.text(max_size=12)

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.lists(children, max_size=4) | st.dictionaries(key, children, max_size=6)

    return st.recursive(scalars, extend, max_leaves=max_leaves)


def _paths(value: Any, prefix: Path_ = (), limit: int = 400) -> Iterator[Path_]:
    if isinstance(value, dict):
        items: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return
    for k, v in items:
        path = (*prefix, k)
        yield path
        yield from _paths(v, path, limit)


def _apply(payload: Any, path: Path_, action: str, value: Any) -> Any:
    target = payload
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    if action == "delete":
        del target[last]
    elif action == "null":
        target[last] = None
    else:
        target[last] = value
    return payload


def _describe(name: str, path: Path_, action: str, value: Any) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    what = {"delete": "deleted", "null": "set to null"}.get(action, f"set to {_short(value, 60)}")
    return f"fixture {name} with {where} {what}"


@st.composite
def mutations(draw: st.DrawFn, samples: Sequence[Sample]) -> tuple[str, Any]:
    """A fixture with one part deleted, nulled or replaced: (description, payload)."""
    sample = draw(st.sampled_from(list(samples)))
    paths = list(_paths(sample.payload))[:400]
    if not paths:
        return f"fixture {sample.name} unchanged", copy.deepcopy(sample.payload)
    path = draw(st.sampled_from(paths))
    action = draw(st.sampled_from(["delete", "null", "replace"]))
    value = draw(json_values(max_leaves=6)) if action == "replace" else None
    payload = _apply(copy.deepcopy(sample.payload), path, action, value)
    return _describe(sample.name, path, action, value), payload


def _attempt(carrier: Carrier, payload: Any, what: str) -> None:
    try:  # the adapter's own hook first, unguarded: its bugs show even if the vocabulary is broken
        carrier.read(copy.deepcopy(payload))
    except ParseError:
        return
    except RecursionError:
        return  # absurdly deep JSON: not a parser bug worth failing on
    except Exception as exc:
        raise adapter_bug(carrier.name, f"on {what}", exc, payload) from exc
    try:
        result = carrier.parse(payload)
    except AdapterError as exc:  # the adapter's read() raised: the core kept the host alive
        raise adapter_bug(carrier.name, f"on {what}", exc, payload) from exc.original
    except ParseError:
        return
    except RecursionError:
        return  # absurdly deep JSON: not a parser bug worth failing on
    except VocabularyError as exc:
        raise adapter_bug(carrier.name, f"on {what}", exc) from exc
    except Exception as exc:  # the core's guard lets nothing else out: a tracklingo bug
        raise _fail(
            carrier.name,
            f"parse() raised {type(exc).__name__} on {what}",
            [f"{type(exc).__name__}: {exc}{_where(exc)}", f"payload: {_short(payload, 300)}"],
            "this is a tracklingo bug (the core builds the events from what read() returns):"
            " report it with this message",
        ) from exc
    if not isinstance(result, ParseResult):
        raise ConformanceError(
            f"{carrier.name}: parse() returned {type(result).__name__} on {what}; return a"
            " tracklingo.ParseResult"
        )


def _settings(examples: int, seed: int | None) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def apply(func: Callable[..., None]) -> Callable[..., None]:
        func = _hypothesis_settings(examples)(func)
        return func if seed is None else hypothesis_seed(seed)(func)

    return apply


def _hypothesis_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        report_multiple_bugs=False,
    )


def check_fuzz_arbitrary(
    carrier: Carrier, samples: Sequence[Sample] = (), examples: int = 100, seed: int | None = None
) -> None:
    """Arbitrary JSON (using the fixtures' field names as keys) makes `parse` raise nothing but
    `ParseError`."""
    keys: set[str] = set()
    for sample in samples:
        _keys(sample.payload, keys)

    @_settings(examples, seed)
    @given(json_values(sorted(keys)))
    def run(payload: Any) -> None:
        _attempt(carrier, payload, "arbitrary JSON")

    run()


def check_fuzz_mutated(
    carrier: Carrier, samples: Sequence[Sample], examples: int = 100, seed: int | None = None
) -> None:
    """The fixtures with one field deleted, nulled or replaced make `parse` raise nothing but
    `ParseError`."""
    if not samples:
        return

    @_settings(examples, seed)
    @given(mutations(samples))
    def run(case: tuple[str, Any]) -> None:
        what, payload = case
        _attempt(carrier, payload, what)

    run()


def _outcome(carrier: Carrier, payload: Any) -> tuple[Any, ...]:
    """What `parse` made of a payload, comparably: every event's full JSON (raw included) and the
    per-number errors, or the `ParseError` text."""
    try:
        result = carrier.parse(copy.deepcopy(payload))
    except ParseError as exc:
        return ("ParseError", str(exc))
    except Exception as exc:  # check_fuzz_mutated reports these with its advice
        return ("crash", type(exc).__name__)
    return (
        "ok",
        [json.loads(event_to_json(e, include_raw=True)) for e in result.events],
        [(e.tracking_number, e.message, e.code) for e in result.errors],
    )


def check_memo_changes_nothing(
    carrier: Carrier, samples: Sequence[Sample], examples: int = 100, seed: int | None = None
) -> None:
    """The core's memo changes no result: every fixture, and every fixture with one field
    deleted, nulled or replaced, parses to the same events and errors with the memo off, filled
    by all the fixtures, and filled by the payload itself.

    The memo is the core's (keyed by exactly what the mapper reads), so a difference is a core
    bug, or an adapter whose `read` is not pure (it answers differently for the same payload)."""
    if not samples:
        return
    try:
        carrier.vocabulary  # noqa: B018 - the memo needs it; a broken one is reported as such
    except VocabularyError as exc:
        raise adapter_bug(carrier.name, "on its fixtures", exc) from exc

    def compare(payload: Any, what: str) -> None:
        with memo_disabled(carrier):
            plain = _outcome(carrier, payload)
        clear_memo(carrier)
        try:
            for sample in samples:
                _outcome(carrier, sample.payload)
            warm = _outcome(carrier, payload)
            again = _outcome(carrier, payload)
        finally:
            clear_memo(carrier)
        for label, got in (("filled by the fixtures", warm), ("filled by the payload itself", again)):
            if got != plain:
                raise _fail(
                    carrier.name,
                    f"parse() answers differently with the core's memo {label}, on {what}",
                    [f"without the memo: {_short(plain, 600)}", f"with the memo: {_short(got, 600)}"],
                    "read() must depend on the payload only (no state kept between calls); if it"
                    " does, this is a tracklingo bug: report it with this message",
                )

    for sample in samples:
        compare(sample.payload, f"fixture {sample.name}")

    @_settings(examples, seed)
    @given(mutations(samples))
    def run(case: tuple[str, Any]) -> None:
        what, payload = case
        compare(payload, what)

    run()
