"""FedEx Track API v1 client on the core's httpx base (`tracklingo.http`, docs/http-client.md).

- OAuth2 client credentials, form-encoded, ``POST /oauth/token`` [AUTH], from
  ``TRACKLINGO_FEDEX_CLIENT_ID`` / ``TRACKLINGO_FEDEX_CLIENT_SECRET``; the token is cached by the
  base until shortly before ``expires_in`` (FedEx: regenerate every 60 minutes [AUTH]) and
  refreshed once on a 401.
- ``POST /track/v1/trackingnumbers`` with at most 30 numbers per request [TRK].
- Production ``https://apis.fedex.com``; ``TRACKLINGO_FEDEX_BASE_URL`` overrides it (the sandbox
  ``https://apis-sandbox.fedex.com`` or a local fake) [TRK].
- 429 and 5xx are retried by the base honouring ``Retry-After``; a 429 that says "Daily transaction
  quota exceeded" (or a project's daily quota) is not retried: `QuotaExceededError` [RATE].
- A whole request refused with another 4xx (``ErrorResponseVO``: ``{transactionId, errors: [{code,
  message, parameterList}]}`` [TRK]) concerns that request's numbers only: `track` returns, for that
  batch, FedEx's errors once per number (each naming its number in ``parameterList``), so that
  ``FedExCarrier.parse`` gives every number of the batch its error, and the other batches go on.

Sources: [TRK] FedEx Track API OpenAPI spec, https://developer.fedex.com/api/en-us/catalog/track/v1/docs.html
(vendored as repo karrioapi/karrio ``modules/connectors/fedex/vendor/track.json``); [AUTH]
https://developer.fedex.com/api/en-us/catalog/authorization/docs.html; [RATE]
https://developer.fedex.com/api/en-us/guides/ratelimits.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

import httpx
from pydantic import SecretStr

from tracklingo.adapter import (
    RETRY_STATUSES,
    CarrierClient,
    OAuth2ClientCredentials,
    TrackingClient,
    clean_tracking_number,
    env_credential,
    error_text,
    response_json,
    safe_message,
)

__all__ = ["MAX_NUMBERS_PER_REQUEST", "FedExClient"]

#: ``trackingInfo`` takes at most 30 entries ([TRK] ``Full_Schema_Tracking_Numbers``).
MAX_NUMBERS_PER_REQUEST: Final = 30
TRACK_PATH: Final = "/track/v1/trackingnumbers"
TOKEN_PATH: Final = "/oauth/token"
CLIENT_ID_ENV: Final = "TRACKLINGO_FEDEX_CLIENT_ID"
CLIENT_SECRET_ENV: Final = "TRACKLINGO_FEDEX_CLIENT_SECRET"
#: A whole request refused for its content: the batch's numbers get the error, the rest goes on.
_BATCH_REFUSED: Final = frozenset(range(400, 500)) - {401, 403, 407} - RETRY_STATUSES


class FedExClient(CarrierClient):
    """Track FedEx numbers through the Track API v1.

    >>> with FedExClient() as api:                                  # doctest: +SKIP
    ...     payloads = api.track(["701234567893", "123456789012343"])

    Args:
        client_id / client_secret: the project's API key and secret key (default: the
            ``TRACKLINGO_FEDEX_CLIENT_ID`` / ``TRACKLINGO_FEDEX_CLIENT_SECRET`` variables).
        locale: ``x-locale`` header, so texts come back in the language the vocabulary knows.
        detailed_scans: ``includeDetailedScans`` (every scan, not only the latest status).
        **options: `tracklingo.http.CarrierClient` options (``base_url``, ``timeout``,
            ``max_attempts``, ``max_retry_wait``, ``deadline``, ``max_body_bytes``,
            ``transport``, ``sleep``, ``clock``).
    """

    carrier: ClassVar[str] = "fedex"
    display_name: ClassVar[str] = "FedEx"
    default_base_url: ClassVar[str | None] = "https://apis.fedex.com"
    batch_size: ClassVar[int] = 30  # MAX_NUMBERS_PER_REQUEST

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | SecretStr | None = None,
        locale: str | None = "en_US",
        detailed_scans: bool = True,
        **options: Any,
    ) -> None:
        auth = OAuth2ClientCredentials(
            carrier=self.carrier,
            token_path=TOKEN_PATH,
            client_id=client_id or env_credential(CLIENT_ID_ENV),
            client_secret=client_secret or env_credential(CLIENT_SECRET_ENV),
            form=True,  # FedEx wants application/x-www-form-urlencoded [AUTH]
        )
        super().__init__(auth=auth, **options)
        self.locale = locale
        self.detailed_scans = detailed_scans

    # -- the carrier's error shape ----------------------------------------------------------------

    def error_message(self, response: httpx.Response) -> str:
        """FedEx's ``errors[].message`` (with its code), e.g. ``Access token expired. ...
        [NOT.AUTHORIZED.ERROR]``; the base's reading otherwise."""
        messages = [f"{m} [{c}]" if m and c else m or c or "" for c, m in _fedex_errors(response)]
        return "; ".join(messages) if messages else error_text(response)

    def is_quota_exhausted(self, response: httpx.Response) -> bool:
        """A 429 "Daily transaction quota exceeded" (or the per-project daily quota) is spent
        until midnight GMT; a 429 for the 10-second rate window is retried [RATE]."""
        if response.status_code != 429:
            return False
        return "quota" in self.error_message(response).lower()

    # -- endpoints --------------------------------------------------------------------------------

    def track(self, numbers: Sequence[str]) -> list[Any]:
        """Raw Track API replies for `numbers`, one per request of at most 30 numbers.

        Numbers are cleaned (spaces, dashes) and de-duplicated, keeping their order. Each reply is
        what FedEx sent: give it to ``FedExCarrier.parse``. A batch FedEx refuses with a 4xx (not
        401/403/429) comes back as FedEx's errors repeated for each of its numbers (see the module
        notes); the other batches go on.
        """
        if isinstance(numbers, str):
            numbers = [numbers]  # one number, not one per character
        cleaned = list(dict.fromkeys(n for n in (clean_tracking_number(x) for x in numbers) if n))
        payloads = []
        for start in range(0, len(cleaned), MAX_NUMBERS_PER_REQUEST):
            batch = cleaned[start : start + MAX_NUMBERS_PER_REQUEST]
            payloads.append(self._track_batch(batch))
        return payloads

    def _track_batch(self, batch: list[str]) -> Any:
        body = {
            "includeDetailedScans": self.detailed_scans,
            "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in batch],
        }
        headers = {"x-locale": self.locale} if self.locale else {}
        label = _numbers_label(batch)
        response = self.request(
            "POST",
            TRACK_PATH,
            json=body,
            headers=headers,
            tracking_number=label,
            accept_statuses=_BATCH_REFUSED,
        )
        if response.status_code in _BATCH_REFUSED:
            return self._refused(batch, response)
        return self._json(response, label)

    def _refused(self, batch: list[str], response: httpx.Response) -> dict[str, Any]:
        """FedEx's refusal of a whole batch, as one error per number of the batch."""
        found = _fedex_errors(response) or [(None, error_text(response))]
        data = response_json(response)
        reply: dict[str, Any] = {"errors": []}
        if isinstance(data, dict) and isinstance(data.get("transactionId"), str):
            reply["transactionId"] = data["transactionId"]
        for number in batch:
            for code, message in found:
                entry: dict[str, Any] = {
                    "message": f"FedEx refused the request for {len(batch)} number(s) with HTTP"
                    f" {response.status_code}: {safe_message(message or code or '', self.secrets())}",
                    "parameterList": [{"key": "trackingNumber", "value": number}],
                }
                if code:
                    entry["code"] = code
                reply["errors"].append(entry)
        return reply


def _numbers_label(batch: list[str]) -> str:
    """How a batch is named in an error: the number, or the first ones and a count."""
    if len(batch) <= 3:
        return ", ".join(batch)
    return f"{', '.join(batch[:2])} and {len(batch) - 2} more"


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _fedex_errors(response: httpx.Response) -> list[tuple[str | None, str | None]]:
    """``(code, message)`` of each entry of a FedEx ``ErrorResponseVO`` body."""
    data = response_json(response)
    errors = data.get("errors") if isinstance(data, dict) else None
    found: list[tuple[str | None, str | None]] = []
    for item in errors if isinstance(errors, list) else ():
        if not isinstance(item, dict):
            continue
        code, message = (_text(item.get(key)) for key in ("code", "message"))
        if message or code:
            found.append((code or None, message or None))
    return found


if TYPE_CHECKING:  # the client is what `tracklingo.track` expects of a carrier's client()
    _satisfies: type[TrackingClient] = FedExClient
