"""The varied variant of the karrio comparison: the plugins' fixtures with each round's places
redrawn from 500 US places and each parcel given its own number.

A real feed does not repeat the same 47 scans: every parcel has its own number and its own route.
`varied_rounds` copies the fixtures once per round and, in each copy, replaces every US place (a
USPS event with a state, a FedEx scan location or address in the US) with one drawn from `PLACES`
(100 cities x 5 ZIP codes) and gives each parcel a fresh number of the same kind (check digits
recomputed, so S10 and IMpb numbers stay valid). Plant and ISC labels, foreign places, times and
texts stay as the carrier wrote them. Deterministic for a seed.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from tracklingo.checkdigits import mod10_check_digit, s10_check_digit

#: (city, state, first ZIP code): 100 US cities; each gives 5 consecutive ZIP codes.
_CITIES: tuple[tuple[str, str, int], ...] = (
    ("NEW YORK", "NY", 10001), ("BROOKLYN", "NY", 11201), ("BUFFALO", "NY", 14201),
    ("ROCHESTER", "NY", 14604), ("ALBANY", "NY", 12203), ("LOS ANGELES", "CA", 90001),
    ("SAN DIEGO", "CA", 92101), ("SAN FRANCISCO", "CA", 94102), ("SACRAMENTO", "CA", 95814),
    ("FRESNO", "CA", 93701), ("OAKLAND", "CA", 94601), ("SAN JOSE", "CA", 95110),
    ("CHICAGO", "IL", 60601), ("SPRINGFIELD", "IL", 62701), ("PEORIA", "IL", 61602),
    ("HOUSTON", "TX", 77002), ("DALLAS", "TX", 75201), ("AUSTIN", "TX", 78701),
    ("SAN ANTONIO", "TX", 78205), ("EL PASO", "TX", 79901), ("PHOENIX", "AZ", 85003),
    ("TUCSON", "AZ", 85701), ("PHILADELPHIA", "PA", 19102), ("PITTSBURGH", "PA", 15222),
    ("ALLENTOWN", "PA", 18101), ("JACKSONVILLE", "FL", 32202), ("MIAMI", "FL", 33128),
    ("TAMPA", "FL", 33602), ("ORLANDO", "FL", 32801), ("COLUMBUS", "OH", 43215),
    ("CLEVELAND", "OH", 44113), ("CINCINNATI", "OH", 45202), ("TOLEDO", "OH", 43604),
    ("INDIANAPOLIS", "IN", 46204), ("FORT WAYNE", "IN", 46802), ("CHARLOTTE", "NC", 28202),
    ("RALEIGH", "NC", 27601), ("GREENSBORO", "NC", 27401), ("SEATTLE", "WA", 98101),
    ("SPOKANE", "WA", 99201), ("TACOMA", "WA", 98402), ("DENVER", "CO", 80202),
    ("COLORADO SPRINGS", "CO", 80903), ("BOSTON", "MA", 2108), ("WORCESTER", "MA", 1608),
    ("NASHVILLE", "TN", 37201), ("MEMPHIS", "TN", 38103), ("KNOXVILLE", "TN", 37902),
    ("DETROIT", "MI", 48226), ("GRAND RAPIDS", "MI", 49503), ("PORTLAND", "OR", 97204),
    ("LAS VEGAS", "NV", 89101), ("RENO", "NV", 89501),
    ("LOUISVILLE", "KY", 40202), ("LEXINGTON", "KY", 40507), ("BALTIMORE", "MD", 21202),
    ("MILWAUKEE", "WI", 53202), ("MADISON", "WI", 53703), ("ALBUQUERQUE", "NM", 87102),
    ("KANSAS CITY", "MO", 64105), ("ST LOUIS", "MO", 63101), ("OMAHA", "NE", 68102),
    ("LINCOLN", "NE", 68508), ("ATLANTA", "GA", 30303), ("SAVANNAH", "GA", 31401),
    ("THOMASVILLE", "GA", 31757), ("MINNEAPOLIS", "MN", 55401), ("SAINT PAUL", "MN", 55101),
    ("TULSA", "OK", 74103), ("OKLAHOMA CITY", "OK", 73102), ("WICHITA", "KS", 67202),
    ("NEW ORLEANS", "LA", 70112), ("BATON ROUGE", "LA", 70801),
    ("BIRMINGHAM", "AL", 35203), ("MONTGOMERY", "AL", 36104), ("LITTLE ROCK", "AR", 72201),
    ("SALT LAKE CITY", "UT", 84101), ("BOISE", "ID", 83702),
    ("DES MOINES", "IA", 50309), ("JACKSON", "MS", 39201), ("RICHMOND", "VA", 23219),
    ("NORFOLK", "VA", 23510), ("NEWARK", "NJ", 7102), ("TRENTON", "NJ", 8608),
    ("HARTFORD", "CT", 6103), ("PROVIDENCE", "RI", 2903), ("MANCHESTER", "NH", 3101),
    ("BURLINGTON", "VT", 5401), ("PORTLAND", "ME", 4101), ("CHARLESTON", "WV", 25301),
    ("CHARLESTON", "SC", 29401), ("COLUMBIA", "SC", 29201), ("BILLINGS", "MT", 59101),
    ("FARGO", "ND", 58102), ("SIOUX FALLS", "SD", 57104), ("CHEYENNE", "WY", 82001),
    ("ANCHORAGE", "AK", 99501), ("HONOLULU", "HI", 96813), ("WASHINGTON", "DC", 20001),
    ("WILMINGTON", "DE", 19801),
)

#: 500 US places: (city, state, ZIP).
PLACES: tuple[tuple[str, str, str], ...] = tuple(
    (city, state, f"{zip0 + i:05d}") for city, state, zip0 in _CITIES for i in range(5)
)
assert len(PLACES) == 500 and len(set(PLACES)) == 500


def _fresh_number(number: str, rng: random.Random) -> str:
    """A new number of the same kind: S10 (letters, 8 digits, check, letters) with its S10 check
    digit, an all-digit number with its MOD 10 check digit, else the same length of digits."""
    if len(number) == 13 and number[:2].isalpha() and number[2:11].isdigit() and number[11:].isalpha():
        serial = f"{rng.randrange(10**8):08d}"
        return f"{number[:2]}{serial}{s10_check_digit(serial)}{number[11:]}"
    if number.isdigit() and len(number) > 4:
        keep = 2 if len(number) > 12 else 0  # IMpb / Ground 96: keep the application prefix
        body = number[:keep] + "".join(str(rng.randrange(10)) for _ in range(len(number) - keep - 1))
        return body + str(mod10_check_digit(body))
    return "".join(str(rng.randrange(10)) for _ in number)


def _usps(payload: dict[str, Any], rng: random.Random) -> None:
    payload["trackingNumber"] = _fresh_number(payload["trackingNumber"], rng)
    if payload.get("destinationState"):
        city, state, zipcode = rng.choice(PLACES)
        payload.update(destinationCity=city, destinationState=state, destinationZIP=zipcode)
    for event in payload.get("trackingEvents") or ():
        if event.get("eventState"):  # a plain US place (labels and foreign places stay)
            city, state, zipcode = rng.choice(PLACES)
            event.update(eventCity=city, eventState=state, eventZIP=zipcode)


def _us_address(address: Any, rng: random.Random) -> None:
    if isinstance(address, dict) and address.get("countryCode") == "US" and address.get("city"):
        city, state, zipcode = rng.choice(PLACES)
        address.update(city=city, stateOrProvinceCode=state)
        if "postalCode" in address:
            address["postalCode"] = zipcode


def _fedex(payload: dict[str, Any], rng: random.Random) -> None:
    for entry in payload["output"]["completeTrackResults"]:
        number = _fresh_number(entry["trackingNumber"], rng)
        entry["trackingNumber"] = number
        for result in entry.get("trackResults") or ():
            info = result.get("trackingNumberInfo")
            if isinstance(info, dict):
                info["trackingNumber"] = number
            _us_address((result.get("deliveryDetails") or {}).get("actualDeliveryAddress"), rng)
            _us_address(result.get("lastUpdatedDestinationAddress"), rng)
            for scan in result.get("scanEvents") or ():
                _us_address(scan.get("scanLocation"), rng)


def varied_rounds(name: str, fixtures: list[Any], rounds: int, seed: int = 14) -> list[list[Any]]:
    """`rounds` rounds of `fixtures` (decoded responses), each round with places redrawn and
    fresh numbers (see the module docstring)."""
    rng = random.Random(f"{name}-{seed}")
    vary = _usps if name == "usps" else _fedex
    out = []
    for _ in range(rounds):
        batch = copy.deepcopy(fixtures)
        for payload in batch:
            vary(payload, rng)
        out.append(batch)
    return out
