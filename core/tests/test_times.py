from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklingo import InputError, resolve_time
from tracklingo.times import (
    MidnightRule,
    ResolvedTime,
    TimeRules,
    fast_time,
    local_time,
    parse_offset,
    scan_time,
)


def test_offset_given_is_kept() -> None:
    r = resolve_time("2026-11-20T14:03:00-05:00", country="DE")
    assert r.when is not None and r.when.utcoffset() == timedelta(hours=-5) and not r.is_local


def test_naive_resolved_from_single_zone_us_state_with_dst() -> None:
    summer = resolve_time("2025-06-20T14:41:00", region="CO", country="US")
    winter = resolve_time("2025-01-20T14:41:00", region="CO", country="US")
    assert summer.when is not None and summer.when.utcoffset() == timedelta(hours=-6)
    assert winter.when is not None and winter.when.utcoffset() == timedelta(hours=-7)
    assert summer.when.hour == 14  # wall clock never shifted


@pytest.mark.parametrize("state", ["TX", "FL", "AZ", "IN", "KY"])
def test_split_states_stay_local(state: str) -> None:
    r = resolve_time("2025-06-20T14:41:00", region=state, country="US")
    assert r.is_local and r.when is not None and r.when.tzinfo is None
    assert r.note and "not certain" in r.note


def test_single_zone_country() -> None:
    r = resolve_time("2025-06-13T21:10:00", country="DE")
    assert r.when is not None and r.when.utcoffset() == timedelta(hours=2)


def test_multi_zone_country_stays_local() -> None:
    r = resolve_time("2025-06-13T21:10:00", country="BR")
    assert r.is_local


def test_gmt_offset_field_wins() -> None:
    r = resolve_time("2024-11-23T13:10:00", utc_offset="-6:00", region="TX")
    assert r.when is not None and r.when.utcoffset() == timedelta(hours=-6)


def test_untrusted_z_is_local_time() -> None:
    r = resolve_time("2023-08-02T07:31:00Z", region="VA", country="US", trust_z=False)
    assert r.when is not None and r.when.utcoffset() == timedelta(hours=-4)
    trusted = resolve_time("2023-08-02T07:31:00Z")
    assert trusted.when is not None and trusted.when.utcoffset() == timedelta(0)
    unknown = resolve_time("2023-08-02T07:31:00Z", trust_z=False)
    assert unknown.is_local and unknown.note and "trailing Z" in unknown.note


def test_missing_time_is_none_with_note() -> None:
    r = resolve_time(None)
    assert r.when is None and r.note


def test_bad_timestamp() -> None:
    with pytest.raises(InputError, match="bad timestamp"):
        resolve_time("yesterday at noon")


@pytest.mark.parametrize(("text", "hours"), [("-7:00", -7), ("-07:00", -7), ("+0530", 5.5), ("GMT+1", 1)])
def test_parse_offset(text: str, hours: float) -> None:
    assert parse_offset(text).utcoffset(None) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("value", "place"),
    [
        ("2026-11-01T01:30:00", {"region": "NY", "country": "US"}),  # fall back: happens twice
        ("2026-03-08T02:30:00", {"region": "NY", "country": "US"}),  # spring forward: never happens
        ("2026-10-25T02:30:00", {"country": "DE"}),
        ("2026-03-29T02:30:00", {"country": "DE"}),
    ],
)
def test_naive_time_at_a_dst_transition_is_kept_local_not_guessed(value: str, place: dict[str, Any]) -> None:
    r = resolve_time(value, **place)
    assert r.is_local and r.when is not None and r.when.tzinfo is None
    assert r.note and "daylight" in r.note


def test_naive_time_next_to_a_dst_transition_is_still_resolved() -> None:
    r = resolve_time("2026-11-01T03:30:00", region="NY", country="US")
    assert not r.is_local and r.when is not None and r.when.utcoffset() == timedelta(hours=-5)


def test_lower_case_z_is_utc() -> None:
    r = resolve_time("2026-11-20T14:03:00z")
    assert r.when is not None and r.when.utcoffset() == timedelta(0) and r.when.hour == 14


@pytest.mark.parametrize("value", ["UTC", "GMT", "Z", "utc"])
def test_utc_offset_field_naming_utc_is_zero(value: str) -> None:
    r = resolve_time("2026-11-20T14:03:00", utc_offset=value)
    assert r.when is not None and r.when.utcoffset() == timedelta(0) and not r.is_local


def test_date_only_is_not_given_an_invented_time() -> None:
    r = resolve_time("2026-11-20", country="DE")
    assert r.is_local and r.when is not None and r.when.tzinfo is None
    assert r.note == "the carrier gave a date only; the time of day is not known"


def test_region_without_country_is_not_assumed_to_be_a_us_state() -> None:
    assert resolve_time("2025-06-20T14:41:00", region="CO").is_local
    assert not resolve_time("2025-06-20T14:41:00", region="CO", country="US").is_local


# -- issue 12 items 6 and 7 -----------------------------------------------------------------------


def test_offsets_with_seconds_are_kept_and_beyond_fourteen_hours_refused() -> None:
    r = resolve_time("2026-11-20T14:03:00+05:30:45")
    assert r.when is not None and r.when.utcoffset() == timedelta(hours=5, minutes=30, seconds=45)
    assert parse_offset("+05:30:45").utcoffset(None) == timedelta(hours=5, minutes=30, seconds=45)
    for bad in ("2026-11-20T14:03:00+14:30", "2026-11-20T14:03:00-15:00"):
        with pytest.raises(InputError, match="beyond ±14:00"):
            resolve_time(bad)
    with pytest.raises(InputError):
        parse_offset("+14:30")


@pytest.mark.parametrize("value", ["9999-12-31T23:30:00-01:00", "0001-01-01", "1969-12-31T23:00:00"])
def test_years_outside_the_range_are_errors(value: str) -> None:
    with pytest.raises(InputError, match="outside 1970-2100"):
        resolve_time(value)


# -- the fast path (`fast_time`) gives exactly what the full rules give -------------------------

_RULES = (
    TimeRules(),
    TimeRules(trusts_z=False),
    TimeRules(midnight=MidnightRule("date only")),
    TimeRules(midnight=MidnightRule("date only", without_utc=True)),
)
_PLACES = ((None, None), ("US", "CA"), ("US", "TX"), ("US", "AZ"), ("DE", None), ("AU", None), ("US", None))
_OFFSETS = ("-05:00", "+05:30", "-7:00", "+14:00", "+14:30", "-03:30", "+00:00", "+05:30:15", "bad", "")


@st.composite
def _scan_times(draw: st.DrawFn) -> tuple[Any, Any, Any, bool]:
    """(time, UTC offset field, UTC time field, whether the fast path must answer without a
    midnight rule: a valid offset in the valid years, no disagreeing UTC time)."""
    year = draw(st.sampled_from([1969, 1970, 2025, 2026, 2100, 2101]))
    naive = datetime(year, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    naive += timedelta(minutes=draw(st.sampled_from([0, 1, 59, 60 * 13 + 7, 60 * 23 + 59])))
    local = naive.isoformat()
    offset = draw(st.sampled_from(_OFFSETS))
    usual = 1970 <= year <= 2100 and offset not in ("+14:30", "bad", "")
    shape = draw(st.sampled_from(["offset in time", "offset field", "offset and utc", "alone", "z"]))
    if shape == "offset in time":
        return local + offset, None, None, usual and len(offset) == 6
    if shape == "z":
        return local + "Z", None, None, False
    if shape == "alone":
        return local, None, None, False
    if shape == "offset field":
        return local, offset, None, usual
    try:
        delta = parse_offset(offset).utcoffset(None)
    except InputError:
        delta = timedelta(0)
    assert delta is not None
    skew = timedelta(seconds=draw(st.sampled_from([0, 47, 119, 121, -119, -121, 3600])))
    utc = naive - delta + skew
    return local, offset, utc.isoformat() + "Z", usual and abs(skew) < timedelta(minutes=2)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(
    rules=st.sampled_from(_RULES),
    written=_scan_times(),
    place=st.sampled_from(_PLACES),
)
def test_fast_time_agrees_with_the_full_rules(
    rules: TimeRules, written: tuple[Any, Any, Any, bool], place: tuple[str | None, str | None]
) -> None:
    value, offset, utc, usual = written
    country, region = place
    quick = fast_time(rules, value, offset, utc, country, region)
    full = scan_time(
        rules, value, utc_offset=offset, utc_time=utc, country=country, region=region, fast=False
    )
    if quick is not None:
        assert full == ResolvedTime(quick)
        assert full.when is not None and full.when.utcoffset() == quick.utcoffset()
    elif usual and rules.midnight is None:
        pytest.fail(f"the fast path left {written} to the full rules")


@pytest.mark.parametrize(
    ("value", "offset", "utc", "country", "region"),
    [
        ("2026-03-04T10:11:00-05:00", None, None, None, None),
        ("2026-03-04T10:11:00", "-05:00", None, None, None),
        ("2026-03-04T10:11:00", "-05:00", "2026-03-04T15:11:42Z", None, None),
        ("2026-03-04T10:11:00", None, None, "US", "CA"),
        ("2026-03-04T10:11:00", None, None, "DE", None),
    ],
)
def test_the_usual_shapes_take_the_fast_path(
    value: str, offset: str | None, utc: str | None, country: str | None, region: str | None
) -> None:
    quick = fast_time(TimeRules(), value, offset, utc, country, region)
    assert quick is not None and quick.tzinfo is not None
    assert quick.replace(tzinfo=None).isoformat() == value[:19]


@pytest.mark.parametrize(
    ("value", "offset", "utc", "country", "region"),
    [
        ("2026-03-04T10:11:00", "-05:00", "2026-03-04T16:11:00Z", None, None),  # GMT disagrees
        ("2026-03-04T10:11:00", None, None, "US", "TX"),  # a split state
        ("2026-03-04T10:11:00+15:00", None, None, None, None),  # beyond ±14:00
        ("2101-03-04T10:11:00-05:00", None, None, None, None),  # outside the years
        ("2026-03-04T10:11:00Z", None, None, None, None),  # a Z: the carrier's trusts_z decides
    ],
)
def test_other_shapes_go_to_the_full_rules(
    value: str, offset: str | None, utc: str | None, country: str | None, region: str | None
) -> None:
    assert fast_time(TimeRules(), value, offset, utc, country, region) is None


@pytest.mark.parametrize(
    ("day", "clock", "offset", "expected"),
    [
        ("2020-05-18", "08:52:00", "+09:00", ("2020-05-18T08:52:00", "+09:00")),
        (" 2020-05-18 ", " 08:52:00 ", " -0530 ", ("2020-05-18T08:52:00", "-0530")),
        ("2020-05-18", None, None, ("2020-05-18", None)),  # no clock time: a date only
        ("2020-05-18", "  ", None, ("2020-05-18", None)),
        (None, "08:52:00", "+09:00", (None, "+09:00")),  # no date: no time
        ("", "08:52:00", None, (None, None)),
        (20200518, "08:52:00", 9, (None, None)),  # not text
        # only ±HH:MM / ±HHMM is kept, even where parse_offset reads more
        ("2020-05-18", "08:52:00", "-7:00", ("2020-05-18T08:52:00", None)),
        ("2020-05-18", "08:52:00", "UTC", ("2020-05-18T08:52:00", None)),
        ("2020-05-18", "08:52:00", "GMT+1", ("2020-05-18T08:52:00", None)),
        ("2020-05-18", "08:52:00", "+05:30:45", ("2020-05-18T08:52:00", None)),
        ("2020-05-18", "08:52:00", "+25:00", ("2020-05-18T08:52:00", "+25:00")),  # kept as written
    ],
)
def test_local_time_joins_a_date_and_clock_time(
    day: Any, clock: Any, offset: Any, expected: tuple[str | None, str | None]
) -> None:
    assert local_time(day, clock, offset) == expected


def test_an_unreadable_offset_kept_by_local_time_is_ignored() -> None:
    when, offset = local_time("2020-05-18", "08:52:00", "+25:00")
    resolved = scan_time(TimeRules(), when, utc_offset=offset, country="JP")
    assert resolved.when == datetime.fromisoformat("2020-05-18T08:52:00+09:00")
