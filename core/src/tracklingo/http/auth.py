"""How a carrier client authenticates: `httpx.Auth` flows that also name the secrets they hold.

- `CarrierAuth`: the base (no authentication); subclass it for another scheme.
- `ApiKeyHeader`: an API key in a header.
- `OAuth2ClientCredentials`: the OAuth2 client-credentials grant (RFC 6749 section 4.4) with a
  cached token, refreshed shortly before it expires and once when the API answers 401; one fetch
  at a time however many threads share the client.
- `env_credential`: a credential from the environment, or one clear `ConfigError`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from tracklingo.errors import AuthenticationError, CarrierAPIError, ConfigError
from tracklingo.http.messages import error_text, response_json, safe_message
from tracklingo.http.redaction import basic_credentials

__all__ = [
    "RETRY_STATUSES",
    "ApiKeyHeader",
    "CarrierAuth",
    "OAuth2ClientCredentials",
    "env_credential",
]

logger = logging.getLogger("tracklingo.http")

#: HTTP statuses that are retried (unless the client says the quota is spent).
RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})

#: Keys of an OAuth2 error body, in the order they are read (RFC 6749 section 5.2 first).
_OAUTH_ERROR_KEYS = ("error_description", "message", "error", "detail")


def env_credential(name: str) -> str:
    """The value of environment variable `name`; `ConfigError` (one line) when unset or empty."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set: export it or pass the credential to the client explicitly")
    return value


def _secret(value: str | SecretStr) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


class CarrierAuth(httpx.Auth):
    """How a `CarrierClient` authenticates: an `httpx.Auth` (base: none) that names its secrets.

    Subclass it for another scheme: implement `auth_flow` as for any `httpx.Auth` (set headers,
    ``yield`` the request, look at the response, yield again to retry) and `secrets`. The client
    calls `bind` once with its `httpx.Client`, so that a flow can build extra requests (a token
    request) relative to the base URL. Flows run in the calling thread: the clients are synchronous.
    """

    def bind(self, http: httpx.Client) -> None:
        """Called by `CarrierClient` with the `httpx.Client` the requests go through."""

    def secrets(self) -> tuple[str, ...]:
        """Every secret value this auth holds (and derived forms), for redaction."""
        return ()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        raise RuntimeError("tracklingo's carrier clients are synchronous (use httpx.Client)")
        yield request  # pragma: no cover - makes this an async generator


class ApiKeyHeader(CarrierAuth):
    """Sends an API key in a header (e.g. ``ApiKeyHeader("DHL-API-Key", key)``); a 401 is final."""

    def __init__(self, name: str, key: str | SecretStr) -> None:
        self.name = name
        self._key = _secret(key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.name] = self._key.get_secret_value()
        yield request

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
    """The OAuth2 client-credentials grant with a cached token, shared by all threads.

    The token is fetched on first use (POST to `token_path`, relative to the client's base URL or
    absolute; a JSON body, or a form with ``form=True``) and reused until ``min(expiry_margin,
    expires_in / 2)`` seconds before ``expires_in`` runs out; without ``expires_in`` it lasts until
    the API answers 401. A 401 from the API renews the token once and resends the request once.
    Fetching is single-flight: concurrent callers wait for one fetch, and callers whose token was
    rejected share one renewal. `clock` is injectable for tests.

    The client id is not a secret (it is sent in the clear in the form and shown in messages); the
    client secret, every token issued and the Basic form of ``id:secret`` are redacted.
    """

    requires_request_body = True  # a request resent after a 401 carries its body again

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
        self._http: httpx.Client | None = None

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(carrier={self.carrier!r}, token_path={self.token_path!r}, "
            f"client_secret={self._client_secret!r}, form={self.form!r})"
        )

    def bind(self, http: httpx.Client) -> None:
        self._http = http

    def secrets(self) -> tuple[str, ...]:
        secret = self._client_secret.get_secret_value()
        return (secret, *basic_credentials(self.client_id, secret), *self._issued)

    @property
    def token(self) -> str | None:
        """The cached access token, if any (tests and diagnostics; never log it)."""
        return self._token.value if self._token is not None else None

    # -- the flow --------------------------------------------------------------------------------

    def _valid(self) -> _Token | None:
        token = self._token
        return token if token is not None and self._clock() < token.refresh_at else None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._valid()  # fast path: a valid cached token needs no lock
        if token is None:
            with self._lock:
                token = self._valid()
                if token is None:
                    token = self._accept((yield self._token_request(request)))
        request.headers["Authorization"] = token.authorization
        response = yield request
        if response.status_code != 401:
            return
        logger.debug("%s: HTTP 401, refreshing the access token once", self.carrier)
        with self._lock:
            current = self._token
            if current is None or current is token:  # else another thread renewed it already
                current = self._accept((yield self._token_request(request)))
        retry = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.content,  # read: `requires_request_body`
            extensions=request.extensions,
        )
        retry.headers["Authorization"] = current.authorization
        yield retry

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        body = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
        if self.scope:
            body["scope"] = self.scope
        headers = {"Accept": "application/json"}
        if self._http is not None:  # relative to the client's base URL, with its headers
            if self.form:
                return self._http.build_request("POST", self.token_path, data=body, headers=headers)
            return self._http.build_request("POST", self.token_path, json=body, headers=headers)
        url = request.url.join(self.token_path)
        if self.form:
            return httpx.Request("POST", url, data=body, headers=headers)
        return httpx.Request("POST", url, json=body, headers=headers)

    def _accept(self, response: httpx.Response) -> _Token:
        """Read a token response (caller holds the lock)."""
        response.read()
        data = response_json(response)
        if response.is_error:
            said = error_text(response, _OAUTH_ERROR_KEYS)
            error_type = (
                AuthenticationError if response.status_code not in RETRY_STATUSES else CarrierAPIError
            )
            raise error_type(
                self.carrier,
                f"authentication failed: {safe_message(said, self.secrets())}",
                status_code=response.status_code,
                retryable=response.status_code in RETRY_STATUSES,
            )
        value = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(value, str) or not value:
            raise AuthenticationError(
                self.carrier,
                "authentication failed: the token response has no access_token",
                status_code=response.status_code,
            )
        assert isinstance(data, dict)
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
