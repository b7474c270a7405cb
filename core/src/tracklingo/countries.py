"""Country names and codes, and which time zones a country or US state lies in.

Data comes from the IANA time zone database as shipped by the `tzdata` package (`iso3166.tab`,
`zone.tab`) plus the carrier spellings seen in tracking payloads (`_ALIASES`).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Final

from tracklingo.phrases import normalize_phrase

__all__ = ["US_STATES", "country_code", "country_spellings", "country_zones", "us_state_zone"]

# Spellings carriers print that the IANA names do not cover. Sources: USPS `eventCountry`
# ("GERMANY", "JAPAN"), DHL Express locations ("PHILIPPINES, THE", "... - USA") and DHL Parcel DE
# ("Deutschland"); sources in docs/sources.md#country-names.
_ALIASES: Final = MappingProxyType(
    {
        "usa": "US",
        "u s a": "US",
        "united states of america": "US",
        "us": "US",
        "uk": "GB",
        "great britain": "GB",
        "england": "GB",
        "scotland": "GB",
        "wales": "GB",
        "northern ireland": "GB",
        "deutschland": "DE",
        "korea south": "KR",
        "south korea": "KR",
        "korea republic of": "KR",
        "republic of korea": "KR",
        "north korea": "KP",
        "russia": "RU",
        "russian federation": "RU",
        "czechia": "CZ",
        "turkiye": "TR",
        "hong kong sar china": "HK",
        "hong kong sar": "HK",
        "china mainland": "CN",
        "peoples republic of china": "CN",
        "holland": "NL",
        "netherlands the": "NL",
        "the netherlands": "NL",
        "philippines the": "PH",
        "the philippines": "PH",
        "uae": "AE",
        "viet nam": "VN",
        "macao": "MO",
        "taiwan china": "TW",
        "ivory coast": "CI",
        "cote divoire": "CI",
        "puerto rico us": "PR",
        # USPS/UPU country spellings (USPS Index of Countries and Localities)
        "united kingdom": "GB",
        "united kingdom of great britain and northern ireland": "GB",
        "eire": "IE",
        "burma": "MM",
        "myanmar": "MM",
        "swaziland": "SZ",
        "eswatini": "SZ",
        "macedonia": "MK",
        "north macedonia": "MK",
        "saint lucia": "LC",
        "saint kitts and nevis": "KN",
        "saint vincent and the grenadines": "VC",
        "cote d ivoire": "CI",
        "china peoples republic of": "CN",
        "korea republic of south korea": "KR",
        "korea democratic peoples republic of north korea": "KP",
        "vatican city": "VA",
        "holy see": "VA",
        "united arab emirates": "AE",
        "great britain and northern ireland": "GB",
        "bosnia herzegovina": "BA",
        "iran": "IR",
        "syria": "SY",
        "laos": "LA",
        "moldova": "MD",
        "tanzania": "TZ",
        "bolivia": "BO",
        "venezuela": "VE",
        "brunei": "BN",
        "micronesia": "FM",
        "curacao": "CW",
        "reunion": "RE",
    }
)

_norm: Final = normalize_phrase  # country names are folded like carrier phrases


def _tab_lines(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _names() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, name, *_ in _tab_lines("iso3166.tab"):
        table[_norm(name)] = code
        # "Korea (South)" → "korea south"; also "Samoa (American)" etc.
        table.setdefault(_norm(name.split("(")[0]), code)
        table[code.lower()] = code
    for alias, code in _ALIASES.items():
        table[alias] = code
    return table


@lru_cache(maxsize=4096)  # keyed by payload text: bounded
def country_code(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for a carrier's country name or code; `None` when unknown.

    >>> country_code("GERMANY"), country_code("Philippines, The"), country_code("us")
    ('DE', 'PH', 'US')
    """
    if not value:
        return None
    key = _norm(value)
    if not key:
        return None
    names = _names()
    found = names.get(key)
    if found is None:
        # "Korea, Republic of (South Korea)", "The Netherlands", "Philippines, The", "St. Lucia"
        simpler = _norm(re.sub(r"\(.*?\)", " ", value))
        simpler = re.sub(r"^the |\bthe$", "", simpler).strip()
        inner = [_norm(part) for part in re.findall(r"\((.*?)\)", value)]
        for candidate in (
            simpler,
            simpler.replace("saint ", "st "),
            simpler.replace("st ", "saint ", 1),
            *inner,
        ):
            found = names.get(candidate)
            if found is not None:
                break
    return found


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    zones: dict[str, list[str]] = {}
    for row in _tab_lines("zone.tab"):
        zones.setdefault(row[0], []).append(row[2])
    return {code: tuple(z) for code, z in zones.items()}


def country_zones(code: str) -> tuple[str, ...]:
    """The IANA zones of a country (ISO alpha-2), from `zone.tab`; empty when unknown."""
    return _zones_by_country().get(code.upper(), ())


# US states, DC and territories that lie wholly in one IANA zone. States split between zones
# (AK, AZ — Navajo Nation keeps DST —, FL, ID, IN, KS, KY, MI, ND, NE, NV — West Wendover —,
# OR, SD, TN, TX) are absent on purpose: their naive times stay local.
# Source: IANA tz database zone.tab comments (e.g. "Central - FL (panhandle)") and the US DOT
# time zone boundaries (49 CFR part 71).
_US_STATE_ZONES: Final = MappingProxyType(
    {
        "AL": "America/Chicago",
        "AR": "America/Chicago",
        "CA": "America/Los_Angeles",
        "CO": "America/Denver",
        "CT": "America/New_York",
        "DC": "America/New_York",
        "DE": "America/New_York",
        "GA": "America/New_York",
        "HI": "Pacific/Honolulu",
        "IA": "America/Chicago",
        "IL": "America/Chicago",
        "LA": "America/Chicago",
        "MA": "America/New_York",
        "MD": "America/New_York",
        "ME": "America/New_York",
        "MN": "America/Chicago",
        "MO": "America/Chicago",
        "MS": "America/Chicago",
        "MT": "America/Denver",
        "NC": "America/New_York",
        "NH": "America/New_York",
        "NJ": "America/New_York",
        "NM": "America/Denver",
        "NY": "America/New_York",
        "OH": "America/New_York",
        "OK": "America/Chicago",
        "PA": "America/New_York",
        "RI": "America/New_York",
        "SC": "America/New_York",
        "UT": "America/Denver",
        "VA": "America/New_York",
        "VT": "America/New_York",
        "WA": "America/Los_Angeles",
        "WI": "America/Chicago",
        "WV": "America/New_York",
        "WY": "America/Denver",
        "PR": "America/Puerto_Rico",
        "VI": "America/St_Thomas",
        "GU": "Pacific/Guam",
        "AS": "Pacific/Pago_Pago",
        "MP": "Pacific/Saipan",
    }
)

#: Every two-letter US state/territory/military code (for recognising a state inside a text).
US_STATES: Final = frozenset(
    _US_STATE_ZONES.keys()
    | {"AK", "AZ", "FL", "ID", "IN", "KS", "KY", "MI", "ND", "NE", "NV", "OR", "SD", "TN", "TX"}
    | {"AA", "AE", "AP", "FM", "MH", "PW"}
)


def us_state_zone(state: str | None) -> str | None:
    """The one IANA zone of a US state or territory, or `None` if it spans several (or is unknown)."""
    return _US_STATE_ZONES.get(state.upper()) if state else None


#: the languages whose CLDR country names `country_spellings` gives (the open-world lexicon's)
_SPELLING_LANGUAGES: Final = ("en", "de", "nl", "fr", "es", "pl")


@cache
def country_spellings() -> frozenset[str]:
    """Folded country names a carrier's sentence may carry ("has left the United Kingdom",
    "Ankunft in Deutschland", "arrivé en Pologne"): the IANA names and the carrier spellings
    above, plus the CLDR territory names (via Babel) in English, German, Dutch, French, Spanish
    and Polish. Codes and names of three letters or fewer are left out (in a sentence "us" or
    "de" is a word, not a country).

    >>> {"united kingdom", "deutschland", "polen", "pologne", "polska"} <= country_spellings()
    True
    """
    from babel import Locale  # a dependency of the core; imported on first use only

    out = {name for name in _names() if len(name) > 3}
    codes = {code for code in _names().values()}
    for lang in _SPELLING_LANGUAGES:
        territories = Locale.parse(lang).territories
        for code in codes:
            name = territories.get(code)
            if name:
                folded = _norm(name)
                if len(folded) > 3:
                    out.add(folded)
                    # "Korea (South)", "Hongkong SAR China": the part before a bracket too
                    out.add(_norm(name.split("(")[0]))
    return frozenset(n for n in out if len(n) > 3)
