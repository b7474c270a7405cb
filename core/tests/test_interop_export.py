"""Export to peer statuses: every stage x reason for every peer, the maps' own checks, journeys, CLI."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import pytest

from tracklingo import ConfigError, Reason, Stage
from tracklingo.interop import PEERS, export_event, export_journeys, load_peer, peer_status
from tracklingo.interop.peers import _parse

from factories import ev

REASONS: list[Reason | None] = [None, *Reason]

#: Codes each peer lists without a published meaning: never to be emitted.
UNPUBLISHED = {
    "aftership": {
        "Pending_002",
        "Pending_003",
        "Pending_004",
        "Pending_005",
        "Pending_006",
        "Exception_014",
        "Exception_015",
    },
    "17track": set(),
    "easypost": {"arrived_at_destination", "status_update", "return", "failure", "transit_exception"},
    "shippo": set(),
}


def _emitted_code(peer: str, fields: dict[str, str]) -> str:
    return {
        "aftership": fields.get("subtag", ""),
        "17track": fields.get("sub_status", ""),
        "easypost": fields.get("status_detail", ""),
        "shippo": fields.get("substatus", ""),
    }[peer]


@pytest.mark.parametrize("peer", PEERS)
@pytest.mark.parametrize("stage", list(Stage))
def test_every_stage_and_reason_maps_to_a_published_code(peer: str, stage: Stage) -> None:
    pmap = load_peer(peer)
    published = [dict(code.fields) for code in pmap.codes.values()]
    for reason in REASONS:
        status = peer_status(peer, stage, reason)
        assert status.fields in published, (stage, reason)
        assert set(status.fields) <= set(pmap.fields)
        assert _emitted_code(peer, status.fields) not in UNPUBLISHED[peer]
        assert status.lossy == bool(status.lost)
        assert status.source.startswith("https://")
        specific = reason is not None and f"{stage.value}/{reason.value}" in pmap.export
        if reason is not None and not specific:
            # a reason the peer's code was not chosen for is reported as lost, never dropped
            assert f"reason {reason.value}" in status.lost


@pytest.mark.parametrize(
    ("peer", "stage", "reason", "fields", "lossy"),
    [
        ("aftership", "return_to_sender", None, {"tag": "Exception", "subtag": "Exception_010"}, False),
        ("aftership", "returned", None, {"tag": "Exception", "subtag": "Exception_011"}, False),
        ("aftership", "customs_cleared", None, {"tag": "InTransit", "subtag": "InTransit_005"}, False),
        ("aftership", "export_customs", None, {"subtag": "InTransit_006"}, True),
        ("aftership", "customs_hold", "customs_documents_required", {"subtag": "Exception_018"}, False),
        ("aftership", "customs_hold", "customs_payment_due", {"subtag": "Exception_006"}, True),
        ("aftership", "customs_hold", "seized", {"subtag": "Exception_004"}, True),
        ("aftership", "delivered", "damaged", {"tag": "Delivered", "subtag": "Delivered_001"}, True),
        ("aftership", "delivered", "partial_delivery", {"subtag": "Delivered_001"}, True),
        ("aftership", "delivery_attempted", "business_closed", {"subtag": "AttemptFail_003"}, False),
        ("aftership", "delayed", "weather", {"subtag": "Exception_017"}, False),
        ("aftership", "cancelled", None, {"subtag": "Exception_020"}, False),
        ("aftership", "exception", "lost", {"subtag": "Exception_013"}, False),
        (
            "17track",
            "departed_origin_country",
            None,
            {"status": "InTransit", "sub_status": "InTransit_Departure"},
            False,
        ),
        ("17track", "export_customs", None, {"sub_status": "InTransit_CustomsProcessing"}, False),
        (
            "17track",
            "delivery_attempted",
            "recipient_unavailable",
            {"sub_status": "DeliveryFailure_NoBody"},
            False,
        ),
        ("17track", "exception", "damaged", {"status": "Exception", "sub_status": "Exception_Damage"}, False),
        ("17track", "customs_hold", "seized", {"sub_status": "Exception_Security"}, True),
        ("17track", "delivered", "partial_delivery", {"sub_status": "Delivered_Other"}, True),
        ("17track", "returned", None, {"sub_status": "Exception_Returned"}, False),
        (
            "easypost",
            "handed_to_last_mile",
            None,
            {"status": "in_transit", "status_detail": "transferred_to_destination_carrier"},
            False,
        ),
        ("easypost", "returned", None, {"status": "return_to_sender"}, True),
        ("easypost", "delivered", None, {"status": "delivered"}, False),
        ("easypost", "import_customs", None, {"status": "in_transit", "status_detail": "in_transit"}, True),
        (
            "shippo",
            "label_created",
            None,
            {"status": "PRE_TRANSIT", "substatus": "information_received"},
            False,
        ),
        ("shippo", "customs_hold", "customs_payment_due", {"status": "TRANSIT"}, True),
        ("shippo", "returned", None, {"status": "RETURNED"}, False),
        ("shippo", "cancelled", None, {"status": "FAILURE"}, True),
    ],
)
def test_chosen_codes(peer: str, stage: str, reason: str | None, fields: dict[str, str], lossy: bool) -> None:
    status = peer_status(peer, stage, reason)
    assert {k: status.fields.get(k) for k in fields} == fields
    assert status.lossy is lossy


def test_aftership_returning_and_returned_follow_the_current_page() -> None:
    codes = load_peer("aftership").codes
    assert codes["Exception_010"].fields["subtag_message"] == "Returning to sender"
    assert codes["Exception_011"].fields["subtag_message"] == "Returned to sender"
    rules = load_peer("aftership").imports
    assert rules["Exception_010"].stage is Stage.RETURN_TO_SENDER
    assert rules["Exception_011"].stage is Stage.RETURNED


def test_unpublished_codes_are_absent_from_the_maps() -> None:
    for peer, codes in UNPUBLISHED.items():
        for code in load_peer(peer).codes.values():
            assert _emitted_code(peer, dict(code.fields)) not in codes


def test_import_fallbacks_cover_every_exported_code() -> None:
    """A code tracklingo emits can be read back: each has an import rule (or its tag has)."""
    for peer in PEERS:
        pmap = load_peer(peer)
        for code in pmap.codes.values():
            tag = code.fields.get("tag") or code.fields.get("status")
            assert pmap.import_rule(code.key, tag) is not None, (peer, code.key)


def test_unknown_peer_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown peer"):
        load_peer("parcelninja")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "meta": {"fields": ["tag"], "sources": {"a": "https://x"}},
                "codes": {"X": {"tag": "T", "src": "b"}},
            },
            "no known source",
        ),
        (
            {
                "meta": {"fields": ["tag"], "sources": {"a": "https://x"}},
                "codes": {"X": {"bogus": "T", "src": "a"}},
            },
            "not in",
        ),
        (
            {
                "meta": {"fields": ["tag"], "sources": {"a": "https://x"}},
                "codes": {},
                "export": {"delivered": {"code": "Nope"}},
            },
            "unlisted code",
        ),
        (
            {
                "meta": {"fields": ["tag"], "sources": {"a": "https://x"}},
                "codes": {"X": {"tag": "T", "src": "a"}},
                "export": {"delivered": {"code": "X"}},
            },
            "no export rule for stage",
        ),
        (
            {
                "meta": {"fields": ["tag"], "sources": {"a": "https://x"}},
                "codes": {"X": {"tag": "T", "src": "a"}},
                "export": {"flying": {"code": "X"}},
            },
            "export key",
        ),
    ],
)
def test_bad_maps_are_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _parse("test", data)


def _t(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_journey_current_state_skips_a_trailing_unmapped_scan() -> None:
    events = [
        ev("acme", "A1", _t(1), "accepted"),
        ev("acme", "A1", _t(2), "customs_hold", reason="customs_payment_due"),
        ev("acme", "A1", _t(3), "unknown", text="Zollamt: Sendung liegt vor", match="unmapped"),
    ]
    (journey,) = export_journeys(events, "aftership")
    assert journey.current_stage is Stage.CUSTOMS_HOLD
    assert journey.current.fields["subtag"] == "Exception_006"
    assert [e.peer.fields["subtag"] for e in journey.events] == [
        "InTransit_002",
        "Exception_006",
        "Pending_001",
    ]
    assert journey.events[-1].peer.lossy


def test_journey_of_only_unmapped_scans_is_unknown() -> None:
    events = [ev("acme", "A2", _t(1), "unknown", match="unmapped")]
    (journey,) = export_journeys(events, "17track")
    assert journey.current.fields == {"status": "NotFound", "sub_status": "NotFound_Other"}


def test_journeys_join_handoffs_and_keep_each_event() -> None:
    events = [
        ev("acme", "A3", _t(1), "accepted"),
        ev("acme", "A3", _t(2), "handed_to_last_mile", handoff={"carrier": "beta", "tracking_number": "B3"}),
        ev("beta", "B3", _t(3), "delivered"),
    ]
    (journey,) = export_journeys(events, "easypost")
    assert journey.tracking_numbers == ["A3", "B3"]
    assert journey.current.fields == {"status": "delivered"}
    assert len(journey.events) == 3


def test_export_event_carries_the_event_identity() -> None:
    out = export_event(ev("acme", "A4", _t(5), "delayed", reason="weather", code="WX"), "aftership")
    assert (out.tracking_number, out.code, out.stage, out.reason) == (
        "A4",
        "WX",
        Stage.DELAYED,
        Reason.WEATHER,
    )
    assert out.peer.fields["subtag"] == "Exception_017"


# -- CLI ------------------------------------------------------------------------------------------


def _feed(tmp_path: Any) -> Any:
    path = tmp_path / "feed.jsonl"
    lines = [
        ev("acme", "RR123456785DE", _t(1), "accepted").model_dump_json(),
        ev("acme", "RR123456785DE", _t(2), "return_to_sender").model_dump_json(),
        "{not json",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_export_json(run_cli: Any, tmp_path: Any) -> None:
    result = run_cli("export", "--to", "aftership", str(_feed(tmp_path)), "--json")
    assert result.returncode == 0, result.stderr
    (journey,) = json.loads(result.stdout)
    assert journey["current"]["fields"]["subtag"] == "Exception_010"
    assert [e["peer"]["fields"]["tag"] for e in journey["events"]] == ["InTransit", "Exception"]
    assert "reject:" in result.stderr and "records in 3" in result.stderr


def test_cli_export_human_and_quiet(run_cli: Any, tmp_path: Any) -> None:
    result = run_cli("export", "--to", "17track", str(_feed(tmp_path)), "-q", "--rejects", os.devnull)
    assert result.returncode == 0, result.stderr
    assert "now: Exception / Exception_Returning  [return_to_sender]" in result.stdout
    assert result.stderr == ""


def test_cli_export_empty_input_and_bad_peer(run_cli: Any) -> None:
    empty = run_cli("export", "--to", "shippo", "-", "--json", stdin="")
    assert empty.returncode == 0 and json.loads(empty.stdout) == []
    assert "records in 0" in empty.stderr
    bad = run_cli("export", "--to", "ups", "-", stdin="")
    assert bad.returncode == 2
