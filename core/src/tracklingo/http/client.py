"""`CarrierClient`: the base of every plugin's API client (see docs/http-client.md).

A plugin's client subclasses it and adds its endpoints and its error shape; the base does the base
URL, retries (tenacity) honouring ``Retry-After``, one deadline per call, a cap on response bodies,
authentication (a `CarrierAuth`) and the redaction of secrets from every message and log record.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Collection, Generator
from importlib import metadata
from types import TracebackType
from typing import Any, ClassVar, Self

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base, wait_exponential_jitter

from tracklingo.errors import AuthenticationError, CarrierAPIError, ConfigError, QuotaExceededError
from tracklingo.http.auth import RETRY_STATUSES, CarrierAuth
from tracklingo.http.limits import (
    DEFAULT_MAX_BODY,
    BodyTooLarge,
    BoundedTransport,
    CallLimits,
    DeadlineExceeded,
    call_limits,
    human_duration,
    retry_after_seconds,
)
from tracklingo.http.messages import error_text, response_json, safe_message
from tracklingo.http.redaction import basic_credentials, strip_userinfo

__all__ = ["CarrierClient"]

logger = logging.getLogger("tracklingo.http")

#: Transport failures that are retried: timeouts, connection errors, dropped connections.
_RETRY_EXCEPTIONS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)

#: Seconds the default deadline allows beyond ``timeout × max_attempts`` (for the waits between).
DEADLINE_SLACK = 5.0


def _user_agent() -> str:
    try:
        return f"tracklingo/{metadata.version('tracklingo')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "tracklingo"


def _per_request(timeout: float | httpx.Timeout) -> float:
    if isinstance(timeout, httpx.Timeout):
        parts = [t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t is not None]
        return max(parts, default=0.0)
    return float(timeout)


class _UrlBasicAuth(CarrierAuth):
    """``user:password`` given in a base URL, sent as HTTP Basic auth (what httpx would do)."""

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield from self._basic.auth_flow(request)

    def __repr__(self) -> str:
        return "_UrlBasicAuth(***)"


class _Wait(wait_base):
    """``Retry-After`` when the last response has one, else exponential backoff with jitter."""

    def __init__(self, fallback: wait_base) -> None:
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        if outcome is not None and not outcome.failed:
            response = outcome.result()
            if isinstance(response, httpx.Response):
                seconds = retry_after_seconds(response.headers.get("Retry-After"))
                if seconds is not None:
                    return seconds
        return float(self.fallback(retry_state))


class _StopAtDeadline(stop_base):
    """Stop when the next wait would end past the call's deadline (and remember it did)."""

    def __init__(self, limits: CallLimits) -> None:
        self.limits = limits
        self.fired = False

    def __call__(self, retry_state: RetryCallState) -> bool:
        if retry_state.upcoming_sleep >= self.limits.remaining():
            self.fired = True
        return self.fired


class CarrierClient:
    """Base of every plugin's API client: subclass, set `carrier` and `default_base_url`.

    Args:
        base_url: the API's base URL (default: ``TRACKLINGO_<CARRIER>_BASE_URL``, else
            `default_base_url`).
        auth: how to authenticate (default: none).
        timeout: seconds for each network operation of one request (an `httpx.Timeout` for
            finer control).
        max_attempts: tries per call, counting the first.
        max_retry_wait: the longest wait between tries; a ``Retry-After`` asking for more is an
            immediate error ("USPS asks to retry after 27 h; not waiting").
        deadline: seconds for one whole call (token request, every try, the waits between them,
            reading the body); default ``timeout × max_attempts + 5``.
        max_body_bytes: the largest response body read (default 8 MiB).
        transport: an `httpx.BaseTransport` (tests: respx or `httpx.MockTransport`).
        sleep: how to wait between tries (default `time.sleep`; tests pass a fake).
        clock: the monotonic clock the deadline is measured on (tests pass a fake).
    """

    carrier: ClassVar[str] = ""
    #: How the carrier is named in messages (default: `carrier` upper-cased).
    display_name: ClassVar[str] = ""
    default_base_url: ClassVar[str | None] = None
    #: How many tracking numbers one request carries (`tracklingo.track` sends that many at a time).
    batch_size: ClassVar[int] = 1
    #: HTTP statuses that are retried (a carrier whose 500 is an answer, like DHL's, removes it).
    retry_statuses: ClassVar[frozenset[int]] = RETRY_STATUSES

    def __init__(
        self,
        *,
        base_url: str | None = None,
        auth: CarrierAuth | None = None,
        timeout: float | httpx.Timeout = 15.0,
        max_attempts: int = 4,
        max_retry_wait: float = 60.0,
        deadline: float | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not self.carrier:
            raise ConfigError(f"{type(self).__name__} does not set the `carrier` class attribute")
        if max_attempts < 1:
            raise ConfigError(f"{self.carrier}: max_attempts must be at least 1")
        if deadline is not None and not deadline > 0:
            raise ConfigError(f"{self.carrier}: deadline must be a positive number of seconds")
        if max_body_bytes < 1:
            raise ConfigError(f"{self.carrier}: max_body_bytes must be at least 1")
        url = base_url or os.environ.get(self.base_url_env_var(), "").strip() or self.default_base_url
        if not url:
            raise ConfigError(f"{self.carrier}: no base URL: pass base_url= or set {self.base_url_env_var()}")
        self.base_url = url
        parsed = httpx.URL(url)
        self._url_secrets: tuple[str, ...] = ()
        if parsed.userinfo:  # user:password in a base URL: sent as Basic auth, never shown
            user, password = parsed.username, parsed.password
            raw = parsed.userinfo.decode("ascii", "replace").partition(":")[2]
            self._url_secrets = tuple(s for s in (password, raw, *basic_credentials(user, password)) if s)
            if auth is None and password:
                auth = _UrlBasicAuth(user, password)
            parsed = parsed.copy_with(userinfo=b"")  # httpx's own log lines show request URLs
        self.auth = auth or CarrierAuth()
        self.max_attempts = max_attempts
        self.max_retry_wait = max_retry_wait
        self.deadline = (
            deadline if deadline is not None else _per_request(timeout) * max_attempts + DEADLINE_SLACK
        )
        self.max_body_bytes = max_body_bytes
        self._sleep = sleep or _sleep
        self._clock = clock
        self._backoff = wait_exponential_jitter(initial=1, max=max_retry_wait, jitter=1)
        self._http = httpx.Client(
            base_url=parsed,
            auth=self.auth,
            timeout=timeout,
            transport=BoundedTransport(transport or httpx.HTTPTransport()),
            headers={"User-Agent": _user_agent(), "Accept": "application/json"},
        )
        self.auth.bind(self._http)

    @classmethod
    def base_url_env_var(cls) -> str:
        """``TRACKLINGO_<CARRIER>_BASE_URL`` (carrier upper-cased, dashes as underscores)."""
        return f"TRACKLINGO_{cls.carrier.upper().replace('-', '_')}_BASE_URL"

    @property
    def name(self) -> str:
        """How the carrier is named in messages."""
        return self.display_name or self.carrier.upper()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={strip_userinfo(self.base_url)!r}, auth={self.auth!r})"

    # -- override points -------------------------------------------------------------------------

    def error_message(self, response: httpx.Response) -> str:
        """What the carrier said in an error response (override for the carrier's error shape;
        return the text whole: the base redacts secrets and cuts it)."""
        return error_text(response)

    def is_quota_exhausted(self, response: httpx.Response) -> bool:
        """True when an error response means the request quota is spent (not retried)."""
        return False

    # -- requests --------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        tracking_number: str | None = None,
        accept_statuses: Collection[int] = (),
        **httpx_kwargs: Any,
    ) -> httpx.Response:
        """Send with auth and retries within the deadline; a 2xx/3xx response (or one whose status
        is in `accept_statuses`: the carrier's answer about a number), else `CarrierAPIError`."""
        limits = CallLimits(self.deadline, self.max_body_bytes, self._clock, self._clock())
        attempts = 0

        def attempt() -> httpx.Response:
            nonlocal attempts
            attempts += 1
            response = self._send(method, path, httpx_kwargs, limits)
            if response.is_error and self.is_quota_exhausted(response):
                raise QuotaExceededError(
                    self.carrier,
                    f"request quota exhausted: {self._said(response)}",
                    tracking_number=tracking_number,
                    status_code=response.status_code,
                )
            if response.status_code in self.retry_statuses:
                self._refuse_long_retry_after(response, limits, tracking_number)
            return response

        def retryable_response(response: httpx.Response) -> bool:
            return response.status_code in self.retry_statuses

        at_deadline = _StopAtDeadline(limits)
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts) | at_deadline,
            wait=_Wait(self._backoff),
            retry=retry_if_exception(_is_retryable_error) | retry_if_result(retryable_response),
            retry_error_callback=_last_outcome,
            before_sleep=self._log_retry,
            sleep=self._sleep,
        )
        stopped = ""
        try:
            with call_limits(limits):
                response: httpx.Response = retrying(attempt)
        except _RETRY_EXCEPTIONS as exc:
            if at_deadline.fired:
                stopped = self._deadline_note(attempts)
            raise CarrierAPIError(
                self.carrier,
                self._safe(self._describe_failure(exc, attempts) + stopped),
                tracking_number=tracking_number,
                retryable=True,
            ) from exc
        except DeadlineExceeded:
            raise CarrierAPIError(
                self.carrier,
                f"no complete answer within the call's {human_duration(self.deadline)} deadline"
                f" ({_tries(attempts)}); a longer deadline= may help",
                tracking_number=tracking_number,
                retryable=True,
            ) from None
        except BodyTooLarge as exc:
            raise CarrierAPIError(
                self.carrier,
                f"{exc}; not read (max_body_bytes={self.max_body_bytes})",
                tracking_number=tracking_number,
                status_code=exc.status_code,
            ) from None
        except CarrierAPIError as exc:
            if tracking_number is None or exc.tracking_number is not None:
                raise
            raise type(exc)(
                exc.carrier,
                exc.message,
                tracking_number=tracking_number,
                status_code=exc.status_code,
                retryable=exc.retryable,
            ) from exc
        if response.is_error and response.status_code not in accept_statuses:
            message = self._said(response)
            if attempts > 1:
                message = f"{message} (gave up after {_tries(attempts)})"
            if at_deadline.fired:
                message += self._deadline_note(attempts)
            error_type = AuthenticationError if response.status_code in (401, 403) else CarrierAPIError
            raise error_type(
                self.carrier,
                message,
                tracking_number=tracking_number,
                status_code=response.status_code,
                retryable=response.status_code in self.retry_statuses,
            )
        return response

    def get_json(
        self,
        path: str,
        *,
        tracking_number: str | None = None,
        accept_statuses: Collection[int] = (),
        **httpx_kwargs: Any,
    ) -> Any:
        """GET `path` and return the decoded JSON body (see `request`)."""
        response = self.request(
            "GET", path, tracking_number=tracking_number, accept_statuses=accept_statuses, **httpx_kwargs
        )
        return self._json(response, tracking_number)

    def post_json(
        self,
        path: str,
        *,
        tracking_number: str | None = None,
        accept_statuses: Collection[int] = (),
        **httpx_kwargs: Any,
    ) -> Any:
        """POST to `path` (pass ``json=``/``data=``) and return the decoded JSON body."""
        response = self.request(
            "POST", path, tracking_number=tracking_number, accept_statuses=accept_statuses, **httpx_kwargs
        )
        return self._json(response, tracking_number)

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- helpers for subclasses ------------------------------------------------------------------

    def secrets(self) -> tuple[str, ...]:
        """Every secret this client knows: its auth's, and a password in its base URL."""
        return (*self.auth.secrets(), *self._url_secrets)

    def _safe(self, text: str) -> str:
        """`text` fit for an error message or a log record: secrets redacted, on one line."""
        return safe_message(text, self.secrets(), limit=None)

    def _said(self, response: httpx.Response) -> str:
        """What the carrier said (`error_message`), redacted and cut to a message's length."""
        return safe_message(self.error_message(response), self.secrets())

    # -- internals -------------------------------------------------------------------------------

    def _send(self, method: str, path: str, kwargs: dict[str, Any], limits: CallLimits) -> httpx.Response:
        response = self._http.request(method, path, **kwargs)
        if len(response.content) > limits.max_body:  # decoded size (the transport counts the wire)
            raise BodyTooLarge(limits.max_body, response.status_code)
        self._log(
            logging.DEBUG,
            "%s: %s %s -> HTTP %s",
            self.carrier,
            method,
            response.request.url,
            response.status_code,
        )
        return response

    def _refuse_long_retry_after(
        self, response: httpx.Response, limits: CallLimits, tracking_number: str | None
    ) -> None:
        """A ``Retry-After`` longer than this call will wait is an error now, not a wait."""
        seconds = retry_after_seconds(response.headers.get("Retry-After"))
        if seconds is None:
            return
        left = limits.remaining()
        if seconds <= min(self.max_retry_wait, left):
            return
        if seconds > self.max_retry_wait:
            why = f"max_retry_wait is {human_duration(self.max_retry_wait)}"
        else:
            why = f"the call's {human_duration(self.deadline)} deadline leaves {human_duration(max(left, 0))}"
        raise CarrierAPIError(
            self.carrier,
            f"{self.name} asks to retry after {human_duration(seconds)}; not waiting ({why})."
            f" {self.name} said: {self._said(response)}",
            tracking_number=tracking_number,
            status_code=response.status_code,
        )

    def _deadline_note(self, attempts: int) -> str:
        deadline = human_duration(self.deadline)
        return f"; stopped after {_tries(attempts)}: another try would pass the call's {deadline} deadline"

    def _json(self, response: httpx.Response, tracking_number: str | None) -> Any:
        data = response_json(response)
        if data is None and response.content.strip() != b"null":
            raise CarrierAPIError(
                self.carrier,
                "the response body is not valid JSON",
                tracking_number=tracking_number,
                status_code=response.status_code,
            )
        return data

    def _describe_failure(self, exc: httpx.TransportError, attempts: int) -> str:
        if isinstance(exc, httpx.TimeoutException):
            return f"request timed out after {_tries(attempts)} ({type(exc).__name__})"
        return f"could not reach {self.base_url} after {_tries(attempts)}: {type(exc).__name__}: {exc}"

    def _log(self, level: int, message: str, *args: object) -> None:
        if logger.isEnabledFor(level):
            logger.log(level, "%s", self._safe(message % args))

    def _log_retry(self, retry_state: RetryCallState) -> None:
        outcome = retry_state.outcome
        wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
        if outcome is None:  # pragma: no cover - tenacity always sets it before sleeping
            return
        if outcome.failed:
            exc = outcome.exception()
            what = exc.message if isinstance(exc, CarrierAPIError) else type(exc).__name__
        else:
            what = f"HTTP {outcome.result().status_code}"
        self._log(
            logging.INFO,
            "%s: %s, retrying in %.1f s (attempt %d of %d)",
            self.carrier,
            what,
            wait,
            retry_state.attempt_number,
            self.max_attempts,
        )


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up when called: a test may replace time.sleep


def _tries(attempts: int) -> str:
    return f"{attempts} attempt{'s' if attempts != 1 else ''}"


def _is_retryable_error(exc: BaseException) -> bool:
    if isinstance(exc, CarrierAPIError):
        return exc.retryable
    return isinstance(exc, _RETRY_EXCEPTIONS)


def _last_outcome(retry_state: RetryCallState) -> Any:
    """After the last attempt: return its response or re-raise its exception (no RetryError)."""
    assert retry_state.outcome is not None
    return retry_state.outcome.result()
