"""The Unified API client under respx: no network, no real sleeping, the key never shown."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tracklingo import Handoff, Stage
from tracklingo.errors import CarrierAPIError, ConfigError, QuotaExceededError
from tracklingo_dhl import DHLCarrier, DHLClient

KEY = "k3y-9f2Bq7-SECRET"
BASE = "https://api-eu.dhl.com"
FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2031, 3, 14, 19, 0, tzinfo=UTC)
RATE_LIMITED = {
    "status": 429,
    "title": "Too Many Requests",
    "detail": "Too many requests within defined time period, please try again later.",
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_DHL_API_KEY", KEY)
    monkeypatch.delenv("TRACKLINGO_DHL_BASE_URL", raising=False)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> Iterator[DHLClient]:
    with DHLClient(sleep=sleeps.append, now=lambda: NOW) as c:
        yield c


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def no_key_in(*texts: str) -> None:
    for text in texts:
        assert KEY not in text


# -- success and request shape --------------------------------------------------------------------


def test_track_sends_key_number_and_service(api: respx.MockRouter, client: DHLClient) -> None:
    route = api.get("/track/shipments").respond(200, json=fixture("express_import_clearance.json"))
    (payload,) = client.track(["7319048251"], service="express")
    assert payload["shipments"][0]["id"] == "7319048251"
    request = route.calls.last.request
    assert request.headers["DHL-API-Key"] == KEY
    assert request.url.params["trackingNumber"] == "7319048251"
    assert request.url.params["service"] == "express"


def test_track_then_parse_is_what_the_cli_does(api: respx.MockRouter) -> None:
    api.get("/track/shipments").respond(200, json=fixture("ecommerce_to_usps.json"))
    carrier = DHLCarrier()
    with carrier.client(sleep=lambda s: None) as c:
        payloads = c.track(["GM6045000012345678"])
    events = [e for p in payloads for e in carrier.parse(p).events]
    handed = [e for e in events if e.stage is Stage.HANDED_TO_LAST_MILE]
    assert handed[0].handoff == Handoff(carrier="usps", tracking_number="9361210912400005577888")


def test_default_service_language_and_no_service(api: respx.MockRouter) -> None:
    route = api.get("/track/shipments").respond(200, json={"shipments": []})
    with DHLClient(service="Parcel-DE", language="de", sleep=lambda s: None) as c:
        c.track(["00340434123456789012"])
        assert route.calls.last.request.url.params["service"] == "parcel-de"
        assert route.calls.last.request.url.params["language"] == "de"
    with DHLClient(sleep=lambda s: None) as c:
        c.track(["7319048251"])
        assert "service" not in route.calls.last.request.url.params


def test_several_numbers_one_call_each_paced(api: respx.MockRouter, sleeps: list[float]) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        number = request.url.params["trackingNumber"]
        return httpx.Response(200, json={"shipments": [{"id": number, "events": []}]})

    route = api.get("/track/shipments").mock(side_effect=answer)
    with DHLClient(sleep=sleeps.append, clock=lambda: 100.0) as c:
        payloads = c.track(["7319048251", " 4801 2345 61 ", "5620874136"])
    assert [p["shipments"][0]["id"] for p in payloads] == ["7319048251", "4801234561", "5620874136"]
    assert route.call_count == 3
    assert sleeps == [1.0, 1.0]  # DHL allows one call per second


def test_base_url_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_DHL_BASE_URL", "http://127.0.0.1:8089/dhl")
    with respx.mock(assert_all_called=True) as router:
        router.get("http://127.0.0.1:8089/dhl/track/shipments").respond(200, json={"shipments": []})
        with DHLClient(sleep=lambda s: None) as c:
            assert c.track(["7319048251"]) == [{"shipments": []}]


# -- retries ------------------------------------------------------------------------------------


def test_429_with_retry_after_then_200(api: respx.MockRouter, client: DHLClient, sleeps: list[float]) -> None:
    route = api.get("/track/shipments").mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "2"}),
            httpx.Response(200, json=fixture("parcel_de_delivered.json")),
        ]
    )
    (payload,) = client.track(["00340434123456789012"])
    assert payload["shipments"][0]["service"] == "parcel-de"
    assert route.call_count == 2
    assert sleeps == [2.0]  # waited exactly what Retry-After said


def test_5xx_retried_then_ok(api: respx.MockRouter, client: DHLClient) -> None:
    route = api.get("/track/shipments").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"shipments": []})]
    )
    assert client.track(["7319048251"]) == [{"shipments": []}]
    assert route.call_count == 3


def test_5xx_exhaustion(api: respx.MockRouter, client: DHLClient, sleeps: list[float]) -> None:
    route = api.get("/track/shipments").respond(
        503, json={"status": 503, "title": "Service Unavailable", "detail": "Oops"}
    )
    with pytest.raises(CarrierAPIError) as info:
        client.track(["7319048251"])
    exc = info.value
    assert route.call_count == 4 and len(sleeps) == 3
    assert exc.status_code == 503 and exc.tracking_number == "7319048251"
    assert "Service Unavailable: Oops" in str(exc) and "gave up after 4 attempts" in str(exc)
    assert not isinstance(exc, QuotaExceededError)
    no_key_in(str(exc))


def test_a_purged_number_answering_500_does_not_fail_the_others(
    api: respx.MockRouter, client: DHLClient, sleeps: list[float]
) -> None:
    """DHL answers HTTP 500 for some purged numbers: that number's error, not the call's."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["trackingNumber"] == "7319048250":
            return httpx.Response(
                500, json={"status": 500, "title": "Internal Server Error", "detail": f"Oops {KEY}"}
            )
        return httpx.Response(200, json=fixture("express_import_clearance.json"))

    route = api.get("/track/shipments").mock(side_effect=answer)
    payloads = client.track(["7319048250", "7319048251"])
    assert route.call_count == 2  # the 500 is DHL's answer: not retried against the quota
    carrier = DHLCarrier()
    (error,) = carrier.parse(payloads[0]).errors
    assert error.tracking_number == "7319048250" and error.code == "500"
    assert "Internal Server Error: Oops ***" in error.message and "purged" in error.message
    assert carrier.parse(payloads[1]).events
    no_key_in(json.dumps(payloads[0]))


def test_timeouts_exhausted(api: respx.MockRouter, client: DHLClient) -> None:
    route = api.get("/track/shipments").mock(side_effect=httpx.ConnectTimeout("timed out"))
    with pytest.raises(CarrierAPIError) as info:
        client.track(["7319048251"])
    assert route.call_count == 4
    assert "timed out" in str(info.value) and "dhl" in str(info.value)
    assert info.value.tracking_number == "7319048251"
    no_key_in(str(info.value))


def test_timeout_then_ok(api: respx.MockRouter, client: DHLClient) -> None:
    api.get("/track/shipments").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json={"shipments": []})]
    )
    assert client.track(["7319048251"]) == [{"shipments": []}]


# -- wrong key ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_wrong_key(api: respx.MockRouter, client: DHLClient, status: int) -> None:
    route = api.get("/track/shipments").respond(
        status,
        json={
            "status": status,
            "title": "Unauthorized",
            "detail": f"Invalid API key {KEY} for this API",
        },  # even if DHL echoed it
    )
    with pytest.raises(CarrierAPIError) as info:
        client.track(["7319048251"])
    exc = info.value
    assert route.call_count == 1  # not retried
    assert exc.status_code == status
    assert "rejected the API key" in str(exc) and "TRACKLINGO_DHL_API_KEY" in str(exc)
    assert "***" in str(exc)
    no_key_in(str(exc), repr(exc.args))


# -- quota ----------------------------------------------------------------------------------------


def test_quota_spent_long_retry_after(api: respx.MockRouter, client: DHLClient) -> None:
    route = api.get("/track/shipments").respond(429, json=RATE_LIMITED, headers={"Retry-After": "18000"})
    with pytest.raises(QuotaExceededError) as info:
        client.track(["7319048251"])
    message = str(info.value)
    assert route.call_count == 1  # not retried: waiting seconds will not help
    assert "daily request quota of this API key is spent" in message
    assert "24:00 GMT (in 5 h 0 min)" in message and "250 calls per day" in message
    assert "Too many requests within defined time period" in message
    assert "\n" not in message
    no_key_in(message)


def test_quota_spent_retry_after_as_an_http_date(api: respx.MockRouter, client: DHLClient) -> None:
    """Retry-After may be an HTTP-date (RFC 9110 10.2.3): five hours ahead is the daily quota."""
    later = format_datetime(datetime.now(UTC) + timedelta(hours=5), usegmt=True)
    route = api.get("/track/shipments").respond(429, json=RATE_LIMITED, headers={"Retry-After": later})
    with pytest.raises(QuotaExceededError) as info:
        client.track(["7319048251"])
    assert route.call_count == 1
    assert "daily request quota of this API key is spent" in str(info.value)


def test_quota_spent_said_in_body(api: respx.MockRouter, client: DHLClient) -> None:
    route = api.get("/track/shipments").respond(
        429, json={"status": 429, "title": "Too Many Requests", "detail": "Daily quota exceeded"}
    )
    with pytest.raises(QuotaExceededError):
        client.track(["7319048251"])
    assert route.call_count == 1


def test_429_that_persists_is_reported_as_quota(
    api: respx.MockRouter, client: DHLClient, sleeps: list[float]
) -> None:
    route = api.get("/track/shipments").respond(429, json=RATE_LIMITED)
    with pytest.raises(QuotaExceededError) as info:
        client.track(["7319048251"])
    assert route.call_count == 4 and len(sleeps) == 3
    message = str(info.value)
    assert "most likely spent" in message and "after 4 attempts" in message
    assert info.value.status_code == 429 and info.value.tracking_number == "7319048251"


# -- not found ----------------------------------------------------------------------------------


def test_404_is_handed_back_as_dhls_body(api: respx.MockRouter, client: DHLClient) -> None:
    body = fixture("error_404.json")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["trackingNumber"] == "7319048250":
            return httpx.Response(404, json=body, headers={"Content-Type": "application/problem+json"})
        return httpx.Response(200, json=fixture("express_import_clearance.json"))

    route = api.get("/track/shipments").mock(side_effect=answer)
    payloads = client.track(["7319048250", "7319048251"])
    assert route.call_count == 2  # the unknown number did not stop the other
    assert payloads[0] == body
    carrier = DHLCarrier()
    (error,) = carrier.parse(payloads[0]).errors
    assert error.tracking_number == "7319048250" and error.code == "404"
    assert "No shipment with given tracking number found." in error.message
    assert carrier.parse(payloads[1]).events


def test_404_without_body_names_the_number(api: respx.MockRouter, client: DHLClient) -> None:
    api.get("/track/shipments").respond(404, text="Not Found")
    (payload,) = client.track(["7319048250"])
    (error,) = DHLCarrier().parse(payload).errors
    assert error.tracking_number == "7319048250" and error.code == "404"


# -- configuration and secrets ------------------------------------------------------------------


def test_missing_key_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKLINGO_DHL_API_KEY")
    with pytest.raises(ConfigError) as info:
        DHLCarrier().client()
    message = str(info.value)
    assert "TRACKLINGO_DHL_API_KEY is not set" in message and "\n" not in message


def test_blank_key_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_DHL_API_KEY", "   ")
    with pytest.raises(ConfigError):
        DHLClient()


def test_bad_service_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="invalid service"):
        DHLClient(service="express; drop")


def test_key_never_in_repr_or_logs(
    api: respx.MockRouter, client: DHLClient, caplog: pytest.LogCaptureFixture
) -> None:
    api.get("/track/shipments").mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED, headers={"Retry-After": "1"}),
            httpx.Response(200, json={"shipments": []}),
        ]
    )
    with caplog.at_level(logging.DEBUG, logger="tracklingo.http"):
        client.track(["7319048251"])
    assert caplog.records  # the retry was logged
    no_key_in(repr(client), repr(client.auth), caplog.text)
