"""tracklingo-fedex: the FedEx adapter for tracklingo.

FedEx scan vocabulary (``vocabulary.toml``), the Track API v1 parser (`parser`), number detection
with check digits (`detect`) and the Track API client (`client`). Registered through the
``tracklingo`` entry point ``fedex = "tracklingo_fedex"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tracklingo.adapter import Carrier, hookimpl
from tracklingo_fedex.carrier import FedExCarrier

if TYPE_CHECKING:  # the client is exported lazily (`__getattr__`): it imports httpx and tenacity
    from tracklingo_fedex.client import FedExClient

__all__ = ["FedExCarrier", "FedExClient", "tracklingo_register_carriers"]
__version__ = "0.1.0"


@hookimpl
def tracklingo_register_carriers(register: Callable[[Carrier], None]) -> None:
    """Register the FedEx carrier with the host."""
    register(FedExCarrier())


def __getattr__(name: str) -> Any:
    """`FedExClient` on first use (PEP 562): registering the carrier must not import the HTTP stack."""
    if name == "FedExClient":
        from tracklingo_fedex.client import FedExClient

        return FedExClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
