"""Places (`tracklingo.places`): labels, locality lines and trailing places become a `Location`;
explicit parts win; one memo entry per distinct place, bounded."""

from __future__ import annotations

import pytest

from tracklingo import places
from tracklingo.adapter import Place
from tracklingo.fields import FieldError
from tracklingo.model import Location

US = {"us_side": True, "foreign": False, "region_given": False}
US_WITH_STATE = {"us_side": True, "foreign": False, "region_given": True}
ABROAD = {"us_side": False, "foreign": True, "region_given": False}


@pytest.mark.parametrize(
    ("label", "kwargs", "parts"),
    [
        (
            "OAK CREEK WI DISTRIBUTION CENTER",
            US,
            {"facility": "OAK CREEK WI DISTRIBUTION CENTER", "region": "WI", "city": "OAK CREEK"},
        ),
        (
            "ISC NEW YORK NY(USPS)",
            US,
            {"facility": "ISC NEW YORK NY(USPS)", "region": "NY", "city": "NEW YORK"},
        ),
        ("SACRAMENTO CA", US, {"region": "CA", "city": "SACRAMENTO"}),
        ("SACRAMENTO", US, {"city": "SACRAMENTO"}),
        # a state beside it: only an ISC label is split
        ("NEW YORK NY DISTRIBUTION CENTER", US_WITH_STATE, {"city": "NEW YORK NY DISTRIBUTION CENTER"}),
        ("TOKYO INT V BAG 2", ABROAD, {"facility": "TOKYO INT V BAG 2", "city": "TOKYO"}),
        ("TOKYO", ABROAD, {"city": "TOKYO"}),
    ],
)  # fmt: skip
def test_split_label(label: str, kwargs: dict[str, bool], parts: dict[str, str]) -> None:
    assert places.split_label(label, **kwargs) == parts


@pytest.mark.parametrize(
    ("locality", "parts"),
    [
        ("LEIPZIG - GERMANY", {"city": "LEIPZIG", "country": "DE"}),
        ("BONN-DEUTSCHLAND", {"city": "BONN", "country": "DE"}),
        ("Atlanta, GA - USA", {"city": "Atlanta", "region": "GA", "country": "US"}),
        ("Atlanta, GA, US", {"city": "Atlanta", "region": "GA", "country": "US"}),
        ("Deutschland", {"country": "DE"}),
        ("GA", {"city": "GA"}),  # a state as often as a country
        ("Hamburg", {"city": "Hamburg"}),
        ("  LEIPZIG   -   GERMANY ", {"city": "LEIPZIG", "country": "DE"}),
    ],
)
def test_split_locality(locality: str, parts: dict[str, str]) -> None:
    assert places.split_locality(locality) == parts


@pytest.mark.parametrize(
    ("place", "parts"),
    [
        ("MEMPHIS, TN", {"city": "MEMPHIS", "region": "TN", "country": "US"}),
        ("LEIPZIG - GERMANY", {"city": "LEIPZIG", "country": "GERMANY"}),
        ("SORT FACILITY 7", {"facility": "SORT FACILITY 7"}),
        ("MEMPHIS, ZZ", {"facility": "MEMPHIS, ZZ"}),  # not a US state
    ],
)
def test_split_trailing(place: str, parts: dict[str, str]) -> None:
    assert dict(places.split_trailing(place)) == parts


def test_locate_explicit_parts_win_and_countries_become_iso() -> None:
    where = places.locate(Place(city="Leipzig", country="Germany", locality="BONN - AUSTRIA"))
    assert where == Location(city="Leipzig", country="DE")
    assert places.locate(Place(region="ca", country_name="United States")) == Location(
        region="CA", country="US"
    )


def test_a_us_state_gets_its_country_only_for_a_carrier_at_home_in_the_us() -> None:
    assert places.locate(Place(city="Austin", region="TX"), "US").country == "US"
    assert places.locate(Place(city="Austin", region="TX"), None).country is None
    assert places.locate(Place(city="San Juan", region="PR"), "US").country == "PR"
    assert places.locate(Place(city="APO", region="AE"), "US").country is None  # a military state


def test_a_plain_tuple_place_is_the_same_place() -> None:
    fields = ("Austin", "TX", "78701", "US", None, None, None, None)
    assert places.locate(fields) == places.locate(Place(*fields))


def test_a_part_that_is_not_text_is_a_field_error_and_country_of_is_none() -> None:
    with pytest.raises(FieldError):
        places.locate(Place(city=["not", "text"]))
    assert places.country_of(Place(city=["x"])) is None
    assert places.country_of(Place(locality="LEIPZIG - GERMANY")) == "DE"


def test_the_place_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(places, "_MEMO_SIZE", 10)
    places._MEMO.clear()
    for i in range(35):
        assert places.locate(Place(city=f"Town {i}", country="US")).city == f"Town {i}"
    assert 0 < len(places._MEMO) <= 10


def test_city_names_give_an_end_country_and_the_names_its_city_is_written_with() -> None:
    country, names = places.city_names(Place(locality="SHARJAH - SHARJAH - UNITED ARAB EMIRATES"))
    assert (country, names) == ("AE", frozenset({"SHARJAH"}))
    # no country known, or not a place at all: nothing to lend a scan
    assert places.city_names(Place(city="SHARJAH")) == (None, frozenset())
    assert places.city_names("SHARJAH") == (None, frozenset())
