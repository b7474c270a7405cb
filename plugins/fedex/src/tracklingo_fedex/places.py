"""Where FedEx says a parcel is: its address objects (``scanLocation``, delivery addresses) read
as `Place`. Pure functions, no I/O; shapes as in `tracklingo_fedex.parser`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tracklingo.adapter import Place, dig, mapping, text

_PLACE_KEYS: Final = ("city", "stateOrProvinceCode", "postalCode", "countryCode", "countryName")


def _place(data: Mapping[str, Any] | None) -> Place | None:
    if data is None:
        return None
    get = data.get
    return Place(
        city=get("city"),
        region=get("stateOrProvinceCode"),
        postal_code=get("postalCode"),
        country=get("countryCode"),
        country_name=get("countryName"),
    )


def _located(data: Mapping[str, Any] | None) -> bool:
    return data is not None and any(text(data.get(key)) is not None for key in _PLACE_KEYS)


def _delivery_address(result: Mapping[str, Any]) -> Place | None:
    """Where FedEx says the parcel was delivered, for a ``DL`` scan whose ``scanLocation`` is
    empty (only ``streetLines: [""]`` and ``residential``, as in captured duplicate-number
    replies): ``deliveryDetails.actualDeliveryAddress``, else ``lastUpdatedDestinationAddress``
    (the destination as last updated, so a redirect counts). FedEx's own fields; nothing guessed."""
    for value in (
        dig(result, "deliveryDetails", "actualDeliveryAddress"),
        result.get("lastUpdatedDestinationAddress"),
    ):
        address = mapping(value)
        if _located(address):
            return _place(address)
    return None
