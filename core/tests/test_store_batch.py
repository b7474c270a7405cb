"""The store at batch speed: `Store.ingest_tables` and `tracklingo ingest` on the batch path give the
per-record ingest's keys, rows and counts, and the same crash safety."""

from __future__ import annotations

import inspect
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

import test_store as per_record  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tracklingo import TrackingEvent, load_carriers  # noqa: E402
from tracklingo import store as store_mod  # noqa: E402
from tracklingo.batch import BatchNormalizer, events_table  # noqa: E402
from tracklingo.batch import rows as rows_mod  # noqa: E402
from tracklingo.batch.io import read_chunks  # noqa: E402
from tracklingo.batch.rows import dedup_keys, store_rows  # noqa: E402
from tracklingo.feeds import read_records  # noqa: E402
from tracklingo.normalize import Normalizer  # noqa: E402
from tracklingo.store import Store, StoreError  # noqa: E402

from factories import ev  # noqa: E402

ROOT = Path(__file__).parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.json*"))
REGISTRY = load_carriers()


def _tables(events: Iterable[TrackingEvent], include_raw: bool, size: int = 7) -> Iterator[Any]:
    """`events` as canonical tables of `size` rows, built lazily (a failing generator fails
    mid-feed, as it does for `Store.ingest`)."""
    it = iter(events)
    while chunk := list(islice(it, size)):
        yield events_table(chunk, include_raw=include_raw)


def _ingest_via_tables(
    self: Store, events: Iterable[TrackingEvent], *, include_raw: bool = False, **kw: Any
) -> Any:
    return self.ingest_tables(_tables(events, include_raw), include_raw=include_raw, **kw)


# The library's ingest tests, run again with `Store.ingest` routed through `ingest_tables`.
CASES: list[Callable[..., None]] = [
    per_record.test_ingest_is_idempotent,
    per_record.test_duplicates_inside_one_batch_and_across_feeds,
    per_record.test_undated_events_and_missing_codes_dedupe,
    per_record.test_same_instant_written_with_another_offset_is_one_event,
    per_record.test_events_round_trip_and_filters,
    per_record.test_raw_is_kept_when_asked,
    per_record.test_on_batch_reports_running_totals,
    per_record.test_bad_batch_size,
    per_record.test_a_failure_mid_feed_keeps_committed_batches_and_a_rerun_completes,
]


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__)
def test_the_store_ingest_tests_hold_for_ingest_tables(
    case: Callable[..., None],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    calls: list[int] = []
    real = Store.ingest_tables

    def counted(self: Store, tables: Iterable[Any], **kw: Any) -> Any:
        calls.append(1)
        return real(self, tables, **kw)

    monkeypatch.setattr(Store, "ingest", _ingest_via_tables)
    monkeypatch.setattr(Store, "ingest_tables", counted)
    fixtures = {"db": tmp_path / "store.db"}  # test_store's own `db` fixture
    case(
        **{
            name: fixtures[name] if name in fixtures else request.getfixturevalue(name)
            for name in inspect.signature(case).parameters
        }
    )
    assert calls  # the case ran on the batch ingest


def test_a_failing_insert_rolls_its_batch_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.db"
    real = rows_mod.store_rows
    batches = 0

    def flaky(events: Any, keys: Any, **kw: Any) -> Any:
        nonlocal batches
        batches += 1
        rows = real(events, keys, **kw)
        if batches == 2:
            broken: Any = (*rows[14][:6], None, *rows[14][7:])  # NOT NULL violated
            rows[14] = broken
        return rows

    monkeypatch.setattr(rows_mod, "store_rows", flaky)
    with Store(db) as store, pytest.raises(StoreError, match="NOT NULL"):
        store.ingest_tables(_tables(per_record.many(50), False), batch_size=20)
    assert per_record.count_rows(db) == 20


def test_batches_are_batch_size_events_whatever_the_tables(tmp_path: Path) -> None:
    seen: list[int] = []
    with Store(tmp_path / "s.db") as store:
        stats = store.ingest_tables(
            _tables(per_record.many(100), False, size=13),
            batch_size=30,
            on_batch=lambda s: seen.append(s.events),
        )
    assert seen == [30, 60, 90, 100] and stats.added == 100


# -- the same keys and rows as the per-record ingest ------------------------------------------

OFFSETS = st.one_of(
    st.none(),
    st.integers(-14 * 3600, 14 * 3600).map(lambda s: timezone(timedelta(seconds=s))),
    st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(0))]),
)
TEXTS = st.sampled_from(["", "In transit", "Départ — 配達", 'say "hi"\\', "x\u2028y\x7f", "\x01tab\t"])


@st.composite
def events(draw: Any) -> TrackingEvent:
    when = draw(st.none() | st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)))
    zone = draw(OFFSETS)
    if when is not None and zone is not None:
        when = when.replace(tzinfo=zone)
    kw: dict[str, Any] = {
        "code": draw(st.sampled_from([None, "", "OF", "x y"])),
        "location": draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "city": TEXTS,
                    "region": st.just("CO"),
                    "postal_code": st.just("80202"),
                    "country": st.just("US"),
                    "facility": TEXTS,
                },
            )
        ),
    }
    if draw(st.booleans()):
        kw["handoff"] = {"carrier": "usps", "tracking_number": draw(st.sampled_from([None, "9400111"]))}
    if draw(st.booleans()):
        kw["confidence"] = draw(st.floats(0, 1))
        kw["evidence"] = tuple(draw(st.lists(TEXTS, max_size=3)))
    if draw(st.booleans()):
        kw["needs_context"] = "customs"
        kw["time_note"] = "assumed local time"
    return ev(
        draw(st.sampled_from(["acme", "beta"])),
        draw(st.sampled_from(["ACME1", "ACME2"])),
        when,
        draw(st.sampled_from(["in_transit", "delivered", "exception"])),
        draw(TEXTS),
        time_is_local=when is not None and when.tzinfo is None,
        **kw,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events(), min_size=1, max_size=20))
def test_keys_and_rows_are_the_per_record_ones(evs: list[TrackingEvent]) -> None:
    table = events_table(evs)
    keys = dedup_keys(table)
    assert keys == [e.dedup_key for e in evs]
    assert store_rows(table, keys) == [store_mod._row(e, False) for e in evs]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_feeds_store_the_per_record_rows(path: Path, tmp_path: Path) -> None:
    normalizer = Normalizer(REGISTRY)
    events = [e for r in read_records(path) for e in normalizer.process(r)[0]]
    batch = BatchNormalizer(REGISTRY)
    tables = (
        batch.normalize(c.table, lines=c.lines, source=c.source, others=c.others, records=c.records)[0]
        for c in read_chunks(str(path), batch_rows=5)
    )
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        assert a.ingest(events, batch_size=4).added == b.ingest_tables(tables, batch_size=4).added > 0
    query = "SELECT * FROM events ORDER BY id"
    with sqlite3.connect(tmp_path / "a.db") as ca, sqlite3.connect(tmp_path / "b.db") as cb:
        assert ca.execute(query).fetchall() == cb.execute(query).fetchall()


# -- the CLI -----------------------------------------------------------------------------------

NO_ARROW = "import sys\nsys.modules['pyarrow'] = None"  # import pyarrow now fails


def _cli(*args: str, code: str = "") -> Any:
    probe = f"{code}\nimport sys\nfrom tracklingo.cli import main\nmain(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("first_batch", [True, False], ids=["batch-then-per-record", "per-record-then-batch"])
def test_one_feed_through_both_paths_into_one_store_adds_nothing_the_second_time(
    tmp_path: Path, first_batch: bool
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(p.read_text() for p in EXAMPLES if p.suffix == ".jsonl"))
    db = str(tmp_path / "t.db")
    order = ["", NO_ARROW] if first_batch else [NO_ARROW, ""]
    first = _cli("ingest", str(feed), "--db", db, "--json", "-q", code=order[0])
    second = _cli("ingest", str(feed), "--db", db, "--json", "-q", code=order[1])
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    import json

    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert one["added"] == one["events"] > 0 and one["duplicates"] == 0
    assert two["added"] == 0 and two["duplicates"] == one["events"]
    same = ("records_in", "records_ok", "rejected", "events", "inferred", "borrowed")
    assert {k: one[k] for k in same} == {
        k: two[k] for k in same
    }


@pytest.mark.parametrize(
    "extra", [[], ["--raw"], ["--batch-size", "3"]], ids=["plain", "raw", "small-batches"]
)
def test_both_paths_store_the_same_rows(tmp_path: Path, extra: list[str]) -> None:
    feeds = [str(p) for p in EXAMPLES]  # JSON Lines and raw carrier responses
    rows = []
    for code, name in (("", "batch.db"), (NO_ARROW, "per-record.db")):
        db = tmp_path / name
        r = _cli("ingest", *feeds, "--db", str(db), "-q", *extra, code=code)
        assert r.returncode == 0, r.stderr
        with sqlite3.connect(db) as conn:
            rows.append(conn.execute("SELECT * FROM events ORDER BY id").fetchall())
    assert rows[0] == rows[1] and len(rows[0]) > 50
    if "--raw" in extra:
        assert all('"raw":' in row[7] for row in rows[0])


def test_stdin_goes_through_the_batch_path_in_batches(tmp_path: Path) -> None:
    feed = (ROOT / "examples" / "usps.jsonl").read_text()
    probe = (
        "import sys\nfrom tracklingo.store import Store\nreal = Store.ingest_tables\n"
        "def spy(self, tables, **kw):\n"
        "    print('TABLES', file=sys.stderr)\n"
        "    return real(self, tables, **kw)\n"
        "Store.ingest_tables = spy\n"
        "from tracklingo.cli import main\nmain(sys.argv[1:])"
    )
    r = subprocess.run(
        [sys.executable, "-c", probe, "ingest", "--db", str(tmp_path / "s.db"), "--batch-size", "4"],
        input=feed,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("TABLES\n") and "records in 18 / events added" in r.stderr
