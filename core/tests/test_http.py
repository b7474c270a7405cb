"""Tests of `tracklingo.http`: respx transports, a fake clock and a fake sleep (no network, no waits)."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from tracklingo.errors import AuthenticationError, CarrierAPIError, ConfigError, QuotaExceededError
from tracklingo.http import (
    ApiKeyHeader,
    CarrierAuth,
    CarrierClient,
    OAuth2ClientCredentials,
    env_credential,
    redact,
    retry_after_seconds,
)

BASE = "https://api.demo.test"
SECRET = "s3cr3t-client-secret-value"
API_KEY = "k3y-abcdef-0123456789"
ENV_BASE = "TRACKLINGO_DEMO_POST_BASE_URL"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class DemoClient(CarrierClient):
    carrier = "demo-post"
    default_base_url = BASE

    def is_quota_exhausted(self, response: httpx.Response) -> bool:
        return response.status_code == 429 and "daily quota" in response.text

    def track(self, number: str) -> Any:
        return self.get_json(f"/track/{number}", tracking_number=number)


def token_response(token: str, expires_in: int = 3600) -> httpx.Response:
    return httpx.Response(200, json={"access_token": token, "token_type": "bearer", "expires_in": expires_in})


def ok(request: httpx.Request | None = None) -> httpx.Response:
    return httpx.Response(200, json={"events": []})


@pytest.fixture(autouse=True)
def _no_env_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_BASE, raising=False)


@pytest.fixture
def router() -> Iterator[respx.Router]:
    r = respx.Router(base_url=BASE, assert_all_called=False)
    yield r


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def oauth(clock: FakeClock) -> OAuth2ClientCredentials:
    return OAuth2ClientCredentials(
        carrier="demo-post",
        token_path="/oauth2/token",
        client_id="my-client-id",
        client_secret=SECRET,
        clock=clock,
    )


@pytest.fixture
def make_client(router: respx.Router, sleeps: list[float]) -> Iterator[Callable[..., DemoClient]]:
    made: list[DemoClient] = []

    def make(**kw: Any) -> DemoClient:
        kw.setdefault("transport", httpx.MockTransport(router.handler))
        kw.setdefault("sleep", sleeps.append)
        client = DemoClient(**kw)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


# -- OAuth2 token caching ------------------------------------------------------------------------


def test_token_fetched_once_and_reused(
    router: respx.Router, oauth: OAuth2ClientCredentials, make_client: Callable[..., DemoClient]
) -> None:
    token = router.post("/oauth2/token").mock(return_value=token_response("tok-1"))
    api = router.get(path__startswith="/track/").mock(side_effect=ok)
    client = make_client(auth=oauth)

    for number in ("A1", "A2", "A3"):
        assert client.track(number) == {"events": []}

    assert token.call_count == 1
    assert api.call_count == 3
    assert all(c.request.headers["Authorization"] == "Bearer tok-1" for c in api.calls)
    body = json.loads(token.calls[0].request.content)
    assert body == {
        "grant_type": "client_credentials",
        "client_id": "my-client-id",
        "client_secret": SECRET,
    }


def test_token_request_form_encoded(
    router: respx.Router, clock: FakeClock, make_client: Callable[..., DemoClient]
) -> None:
    auth = OAuth2ClientCredentials(
        carrier="demo-post",
        token_path="https://auth.demo.test/token",  # absolute URL: not joined to the base URL
        client_id="cid",
        client_secret=SECRET,
        form=True,
        scope="track",
        clock=clock,
    )
    token = router.post("https://auth.demo.test/token").mock(return_value=token_response("t"))
    router.get("/track/A1").mock(side_effect=ok)
    make_client(auth=auth).track("A1")

    request = token.calls[0].request
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["cid"],
        "client_secret": [SECRET],
        "scope": ["track"],
    }


def test_token_refreshed_shortly_before_expiry(
    router: respx.Router,
    oauth: OAuth2ClientCredentials,
    clock: FakeClock,
    make_client: Callable[..., DemoClient],
) -> None:
    token = router.post("/oauth2/token").mock(
        side_effect=[token_response("tok-1", 3600), token_response("tok-2", 3600)]
    )
    api = router.get("/track/A1").mock(side_effect=ok)
    client = make_client(auth=oauth)

    client.track("A1")
    clock.advance(3600 - 60 - 1)  # still outside the 60 s margin
    client.track("A1")
    assert token.call_count == 1
    clock.advance(2)  # inside the margin: refresh before the carrier would reject it
    client.track("A1")
    client.track("A1")

    assert token.call_count == 2
    assert [c.request.headers["Authorization"] for c in api.calls] == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
        "Bearer tok-2",
    ]


def test_short_lived_token_margin_is_at_most_half_its_lifetime(
    router: respx.Router,
    oauth: OAuth2ClientCredentials,
    clock: FakeClock,
    make_client: Callable[..., DemoClient],
) -> None:
    token = router.post("/oauth2/token").mock(
        side_effect=[token_response("tok-1", 30), token_response("tok-2", 30)]
    )
    router.get("/track/A1").mock(side_effect=ok)
    client = make_client(auth=oauth)
    client.track("A1")
    clock.advance(14)
    client.track("A1")
    assert token.call_count == 1
    clock.advance(1)
    client.track("A1")
    assert token.call_count == 2


def test_401_refreshes_once_then_succeeds(
    router: respx.Router,
    oauth: OAuth2ClientCredentials,
    make_client: Callable[..., DemoClient],
    sleeps: list[float],
) -> None:
    token = router.post("/oauth2/token").mock(side_effect=[token_response("tok-1"), token_response("tok-2")])
    api = router.get("/track/A1").mock(
        side_effect=[httpx.Response(401, json={"message": "token revoked"}), ok()]
    )
    assert make_client(auth=oauth).track("A1") == {"events": []}

    assert token.call_count == 2
    assert [c.request.headers["Authorization"] for c in api.calls] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]
    assert sleeps == []


def test_401_twice_raises_carrier_api_error(
    router: respx.Router,
    oauth: OAuth2ClientCredentials,
    make_client: Callable[..., DemoClient],
    sleeps: list[float],
) -> None:
    token = router.post("/oauth2/token").mock(side_effect=[token_response("tok-1"), token_response("tok-2")])
    api = router.get("/track/A1").mock(
        return_value=httpx.Response(401, json={"message": "not authorized for this API"})
    )
    with pytest.raises(CarrierAPIError) as info:
        make_client(auth=oauth).track("A1")

    err = info.value
    assert err.status_code == 401
    assert err.tracking_number == "A1"
    assert "not authorized for this API" in str(err)
    assert token.call_count == 2  # one refresh, not a loop
    assert api.call_count == 2
    assert sleeps == []


def test_token_endpoint_rejection_is_an_auth_error_without_the_secret(
    router: respx.Router, oauth: OAuth2ClientCredentials, make_client: Callable[..., DemoClient]
) -> None:
    router.post("/oauth2/token").mock(
        return_value=httpx.Response(
            401,
            json={"error": "invalid_client", "error_description": f"bad secret {SECRET!r}"},
        )
    )
    api = router.get("/track/A1").mock(side_effect=ok)
    with pytest.raises(CarrierAPIError) as info:
        make_client(auth=oauth).track("A1")

    err = info.value
    assert type(err) is AuthenticationError  # typed: not a number's error, not a spent quota
    assert "authentication failed: bad secret '***'" in str(err)
    assert err.status_code == 401
    assert err.tracking_number == "A1"
    assert SECRET not in str(err)
    assert api.call_count == 0


def test_token_endpoint_outage_is_retried(
    router: respx.Router,
    oauth: OAuth2ClientCredentials,
    make_client: Callable[..., DemoClient],
    sleeps: list[float],
) -> None:
    token = router.post("/oauth2/token").mock(
        side_effect=[httpx.Response(503, text="maintenance"), token_response("tok-1")]
    )
    router.get("/track/A1").mock(side_effect=ok)
    assert make_client(auth=oauth).track("A1") == {"events": []}
    assert token.call_count == 2
    assert len(sleeps) == 1


def test_token_response_without_access_token(
    router: respx.Router, oauth: OAuth2ClientCredentials, make_client: Callable[..., DemoClient]
) -> None:
    router.post("/oauth2/token").mock(return_value=httpx.Response(200, json={"foo": 1}))
    with pytest.raises(CarrierAPIError, match="has no access_token"):
        make_client(auth=oauth).track("A1")


# -- retries -------------------------------------------------------------------------------------


def test_429_with_retry_after_seconds_then_200(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    api = router.get("/track/A1").mock(side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), ok()])
    assert make_client().track("A1") == {"events": []}
    assert api.call_count == 2
    assert sleeps == [7.0]


def test_retry_after_http_date(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    router.get("/track/A1").mock(side_effect=[httpx.Response(503, headers={"Retry-After": later}), ok()])
    make_client().track("A1")
    assert len(sleeps) == 1
    assert 27 < sleeps[0] <= 30


def test_retry_after_longer_than_max_retry_wait_is_an_immediate_error(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    api = router.get("/track/A1").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3600"}, json={"message": "slow down"}),
            ok(),
        ]
    )
    with pytest.raises(CarrierAPIError) as info:
        make_client(max_retry_wait=20).track("A1")
    assert api.call_count == 1 and sleeps == []  # neither waited nor retried early
    assert "DEMO-POST asks to retry after 60 min; not waiting (max_retry_wait is 20 s)" in str(info.value)
    assert "slow down" in str(info.value) and info.value.status_code == 429


def test_retry_after_parsing() -> None:
    now = datetime(2024, 11, 25, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now=now) == 7.0
    assert retry_after_seconds(" 2.5 ", now=now) == 2.5
    assert retry_after_seconds("Mon, 25 Nov 2024 08:00:42 GMT", now=now) == 42.0
    assert retry_after_seconds("Mon, 25 Nov 2024 07:59:00 GMT", now=now) == 0.0  # past
    assert retry_after_seconds("-3", now=now) == 0.0
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds("", now=now) is None
    assert retry_after_seconds(None, now=now) is None


def test_backoff_without_retry_after_is_exponential_and_bounded(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    router.get("/track/A1").mock(return_value=httpx.Response(502))
    with pytest.raises(CarrierAPIError):
        make_client(max_attempts=5, max_retry_wait=3).track("A1")
    assert len(sleeps) == 4
    assert 1 <= sleeps[0] <= 2
    assert 2 <= sleeps[1] <= 3
    assert all(0 < s <= 3 for s in sleeps)


def test_503_every_attempt_raises_with_status_and_carrier_message(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    api = router.get("/track/A1").mock(
        return_value=httpx.Response(503, json={"message": "Service temporarily unavailable"})
    )
    with pytest.raises(CarrierAPIError) as info:
        make_client(max_attempts=3).track("A1")

    err = info.value
    assert api.call_count == 3
    assert len(sleeps) == 2
    assert err.status_code == 503
    assert err.retryable is True
    assert "HTTP 503" in str(err)
    assert "Service temporarily unavailable" in str(err)
    assert "A1" in str(err)
    assert "\n" not in str(err)


def test_other_4xx_is_not_retried(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    api = router.get("/track/BAD").mock(
        return_value=httpx.Response(404, json={"errors": [{"detail": "No such tracking number"}]})
    )
    with pytest.raises(CarrierAPIError) as info:
        make_client().track("BAD")
    assert api.call_count == 1
    assert sleeps == []
    assert str(info.value) == ("demo-post API error for BAD (HTTP 404): No such tracking number")


def test_timeouts_are_retried_then_raise(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    api = router.get("/track/A1").mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(CarrierAPIError) as info:
        make_client(max_attempts=4).track("A1")
    assert api.call_count == 4
    assert len(sleeps) == 3
    assert "timed out after 4 attempts" in str(info.value)
    assert info.value.tracking_number == "A1"
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


def test_timeout_then_success(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    router.get("/track/A1").mock(side_effect=[httpx.ConnectTimeout("slow"), ok()])
    assert make_client().track("A1") == {"events": []}
    assert len(sleeps) == 1


def test_connection_errors_are_retried_then_raise(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    api = router.get("/track/A1").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(CarrierAPIError, match=re.escape("could not reach https://api.demo.test")):
        make_client(max_attempts=2).track("A1")
    assert api.call_count == 2
    assert len(sleeps) == 1


def test_quota_exhausted_429_is_not_retried(
    router: respx.Router, make_client: Callable[..., DemoClient], sleeps: list[float]
) -> None:
    api = router.get("/track/A1").mock(
        return_value=httpx.Response(
            429, headers={"Retry-After": "3600"}, json={"message": "daily quota exceeded"}
        )
    )
    with pytest.raises(QuotaExceededError) as info:
        make_client().track("A1")
    assert api.call_count == 1
    assert sleeps == []
    assert info.value.status_code == 429
    assert "request quota exhausted: daily quota exceeded" in str(info.value)


def test_non_json_body_is_a_carrier_api_error(
    router: respx.Router, make_client: Callable[..., DemoClient]
) -> None:
    router.get("/track/A1").mock(return_value=httpx.Response(200, text="<html>oops</html>"))
    with pytest.raises(CarrierAPIError, match="not valid JSON"):
        make_client().track("A1")


def test_post_json_and_extra_headers(router: respx.Router, make_client: Callable[..., DemoClient]) -> None:
    route = router.post("/track/batch").mock(return_value=httpx.Response(200, json=[1, 2]))
    client = make_client(auth=ApiKeyHeader("X-Api-Key", API_KEY))
    result = client.post_json("/track/batch", json={"numbers": ["A1"]}, headers={"X-Trace": "1"})
    assert result == [1, 2]
    request = route.calls[0].request
    assert json.loads(request.content) == {"numbers": ["A1"]}
    assert request.headers["X-Trace"] == "1"
    assert request.headers["X-Api-Key"] == API_KEY
    assert request.headers["User-Agent"].startswith("tracklingo")


# -- API key, config, base URL -------------------------------------------------------------------


def test_api_key_header_sent_and_401_not_refreshed(
    router: respx.Router, make_client: Callable[..., DemoClient]
) -> None:
    api = router.get("/track/A1").mock(
        return_value=httpx.Response(401, json={"message": f"invalid key {API_KEY}"})
    )
    with pytest.raises(CarrierAPIError) as info:
        make_client(auth=ApiKeyHeader("X-Api-Key", API_KEY)).track("A1")
    assert api.call_count == 1
    assert api.calls[0].request.headers["X-Api-Key"] == API_KEY
    assert API_KEY not in str(info.value)
    assert "invalid key ***" in str(info.value)


def test_env_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_DEMO_POST_CLIENT_ID", "abc")
    assert env_credential("TRACKLINGO_DEMO_POST_CLIENT_ID") == "abc"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_env_credential_is_a_one_line_config_error(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("TRACKLINGO_DEMO_POST_CLIENT_ID", raising=False)
    else:
        monkeypatch.setenv("TRACKLINGO_DEMO_POST_CLIENT_ID", value)
    with pytest.raises(ConfigError) as info:
        env_credential("TRACKLINGO_DEMO_POST_CLIENT_ID")
    message = str(info.value)
    assert message.startswith("TRACKLINGO_DEMO_POST_CLIENT_ID is not set: ")
    assert "\n" not in message


def test_base_url_from_env(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    monkeypatch.setenv(ENV_BASE, "http://localhost:8080/fake")
    assert DemoClient.base_url_env_var() == ENV_BASE
    router = respx.Router(assert_all_called=False)
    route = router.get("http://localhost:8080/fake/track/A1").mock(side_effect=ok)
    with DemoClient(transport=httpx.MockTransport(router.handler), sleep=sleeps.append) as client:
        assert client.base_url == "http://localhost:8080/fake"
        client.track("A1")
    assert route.call_count == 1


def test_base_url_argument_beats_env_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    with DemoClient() as client:
        assert client.base_url == BASE
    monkeypatch.setenv(ENV_BASE, "http://env.test")
    with DemoClient(base_url="http://arg.test") as client:
        assert client.base_url == "http://arg.test"


def test_client_without_carrier_or_base_url_is_a_config_error() -> None:
    class Nameless(CarrierClient):
        pass

    class NoUrl(CarrierClient):
        carrier = "nourl"

    with pytest.raises(ConfigError, match="carrier"):
        Nameless()
    with pytest.raises(ConfigError, match="TRACKLINGO_NOURL_BASE_URL"):
        NoUrl()


def test_close_and_context_manager(router: respx.Router, make_client: Callable[..., DemoClient]) -> None:
    client = make_client()
    with client as entered:
        assert entered is client
    assert client._http.is_closed


# -- secrets -------------------------------------------------------------------------------------


def test_redact() -> None:
    assert redact("a SECRET and SECRETS\nline two", ["SECRET", "SECRETS", ""]) == ("a *** and *** line two")


def test_secrets_absent_from_repr(oauth: OAuth2ClientCredentials) -> None:
    key = ApiKeyHeader("X-Api-Key", API_KEY)
    for text in (repr(oauth), str(oauth), repr(key), repr(DemoClient(auth=oauth))):
        assert SECRET not in text
        assert API_KEY not in text
    assert "X-Api-Key" in repr(key)


def test_secrets_and_tokens_never_logged_or_in_errors(
    router: respx.Router,
    oauth: OAuth2ClientCredentials,
    make_client: Callable[..., DemoClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    router.post("/oauth2/token").mock(
        side_effect=[token_response("tok-AAAA-1111"), token_response("tok-BBBB-2222")]
    )
    router.get("/track/A1").mock(
        side_effect=[
            httpx.Response(503, json={"message": "busy"}),
            httpx.Response(401, json={"message": "expired tok-AAAA-1111"}),
            httpx.Response(500, json={"message": f"echo {SECRET} tok-BBBB-2222"}),
            httpx.Response(500, json={"message": f"echo {SECRET} tok-BBBB-2222"}),
        ]
    )
    client = make_client(auth=oauth, max_attempts=3)
    with pytest.raises(CarrierAPIError) as info:
        client.track("A1")

    assert "echo *** ***" in str(info.value)
    texts = [str(info.value), repr(info.value), repr(client), caplog.text]
    texts += [r.getMessage() for r in caplog.records]
    assert any("retrying" in r.getMessage() for r in caplog.records)
    assert any("refreshing" in r.getMessage() for r in caplog.records)
    for text in texts:
        for secret in (SECRET, "tok-AAAA-1111", "tok-BBBB-2222"):
            assert secret not in text


# -- concurrency ---------------------------------------------------------------------------------


def run_threads(count: int, target: Callable[[], None]) -> None:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            target()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not errors, errors


def test_concurrent_first_use_fetches_one_token(
    router: respx.Router, oauth: OAuth2ClientCredentials, make_client: Callable[..., DemoClient]
) -> None:
    def slow_token(request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)  # widen the race window: without the lock every thread would fetch
        return token_response("tok-1")

    token = router.post("/oauth2/token").mock(side_effect=slow_token)
    api = router.get("/track/A1").mock(side_effect=ok)
    client = make_client(auth=oauth)

    run_threads(8, lambda: client.track("A1"))

    assert token.call_count == 1
    assert api.call_count == 8


def test_concurrent_401s_share_one_refresh(
    router: respx.Router, oauth: OAuth2ClientCredentials, make_client: Callable[..., DemoClient]
) -> None:
    tokens = iter(["tok-1", "tok-2", "tok-3", "tok-4"])

    def slow_token(request: httpx.Request) -> httpx.Response:
        time.sleep(0.02)
        return token_response(next(tokens))

    revoked = threading.Event()

    def api_handler(request: httpx.Request) -> httpx.Response:
        if revoked.is_set() and request.headers["Authorization"] == "Bearer tok-1":
            return httpx.Response(401, json={"message": "revoked"})
        return ok()

    token = router.post("/oauth2/token").mock(side_effect=slow_token)
    router.get("/track/A1").mock(side_effect=api_handler)
    client = make_client(auth=oauth)
    client.track("A1")  # primes the cache with tok-1 (accepted until `revoked` is set)
    assert token.call_count == 1
    revoked.set()

    run_threads(8, lambda: client.track("A1"))

    assert token.call_count == 2  # one shared refresh, whatever the interleaving


def test_custom_auth_subclass(router: respx.Router, make_client: Callable[..., DemoClient]) -> None:
    class Static(CarrierAuth):
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
            request.headers["Authorization"] = "Basic xyz"
            yield request

        def secrets(self) -> tuple[str, ...]:
            return ("xyz",)

    route = router.get("/track/A1").mock(side_effect=ok)
    client = make_client(auth=Static())
    client.track("A1")
    assert route.calls[0].request.headers["Authorization"] == "Basic xyz"
    assert isinstance(client.auth, httpx.Auth)
    assert client._safe("echo Basic xyz") == "echo Basic ***"
