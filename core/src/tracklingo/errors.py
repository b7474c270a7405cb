"""The project's typed errors. Every message is one line and never contains a secret."""

from __future__ import annotations


class TracklingoError(Exception):
    """Base class of every error tracklingo raises on purpose."""


class VocabularyError(TracklingoError):
    """A vocabulary file or rule is invalid (unknown stage, bad pattern, missing source...)."""


class PluginError(TracklingoError):
    """A plugin failed to load or register (raised only in strict mode)."""


class ParseError(TracklingoError):
    """A carrier payload could not be understood by the parser that was asked to read it."""

    def __init__(self, carrier: str, message: str) -> None:
        super().__init__(f"{carrier}: {message}")
        self.carrier = carrier
        self.message = message


class AdapterError(ParseError):
    """A plugin's code (an adapter's hook, its import or registration, its API client) raised
    something that is not one of tracklingo's errors: the core's guard (`tracklingo.guard`)
    turned it into this, so it costs that record or that plugin and not the host. `carrier` is
    the carrier or plugin; `original` is what it raised (also the ``__cause__``; the
    conformance kit and the plugin loader report it)."""

    def __init__(self, carrier: str, message: str, original: BaseException) -> None:
        super().__init__(carrier, message)
        self.original = original


class InputError(TracklingoError):
    """A record or file given to tracklingo is unusable (missing field, bad timestamp, no file)."""


class UnknownCarrierError(InputError):
    """No installed plugin registers this carrier name."""


class ConfigError(TracklingoError):
    """Configuration is missing or wrong (e.g. an API credential is not set)."""


class CarrierAPIError(TracklingoError):
    """A carrier API answered with an error: which carrier, which number, what the carrier said."""

    def __init__(
        self,
        carrier: str,
        message: str,
        *,
        tracking_number: str | None = None,
        status_code: int | None = None,
        retryable: bool = False,
    ) -> None:
        where = f" for {tracking_number}" if tracking_number else ""
        http = f" (HTTP {status_code})" if status_code else ""
        super().__init__(f"{carrier} API error{where}{http}: {message}")
        self.carrier = carrier
        self.tracking_number = tracking_number
        self.status_code = status_code
        self.message = message
        self.retryable = retryable


class QuotaExceededError(CarrierAPIError):
    """The carrier's request quota is spent; retrying now will not help."""


class StoreError(TracklingoError):
    """The store cannot be opened or used (missing directory, not a tracklingo store, too new...)."""


class AuthenticationError(CarrierAPIError):
    """The carrier refused the credentials (its token endpoint, or HTTP 401/403 from the API)."""
