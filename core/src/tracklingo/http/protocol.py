"""`TrackingClient`: what a carrier's ``client()`` returns, whatever it is built on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["TrackingClient"]


@runtime_checkable
class TrackingClient(Protocol):
    """A carrier API client as `tracklingo.track` uses it (every `CarrierClient` subclass of the
    built-in plugins is one).

    - ``track(numbers)`` returns the carrier's raw replies, each one readable by the carrier's
      ``parse``. A failure that concerns only some numbers (a number the carrier does not know, a
      rejected batch) comes back as an error reply that ``parse`` turns into a `NumberError` for
      each of them; a failure of the whole call (credentials refused, quota spent, server down or
      past the deadline) raises `tracklingo.CarrierAPIError`.
    - ``batch_size`` is how many numbers one request carries: `tracklingo.track` passes at most
      that many to each ``track`` call, so a failure loses no reply already received.
    - ``close()`` releases connections; `tracklingo.track` calls it when done.
    """

    @property
    def batch_size(self) -> int:
        """How many tracking numbers one request carries."""
        ...

    def track(self, numbers: Sequence[str]) -> list[Any]:
        """The carrier's raw replies for `numbers` (see the class notes)."""
        ...

    def close(self) -> None:
        """Release the client's connections."""
        ...
