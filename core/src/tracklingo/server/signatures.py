"""Webhook authenticity checks, each on the raw request body (or a header token), in constant time.

Every check returns a plain bool and never says why it failed: the caller answers 401 either way.

- `hmac_base64`: ``base64(HMAC-SHA256(secret, body))`` in a header. AfterShip
  (``aftership-hmac-sha256``, https://www.aftership.com/docs/tracking/webhook/webhook-signature) and
  FedEx Advanced Integrated Visibility (``fdx-signature``, keyed by the security token,
  https://developer.fedex.com/api/en-jp/catalog/shipment-visibility-webhook/docs/introduction/advanced-integrated-visibility-validation-process.html).
- `easypost_hmac`: ``"hmac-sha256-hex=" + hex(HMAC-SHA256(NFKD(secret), body))`` in
  ``X-Hmac-Signature`` (https://docs.easypost.com/docs/webhooks; EasyPost's own client,
  repo EasyPost/easypost-python easypost/util.py ``validate_webhook``).
- `token`: a static shared token (DHL push: the header and token you chose in the subscription's
  ``hook.authentication``; USPS: the token in the listener URL you registered).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata

__all__ = ["easypost_hmac", "hmac_base64", "token"]


def _digest(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()


def hmac_base64(secret: str, body: bytes, signature: str | None) -> bool:
    """True when `signature` is the base64 HMAC-SHA256 of `body` under `secret`.

    The hex form of the same HMAC is accepted too (FedEx's validation page describes the
    encoding both ways); either needs the secret."""
    if not signature:
        return False
    expected = _digest(secret, body)
    given = signature.strip()
    try:
        decoded = base64.b64decode(given, validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if hmac.compare_digest(decoded, expected):
        return True
    try:
        as_hex = bytes.fromhex(given)
    except ValueError:
        return False
    return hmac.compare_digest(as_hex, expected)


def easypost_hmac(secret: str, body: bytes, signature: str | None) -> bool:
    """True when `signature` is EasyPost's ``hmac-sha256-hex=<hex>`` of `body`."""
    if not signature:
        return False
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    expected = "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().lower().encode("utf-8"))


def token(secret: str, given: str | None) -> bool:
    """True when `given` equals the shared `secret` (compared in constant time)."""
    if not given:
        return False
    return hmac.compare_digest(secret.encode("utf-8"), given.strip().encode("utf-8"))
