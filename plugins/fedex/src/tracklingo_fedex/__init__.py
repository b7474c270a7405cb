"""tracklingo-fedex: the FedEx adapter for tracklingo.

FedEx scan vocabulary (``vocabulary.toml``), the Track API v1 parser (`parser`), number detection
with check digits (`detect`) and the Track API client (`client`). Registered through the
``tracklingo`` entry point ``fedex = "tracklingo_fedex"``.
"""

from __future__ import annotations

from collections.abc import Callable

from tracklingo.adapter import Carrier, hookimpl
from tracklingo_fedex.carrier import FedExCarrier
from tracklingo_fedex.client import FedExClient

__all__ = ["FedExCarrier", "FedExClient", "tracklingo_register_carriers"]
__version__ = "0.1.0"


@hookimpl
def tracklingo_register_carriers(register: Callable[[Carrier], None]) -> None:
    """Register the FedEx carrier with the host."""
    register(FedExCarrier())
