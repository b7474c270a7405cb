"""The one guard around plugin code: whatever a plugin raises costs that record or that plugin,
never the host.

Every call into a plugin's code goes through it: an adapter's hooks (`read`, `read_flat`,
`sniff`, `detect`) through `run_adapter`, and the rest (importing and registering a plugin,
compiling its vocabulary, building and calling its API client) through `plugin_code`. One
exception policy for both (`_failure`):

- tracklingo's own errors (`TracklingoError`: a `ParseError`, an `InputError` from a time or a
  field, a `CarrierAPIError` or `ConfigError` from a client) leave as they are: they already say
  what went wrong in the project's terms. (`run_adapter` then makes one that is not a
  `ParseError` a `ParseError` with its message: an adapter's hook raises nothing else.)
- Anything else, every `Exception` and every `BaseException` such as `SystemExit` (a plugin's
  exit is that plugin's error) or `GeneratorExit`, becomes an `AdapterError` naming the plugin
  and what it was doing, and keeping what it raised (`AdapterError.original`, also its
  ``__cause__``): the conformance kit and the plugin loader report the original.
- `KeyboardInterrupt` is the user's Ctrl-C, and leaves as it is, only when a SIGINT actually
  arrived during the call; a plugin that raises it itself gets an `AdapterError` like any other
  failure. SIGINTs are counted by a handler installed once over Python's default one (which it
  still calls, so Ctrl-C raises `KeyboardInterrupt` as before); where an application installed
  its own handler, that handler is wrapped for the duration of each call instead. Outside the
  main thread no signal arrives, and where SIGINT is ignored none is delivered: there a
  `KeyboardInterrupt` is always the plugin's.
"""

from __future__ import annotations

import importlib
import signal
import threading
import traceback
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any, Final, TypeVar

from tracklingo.errors import AdapterError, ParseError, TracklingoError

__all__ = ["describe", "plugin_code", "run_adapter", "sigint_count"]

T = TypeVar("T")

#: The C function under `signal.getsignal`: the same answer without building an enum per call.
_getsignal: Callable[[int], Any] = importlib.import_module("_signal").getsignal
_SIGINTS = [0]
_MAX_MESSAGE: Final = 300


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """The counting handler put over Python's default one (`_watch`)."""
    _SIGINTS[0] += 1
    signal.default_int_handler(signum, frame)


def sigint_count() -> int:
    """How many SIGINTs arrived while the guard's counting handler was in place."""
    return _SIGINTS[0]


class _Wrapped:
    """An application's own SIGINT handler, wrapped for one call to count the SIGINTs it gets."""

    __slots__ = ("previous",)

    def __init__(self, previous: Callable[[int, FrameType | None], Any]) -> None:
        self.previous = previous

    def __call__(self, signum: int, frame: FrameType | None) -> Any:
        _SIGINTS[0] += 1
        return self.previous(signum, frame)


def _watch() -> tuple[bool, _Wrapped | None]:
    """Make sure SIGINTs arriving during the coming call are counted: (whether a SIGINT can
    arrive at all, the wrapper to take off afterwards, if an application's handler was wrapped)."""
    handler = _getsignal(signal.SIGINT)
    if handler is _on_sigint:  # the usual case: counting already
        return True, None
    if threading.current_thread() is not threading.main_thread():
        return False, None  # signals are delivered to the main thread only
    if handler is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)  # once: it behaves as the default handler
        return True, None
    if callable(handler):  # an application's own: wrapped for this call only
        wrapped = _Wrapped(handler)
        signal.signal(signal.SIGINT, wrapped)
        return True, wrapped
    return False, None  # SIG_IGN (nothing arrives), SIG_DFL (the process ends), None (not set by Python)


def _unwatch(wrapped: _Wrapped) -> None:
    if _getsignal(signal.SIGINT) is wrapped:
        signal.signal(signal.SIGINT, wrapped.previous)


def describe(exc: BaseException) -> str:
    """What a plugin raised, in one line as Python prints it (``SystemExit: 3``,
    ``KeyboardInterrupt``, ``acme_plugin.Odd: odd``); for an `AdapterError`, what it keeps."""
    if isinstance(exc, AdapterError):
        exc = exc.original
    lines = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    text = lines[-1] if lines else type(exc).__name__
    if text.strip() == f"{type(exc).__name__}:":
        text = type(exc).__name__
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _failure(name: str, what: str, exc: BaseException, watched: bool, before: int) -> AdapterError | None:
    """The policy (see the module docstring): None when `exc`, raised by plugin code, leaves as
    it is (one of tracklingo's errors, or the user's Ctrl-C); else the `AdapterError` to raise
    instead."""
    if isinstance(exc, TracklingoError):
        return None
    if isinstance(exc, KeyboardInterrupt) and watched and _SIGINTS[0] != before:
        return None  # a SIGINT arrived: the user pressed Ctrl-C
    return AdapterError(name, f"{what} failed: {describe(exc)}", exc)


def run_adapter(carrier: str, what: str, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``, an adapter's hook (`what`: ``"read()"``...): only `ParseError` (or the
    user's Ctrl-C) leaves it (the policy in the module docstring)."""
    if _getsignal(signal.SIGINT) is _on_sigint:  # the usual case, kept cheap: once per feed record
        watched, wrapped = True, None
    else:
        watched, wrapped = _watch()
    before = _SIGINTS[0]
    try:
        return call(*args)
    except ParseError:
        raise
    except BaseException as exc:
        failure = _failure(carrier, f"the adapter's {what}", exc, watched, before)
        if failure is not None:
            raise failure from exc
        if isinstance(exc, TracklingoError):  # an `InputError` from a field or a time
            raise ParseError(carrier, str(exc)) from None
        raise
    finally:
        if wrapped is not None:
            _unwatch(wrapped)


def plugin_code(name: str, what: str) -> _Guarded:
    """A context manager around a plugin's code other than the adapter hooks (loading and
    registering it, compiling its vocabulary, building or calling its client): ``with
    plugin_code(name, "track()"): ...``. The same policy as `run_adapter` (the module docstring),
    except that tracklingo's own errors leave as they are (a client's `CarrierAPIError` means
    what it says). `name`: the plugin or carrier; `what`: what it was doing, for the message."""
    return _Guarded(name, what)


class _Guarded:
    """`plugin_code`'s context manager."""

    __slots__ = ("before", "name", "watched", "what", "wrapped")

    def __init__(self, name: str, what: str) -> None:
        self.name = name
        self.what = what
        self.watched = False
        self.wrapped: _Wrapped | None = None
        self.before = 0

    def __enter__(self) -> None:
        self.watched, self.wrapped = _watch()
        self.before = _SIGINTS[0]

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.wrapped is not None:
            _unwatch(self.wrapped)
        if exc is not None:
            failure = _failure(self.name, self.what, exc, self.watched, self.before)
            if failure is not None:
                raise failure from exc
