"""tracklingo-usps: the USPS adapter for tracklingo.

Registers the ``usps`` carrier through the ``tracklingo`` entry-point group: its vocabulary
(``vocabulary.toml``), the Tracking API v3 parser (`USPSCarrier.parse` / `sniff`), IMpb and S10
number detection (`USPSCarrier.detect`) and the OAuth2 API client (`USPSClient`).
"""

from __future__ import annotations

from collections.abc import Callable

from tracklingo.adapter import Carrier, hookimpl
from tracklingo_usps.carrier import USPSCarrier
from tracklingo_usps.client import USPSClient

__all__ = ["USPSCarrier", "USPSClient", "__version__", "tracklingo_register_carriers"]

__version__ = "0.1.0"


@hookimpl
def tracklingo_register_carriers(register: Callable[[Carrier], None]) -> None:
    """Register the USPS carrier."""
    register(USPSCarrier())
