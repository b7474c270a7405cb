"""Places: a carrier's place parts (`tracklingo.scans.Place`) become a canonical `Location`.

Carriers write places three ways besides clean fields, and this module is the one that reads them:

- a **label** in a city field (`split_label`): a city, a postal facility with its city and state
  ("OAK CREEK WI DISTRIBUTION CENTER"; "ISC NEW YORK NY(USPS)", an International Service
  Center), or a foreign office of exchange ("TOKYO INT V BAG 2"). USPS writes eventCity this way:
  plant names and ISC labels come with no eventState (captured USPS Tracking API v3 responses,
  repo karrioapi/karrio modules/connectors/usps/tests; USPS Publication 199 names the ISCs);
- a **locality** line (`split_locality`): "CITY - COUNTRY NAME", "CITY-COUNTRY" (MyDHL),
  "CITY, ST - USA", "City, ST, US" (DHL eCommerce), a country name alone ("Deutschland"), or a
  city. DHL's Unified API writes ``addressLocality`` this way (DHL Shipment Tracking - Unified
  API, https://developer.dhl.com/api-reference/shipment-tracking, response samples);
- a **trailing place** after a known phrase in an event text (`split_trailing`): "Arrived at
  FedEx location MEMPHIS, TN", "Departed Facility in LEIPZIG - GERMANY": "CITY, ST [ZIP]" with a
  US state, "CITY - COUNTRY NAME", else a facility name.

`locate` combines the explicit parts with what a label or locality says (explicit parts win),
converts the country to ISO 3166-1 alpha-2 (`tracklingo.countries.country_code`) and, for a
carrier at home in the US, gives a US state without a country its country. One `Location` per
distinct place, in a bounded memo: feeds repeat places.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from tracklingo._construct import construct
from tracklingo.countries import US_STATES, country_code
from tracklingo.fields import FieldError, text_of
from tracklingo.model import Location
from tracklingo.scans import PLACE_SIZE, Place

__all__ = [
    "city_names",
    "country_of",
    "is_isc_label",
    "locate",
    "split_label",
    "split_locality",
    "split_trailing",
]

_ISC_LABEL: Final = re.compile(r"^\s*ISC\b|\bINTERNATIONAL SERVICE CENTER\b", re.IGNORECASE)
_ISC_PREFIX: Final = re.compile(r"^\s*ISC\s+", re.IGNORECASE)
_STATE_TOKEN: Final = re.compile(r"\b([A-Z]{2})\b")
#: Foreign office-of-exchange labels such as "TOKYO INT", "TOKYO INT V BAG 2".
_FOREIGN_INT: Final = re.compile(r"^(?P<city>[^,]+?)\s+INT\b")
#: US territories with an ISO 3166 code of their own; the military "states" (AA/AE/AP) have none.
_TERRITORY: Final = MappingProxyType(
    {"PR": "PR", "VI": "VI", "GU": "GU", "AS": "AS", "MP": "MP", "FM": "FM", "MH": "MH", "PW": "PW"}
)
_MILITARY: Final = frozenset({"AA", "AE", "AP"})
#: Countries whose labels are written the US way (USPS serves them).
_US_SIDE: Final = frozenset({"US", "PR", "VI", "GU", "AS", "MP"})
_STATE: Final = re.compile(r"^[A-Za-z]{2,3}$")
_ALPHA2: Final = re.compile(r"^[A-Za-z]{2}$")
_TRAILING_CITY_STATE: Final = re.compile(
    r"^(?P<city>[A-Z0-9 .'/-]+?),?\s+(?P<region>[A-Z]{2})(?:\s+(?P<postal_code>\d{5}(?:-\d{4})?))?$"
)
_TRAILING_CITY_COUNTRY: Final = re.compile(r"^(?P<city>.+?)\s+-\s+(?P<country>[A-Z][A-Z ,.'()]+)$")


def is_isc_label(label: str | None) -> bool:
    """True for an International Service Center label such as ``ISC NEW YORK NY(USPS)``."""
    if not label:
        return False
    upper = label.upper()  # cheap substring tests first
    if "ISC" not in upper and "INTERNATIONAL SERVICE CENTER" not in upper:
        return False
    return _ISC_LABEL.search(label) is not None


def _state_in(label: str) -> tuple[str | None, str | None, str]:
    """(city, state, rest) of a US facility label: "OAK CREEK WI DISTRIBUTION CENTER" →
    ("OAK CREEK", "WI", "DISTRIBUTION CENTER"); no state found → (None, None, label). The first
    word is part of the name, never its state; an ISC prefix is not part of the city."""
    body = _ISC_PREFIX.sub("", label).strip()
    for token in _STATE_TOKEN.finditer(body):
        if token.start() == 0:
            continue
        state = token.group(1)
        if state in US_STATES:
            city = body[: token.start()].strip(" ,-")
            rest = body[token.end() :].strip(" ,-")
            return city or None, state, rest
    return None, None, label


def split_label(label: str, *, us_side: bool, foreign: bool, region_given: bool) -> dict[str, str]:
    """The parts of a label written in a city field (see the module docstring).

    `us_side`: the place is in the US or a territory, or names no country at all for a carrier at
    home in the US; `foreign`: it names another country; `region_given`: the state is written
    beside it (then only an ISC label is split, into facility and city)."""
    if us_side and (not region_given or is_isc_label(label)):
        city, state, rest = _state_in(label)
        if state is not None:
            if region_given:
                return {"facility": label, "city": city} if city else {"facility": label}
            # a facility (a plant, an ISC) or, with nothing after the state, "SACRAMENTO CA"
            parts = {"facility": label, "region": state} if rest or is_isc_label(label) else {"region": state}
            if city:
                parts["city"] = city
            return parts
    elif foreign:
        m = _FOREIGN_INT.match(label)
        if m is not None:
            return {"facility": label, "city": m.group("city")}
    return {"city": label}


def _city_country(text: str, separators: tuple[str, ...]) -> dict[str, str] | None:
    """ "CITY - COUNTRY NAME" (split at the last separator) → city and ISO country; "CITY, ST -
    USA" keeps the US state; None when the tail is not a country."""
    for sep in separators:
        head, found, tail = text.rpartition(sep)
        if found and head.strip() and tail.strip():
            code = country_code(tail)
            if code is not None:
                city = head.strip(" -")
                town, comma, state = city.rpartition(",")
                if code == "US" and comma and town.strip() and state.strip().upper() in US_STATES:
                    return {"city": town.strip(), "region": state.strip().upper(), "country": code}
                return {"city": city, "country": code}
    return None


def split_locality(locality: str) -> dict[str, str]:
    """The parts of a locality line (see the module docstring): ``"LEIPZIG - GERMANY"`` → city and
    ISO country; ``"Atlanta, GA, US"`` → city, region, country; ``"Deutschland"`` → country; a
    two-letter word alone ("GA") stays a city (a state as often as a country); else a city."""
    text = " ".join(locality.split())
    found = _city_country(text, (" - ", "-"))
    if found is not None:
        return found
    parts = [p.strip() for p in text.split(",")]
    if len(parts) >= 3 and _ALPHA2.match(parts[-1]) and _STATE.match(parts[-2]):
        code = country_code(parts[-1])
        city = ", ".join(p for p in parts[:-2] if p)
        if code is not None and city:
            return {"city": city, "region": parts[-2].upper(), "country": code}
    if not _ALPHA2.match(text):
        code = country_code(text)
        if code is not None:
            return {"country": code}
    return {"city": text}


def split_trailing(place: str) -> Mapping[str, str]:
    """The parts of a place written after a known phrase: "CITY, ST [ZIP]" with a US state,
    "CITY - COUNTRY NAME", else the whole text as a facility."""
    m = _TRAILING_CITY_STATE.match(place)
    if m is not None and m.group("region") in US_STATES:
        parts = {k: v for k, v in m.groupdict().items() if v}
        return MappingProxyType({**parts, "country": "US"})
    m = _TRAILING_CITY_COUNTRY.match(place)
    if m is not None and country_code(m.group("country")):
        return MappingProxyType({"city": m.group("city"), "country": m.group("country")})
    return MappingProxyType({"facility": place})


# -- Place → Location ----------------------------------------------------------------------------

_FIELDS: Final = ("city", "region", "postal_code", "country", "facility")
_MEMO: dict[tuple[Any, str | None], Location] = {}
_MEMO_SIZE: Final = 8192
EMPTY: Final = Location.model_construct()  # == Location(), without building the validator


def _country_of_state(state: str) -> str | None:
    if state in _MILITARY:
        return None
    return _TERRITORY.get(state, "US")


def locate(place: Place | tuple[Any, ...] | None, home: str | None = None, *, memo: bool = True) -> Location:
    """The `Location` of a place (see the module docstring); `home` is the carrier's home country.
    `memo`: keep it in this module's memo (the event builder keeps its own).

    Raises `tracklingo.fields.FieldError` for a part that is not text."""
    if place is None:
        return EMPTY
    if not memo:
        return _locate(place, home)
    key = (place, home)
    try:
        found = _MEMO.get(key)
    except TypeError:  # an unhashable part: `_locate` names it
        return _locate(place, home)
    if found is None:
        found = _locate(place, home)
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()  # places repeat; a rare full reset is cheaper than an LRU per scan
        _MEMO[key] = found
    return found


def _locate(place: Place | tuple[Any, ...], home: str | None) -> Location:
    if place.__class__ is not Place and (place.__class__ is not tuple or len(place) != PLACE_SIZE):
        raise FieldError("place", place, f"place must be a tracklingo Place, not {type(place).__name__}")
    raw_city, raw_region, raw_postal, raw_country, raw_facility, raw_label, raw_locality, raw_name = place
    # most parts are absent (None needs no call) or strings (stripped here: `text_of`'s own
    # first case, without the call)
    city = (
        (raw_city.strip() or None) if raw_city.__class__ is str
        else None if raw_city is None else text_of(raw_city, "place.city")
    )  # fmt: skip
    region = (
        (raw_region.strip() or None) if raw_region.__class__ is str
        else None if raw_region is None else text_of(raw_region, "place.region")
    )  # fmt: skip
    postal = (
        (raw_postal.strip() or None) if raw_postal.__class__ is str
        else None if raw_postal is None else text_of(raw_postal, "place.postal_code")
    )  # fmt: skip
    facility = None if raw_facility is None else text_of(raw_facility, "place.facility")
    label = None if raw_label is None else text_of(raw_label, "place.label")
    locality = None if raw_locality is None else text_of(raw_locality, "place.locality")
    named = (
        (raw_country.strip() or None) if raw_country.__class__ is str
        else None if raw_country is None else text_of(raw_country, "place.country")
    )  # fmt: skip
    other_name = None if raw_name is None else text_of(raw_name, "place.country_name")
    country = country_code(named) if named else None
    if country is None and other_name:
        country = country_code(other_name)
    named = named or other_name
    if region is not None and len(region) == 2 and region.isalpha():
        region = region.upper()
    if locality or label:  # parts to read out of a text
        parts: dict[str, str] = {}
        if locality:
            parts.update(split_locality(locality))
        if label:
            us_side = country in _US_SIDE or (named is None and home == "US")
            foreign = named is not None and not us_side
            parts.update(split_label(label, us_side=us_side, foreign=foreign, region_given=bool(region)))
        city = city or parts.get("city")
        region = region or parts.get("region")
        postal = postal or parts.get("postal_code")
        facility = facility or parts.get("facility")
        country = country or parts.get("country")
    if country is None and named is None and region and home == "US" and region.upper() in US_STATES:
        country = _country_of_state(region.upper())
    return location_of((city, region, postal, country, facility))


def location_of(values: tuple[str | None, ...]) -> Location:
    """A `Location` from (city, region, postal code, country, facility): stripped non-empty
    strings or None, the country an ISO code from `country_code`. Built without re-validation
    (`tracklingo._construct`): every part is a plain string and the country comes from the ISO
    table, so the model's checks cannot fail; a country that is not two capital letters (a name
    a pattern captured) is converted or dropped first."""
    city, region, postal, country, facility = values
    if country is not None and not (len(country) == 2 and country.isascii() and country.isupper()):
        country = country_code(country)
    if city is None and region is None and postal is None and country is None and facility is None:
        return EMPTY
    return construct(
        Location,
        {"city": city, "region": region, "postal_code": postal, "country": country, "facility": facility},
    )


def with_captured(location: Location, captured: Mapping[str, str]) -> Location:
    """`location` completed by the parts a vocabulary pattern captured from the event text (the
    payload's own parts win)."""
    if not captured:
        return location
    get = captured.get
    values = (
        location.city or _clean(get("city")),
        location.region or _clean(get("region")),
        location.postal_code or _clean(get("postal_code")),
        location.country or _clean(get("country")),
        location.facility or _clean(get("facility")),
    )
    return location_of(values)


def _clean(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def country_of(place: Place | None) -> str | None:
    """The ISO country a place names (its country field, or what its locality or label says),
    or None (also for a place whose parts are not text)."""
    try:
        return locate(place).country
    except FieldError:
        return None


_NAME_PARTS: Final = re.compile(r"\s+-\s+|,")


def city_names(value: Any) -> tuple[str | None, frozenset[str]]:
    """A shipment end's country and the names its city is written with, upper case
    ("SHARJAH - SHARJAH - UNITED ARAB EMIRATES" -> AE, {"SHARJAH"}; names of two letters or less
    left out); ``(None, frozenset())`` for anything but a `Place` whose country and city are known."""
    if not isinstance(value, Place):
        return None, frozenset()
    try:
        where = locate(value)
    except FieldError:
        return None, frozenset()
    if where.country is None or where.city is None:
        return None, frozenset()
    names = (part.strip().upper() for part in _NAME_PARTS.split(where.city))
    return where.country, frozenset(n for n in names if len(n) > 2)
