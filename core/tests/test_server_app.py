"""The push server through httpx's ASGI transport: every source, good / bad signature / replay /
oversized / malformed / disabled, and the store afterwards equal to `normalize` of the same records."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import tracklingo
from tracklingo import MatchKind, Store, TrackingEvent
from tracklingo.server.app import create_app
from tracklingo.server.ingest import renormalize
from tracklingo.server.sources import SOURCES, delivery_records

pytest.importorskip("starlette")

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "fedex": "fedex-security-token-0001",
    "dhl": "dhl-shared-token-0002",
    "usps": "usps-listener-token-0003",
    "aftership": "aftership-webhook-secret-0004",
    "easypost": "easypost-webhook-secret-0005",
}
USPS_NUMBER = "9400111899223197428497"


# -- payloads, shaped as each source documents its pushes ------------------------------------------


def fedex_push(attempt: int = 1) -> dict[str, Any]:
    """An Advanced Integrated Visibility push: push metadata + a Track API ``output``."""
    body = json.loads((ROOT / "plugins/fedex/tests/fixtures/international_import_clearance.json").read_text())
    return {
        "outputMetaData": [{"pushTimestamp": f"2026-11-20T10:0{attempt}:00Z", "attempt": attempt}],
        **body,
    }


def dhl_push() -> dict[str, Any]:
    path = ROOT / "plugins/dhl/tests/fixtures/express_import_clearance.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def usps_push() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "examples/usps-inbound-v3.json").read_text())
    return data


def _checkpoint(when: str, text: str, subtag: str, slug: str = "usps") -> dict[str, Any]:
    return {
        "slug": slug,
        "checkpoint_time": when,
        "message": text,
        "city": "DENVER",
        "state": "CO",
        "zip": "80203",
        "country_iso3": "USA",
        "country_name": "United States",
        "tag": subtag.split("_")[0],
        "subtag": subtag,
    }


def aftership_push(
    event_id: str = "6e0c1ba4-4f9e-4d2d-9a55-5c7c0f1f0001", number: str = USPS_NUMBER
) -> dict[str, Any]:
    return {
        "ts": 1763700000,
        "event": "tracking_update",
        "event_id": event_id,
        "is_tracking_first_tag": False,
        "msg": {
            "id": "lx3k2f9",
            "tracking_number": number,
            "slug": "usps",
            "tag": "Delivered",
            "subtag": "Delivered_001",
            "checkpoints": [
                _checkpoint("2026-11-19T16:40:00-05:00", "USPS in possession of item", "InTransit_002"),
                _checkpoint("2026-11-21T08:15:00-05:00", "Out for Delivery", "OutForDelivery_001"),
                _checkpoint("2026-11-21T13:47:00-05:00", "Delivered, In/At Mailbox", "Delivered_001"),
            ],
        },
    }


def easypost_push(event_id: str = "evt_0a1b2c3d4e5f", number: str = USPS_NUMBER) -> dict[str, Any]:
    def detail(when: str, text: str, status: str, status_detail: str) -> dict[str, Any]:
        return {
            "object": "TrackingDetail",
            "message": text,
            "status": status,
            "status_detail": status_detail,
            "datetime": when,
            "source": "USPS",
            "tracking_location": {
                "object": "TrackingLocation",
                "city": "DENVER",
                "state": "CO",
                "country": "US",
                "zip": "80203",
            },
        }

    return {
        "object": "Event",
        "id": event_id,
        "mode": "test",
        "description": "tracker.updated",
        "result": {
            "object": "Tracker",
            "id": "trk_5f6e7d8c",
            "tracking_code": number,
            "carrier": "USPS",
            "status": "out_for_delivery",
            "tracking_details": [
                detail(
                    "2026-11-20T14:03:00-05:00",
                    "Processed Through Facility",
                    "in_transit",
                    "arrived_at_facility",
                ),
                detail(
                    "2026-11-21T08:15:00-05:00", "Out for Delivery", "out_for_delivery", "out_for_delivery"
                ),
            ],
        },
    }


PAYLOADS: dict[str, Callable[[], dict[str, Any]]] = {
    "fedex": fedex_push,
    "dhl": dhl_push,
    "usps": usps_push,
    "aftership": aftership_push,
    "easypost": easypost_push,
}


# -- signing, computed here independently of the server's code -------------------------------------


def signed(source: str, body: bytes, secret: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and query parameters that authenticate `body` for `source`."""
    key = (secret or SECRETS[source]).encode()
    b64 = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()
    if source == "fedex":
        return {"fdx-signature": b64}, {}
    if source == "aftership":
        return {"aftership-hmac-sha256": b64}, {}
    if source == "easypost":
        return {"X-Hmac-Signature": "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()}, {}
    if source == "dhl":
        return {"X-Webhook-Token": key.decode()}, {}
    return {}, {"token": key.decode()}


def encode(payload: Any) -> bytes:
    return json.dumps(payload).encode()


async def _post(
    client: httpx.AsyncClient, source: str, body: bytes, *, secret: str | None = None
) -> httpx.Response:
    headers, params = signed(source, body, secret)
    return await client.post(
        f"/webhooks/{source}",
        content=body,
        headers={"content-type": "application/json", **headers},
        params=params,
    )


def run_app(db: Path, scenario: Callable[[httpx.AsyncClient], Any], **kw: Any) -> Any:
    """Run `scenario(client)` against the app (lifespan entered), then wait until the ingest
    thread has normalized everything."""
    app = create_app(str(db), secrets=kw.pop("secrets", SECRETS), registry=tracklingo.load_carriers(), **kw)

    async def main() -> Any:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                result = await scenario(client)
            assert app.state.ingestor.wait_idle(timeout=60)
            return result

    return asyncio.run(main())


def deliveries(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT source, dedup_key, state FROM webhook_deliveries ORDER BY id"))


def stored_keys(db: Path) -> set[tuple[str, str, str, str, str]]:
    with Store(db) as store:
        return {e.dedup_key for e in store.events()}


def expected_keys(source: str, payloads: list[dict[str, Any]]) -> set[tuple[str, str, str, str, str]]:
    """What `tracklingo.normalize` gives for the same payloads' records."""
    registry = tracklingo.load_carriers()
    records = [r for p in payloads for r in delivery_records(SOURCES[source], p)]
    return {
        e.dedup_key for e in tracklingo.normalize(records, registry=registry) if isinstance(e, TrackingEvent)
    }


# -- tests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", list(SOURCES))
def test_good_delivery_is_stored_then_normalized(tmp_path: Path, source: str) -> None:
    db = tmp_path / "store.db"
    payload = PAYLOADS[source]()

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await _post(client, source, encode(payload))

    response = run_app(db, scenario)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "stored"
    [(src, key, state)] = deliveries(db)
    assert (src, state) == (source, "normalized")
    assert key.startswith("id:" if source in ("aftership", "easypost") else "sha256:")
    expected = expected_keys(source, [payload])
    assert expected and stored_keys(db) == expected


@pytest.mark.parametrize("source", list(SOURCES))
def test_bad_or_missing_signature_is_401_and_nothing_is_stored(tmp_path: Path, source: str) -> None:
    db = tmp_path / "store.db"
    body = encode(PAYLOADS[source]())

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        wrong = await _post(client, source, body, secret="not-the-secret")
        missing = await client.post(f"/webhooks/{source}", content=body)
        if source in ("dhl", "usps"):  # a shared token authenticates the sender, not the body
            return [wrong, missing]
        tampered_headers, params = signed(source, body)
        tampered = await client.post(
            f"/webhooks/{source}", content=body + b" ", headers=tampered_headers, params=params
        )
        return [wrong, tampered, missing]

    responses = run_app(db, scenario)
    for response in responses:
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized"}  # no detail leaked
    assert deliveries(db) == []


@pytest.mark.parametrize("source", list(SOURCES))
def test_replay_is_one_delivery(tmp_path: Path, source: str) -> None:
    db = tmp_path / "store.db"
    body = encode(PAYLOADS[source]())

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [await _post(client, source, body) for _ in range(3)]

    first, *again = run_app(db, scenario)
    assert first.json()["status"] == "stored"
    assert [r.json() for r in again] == [{"status": "duplicate", "delivery": first.json()["delivery"]}] * 2
    assert len(deliveries(db)) == 1


def test_source_event_id_dedups_even_when_the_body_changes(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    one, two = aftership_push(), aftership_push()
    two["ts"] += 3600  # a retry, re-sent later with the same event id

    async def scenario(client: httpx.AsyncClient) -> list[str]:
        return [(await _post(client, "aftership", encode(p))).json()["status"] for p in (one, two)]

    assert run_app(db, scenario) == ["stored", "duplicate"]


def test_fedex_retry_with_new_push_metadata_is_a_duplicate(tmp_path: Path) -> None:
    db = tmp_path / "store.db"

    async def scenario(client: httpx.AsyncClient) -> list[str]:
        return [(await _post(client, "fedex", encode(fedex_push(n)))).json()["status"] for n in (1, 2)]

    assert run_app(db, scenario) == ["stored", "duplicate"]


@pytest.mark.parametrize("source", list(SOURCES))
def test_oversized_body_is_413(tmp_path: Path, source: str) -> None:
    db = tmp_path / "store.db"
    body = encode({"padding": "x" * 5000, **PAYLOADS[source]()})

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        declared = await _post(client, source, body)
        headers, params = signed(source, body)

        async def chunks() -> Any:  # no Content-Length: the cap applies while reading
            for i in range(0, len(body), 1000):
                yield body[i : i + 1000]

        streamed = await client.post(f"/webhooks/{source}", content=chunks(), headers=headers, params=params)
        return [declared, streamed]

    for response in run_app(db, scenario, max_body=4096):
        assert response.status_code == 413
    assert deliveries(db) == []


@pytest.mark.parametrize("source", list(SOURCES))
def test_malformed_signed_body_is_400(tmp_path: Path, source: str) -> None:
    db = tmp_path / "store.db"

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [await _post(client, source, body) for body in (b"{not json", b"[1, 2]", b"")]

    for response in run_app(db, scenario):
        assert response.status_code == 400
    assert deliveries(db) == []


def test_disabled_and_unknown_sources_are_404(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    body = encode(fedex_push())

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [await _post(client, "fedex", body), await client.post("/webhooks/ups", content=body)]

    for response in run_app(db, scenario, secrets={"dhl": SECRETS["dhl"]}):
        assert response.status_code == 404
        assert response.json() == {"error": "no such webhook"}


def test_health(tmp_path: Path) -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/health")

    response = run_app(tmp_path / "store.db", scenario)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_delivery_that_cannot_be_normalized_is_kept_and_replayable(tmp_path: Path) -> None:
    """An AfterShip delivery whose tracking names no number: stored, marked failed with the
    reason; the store gets nothing, and replay changes nothing."""
    db = tmp_path / "store.db"
    payload = aftership_push()
    del payload["msg"]["tracking_number"]

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await _post(client, "aftership", encode(payload))

    assert run_app(db, scenario).status_code == 200
    with sqlite3.connect(db) as conn:
        state, detail, body = conn.execute("SELECT state, detail, body FROM webhook_deliveries").fetchone()
    assert state == "failed" and "without a tracking number" in detail
    assert json.loads(body) == payload  # the raw delivery, byte for byte what was sent
    with Store(db) as store:
        assert store.count() == 0
    assert renormalize(str(db)).states == {"failed": 1}


def test_a_checkpoint_of_an_uninstalled_carrier_is_stored_with_the_peer_status(tmp_path: Path) -> None:
    """AfterShip names a carrier no adapter covers: the events keep AfterShip's status (match
    `peer`), under a carrier name that says so, exactly as `normalize` gives them."""
    db = tmp_path / "store.db"
    payload = aftership_push()
    for cp in payload["msg"]["checkpoints"]:
        cp["slug"] = "royal-mail"

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await _post(client, "aftership", encode(payload))

    assert run_app(db, scenario).status_code == 200
    assert deliveries(db)[0][2] == "normalized"
    with Store(db) as store:
        events = list(store.events())
    assert events and {e.carrier for e in events} == {"aftership:royal-mail"}
    assert {e.match for e in events} == {MatchKind.PEER}
    assert stored_keys(db) == expected_keys("aftership", [payload])


def test_unknown_source_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown webhook source"):
        create_app(":memory:", secrets={"ups": "x"})
