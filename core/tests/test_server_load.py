"""The push server under load: a real ``tracklingo serve`` (uvicorn) on 127.0.0.1, 1,000 deliveries
sent 20 at a time, duplicates and bad signatures mixed in. Afterwards the stored deliveries are
exactly the distinct good ones, the store holds exactly what `normalize` gives for them, and no
secret appears in the server's log."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_server_app import (
    SECRETS,
    aftership_push,
    dhl_push,
    easypost_push,
    expected_keys,
    fedex_push,
    signed,
    stored_keys,
    usps_push,
)

pytest.importorskip("uvicorn")

TOTAL = 1000
CONCURRENCY = 20


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _distinct_payloads() -> list[tuple[str, bytes, Any]]:
    """700 distinct good deliveries: (source, body, payload)."""
    out: list[tuple[str, bytes, Any]] = []
    for i in range(300):
        p = aftership_push(event_id=f"0000-{i:04d}")
        for cp in p["msg"]["checkpoints"]:  # each delivery its own scans (distinct events)
            cp["checkpoint_time"] = cp["checkpoint_time"].replace(":00-05:00", f":{i % 60:02d}-05:00")
            cp["checkpoint_time"] = cp["checkpoint_time"].replace("2026-11-", f"2026-{1 + i // 60:02d}-")
        out.append(("aftership", json.dumps(p).encode(), p))
    for i in range(200):
        p = easypost_push(event_id=f"evt_{i:06d}")
        for d in p["result"]["tracking_details"]:
            d["datetime"] = d["datetime"].replace(":00-05:00", f":{i % 60:02d}-05:00")
            d["datetime"] = d["datetime"].replace("2026-11-", f"2025-{1 + i // 60:02d}-")
        out.append(("easypost", json.dumps(p).encode(), p))
    for i in range(100):
        p = fedex_push()
        p["customerTransactionId"] = f"push-{i}"  # a distinct delivery with the same scans
        out.append(("fedex", json.dumps(p).encode(), p))
    for source, make in (("dhl", dhl_push), ("usps", usps_push)):
        p = make()
        for i in range(50):  # the same document, written out differently: distinct bodies
            out.append((source, json.dumps(p, indent=i).encode(), p))
    return out


async def _send(port: int, plan: list[tuple[str, bytes, str | None]]) -> tuple[list[int], float]:
    limit = asyncio.Semaphore(CONCURRENCY)
    statuses: list[int] = [0] * len(plan)

    async def one(client: httpx.AsyncClient, i: int, source: str, body: bytes, secret: str | None) -> None:
        headers, params = signed(source, body, secret)
        async with limit:
            r = await client.post(f"/webhooks/{source}", content=body, headers=headers, params=params)
        statuses[i] = r.status_code

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60) as client:
        start = time.perf_counter()
        await asyncio.gather(*(one(client, i, *item) for i, item in enumerate(plan)))
        elapsed = time.perf_counter() - start
    return statuses, elapsed


def _wait_until(check: Any, rounds: int = 600, pause: float = 0.1) -> bool:
    for _ in range(rounds):
        if check():
            return True
        time.sleep(pause)
    return False


def test_real_server_under_load(tmp_path: Path) -> None:
    db = tmp_path / "load.db"
    log_path = tmp_path / "server.log"
    port = _free_port()
    env = {**os.environ}
    for source, secret in SECRETS.items():
        env[f"TRACKLINGO_{source.upper()}_WEBHOOK_SECRET"] = secret
    distinct = _distinct_payloads()
    rng = random.Random(17)
    plan: list[tuple[str, bytes, str | None]] = [(s, b, None) for s, b, _ in distinct]
    plan += [(s, b, None) for s, b, _ in rng.choices(distinct, k=200)]  # replays
    plan += [(s, b, "a-wrong-secret") for s, b, _ in rng.choices(distinct, k=TOTAL - len(plan))]
    rng.shuffle(plan)
    assert len(plan) == TOTAL

    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tracklingo.cli", "serve", "--db", str(db), "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:

            def healthy() -> bool:
                try:
                    return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
                except httpx.HTTPError:
                    return server.poll() is not None  # stop waiting if it died

            assert _wait_until(healthy) and server.poll() is None, log_path.read_text()
            statuses, elapsed = asyncio.run(_send(port, plan))

            def settled() -> bool:
                with sqlite3.connect(db) as conn:
                    pending: int = conn.execute(
                        "SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'"
                    ).fetchone()[0]
                    return pending == 0

            assert _wait_until(settled, rounds=1200), "deliveries still pending"
        finally:
            server.terminate()
            server.wait(timeout=30)

    bad = sum(1 for _, _, secret in plan if secret)
    assert statuses.count(401) == bad
    assert statuses.count(200) == TOTAL - bad
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT source, state, count(*) FROM webhook_deliveries GROUP BY source, state"
        ).fetchall()
    per_source = {s: sum(1 for src, _, _ in distinct if src == s) for s in SECRETS}
    assert sorted(rows) == sorted((s, "normalized", n) for s, n in per_source.items())

    expected: set[Any] = set()
    for source in SECRETS:
        expected |= expected_keys(source, [p for s, _, p in distinct if s == source])
    assert stored_keys(db) == expected

    text = log_path.read_text()
    assert "webhook aftership: 200 stored" in text and "401 (authentication failed" in text
    for secret in [*SECRETS.values(), "a-wrong-secret"]:
        assert secret not in text
    print(f"\n{TOTAL} deliveries in {elapsed:.2f} s: {TOTAL / elapsed:.0f}/s ({CONCURRENCY} concurrent)")
