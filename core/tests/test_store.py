"""The SQLite store as a library: idempotent batched ingest, crash safety, read-back, journeys,
schema versions and migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

from tracklingo import Handoff, MatchKind, Stage, TrackingEvent, event_to_json
from tracklingo import store as store_mod
from tracklingo.journeys import build_journeys
from tracklingo.store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    IngestStats,
    Migration,
    Store,
    StoreError,
    open_store,
)

from factories import ev

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def many(n: int, per_number: int = 4) -> list[TrackingEvent]:
    return [
        ev("acme", f"ACME{i // per_number:06d}", T0 + timedelta(hours=i), "in_transit", f"scan {i}")
        for i in range(n)
    ]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


def count_rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


# -- ingest -----------------------------------------------------------------------------------


def test_ingest_is_idempotent(db: Path) -> None:
    events = many(1000)
    with open_store(db) as store:
        first = store.ingest(events, batch_size=300)
        assert (first.added, first.duplicates, first.batches) == (1000, 0, 4)
        again = store.ingest(iter(events), batch_size=300)
        assert (again.added, again.duplicates, again.events) == (0, 1000, 1000)
        assert len(store) == 1000
    with open_store(db) as store:  # and it is on disk
        assert store.count() == 1000
        assert store.ingest(events[:10]).duplicates == 10


def test_duplicates_inside_one_batch_and_across_feeds(db: Path) -> None:
    a = ev("acme", "ACME1", T0, "in_transit", "Arrived", code="A1")
    b = ev("acme", "ACME1", T0, "in_transit", "Arrived", code="A1", raw={"feed": 2})  # same key
    c = ev("acme", "ACME1", T0, "in_transit", "Arrived", code="A2")  # another code
    with Store(db) as store:
        stats = store.ingest([a, b, a, c])
        assert (stats.added, stats.duplicates) == (2, 2)
        assert [e.code for e in store.events()] == ["A1", "A2"]


def test_undated_events_and_missing_codes_dedupe(db: Path) -> None:
    # NULL never collides in a unique index: the key stores '' for "no time" and "no code"
    undated = ev("acme", "ACME1", None, "in_transit", "Origin post is preparing shipment")
    with Store(db) as store:
        assert store.ingest([undated, undated]).added == 1
        assert store.ingest([undated]).added == 0
        [back] = store.events()
        assert back == undated


def test_same_instant_written_with_another_offset_is_one_event(db: Path) -> None:
    # The key's time is the instant (as in `TrackingEvent.dedup_key`): one scan, two feeds.
    utc = ev("acme", "ACME1", T0, "in_transit", "Arrived")
    ny = ev("acme", "ACME1", T0.astimezone(timezone(timedelta(hours=-5))), "in_transit", "Arrived")
    assert utc.dedup_key == ny.dedup_key
    with Store(db) as store:
        assert store.ingest([utc, ny]).added == 1


def test_events_round_trip_and_filters(db: Path, acme_registry: Any) -> None:
    acme = acme_registry.get("acme")
    made = acme.make_event(
        tracking_number="ACME9",
        when="2026-11-20T14:03:00-05:00",
        text="Arrived at DENVER HUB - USA",
        location={"city": "DENVER", "region": "CO"},
        raw={"line": 7},
    )
    others = [ev("beta", "B1", T0, "accepted"), ev("acme", "ACME8", T0, "in_transit")]
    with Store(db) as store:
        store.ingest([others[0], made, others[1]])
        [back] = store.events(tracking_number="ACME9")
        assert back == made.model_copy(update={"raw": None})  # raw only when asked
        assert back.location.facility == "DENVER HUB" and back.match is MatchKind.PATTERN
        assert [e.tracking_number for e in store.events()] == ["B1", "ACME9", "ACME8"]
        assert [e.tracking_number for e in store.events(carrier="ACME")] == ["ACME9", "ACME8"]
        assert list(store.events(tracking_number="ACME9", carrier="beta")) == []
        assert store.count(carrier="beta") == 1 and store.count(tracking_number="nope") == 0


def test_raw_is_kept_when_asked(db: Path) -> None:
    e = ev("acme", "ACME1", T0, "in_transit", raw={"carrier_field": [1, 2]})
    with Store(db) as store:
        store.ingest([e], include_raw=True)
        [back] = store.events()
        assert back.raw == {"carrier_field": [1, 2]}
        assert orjson.loads(event_to_json(back, include_raw=True)) == orjson.loads(
            event_to_json(e, include_raw=True)
        )


def test_on_batch_reports_running_totals(db: Path) -> None:
    seen: list[tuple[int, int, int]] = []
    with Store(db) as store:
        store.ingest(many(10), batch_size=4)
        store.ingest(
            many(25), batch_size=10, on_batch=lambda s: seen.append((s.added, s.duplicates, s.batches))
        )
    assert seen == [(0, 10, 1), (10, 10, 2), (15, 10, 3)]


def test_bad_batch_size(db: Path) -> None:
    with Store(db) as store, pytest.raises(ValueError, match="batch_size"):
        store.ingest([], batch_size=0)


# -- crash safety (in process; the CLI test kills a real process) ------------------------------


class Boom(Exception):
    pass


def failing_after(events: list[TrackingEvent], n: int) -> Iterator[TrackingEvent]:
    for i, e in enumerate(events):
        if i == n:
            raise Boom
        yield e


def test_a_failure_mid_feed_keeps_committed_batches_and_a_rerun_completes(db: Path) -> None:
    events = many(1000)
    with Store(db) as store, pytest.raises(Boom):
        store.ingest(failing_after(events, 730), batch_size=100)
    assert count_rows(db) == 700  # the 7 committed batches; the 8th (30 events) is lost whole
    with Store(db) as store:
        stats = store.ingest(events, batch_size=100)
        assert (stats.added, stats.duplicates) == (300, 700)
        assert len(store) == 1000
        assert len({e.dedup_key for e in store.events()}) == 1000


def test_a_failing_insert_rolls_its_batch_back(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = many(50)
    calls = 0
    real_row = store_mod._row

    def flaky(event: TrackingEvent, include_raw: bool) -> Any:
        nonlocal calls
        calls += 1
        row = real_row(event, include_raw)
        return row if calls != 35 else (*row[:6], None, *row[7:])  # NOT NULL violated

    monkeypatch.setattr(store_mod, "_row", flaky)
    with Store(db) as store, pytest.raises(StoreError, match="NOT NULL"):
        store.ingest(events, batch_size=20)
    assert count_rows(db) == 20


# -- journeys ---------------------------------------------------------------------------------


def journey_shape(journeys: Any) -> list[tuple[list[tuple[str, str]], list[str]]]:
    return sorted(
        ([(leg.carrier, leg.tracking_number) for leg in j.legs], [e.description for e in j.events])
        for j in journeys
    )


def mixed_events() -> list[TrackingEvent]:
    return [
        ev("beta", "B77", T0 + timedelta(days=2), "out_for_delivery", "On the van"),
        ev("acme", "ACME1", T0, "accepted", "Picked up"),
        ev(
            "acme",
            "ACME1",
            T0 + timedelta(days=1),
            "handed_to_last_mile",
            "Tendered to Beta",
            handoff=Handoff(carrier="beta", tracking_number="B77"),
        ),
        ev("beta", "B77", T0 + timedelta(days=3), "delivered", "Delivered"),
        ev("upu", "CP202411052DE", T0, "accepted", "Posted", location={"country": "DE"}),
        ev("acme", "CP202411052DE", T0 + timedelta(days=5), "import_customs", "Customs"),
        ev("acme", "ACME2", T0, "in_transit", "Alone"),
        ev("acme", "ACME2", None, "in_transit", "Undated, after Alone"),
        ev("acme", "ACME2", T0 + timedelta(hours=1), "in_transit", "Later"),
        ev(
            "beta",
            "B99",
            T0,
            "in_transit",
            "Handed to someone we never heard from",
            handoff=Handoff(carrier="zeta", tracking_number="Z1"),
        ),
    ]


def test_journeys_match_build_journeys_over_everything(db: Path) -> None:
    events = mixed_events()
    with Store(db) as store:
        store.ingest(events, batch_size=3)
        stored = list(store.journeys())
    assert journey_shape(stored) == journey_shape(build_journeys(events))
    joined = next(j for j in stored if j.key == "acme:ACME1")
    assert [leg.carrier for leg in joined.legs] == ["acme", "beta"]
    assert joined.current is not None and joined.current.stage is Stage.DELIVERED
    s10 = next(j for j in stored if "CP202411052DE" in j.tracking_numbers)
    assert len(s10.legs) == 2 and s10.origin_country == "DE"
    alone = next(j for j in stored if j.key == "acme:ACME2")
    assert [e.description for e in alone.events] == ["Alone", "Undated, after Alone", "Later"]


def test_journeys_for_one_number(db: Path) -> None:
    with Store(db) as store:
        store.ingest(mixed_events())
        [j] = store.journeys(tracking_number="B77")  # the handoff's far leg finds the whole set
        assert j.key == "acme:ACME1" and len(j.events) == 4
        found = store.journey("ACME1", carrier="acme")
        assert found is not None and found.key == j.key
        assert store.journey("ACME1", carrier="beta") is None
        assert store.journey("NOPE") is None
        assert len(list(store.journeys(carrier="beta"))) == 2  # B77's journey and B99's


def test_journeys_resolve_direction_with_the_registry(db: Path, acme_registry: Any) -> None:
    acme = acme_registry.get("acme")
    isc = acme.make_event(
        tracking_number="ACME7", when=T0 + timedelta(days=2), text="Processed through GATEWAY JFK"
    )
    first = ev("acme", "ACME7", T0, "accepted", location={"country": "DE"})
    last = ev("acme", "ACME7", T0 + timedelta(days=4), "delivered", location={"country": "US"})
    with Store(db) as store:
        store.ingest([first, isc, last])
        [j] = store.journeys(acme_registry)
        assert j.events[1].stage is Stage.ARRIVED_DESTINATION_COUNTRY
        [raw] = store.journeys()
        assert raw.events[1].needs_context == "direction"


def test_memory_store() -> None:
    with Store(":memory:") as store:
        assert store.ingest(many(5)).added == 5
        assert len(list(store.journeys())) == 2


# -- schema, versions, migrations ---------------------------------------------------------------


def pragmas(path: Path) -> tuple[int, int, str]:
    with sqlite3.connect(path) as conn:
        return (
            conn.execute("PRAGMA user_version").fetchone()[0],
            conn.execute("PRAGMA application_id").fetchone()[0],
            conn.execute("PRAGMA journal_mode").fetchone()[0],
        )


def test_migrations_are_a_contiguous_sequence() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert SCHEMA_VERSION == MIGRATIONS[-1].version == 4
    assert all(m.description for m in MIGRATIONS)


def test_a_new_store_is_current_wal_and_marked(db: Path) -> None:
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
    assert pragmas(db) == (SCHEMA_VERSION, APPLICATION_ID, "wal")


# The schema as tracklingo's first store release wrote it, frozen here on purpose: the migration
# must upgrade files that exist in the wild, whatever the code's step 1 becomes.
V1_SCHEMA = """
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    carrier         TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    occurred_at     TEXT NOT NULL,
    code            TEXT NOT NULL,
    description     TEXT NOT NULL,
    stage           TEXT NOT NULL,
    event           TEXT NOT NULL
);
CREATE UNIQUE INDEX events_dedup ON events (tracking_number, carrier, occurred_at, code, description);
PRAGMA application_id = 1414220871;
PRAGMA user_version = 1;
"""


def make_v1_store(path: Path, events: list[TrackingEvent]) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    for e in events:
        # v1 keyed rows on the time exactly as written (not the instant)
        carrier, number, _, code, text = e.dedup_key
        when = e.occurred_at.isoformat() if e.occurred_at else ""
        conn.execute(
            "INSERT INTO events (carrier, tracking_number, occurred_at, code, description, stage,"
            " event) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (carrier, number, when, code, text, e.stage.value, e.model_dump_json(exclude={"raw"})),
        )
    conn.commit()
    conn.close()


def test_v1_store_is_migrated_on_open(db: Path) -> None:
    events = mixed_events()
    make_v1_store(db, events)
    assert pragmas(db)[:2] == (1, APPLICATION_ID)
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        # the handoff columns were backfilled from the stored JSON ...
        with sqlite3.connect(db) as conn:
            handoffs = conn.execute(
                "SELECT carrier, tracking_number, handoff_carrier, handoff_number FROM events"
                " WHERE handoff_carrier IS NOT NULL ORDER BY id"
            ).fetchall()
        assert handoffs == [("acme", "ACME1", "beta", "B77"), ("beta", "B99", "zeta", "Z1")]
        # ... so journeys join across the handoff, as they do for a new store
        assert journey_shape(store.journeys()) == journey_shape(build_journeys(events))
        # the old rows keep their dedup keys: a rerun of the old feed adds nothing
        assert store.ingest(events).added == 0
        assert store.ingest([ev("beta", "B1", T0, "in_transit")]).added == 1
        assert len(store) == len(events) + 1
    assert pragmas(db) == (SCHEMA_VERSION, APPLICATION_ID, "wal")
    with Store(db) as store:  # reopening a current store changes nothing
        assert store.schema_version == SCHEMA_VERSION and len(store) == len(events) + 1


def test_a_failing_migration_leaves_the_store_as_it_was(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(db) as store:
        store.ingest(many(10))

    def v3(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("UPDATE events SET stage = 'unknown'")
        raise sqlite3.OperationalError("disk on fire")

    broken = Migration(SCHEMA_VERSION + 1, "broken", v3)
    monkeypatch.setattr(store_mod, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="disk on fire"):
        Store(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "half_done" not in tables
        assert conn.execute("SELECT DISTINCT stage FROM events").fetchall() == [("in_transit",)]


def test_a_newer_store_is_refused(db: Path) -> None:
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer = rf"schema version {SCHEMA_VERSION + 1}, newer than this tracklingo reads \({SCHEMA_VERSION}\)"
    with pytest.raises(StoreError, match=newer):
        Store(db)


def test_other_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE customers (id)")
    with pytest.raises(StoreError, match="is not a tracklingo store"):
        Store(other)
    text = tmp_path / "notes.txt"
    text.write_text("hello, I am not a database at all" * 100)
    with pytest.raises(StoreError, match=r"not a tracklingo store \(not an SQLite database\)"):
        Store(text)


def test_paths_that_cannot_hold_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"directory .*missing does not exist"):
        Store(tmp_path / "missing" / "x.db")
    with pytest.raises(StoreError, match="it is a directory"):
        Store(tmp_path)
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_stats_type() -> None:
    assert IngestStats(2, 3).events == 5


def test_v3_rekeys_old_rows_by_instant_and_merges_them(db: Path) -> None:
    utc = ev("acme", "ACME1", T0, "in_transit", "Arrived")
    ny = ev("acme", "ACME1", T0.astimezone(timezone(timedelta(hours=-5))), "in_transit", "Arrived")
    other = ev("acme", "ACME2", T0, "delivered", "Delivered")
    make_v1_store(db, [utc, ny, other])  # v1 kept both spellings of the same instant
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert len(store) == 2  # the first stored spelling is kept
        assert [e.occurred_at for e in store.events(tracking_number="ACME1")] == [T0]
        assert store.ingest([ny, other]).added == 0


def test_v4_merges_rows_stored_under_dashed_and_dotted_numbers(db: Path) -> None:
    # a store at schema 3 (before numbers lost their dashes and dots) holds one scan three times:
    # under "4801-234-561", "4801.234.561" and "4801234561", and a handoff to a dotted number
    with Store(db) as store:
        store.ingest([ev("acme", "4801234561", T0, "in_transit")])
    event = ev("acme", "4801234561", T0, "in_transit")
    handoff = ev(
        "acme", "4801234561", T0 + timedelta(hours=1), "handed_to_last_mile",
        handoff={"carrier": "beta", "tracking_number": "B7"},
    )
    with sqlite3.connect(db) as conn:
        for number in ("4801-234-561", "4801.234.561"):
            text = event.model_dump_json(exclude={"raw"}).replace('"4801234561"', f'"{number}"')
            conn.execute(
                "INSERT INTO events (carrier, tracking_number, occurred_at, code, description, stage,"
                " event) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ("acme", number, event.dedup_key[2], "", event.description, "in_transit", text),
            )
        text = handoff.model_dump_json(exclude={"raw"}).replace('"B7"', '"B-7"')
        conn.execute(
            "INSERT INTO events (carrier, tracking_number, occurred_at, code, description, stage,"
            " event, handoff_carrier, handoff_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ("acme", "4801-234-561", handoff.dedup_key[2], "", handoff.description, "handed_to_last_mile",
             text, "beta", "B-7"),
        )
        conn.execute("PRAGMA user_version = 3")
    with Store(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        rows = sorted((e.tracking_number, e.stage.value) for e in store.events())
        assert rows == [("4801234561", "handed_to_last_mile"), ("4801234561", "in_transit")]
        assert store.ingest([event]).added == 0  # the plain form is the same key
        store.ingest([ev("beta", "B7", T0 + timedelta(hours=2), "delivered")])
        journeys = list(store.journeys())
        assert [[(leg.carrier, leg.tracking_number) for leg in j.legs] for j in journeys] == [
            [("acme", "4801234561"), ("beta", "B7")]
        ]


# -- what `stuck` queries: finished journeys without loading them ----------------------------------


def finished_cases() -> list[TrackingEvent]:
    """One leg per case, the latest scan at or before NOW deciding (see each comment)."""
    h = timedelta(hours=1)
    naive = (T0 + 30 * h).replace(tzinfo=None)
    return [
        ev("acme", "DONE1", T0, "in_transit"),
        ev("acme", "DONE1", T0 + 30 * h, "delivered"),  # finished
        ev("acme", "DONE2", T0.astimezone(timezone(timedelta(hours=-5))), "returned"),  # finished
        ev("acme", "LATE1", T0, "out_for_delivery"),
        ev("acme", "LATE1", T0 + 60 * h, "delivered"),  # delivered only after NOW: not finished
        ev("acme", "MOVING", T0 + 30 * h, "in_transit"),
        ev("acme", "UNDATED", T0, "delivered"),
        ev("acme", "UNDATED", None, "in_transit", "could sort last"),
        ev("acme", "TIE", T0 + 30 * h, "delivered", "a"),
        ev("acme", "TIE", T0 + 30 * h, "in_transit", "b"),
        ev("acme", "NAIVETIE", naive, "in_transit", "local", time_is_local=True),
        ev("acme", "NAIVETIE", T0 + 30 * h, "delivered"),  # the same instant as UTC: a tie
        ev("acme", "CONTEXT", T0 + 30 * h, "delivered", "depends", needs_context="direction"),
        ev(
            "acme",
            "HANDED",
            T0,
            "handed_to_last_mile",
            handoff=Handoff(carrier="beta", tracking_number="B5"),
        ),
        ev("beta", "B5", T0 + 30 * h, "delivered"),  # joined legs: only the built journey tells
        ev("acme", "FUTURE", T0 + 90 * h, "delivered"),  # nothing at or before NOW
    ]


NOW = T0 + timedelta(hours=48)


def test_finished_legs_are_exactly_the_certain_ones(db: Path) -> None:
    with Store(db) as store:
        store.ingest(finished_cases())
        assert store.finished_legs(NOW) == {("acme", "DONE1"), ("acme", "DONE2")}
        assert store.finished_legs(NOW.replace(tzinfo=None)) == {("acme", "DONE1"), ("acme", "DONE2")}
        assert ("acme", "LATE1") in store.finished_legs(T0 + timedelta(hours=61))
        assert store.finished_legs(T0 - timedelta(hours=1)) == set()


def test_every_finished_leg_is_a_journey_over_at_now(db: Path) -> None:
    from tracklingo.advisor import journey_as_of

    events = [*finished_cases(), *mixed_events(), *many(40, per_number=3)]
    with Store(db) as store:
        store.ingest(events)
        for now in (NOW, T0 + timedelta(days=5), T0 + timedelta(hours=5)):
            finished = store.finished_legs(now)
            built = {j.key: j for j in store.journeys()}
            for carrier, number in finished:
                journey, _ = journey_as_of(built[f"{carrier}:{number}"], now)
                assert journey is not None and len(journey.legs) == 1
                assert journey.events[-1].stage.is_terminal, (carrier, number, now)


def test_journeys_can_leave_out_legs(db: Path) -> None:
    events = [*finished_cases(), *mixed_events()]
    with Store(db) as store:
        store.ingest(events)
        everything = list(store.journeys())
        all_legs = {(g.carrier, g.tracking_number) for j in everything for g in j.legs}
        few = store.finished_legs(NOW)  # a few legs left out: one scan
        most = all_legs - {("acme", "MOVING"), ("beta", "B5")}  # most left out: a query per leg
        for exclude in (few, most):
            rest = list(store.journeys(exclude=exclude))
            wanted = [
                j for j in everything if not all((g.carrier, g.tracking_number) in exclude for g in j.legs)
            ]
            assert journey_shape(rest) == journey_shape(wanted), exclude
            # a joined set of legs is built once, as without `exclude`
            assert sum(1 for j in rest if j.key == "acme:HANDED") == 1
    assert len(few) == 2 and len(most) > len(all_legs) / 2


# -- read-only --------------------------------------------------------------------------------------


def test_read_only_never_writes_a_schema_into_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreError, match="is empty: not a tracklingo store yet"):
        Store(empty, readonly=True)
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "absent.db", readonly=True)
    assert not (tmp_path / "absent.db").exists()


def test_read_only_reads_and_refuses_to_write(db: Path) -> None:
    with Store(db) as store:
        store.ingest(mixed_events())
    before = db.read_bytes()
    with Store(db, readonly=True) as store:
        assert len(store) == len(mixed_events())
        assert len(list(store.journeys())) == 4
        with pytest.raises(StoreError, match="read-only"):
            store.ingest(many(2))
    assert db.read_bytes() == before


def test_read_only_refuses_a_store_that_needs_a_migration(db: Path) -> None:
    make_v1_store(db, [ev("acme", "ACME1", T0, "in_transit")])
    newer = rf"schema version 1; this tracklingo reads {SCHEMA_VERSION}: open it for writing"
    with pytest.raises(StoreError, match=newer):
        Store(db, readonly=True)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_read_only_opens_as_immutable_where_sqlite_cannot_add_its_wal_files(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a read-only directory does to `mode=ro` on a WAL store, without needing one: the first
    attempt fails, the immutable one is used (the real directory case is in test_cli_store)."""
    with Store(db) as store:
        store.ingest(mixed_events())
    tried: list[str] = []
    real = sqlite3.connect

    def connect(target: str, *args: Any, **kw: Any) -> sqlite3.Connection:
        tried.append(target)
        if "immutable" not in target:
            raise sqlite3.OperationalError("unable to open database file")
        connection: sqlite3.Connection = real(target, *args, **kw)
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)  # the module the store calls
    with Store(db, readonly=True) as store:
        assert len(store) == len(mixed_events())
    assert [t.rsplit("?", 1)[1] for t in tried] == ["mode=ro", "mode=ro&immutable=1"]
    # a WAL file with data in it must not be ignored: then there is no immutable attempt
    Path(str(db) + "-wal").write_bytes(b"x" * 100)
    tried.clear()
    with pytest.raises(StoreError, match=r"cannot open store .* read-only: unable to open"):
        Store(db, readonly=True)
    assert [t.rsplit("?", 1)[1] for t in tried] == ["mode=ro"]
