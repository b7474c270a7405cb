"""The column-wise parts of `Store.ingest_tables`: stored keys matched as texts, rows written from
the columns, and the slower ways they fall back to, all giving the per-record rows and counts."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

from tracklingo import TrackingEvent  # noqa: E402
from tracklingo import store as store_mod  # noqa: E402
from tracklingo.batch import events_table  # noqa: E402
from tracklingo.batch.columns import iso_text  # noqa: E402
from tracklingo.batch.rows import KEY_SEPARATOR, dedup_keys, key_columns, key_texts, store_rows  # noqa: E402
from tracklingo.store import Store  # noqa: E402

from factories import ev  # noqa: E402

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT carrier, tracking_number, occurred_at, code, description, stage, event,"
            " handoff_carrier, handoff_number FROM events ORDER BY id"
        ).fetchall()


def _per_record(db: Path, events: list[TrackingEvent]) -> list[tuple[Any, ...]]:
    with Store(db) as store:
        store.ingest(events)
    return _rows(db)


def test_keys_holding_the_separator_are_compared_as_keys(tmp_path: Path) -> None:
    # code "x" + SEP with description "y", and code "x" with description SEP + "y": two keys
    # whose parts join to the same text; the batch must compare them part by part
    joined = ev("acme", "ACME1", T0, "in_transit", f"{KEY_SEPARATOR}y", code="x")
    split = ev("acme", "ACME1", T0, "in_transit", "y", code=f"x{KEY_SEPARATOR}")
    texts = [f"{KEY_SEPARATOR}".join(k) for k in dedup_keys(events_table([joined, split]))]
    assert texts[0] == texts[1]
    assert key_texts(key_columns(events_table([joined]))) is None
    with Store(tmp_path / "b.db") as store:
        first = store.ingest_tables([events_table([joined])])
        second = store.ingest_tables([events_table([split, joined])])
    assert (first.added, second.added, second.duplicates) == (1, 1, 1)
    assert _rows(tmp_path / "b.db") == _per_record(tmp_path / "p.db", [joined, split])


def test_a_stored_key_holding_the_separator_matches_no_plain_key(tmp_path: Path) -> None:
    stored = ev("acme", "ACME1", T0, "in_transit", f"x{KEY_SEPARATOR}y")
    plain = ev("acme", "ACME1", T0, "in_transit", "x")
    with Store(tmp_path / "b.db") as store:
        store.ingest_tables([events_table([stored])])
        again = store.ingest_tables([events_table([plain])])  # matched as texts
        last = store.ingest_tables([events_table([plain, stored])])  # as keys
    assert (again.added, again.duplicates, last.added, last.duplicates) == (1, 0, 0, 2)


def test_the_chunked_key_query_gives_the_same_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # where SQLite has no json_each, the stored keys are read 900 numbers per query
    events = [ev("acme", f"N{i:04d}", T0 + timedelta(minutes=i), "in_transit", "scan") for i in range(2000)]
    monkeypatch.setattr(store_mod, "_JSON_EACH", [False])
    with Store(tmp_path / "b.db") as store:
        store.ingest_tables([events_table(events[:1500])])
        again = store.ingest_tables([events_table(events)])
    assert (again.added, again.duplicates) == (500, 1500)


def test_rows_with_texts_json_escapes_and_all_null_columns_are_the_per_record_rows() -> None:
    texts = ['say "hi"', "back\\slash", "tab\there", "\x00nul", "plain", "é 配達 \u2028"]
    events = [ev("acme", "ACME1", T0 + timedelta(hours=i), "in_transit", t) for i, t in enumerate(texts)]
    events.append(ev("acme", "ACME2", None, "delivered", "undated"))
    events.append(
        ev("acme", "ACME3", T0, "exception", "x", location={"city": 'A "B"'}, evidence=("e1", 'e"2'))
    )
    table = events_table(events)
    assert store_rows(table) == [store_mod._row(e, False) for e in events]
    assert store_rows(table, dedup_keys(table)) == [store_mod._row(e, False) for e in events]
    # one batch without a location, handoff, code or note in any row
    bare = [ev("acme", "ACME1", T0 + timedelta(hours=i), "in_transit", "bare") for i in range(3)]
    assert store_rows(events_table(bare)) == [store_mod._row(e, False) for e in bare]


def test_offsets_with_seconds_and_naive_times_are_written_as_the_event_writes_them() -> None:
    odd = timezone(timedelta(hours=5, minutes=30, seconds=45))
    events = [
        ev("acme", "ACME1", datetime(2026, 3, 1, 9, 30, 0, 500, tzinfo=odd), "in_transit", "a"),
        ev("acme", "ACME1", datetime(2026, 3, 1, 9, 30), "in_transit", "b", time_is_local=True),
        ev(
            "acme",
            "ACME1",
            datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-3))),
            "in_transit",
            "c",
        ),
    ]
    table = events_table(events)
    assert store_rows(table) == [store_mod._row(e, False) for e in events]


def test_iso_text_is_isoformat() -> None:
    values = [
        datetime(1, 1, 1),
        datetime(999, 12, 31, 23, 59, 59, 1),
        datetime(2026, 11, 1),
        datetime(2026, 11, 1, 0, 0, 0, 500000),
        datetime(9999, 12, 31, 23, 59, 59, 999999),
        None,
    ]
    got = iso_text(pa.array(values, pa.timestamp("us"))).to_pylist()
    assert got == [v.isoformat() if v is not None else None for v in values]
    seconds = iso_text(pa.array([datetime(2024, 2, 29, 23, 59, 59)], pa.timestamp("s"))).to_pylist()
    assert seconds == ["2024-02-29T23:59:59"]
    with pytest.raises(ValueError, match="seconds or microseconds"):
        iso_text(pa.array([0], pa.timestamp("ms")))


def test_text_columns_are_cleaned_as_str_strip() -> None:
    # every character str.isspace knows, at either end; and characters it does not know
    from tracklingo.batch.columns import text_column

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    others = ["\u200b", "\u180e", "\ufeff", "x"]
    values = [f"{c}a{c}" for c in spaces + others] + ["", " ", None, "plain", "in  side"]
    got = text_column(pa.array(values, pa.string())).to_pylist()
    assert got == [v.strip() or None if v is not None else None for v in values]
