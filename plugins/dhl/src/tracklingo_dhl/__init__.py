"""tracklingo-dhl: the DHL adapter for tracklingo.

Covers DHL Express, DHL eCommerce and DHL Parcel Germany through DHL's Unified Shipment Tracking
API: a declarative vocabulary (``vocabulary.toml``), a pure parser for the API's responses, number
detection with check digits, and an API client. Loaded through the ``tracklingo`` entry point
``dhl = "tracklingo_dhl"``.
"""

from __future__ import annotations

from collections.abc import Callable

from tracklingo.adapter import Carrier, hookimpl
from tracklingo_dhl.carrier import DHLCarrier
from tracklingo_dhl.client import DHLClient

__all__ = ["DHLCarrier", "DHLClient", "tracklingo_register_carriers"]

__version__ = "0.1.0"


@hookimpl
def tracklingo_register_carriers(register: Callable[[Carrier], None]) -> None:
    """Register the DHL carrier."""
    register(DHLCarrier())
