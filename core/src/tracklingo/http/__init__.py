"""The core's httpx base for carrier API clients (see docs/http-client.md).

A plugin's client subclasses `CarrierClient` and adds its endpoints and its error shape. Modules:

- `tracklingo.http.client`: `CarrierClient` (base URL, retries honouring ``Retry-After``, one
  deadline per call, a cap on response bodies, redacted messages and logs);
- `tracklingo.http.auth`: `CarrierAuth` (an `httpx.Auth`), `ApiKeyHeader`,
  `OAuth2ClientCredentials`, `env_credential`;
- `tracklingo.http.messages`: `error_text` (what an error response says), `safe_message`;
- `tracklingo.http.redaction`: `redact` (every encoding of every secret);
- `tracklingo.http.limits`: deadlines, body caps, `retry_after_seconds`;
- `tracklingo.http.protocol`: `TrackingClient`, what a carrier's ``client()`` returns.
"""

from __future__ import annotations

from tracklingo.http.auth import (
    RETRY_STATUSES,
    ApiKeyHeader,
    CarrierAuth,
    OAuth2ClientCredentials,
    env_credential,
)
from tracklingo.http.client import CarrierClient
from tracklingo.http.limits import DEFAULT_MAX_BODY, human_duration, retry_after_seconds
from tracklingo.http.messages import MAX_MESSAGE, error_text, response_json, safe_message
from tracklingo.http.protocol import TrackingClient
from tracklingo.http.redaction import redact, strip_userinfo

__all__ = [
    "DEFAULT_MAX_BODY",
    "MAX_MESSAGE",
    "RETRY_STATUSES",
    "ApiKeyHeader",
    "CarrierAuth",
    "CarrierClient",
    "OAuth2ClientCredentials",
    "TrackingClient",
    "env_credential",
    "error_text",
    "human_duration",
    "redact",
    "response_json",
    "retry_after_seconds",
    "safe_message",
    "strip_userinfo",
]
