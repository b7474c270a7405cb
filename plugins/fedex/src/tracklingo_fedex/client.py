"""FedEx Track API v1 client on the core's httpx base (`tracklingo.http`, docs/http-client.md).

- OAuth2 client credentials, form-encoded, ``POST /oauth/token`` (fedex.md 1.2; FDX-AUTH), from
  ``TRACKLINGO_FEDEX_CLIENT_ID`` / ``TRACKLINGO_FEDEX_CLIENT_SECRET``; the token is cached by the
  base until shortly before ``expires_in`` (FedEx: 3599 s) and refreshed once on a 401.
- ``POST /track/v1/trackingnumbers`` with at most 30 numbers per request (fedex.md 1.4).
- Production ``https://apis.fedex.com``; ``TRACKLINGO_FEDEX_BASE_URL`` overrides it (the sandbox
  ``https://apis-sandbox.fedex.com`` or a local fake).
- 429 and 5xx are retried by the base honouring ``Retry-After``; a 429 that says "Daily transaction
  quota exceeded" (fedex.md 1.7; FDX-RATE) is not retried: `QuotaExceededError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Final

import httpx
from pydantic import SecretStr

from tracklingo.checkdigits import clean_number
from tracklingo.http import CarrierClient, OAuth2ClientCredentials, env_credential

__all__ = ["MAX_NUMBERS_PER_REQUEST", "FedExClient"]

#: ``trackingInfo`` takes at most 30 entries (TRK-SPEC ``Full_Schema_Tracking_Numbers``).
MAX_NUMBERS_PER_REQUEST: Final = 30
TRACK_PATH: Final = "/track/v1/trackingnumbers"
TOKEN_PATH: Final = "/oauth/token"
CLIENT_ID_ENV: Final = "TRACKLINGO_FEDEX_CLIENT_ID"
CLIENT_SECRET_ENV: Final = "TRACKLINGO_FEDEX_CLIENT_SECRET"


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
            ``max_attempts``, ``max_retry_wait``, ``transport``, ``sleep``).
    """

    carrier: ClassVar[str] = "fedex"
    default_base_url: ClassVar[str | None] = "https://apis.fedex.com"

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
            form=True,  # FedEx wants application/x-www-form-urlencoded (fedex.md 1.2)
        )
        super().__init__(auth=auth, **options)
        self.locale = locale
        self.detailed_scans = detailed_scans

    # -- the carrier's error shape ----------------------------------------------------------------

    def error_message(self, response: httpx.Response) -> str:
        """FedEx's ``errors[].message`` (with its code), e.g. ``Access token expired. ...
        [NOT.AUTHORIZED.ERROR]``; the base's reading otherwise."""
        messages = _fedex_errors(response)
        return "; ".join(messages) if messages else super().error_message(response)

    def is_quota_exhausted(self, response: httpx.Response) -> bool:
        """A 429 "Daily transaction quota exceeded" (or the per-project daily quota) is spent
        until midnight GMT; a 429 for the 10-second rate window is retried (fedex.md 1.7)."""
        if response.status_code != 429:
            return False
        text = " ".join(_fedex_errors(response)) or response.text[:500]
        return "quota" in text.lower()

    # -- endpoints --------------------------------------------------------------------------------

    def track(self, numbers: Sequence[str]) -> list[Any]:
        """Raw Track API replies for `numbers`, one per request of at most 30 numbers.

        Numbers are cleaned (spaces, dashes) and de-duplicated, keeping their order. Each reply is
        what FedEx sent: give it to ``FedExCarrier.parse``.
        """
        if isinstance(numbers, str):
            numbers = [numbers]  # one number, not one per character
        cleaned = list(dict.fromkeys(n for n in (clean_number(x) for x in numbers) if n))
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
        return self.post_json(TRACK_PATH, json=body, headers=headers, tracking_number=_numbers_label(batch))


def _numbers_label(batch: list[str]) -> str:
    """How a batch is named in an error: the number, or the first ones and a count."""
    if len(batch) <= 3:
        return ", ".join(batch)
    return f"{', '.join(batch[:2])} and {len(batch) - 2} more"


def _fedex_errors(response: httpx.Response) -> list[str]:
    """``message [code]`` for each entry of a FedEx ``ErrorResponseVO`` body."""
    try:
        data = response.json()
    except ValueError:
        return []
    errors = data.get("errors") if isinstance(data, dict) else None
    found = []
    for item in errors if isinstance(errors, list) else ():
        if not isinstance(item, dict):
            continue
        code = item.get("code") if isinstance(item.get("code"), str) else None
        message = item.get("message") if isinstance(item.get("message"), str) else None
        if message and code:
            found.append(f"{message.strip()} [{code.strip()}]")
        elif message or code:
            found.append((message or code or "").strip())
    return found
