"""Where a sentence form's place goes: the parts of a place written after a status.

The same split the vocabulary engine applies to a pattern's captured place (kept here, over the
public `tracklingo.countries` tables, so the open world depends on no private helper of the
engine): ``CITY, ST [ZIP]`` with a US state → city, region, postal code and country US;
``CITY - COUNTRY`` with a known country → city and country; anything else → facility.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from tracklingo.countries import US_STATES, country_code

__all__ = ["place_parts"]

_CITY_STATE: Final = re.compile(
    r"^(?P<city>[A-Z0-9 .'/-]+?),?\s+(?P<region>[A-Z]{2})(?:\s+(?P<postal_code>\d{5}(?:-\d{4})?))?$"
)
_CITY_COUNTRY: Final = re.compile(r"^(?P<city>.+?)\s+-\s+(?P<country>[A-Z][A-Z ,.'()]+)$")


def place_parts(place: str) -> Mapping[str, str]:
    """The location parts of `place` (stripped of surrounding punctuation).

    >>> dict(place_parts("ARLINGTON, TN 38002"))
    {'city': 'ARLINGTON', 'region': 'TN', 'postal_code': '38002', 'country': 'US'}
    >>> dict(place_parts("LEIPZIG - GERMANY"))
    {'city': 'LEIPZIG', 'country': 'GERMANY'}
    """
    place = place.strip(" ,.-")
    m = _CITY_STATE.match(place)
    if m is not None and m.group("region") in US_STATES:
        parts = {k: v for k, v in m.groupdict().items() if v}
        return MappingProxyType({**parts, "country": "US"})
    m = _CITY_COUNTRY.match(place)
    if m is not None and country_code(m.group("country")):
        return MappingProxyType({"city": m.group("city"), "country": m.group("country")})
    return MappingProxyType({"facility": place})
