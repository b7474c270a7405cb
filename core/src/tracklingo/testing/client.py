"""Checking a carrier's API client under respx: it survives 429, 503 and timeouts, gives up with a
`TracklingoError` that names the carrier, and never lets a credential into logs or error text.

The checks are generic: a `ClientHarness` builds the client (with ``sleep`` replaced so retries do
not wait), points it at a fake base URL through ``TRACKLINGO_<CARRIER>_BASE_URL``, fills the
credentials it asks for with fake secrets, answers the OAuth2 token request when the client uses
`tracklingo.http.OAuth2ClientCredentials`, and routes every other request to one mocked API route.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets as _secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, quote_plus, urlsplit

import httpx
import respx

from tracklingo.carrier import Carrier
from tracklingo.errors import ConfigError, TracklingoError
from tracklingo.http import OAuth2ClientCredentials
from tracklingo.testing.checks import _fail, _where

__all__ = [
    "ClientHarness",
    "check_client_gives_up",
    "check_client_never_leaks",
    "check_client_survives",
    "default_mock_auth",
    "default_track",
]

_MISSING_ENV: Final = re.compile(r"\b([A-Z][A-Z0-9_]*) is not set\b")
_SECRET_NAME: Final = re.compile(r"SECRET|KEY|TOKEN|PASSWORD|PASSWD|PASS\b", re.IGNORECASE)
_MAX_DISCOVERED: Final = 8


def default_track(client: Any, number: str) -> Any:
    """How the kit tracks one number: ``client.track([number])`` (the built-in clients' API)."""
    return client.track([number])


def _token_route(router: respx.MockRouter, client: Any) -> respx.Route | None:
    """The route of a `tracklingo.http` OAuth2 client's token request (None for other auth)."""
    auth = getattr(client, "auth", None)
    if not isinstance(auth, OAuth2ClientCredentials):
        return None
    path = auth.token_path
    if path.startswith(("http://", "https://")):
        return router.post(path)
    host = urlsplit(str(client.base_url)).hostname
    return router.post(host=host, path__regex=re.escape(path.lstrip("/")) + "$")


def default_mock_auth(router: respx.MockRouter, client: Any, token: str) -> None:
    """Answer the OAuth2 client-credentials token request of a `tracklingo.http` client."""
    route = _token_route(router, client)
    if route is not None:
        body = {"access_token": token, "token_type": "bearer", "expires_in": 3600}
        route.mock(return_value=httpx.Response(200, json=body))


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception as exc:  # a bad log call is itself worth reporting
            self.lines.append(f"{record.name}: unformattable record {record.msg!r}: {exc}")


@contextmanager
def _capture_logs() -> Iterator[_Capture]:
    handler = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@dataclass
class ClientHarness:
    """Builds a carrier's client against respx and runs one scenario at a time.

    Args:
        carrier: the adapter.
        factory: ``factory(carrier, sleep=...) -> client`` (default: ``carrier.client(sleep=...)``).
        track: ``track(client, number)`` (default: ``client.track([number])``).
        number: the tracking number to ask for.
        success_body: the JSON the mocked API answers with on success (a sample response).
        env: non-secret environment variables the client needs (an id, an account number).
        secrets: environment variables holding secrets, with fake values the kit checks for.
        mock_auth: ``mock_auth(router, client, token)`` routes the auth requests (default: the
            OAuth2 token request of `tracklingo.http`).
    """

    carrier: Carrier
    factory: Callable[..., Any] | None = None
    track: Callable[[Any, str], Any] = default_track
    number: str = "KIT0000000000"
    success_body: Any = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    mock_auth: Callable[[respx.MockRouter, Any, str], None] = default_mock_auth
    token: str = field(default_factory=lambda: "kit-token-" + _secrets.token_hex(8))
    sleeps: list[float] = field(default_factory=list)
    token_used: bool = False
    _discovered: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"https://{self.carrier.name.replace('_', '-')}.kit.invalid"

    @property
    def base_url_var(self) -> str:
        return f"TRACKLINGO_{self.carrier.name.upper().replace('-', '_')}_BASE_URL"

    def secret_values(self) -> list[str]:
        found = [*self.secrets.values(), *([self.token] if self.token_used else [])]
        found += [v for k, v in self._discovered.items() if _SECRET_NAME.search(k)]
        return [s for s in found if s]

    @contextmanager
    def environment(self) -> Iterator[None]:
        saved = dict(os.environ)
        try:
            os.environ.update(self.env)
            os.environ.update(self.secrets)
            os.environ.update(self._discovered)
            os.environ[self.base_url_var] = self.base_url
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def build(self) -> Any:
        """The client, with missing ``TRACKLINGO_*`` credentials filled with fake values."""
        name = self.carrier.name
        for _ in range(_MAX_DISCOVERED):
            try:
                if self.factory is not None:
                    client = self.factory(self.carrier, sleep=self._sleep)
                else:
                    client = self.carrier.client(sleep=self._sleep)
            except ConfigError as exc:
                m = _MISSING_ENV.search(str(exc))
                if m is None or m.group(1) in os.environ:
                    raise _fail(
                        name,
                        "the client cannot be built",
                        [str(exc)],
                        "set client_env / client_secrets on the test class",
                    ) from None
                var = m.group(1)
                value = f"kit-{var.lower().replace('_', '-')}-{_secrets.token_hex(6)}"
                self._discovered[var] = value
                os.environ[var] = value
                continue
            except TypeError as exc:
                raise _fail(
                    name,
                    "the client cannot be built",
                    [f"{type(exc).__name__}: {exc}{_where(exc)}"],
                    "client(**options) must pass its options on to tracklingo.http.CarrierClient"
                    " (the kit passes sleep= so retries do not wait); or override"
                    " client_factory() on the test class",
                ) from None
            base = getattr(client, "base_url", None)
            if base is not None and str(base).rstrip("/") != self.base_url:
                raise _fail(
                    name,
                    "the client ignores its base-URL variable",
                    [f"{self.base_url_var}={self.base_url} but the client uses {base}"],
                    "build the client on tracklingo.http.CarrierClient (it reads"
                    f" {self.base_url_var}) so a sandbox or a local fake can be used",
                )
            return client
        raise _fail(
            name,
            "the client keeps asking for credentials",
            list(self._discovered),
            "set client_env / client_secrets on the test class",
        )

    def run(
        self,
        api: Sequence[httpx.Response | type[Exception] | Exception] | httpx.Response,
        *,
        token_response: httpx.Response | None = None,
    ) -> tuple[Any, BaseException | None, int, Any]:
        """One scenario: returns (result, exception, API calls, client)."""
        with self.environment():
            client = self.build()
            try:
                with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
                    self.mock_auth(router, client, self.token)
                    if token_response is not None:
                        token_route = _token_route(router, client)
                        if token_route is not None:
                            token_route.mock(return_value=token_response)
                    route = router.route(host=urlsplit(self.base_url).hostname)
                    if isinstance(api, httpx.Response):
                        route.mock(return_value=api)
                    else:
                        route.mock(side_effect=list(api))
                    result: Any = None
                    error: BaseException | None = None
                    try:
                        result = self.track(client, self.number)
                    except AssertionError as exc:  # respx: a request the kit did not expect
                        raise _fail(
                            self.carrier.name,
                            "the client sent a request the kit could not answer",
                            [str(exc)],
                            "every request must go to the base URL (from"
                            f" {self.base_url_var}); for an auth scheme other than"
                            " tracklingo.http's OAuth2, override mock_auth() on the test class",
                        ) from None
                    except Exception as exc:
                        error = exc
                    if any(
                        self.token in " ".join(call.request.headers.values())
                        or self.token in str(call.request.url)
                        for call in router.calls
                    ):
                        self.token_used = True
                    return result, error, route.call_count, client
            finally:
                close = getattr(client, "close", None)
                if callable(close):
                    close()

    def success(self) -> httpx.Response:
        return httpx.Response(200, json=self.success_body)


def _spellings(secret: str) -> tuple[str, ...]:
    """A secret as it is, form-encoded, percent-encoded and JSON-escaped."""
    return (secret, quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1])


def check_client_survives(h: ClientHarness, failure: str) -> None:
    """One transient failure (``"429"``, ``"503"`` or ``"timeout"``) then success: the call
    succeeds after a retry, and a ``Retry-After`` is honoured."""
    first: httpx.Response | type[Exception]
    if failure == "429":
        first = httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "Too Many Requests"})
    elif failure == "503":
        first = httpx.Response(503, json={"message": "Service Unavailable"})
    elif failure == "timeout":
        first = httpx.ReadTimeout
    else:
        raise ValueError(f"unknown failure {failure!r}")
    h.sleeps.clear()
    result, error, calls, _ = h.run([first, h.success()])
    name = h.carrier.name
    if error is not None:
        raise _fail(
            name,
            f"the client does not survive one {failure}",
            [f"track({h.number!r}) raised {type(error).__name__}: {error}{_where(error)}"],
            "retry 429, 5xx and timeouts with backoff (tracklingo.http.CarrierClient does this;"
            " send requests through self.request/get_json/post_json)",
        )
    if calls < 2:
        raise _fail(
            name,
            f"the client did not retry after a {failure}",
            [f"{calls} call(s) to the API"],
            "retry 429, 5xx and timeouts (tracklingo.http.CarrierClient does this)",
        )
    if failure == "429" and not any(abs(s - 2.0) < 0.01 for s in h.sleeps):
        raise _fail(
            name,
            "the client does not honour Retry-After",
            [f"Retry-After: 2, but it waited {h.sleeps or 'not at all (through sleep=)'}"],
            "wait what Retry-After says, through the injectable sleep (CarrierClient does this)",
        )
    del result


def check_client_gives_up(h: ClientHarness) -> None:
    """A failure that does not go away (503 every time, timeouts every time) ends in a
    `TracklingoError` naming the carrier and the number, after retrying; never an httpx error.
    A ``Retry-After`` of 27 hours is not waited for."""
    problems = []
    long_wait = httpx.Response(429, headers={"Retry-After": "99999"}, json={"message": "Too Many Requests"})
    scenarios: list[tuple[str, httpx.Response | Sequence[type[Exception]]]] = [
        ("503 every time", httpx.Response(503, json={"message": "Service Unavailable"})),
        ("a timeout every time", [httpx.ReadTimeout] * 20),
        ("Retry-After: 99999", long_wait),
    ]
    for label, api in scenarios:
        h.sleeps.clear()
        _, error, calls, _ = h.run(api)
        if label.startswith("Retry-After") and any(s >= 3600 for s in h.sleeps):
            problems.append(f"{label}: waited {max(h.sleeps):.0f} s instead of giving up at once")
            continue
        if error is None:
            continue  # turned into a per-number error in the result: acceptable
        if not isinstance(error, TracklingoError):
            problems.append(f"{label}: raised {type(error).__name__}: {error}{_where(error)}")
            continue
        text = str(error)
        if h.carrier.name.lower() not in text.lower():
            problems.append(f"{label}: the error does not name the carrier: {text!r}")
        if h.number not in text:
            problems.append(f"{label}: the error does not name the tracking number: {text!r}")
        if calls < 2 and not label.startswith("Retry-After"):
            problems.append(f"{label}: gave up after {calls} call(s) without retrying")
    if problems:
        raise _fail(
            h.carrier.name,
            "the client does not give up cleanly",
            problems,
            "after its retries the client raises tracklingo.CarrierAPIError(carrier, message,"
            " tracking_number=...), and does not wait for a Retry-After longer than its deadline"
            " (CarrierClient.request does both, when given tracking_number=)",
        )


def check_client_never_leaks(h: ClientHarness) -> None:
    """No credential (client secret, API key, access token) appears in log records, error text,
    ``repr(exception)`` or ``repr(client)``, even when the carrier echoes it back."""
    leaks: list[str] = []

    def scan(where: str, text: str, secrets: Sequence[str]) -> None:
        for secret in secrets:
            if secret and any(form in text for form in _spellings(secret)):
                leaks.append(f"{where}: {text[:200]!r} contains a credential")
                return

    with _capture_logs() as logs:
        h.run([h.success()])  # learn the credentials the client asks for, and whether it uses a token
        known = h.secret_values()  # env secrets, plus the token when the client fetched one
        env_only = [s for s in known if s != h.token]
        scenarios: list[tuple[str, Any, httpx.Response | None, list[str]]] = [
            ("success", [h.success()], None, known),
            ("a retried 503", [httpx.Response(503, json={"message": "busy"}), h.success()], None, known),
            (
                "an API error echoing the credentials",
                httpx.Response(400, json={"message": f"bad request; you sent {' '.join(known)}"}),
                None,
                known,
            ),
            (
                "an API error echoing the credentials URL-encoded and JSON-escaped",
                httpx.Response(
                    400,
                    text=" ".join(" ".join(_spellings(s)[1:]) for s in known),
                ),
                None,
                known,
            ),
            (
                "an authentication error echoing the credentials",
                httpx.Response(401, json={"message": f"unauthorized: {' '.join(env_only)}"}),
                httpx.Response(
                    401,
                    json={"error": "invalid_client", "error_description": f"rejected {' '.join(env_only)}"},
                ),
                env_only,
            ),
        ]
        for label, api, token_response, secrets in scenarios:
            _, error, _, client = h.run(api, token_response=token_response)
            scan(f"repr(client) after {label}", repr(client), secrets)
            if error is not None:
                scan(f"error text after {label}", str(error), secrets)
                scan(f"repr(error) after {label}", repr(error), secrets)
                cause = error.__cause__ or error.__context__
                if cause is not None and isinstance(error, TracklingoError):
                    scan(f"the cause of the error after {label}", str(cause), secrets)
    for line in logs.lines:
        scan("log record", line, known)
    if leaks:
        raise _fail(
            h.carrier.name,
            "the client leaks credentials",
            sorted(set(leaks)),
            "hold secrets as pydantic.SecretStr, never log request URLs or bodies that carry"
            " them (send keys in headers, not query strings), and pass error text through"
            " tracklingo.http.redact() (CarrierClient does this for its own auth)",
        )
