"""The core's httpx base for carrier API clients (see docs/http-client.md).

A plugin's client subclasses `CarrierClient` and adds its endpoints and its error shape; the base
does base URLs, timeouts, retries (tenacity), OAuth2 / API-key auth and secret redaction.
"""

from __future__ import annotations

import email.utils
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from types import TracebackType
from typing import Any, ClassVar, Self

import httpx
from pydantic import SecretStr
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
)
from tenacity.wait import wait_base, wait_exponential_jitter

from tracklingo.errors import CarrierAPIError, ConfigError, QuotaExceededError

__all__ = [
    "RETRY_STATUSES",
    "ApiKeyHeader",
    "CarrierAuth",
    "CarrierClient",
    "OAuth2ClientCredentials",
    "env_credential",
    "redact",
]

logger = logging.getLogger("tracklingo.http")

#: HTTP statuses that are retried (unless `is_quota_exhausted` says the quota is spent).
RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})

#: Transport failures that are retried: timeouts, connection errors, dropped connections.
_RETRY_EXCEPTIONS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)

_MAX_MESSAGE = 300


def _user_agent() -> str:
    try:
        return f"tracklingo/{metadata.version('tracklingo')}"
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "tracklingo"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` on one line with every known secret value replaced by ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return " ".join(text.split())


def env_credential(name: str) -> str:
    """The value of environment variable `name`; `ConfigError` (one line) when unset or empty."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set: export it or pass the credential to the client explicitly")
    return value


def _secret(value: str | SecretStr) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value (delta-seconds or HTTP-date); None if unusable."""
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
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


# -- authentication ------------------------------------------------------------------------------


class CarrierAuth:
    """How a `CarrierClient` authenticates (base: no auth). Subclass for other schemes."""

    def headers(self, http: httpx.Client) -> dict[str, str]:
        """Headers to add to an API request (may fetch a token through `http`)."""
        return {}

    def refresh(self, http: httpx.Client, rejected: Mapping[str, str]) -> bool:
        """The API answered 401 to `rejected` headers: renew them; True if a retry may succeed."""
        return False

    def secrets(self) -> tuple[str, ...]:
        """Every secret value this auth holds, for redaction."""
        return ()


class ApiKeyHeader(CarrierAuth):
    """Sends an API key in a header (e.g. ``ApiKeyHeader("DHL-API-Key", key)``)."""

    def __init__(self, name: str, key: str | SecretStr) -> None:
        self.name = name
        self._key = _secret(key)

    def headers(self, http: httpx.Client) -> dict[str, str]:
        return {self.name: self._key.get_secret_value()}

    def secrets(self) -> tuple[str, ...]:
        return (self._key.get_secret_value(),)

    def __repr__(self) -> str:
        return f"ApiKeyHeader(name={self.name!r}, key={self._key!r})"


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    token_type: str
    refresh_at: float

    @property
    def authorization(self) -> str:
        return f"{self.token_type} {self.value}"


class OAuth2ClientCredentials(CarrierAuth):
    """OAuth2 client-credentials grant with a cached token, shared by all threads.

    The token is fetched on first use (POST to `token_path`, relative to the client's base URL or
    absolute) and reused until `expiry_margin` seconds before ``expires_in`` (at most half its
    lifetime). Concurrent callers share one fetch (a lock). `clock` is injectable for tests.
    """

    def __init__(
        self,
        *,
        carrier: str,
        token_path: str,
        client_id: str,
        client_secret: str | SecretStr,
        form: bool = False,
        scope: str | None = None,
        expiry_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.carrier = carrier
        self.token_path = token_path
        self.client_id = client_id
        self.form = form
        self.scope = scope
        self.expiry_margin = expiry_margin
        self._client_secret = _secret(client_secret)
        self._clock = clock
        self._lock = threading.Lock()
        self._token: _Token | None = None
        self._issued: tuple[str, ...] = ()  # recent tokens: still redacted after a refresh

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(carrier={self.carrier!r}, token_path={self.token_path!r}, "
            f"client_secret={self._client_secret!r}, form={self.form!r})"
        )

    def secrets(self) -> tuple[str, ...]:
        return (self._client_secret.get_secret_value(), *self._issued)

    def headers(self, http: httpx.Client) -> dict[str, str]:
        token = self._token  # fast path: a valid cached token needs no lock
        if token is None or self._clock() >= token.refresh_at:
            with self._lock:
                token = self._token
                if token is None or self._clock() >= token.refresh_at:
                    token = self._fetch(http)
        return {"Authorization": token.authorization}

    def refresh(self, http: httpx.Client, rejected: Mapping[str, str]) -> bool:
        with self._lock:
            current = self._token
            if current is None or current.authorization == rejected.get("Authorization"):
                self._fetch(http)  # else another thread already replaced the rejected token
        return True

    def _fetch(self, http: httpx.Client) -> _Token:
        """POST the client-credentials grant; caller holds the lock."""
        body = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
        if self.scope:
            body["scope"] = self.scope
        accept = {"Accept": "application/json"}
        if self.form:
            response = http.post(self.token_path, data=body, headers=accept)
        else:
            response = http.post(self.token_path, json=body, headers=accept)
        data = _json_or_none(response)
        if response.is_error:
            raise CarrierAPIError(
                self.carrier,
                self._redact(f"authentication failed: {self._describe_error(response, data)}"),
                status_code=response.status_code,
                retryable=response.status_code in RETRY_STATUSES,
            )
        value = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(value, str) or not value:
            raise CarrierAPIError(
                self.carrier,
                "authentication failed: the token response has no access_token",
                status_code=response.status_code,
            )
        token_type = str(data.get("token_type") or "Bearer")
        if token_type.lower() == "bearer":
            token_type = "Bearer"
        lifetime = self._lifetime(data.get("expires_in"))
        margin = min(self.expiry_margin, lifetime / 2)
        self._issued = (*self._issued[-7:], value)  # replaced whole: readers need no lock
        self._token = _Token(value, token_type, self._clock() + lifetime - margin)
        logger.debug("%s: fetched an access token (expires in %s s)", self.carrier, lifetime)
        return self._token

    @staticmethod
    def _lifetime(expires_in: Any) -> float:
        """Token lifetime in seconds; without a usable ``expires_in`` it lasts until a 401."""
        try:
            lifetime = float(expires_in)
        except (TypeError, ValueError):
            return float("inf")
        return lifetime if lifetime > 0 else float("inf")

    @staticmethod
    def _describe_error(response: httpx.Response, data: Any) -> str:
        if isinstance(data, dict):
            for key in ("error_description", "message", "error", "detail"):
                if isinstance(data.get(key), str) and data[key].strip():
                    return str(data[key])
        return response.text[:_MAX_MESSAGE].strip() or response.reason_phrase or "no details"

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets())


# -- the client ----------------------------------------------------------------------------------


class _RetryAfterWait(wait_base):
    """Wait ``Retry-After`` when the last response has one, else `fallback`; never above `cap`."""

    def __init__(self, fallback: wait_base, cap: float) -> None:
        self.fallback = fallback
        self.cap = cap

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        if outcome is not None and not outcome.failed:
            response = outcome.result()
            if isinstance(response, httpx.Response):
                seconds = _retry_after_seconds(response.headers.get("Retry-After"))
                if seconds is not None:
                    return min(seconds, self.cap)
        return min(self.fallback(retry_state), self.cap)


class CarrierClient:
    """Base of every plugin's API client: subclass, set `carrier` and `default_base_url`."""

    carrier: ClassVar[str] = ""
    default_base_url: ClassVar[str | None] = None

    def __init__(
        self,
        *,
        base_url: str | None = None,
        auth: CarrierAuth | None = None,
        timeout: float | httpx.Timeout = 15.0,
        max_attempts: int = 4,
        max_retry_wait: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not self.carrier:
            raise ConfigError(f"{type(self).__name__} does not set the `carrier` class attribute")
        if max_attempts < 1:
            raise ConfigError(f"{self.carrier}: max_attempts must be at least 1")
        url = base_url or os.environ.get(self.base_url_env_var(), "").strip() or self.default_base_url
        if not url:
            raise ConfigError(f"{self.carrier}: no base URL: pass base_url= or set {self.base_url_env_var()}")
        self.base_url = url
        self.auth = auth or CarrierAuth()
        self.max_attempts = max_attempts
        self.max_retry_wait = max_retry_wait
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(initial=1, max=max_retry_wait, jitter=1)
        self._http = httpx.Client(
            base_url=url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": _user_agent(), "Accept": "application/json"},
        )

    @classmethod
    def base_url_env_var(cls) -> str:
        """``TRACKLINGO_<CARRIER>_BASE_URL`` (carrier upper-cased, dashes as underscores)."""
        return f"TRACKLINGO_{cls.carrier.upper().replace('-', '_')}_BASE_URL"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self.auth!r})"

    # -- override points -------------------------------------------------------------------------

    def error_message(self, response: httpx.Response) -> str:
        """What the carrier said in an error response (override for the carrier's error shape)."""
        data = _json_or_none(response)
        if isinstance(data, dict):
            for key in ("error_description", "message", "detail", "title", "error"):
                value = data.get(key)
                if isinstance(value, str) and value.strip():
                    return value
                if isinstance(value, dict) and isinstance(value.get("message"), str):
                    return str(value["message"])
            errors = data.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                for key in ("message", "detail", "title"):
                    if isinstance(errors[0].get(key), str):
                        return str(errors[0][key])
        return response.text[:_MAX_MESSAGE].strip() or response.reason_phrase or "no details"

    def is_quota_exhausted(self, response: httpx.Response) -> bool:
        """True when an error response means the request quota is spent (not retried)."""
        return False

    # -- requests --------------------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, tracking_number: str | None = None, **httpx_kwargs: Any
    ) -> httpx.Response:
        """Send with auth and retries; a 2xx/3xx response, else `CarrierAPIError`."""
        refreshed = False
        attempts = 0

        def attempt() -> httpx.Response:
            nonlocal refreshed, attempts
            attempts += 1
            response, sent = self._send(method, path, httpx_kwargs)
            if response.status_code == 401 and not refreshed:
                refreshed = True
                self._log(logging.DEBUG, "%s: HTTP 401, refreshing credentials once", self.carrier)
                if self.auth.refresh(self._http, sent):
                    response, _ = self._send(method, path, httpx_kwargs)
            if response.is_error and self.is_quota_exhausted(response):
                raise QuotaExceededError(
                    self.carrier,
                    self._redact(f"request quota exhausted: {self.error_message(response)}"),
                    tracking_number=tracking_number,
                    status_code=response.status_code,
                )
            return response

        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=_RetryAfterWait(self._backoff, self.max_retry_wait),
            retry=retry_if_exception(_is_retryable_error) | retry_if_result(_is_retryable_response),
            retry_error_callback=_last_outcome,
            before_sleep=self._log_retry,
            sleep=self._sleep,
        )
        try:
            response: httpx.Response = retrying(attempt)
        except _RETRY_EXCEPTIONS as exc:
            raise CarrierAPIError(
                self.carrier,
                self._redact(self._describe_failure(exc, attempts)),
                tracking_number=tracking_number,
                retryable=True,
            ) from exc
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
        if response.is_error:
            message = self.error_message(response)
            if attempts > 1:
                message = f"{message} (gave up after {attempts} attempts)"
            raise CarrierAPIError(
                self.carrier,
                self._redact(message),
                tracking_number=tracking_number,
                status_code=response.status_code,
                retryable=response.status_code in RETRY_STATUSES,
            )
        return response

    def get_json(self, path: str, *, tracking_number: str | None = None, **httpx_kwargs: Any) -> Any:
        """GET `path` and return the decoded JSON body."""
        return self._json(
            self.request("GET", path, tracking_number=tracking_number, **httpx_kwargs),
            tracking_number,
        )

    def post_json(self, path: str, *, tracking_number: str | None = None, **httpx_kwargs: Any) -> Any:
        """POST to `path` (pass ``json=``/``data=``) and return the decoded JSON body."""
        return self._json(
            self.request("POST", path, tracking_number=tracking_number, **httpx_kwargs),
            tracking_number,
        )

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

    # -- internals -------------------------------------------------------------------------------

    def _send(self, method: str, path: str, kwargs: dict[str, Any]) -> tuple[httpx.Response, dict[str, str]]:
        auth_headers = self.auth.headers(self._http)
        headers = httpx.Headers(kwargs.get("headers"))
        headers.update(auth_headers)
        rest = {k: v for k, v in kwargs.items() if k != "headers"}
        response = self._http.request(method, path, headers=headers, **rest)
        self._log(
            logging.DEBUG,
            "%s: %s %s -> HTTP %s",
            self.carrier,
            method,
            response.request.url,
            response.status_code,
        )
        return response, auth_headers

    def _json(self, response: httpx.Response, tracking_number: str | None) -> Any:
        try:
            return response.json()
        except ValueError:
            raise CarrierAPIError(
                self.carrier,
                "the response body is not valid JSON",
                tracking_number=tracking_number,
                status_code=response.status_code,
            ) from None

    def _describe_failure(self, exc: httpx.TransportError, attempts: int) -> str:
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        if isinstance(exc, httpx.TimeoutException):
            return f"request timed out after {tries} ({type(exc).__name__})"
        return f"could not reach {self.base_url} after {tries}: {type(exc).__name__}: {exc}"

    def _redact(self, text: str) -> str:
        return redact(text, self.auth.secrets())

    def _log(self, level: int, message: str, *args: object) -> None:
        if logger.isEnabledFor(level):
            logger.log(level, "%s", self._redact(message % args))

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


def _is_retryable_error(exc: BaseException) -> bool:
    if isinstance(exc, CarrierAPIError):
        return exc.retryable
    return isinstance(exc, _RETRY_EXCEPTIONS)


def _is_retryable_response(response: httpx.Response) -> bool:
    return response.status_code in RETRY_STATUSES


def _last_outcome(retry_state: RetryCallState) -> Any:
    """After the last attempt: return its response or re-raise its exception (no RetryError)."""
    assert retry_state.outcome is not None
    return retry_state.outcome.result()
