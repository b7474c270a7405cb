"""Client for DHL's Shipment Tracking - Unified API, on the core's httpx base (`tracklingo.http`).

- ``GET https://api-eu.dhl.com/track/shipments?trackingNumber=...[&service=...]`` with the app's
  API key in header ``DHL-API-Key``; one tracking number per call [SPEC].
- Errors are problem+json (RFC 7807): 404 ``No result found`` (unknown, malformed or not yet in
  the system) [M2-23]; 401 bad key [FAQ]; 429 ``Too Many Requests`` [DELIV-68]; and 500 for some
  purged numbers: DHL says a purged number may answer 404 or 500, 500 being the likelier [PURGE].
  So a 500 is DHL's answer about that number, not an outage: it is not retried, and `track` hands
  it back like a 404 (``DHLCarrier.parse`` makes it that number's error) while the other numbers
  of the call go on.
- Quotas: the initial level allows 250 calls per day and 1 call per second [QUOTA]; daily quotas
  reset at 24:00 GMT [FAQ]. DHL does not document a distinct body for "daily quota spent" (the
  429 body is the same ``Too many requests within defined time period``) nor whether it sends
  ``Retry-After``. So: a 429 is retried with backoff (honouring ``Retry-After``, in seconds or as
  an HTTP-date); a 429 whose ``Retry-After`` is longer than the client will wait, or whose text
  speaks of a quota, is the daily quota and is not retried; and a 429 that persists through every
  retry (spread over several seconds, far beyond the 1-call-per-second window) is reported as the
  daily quota being spent, in plain words. Calls for several numbers are paced one second apart.

Environment: ``TRACKLINGO_DHL_API_KEY`` (required), ``TRACKLINGO_DHL_BASE_URL`` (optional: a
sandbox, a mock such as https://dhl-shipment-tracking.mock.beeceptor.com, or a local fake).

Sources: [SPEC] https://developer.dhl.com/api-reference/shipment-tracking (the Unified API
reference); [M2-23] https://github.com/netresearch/dhl-shipping-m2/issues/23; [FAQ]
https://support-developer.dhl.com/support/solutions/folders/47000779436/page/2; [DELIV-68]
https://github.com/itsvic-dev/deliveries/issues/68; [PURGE]
https://support-developer.dhl.com/support/solutions/articles/47001248667; [QUOTA]
https://support.wesupplylabs.com/hc/en-us/articles/360060159932-How-To-Set-Up-My-DHL-Carrier-Integration
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Final

import httpx

from tracklingo.adapter import (
    RETRY_STATUSES,
    ApiKeyHeader,
    CarrierAPIError,
    CarrierClient,
    ConfigError,
    InputError,
    QuotaExceededError,
    TrackingClient,
    error_text,
    response_json,
    retry_after_seconds,
    safe_message,
)

__all__ = ["API_KEY_ENV", "TRACK_PATH", "DHLClient"]

API_KEY_ENV: Final = "TRACKLINGO_DHL_API_KEY"
TRACK_PATH: Final = "/track/shipments"
#: DHL's initial level: at most one call per second [QUOTA].
MIN_INTERVAL: Final = 1.0
#: DHL's initial daily quota [QUOTA], for the message when it is spent.
INITIAL_DAILY_QUOTA: Final = 250
#: Statuses whose problem+json body is DHL's answer about the number asked for [M2-23] [PURGE].
PER_NUMBER_STATUSES: Final = frozenset({404, 500})

_SERVICE_RE: Final = re.compile(r"^[a-z][a-z0-9-]{1,40}$")
_QUOTA_WORDS: Final = re.compile(r"quota|per day|daily|day limit", re.IGNORECASE)


def _check_service(service: str | None) -> str | None:
    if service is None:
        return None
    value = service.strip().lower()
    if not value:
        return None
    if not _SERVICE_RE.match(value):
        raise ConfigError(
            f"dhl: invalid service {service!r}: use a Unified API service such as express,"
            " parcel-de, ecommerce, freight or dgf"
        )
    return value


def _until_reset(now: datetime) -> str:
    """``"in 5 h 12 min"`` until the next 24:00 GMT."""
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    minutes = max(1, int((midnight - now).total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    return f"in {hours} h {minutes} min" if hours else f"in {minutes} min"


class DHLClient(CarrierClient):
    """DHL Shipment Tracking - Unified API client.

    Args:
        api_key: the app's API key (default: ``TRACKLINGO_DHL_API_KEY``).
        service: default ``service`` filter (``express``, ``parcel-de``, ``ecommerce``...); DHL
            recommends sending it when known, as the number alone can resolve to another division.
        language: ISO 639-1 preference for the event texts (DHL's default is ``en``).
        requester_country_code: ISO alpha-2 of the caller, which DHL uses to optimise answers.
        min_interval: seconds between two calls of one `track` (DHL allows 1 call per second).
        clock: the monotonic clock of the pacing and of the deadline (tests pass a fake).
        **kwargs: the base's options (``base_url``, ``timeout``, ``max_attempts``,
            ``max_retry_wait``, ``deadline``, ``max_body_bytes``, ``transport``, ``sleep``).
    """

    carrier: ClassVar[str] = "dhl"
    display_name: ClassVar[str] = "DHL"
    default_base_url: ClassVar[str | None] = "https://api-eu.dhl.com"
    retry_statuses: ClassVar[frozenset[int]] = RETRY_STATUSES - {500}  # DHL's 500 is an answer

    def __init__(
        self,
        *,
        api_key: str | None = None,
        service: str | None = None,
        language: str | None = None,
        requester_country_code: str | None = None,
        min_interval: float = MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        **kwargs: Any,
    ) -> None:
        key = (api_key or "").strip() or _env_key()
        self.service = _check_service(service)
        self.language = language.strip() if language and language.strip() else None
        self.requester_country_code = (
            requester_country_code.strip().upper()
            if requester_country_code and requester_country_code.strip()
            else None
        )
        self.min_interval = max(0.0, float(min_interval))
        self._pause: Callable[[float], None] = kwargs.get("sleep") or _sleep
        self._clock = clock
        self._now = now
        self._last_call: float | None = None
        super().__init__(auth=ApiKeyHeader("DHL-API-Key", key), clock=clock, **kwargs)

    # -- the carrier's error shape ---------------------------------------------------------------

    def error_message(self, response: httpx.Response) -> str:
        """DHL's problem+json ``title: detail``, else the core's reading of the body."""
        data = response_json(response)
        said = ""
        if isinstance(data, dict):
            parts = (data.get("title"), data.get("detail"))
            said = ": ".join(dict.fromkeys(p.strip() for p in parts if isinstance(p, str) and p.strip()))
        if not said:
            said = error_text(response)
        if response.status_code in (401, 403):
            return (
                f"DHL rejected the API key ({said}); check {API_KEY_ENV}: it must be the API key"
                " of an app subscribed to Shipment Tracking - Unified"
            )
        return said

    def is_quota_exhausted(self, response: httpx.Response) -> bool:
        """A 429 that waiting a little will not fix: a long ``Retry-After`` (seconds or an
        HTTP-date) or quota wording."""
        if response.status_code != 429:
            return False
        seconds = retry_after_seconds(response.headers.get("Retry-After"))
        if seconds is not None and seconds > min(self.max_retry_wait, self.deadline):
            return True
        return bool(_QUOTA_WORDS.search(self.error_message(response)))

    # -- tracking --------------------------------------------------------------------------------

    def track(self, numbers: Sequence[str], service: str | None = None) -> list[Any]:
        """The raw Unified API response for each number, in order (one call per number).

        A number DHL does not know (HTTP 404) or has purged (HTTP 500) yields DHL's problem+json
        body, which ``DHLCarrier.parse`` turns into that number's error, so it does not stop the
        others. Other failures raise `CarrierAPIError` / `QuotaExceededError`.
        """
        if isinstance(numbers, str):
            numbers = [numbers]
        chosen = _check_service(service) if service is not None else self.service
        payloads: list[Any] = []
        for raw in numbers:
            number = "".join(str(raw).split())
            if not number:
                raise InputError("dhl: empty tracking number")
            payloads.append(self.track_one(number, service=chosen))
        return payloads

    def track_one(self, number: str, *, service: str | None = None) -> Any:
        """The raw Unified API response for one number (see `track`)."""
        params: dict[str, str] = {"trackingNumber": number}
        if service:
            params["service"] = service
        if self.language:
            params["language"] = self.language
        if self.requester_country_code:
            params["requesterCountryCode"] = self.requester_country_code
        self._pace()
        try:
            response = self.request(
                "GET",
                TRACK_PATH,
                params=params,
                tracking_number=number,
                accept_statuses=PER_NUMBER_STATUSES,
            )
        except QuotaExceededError as exc:
            said = exc.message.removeprefix("request quota exhausted: ")
            raise self._quota_error(
                number, f"the daily request quota of this API key is spent (DHL said: {said})"
            ) from None
        except CarrierAPIError as exc:
            if exc.status_code == 429 and self.max_attempts > 1:
                said = re.sub(r" \(gave up after \d+ attempts\)$", "", exc.message)
                raise self._quota_error(
                    number,
                    "the daily request quota of this API key is most likely spent: DHL still"
                    f" answered HTTP 429 after {self.max_attempts} attempts spread over several"
                    f" seconds, beyond its 1-call-per-second limit (DHL said: {said})",
                ) from None
            raise
        if response.status_code in PER_NUMBER_STATUSES:
            return self._problem(number, response)
        return self._json(response, number)

    # -- internals -------------------------------------------------------------------------------

    def _pace(self) -> None:
        now = self._clock()
        if self._last_call is not None and self.min_interval > 0:
            wait = self.min_interval - (now - self._last_call)
            if wait > 0:
                self._pause(wait)
                now = self._clock()
        self._last_call = now

    def _problem(self, number: str, response: httpx.Response) -> dict[str, Any]:
        """DHL's problem+json answer about `number` (made from the status when the body is not
        one), naming the number so that parse can attribute it."""
        data = response_json(response)
        status = response.status_code
        if isinstance(data, dict) and ("title" in data or "detail" in data):
            body = dict(data)
        else:
            title = "No result found" if status == 404 else response.reason_phrase or f"HTTP {status}"
            body = {"title": title, "status": status, "detail": self._said(response)}
        for key in ("title", "detail"):
            if isinstance(body.get(key), str):
                body[key] = safe_message(body[key], self.secrets())
        if status == 500:
            body["detail"] = (
                f"{body.get('detail') or 'HTTP 500'} (DHL answers HTTP 500 for numbers it has"
                " purged, most about 90 days after delivery)"
            )
        body.setdefault("status", status)
        body.setdefault("instance", f"/shipment/{number}")
        return body

    def _quota_error(self, number: str, what: str) -> QuotaExceededError:
        reset = _until_reset(self._now())
        return QuotaExceededError(
            self.carrier,
            self._safe(
                f"{what}. DHL resets daily quotas at 24:00 GMT ({reset}); the initial level allows"
                f" {INITIAL_DAILY_QUOTA} calls per day and 1 per second (ask for more with"
                " 'Upgrade Rate Limit' on developer.dhl.com)"
            ),
            tracking_number=number,
            status_code=429,
        )


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up when called: a test may replace time.sleep


def _env_key() -> str:
    value = os.environ.get(API_KEY_ENV, "").strip()
    if not value:
        raise ConfigError(
            f"dhl: {API_KEY_ENV} is not set: export the API key of your DHL developer app"
            " (Shipment Tracking - Unified, https://developer.dhl.com)"
        )
    return value


if TYPE_CHECKING:  # the client is what `tracklingo.track` expects of a carrier's client()
    _satisfies: type[TrackingClient] = DHLClient
