"""tracklingo-dhl: the DHL adapter for tracklingo.

Covers DHL Express, DHL eCommerce and DHL Parcel Germany through DHL's Unified Shipment Tracking
API: a declarative vocabulary (``vocabulary.toml``), a pure parser for the API's responses, number
detection with check digits, and an API client. Loaded through the ``tracklingo`` entry point
``dhl = "tracklingo_dhl"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracklingo.adapter import Carrier, hookimpl
from tracklingo_dhl.carrier import DHLCarrier

if TYPE_CHECKING:  # the client is exported lazily (`__getattr__`): it imports httpx and tenacity
    from tracklingo_dhl.client import DHLClient

__all__ = ["DHLCarrier", "DHLClient", "tracklingo_register_carriers"]

__version__ = "0.1.0"


@hookimpl
def tracklingo_register_carriers(register: Callable[[Carrier], None]) -> None:
    """Register the DHL carrier."""
    register(DHLCarrier())


def __getattr__(name: str) -> Any:
    """`DHLClient` on first use (PEP 562): registering the carrier must not import the HTTP stack."""
    if name == "DHLClient":
        from tracklingo_dhl.client import DHLClient

        return DHLClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
