"""Replay (`tracklingo renormalize`), the signature checks on their own, and the `serve` CLI's errors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from test_server_app import _post, aftership_push, run_app

from tracklingo import Store
from tracklingo.server import signatures

from factories import ev


def _acme_delivery() -> dict[str, Any]:
    """An AfterShip push for the ACME test carrier, which the in-process server does not have."""
    payload = aftership_push(number="A123")
    texts = ["In transit", "Out for delivery", "Delivered"]
    for cp, text in zip(payload["msg"]["checkpoints"], texts, strict=True):
        cp["slug"] = "acme"
        cp["message"] = text
    payload["msg"]["checkpoints"][-1]["raw_tag"] = "DL"  # the carrier's own code, kept by AfterShip
    return payload


def test_renormalize_replays_with_the_carriers_installed_now(
    tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    """Without ACME the push keeps AfterShip's statuses (carrier ``aftership:acme``, match
    ``peer``); replayed once ACME is installed, its texts go through ACME's vocabulary."""
    db = tmp_path / "store.db"
    monkeypatch.setenv("TRACKLINGO_LOAD_PLUGINS", "usps,fedex,dhl")  # the server runs without ACME

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await _post(client, "aftership", json.dumps(_acme_delivery()).encode())

    assert run_app(db, scenario).status_code == 200
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT state FROM webhook_deliveries").fetchone() == ("normalized",)
    with Store(db) as store:
        first_events = list(store.events())
    assert {(e.carrier, e.match.value) for e in first_events} == {("aftership:acme", "peer")}

    nothing = run_cli("renormalize", "--db", str(db), "--json")  # nothing failed: nothing to replay
    assert json.loads(nothing.stdout)["deliveries"] == 0
    every = run_cli("renormalize", "--db", str(db), "--all", "--json")  # now with ACME installed
    assert every.returncode == 0, every.stderr
    assert json.loads(every.stdout) == {
        "deliveries": 1,
        "states": {"normalized": 1},
        "events": 3,
        "added": 3,
        "retired": len(first_events),
    }
    with Store(db) as store:
        stored = list(store.events())
    acme = [e for e in stored if e.carrier == "acme"]
    assert [e.stage.value for e in acme] == ["in_transit", "out_for_delivery", "delivered"]
    assert all(e.match.value != "peer" for e in acme)
    assert stored == acme  # the AfterShip-labelled copies of the same parcel are gone
    again = run_cli("renormalize", "--db", str(db), "--all", "--json")  # idempotent
    assert json.loads(again.stdout) == {
        "deliveries": 1,
        "states": {"normalized": 1},
        "events": 3,
        "added": 0,
        "retired": 0,
    }
    assert "deliveries 1 (normalized 1)" in again.stderr


def test_renormalize_without_a_store_is_one_error_line(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("renormalize", "--db", str(tmp_path / "missing.db"))
    assert result.returncode == 1
    assert result.stderr.startswith("tracklingo: error: no store at") and "Traceback" not in result.stderr


def test_serve_without_any_secret_refuses_to_start(run_cli: Any, monkeypatch: Any) -> None:
    for name in ("FEDEX", "DHL", "USPS", "AFTERSHIP", "EASYPOST"):
        monkeypatch.delenv(f"TRACKLINGO_{name}_WEBHOOK_SECRET", raising=False)
    result = run_cli("serve", "--port", "0")
    assert result.returncode == 1
    assert "no webhook source enabled" in result.stderr


BODY = b'{"event":"tracking_update","event_id":"e1"}'


def test_hmac_base64_accepts_base64_or_hex_and_nothing_else() -> None:
    digest = hmac.new(b"s3cret", BODY, hashlib.sha256).digest()
    assert signatures.hmac_base64("s3cret", BODY, base64.b64encode(digest).decode())
    assert signatures.hmac_base64("s3cret", BODY, digest.hex())
    assert not signatures.hmac_base64("s3cret", BODY + b"x", base64.b64encode(digest).decode())
    assert not signatures.hmac_base64("other", BODY, base64.b64encode(digest).decode())
    for junk in (None, "", "not base64!", "sha256=" + digest.hex()):
        assert not signatures.hmac_base64("s3cret", BODY, junk)


def test_easypost_secret_is_nfkd_normalised() -> None:
    # "ﬁ" (U+FB01) decomposes to "fi" under NFKD: EasyPost signs with the normalised secret
    key = "ﬁle-secret"
    expected = "hmac-sha256-hex=" + hmac.new(b"file-secret", BODY, hashlib.sha256).hexdigest()
    assert signatures.easypost_hmac(key, BODY, expected)
    assert signatures.easypost_hmac(
        key, BODY, expected.upper().replace("HMAC-SHA256-HEX=", "hmac-sha256-hex=")
    )
    assert not signatures.easypost_hmac(key, BODY, expected.removeprefix("hmac-sha256-hex="))
    assert not signatures.easypost_hmac(key, BODY, None)


def test_token() -> None:
    assert signatures.token("t0ken", "t0ken")
    assert not signatures.token("t0ken", "t0ken2")
    assert not signatures.token("t0ken", None)


def test_retire_peer_events_deletes_only_that_peers_labels_for_those_numbers(tmp_path: Path) -> None:
    when = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    events = [
        ev("aftership:acme", "AC1", when, "in_transit", "a"),
        ev("aftership", "AC1", when, "in_transit", "b"),
        ev("aftership:acme", "AC2", when, "in_transit", "c"),  # another number
        ev("easypost:acme", "AC1", when, "in_transit", "d"),  # another peer
        ev("aftershipx:acme", "AC1", when, "in_transit", "e"),  # a label that only starts alike
        ev("acme", "AC1", when, "in_transit", "f"),  # the carrier's own
    ]
    with Store(str(tmp_path / "s.db")) as store:
        store.ingest(events)
        assert store.retire_peer_events("aftership", ["AC1"]) == 2
        left = sorted((e.carrier, e.tracking_number) for e in store.events())
    assert left == [
        ("acme", "AC1"),
        ("aftership:acme", "AC2"),
        ("aftershipx:acme", "AC1"),
        ("easypost:acme", "AC1"),
    ]


def test_replaying_only_unfinished_deliveries_retires_nothing(
    tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    """Without --all the other deliveries are not replayed, so the peer's events stay the only
    history of their parcels."""
    db = tmp_path / "store.db"
    monkeypatch.setenv("TRACKLINGO_LOAD_PLUGINS", "usps,fedex,dhl")

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await _post(client, "aftership", json.dumps(_acme_delivery()).encode())

    assert run_app(db, scenario).status_code == 200
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE webhook_deliveries SET state = 'failed'")  # as if it had failed
    replay = run_cli("renormalize", "--db", str(db), "--json")
    assert json.loads(replay.stdout)["retired"] == 0
    with Store(db) as store:
        carriers = {e.carrier for e in store.events()}
    assert carriers == {"aftership:acme", "acme"}
