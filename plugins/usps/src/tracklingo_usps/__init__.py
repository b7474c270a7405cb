"""tracklingo-usps: the USPS adapter for tracklingo.

Registers the ``usps`` carrier through the ``tracklingo`` entry-point group: its vocabulary
(``vocabulary.toml``), the Tracking API v3 parser (`USPSCarrier.parse` / `sniff`), IMpb and S10
number detection (`USPSCarrier.detect`) and the OAuth2 API client (`USPSClient`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracklingo.adapter import Carrier, hookimpl
from tracklingo_usps.carrier import USPSCarrier

if TYPE_CHECKING:  # the client is exported lazily (`__getattr__`): it imports httpx and tenacity
    from tracklingo_usps.client import USPSClient

__all__ = ["USPSCarrier", "USPSClient", "__version__", "tracklingo_register_carriers"]

__version__ = "0.1.0"


@hookimpl
def tracklingo_register_carriers(register: Callable[[Carrier], None]) -> None:
    """Register the USPS carrier."""
    register(USPSCarrier())


def __getattr__(name: str) -> Any:
    """`USPSClient` on first use (PEP 562): registering the carrier must not import the HTTP stack."""
    if name == "USPSClient":
        from tracklingo_usps.client import USPSClient

        return USPSClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
