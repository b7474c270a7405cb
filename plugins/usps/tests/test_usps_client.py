"""The USPS v3 client under respx: no network, no waiting (a recording sleep, a fake clock)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tracklingo import CarrierAPIError, ConfigError, QuotaExceededError, Stage
from tracklingo_usps import USPSCarrier, USPSClient

BASE = "https://apis.usps.com"
CLIENT_ID = "usps-client-id-123"
SECRET = "usps-s3cr3t-value-456"
NUMBER = "9202290123456700043214"  # the domestic fixture's number
TRACK = f"/tracking/v3/tracking/{NUMBER}"
FIXTURES = Path(__file__).parent / "fixtures"
CARRIER = USPSCarrier()


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def token(value: str, expires_in: int = 28799) -> httpx.Response:
    # the USPS token response shape (USPS/api-examples README.md, OAuth section)
    return httpx.Response(
        200,
        json={
            "access_token": value,
            "token_type": "Bearer",
            "issued_at": 1735732800000,
            "expires_in": expires_in,
            "status": "approved",
            "scope": "tracking",
            "client_id": CLIENT_ID,
        },
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_USPS_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("TRACKLINGO_USPS_CLIENT_SECRET", SECRET)
    monkeypatch.delenv("TRACKLINGO_USPS_BASE_URL", raising=False)


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(base_url=BASE, assert_all_called=False)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make(router: respx.Router, sleeps: list[float], clock: FakeClock) -> Iterator[Callable[..., USPSClient]]:
    made: list[USPSClient] = []

    def build(**kw: Any) -> USPSClient:
        kw.setdefault("transport", httpx.MockTransport(router.handler))
        kw.setdefault("sleep", sleeps.append)
        kw.setdefault("clock", clock)
        client = CARRIER.client(**kw)
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


# -- credentials ----------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["TRACKLINGO_USPS_CLIENT_ID", "TRACKLINGO_USPS_CLIENT_SECRET"])
def test_missing_credentials_is_one_line_config_error(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError) as info:
        CARRIER.client()
    message = str(info.value)
    assert message.startswith(f"{missing} is not set")
    assert "\n" not in message
    assert SECRET not in message


def test_explicit_credentials_win(
    monkeypatch: pytest.MonkeyPatch, router: respx.Router, make: Callable[..., USPSClient]
) -> None:
    monkeypatch.delenv("TRACKLINGO_USPS_CLIENT_ID")
    monkeypatch.delenv("TRACKLINGO_USPS_CLIENT_SECRET")
    tok = router.post("/oauth2/v3/token").mock(return_value=token("tok-x"))
    router.get(TRACK).mock(return_value=httpx.Response(200, json=fixture("domestic_delivered.json")))
    client = make(client_id="given-id", client_secret="given-secret")
    client.track([NUMBER])
    assert json.loads(tok.calls[0].request.content)["client_id"] == "given-id"


def test_secrets_never_in_repr_or_errors(router: respx.Router, make: Callable[..., USPSClient]) -> None:
    router.post("/oauth2/v3/token").mock(
        return_value=httpx.Response(
            401,
            json={
                "error": "invalid_client",
                "error_description": f"Client {CLIENT_ID} with secret {SECRET} is invalid",
            },
        )
    )
    client = make()
    assert SECRET not in repr(client)
    with pytest.raises(CarrierAPIError) as info:
        client.track([NUMBER])
    message = str(info.value)
    assert "authentication failed" in message
    assert SECRET not in message and "***" in message
    assert info.value.tracking_number == NUMBER


# -- token fetch, reuse, expiry, 401 refresh ------------------------------------------------------


def test_token_fetched_once_and_reused(router: respx.Router, make: Callable[..., USPSClient]) -> None:
    tok = router.post("/oauth2/v3/token").mock(return_value=token("tok-1"))
    api = router.get(path__startswith="/tracking/v3/tracking/").mock(
        return_value=httpx.Response(200, json=fixture("domestic_delivered.json"))
    )
    client = make()
    payloads = client.track([NUMBER, NUMBER, NUMBER])
    assert len(payloads) == 3 and all(p["trackingNumber"] == NUMBER for p in payloads)
    assert tok.call_count == 1
    assert api.call_count == 3
    body = json.loads(tok.calls[0].request.content)
    assert body == {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}
    request = api.calls[0].request
    assert request.headers["Authorization"] == "Bearer tok-1"
    assert request.url.params["expand"] == "DETAIL"
    assert request.url.path == TRACK


def test_token_refetched_after_expiry(
    router: respx.Router, clock: FakeClock, make: Callable[..., USPSClient]
) -> None:
    tok = router.post("/oauth2/v3/token").mock(side_effect=[token("tok-1"), token("tok-2")])
    api = router.get(TRACK).mock(return_value=httpx.Response(200, json=fixture("domestic_delivered.json")))
    client = make()
    client.track([NUMBER])
    clock.now += 28799  # the token's lifetime has passed
    client.track([NUMBER])
    assert tok.call_count == 2
    assert [c.request.headers["Authorization"] for c in api.calls] == ["Bearer tok-1", "Bearer tok-2"]


def test_401_refreshes_the_token_once(router: respx.Router, make: Callable[..., USPSClient]) -> None:
    tok = router.post("/oauth2/v3/token").mock(side_effect=[token("old"), token("new")])
    api = router.get(TRACK).mock(
        side_effect=[
            httpx.Response(
                401, json={"apiVersion": "/tracking/v3", "error": {"code": "401", "message": "Unauthorized"}}
            ),
            httpx.Response(200, json=fixture("domestic_delivered.json")),
        ]
    )
    client = make()
    [payload] = client.track([NUMBER])
    assert payload["trackingNumber"] == NUMBER
    assert tok.call_count == 2
    assert [c.request.headers["Authorization"] for c in api.calls] == ["Bearer old", "Bearer new"]


def test_401_twice_is_an_error_with_usps_text(router: respx.Router, make: Callable[..., USPSClient]) -> None:
    router.post("/oauth2/v3/token").mock(side_effect=[token("eyJ-first-token"), token("eyJ-second-token")])
    router.get(TRACK).mock(
        return_value=httpx.Response(
            401,
            json={
                "apiVersion": "/tracking/v3",
                "error": {
                    "code": "401",
                    "message": "The client application identifier is invalid.",
                    "errors": [],
                },
            },
        )
    )
    client = make()
    with pytest.raises(CarrierAPIError) as info:
        client.track([NUMBER])
    assert info.value.status_code == 401
    assert "The client application identifier is invalid." in str(info.value)
    assert NUMBER in str(info.value)


# -- retries --------------------------------------------------------------------------------------


def test_429_then_200_honours_retry_after(
    router: respx.Router, sleeps: list[float], make: Callable[..., USPSClient]
) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    api = router.get(TRACK).mock(
        side_effect=[
            httpx.Response(
                429,
                headers={"Retry-After": "30"},
                json={
                    "apiVersion": "/tracking/v3",
                    "error": {"code": "429", "message": "Too Many Requests."},
                },
            ),
            httpx.Response(200, json=fixture("domestic_delivered.json")),
        ]
    )
    client = make()
    [payload] = client.track([NUMBER])
    assert payload["trackingNumber"] == NUMBER
    assert api.call_count == 2
    assert sleeps == [30.0]


def test_a_27_hour_retry_after_is_an_immediate_clear_error(
    router: respx.Router, sleeps: list[float], make: Callable[..., USPSClient]
) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    api = router.get(TRACK).mock(
        return_value=httpx.Response(
            429,
            headers={"Retry-After": "99999"},
            json={"apiVersion": "/tracking/v3", "error": {"code": "429", "message": "Too Many Requests."}},
        )
    )
    with pytest.raises(CarrierAPIError) as info:
        make().track([NUMBER])
    assert api.call_count == 1 and sleeps == []  # neither 3 x 60 s of waiting nor more calls
    assert "USPS asks to retry after 27 h; not waiting" in str(info.value)
    assert info.value.tracking_number == NUMBER


def test_503_exhaustion(router: respx.Router, sleeps: list[float], make: Callable[..., USPSClient]) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    api = router.get(TRACK).mock(
        return_value=httpx.Response(
            503,
            json={"apiVersion": "/tracking/v3", "error": {"code": "503", "message": "Service Unavailable"}},
        )
    )
    client = make()
    with pytest.raises(CarrierAPIError) as info:
        client.track([NUMBER])
    assert api.call_count == 4  # max_attempts
    assert len(sleeps) == 3
    assert info.value.status_code == 503
    assert info.value.tracking_number == NUMBER
    assert "Service Unavailable" in str(info.value)
    assert "gave up after 4 attempts" in str(info.value)


def test_quota_exceeded_without_retry_after_is_not_retried(
    router: respx.Router, sleeps: list[float], make: Callable[..., USPSClient]
) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    # the observed USPS quota body (https://github.com/magento/quality-patches/issues/154)
    body = {
        "apiVersion": "/tracking/v3",
        "error": {
            "code": "429",
            "message": "Exceeded quota limit.",
            "errors": [{"title": "Too Many Requests.", "detail": "Quota limit exceeded.", "status": "429"}],
        },
    }
    api = router.get(TRACK).mock(return_value=httpx.Response(429, json=body))
    client = make()
    with pytest.raises(QuotaExceededError) as info:
        client.track([NUMBER])
    assert api.call_count == 1 and sleeps == []
    assert "Exceeded quota limit." in str(info.value)


def test_timeouts_are_retried_then_reported(
    router: respx.Router, sleeps: list[float], make: Callable[..., USPSClient]
) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    api = router.get(TRACK).mock(side_effect=httpx.ReadTimeout("slow"))
    client = make(max_attempts=3)
    with pytest.raises(CarrierAPIError) as info:
        client.track([NUMBER])
    assert api.call_count == 3 and len(sleeps) == 2
    assert "timed out" in str(info.value)
    assert info.value.tracking_number == NUMBER


def test_timeout_then_success(router: respx.Router, make: Callable[..., USPSClient]) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    router.get(TRACK).mock(
        side_effect=[
            httpx.ConnectTimeout("slow"),
            httpx.Response(200, json=fixture("domestic_delivered.json")),
        ]
    )
    [payload] = make().track([NUMBER])
    assert payload["trackingNumber"] == NUMBER


# -- per-number answers, batching, numbers -----------------------------------------------------------


def test_per_number_error_is_returned_for_parse(
    router: respx.Router, make: Callable[..., USPSClient]
) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    missing = "9400111899223197428490"
    router.get(TRACK).mock(return_value=httpx.Response(200, json=fixture("domestic_delivered.json")))
    router.get(f"/tracking/v3/tracking/{missing}").mock(
        return_value=httpx.Response(400, json=fixture("error_no_status.json"))
    )
    payloads = make().track([NUMBER, missing])
    assert len(payloads) == 2
    good, bad = (CARRIER.parse(p) for p in payloads)
    assert good.events[-1].stage is Stage.DELIVERED
    assert bad.events == []
    [error] = bad.errors
    assert error.tracking_number == missing
    assert error.message.startswith("12: A status update is not yet available")
    assert "<SUP>" not in error.message


def test_numbers_are_cleaned_and_routing_prefix_stripped(
    router: respx.Router, make: Callable[..., USPSClient]
) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    api = router.get(path__startswith="/tracking/v3/tracking/").mock(
        return_value=httpx.Response(200, json=fixture("domestic_delivered.json"))
    )
    make().track(["420 22153 9101026837331000039521", "cp 100 000 140 us"])
    assert [c.request.url.path for c in api.calls] == [
        "/tracking/v3/tracking/9101026837331000039521",
        "/tracking/v3/tracking/CP100000140US",
    ]


def test_invalid_number_is_not_sent(router: respx.Router, make: Callable[..., USPSClient]) -> None:
    api = router.route().mock(return_value=httpx.Response(500))
    [payload] = make().track(["../oauth2/v3/token"])
    assert api.call_count == 0
    [error] = CARRIER.parse(payload).errors
    assert error.tracking_number == "../oauth2/v3/token"
    assert "not sent to USPS" in error.message


def test_a_single_string_is_one_number(router: respx.Router, make: Callable[..., USPSClient]) -> None:
    router.post("/oauth2/v3/token").mock(return_value=token("tok"))
    api = router.get(TRACK).mock(return_value=httpx.Response(200, json=fixture("domestic_delivered.json")))
    assert len(make().track(NUMBER)) == 1
    assert api.call_count == 1


# -- base URL, the CLI's path -------------------------------------------------------------------------


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = "https://apis-tem.usps.com"
    monkeypatch.setenv("TRACKLINGO_USPS_BASE_URL", sandbox)
    with respx.mock(base_url=sandbox, assert_all_called=True) as mock:
        mock.post("/oauth2/v3/token").mock(return_value=token("tok"))
        mock.get(TRACK).mock(return_value=httpx.Response(200, json=fixture("domestic_delivered.json")))
        with CARRIER.client(sleep=lambda s: None) as client:
            assert client.base_url == sandbox
            payloads = client.track([NUMBER])
    assert payloads[0]["trackingNumber"] == NUMBER


def test_track_then_parse_like_the_cli() -> None:
    """`tracklingo track N --carrier usps` = carrier.client().track(numbers) + carrier.parse."""
    inbound = fixture("inbound_international.json")
    number = inbound["trackingNumber"]
    with respx.mock(base_url=BASE) as mock:
        mock.post("/oauth2/v3/token").mock(return_value=token("tok"))
        mock.get(f"/tracking/v3/tracking/{number}").mock(return_value=httpx.Response(200, json=inbound))
        with CARRIER.client(sleep=lambda s: None) as client:
            payloads = client.track([number])
    events = [e for p in payloads for e in CARRIER.parse(p).events]
    assert events[-1].stage is Stage.DELIVERED
    assert Stage.ARRIVED_DESTINATION_COUNTRY in {e.stage for e in events}


def test_token_endpoint_400_is_not_mistaken_for_a_number_error(
    router: respx.Router, make: Callable[..., USPSClient]
) -> None:
    router.post("/oauth2/v3/token").mock(
        return_value=httpx.Response(
            400, json={"error": "invalid_request", "error_description": "grant_type is invalid"}
        )
    )
    api = router.get(TRACK).mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(CarrierAPIError) as info:
        make().track([NUMBER])
    assert api.call_count == 0
    assert "authentication failed: grant_type is invalid" in str(info.value)
