"""Peer payloads as feed records: the peers' documented examples (core/tests/data/peers, sources in
its README), carrier text before the peer's status, the peer fallback and its match kind, carriers
no adapter covers, malformed payloads as rejects with their line, and a mixed feed through the CLI
with every record accounted for."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from test_server_app import USPS_NUMBER, aftership_push

import tracklingo
from tracklingo import MatchKind, Reason, Reject, Stage, TrackingEvent
from tracklingo.feeds import Record
from tracklingo.normalize import Normalizer

PEERS = Path(__file__).parent / "data" / "peers"
EXAMPLES = Path(__file__).parents[2] / "examples"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PEERS / name).read_text())
    return data


def run(*records: dict[str, Any]) -> tuple[list[TrackingEvent], list[Reject]]:
    normalizer = Normalizer(tracklingo.load_carriers(only={"usps", "fedex", "dhl"}))
    events: list[TrackingEvent] = []
    rejects: list[Reject] = []
    for i, data in enumerate(records, 1):
        found, rejected = normalizer.process(Record(i, data))
        events.extend(found)
        rejects.extend(rejected)
    stats = normalizer.stats
    assert stats.records_in == stats.records_ok + stats.records_rejected == len(records)
    return events, rejects


# -- the peers' documented examples ----------------------------------------------------------------


def test_aftership_documented_webhook_reads_the_usps_text() -> None:
    (event,), rejects = run(fixture("aftership_webhook.json"))
    assert not rejects
    assert (event.carrier, event.tracking_number) == ("usps", "0000000000000000")
    assert event.description == "Departed Shipping Partner Facility, USPS Awaiting Item"
    assert event.match is not MatchKind.PEER and event.match is not MatchKind.UNMAPPED
    assert event.occurred_at is not None and event.occurred_at.isoformat() == "2021-01-14T00:52:00"


def test_17track_documented_reply_of_a_carrier_without_adapter_keeps_17tracks_status() -> None:
    events, rejects = run(fixture("17track_gettrackinfo.json"))
    assert not rejects
    assert {e.carrier for e in events} == {"17track:aeon"}
    assert [e.stage for e in events] == [Stage.LABEL_CREATED, Stage.ACCEPTED, Stage.DELIVERED]
    assert {e.match for e in events} == {MatchKind.PEER}
    assert [e.evidence for e in events] == [
        ("17track stage InfoReceived",),
        ("17track stage InTransit_PickedUp",),
        ("17track stage Delivered",),
    ]
    assert [e.location.country for e in events] == ["CN", "CN", "US"]
    assert (
        events[-1].occurred_at is not None
        and events[-1].occurred_at.isoformat() == "2022-05-02T14:34:00-04:00"
    )


@pytest.mark.parametrize("name", ["easypost_tracker.json", "easypost_event.json"])
def test_easypost_documented_tracker_and_event(name: str) -> None:
    events, rejects = run(fixture(name))
    assert not rejects
    assert [e.description for e in events] == ["Pre-Shipment Info Sent to USPS", "Shipping Label Created"]
    assert {(e.carrier, e.tracking_number, e.stage) for e in events} == {
        ("usps", "9405500207552011812894", Stage.LABEL_CREATED)
    }
    assert all(e.match not in (MatchKind.PEER, MatchKind.UNMAPPED) for e in events)
    assert events[1].location.city == "HOUSTON" and events[1].location.postal_code == "77063"


def test_shippo_documented_webhook_falls_back_to_its_status() -> None:
    (event,), rejects = run(fixture("shippo_track_updated.json"))
    assert not rejects
    assert (event.carrier, event.tracking_number) == ("usps", "9205590164917312751089")
    # the text is Shippo's own, not USPS's: no vocabulary knows it, Shippo's DELIVERED decides
    assert (event.stage, event.match, event.evidence) == (
        Stage.DELIVERED,
        MatchKind.PEER,
        ("shippo status DELIVERED",),
    )
    assert event.occurred_at is not None and event.occurred_at.utcoffset() is not None  # Shippo's UTC
    assert event.location.city == "Las Vegas" and event.location.country == "US"


@pytest.mark.parametrize(
    ("name", "peer"),
    [
        ("aftership_webhook.json", "aftership"),
        ("17track_gettrackinfo.json", "17track"),
        ("easypost_event.json", "easypost"),
        ("shippo_track_updated.json", "shippo"),
    ],
)
def test_the_envelope_gives_what_sniffing_gives(name: str, peer: str) -> None:
    sniffed, _ = run(fixture(name))
    named, _ = run({"peer": peer, "payload": fixture(name)})
    unnamed, _ = run({"payload": fixture(name)})
    assert sniffed and named == sniffed and unnamed == sniffed


# -- carrier text first, the peer's status as fallback --------------------------------------------


def test_carrier_text_wins_over_the_peer_status() -> None:
    payload = aftership_push()
    for cp in payload["msg"]["checkpoints"]:
        cp["tag"], cp["subtag"] = (
            "Exception",
            "Exception_013",
        )  # AfterShip says lost; USPS's text says otherwise
    events, _ = run(payload)
    assert [e.stage for e in events] == [Stage.ACCEPTED, Stage.OUT_FOR_DELIVERY, Stage.DELIVERED]
    assert all(e.match is not MatchKind.PEER and e.reason is not Reason.LOST for e in events)


def test_unknown_text_takes_the_peer_status_with_its_evidence() -> None:
    payload = aftership_push()
    cp = payload["msg"]["checkpoints"][1]
    cp["message"], cp["tag"], cp["subtag"] = (
        "Zustellung nicht moeglich, Empfaenger abwesend",
        "AttemptFail",
        "AttemptFail_002",
    )
    events, _ = run(payload)
    event = events[1]
    assert (event.stage, event.reason, event.match) == (
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
        MatchKind.PEER,
    )
    assert event.evidence == ("aftership subtag AttemptFail_002",)
    assert event.description == "Zustellung nicht moeglich, Empfaenger abwesend"  # the text is kept
    assert not event.is_unmapped


def test_a_peer_status_that_knows_nothing_leaves_the_event_unmapped() -> None:
    payload = aftership_push()
    cp = payload["msg"]["checkpoints"][0]
    cp["message"], cp["tag"], cp["subtag"] = "Qwzx unknown words", "Pending", "Pending_001"
    events, _ = run(payload)
    assert events[0].match is MatchKind.UNMAPPED and events[0].stage is Stage.UNKNOWN
    assert events[0].description == "Qwzx unknown words"


def test_unknown_carrier_slug_says_so_and_uses_the_peer_status_only() -> None:
    payload = aftership_push()
    for cp in payload["msg"]["checkpoints"]:
        cp["slug"] = "Royal Mail"
    events, rejects = run(payload)
    assert not rejects
    assert {e.carrier for e in events} == {"aftership:royal-mail"}
    assert {e.match for e in events} == {
        MatchKind.PEER
    }  # even "Delivered, In/At Mailbox": no vocabulary read it
    assert [e.stage for e in events] == [Stage.ACCEPTED, Stage.OUT_FOR_DELIVERY, Stage.DELIVERED]


def test_customs_without_direction_is_import_unless_at_the_origin() -> None:
    payload = aftership_push(number="LX123456785DE")
    payload["msg"]["origin_country_iso3"] = "Germany"
    payload["msg"]["destination_country_iso3"] = "USA"
    first, second = payload["msg"]["checkpoints"][:2]
    for cp, iso3, country in ((first, "DEU", "Germany"), (second, "USA", "United States")):
        cp["slug"] = "some-post"
        cp["country_iso3"], cp["country_name"] = iso3, country
        cp["tag"], cp["subtag"] = "InTransit", "InTransit_006"
    events, _ = run(payload)
    assert [e.stage for e in events[:2]] == [Stage.EXPORT_CUSTOMS, Stage.IMPORT_CUSTOMS]


def test_events_of_a_number_come_out_oldest_first() -> None:
    payload = aftership_push()
    payload["msg"]["checkpoints"].reverse()
    events, _ = run(payload)
    assert [e.stage for e in events] == [Stage.ACCEPTED, Stage.OUT_FOR_DELIVERY, Stage.DELIVERED]


# -- malformed peer payloads: rejects with their line ---------------------------------------------


def test_malformed_peer_payloads_are_rejects_with_their_line() -> None:
    no_number = aftership_push()
    del no_number["msg"]["tracking_number"]
    bad_text = aftership_push()
    bad_text["msg"]["checkpoints"][0]["message"] = ["not", "text"]
    no_checkpoints = aftership_push()
    no_checkpoints["msg"]["checkpoints"] = []
    events, rejects = run(
        no_number,
        {"peer": "ups", "payload": aftership_push()},
        {"peer": "easypost", "payload": aftership_push()},
        bad_text,
        no_checkpoints,
        {"peer": 3, "payload": {}},
    )
    assert not events
    assert [r.line for r in rejects] == [1, 2, 3, 4, 5, 6]
    reasons = [r.reason for r in rejects]
    assert "without a tracking number" in reasons[0]
    assert "unknown peer 'ups'" in reasons[1]
    assert "not an EasyPost Tracker or Event" in reasons[2]
    assert "text" in reasons[3] and rejects[3].tracking_number == USPS_NUMBER
    assert "holds no checkpoints" in reasons[4] and "Delivered" in reasons[4]
    assert "'peer' must be a string" in reasons[5]


# -- a mixed feed through the CLI -----------------------------------------------------------------


def test_cli_normalize_mixed_feed_loses_no_record(tmp_path: Path, run_cli: Any) -> None:
    flat = [json.loads(line) for line in (EXAMPLES / "usps.jsonl").read_text().splitlines()[:3]]
    carrier_response = {
        "carrier": "usps",
        "payload": json.loads((EXAMPLES / "usps-inbound-v3.json").read_text()),
    }
    unknown_slug = copy.deepcopy(aftership_push(number="A123"))
    for cp in unknown_slug["msg"]["checkpoints"]:
        cp["slug"] = "royal-mail"
    lines = [
        *(json.dumps(r) for r in flat),
        json.dumps(carrier_response),
        json.dumps(fixture("aftership_webhook.json")),
        json.dumps({"peer": "17track", "payload": fixture("17track_gettrackinfo.json")}),
        json.dumps(fixture("easypost_event.json")),
        json.dumps(fixture("shippo_track_updated.json")),
        json.dumps(unknown_slug),
        json.dumps({"peer": "aftership", "payload": {"msg": {}}}),
        "{not json",
    ]
    feed = tmp_path / "mixed.jsonl"
    feed.write_text("\n".join(lines) + "\n")
    rejects = tmp_path / "rejects.jsonl"
    result = run_cli("normalize", str(feed), "--rejects", str(rejects), plugins="usps,fedex,dhl")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    rejected = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [r["line"] for r in rejected] == [10, 11]
    carriers = {e["carrier"] for e in events}
    assert {"usps", "17track:aeon", "aftership:royal-mail"} <= carriers
    assert {"peer", "phrase"} <= {e["match"] for e in events}
    assert f"records in {len(lines)} / events out {len(events)} / rejected 2" in result.stderr
    assert f"(in = ok {len(lines) - 2} + rejected 2)" in result.stderr
