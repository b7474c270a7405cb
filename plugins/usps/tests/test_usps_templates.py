"""The parser's fast paths (event templates, `_fast_time`) answer exactly as the ordinary path."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracklingo import ResolvedTime, load_carriers
from tracklingo_usps.parser import _fast_local_time, _fast_time, event_time

FIXTURES = Path(__file__).parent / "fixtures"
CARRIER = load_carriers(only={"usps"}).get("usps")

_local = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)
_offsets = st.sampled_from(
    [
        "-07:00",
        "-7:00",
        "-05:00",
        "+00:00",
        "+05:30",
        "+14:00",
        "-0400",
        "GMT+1",
        "UTC",
        "",
        " ",
        "-25:00",
        "x",
        "+9",
    ]
)


@st.composite
def _event_times(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    local = draw(_local)
    shape = draw(st.sampled_from(["plain"] * 6 + ["z", "date", "offset", "space", "junk", "none", "int"]))
    ts: Any = {
        "plain": local.isoformat(),
        "z": local.isoformat() + "Z",
        "date": local.date().isoformat(),
        "offset": local.isoformat() + "-05:00",
        "space": " " + local.isoformat()[:-1],
        "junk": local.isoformat().replace("T", "X"),
        "none": None,
        "int": 20250101,
    }[shape]
    offset: Any = draw(st.one_of(st.none(), _offsets))
    gmt_shape = draw(st.sampled_from(["agree"] * 4 + ["minute", "far", "none", "noz", "junk"]))
    hours = draw(st.integers(-14, 14))
    gmt = local - timedelta(hours=hours) + timedelta(seconds=draw(st.integers(0, 59)))
    gts: Any = {
        "agree": gmt.isoformat() + "Z",
        "minute": (gmt + timedelta(minutes=3)).isoformat() + "Z",
        "far": (gmt + timedelta(days=1)).isoformat() + "Z",
        "none": None,
        "noz": gmt.isoformat(),
        "junk": "yesterday",
    }[gmt_shape]
    if draw(st.booleans()):  # often, the offset the GMT time implies (local = GMT + offset)
        offset = f"{'+' if hours >= 0 else '-'}{abs(hours):02d}:00"
    return ts, gts, offset


def _stripped(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _assert_event_time(fast: ResolvedTime, times: tuple[Any, Any, Any], place: tuple[Any, Any]) -> None:
    """`event_time` on the same fields (stripped, as the parser's `_text` gives them) agrees."""
    ts, gts, offset = times
    slow = event_time(
        timestamp=_stripped(ts),
        gmt_timestamp=_stripped(gts),
        gmt_offset=_stripped(offset),
        country=place[0],
        region=place[1],
    )
    assert (slow.when, slow.is_local, slow.note) == (fast.when, fast.is_local, fast.note)
    assert slow.when is None or fast.when is None or slow.when.utcoffset() == fast.when.utcoffset()


@settings(max_examples=600, deadline=None)
@given(_event_times(), st.sampled_from([(None, None), ("US", "WA"), ("DE", None), ("AU", None)]))
def test_fast_time_is_event_time(times: tuple[Any, Any, Any], place: tuple[Any, Any]) -> None:
    fast = _fast_time(*times)
    if fast is not None:  # else event_time decides: nothing to compare
        _assert_event_time(ResolvedTime(fast), times, place)


@st.composite
def _local_times(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    """Mostly what `_fast_local_time` takes (a plain local time, no GMT fields), with midnights,
    daylight-saving changes and a few it must refuse."""
    local = draw(_local)
    if draw(st.integers(0, 4)) == 0:
        local = local.replace(hour=0, minute=0, second=0)
    if draw(st.integers(0, 4)) == 0:  # the hours US and EU clocks change
        month = draw(st.sampled_from([3, 10, 11]))
        local = local.replace(month=month, day=min(local.day, 28), hour=draw(st.sampled_from([1, 2, 3])))
    ts: Any = draw(st.sampled_from([local.isoformat()] * 6 + [local.isoformat() + "Z", None, 7]))
    gts = draw(st.sampled_from([None] * 6 + [local.isoformat() + "Z"]))
    offset = draw(st.sampled_from([None] * 6 + ["-05:00", ""]))
    return ts, gts, offset


@settings(max_examples=600, deadline=None)
@given(
    _local_times(),
    st.sampled_from(
        [(None, None), ("US", "WA"), ("US", "TX"), ("US", "AZ"), ("DE", None), ("AU", None), ("JP", None)]
    ),
)
def test_fast_local_time_is_event_time(times: tuple[Any, Any, Any], place: tuple[Any, Any]) -> None:
    ev = dict(zip(("eventTimestamp", "GMTTimestamp", "GMTOffset"), times, strict=True))
    fast = _fast_local_time(ev, place[0], place[1])
    if fast is not None:
        _assert_event_time(fast, times, place)


def test_the_fast_local_time_leaves_midnight_and_gmt_fields_to_event_time() -> None:
    assert _fast_local_time({"eventTimestamp": "2025-04-10T07:40:00"}, "JP", None) is not None
    assert _fast_local_time({"eventTimestamp": "2025-01-14T00:00:00"}, "US", "TN") is None
    assert (
        _fast_local_time({"eventTimestamp": "2025-04-10T07:40:00", "GMTOffset": "-04:00"}, "US", "NY") is None
    )


def test_the_fast_time_takes_the_usual_event() -> None:
    assert _fast_time("2025-06-16T15:02:00", "2025-06-16T22:02:52Z", "-07:00") == datetime.fromisoformat(
        "2025-06-16T15:02:00-07:00"
    )
    assert _fast_time("2025-06-16T15:02:00", None, "-7:00") == datetime.fromisoformat(
        "2025-06-16T15:02:00-07:00"
    )
    # a GMT time a day off is event_time's to word; so are a missing offset and a trusted-looking Z
    assert _fast_time("2025-06-16T15:02:00", "2025-06-17T22:02:52Z", "-07:00") is None
    assert _fast_time("2025-06-16T15:02:00", None, None) is None
    assert _fast_time("2025-06-16T15:02:00Z", None, "-07:00") is None


def test_a_scan_at_another_place_gets_its_own_template() -> None:
    payload = json.loads((FIXTURES / "domestic_delivered.json").read_text())
    moved = copy.deepcopy(payload)
    for ev in moved["trackingEvents"]:
        ev["eventCity"], ev["eventState"], ev["eventZIP"] = "HONOLULU", "HI", "96813"
    CARRIER.parse(payload)
    events = CARRIER.parse(moved).events
    located = [e for e in events if e.location.city]
    assert located and all(e.location.region == "HI" for e in located)
