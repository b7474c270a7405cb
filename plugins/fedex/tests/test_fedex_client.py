"""The Track API client under respx: no network, no waiting, no secret in any message."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from tracklingo import CarrierAPIError, ConfigError, QuotaExceededError, Stage
from tracklingo_fedex import FedExCarrier, FedExClient
from tracklingo_fedex.client import MAX_NUMBERS_PER_REQUEST

BASE = "https://fedex.test"
SECRET = "s3cr3t-Value-9f8e7d"
TOKEN_1 = "tok-AAAA-1111"
TOKEN_2 = "tok-BBBB-2222"
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def token_reply(value: str, expires_in: int = 3599) -> httpx.Response:
    # the shape FedEx returns (karrioapi/karrio modules/connectors/fedex/tests/fedex/test_authentication.py)
    return httpx.Response(
        200,
        json={"access_token": value, "token_type": "bearer", "expires_in": expires_in, "scope": "CXS-TP"},
    )


def fedex_error(status: int, code: str, message: str, **kw: Any) -> httpx.Response:
    body = {"transactionId": "t-1", "errors": [{"code": code, "message": message}]}
    return httpx.Response(status, json=body, **kw)


class Sleeps:
    """An injected no-op `sleep` that records what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def client(sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch) -> Iterator[FedExClient]:
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_ID", "my-api-key")
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_SECRET", SECRET)
    monkeypatch.delenv("TRACKLINGO_FEDEX_BASE_URL", raising=False)
    with FedExClient(base_url=BASE, sleep=sleeps, max_attempts=3) as c:
        yield c


def sent_numbers(request: httpx.Request) -> list[str]:
    body = json.loads(request.content)
    return [t["trackingNumberInfo"]["trackingNumber"] for t in body["trackingInfo"]]


def assert_no_secret(text: str) -> None:
    for secret in (SECRET, TOKEN_1, TOKEN_2):
        assert secret not in text


# -- the happy path ----------------------------------------------------------------------------------


def test_track_posts_the_documented_request(client: FedExClient, api: respx.MockRouter) -> None:
    token = api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    track = api.post("/track/v1/trackingnumbers").mock(
        return_value=httpx.Response(200, json=fixture("international_import_clearance.json"))
    )
    (payload,) = client.track(["7728 4519 3061"])
    assert payload == fixture("international_import_clearance.json")
    # token: form-encoded client credentials (developer.fedex.com/api/en-us/catalog/authorization/docs.html)
    grant = token.calls.last.request
    assert grant.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(grant.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["my-api-key"],
        "client_secret": [SECRET],
    }
    # track: bearer token, JSON body, locale (FedEx Track API spec, developer.fedex.com track/v1)
    request = track.calls.last.request
    assert request.headers["authorization"] == f"Bearer {TOKEN_1}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-locale"] == "en_US"
    body = json.loads(request.content)
    assert body == {
        "includeDetailedScans": True,
        "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": "772845193061"}}],
    }


def test_token_is_reused(client: FedExClient, api: respx.MockRouter) -> None:
    token = api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    track = api.post("/track/v1/trackingnumbers").mock(
        return_value=httpx.Response(200, json=fixture("multi_number_one_not_found.json"))
    )
    client.track(["552100348719263"])
    client.track(["392740618526"])
    client.track(["701234567893"])
    assert token.call_count == 1
    assert track.call_count == 3
    assert {c.request.headers["authorization"] for c in track.calls} == {f"Bearer {TOKEN_1}"}


def test_401_refreshes_the_token_once(client: FedExClient, api: respx.MockRouter) -> None:
    token = api.post("/oauth/token").mock(side_effect=[token_reply(TOKEN_1), token_reply(TOKEN_2)])
    track = api.post("/track/v1/trackingnumbers").mock(
        side_effect=[
            httpx.Response(401, json=fixture("error_401.json")),
            httpx.Response(200, json=fixture("multi_number_one_not_found.json")),
        ]
    )
    (payload,) = client.track(["552100348719263", "392740618526"])
    assert "output" in payload
    assert token.call_count == 2
    assert [c.request.headers["authorization"] for c in track.calls] == [
        f"Bearer {TOKEN_1}",
        f"Bearer {TOKEN_2}",
    ]


def test_401_twice_is_an_error_with_fedex_text(client: FedExClient, api: respx.MockRouter) -> None:
    api.post("/oauth/token").mock(side_effect=[token_reply(TOKEN_1), token_reply(TOKEN_2)])
    api.post("/track/v1/trackingnumbers").mock(
        return_value=httpx.Response(401, json=fixture("error_401.json"))
    )
    with pytest.raises(CarrierAPIError) as info:
        client.track(["701234567893"])
    message = str(info.value)
    assert info.value.status_code == 401
    assert "Access token expired" in message and "NOT.AUTHORIZED.ERROR" in message
    assert "701234567893" in message
    assert "\n" not in message
    assert_no_secret(message)


def test_429_then_200_honours_retry_after(client: FedExClient, api: respx.MockRouter, sleeps: Sleeps) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    track = api.post("/track/v1/trackingnumbers").mock(
        side_effect=[
            fedex_error(
                429,
                "TOO.MANY.REQUESTS",
                "We have received too many requests in a short duration. Please wait a while to try again.",
                headers={"Retry-After": "7"},
            ),
            httpx.Response(200, json=fixture("multi_number_one_not_found.json")),
        ]
    )
    (payload,) = client.track(["552100348719263"])
    assert "output" in payload
    assert track.call_count == 2
    assert sleeps.calls == [7.0]


def test_daily_quota_is_not_retried(client: FedExClient, api: respx.MockRouter, sleeps: Sleeps) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    track = api.post("/track/v1/trackingnumbers").mock(
        return_value=fedex_error(429, "QUOTA.EXCEEDED", "Daily transaction quota exceeded")
    )
    with pytest.raises(QuotaExceededError) as info:
        client.track(["701234567893"])
    assert track.call_count == 1
    assert sleeps.calls == []
    assert "Daily transaction quota exceeded" in str(info.value)


def test_5xx_exhaustion(client: FedExClient, api: respx.MockRouter, sleeps: Sleeps) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    track = api.post("/track/v1/trackingnumbers").mock(
        return_value=fedex_error(
            503,
            "SERVICE.UNAVAILABLE.ERROR",
            "The service is currently unavailable and we are working to "
            "resolve the issue. We apologize for any inconvenience.",
        )
    )
    with pytest.raises(CarrierAPIError) as info:
        client.track(["701234567893"])
    assert track.call_count == 3  # max_attempts
    assert len(sleeps.calls) == 2
    error = info.value
    assert (error.carrier, error.status_code, error.retryable) == ("fedex", 503, True)
    assert "SERVICE.UNAVAILABLE.ERROR" in str(error)
    assert_no_secret(str(error))


def test_500_then_200(client: FedExClient, api: respx.MockRouter) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    api.post("/track/v1/trackingnumbers").mock(
        side_effect=[
            fedex_error(500, "INTERNAL.SERVER.ERROR", "We encountered an unexpected error"),
            httpx.Response(200, json=fixture("ground_economy_usps.json")),
        ]
    )
    (payload,) = client.track(["61291234056789123453"])
    assert payload["output"]["completeTrackResults"][0]["trackingNumber"] == "61291234056789123453"


# -- batching ----------------------------------------------------------------------------------------


def test_45_numbers_go_in_two_calls(client: FedExClient, api: respx.MockRouter) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    track = api.post("/track/v1/trackingnumbers").mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={
                "output": {
                    "completeTrackResults": [
                        {"trackingNumber": n, "trackResults": []} for n in sent_numbers(request)
                    ]
                }
            },
        )
    )
    numbers = [f"{100000000000 + i}" for i in range(45)]
    payloads = client.track(numbers)
    assert MAX_NUMBERS_PER_REQUEST == 30
    assert track.call_count == 2
    assert [len(sent_numbers(c.request)) for c in track.calls] == [30, 15]
    assert sent_numbers(track.calls[0].request) + sent_numbers(track.calls[1].request) == numbers
    assert len(payloads) == 2
    assert [len(p["output"]["completeTrackResults"]) for p in payloads] == [30, 15]


def test_numbers_are_cleaned_and_deduplicated(client: FedExClient, api: respx.MockRouter) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    track = api.post("/track/v1/trackingnumbers").mock(
        return_value=httpx.Response(200, json={"output": {"completeTrackResults": []}})
    )
    client.track(["7012 3456 7893", "701234567893", "", "  ", "dt582019374609"])
    assert sent_numbers(track.calls.last.request) == ["701234567893", "DT582019374609"]


def test_a_single_string_is_one_number(client: FedExClient, api: respx.MockRouter) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    track = api.post("/track/v1/trackingnumbers").mock(
        return_value=httpx.Response(200, json={"output": {"completeTrackResults": []}})
    )
    assert len(client.track("7012 3456 7893")) == 1
    assert sent_numbers(track.calls.last.request) == ["701234567893"]


def test_no_numbers_no_calls(client: FedExClient, api: respx.MockRouter) -> None:
    token = api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    assert client.track([]) == []
    assert token.call_count == 0


# -- credentials and secrets ---------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["TRACKLINGO_FEDEX_CLIENT_ID", "TRACKLINGO_FEDEX_CLIENT_SECRET"])
def test_missing_credentials(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_ID", "my-api-key")
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_SECRET", SECRET)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError) as info:
        FedExCarrier().client()
    message = str(info.value)
    assert missing in message
    assert "\n" not in message
    assert_no_secret(message)


def test_empty_credential_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_ID", "  ")
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_SECRET", SECRET)
    with pytest.raises(ConfigError, match="TRACKLINGO_FEDEX_CLIENT_ID"):
        FedExClient()


def test_token_endpoint_failure_hides_the_secret(client: FedExClient, api: respx.MockRouter) -> None:
    api.post("/oauth/token").mock(
        return_value=httpx.Response(
            401,
            json={
                "transactionId": "t",
                "errors": [
                    {
                        "code": "NOT.AUTHORIZED.ERROR",
                        "message": f"The given client credentials were not valid: {SECRET}",
                    }
                ],
            },
        )
    )
    track = api.post("/track/v1/trackingnumbers")
    with pytest.raises(CarrierAPIError) as info:
        client.track(["701234567893"])
    assert track.call_count == 0
    message = str(info.value)
    assert "authentication failed" in message
    assert_no_secret(message)
    assert "***" in message


def test_secrets_never_in_repr_or_errors(client: FedExClient, api: respx.MockRouter) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    api.post("/track/v1/trackingnumbers").mock(
        return_value=fedex_error(403, "FORBIDDEN.ERROR", f"bad header Bearer {TOKEN_1}")
    )
    with pytest.raises(CarrierAPIError) as info:
        client.track(["701234567893"])
    assert_no_secret(str(info.value))
    assert_no_secret(repr(client))
    assert_no_secret(repr(client.auth))


def test_a_refused_batch_echoing_the_token_keeps_it_out_of_the_reply(
    client: FedExClient, api: respx.MockRouter
) -> None:
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    api.post("/track/v1/trackingnumbers").mock(
        return_value=fedex_error(400, "BAD.REQUEST.ERROR", f"bad header Bearer {TOKEN_1}")
    )
    (reply,) = client.track(["701234567893"])
    assert_no_secret(json.dumps(reply))
    (error,) = FedExCarrier().parse(reply).errors
    assert error.tracking_number == "701234567893" and error.code == "BAD.REQUEST.ERROR"
    assert "bad header Bearer ***" in error.message


def test_a_refused_batch_keeps_the_other_batches_replies(client: FedExClient, api: respx.MockRouter) -> None:
    """A whole-batch 4xx on the second batch: the first batch's reply is kept, the third batch is
    still sent, and every number of the refused batch gets FedEx's error."""
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))

    def answer(request: httpx.Request) -> httpx.Response:
        numbers = sent_numbers(request)
        if "100000000031" in numbers:
            return fedex_error(400, "TRACKING.TRACKINGNUMBER.INVALID", "Invalid tracking number.")
        return httpx.Response(200, json=fixture("multi_number_one_not_found.json"))

    track = api.post("/track/v1/trackingnumbers").mock(side_effect=answer)
    numbers = [f"{100000000000 + i}" for i in range(65)]
    replies = client.track(numbers)
    assert track.call_count == 3 and len(replies) == 3
    carrier = FedExCarrier()
    first, refused, third = (carrier.parse(r) for r in replies)
    assert first.events and third.events  # nothing lost around the refusal
    assert [e.tracking_number for e in refused.errors] == numbers[30:60]
    assert all("HTTP 400: Invalid tracking number." in e.message for e in refused.errors)
    assert {e.code for e in refused.errors} == {"TRACKING.TRACKINGNUMBER.INVALID"}


def test_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_ID", "my-api-key")
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("TRACKLINGO_FEDEX_BASE_URL", "https://apis-sandbox.fedex.com")
    with FedExCarrier().client() as c:
        assert str(c.base_url).rstrip("/") == "https://apis-sandbox.fedex.com"
    monkeypatch.delenv("TRACKLINGO_FEDEX_BASE_URL")
    with FedExClient() as c:
        assert str(c.base_url).rstrip("/") == "https://apis.fedex.com"


# -- what the `track` command does: client().track(numbers), then parse each payload ----------------


def test_track_then_parse(monkeypatch: pytest.MonkeyPatch, api: respx.MockRouter) -> None:
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_ID", "my-api-key")
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("TRACKLINGO_FEDEX_BASE_URL", BASE)
    api.post("/oauth/token").mock(return_value=token_reply(TOKEN_1))
    api.post("/track/v1/trackingnumbers").mock(
        return_value=httpx.Response(200, json=fixture("multi_number_one_not_found.json"))
    )
    carrier = FedExCarrier()
    with carrier.client() as c:
        payloads = c.track(["552100348719263", "392740618526"])
    results = [carrier.parse(p) for p in payloads]
    events = [e for r in results for e in r.events]
    errors = [e for r in results for e in r.errors]
    assert events[-1].stage is Stage.IN_TRANSIT
    assert [e.tracking_number for e in errors] == ["392740618526"]
