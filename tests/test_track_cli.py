"""`tracklingo track` end to end through the real USPS, DHL and FedEx plugins, HTTP mocked by respx:
every number that was tracked is printed, each failure is listed on stderr, one carrier's failure
never stops another's numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from click.testing import CliRunner

from tracklingo.cli import main
from tracklingo.tracking import track

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("tracklingo_usps")
pytest.importorskip("tracklingo_dhl")
pytest.importorskip("tracklingo_fedex")

USPS = "https://usps.fake"
DHL = "https://dhl.fake"
FEDEX = "https://fedex.fake"
USPS_NUMBER = "9202290123456700043214"  # the domestic fixture's number
DHL_NUMBER = "7319048251"  # the express fixture's number
SECRET = "very-secret-value"


def fixture(carrier: str, name: str) -> Any:
    return json.loads((ROOT / f"plugins/{carrier}/tests/fixtures/{name}").read_text())


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracklingo.cli._common import _registry

    _registry.cache_clear()
    monkeypatch.setenv("TRACKLINGO_USPS_CLIENT_ID", "id-123")
    monkeypatch.setenv("TRACKLINGO_USPS_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("TRACKLINGO_USPS_BASE_URL", USPS)
    monkeypatch.setenv("TRACKLINGO_DHL_API_KEY", "dhl-key-456")
    monkeypatch.setenv("TRACKLINGO_DHL_BASE_URL", DHL)
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_ID", "fedex-id")
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("TRACKLINGO_FEDEX_BASE_URL", FEDEX)
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # retries and DHL's pacing: no waiting


def usps_token(mock: respx.MockRouter) -> None:
    mock.post(f"{USPS}/oauth2/v3/token").respond(
        200, json={"access_token": "tok-abc", "token_type": "Bearer", "expires_in": 28799}
    )


def test_track_usps_prints_canonical_events_with_json() -> None:
    payload = fixture("usps", "inbound_international.json")
    number = payload["trackingNumber"]
    with respx.mock(assert_all_called=True) as mock:
        usps_token(mock)
        mock.get(f"{USPS}/tracking/v3/tracking/{number}").respond(200, json=payload)
        result = CliRunner().invoke(main, ["track", number, "--carrier", "usps", "--json"])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    stages = [e["stage"] for e in events]
    assert "customs_cleared" in stages and stages[-1] == "delivered"
    assert SECRET not in result.output


def test_track_human_output_is_one_line_per_event() -> None:
    with respx.mock() as mock:
        usps_token(mock)
        mock.get(f"{USPS}/tracking/v3/tracking/{USPS_NUMBER}").respond(
            200, json=fixture("usps", "domestic_delivered.json")
        )
        result = CliRunner().invoke(main, ["track", USPS_NUMBER])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(USPS_NUMBER) for line in lines)
    assert any("delivered" in line and "Delivered, In/At Mailbox" in line for line in lines)
    assert result.stderr.strip().endswith("0 not tracked")


def test_a_failed_number_does_not_throw_away_the_others() -> None:
    """A is tracked, B fails: A's events are printed, B is listed on stderr, exit 1."""
    bad = "9400111899223197428497"
    with respx.mock() as mock:
        usps_token(mock)
        mock.get(f"{USPS}/tracking/v3/tracking/{USPS_NUMBER}").respond(
            200, json=fixture("usps", "domestic_delivered.json")
        )
        mock.get(f"{USPS}/tracking/v3/tracking/{bad}").respond(
            503, json={"error": {"code": "503", "message": "down"}}
        )
        result = CliRunner().invoke(main, ["track", USPS_NUMBER, bad, "--carrier", "usps", "--json"])
    assert result.exit_code == 1
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events and {e["tracking_number"] for e in events} == {USPS_NUMBER}
    failures = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [f["tracking_number"] for f in failures] == [bad]
    assert "(HTTP 503)" in failures[0]["error"] and "down" in failures[0]["error"]
    assert result.stderr.splitlines()[-1] == "tracklingo: error: 1 of 2 numbers not tracked (listed above)"


def test_one_carriers_failure_never_stops_another_carriers_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKLINGO_USPS_CLIENT_SECRET")
    with respx.mock() as mock:
        dhl = mock.get(f"{DHL}/track/shipments").respond(
            200, json=fixture("dhl", "express_import_clearance.json")
        )
        result = CliRunner().invoke(main, ["track", USPS_NUMBER, DHL_NUMBER, "CP100000140US"])
    assert result.exit_code == 1
    assert dhl.call_count == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(DHL_NUMBER) for line in lines)
    errors = [line for line in result.stderr.splitlines() if line.startswith("not tracked: ")]
    assert len(errors) == 2
    assert all("TRACKLINGO_USPS_CLIENT_SECRET is not set" in line for line in errors)
    assert errors[0].startswith(f"not tracked: {USPS_NUMBER}: usps: ")
    assert "Traceback" not in result.output


def test_track_without_credentials_lists_each_number_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKLINGO_USPS_CLIENT_ID")
    result = CliRunner().invoke(main, ["track", "9400111899223197428490", "--carrier", "usps", "-q"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "not tracked: 9400111899223197428490: usps: TRACKLINGO_USPS_CLIENT_ID is not set: export it"
        " or pass the credential to the client explicitly",
        "tracklingo: error: 1 of 1 numbers not tracked (listed above)",
    ]


def test_unknown_carrier_option_is_one_clear_line() -> None:
    result = CliRunner().invoke(main, ["track", "123", "--carrier", "ups"])
    assert result.exit_code == 1
    assert result.stderr.startswith("tracklingo: error: unknown carrier 'ups'")


def test_control_characters_in_texts_and_server_messages_are_escaped() -> None:
    payload = fixture("usps", "domestic_delivered.json")
    payload["trackingEvents"][0]["eventType"] = "Delivered\x1b]0;pwned\x07"
    bad = "9400111899223197428497"
    with respx.mock() as mock:
        usps_token(mock)
        mock.get(f"{USPS}/tracking/v3/tracking/{USPS_NUMBER}").respond(200, json=payload)
        mock.get(f"{USPS}/tracking/v3/tracking/{bad}").respond(
            404, json={"error": {"code": "404", "message": "gone\x1b[2J\x1b]2;title\x07"}}
        )
        human = CliRunner().invoke(main, ["track", USPS_NUMBER, bad, "--carrier", "usps"])
        as_json = CliRunner().invoke(main, ["track", USPS_NUMBER, "--carrier", "usps", "--json"])
    assert "\x1b" not in human.output and "\x07" not in human.output
    assert "\\x1b]0;pwned\\x07" in human.stdout
    assert "gone\\x1b[2J" in human.stderr
    descriptions = [json.loads(line)["description"] for line in as_json.stdout.splitlines()]
    assert "Delivered\x1b]0;pwned\x07" in descriptions  # JSON stays exact


def test_a_spent_quota_stops_that_carrier_without_more_calls() -> None:
    numbers = [USPS_NUMBER, "9400111899223197428497", "CP100000140US"]
    with respx.mock() as mock:
        usps_token(mock)
        api = mock.get(url__startswith=f"{USPS}/tracking/").respond(
            429, json={"error": {"code": "429", "message": "Exceeded quota limit."}}
        )
        result = track(numbers, carrier="usps")
    assert api.call_count == 1  # not hammered
    assert result.events == [] and [e.tracking_number for e in result.errors] == numbers
    assert "request quota exhausted" in result.errors[0].message
    assert all(e.message.startswith("not sent to usps: ") for e in result.errors[1:])


def test_a_server_error_for_one_number_goes_on_with_the_next() -> None:
    bad = "9400111899223197428497"
    with respx.mock() as mock:
        usps_token(mock)
        mock.get(f"{USPS}/tracking/v3/tracking/{bad}").respond(503, json={"error": {"message": "down"}})
        mock.get(f"{USPS}/tracking/v3/tracking/{USPS_NUMBER}").respond(
            200, json=fixture("usps", "domestic_delivered.json")
        )
        result = track([bad, USPS_NUMBER], carrier="usps")
    assert {e.tracking_number for e in result.events} == {USPS_NUMBER}
    [error] = result.errors
    assert error.tracking_number == bad
    assert error.message.startswith(f"usps API error for {bad} (HTTP 503)")
    assert SECRET not in error.message


def test_fedex_batches_are_tracked_one_by_one_so_a_failure_keeps_earlier_replies() -> None:
    """The second batch of 30 keeps failing: the first batch's events are kept, and every number
    of the failed batch is listed."""
    numbers = ["772845193061"] + [f"{100000000000 + i}" for i in range(39)]
    reply = fixture("fedex", "international_import_clearance.json")

    def answer(request: httpx.Request) -> httpx.Response:
        sent = [
            t["trackingNumberInfo"]["trackingNumber"] for t in json.loads(request.content)["trackingInfo"]
        ]
        if "772845193061" in sent:
            other = [
                {
                    "trackingNumber": n,
                    "trackResults": [
                        {
                            "error": {
                                "code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
                                "message": "Tracking number cannot be found.",
                            }
                        }
                    ],
                }
                for n in sent[1:]
            ]
            return httpx.Response(
                200,
                json={"output": {"completeTrackResults": [*reply["output"]["completeTrackResults"], *other]}},
            )
        return httpx.Response(
            503, json={"errors": [{"code": "SERVICE.UNAVAILABLE.ERROR", "message": "busy"}]}
        )

    with respx.mock() as mock:
        mock.post(f"{FEDEX}/oauth/token").respond(200, json={"access_token": "t", "expires_in": 3599})
        api = mock.post(f"{FEDEX}/track/v1/trackingnumbers").mock(side_effect=answer)
        result = track(numbers, carrier="fedex")
    assert [len(json.loads(c.request.content)["trackingInfo"]) for c in api.calls][:1] == [30]
    assert {e.tracking_number for e in result.events} == {"772845193061"}
    failed = {e.tracking_number for e in result.errors if "HTTP 503" in e.message}
    assert failed == set(numbers[30:])
    assert len(result.errors) == 29 + 10
