"""One deadline per call, a cap on response bodies, Retry-After beyond what a call will wait.

Slow servers are real loopback servers (a body dripped a byte at a time, an answer that never
comes); the rest uses respx with a fake clock. No assertion is about elapsed time: each test
checks which error ends the call.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import respx

from tracklingo.errors import CarrierAPIError, QuotaExceededError
from tracklingo.http import CarrierClient, human_duration

BASE = "https://api.demo.test"


class Demo(CarrierClient):
    carrier = "demo-post"
    display_name = "Demo Post"
    default_base_url = BASE

    def track(self, number: str) -> Any:
        return self.get_json(f"/track/{number}", tracking_number=number)


class FakeClock:
    """A monotonic clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


# -- a real loopback server ------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    behaviour: Callable[[BaseHTTPRequestHandler], None]

    def do_GET(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client hung up
            type(self).behaviour(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[BaseHTTPRequestHandler], None]], str]]:
    servers: list[ThreadingHTTPServer] = []
    stop = threading.Event()

    def start(behaviour: Callable[[BaseHTTPRequestHandler], None]) -> str:
        handler = type("Handler", (_Handler,), {"behaviour": staticmethod(behaviour)})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}"

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    stop.set()
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_body_dripped_a_byte_at_a_time_is_bounded_by_the_deadline(serve: Any) -> None:
    stop: threading.Event = serve.stop

    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "2000")
        handler.end_headers()
        for _ in range(2000):  # 2000 bytes, one every 20 ms: 40 s if nobody stops reading
            if stop.wait(0.02):
                return
            handler.wfile.write(b" ")
            handler.wfile.flush()

    url = serve(drip)
    with (
        Demo(base_url=url, timeout=5.0, deadline=0.5, max_attempts=3) as client,
        pytest.raises(CarrierAPIError) as info,
    ):
        client.track("A1")
    message = str(info.value)
    assert "no complete answer within the call's 0.5 s deadline (1 attempt)" in message
    assert info.value.tracking_number == "A1" and info.value.retryable


def test_a_server_that_never_answers_is_bounded_by_the_deadline(serve: Any) -> None:
    stop: threading.Event = serve.stop
    calls: list[float] = []

    def silent(handler: BaseHTTPRequestHandler) -> None:
        calls.append(1)
        stop.wait(30)  # holds the connection open, says nothing

    url = serve(silent)
    with (
        Demo(base_url=url, timeout=15.0, deadline=0.5, max_attempts=4) as client,
        pytest.raises(CarrierAPIError) as info,
    ):
        client.track("A1")
    message = str(info.value)
    assert "timed out" in message and "0.5 s deadline" in message
    assert len(calls) == 1  # no retry that could not finish in time


def test_a_chunked_body_over_the_cap_is_not_read(serve: Any) -> None:
    def flood(handler: BaseHTTPRequestHandler) -> None:
        handler.protocol_version = "HTTP/1.1"
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b" " * 16384
        for _ in range(1024):  # 16 MiB, unless the client stops reading
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        handler.wfile.write(b"0\r\n\r\n")

    url = serve(flood)
    with Demo(base_url=url, max_body_bytes=64 * 1024) as client, pytest.raises(CarrierAPIError) as info:
        client.track("A1")
    assert "the response body is larger than 64 KiB; not read (max_body_bytes=65536)" in str(info.value)
    assert not info.value.retryable


def test_a_declared_length_over_the_cap_is_refused_before_reading(serve: Any) -> None:
    def big(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(50 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b"{")

    with (
        Demo(base_url=serve(big), max_body_bytes=1024 * 1024) as client,
        pytest.raises(CarrierAPIError, match="larger than 1 MiB"),
    ):
        client.track("A1")


def test_the_cap_applies_to_bodies_already_in_memory() -> None:
    router = respx.Router(base_url=BASE)
    router.get("/track/A1").respond(200, json={"events": ["x" * 5000]})
    with (
        Demo(transport=httpx.MockTransport(router.handler), max_body_bytes=1000) as client,
        pytest.raises(CarrierAPIError, match="larger than 1000 bytes"),
    ):
        client.track("A1")


# -- Retry-After and the deadline (respx, fake clock) ------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make(clock: FakeClock, router: respx.Router, **kw: Any) -> Demo:
    return Demo(transport=httpx.MockTransport(router.handler), sleep=clock.sleep, clock=clock, **kw)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_a_retry_after_beyond_the_wait_is_an_immediate_clear_error(clock: FakeClock, form: str) -> None:
    later = datetime.now(UTC) + timedelta(seconds=99999)
    value = "99999" if form == "seconds" else format_datetime(later, usegmt=True)
    router = respx.Router(base_url=BASE)
    api = router.get("/track/A1").respond(
        429, headers={"Retry-After": value}, json={"message": "Too Many Requests"}
    )
    with make(clock, router) as client, pytest.raises(CarrierAPIError) as info:
        client.track("A1")
    assert api.call_count == 1 and clock.slept == []
    assert "Demo Post asks to retry after 27 h; not waiting (max_retry_wait is 60 s)" in str(info.value)
    assert "Demo Post said: Too Many Requests" in str(info.value)


def test_a_retry_after_past_the_deadline_is_an_immediate_error(clock: FakeClock) -> None:
    router = respx.Router(base_url=BASE)
    router.get("/track/A1").respond(503, headers={"Retry-After": "30"})
    with make(clock, router, deadline=10) as client, pytest.raises(CarrierAPIError) as info:
        client.track("A1")
    assert "asks to retry after 30 s; not waiting (the call's 10 s deadline leaves 10 s)" in str(info.value)
    assert clock.slept == []


def test_retries_stop_before_the_deadline(clock: FakeClock) -> None:
    router = respx.Router(base_url=BASE)
    api = router.get("/track/A1").respond(503, json={"message": "busy"})
    with make(clock, router, deadline=4, max_attempts=10) as client, pytest.raises(CarrierAPIError) as info:
        client.track("A1")
    assert sum(clock.slept) < 4 and 2 <= api.call_count < 10
    assert "another try would pass the call's 4 s deadline" in str(info.value)
    assert "busy" in str(info.value) and info.value.status_code == 503


def test_the_deadline_covers_the_token_request(clock: FakeClock) -> None:
    from tracklingo.http import OAuth2ClientCredentials

    router = respx.Router(base_url=BASE)
    token = router.post("/oauth2/token").respond(503, text="maintenance")
    auth = OAuth2ClientCredentials(
        carrier="demo-post", token_path="/oauth2/token", client_id="id", client_secret="s"
    )
    with (
        make(clock, router, auth=auth, deadline=3, max_attempts=10) as client,
        pytest.raises(CarrierAPIError),
    ):
        client.track("A1")
    assert token.call_count < 10 and sum(clock.slept) < 3


def test_default_deadline_is_a_few_seconds_beyond_timeout_times_tries() -> None:
    with Demo(timeout=15.0, max_attempts=4) as client:
        assert client.deadline == 65.0
    with Demo(timeout=httpx.Timeout(5.0, read=20.0), max_attempts=2) as client:
        assert client.deadline == 45.0
    with Demo(deadline=7.5) as client:
        assert client.deadline == 7.5


def test_a_quota_429_with_a_long_retry_after_is_still_a_quota_error(clock: FakeClock) -> None:
    class Quota(Demo):
        def is_quota_exhausted(self, response: httpx.Response) -> bool:
            return "daily quota" in response.text

    router = respx.Router(base_url=BASE)
    router.get("/track/A1").respond(429, headers={"Retry-After": "86400"}, json={"message": "daily quota"})
    with (
        Quota(transport=httpx.MockTransport(router.handler), sleep=clock.sleep, clock=clock) as client,
        pytest.raises(QuotaExceededError),
    ):
        client.track("A1")


def test_human_duration() -> None:
    assert [human_duration(s) for s in (0.5, 7, 45, 600, 99999, 3 * 86400)] == [
        "0.5 s",
        "7 s",
        "45 s",
        "10 min",
        "27 h",
        "3 days",
    ]


def test_time_sleep_is_looked_up_when_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []
    monkeypatch.setattr(time, "sleep", waited.append)
    router = respx.Router(base_url=BASE)
    router.get("/track/A1").mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "2"}), httpx.Response(200, json={})]
    )
    with Demo(transport=httpx.MockTransport(router.handler)) as client:
        assert client.track("A1") == {}
    assert waited == [2.0]
