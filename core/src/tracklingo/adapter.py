"""Everything a carrier adapter may use from tracklingo, in one module.

A plugin imports from here and from nowhere else in the core (the project's tests check every
plugin and the scaffold for it), so the core can change its insides without breaking adapters:

    from tracklingo.adapter import Carrier, Contact, Place, Reading, Scan, Shipment, hookimpl

- the contract: `Carrier` (the abstract base class and its hooks), `Contact`, `hookimpl` for the
  ``tracklingo_register_carriers`` hook;
- what `Carrier.read` returns: `Reading`, `Shipment`, `Scan`, `Place`, `NumberError`, `Handoff`
  (`ScanTuple` / `PlaceTuple`: their fields in order as plain tuples, for a hot loop);
- declared options: `MidnightRule` (when a carrier's midnight is a date only);
- `local_time`: a date, a clock time and an offset written apart, as the `Scan.time` /
  `Scan.utc_offset` the core reads (the core resolves the time);
- errors: `ParseError` (the only one `read` should raise), `InputError`, `ConfigError`,
  `CarrierAPIError`, `QuotaExceededError`, `AuthenticationError`, `TracklingoError`;
- field accessors for walking JSON (`tracklingo.fields`): `text`, `string`, `text_of`,
  `number_of`, `mapping`, `items`, `dig`, `short`, `FieldError`;
- `country_of`: the ISO country a `Place` names (for a payload decision such as "bound for the
  US"; the core places the events itself);
- number checks for `detect`: `clean_tracking_number`, `mod10_ok`, `mod10_check_digit`, `mod7_ok`,
  `mod11_ok`, `parse_s10`, `S10`, `MIN_CONFIDENCE`, `ASSIGN_CONFIDENCE`;
- the canonical names a reader may want in type hints: `TrackingEvent`, `ParseResult`, `Stage`,
  `Reason`, `FlatRecord`;
- for an API client (loaded on first use, so adapters do not import httpx until they track):
  `CarrierClient`, `CarrierAuth`, `OAuth2ClientCredentials`, `ApiKeyHeader`, `env_credential`,
  `RETRY_STATUSES`, `TrackingClient` (what ``Carrier.client`` returns), `error_text`,
  `response_json`, `safe_message`, `retry_after_seconds` (`tracklingo.http`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracklingo.carrier import Carrier, Contact
from tracklingo.checkdigits import (
    S10,
    clean_tracking_number,
    mod7_ok,
    mod10_check_digit,
    mod10_ok,
    mod11_ok,
    parse_s10,
)
from tracklingo.detection import ASSIGN_CONFIDENCE, MIN_CONFIDENCE
from tracklingo.errors import (
    AuthenticationError,
    CarrierAPIError,
    ConfigError,
    InputError,
    ParseError,
    QuotaExceededError,
    TracklingoError,
)
from tracklingo.events import ParseResult
from tracklingo.fields import FieldError, dig, items, mapping, number_of, short, string, text, text_of
from tracklingo.hookspecs import hookimpl
from tracklingo.model import Handoff, TrackingEvent
from tracklingo.normalize import FlatRecord
from tracklingo.places import country_of
from tracklingo.scans import NumberError, Place, PlaceTuple, Reading, Scan, ScanTuple, Shipment
from tracklingo.taxonomy import Reason, Stage
from tracklingo.times import MidnightRule, local_time

if TYPE_CHECKING:
    from tracklingo.http import (
        RETRY_STATUSES,
        ApiKeyHeader,
        CarrierAuth,
        CarrierClient,
        OAuth2ClientCredentials,
        TrackingClient,
        env_credential,
        error_text,
        response_json,
        retry_after_seconds,
        safe_message,
    )

__all__ = [
    "ASSIGN_CONFIDENCE",
    "MIN_CONFIDENCE",
    "RETRY_STATUSES",
    "S10",
    "ApiKeyHeader",
    "AuthenticationError",
    "Carrier",
    "CarrierAPIError",
    "CarrierAuth",
    "CarrierClient",
    "ConfigError",
    "Contact",
    "FieldError",
    "FlatRecord",
    "Handoff",
    "InputError",
    "MidnightRule",
    "NumberError",
    "OAuth2ClientCredentials",
    "ParseError",
    "ParseResult",
    "Place",
    "PlaceTuple",
    "QuotaExceededError",
    "Reading",
    "Reason",
    "Scan",
    "ScanTuple",
    "Shipment",
    "Stage",
    "TrackingClient",
    "TrackingEvent",
    "TracklingoError",
    "clean_tracking_number",
    "country_of",
    "dig",
    "env_credential",
    "error_text",
    "hookimpl",
    "items",
    "local_time",
    "mapping",
    "mod7_ok",
    "mod10_check_digit",
    "mod10_ok",
    "mod11_ok",
    "number_of",
    "parse_s10",
    "response_json",
    "retry_after_seconds",
    "safe_message",
    "short",
    "string",
    "text",
    "text_of",
]

_HTTP = frozenset(
    {
        "RETRY_STATUSES",
        "ApiKeyHeader",
        "CarrierAuth",
        "CarrierClient",
        "OAuth2ClientCredentials",
        "TrackingClient",
        "env_credential",
        "error_text",
        "response_json",
        "retry_after_seconds",
        "safe_message",
    }
)


def __getattr__(name: str) -> Any:
    if name in _HTTP:  # the HTTP base imports httpx: only when an adapter builds a client
        from tracklingo import http

        return getattr(http, name)
    raise AttributeError(f"module 'tracklingo.adapter' has no attribute {name!r}")
