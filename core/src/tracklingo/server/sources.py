"""The push sources `tracklingo serve` accepts at ``POST /webhooks/<source>``: how each is
authenticated, how its deliveries are deduplicated, and how a delivery becomes feed records.

- fedex: ``fdx-signature`` (base64 HMAC-SHA256 of the body); dedup by SHA-256 of the body without
  its push metadata; records: the envelope ``{"carrier": "fedex", "payload": body}``.
- dhl: a shared token in a header (``TRACKLINGO_DHL_WEBHOOK_HEADER``, default ``X-Webhook-Token``);
  dedup by SHA-256 of the body; the envelope for carrier dhl.
- usps: a shared token in the registered listener URL's ``token`` query parameter; dedup by SHA-256
  of the body; the envelope for carrier usps.
- aftership: ``aftership-hmac-sha256`` (base64 HMAC-SHA256 of the body); dedup by ``event_id``;
  records: the envelope ``{"peer": "aftership", "payload": body}``.
- easypost: ``X-Hmac-Signature: hmac-sha256-hex=...``; dedup by the Event ``id``; the envelope
  for peer easypost.

Secrets come from ``TRACKLINGO_<SOURCE>_WEBHOOK_SECRET``; a source without one is disabled.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

from tracklingo.server import signatures

__all__ = ["SOURCES", "Source", "configured_secrets", "dedup_key", "delivery_records"]

#: The header the DHL subscription's ``hook.authentication`` was told to send, unless
#: ``TRACKLINGO_DHL_WEBHOOK_HEADER`` names another.
DHL_DEFAULT_HEADER: Final = "X-Webhook-Token"

Verifier = Callable[[str, bytes, Mapping[str, str], Mapping[str, str]], bool]


@dataclass(frozen=True, slots=True)
class Source:
    """One push source: `verify(secret, body, headers, query)`, the carrier its pushes are for
    (carrier pushes) or the peer whose payloads it sends (peer pushes), and the JSON field that
    holds the source's own delivery id (None: the body's hash dedups)."""

    name: str
    verify: Verifier
    carrier: str | None = None
    peer: str | None = None
    id_field: str | None = None
    signature_header: str | None = None


def _fedex(secret: str, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    return signatures.hmac_base64(secret, body, headers.get("fdx-signature"))


def _aftership(secret: str, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    return signatures.hmac_base64(secret, body, headers.get("aftership-hmac-sha256"))


def _easypost(secret: str, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    return signatures.easypost_hmac(secret, body, headers.get("x-hmac-signature"))


def dhl_header() -> str:
    """The header DHL pushes carry the shared token in (lower case)."""
    return (os.environ.get("TRACKLINGO_DHL_WEBHOOK_HEADER") or DHL_DEFAULT_HEADER).strip().lower()


def _dhl(secret: str, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    return signatures.token(secret, headers.get(dhl_header()))


def _usps(secret: str, body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    return signatures.token(secret, query.get("token"))


SOURCES: Final[Mapping[str, Source]] = {
    "fedex": Source("fedex", _fedex, carrier="fedex", signature_header="fdx-signature"),
    "dhl": Source("dhl", _dhl, carrier="dhl"),
    "usps": Source("usps", _usps, carrier="usps"),
    "aftership": Source(
        "aftership",
        _aftership,
        peer="aftership",
        id_field="event_id",
        signature_header="aftership-hmac-sha256",
    ),
    "easypost": Source(
        "easypost", _easypost, peer="easypost", id_field="id", signature_header="x-hmac-signature"
    ),
}


def configured_secrets(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Source -> secret for every source with a non-empty ``TRACKLINGO_<SOURCE>_WEBHOOK_SECRET``."""
    env = os.environ if environ is None else environ
    found = {}
    for name in SOURCES:
        value = env.get(f"TRACKLINGO_{name.upper()}_WEBHOOK_SECRET", "").strip()
        if value:
            found[name] = value
    return found


def dedup_key(source: Source, body: bytes, payload: Any) -> str:
    """The source's own delivery id (``id:<value>``) when it sends one, else a content hash
    (``sha256:<hex>``). FedEx pushes are hashed without ``outputMetaData`` (push time and attempt
    number), so a retried push is the same delivery."""
    if source.id_field and isinstance(payload, Mapping):
        value = payload.get(source.id_field)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return f"id:{str(value).strip()}"
    content = body
    if source.name == "fedex" and isinstance(payload, Mapping) and "outputMetaData" in payload:
        content = orjson.dumps(
            {k: v for k, v in payload.items() if k != "outputMetaData"}, option=orjson.OPT_SORT_KEYS
        )
    return "sha256:" + hashlib.sha256(content).hexdigest()


def delivery_records(source: Source, payload: Any) -> list[dict[str, Any]]:
    """The feed records a delivery stands for: a carrier push is the envelope
    ``{"carrier": <source's carrier>, "payload": body}``, a peer push ``{"peer": <source's peer>,
    "payload": body}``. The normalizer reads both exactly as it reads them in a feed (a peer's:
    `tracklingo.interop.imports.read_peer`), so a push and a ``normalize`` of the same payload
    give the same events."""
    if source.carrier is not None:
        return [{"carrier": source.carrier, "payload": payload}]
    assert source.peer is not None
    return [{"peer": source.peer, "payload": payload}]
