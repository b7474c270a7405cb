"""Bounds on one API call: an overall deadline, a cap on response bodies, `Retry-After` reading.

`CarrierClient.request` sets the call's `CallLimits` for its duration (a context variable, so each
thread has its own). `BoundedTransport` wraps the real transport: every request of the call — the
token request included — is sent with its timeouts cut to the time left, and every response body
is counted as it arrives, so a server that drips a body a byte at a time or sends too much is
stopped by the deadline or the cap.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import httpx

__all__ = [
    "DEFAULT_MAX_BODY",
    "BodyTooLarge",
    "BoundedTransport",
    "CallLimits",
    "DeadlineExceeded",
    "human_bytes",
    "human_duration",
    "retry_after_seconds",
]

#: Default cap on one response body: far above any tracking reply (a FedEx batch of 30 numbers
#: with every scan is a few hundred kB).
DEFAULT_MAX_BODY: Final = 8 * 1024 * 1024


class DeadlineExceeded(Exception):
    """The call's deadline passed (while connecting, waiting or reading a body)."""


class BodyTooLarge(Exception):
    """A response body is bigger than the call allows."""

    def __init__(self, limit: int, status_code: int | None = None) -> None:
        super().__init__(f"the response body is larger than {human_bytes(limit)}")
        self.limit = limit
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class CallLimits:
    """The bounds of one `CarrierClient.request` call."""

    deadline: float  #: seconds allowed for the whole call
    max_body: int  #: bytes allowed per response body
    clock: Callable[[], float]
    started: float

    @property
    def ends(self) -> float:
        return self.started + self.deadline

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once it passed)."""
        return self.ends - self.clock()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise DeadlineExceeded


_CURRENT: ContextVar[CallLimits | None] = ContextVar("tracklingo_http_call_limits", default=None)


@contextmanager
def call_limits(limits: CallLimits) -> Iterator[CallLimits]:
    """Apply `limits` to every request sent through a `BoundedTransport` in this context."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


class _BoundedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, limits: CallLimits, status_code: int) -> None:
        self._inner = inner
        self._limits = limits
        self._status = status_code

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._inner:
            received += len(chunk)
            if received > self._limits.max_body:
                raise BodyTooLarge(self._limits.max_body, self._status)
            self._limits.check()
            yield chunk

    def close(self) -> None:
        self._inner.close()


class BoundedTransport(httpx.BaseTransport):
    """Wraps a transport so that the current call's `CallLimits` bound every exchange."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        limits = _CURRENT.get()
        if limits is None:
            return self.inner.handle_request(request)
        left = limits.remaining()
        if left <= 0:
            raise DeadlineExceeded
        timeouts = dict(request.extensions.get("timeout") or {})
        for key in ("connect", "read", "write", "pool"):
            value = timeouts.get(key)
            timeouts[key] = left if value is None else min(float(value), left)
        request.extensions = {**request.extensions, "timeout": timeouts}
        response = self.inner.handle_request(request)
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limits.max_body:
            response.close()
            raise BodyTooLarge(limits.max_body, response.status_code)
        stream = response.stream
        if isinstance(stream, httpx.SyncByteStream):
            response.stream = _BoundedStream(stream, limits, response.status_code)
        return response

    def close(self) -> None:
        self.inner.close()


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date, RFC 9110
    section 10.2.3); None when absent or unreadable. A date in the past is 0."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000" dates parse naive; HTTP-dates are always GMT
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def human_duration(seconds: float) -> str:
    """``"45 s"``, ``"12 min"``, ``"27 h"``, ``"3 days"``: how long, in the unit people use."""
    if math.isinf(seconds):
        return "forever"
    if seconds < 120:
        return f"{seconds:.0f} s" if seconds >= 10 or seconds == int(seconds) else f"{seconds:.1f} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds // 3600:.0f} h"
    return f"{seconds // 86400:.0f} days"


def human_bytes(size: int) -> str:
    """``"8 MiB"``, ``"512 KiB"``, ``"100 bytes"``."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"
