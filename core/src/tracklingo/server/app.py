"""The push server's ASGI app (Starlette): ``POST /webhooks/<source>`` and ``GET /health``.

A delivery is answered in this order, and nothing is parsed before its authenticity is checked:

1. unknown source, or no ``TRACKLINGO_<SOURCE>_WEBHOOK_SECRET`` set for it: **404**;
2. body larger than `max_body` (declared or read): **413** (reading stops at the cap);
3. signature or token missing or wrong, checked on the raw bytes in constant time: **401**, with
   no detail;
4. body not a JSON object: **400**;
5. stored (durably, see `tracklingo.server.deliveries`): **200** ``{"status": "stored", "delivery": id}``;
   already stored (same source event id or content): **200** ``{"status": "duplicate", ...}``.

Normalization happens after the answer, in the ingest thread (`tracklingo.server.ingest`). Logs
(logger ``tracklingo.server``) name the source, status and size, never headers, query strings,
bodies or secrets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Final

import anyio.to_thread
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tracklingo.plugins import Registry
from tracklingo.server.deliveries import NewDelivery
from tracklingo.server.ingest import Ingestor
from tracklingo.server.sources import SOURCES, configured_secrets, dedup_key

__all__ = ["DEFAULT_MAX_BODY", "create_app"]

log = logging.getLogger("tracklingo.server")

#: Largest request body accepted (bytes), unless `create_app(max_body=...)` says otherwise.
DEFAULT_MAX_BODY: Final = 2 * 1024 * 1024


class _TooLarge(Exception):
    pass


async def _read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > cap:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(
    db: str,
    *,
    secrets: Mapping[str, str] | None = None,
    registry: Registry | None = None,
    max_body: int = DEFAULT_MAX_BODY,
) -> Starlette:
    """The push server for the store at `db`.

    Args:
        secrets: source -> secret (default: from ``TRACKLINGO_<SOURCE>_WEBHOOK_SECRET``); a source
            without one is disabled (404).
        registry: the carriers to normalize with (default: `load_carriers()`).
        max_body: the request body cap in bytes (413 above it).

    The app's ``state.ingestor`` is the `Ingestor`; it starts with the app's lifespan.
    """
    enabled = dict(configured_secrets() if secrets is None else secrets)
    unknown = sorted(set(enabled) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown webhook source(s): {', '.join(unknown)}")
    ingestor = Ingestor(db, registry)

    async def webhook(request: Request) -> Response:
        name = request.path_params["source"]
        source = SOURCES.get(name)
        secret = enabled.get(name)
        if source is None or secret is None:
            log.info("webhook %s: 404 (unknown or disabled source)", name if source else "?")
            return _error(404, "no such webhook")
        try:
            body = await _read_capped(request, max_body)
        except _TooLarge:
            log.info("webhook %s: 413 (body over %d bytes)", name, max_body)
            return _error(413, f"body larger than {max_body} bytes")
        if not source.verify(secret, body, request.headers, request.query_params):
            log.info("webhook %s: 401 (authentication failed, %d bytes)", name, len(body))
            return _error(401, "unauthorized")
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            payload = None
        if not isinstance(payload, dict):
            log.info("webhook %s: 400 (not a JSON object, %d bytes)", name, len(body))
            return _error(400, "body is not a JSON object")
        delivery = NewDelivery(name, dedup_key(source, body, payload), body)
        try:
            stored = await asyncio.wrap_future(ingestor.submit(delivery))
        except Exception as exc:
            log.error("webhook %s: 503 (not stored: %s)", name, type(exc).__name__)
            return _error(503, "delivery not stored; retry later")
        status = "duplicate" if stored.duplicate else "stored"
        log.info("webhook %s: 200 %s delivery %d (%d bytes)", name, status, stored.id, len(body))
        return JSONResponse({"status": status, "delivery": stored.id})

    async def health(request: Request) -> Response:
        if not ingestor.alive:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(ingestor.start)
        log.info("push server on %s; sources enabled: %s", db, ", ".join(sorted(enabled)) or "none")
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(ingestor.stop)

    app = Starlette(
        routes=[
            Route("/webhooks/{source}", webhook, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.ingestor = ingestor
    return app
