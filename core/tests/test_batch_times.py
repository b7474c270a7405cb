"""The batch path's vectorised times against the per-record path: naive times (resolved once per
place and half hour), times with an offset, and bad values, on generated feeds that cross
daylight-saving changes (the U.S. and European ones, both directions), and direction-waiting texts
kept columnar, event for event and reject for reject."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

from tracklingo import Normalizer, Record, load_carriers  # noqa: E402
from tracklingo.batch import BatchNormalizer, table_events  # noqa: E402
from tracklingo.batch.io import reject_objects  # noqa: E402
from tracklingo.model import event_to_json  # noqa: E402

REGISTRY = load_carriers()

# local wall-clock changes: U.S. 2026-03-08 02:00 / 2026-11-01 01:00-02:00, EU 2026-03-29 02:00 /
# 2026-10-25 02:00-03:00 (UTC+1/+2), and an ordinary day
_DAYS = [
    datetime(2026, 3, 8),
    datetime(2026, 11, 1),
    datetime(2026, 3, 29),
    datetime(2026, 10, 25),
    datetime(2026, 6, 15),
    datetime(2024, 2, 29),
]


@st.composite
def naive_stamps(draw: Any) -> str:
    day = draw(st.sampled_from(_DAYS))
    when = day + timedelta(minutes=draw(st.integers(0, 4 * 60)), seconds=draw(st.sampled_from([0, 0, 59])))
    text: str = when.isoformat()
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return text + str(draw(st.sampled_from(["-05:00", "+01:00", "+14:30", "Z", ".5"])))
    if shape == 1:
        return str(draw(st.sampled_from(["2026-02-30T10:00:00", "1969-12-31T23:00:00", "2026-11-01 01:30:00",
                                     "2026-11-01T24:00:00", "２026-11-01T01:30:00", "bad", ""])))  # fmt: skip
    return str(text)


PLACES = st.sampled_from(
    [
        {"city": "NEW YORK", "state": "NY", "country": "US"},
        {"city": "PHOENIX", "state": "AZ", "country": "US"},
        {"city": "MEMPHIS", "state": "TN", "country": "US"},
        {"city": "Leipzig", "country": "DE"},
        {"city": "Paris", "country": "FR"},
        {"city": "Sydney", "country": "AU"},
        {"city": "SOMEWHERE", "country": "US"},
        {"city": "Nowhere"},
        {"country": "us", "state": "ca"},
    ]
)
WORDS = st.sampled_from(
    [
        ("usps", "9400111899223344556677", "OF", "Delivered"),
        ("usps", "9400111899223344556677", None, "Processed Through Facility ISC NEW YORK NY(USPS)"),
        ("usps", "CP123456785DE", None, "Processed Through Facility ISC NEW YORK NY(USPS)"),
        ("usps", "LZ876543213US", None, "Processed Through Facility ISC NEW YORK NY(USPS)"),
        ("usps", "9400111899223344556677", "MA", None),
        ("fedex", "794612345678", "DL", "Delivered"),
        ("dhl", "JD014600003828820001", None, "Arrived at DHL Sort Facility LEIPZIG - GERMANY"),
    ]
)


@st.composite
def rows(draw: Any) -> dict[str, Any]:
    carrier, number, code, text = draw(WORDS)
    row = {"carrier": carrier, "tracking_number": number, "code": code, "description": text,
           "timestamp": draw(naive_stamps()), **draw(PLACES)}  # fmt: skip
    if draw(st.integers(0, 7)) == 0:
        row["utc_offset"] = draw(st.sampled_from(["-05:00", "+0100", "bad"]))
    return row


def _compare(feed: list[dict[str, Any]]) -> int:
    names = sorted({k for r in feed for k in r})
    table = pa.table({k: pa.array([r.get(k) for r in feed], pa.string()) for k in names})
    reference = Normalizer(REGISTRY)
    ref_events: list[Any] = []
    ref_rejects: list[tuple[int, str]] = []
    for i, r in enumerate(feed, 1):
        evs, rejs = reference.process(Record(i, {k: v for k, v in r.items() if v is not None}))
        ref_events.extend(event_to_json(e) for e in evs)
        ref_rejects.extend((j.line, j.reason) for j in rejs)
    batch = BatchNormalizer(REGISTRY)
    events, rejects = batch.normalize(table)
    assert [event_to_json(e) for e in table_events(events)] == ref_events
    assert [(r.line, r.reason) for r in reject_objects(rejects)] == ref_rejects
    return batch.columnar_rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows(), min_size=1, max_size=60))
def test_generated_times_around_dst_changes_give_the_per_record_results(feed: list[dict[str, Any]]) -> None:
    _compare(feed)


def test_every_minute_across_the_dst_changes_gives_the_per_record_results() -> None:
    """Every minute of the hours around each change, at U.S. and European places: the repeated
    and skipped half hours go through the rules one by one, the others in one go."""
    places = ({"city": "NEW YORK", "state": "NY", "country": "US"}, {"city": "Leipzig", "country": "DE"})
    feed = []
    for day in _DAYS:
        for minute in range(0, 4 * 60, 7):
            stamp = (day + timedelta(minutes=minute)).isoformat()
            for place in places:
                feed.append({"carrier": "fedex", "tracking_number": "794612345678", "code": "DL",
                             "description": "Delivered", "timestamp": stamp, **place})  # fmt: skip
    assert _compare(feed) > len(feed) // 2  # most rows took the columnar path


def test_direction_waiting_texts_stay_columnar_and_match() -> None:
    """A text whose stage depends on the shipment's direction: with a valid S10 number the
    direction is the number's country, otherwise it stays open, as on the per-record path."""
    feed = []
    for number in ("9400111899223344556677", "CP123456785DE", "LZ876543213US", "CP123456784DE"):
        feed.append({"carrier": "usps", "tracking_number": number, "timestamp": "2026-11-20T10:15:00-05:00",
                     "description": "Processed Through Facility ISC NEW YORK NY(USPS)",
                     "city": "NEW YORK", "state": "NY", "country": "US"})  # fmt: skip
    assert _compare(feed) == len(feed)


WORDS_FEDEX = ("fedex", "794612345678", "DL", "Delivered")
WORDS_USPS = ("usps", "9400111899223344556677", "OF", "Delivered")


# places whose naive times take the (zone, half hour) path (U.S. states, several sharing a zone,
# one without daylight saving), the (country, region, half hour) path (one-zone and many-zone
# countries) and no offset at all (a U.S. place without a state, or with an unknown one)
_NAIVE_PLACES = (
    {"city": "NEW YORK", "state": "NY", "country": "US"},
    {"city": "NEWARK", "state": "NJ", "country": "US"},
    {"city": "BOSTON", "state": "MA", "country": "US"},
    {"city": "DENVER", "state": "CO", "country": "US"},
    {"city": "PHOENIX", "state": "AZ", "country": "US"},
    {"city": "HONOLULU", "state": "HI", "country": "US"},
    {"city": "LOS ANGELES", "state": "CA", "country": "US"},
    {"city": "SOMEWHERE", "country": "US"},
    {"city": "ELSEWHERE", "state": "ZZ", "country": "US"},
    {"city": "Leipzig", "country": "DE"},
    {"city": "Sydney", "state": "NSW", "country": "AU"},
    {"city": "Nowhere"},
)


def test_naive_times_per_zone_and_half_hour_give_the_per_record_results() -> None:
    """Naive times at U.S. states that share a zone, at other countries and at places with no
    certain zone, over the half hours of the U.S. fall-back night and an ordinary day, for a
    carrier with a midnight rule (USPS) and one without (FedEx): the same events as one by one,
    and a second batch (its offsets from the memo) the same again."""
    feed = []
    for day in (datetime(2026, 11, 1), datetime(2026, 6, 15)):
        for minute in range(0, 6 * 60, 13):
            stamp = (day + timedelta(minutes=minute)).isoformat()
            for place in _NAIVE_PLACES:
                for carrier, number, code, text in (WORDS_FEDEX, WORDS_USPS):
                    feed.append({"carrier": carrier, "tracking_number": number, "code": code,
                                 "description": text, "timestamp": stamp, **place})  # fmt: skip
    assert _compare(feed) > len(feed) // 2
    assert _compare(feed) > len(feed) // 2  # the memo of half hours from the first batch


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-20T10:15:00-05:00",  # the offset shape, read by Arrow
        "2026-11-20T10:15:00+14:00",
        "2026-11-20T10:15:00-14:00",
        "2026-11-20T10:15:00+14:01",  # beyond ±14:00: the rules reject it
        "2026-11-20T10:15:00+05:45",
        "2026-11-20T10:15:00+00:00",
        "2026-11-20T00:00:00-05:00",  # midnight: USPS's midnight rule decides
        "2026-11-20T00:00:00",
        "2026-11-20T10:15:00Z",
        "2026-11-20T10:15:00z",
        "2026-11-20T10:15:00.250-05:00",  # fractional seconds
        "2026-11-20T10:15:00.5Z",
        "2026-11-20T10:15:00.123456",
        "2026-11-20",  # a date only
        "2026-11-20T10:15-05:00",  # no seconds
        "2026-11-20T10:15:00-0500",
        "2026-11-20T10:15:00+05:30:45",
        "1969-12-31T23:59:59+00:00",  # outside the years the rules accept
        "1970-01-01T00:30:00+01:00",
        "2100-12-31T23:59:59-05:00",
        "2101-01-01T00:00:00+00:00",
        "1969-12-31T23:59:59",
        "2101-01-01T10:00:00",
        "2026-02-29T10:15:00-05:00",  # not a day
        "2024-02-29T10:15:00-05:00",
        "2026-11-20T24:00:00-05:00",
        "2026-11-20T10:60:00",
        "2026-11-20 10:15:00-05:00",
    ],
)
def test_each_time_shape_gives_the_per_record_result(stamp: str) -> None:
    """Each shape of time, fast path or not, at a U.S. state, another country and no place, for
    a carrier with a midnight rule and one without, and beside an offset field."""
    feed = []
    for place in (
        {"city": "NEW YORK", "state": "NY", "country": "US"},
        {"city": "Leipzig", "country": "DE"},
        {},
    ):
        for carrier, number, code, text in (WORDS_FEDEX, WORDS_USPS):
            row = {"carrier": carrier, "tracking_number": number, "code": code, "description": text,
                   "timestamp": stamp, **place}  # fmt: skip
            feed.extend([row, {**row, "utc_offset": "-05:00"}])
    _compare(feed)
