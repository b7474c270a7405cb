from __future__ import annotations

import pytest

from tracklingo.countries import US_STATES, country_code, country_zones, us_state_zone


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("GERMANY", "DE"),  # USPS eventCountry
        ("Deutschland", "DE"),  # DHL Parcel DE
        ("PHILIPPINES, THE", "PH"),  # DHL Express "CITY - COUNTRY"
        ("USA", "US"),
        ("us", "US"),
        ("Great Britain and Northern Ireland (United Kingdom)", "GB"),  # USPS IMM spelling
        ("Korea, Republic of (South Korea)", "KR"),
        ("Myanmar (Burma)", "MM"),
        ("St. Lucia", "LC"),
        ("Côte d’Ivoire", "CI"),
        ("VIET NAM", "VN"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_country_code(name: str, code: str | None) -> None:
    assert country_code(name) == code


def test_zones_and_states() -> None:
    assert country_zones("DE") == ("Europe/Berlin", "Europe/Busingen")
    assert len(country_zones("US")) > 20
    assert us_state_zone("CO") == "America/Denver"
    assert us_state_zone("TX") is None  # split between Central and Mountain
    assert {"TX", "AK", "AE", "PR"} <= US_STATES
