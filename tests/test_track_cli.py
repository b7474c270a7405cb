"""`tracklingo track` end to end through the real USPS and FedEx plugins, HTTP mocked by respx."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
from click.testing import CliRunner

from tracklingo.cli import main

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("tracklingo_usps")


@pytest.fixture(autouse=True)
def _fresh_registry() -> None:
    from tracklingo.cli._common import _registry

    _registry.cache_clear()


def test_track_usps_prints_canonical_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_USPS_CLIENT_ID", "id-123")
    monkeypatch.setenv("TRACKLINGO_USPS_CLIENT_SECRET", "very-secret-value")
    monkeypatch.setenv("TRACKLINGO_USPS_BASE_URL", "https://usps.fake")
    payload = json.loads((ROOT / "plugins/usps/tests/fixtures/inbound_international.json").read_text())
    number = payload["trackingNumber"]
    with respx.mock(assert_all_called=True) as mock:
        mock.post("https://usps.fake/oauth2/v3/token").respond(
            200, json={"access_token": "tok-abc", "token_type": "Bearer", "expires_in": 28799}
        )
        mock.get(f"https://usps.fake/tracking/v3/tracking/{number}").respond(200, json=payload)
        result = CliRunner().invoke(main, ["track", number, "--carrier", "usps"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    stages = [e["stage"] for e in events]
    assert "customs_cleared" in stages and stages[-1] == "delivered"
    assert "very-secret-value" not in result.output


def test_track_without_credentials_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKLINGO_USPS_CLIENT_ID", raising=False)
    monkeypatch.delenv("TRACKLINGO_USPS_CLIENT_SECRET", raising=False)
    result = CliRunner().invoke(main, ["track", "9400111899223197428490", "--carrier", "usps"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "TRACKLINGO_USPS_CLIENT_ID is not set" in result.stderr


def test_track_api_error_names_carrier_and_number(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracklingo import CarrierAPIError
    from tracklingo.tracking import track

    monkeypatch.setenv("TRACKLINGO_USPS_CLIENT_ID", "id-123")
    monkeypatch.setenv("TRACKLINGO_USPS_CLIENT_SECRET", "very-secret-value")
    monkeypatch.setenv("TRACKLINGO_USPS_BASE_URL", "https://usps.fake")
    waits: list[float] = []
    with respx.mock() as mock:
        mock.post("https://usps.fake/oauth2/v3/token").respond(
            200, json={"access_token": "tok-abc", "expires_in": 28799}
        )
        mock.get(url__startswith="https://usps.fake/tracking/").mock(
            return_value=httpx.Response(503, json={"error": {"code": "503", "message": "down"}})
        )
        with pytest.raises(CarrierAPIError) as info:
            track(["CP100000140US"], carrier="usps", sleep=waits.append)
    message = str(info.value)
    assert message.startswith("usps API error for CP100000140US (HTTP 503)")
    assert len(waits) == 3 and "very-secret-value" not in message
