"""The one guard around adapter code: whatever a plugin raises costs that record, never the host.

`run_adapter` calls one of an adapter's hooks (`read`, `read_flat`, `sniff`, `detect`) and turns
anything it raises into a `ParseError` naming the carrier and what went wrong, with one exception
policy for every hook:

- a `ParseError` passes through; another `TracklingoError` (an `InputError` from a time or a
  field) becomes a `ParseError` with its message;
- any other exception, and any `BaseException` such as `SystemExit` (a plugin's exit is that
  plugin's error), becomes an `AdapterError` (a `ParseError`) that names the exception and keeps
  it (`AdapterError.original`) for the conformance kit to report;
- `KeyboardInterrupt` is the user's Ctrl-C only when a SIGINT actually arrived during the call
  (watched through the default SIGINT handler, which still raises `KeyboardInterrupt`); a plugin
  that raises it itself gets a `ParseError` like any other failure. Where the SIGINT handler is
  not Python's default (an application installed its own), every `KeyboardInterrupt` is the
  user's.
"""

from __future__ import annotations

import importlib
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Final, TypeVar

from tracklingo.errors import AdapterError, ParseError, TracklingoError

__all__ = ["run_adapter", "sigint_count"]

T = TypeVar("T")

#: The C function under `signal.getsignal`: the same answer without building an enum per call.
_getsignal: Callable[[int], Any] = importlib.import_module("_signal").getsignal
_SIGINTS = [0]
_INSTALLED: list[bool] = [False]
_MAX_MESSAGE: Final = 300


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _SIGINTS[0] += 1
    signal.default_int_handler(signum, frame)


def _watch_sigint() -> bool:
    """Count SIGINTs (once, from the main thread, when Python's default handler is in place).
    True when SIGINTs are being counted."""
    if _INSTALLED[0]:
        return _getsignal(signal.SIGINT) is _on_sigint
    if threading.current_thread() is not threading.main_thread():
        return False
    if _getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)
        _INSTALLED[0] = True
        return True
    return False


def sigint_count() -> int:
    """How many SIGINTs arrived since the guard started watching."""
    return _SIGINTS[0]


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def run_adapter(carrier: str, what: str, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)`` (an adapter hook), with only `ParseError` (or the user's Ctrl-C) leaving it."""
    watching = (_INSTALLED[0] and _getsignal(signal.SIGINT) is _on_sigint) or _watch_sigint()
    before = _SIGINTS[0]
    try:
        return call(*args)
    except ParseError:
        raise
    except TracklingoError as exc:
        raise ParseError(carrier, str(exc)) from None
    except KeyboardInterrupt as exc:
        if not watching or _SIGINTS[0] != before:
            raise  # the user pressed Ctrl-C
        raise AdapterError(carrier, f"the adapter's {what} raised {_describe(exc)}", exc) from None
    except BaseException as exc:  # SystemExit, GeneratorExit, a plugin's own BaseException
        raise AdapterError(carrier, f"the adapter's {what} failed: {_describe(exc)}", exc) from None
