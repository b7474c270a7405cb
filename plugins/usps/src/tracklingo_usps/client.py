"""USPS Tracking API v3 client on the core's httpx base (docs/http-client.md).

- ``GET {base}/tracking/v3/tracking/{number}?expand=DETAIL``, one call per number: v3 has no batch
  endpoint (the v3r2 ``POST /tracking/v3r2/tracking`` batch of up to 35 is a different contract,
  not used here) [V3] [V3R2].
- OAuth2 client credentials: ``POST {base}/oauth2/v3/token`` with a JSON body; token cached and
  refreshed once on a 401 (the core base does it) [OAUTH] [RDME]. Credentials come from
  ``TRACKLINGO_USPS_CLIENT_ID`` / ``TRACKLINGO_USPS_CLIENT_SECRET`` (or the constructor).
- Base URL ``https://apis.usps.com``; ``TRACKLINGO_USPS_BASE_URL`` overrides it (the TEM sandbox
  ``https://apis-tem.usps.com``, a local fake server) [V3].
- 429 and 503 may carry ``Retry-After`` [V3]; the base waits for it within the call's deadline, and
  a longer one is an immediate error. A 429 whose text says the quota is exceeded, with no
  ``Retry-After`` the client would wait for, is not retried: USPS's quota is per hour [I107].
- A per-number answer (HTTP 400 "A status update is not yet available", 404 not found) is not an
  exception: `track` returns USPS's error envelope for that number [V3], and `USPSCarrier.parse`
  turns it into a `NumberError` with USPS's text. Auth, quota and server failures raise
  `CarrierAPIError` (which says carrier, number and USPS's message, never a secret).

Sources: [V3] repo karrioapi/karrio ``modules/connectors/usps/karrio/providers/usps/vendor/
usps-tracking.yaml`` (USPS "Package Tracking and Notification" OpenAPI 3.2.4); [V3R2] repo
Thecodergabe/shipstack ``specs/usps/tracking-v3r2_4.yaml``; [OAUTH] repo Thecodergabe/shipstack
``specs/usps/oauth2_3_update.yaml``; [RDME] repo USPS/api-examples ``README.md``; [I107]
https://github.com/USPS/api-examples/issues/107.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

import httpx

from tracklingo.adapter import (
    CarrierClient,
    OAuth2ClientCredentials,
    TrackingClient,
    clean_tracking_number,
    env_credential,
    error_text,
    response_json,
    retry_after_seconds,
)
from tracklingo_usps.detect import WRONG_CHECK_DIGIT, pic_candidates, pic_score
from tracklingo_usps.parser import clean_message

__all__ = ["CLIENT_ID_ENV", "CLIENT_SECRET_ENV", "USPSClient", "api_number"]

CLIENT_ID_ENV: Final = "TRACKLINGO_USPS_CLIENT_ID"
CLIENT_SECRET_ENV: Final = "TRACKLINGO_USPS_CLIENT_SECRET"
TRACKING_PATH: Final = "/tracking/v3/tracking/{number}"
TOKEN_PATH: Final = "/oauth2/v3/token"

#: HTTP statuses whose USPS error body is about the one number asked for [V3].
PER_NUMBER_STATUSES: Final = frozenset({400, 404})
#: v3r2 documents tracking numbers as 4-34 letters and digits [V3R2].
_NUMBER_RE: Final = re.compile(r"^[A-Z0-9]{4,34}$")


def api_number(number: str) -> str:
    """The number as the API wants it: upper case, no spaces/dashes, and without a ``420`` + ZIP
    routing prefix when the rest is a valid USPS number (the prefix routes the parcel; it is not
    part of the tracking number: USPS Publication 199, the IMpb guide)."""
    cleaned = clean_tracking_number(number)
    candidates = pic_candidates(cleaned)
    for pic in candidates[1:]:  # the routing-stripped forms
        if pic_score(pic) > WRONG_CHECK_DIGIT:
            return pic
    return cleaned


class USPSClient(CarrierClient):
    """The USPS Tracking API v3 (see the module notes).

    >>> with USPSClient() as usps:                       # doctest: +SKIP
    ...     payloads = usps.track(["9400111899223197428497"])
    """

    carrier = "usps"
    display_name = "USPS"
    default_base_url = "https://apis.usps.com"

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        scope: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        """`options` go to `CarrierClient` (base_url, timeout, max_attempts, max_retry_wait,
        deadline, max_body_bytes, transport, sleep); `clock` is the token cache's and the
        deadline's clock (tests move it by hand)."""
        auth = OAuth2ClientCredentials(
            carrier="usps",
            token_path=TOKEN_PATH,
            client_id=client_id or env_credential(CLIENT_ID_ENV),
            client_secret=client_secret or env_credential(CLIENT_SECRET_ENV),
            form=False,  # USPS accepts JSON or form bodies; its README uses JSON [OAUTH] [RDME]
            scope=scope,
            clock=clock,
        )
        super().__init__(auth=auth, clock=clock, **options)

    # -- the carrier's error shape ---------------------------------------------------------------

    def error_message(self, response: httpx.Response) -> str:
        """USPS's text from its error envelope (HTML removed), else the core's reading."""
        data = response_json(response)
        if isinstance(data, dict):
            err = data.get("error")
            if isinstance(err, dict):
                items = err.get("errors")
                first = items[0] if isinstance(items, list) and items else None
                candidates = [err.get("message")]
                if isinstance(first, dict):
                    candidates += [first.get("title"), first.get("detail")]
                for value in candidates:
                    if isinstance(value, str) and clean_message(value):
                        return clean_message(value)
        return clean_message(error_text(response)) or "no details"

    def is_quota_exhausted(self, response: httpx.Response) -> bool:
        """A 429 saying the quota is exceeded, with no Retry-After worth waiting for."""
        if response.status_code != 429:
            return False
        if "quota" not in self.error_message(response).lower():
            return False
        seconds = retry_after_seconds(response.headers.get("Retry-After"))
        return seconds is None or seconds > min(self.max_retry_wait, self.deadline)

    # -- tracking --------------------------------------------------------------------------------

    def track_one(self, number: str) -> Any:
        """The v3 DETAIL response for one number (or USPS's error envelope for it)."""
        wanted = api_number(number)
        if not _NUMBER_RE.match(wanted):
            return {
                "trackingNumber": number,
                "error": {
                    "code": "invalid",
                    "message": "not sent to USPS: a tracking number is 4-34 letters and digits",
                },
            }
        response = self.request(
            "GET",
            TRACKING_PATH.format(number=wanted),
            params={"expand": "DETAIL"},
            tracking_number=wanted,
            accept_statuses=PER_NUMBER_STATUSES,
        )
        if response.status_code in PER_NUMBER_STATUSES:
            data = response_json(response)
            if not (isinstance(data, dict) and isinstance(data.get("error"), dict)):
                data = {"apiVersion": "/tracking/v3", "error": {"code": str(response.status_code)}}
            error = {**data["error"], "message": self._said(response)}
            return {**data, "trackingNumber": data.get("trackingNumber") or wanted, "error": error}
        payload = self._json(response, wanted)
        if isinstance(payload, dict) and "error" in payload and "trackingNumber" not in payload:
            payload = {**payload, "trackingNumber": wanted}
        return payload

    def track(self, numbers: Sequence[str]) -> list[Any]:
        """One raw v3 response per number, in order; each is read by `USPSCarrier.parse`."""
        if isinstance(numbers, str):
            numbers = [numbers]
        return [self.track_one(n) for n in numbers]


if TYPE_CHECKING:  # the client is what `tracklingo.track` expects of a carrier's client()
    _satisfies: type[TrackingClient] = USPSClient
