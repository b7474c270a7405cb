"""The dwell history: distributions read from a store in SQL, checked against the truth of seeded
synthetic journeys (bench/journeygen.py) and against hand-built stores; the answers for one parcel."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import math
import sqlite3
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklingo import Handoff, Location, Stage, Store
from tracklingo.advisor import business_hours
from tracklingo.checkdigits import parse_s10
from tracklingo.history import (
    DwellStats,
    DwellTable,
    History,
    HistorySettings,
    Lane,
    Position,
    Prior,
    Quantiles,
    lane_for,
    position_of,
    read_dwell,
)
from tracklingo.journeys import build_journeys
from tracklingo.store import StoreError

from factories import ev

BENCH = Path(__file__).resolve().parents[2] / "bench"
HOMES = {"usps": "US", "fedex": None, "dhl": None}


def load_bench(name: str) -> ModuleType:
    """A module of bench/ (registered under its own name, as the bench scripts import each other)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(q * len(ordered) - 1e-9))) - 1]


def quantiles_of(values: list[float]) -> Quantiles:
    """What `read_dwell` keeps of a sample: the order statistics at the whole-percentile ranks."""
    ordered = sorted(values)
    n = len(ordered)
    ranks = [r for r in range(1, n + 1) if r in (1, n) or (r * 100) // n != ((r - 1) * 100) // n]
    return Quantiles(n=n, ranks=tuple(ranks), values=tuple(ordered[r - 1] for r in ranks))


# -- Quantiles ----------------------------------------------------------------------------------


@given(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=400))
def test_whole_percentiles_are_exact_from_the_kept_ranks(values: list[float]) -> None:
    kept = quantiles_of(values)
    assert len(kept.ranks) <= 101
    for p in range(1, 100):
        assert kept.quantile(p / 100) == nearest_rank(values, p / 100)
    assert kept.quantile(0.0) == min(values)
    assert kept.quantile(1.0) == max(values)


@given(
    st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=400),
    st.floats(-10, 1.1e4, allow_nan=False),
)
def test_share_below_is_within_a_percent_of_the_true_share(values: list[float], x: float) -> None:
    kept = quantiles_of(values)
    true = sum(v <= x for v in values) / len(values)
    share = kept.share_below(x)
    # exact where every sample is kept (n <= 100); else within the gap between kept ranks
    assert share == pytest.approx(true, abs=1e-12) if len(values) <= 100 else abs(share - true) <= 0.0101


def test_share_below_at_the_ends() -> None:
    kept = quantiles_of([1.0, 2.0, 3.0, 4.0])
    assert kept.share_below(0.5) == 0.0
    assert kept.share_below(4.0) == 1.0
    assert kept.share_below(2.0) == 0.5
    assert kept.share_below(2.5) == 0.5
    wide = quantiles_of([float(v) for v in range(1, 1001)])  # ranks 10, 20, ... kept
    assert wide.share_below(15.0) == pytest.approx(0.0145)  # 10 kept, 4.5 of the 9 between


# -- lanes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("home", "origin", "destination", "stages", "lane"),
    [
        ("US", "US", "US", [Stage.ACCEPTED, Stage.DELIVERED], "domestic"),
        ("US", "CN", "US", [Stage.ACCEPTED], "inbound"),
        ("US", "CN", "CN", [Stage.ACCEPTED], "inbound"),  # an S10 item from abroad, not yet gone
        ("US", "US", "GB", [Stage.DELIVERED], "outbound"),
        ("US", "US", "US", [Stage.DEPARTED_ORIGIN_COUNTRY], "outbound"),
        ("US", "US", "US", [Stage.ARRIVED_DESTINATION_COUNTRY], "inbound"),
        ("US", None, None, [Stage.IN_TRANSIT], "domestic"),
        (None, "DE", "US", [Stage.ACCEPTED], "international"),
        (None, "US", "US", [Stage.IMPORT_CUSTOMS], "international"),
        (None, "US", "US", [Stage.IN_TRANSIT], "domestic"),
        (None, None, "US", [Stage.IN_TRANSIT], "domestic"),
    ],
)
def test_lane_for(home: str | None, origin: str | None, destination: str | None,
                  stages: list[Stage], lane: str) -> None:
    assert lane_for(home, origin, destination, stages) == lane


# -- the store, hand-built ----------------------------------------------------------------------

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def _store(path: Path, events: list[Any]) -> Path:
    with Store(path) as store:
        store.ingest(events)
    return path


def test_dwell_of_runs_transitions_and_time_to_delivery(tmp_path: Path) -> None:
    us = Location(country="US")
    events = [
        ev("acme", "A1", T0, "accepted", location=us),
        ev("acme", "A1", T0 + timedelta(hours=10), "in_transit", location=us),
        ev("acme", "A1", T0 + timedelta(hours=20), "in_transit", "second scan", location=us),
        ev("acme", "A1", T0 + timedelta(hours=22), "unknown", "??", location=us),  # left out
        ev("acme", "A1", T0 + timedelta(hours=30), "out_for_delivery", location=us),
        ev("acme", "A1", T0 + timedelta(hours=34), "delivered", location=us),
        ev("acme", "A2", T0, "accepted", location=us),
        ev("acme", "A2", T0 + timedelta(hours=4), "in_transit", location=us),  # still there: open
        ev("acme", "A2", None, "in_transit", "undated"),
    ]
    table = read_dwell(_store(tmp_path / "s.db", events), homes={"acme": "US"})
    accepted = table.get("acme", Stage.ACCEPTED, "domestic")
    transit = table.get("acme", Stage.IN_TRANSIT, "domestic")
    assert accepted is not None and transit is not None
    assert (accepted.n, sorted(accepted.hours.values)) == (2, [4.0, 10.0])
    assert (transit.n, transit.hours.values) == (1, (20.0,))  # first in-transit scan to the next stage
    assert accepted.to_delivered is not None and accepted.to_delivered.values == (34.0,)
    assert transit.to_delivered is not None and transit.to_delivered.values == (24.0,)
    assert table.get("acme", Stage.OUT_FOR_DELIVERY, "domestic") is not None
    assert table.get("acme", Stage.DELIVERED, "domestic") is None  # terminal: never a dwell
    assert table.transitions == 4


def test_business_hours_skip_the_weekend_in_the_scans_local_time(tmp_path: Path) -> None:
    tokyo = timezone(timedelta(hours=9))
    friday = datetime(2026, 11, 6, 20, 0, tzinfo=tokyo)
    monday = datetime(2026, 11, 9, 4, 0, tzinfo=tokyo)
    events = [
        ev("acme", "B1", friday, "import_customs", location=Location(country="JP")),
        ev("acme", "B1", monday, "customs_cleared", location=Location(country="JP")),
    ]
    table = read_dwell(_store(tmp_path / "s.db", events))
    stats = table.get("acme", Stage.IMPORT_CUSTOMS, "international")
    assert stats is not None
    assert stats.hours.values == (56.0,)
    assert stats.business_hours.values == (8.0,)  # Friday 20:00-24:00 and Monday 00:00-04:00, Tokyo


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(datetime(2024, 1, 1), datetime(2027, 12, 31)),
    hours=st.floats(0, 24 * 40),
    offset=st.integers(-12 * 4, 14 * 4),
)
def test_sql_business_hours_agree_with_the_advisors(
    tmp_path_factory: pytest.TempPathFactory, start: datetime, hours: float, offset: int
) -> None:
    zone = timezone(timedelta(minutes=15 * offset))
    begin = start.replace(microsecond=0, tzinfo=zone)
    end = (begin + timedelta(hours=hours)).replace(microsecond=0)
    path = tmp_path_factory.mktemp("bh") / "s.db"
    events = [ev("acme", "C1", begin, "accepted", "a"), ev("acme", "C1", end, "in_transit", "b")]
    table = read_dwell(_store(path, events))
    stats = table.get("acme", Stage.ACCEPTED, "domestic")
    assert stats is not None
    assert stats.business_hours.values[0] == pytest.approx(business_hours(begin, end), abs=1e-6)


LAST_MILE = "9261290100130435082148"


def test_handoff_and_shared_s10_numbers_make_one_journey(tmp_path: Path) -> None:
    us, cn = Location(country="US"), Location(country="CN")
    s10 = "LX123456785CN"
    events = [
        # DHL hands over to USPS: the DHL stage ends with the USPS leg's first scan
        ev("dhl", "1234567890", T0, "in_transit", location=us),
        ev("dhl", "1234567890", T0 + timedelta(hours=5), "handed_to_last_mile", location=us,
           handoff=Handoff(carrier="usps", tracking_number=LAST_MILE)),
        ev("usps", LAST_MILE, T0 + timedelta(hours=12), "at_destination_facility", location=us),
        ev("usps", LAST_MILE, T0 + timedelta(hours=20), "delivered", location=us),
        # an S10 item: the origin post's scans and USPS's under one number
        ev("acme", s10, T0, "accepted", location=cn),
        ev("acme", s10, T0 + timedelta(hours=30), "departed_origin_country", location=cn),
        ev("usps", s10, T0 + timedelta(hours=90), "arrived_destination_country", location=us),
        ev("usps", s10, T0 + timedelta(hours=99), "delivered", location=us),
    ]
    table = read_dwell(_store(tmp_path / "s.db", events), homes=HOMES)
    handed = table.get("dhl", Stage.HANDED_TO_LAST_MILE, "domestic")
    assert handed is not None and handed.hours.values == (7.0,)
    assert handed.to_delivered is not None and handed.to_delivered.values == (15.0,)
    departed = table.get("acme", Stage.DEPARTED_ORIGIN_COUNTRY, "international")  # no home country
    assert departed is not None and departed.hours.values == (60.0,)
    arrived = table.get("usps", Stage.ARRIVED_DESTINATION_COUNTRY, "inbound")
    assert arrived is not None and arrived.hours.values == (9.0,)
    pooled = table.get("usps", Stage.ARRIVED_DESTINATION_COUNTRY, "international")
    assert pooled is not None and pooled.n == 1


def test_as_of_learns_from_the_store_as_it_stood(tmp_path: Path) -> None:
    events = [
        ev("acme", "D1", T0, "accepted"),
        ev("acme", "D1", T0 + timedelta(hours=10), "in_transit"),
        ev("acme", "D1", T0 + timedelta(hours=30), "delivered"),
    ]
    path = _store(tmp_path / "s.db", events)
    assert read_dwell(path, as_of=T0 - timedelta(hours=1)).groups == {}
    mid = read_dwell(path, as_of=T0 + timedelta(hours=12))
    transit = read_dwell(path).get("acme", Stage.IN_TRANSIT, "domestic")
    assert mid.transitions == 1 and mid.get("acme", Stage.IN_TRANSIT, "domestic") is None
    accepted = mid.get("acme", Stage.ACCEPTED, "domestic")
    assert accepted is not None and accepted.to_delivered is None  # not delivered yet then
    assert transit is not None and transit.n == 1


def test_read_only_and_refuses_what_is_not_a_store(tmp_path: Path) -> None:
    path = _store(tmp_path / "s.db", [ev("acme", "E1", T0, "accepted"), ev("acme", "E1", T0, "in_transit")])
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    read_dwell(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0

    with pytest.raises(StoreError, match="no store at"):
        read_dwell(tmp_path / "missing.db")
    text = tmp_path / "notes.txt"
    text.write_text("hello " * 200)
    with pytest.raises(StoreError, match="not an SQLite database"):
        read_dwell(text)
    other = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    with pytest.raises(StoreError, match="not a tracklingo store"):
        read_dwell(other)
    assert not (tmp_path / "missing.db").exists()


# -- the store, generated: every figure against the generator's truth ---------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    journeygen = load_bench("journeygen")
    path = tmp_path_factory.mktemp("gen") / "gen.db"
    truths = journeygen.build_store(path, 900, seed=7, days=60)
    return path, truths


def visible_lane(truth: Any, carrier: str) -> Lane:
    """The lane the journey's scans show (`lane_for` on the truth's countries): a parcel lost
    before it crossed a border has not shown that it would."""
    s10 = parse_s10(truth.number)
    origin = s10.country if s10 is not None and s10.valid else truth.stages[0].country
    ends = [st_ for st_ in truth.stages if st_.stage in (Stage.OUT_FOR_DELIVERY, Stage.DELIVERED)]
    destination = (ends or truth.stages)[-1].country
    return lane_for(HOMES.get(carrier), origin, destination, [st_.stage for st_ in truth.stages])


def _expected(truths: list[Any]) -> dict[tuple[str, Stage, Lane], dict[str, list[float]]]:
    """Per (carrier, stage, lane), from the truth: dwell (calendar, business), time to delivery."""
    out: dict[tuple[str, Stage, Lane], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for truth in truths:
        stages = truth.stages
        for i, st_ in enumerate(stages):
            if st_.stage.is_terminal:
                continue
            lane = visible_lane(truth, st_.carrier)
            if truth.delivered_at is not None:
                assert lane == truth.lane
            lanes: list[Lane] = [lane, "international"] if lane in ("inbound", "outbound") else [lane]
            for lane in lanes:
                bucket = out[(st_.carrier, st_.stage, lane)]
                if i + 1 < len(stages):
                    nxt = stages[i + 1].entered
                    bucket["hours"].append((nxt - st_.entered).total_seconds() / 3600)
                    bucket["business"].append(business_hours(st_.entered, nxt))
                if truth.delivered_at is not None:
                    bucket["delivered"].append((truth.delivered_at - st_.entered).total_seconds() / 3600)
    return out


def test_generated_store_matches_the_truth(generated: tuple[Path, list[Any]]) -> None:
    path, truths = generated
    table = read_dwell(path, homes=HOMES)
    expected = {k: v for k, v in _expected(truths).items() if v["hours"]}
    assert set(table.groups) == set(expected)
    assert {lane for _, _, lane in table.groups} == {"domestic", "inbound", "outbound", "international"}
    for key, want in expected.items():
        got = table.groups[key]
        assert got.n == len(want["hours"]), key
        for q in (0.1, 0.5, 0.9, 0.99):
            assert got.hours.quantile(q) == pytest.approx(nearest_rank(want["hours"], q), abs=1e-6)
            business = nearest_rank(want["business"], q)
            assert got.business_hours.quantile(q) == pytest.approx(business, abs=1e-6)
        if want["delivered"]:
            delivered = got.to_delivered
            assert delivered is not None and delivered.n == len(want["delivered"])
            assert delivered.quantile(0.5) == pytest.approx(nearest_rank(want["delivered"], 0.5), abs=1e-6)
    assert table.transitions == sum(
        sum(1 for st_ in t.stages[:-1] if not st_.stage.is_terminal) for t in truths
    )


def test_carrier_filter_keeps_whole_journeys(generated: tuple[Path, list[Any]]) -> None:
    path, _ = generated
    full = read_dwell(path, homes=HOMES)
    usps = read_dwell(path, homes=HOMES, carrier="USPS")
    assert usps.groups and {c for c, _, _ in usps.groups} == {"usps"}
    for key, stats in usps.groups.items():
        assert stats.hours == full.groups[key].hours
        assert stats.to_delivered == full.groups[key].to_delivered


def test_position_of_a_generated_journey_matches_the_truth(generated: tuple[Path, list[Any]]) -> None:
    path, truths = generated
    by_number = {t.number: t for t in truths}
    checked = 0
    with Store(path) as store:
        for journey in store.journeys():
            truth = by_number[journey.legs[0].tracking_number]
            for st_ in truth.stages[:-1]:
                moment = st_.entered + timedelta(minutes=1)
                position = position_of(journey, moment, homes=HOMES)
                assert position is not None
                got = (position.carrier, position.stage, position.since)
                assert got == (st_.carrier, st_.stage, st_.entered)
                checked += 1
            if truth.delivered_at is not None:  # a lost parcel may not have shown its lane yet
                last = position_of(journey, homes=HOMES)
                assert last is not None and last.lane == truth.lane
    assert checked > 5000


# -- answers for one parcel ---------------------------------------------------------------------


def _stats(carrier: str, stage: Stage, lane: Any, hours: list[float], delivered: list[float] | None = None,
           business: list[float] | None = None) -> DwellStats:
    return DwellStats(
        carrier=carrier,
        stage=stage,
        lane=lane,
        hours=quantiles_of(hours),
        business_hours=quantiles_of(business or hours),
        to_delivered=quantiles_of(delivered) if delivered else None,
    )


def _history(*stats: DwellStats, **kw: Any) -> History:
    table = DwellTable(db="x", as_of=None, groups={(s.carrier, s.stage, s.lane): s for s in stats})
    return History(table, HistorySettings(**kw))


HUNDRED = [float(h) for h in range(1, 101)]  # 1..100 hours: p50 = 50, p90 = 90
SINCE = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # a Friday


def test_judge_by_history_beyond_the_percentile() -> None:
    history = _history(_stats("usps", Stage.CUSTOMS_CLEARED, "inbound", HUNDRED))
    where = Position("usps", Stage.CUSTOMS_CLEARED, "inbound", SINCE)
    slow = history.judge(where, SINCE + timedelta(hours=97.5), prior=Prior(24))
    assert (slow.basis, slow.stuck, slow.samples, slow.lane_used) == ("history", True, 100, "inbound")
    assert (slow.median_hours, slow.limit_hours) == (50.0, 90.0)
    assert slow.slower_than == pytest.approx(0.97)
    assert "moved on after 2.1 days (median)" in slow.text
    assert "90 % within 3.8 days" in slow.text
    assert "this one has been here 4.1 days: slower than 97 %" in slow.text
    assert slow.text.endswith("Beyond the 90th percentile of 100 parcels: stuck.")
    assert "international inbound" in slow.text
    fine = history.judge(where, SINCE + timedelta(hours=89))
    assert (fine.basis, fine.stuck) == ("history", False)
    assert fine.text.endswith("Within the 90th percentile of 100 parcels: on track.")
    strict = _history(_stats("usps", Stage.CUSTOMS_CLEARED, "inbound", HUNDRED), percentile=0.99)
    assert strict.judge(where, SINCE + timedelta(hours=97.5)).stuck is False


def test_judge_counts_business_hours_when_asked() -> None:
    # 1..100 business hours; Friday 08:00 to Monday 08:00 is 24 business hours, 72 calendar hours
    history = _history(_stats("usps", Stage.IMPORT_CUSTOMS, "inbound", HUNDRED))
    where = Position("usps", Stage.IMPORT_CUSTOMS, "inbound", SINCE)
    monday = SINCE + timedelta(days=3)
    by_business = history.judge(where, monday, prior=Prior(168, business_days=True))
    assert by_business.business_days and by_business.elapsed_hours == 24.0
    assert by_business.slower_than == pytest.approx(0.24)
    assert "business" in by_business.text
    assert history.judge(where, monday).elapsed_hours == 72.0


def test_thin_history_falls_back_to_the_pooled_lane_then_to_the_prior() -> None:
    pooled = _stats("usps", Stage.IN_TRANSIT, "international", HUNDRED)
    thin = _stats("usps", Stage.IN_TRANSIT, "inbound", HUNDRED[:12])
    where = Position("usps", Stage.IN_TRANSIT, "inbound", SINCE)
    verdict = _history(thin, pooled).judge(where, SINCE + timedelta(hours=95))
    assert (verdict.basis, verdict.lane_used, verdict.samples) == ("history", "international", 100)
    assert "all international parcels" in verdict.text

    alone = _history(thin)
    prior = alone.judge(where, SINCE + timedelta(hours=95), prior=Prior(120))
    assert (prior.basis, prior.stuck, prior.samples, prior.limit_hours) == ("threshold", False, 12, 120)
    assert "Only 12 parcels like this one" in prior.text and "30 needed" in prior.text
    assert "fixed threshold of 5 days instead" in prior.text
    assert alone.judge(where, SINCE + timedelta(hours=121), prior=Prior(120)).stuck is True
    nothing = alone.judge(where, SINCE + timedelta(hours=121))
    assert (nothing.basis, nothing.stuck) == ("none", None)
    assert _history(thin, min_samples=10).judge(where, SINCE + timedelta(hours=95)).basis == "history"


def test_delivery_window_given_the_time_already_spent() -> None:
    # 100 journeys delivered 1..100 hours after entering the stage
    history = _history(_stats("fedex", Stage.CUSTOMS_CLEARED, "international", HUNDRED, delivered=HUNDRED))
    where = Position("fedex", Stage.CUSTOMS_CLEARED, "international", SINCE)
    fresh = history.delivery_window(where, SINCE)
    assert fresh is not None
    assert (fresh.earliest, fresh.likely, fresh.latest) == (
        SINCE + timedelta(hours=10), SINCE + timedelta(hours=50), SINCE + timedelta(hours=90))
    assert fresh.text.startswith("Likely delivered: between Fri 20 and Tue 24 Nov (80 % of 100 parcels")
    later = history.delivery_window(where, SINCE + timedelta(hours=60))
    assert later is not None
    # given it took more than 60 hours: the 40 slower ones, p10-p90 of them
    assert later.earliest == SINCE + timedelta(hours=64) and later.latest == SINCE + timedelta(hours=96)
    assert later.earliest >= SINCE + timedelta(hours=60)
    assert history.delivery_window(where, SINCE + timedelta(hours=95)) is None  # past nearly all of them
    thin = _history(_stats("fedex", Stage.CUSTOMS_CLEARED, "international", HUNDRED, delivered=HUNDRED[:20]))
    assert thin.delivery_window(where, SINCE) is None


def test_delivery_window_dates_in_the_scans_time_zone() -> None:
    history = _history(_stats("usps", Stage.OUT_FOR_DELIVERY, "domestic", HUNDRED, delivered=[2.0] * 50))
    la = timezone(timedelta(hours=-8))
    since = datetime(2026, 12, 31, 20, 0, tzinfo=la)  # 04:00 UTC on 1 January
    window = history.delivery_window(Position("usps", Stage.OUT_FOR_DELIVERY, "domestic", since), since)
    assert window is not None and window.earliest.utcoffset() == timedelta(hours=-8)
    assert "on Thu 31 Dec (" in window.text  # 22:00 in Los Angeles: 1 January in UTC


def test_assess_a_journey() -> None:
    us = Location(country="US")
    events = [
        ev("usps", "LX123456785CN", SINCE - timedelta(days=9), "accepted", location=Location(country="CN")),
        ev("usps", "LX123456785CN", SINCE - timedelta(days=2), "arrived_destination_country", location=us),
        ev("usps", "LX123456785CN", SINCE, "customs_cleared", location=us),
        ev("usps", "LX123456785CN", SINCE + timedelta(hours=2), "unknown", "Odd text", location=us),
        ev("usps", "LX123456785CN", SINCE + timedelta(days=5), "delivered", location=us),
    ]
    (journey,) = build_journeys(events)
    history = _history(_stats("usps", Stage.CUSTOMS_CLEARED, "inbound", HUNDRED, delivered=HUNDRED))
    now = SINCE + timedelta(hours=97.5)
    found = history.assess(journey, now, homes=HOMES)
    assert found is not None
    assert (found.stage, found.lane, found.since) == (Stage.CUSTOMS_CLEARED, "inbound", SINCE)
    assert found.verdict.stuck is True and found.window is None  # 97.5 h: beyond almost all
    assert history.assess(journey, SINCE + timedelta(days=6), homes=HOMES) is None  # delivered
    # without USPS's home country the lane is plain international: nothing learned for it
    unhomed = history.assess(journey, now, prior=Prior(240))
    assert unhomed is not None and unhomed.lane == "international" and unhomed.verdict.basis == "threshold"


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        HistorySettings(percentile=1.0)
    with pytest.raises(ValueError):
        HistorySettings(window=(0.9, 0.1))
    with pytest.raises(ValueError):
        HistorySettings(min_samples=0)
