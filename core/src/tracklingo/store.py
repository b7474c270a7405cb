"""The embedded event store (SQLite): idempotent, crash-safe ingest; events and journeys back out.

>>> from tracklingo import open_store, normalize, read_records       # doctest: +SKIP
>>> with open_store("tracklingo.db") as store:                       # doctest: +SKIP
...     stats = store.ingest(e for e in normalize(read_records("feed.jsonl"))
...                          if isinstance(e, TrackingEvent))
...     for journey in store.journeys(): ...

Idempotent: every event is stored once per dedup key (carrier, tracking number, time, code, text) — the
key `TrackingEvent.dedup_key` and `build_journeys` use — enforced by a unique index and
``INSERT ... ON CONFLICT DO NOTHING`` (an insert-or-ignore limited to that key), so the same feed
ingested twice adds nothing.

Crash-safe: events are written in batches (5,000 by default), each batch one transaction, in WAL mode
with ``synchronous=NORMAL``. A killed ingest keeps every batch it committed and loses the one in
flight as a whole (never half of it); rerunning the same feed adds exactly what is missing, because
the committed events come back as duplicates and are ignored. (``synchronous=NORMAL`` keeps the
database consistent on power loss too, where the last committed batches may roll back: rerunning
completes the store all the same.)

Schema: versioned with ``PRAGMA user_version`` and marked with ``PRAGMA application_id``. On open,
the steps of `MIGRATIONS` newer than the file's version run in order, in one transaction that also
bumps the version, so a store is never left half-migrated. A store written by a newer tracklingo is
refused rather than guessed at.

Read-only: ``Store(path, readonly=True)`` (what read-only commands such as ``tracklingo stuck``
use) never writes the database: no schema into an empty file, no migration. It opens an existing,
current store with SQLite's ``mode=ro`` (SQLite may still create the WAL's ``-shm``/``-wal``
companions where the directory allows, as any reader does). Where the directory is read-only, so
that those cannot be created, and no WAL file holds data (a cleanly closed store), it opens the
file as immutable instead: nothing is written, and nothing may write it meanwhile. An empty file,
a store that needs a migration and a missing file are `StoreError`s.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import orjson

from tracklingo.carrier import Carrier
from tracklingo.errors import StoreError
from tracklingo.journeys import Journey, build_journeys, link_legs
from tracklingo.model import TrackingEvent, event_to_json
from tracklingo.taxonomy import TERMINAL_STAGES

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "IngestStats",
    "Migration",
    "Store",
    "StoreError",
    "open_store",
]

#: ``PRAGMA application_id`` of a tracklingo store ("TKLG").
APPLICATION_ID: Final = 0x544B4C47
DEFAULT_BATCH_SIZE: Final = 5000

Carriers = Mapping[str, Carrier] | Iterable[Carrier] | None


@dataclass
class IngestStats:
    """What one `Store.ingest` call did: events `added`, `duplicates` ignored, `batches` committed."""

    added: int = 0
    duplicates: int = 0
    batches: int = 0

    @property
    def events(self) -> int:
        """Events offered to the store (added + duplicates)."""
        return self.added + self.duplicates


# -- schema and migrations ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: `apply` takes a store at ``version - 1`` to `version`.

    Steps run inside the open transaction (no COMMIT of their own); DDL is transactional in SQLite.
    """

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _v1_events(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE events (
            id              INTEGER PRIMARY KEY,
            carrier         TEXT NOT NULL,
            tracking_number TEXT NOT NULL,
            occurred_at     TEXT NOT NULL,  -- ISO 8601 as the event carries it; '' when undated
            code            TEXT NOT NULL,  -- '' when the carrier gave none
            description     TEXT NOT NULL,
            stage           TEXT NOT NULL,
            event           TEXT NOT NULL   -- the canonical event as JSON
        )
        """
    )
    # The dedup key. Empty strings, not NULLs: NULLs never collide in a unique index. Number first,
    # so the same index serves lookups by tracking number.
    conn.execute(
        "CREATE UNIQUE INDEX events_dedup"
        " ON events (tracking_number, carrier, occurred_at, code, description)"
    )


def _v2_handoffs(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE events ADD COLUMN handoff_carrier TEXT")
    conn.execute("ALTER TABLE events ADD COLUMN handoff_number TEXT")
    conn.execute(
        "CREATE INDEX events_handoff ON events (handoff_carrier, handoff_number)"
        " WHERE handoff_carrier IS NOT NULL"
    )
    # Backfill from the stored JSON. `instr` narrows the scan to rows that can hold a handoff.
    rows = conn.execute("SELECT id, event FROM events WHERE instr(event, '\"handoff\"') > 0")
    updates = []
    for row_id, text in rows:
        handoff = orjson.loads(text).get("handoff")
        if isinstance(handoff, dict) and handoff.get("carrier"):
            updates.append((handoff["carrier"], handoff.get("tracking_number"), row_id))
    conn.executemany("UPDATE events SET handoff_carrier = ?, handoff_number = ? WHERE id = ?", updates)


def _recanonicalise(conn: sqlite3.Connection, where: str = "") -> None:
    """Re-key the stored events (those matching `where`, else all) with the current model; rows
    that now share a key are one event: the first stored is kept."""
    conn.execute("DROP INDEX events_dedup")
    updates = []
    for row_id, text in conn.execute(f"SELECT id, event FROM events{where}"):
        event = TrackingEvent.model_validate_json(text)
        include_raw = event.raw is not None
        updates.append((*_row(event, include_raw), row_id))
    conn.executemany(
        "UPDATE events SET carrier = ?, tracking_number = ?, occurred_at = ?, code = ?,"
        " description = ?, stage = ?, event = ?, handoff_carrier = ?, handoff_number = ?"
        " WHERE id = ?",
        updates,
    )
    conn.execute(
        "DELETE FROM events WHERE id NOT IN (SELECT MIN(id) FROM events"
        " GROUP BY tracking_number, carrier, occurred_at, code, description)"
    )
    conn.execute(
        "CREATE UNIQUE INDEX events_dedup"
        " ON events (tracking_number, carrier, occurred_at, code, description)"
    )


def _v3_recanonicalise(conn: sqlite3.Connection) -> None:
    """Re-key every stored event with the current model: aware times compared as UTC instants,
    tracking numbers as printed on labels (no spaces, upper case), handoff carriers in lower case.
    Rows that now share a key are one event: the first stored is kept."""
    _recanonicalise(conn)


def _v4_clean_numbers(conn: sqlite3.Connection) -> None:
    """Tracking numbers written with dashes or dots ("4801-234-561", "9400.1118...") are the
    same parcels as the plain digits (`clean_tracking_number`): re-key the rows stored under
    such forms (and their handoff numbers), merging each into the row already stored plainly."""
    _recanonicalise(
        conn,
        " WHERE tracking_number GLOB '*[-.]*' OR handoff_number GLOB '*[-.]*'",
    )


#: Every schema step, oldest first. Append a step to change the schema; never edit a released one.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(1, "events with the dedup key as a unique index", _v1_events),
    Migration(2, "handoff columns (and index) for joining journeys across carriers", _v2_handoffs),
    Migration(3, "dedup key with times as UTC instants; numbers and handoffs normalised", _v3_recanonicalise),
    Migration(4, "tracking numbers without dashes and dots (one parcel, one key)", _v4_clean_numbers),
)
SCHEMA_VERSION: Final = MIGRATIONS[-1].version

# Ignore exactly the dedup-key conflicts (``INSERT OR IGNORE`` would also swallow other constraint
# failures, e.g. a NOT NULL, and count them as duplicates).
_INSERT: Final = (
    "INSERT INTO events (carrier, tracking_number, occurred_at, code, description,"
    " stage, event, handoff_carrier, handoff_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (tracking_number, carrier, occurred_at, code, description) DO NOTHING"
)

#: Tracking numbers per key query (below SQLite's smallest limit on query parameters).
_KEY_QUERY: Final = 900

#: The WAL size (bytes) at which SQLite checkpoints during an ingest (`Store._ingesting`), instead
#: of its default 1,000 pages (4 MiB): fewer checkpoints, each writing its pages back once.
INGEST_WAL_CHECKPOINT: Final = 64 * 1024 * 1024

#: A stored dedup key as one text (`Store._stored_key_texts`).
_KEY_TEXT: Final = " || char(31) || ".join(
    ("carrier", "tracking_number", "occurred_at", "code", "description")
)
#: Whether SQLite has `json_each` (JSON1); set to False on first failure.
_JSON_EACH: list[bool] = [True]

_Row = tuple[str, str, str, str, str, str, str, str | None, str | None]
_LegKey = tuple[str, str]  # (carrier, tracking number), as in `tracklingo.journeys`

#: A stored time as text that orders as the instant: aware times are stored in UTC ("+00:00"),
#: naive ones as written (compared as UTC, as journeys order them); undated is ''.
_INSTANT: Final = (
    "CASE WHEN occurred_at LIKE '%+00:00' THEN substr(occurred_at, 1, length(occurred_at) - 6)"
    " ELSE occurred_at END"
)
# Each leg's latest scans at or before ?1 (several when they share the instant), for legs without
# an undated scan: the leg aggregates come from the dedup index alone, the scans by index lookup.
_LATEST_SCANS: Final = f"""
WITH legs AS (
    SELECT carrier, tracking_number, min(occurred_at) AS first_at,
           max(CASE WHEN {_INSTANT} <= ?1 THEN {_INSTANT} END) AS last_at
    FROM events GROUP BY tracking_number, carrier
)
SELECT e.carrier, e.tracking_number, e.stage, instr(e.event, '"needs_context"')
FROM legs JOIN events AS e
  ON e.tracking_number = legs.tracking_number AND e.carrier = legs.carrier
 AND e.occurred_at IN (legs.last_at, legs.last_at || '+00:00')
WHERE legs.first_at != ''
"""


def _instant_text(when: datetime) -> str:
    """`when` (naive = UTC) as the text `_INSTANT` gives a stored time."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.isoformat()


def _event_json(event: TrackingEvent, include_raw: bool) -> str:
    if event.occurred_at is None:
        # `event_to_json` drops None fields, but `occurred_at` is required: keep its null so the
        # stored JSON validates back.
        exclude = None if include_raw else {"raw"}
        return event.model_dump_json(exclude=exclude)
    return event_to_json(event, include_raw=include_raw).decode()


def _row(event: TrackingEvent, include_raw: bool) -> _Row:
    """The row `Store.ingest` writes for `event` (its dedup key, stage, JSON and handoff)."""
    carrier, number, when, code, description = event.dedup_key
    handoff = event.handoff
    return (
        carrier,
        number,
        when,
        code,
        description,
        event.stage.value,
        _event_json(event, include_raw),
        handoff.carrier if handoff is not None else None,
        handoff.tracking_number if handoff is not None else None,
    )


# -- the store ------------------------------------------------------------------------------


class Store:
    """A tracklingo event store in one SQLite file (see the module docstring).

    Args:
        path: the database file (``":memory:"`` for a throwaway store).
        create: create the file when it does not exist (else `StoreError`).
        readonly: open an existing store for reading only (see the module docstring); `ingest`
            then raises `StoreError`.

    Use it as a context manager, or call `close`. One `Store` is for one thread; several processes
    may open the same file (readers never block the writer in WAL mode).
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._linked_memo: tuple[tuple[int, int], dict[_LegKey, _LegKey]] | None = None
        self._conn = _connect_readonly(self.path) if readonly else _connect(self.path, create=create)
        try:
            if readonly:
                _check_readable(self._conn, self.path)
            else:
                _migrate(self._conn, self.path)
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database (idempotent)."""
        if not self.readonly:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path}>"

    @property
    def schema_version(self) -> int:
        """The file's ``PRAGMA user_version`` (equal to `SCHEMA_VERSION` once open)."""
        with self._errors():
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"store {self.path}: {exc}") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- writing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _ingesting(self) -> Iterator[None]:
        """An ingest's connection settings: the WAL checkpointed at `INGEST_WAL_CHECKPOINT` bytes
        (SQLite's ``wal_autocheckpoint``, in pages), restored afterwards. Each transaction still
        commits to the WAL as before (a killed ingest keeps its committed batches)."""
        conn = self._conn
        before = int(conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        page = int(conn.execute("PRAGMA page_size").fetchone()[0]) or 4096
        conn.execute(f"PRAGMA wal_autocheckpoint = {max(before, INGEST_WAL_CHECKPOINT // page)}")
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):  # never hide the ingest's own error
                conn.execute(f"PRAGMA wal_autocheckpoint = {before}")

    def _is_empty(self) -> bool:
        """Whether no event is stored."""
        return self._conn.execute("SELECT 1 FROM events LIMIT 1").fetchone() is None

    def ingest(
        self,
        events: Iterable[TrackingEvent],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        include_raw: bool = False,
        on_batch: Callable[[IngestStats], None] | None = None,
    ) -> IngestStats:
        """Append `events`, ignoring those already stored (by dedup key), `batch_size` per
        transaction. `events` is consumed lazily: a generator over a huge feed is fine.

        Args:
            include_raw: keep each event's `raw` carrier record in the stored JSON.
            on_batch: called with the running totals after each committed batch.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.readonly:
            raise StoreError(f"store {self.path} is open read-only")
        stats = IngestStats()
        it = iter(events)
        with self._errors(), self._ingesting():
            while True:
                # Build the batch (and run the caller's generator) outside the transaction, so the
                # write lock is held only while inserting.
                rows = [_row(e, include_raw) for e in islice(it, batch_size)]
                if not rows:
                    break
                self._commit(rows, len(rows), stats, on_batch)
        return stats

    def _commit(
        self,
        rows: list[_Row],
        offered: int,
        stats: IngestStats,
        on_batch: Callable[[IngestStats], None] | None,
    ) -> None:
        """Insert `rows` (of a batch of `offered` events) in one transaction; count it."""
        with self._transaction() as conn:
            before = conn.total_changes
            conn.executemany(_INSERT, rows)
            added = conn.total_changes - before
        stats.added += added
        stats.duplicates += offered - added
        stats.batches += 1
        if on_batch is not None:
            on_batch(stats)

    def ingest_tables(
        self,
        tables: Iterable[Any],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        include_raw: bool = False,
        on_batch: Callable[[IngestStats], None] | None = None,
    ) -> IngestStats:
        """`ingest` for canonical event tables (`pyarrow.Table`s with `tracklingo.batch.EVENT_SCHEMA`,
        e.g. from `tracklingo.batch.normalize_batch`): the same batches of `batch_size` events, each
        one transaction, the same keys and rows; but the dedup keys are computed column-wise, and
        events already stored are skipped (one key query per batch) before any row is built.
        Into a store that was empty, the key queries are left out (the insert ignores what is
        already there) until a batch turns out to repeat stored events. Needs the ``arrow`` extra."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from tracklingo.batch.rows import key_columns, key_texts, store_rows

        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.readonly:
            raise StoreError(f"store {self.path} is open read-only")
        stats = IngestStats()
        with self._errors(), self._ingesting():
            lookup = not self._is_empty()  # nothing stored: no key to look up, until a repeat
            for batch in _slices(tables, batch_size):
                offered = batch.num_rows
                if not lookup:
                    self._commit(store_rows(batch, None, include_raw=include_raw), offered, stats, on_batch)
                    lookup = stats.duplicates > 0  # the feed repeats itself: look keys up again
                    continue
                parts = key_columns(batch)
                numbers = pc.unique(parts[1]).to_pylist()
                texts = key_texts(parts)
                if texts is not None:  # the stored keys as texts, looked up column-wise
                    found = self._stored_key_texts(numbers)
                    stored = pc.is_in(texts, value_set=pa.array(found, pa.string())) if found else None
                else:  # a key part holds the texts' separator: compare the keys themselves
                    keys = list(zip(*(c.to_pylist() for c in parts), strict=True))
                    have = self._stored_keys(numbers)
                    stored = pa.array([key in have for key in keys], pa.bool_())
                if stored is not None and pc.any(stored).as_py():
                    batch = batch.filter(pc.invert(stored))
                rows = store_rows(batch, None, include_raw=include_raw) if batch.num_rows else []
                self._commit(rows, offered, stats, on_batch)
        return stats

    def _stored_keys(self, numbers: Collection[str]) -> set[tuple[str, str, str, str, str]]:
        """The dedup keys stored under `numbers` (read outside any write transaction: a key stored
        meanwhile is still ignored by the insert)."""
        found: set[tuple[str, str, str, str, str]] = set()
        todo = list(numbers)
        for start in range(0, len(todo), _KEY_QUERY):
            part = todo[start : start + _KEY_QUERY]
            found.update(
                self._conn.execute(
                    "SELECT carrier, tracking_number, occurred_at, code, description FROM events"
                    f" WHERE tracking_number IN ({','.join('?' * len(part))})",
                    part,
                )
            )
        return found

    def _stored_key_texts(self, numbers: list[str]) -> list[str]:
        """The dedup keys stored under `numbers`, each as one text: its parts joined by
        `tracklingo.batch.rows.KEY_SEPARATOR` (char(31)), as `key_texts` joins a batch's. A
        stored key with a part that holds the separator has more of them, so it equals no text
        of a batch whose parts hold none: equal texts are equal keys."""
        key = _KEY_TEXT
        if _JSON_EACH[0]:
            try:  # one query: the numbers as a JSON array (SQLite's JSON1, built in since 3.38)
                rows = self._conn.execute(
                    f"SELECT {key} FROM events WHERE tracking_number IN (SELECT value FROM json_each(?))",
                    (orjson.dumps(numbers).decode(),),
                )
                return [row[0] for row in rows]
            except sqlite3.OperationalError as exc:
                if "json_each" not in str(exc):
                    raise
                _JSON_EACH[0] = False
        found: list[str] = []
        for start in range(0, len(numbers), _KEY_QUERY):
            part = numbers[start : start + _KEY_QUERY]
            rows = self._conn.execute(
                f"SELECT {key} FROM events WHERE tracking_number IN ({','.join('?' * len(part))})", part
            )
            found.extend(row[0] for row in rows)
        return found

    def retire_peer_events(self, peer: str, numbers: Collection[str]) -> int:
        """Delete the events stored for `numbers` under `peer`'s own labels (``peer`` or
        ``peer:<slug>``, what a peer's payload reads as while the carrier it names has no adapter
        installed); returns how many. `renormalize(every=True)` calls it once a replayed delivery
        reads those numbers with an installed adapter, so the parcel is not kept twice."""
        if self.readonly:
            raise StoreError(f"store {self.path} is open read-only")
        todo = sorted({n for n in numbers if n})
        removed = 0
        with self._errors(), self._transaction() as conn:
            for start in range(0, len(todo), _KEY_QUERY):
                part = todo[start : start + _KEY_QUERY]
                before = conn.total_changes
                conn.execute(
                    "DELETE FROM events WHERE (carrier = ? OR substr(carrier, 1, ?) = ?)"
                    f" AND tracking_number IN ({','.join('?' * len(part))})",
                    [peer, len(peer) + 1, f"{peer}:", *part],
                )
                removed += conn.total_changes - before
        return removed

    # -- reading --------------------------------------------------------------------------

    @staticmethod
    def _where(tracking_number: str | None, carrier: str | None) -> tuple[str, list[str]]:
        clauses, params = [], []
        if tracking_number is not None:
            clauses.append("tracking_number = ?")
            params.append(tracking_number.strip())
        if carrier is not None:
            clauses.append("carrier = ?")
            params.append(carrier.lower())
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def count(self, tracking_number: str | None = None, carrier: str | None = None) -> int:
        """How many events are stored (optionally for one number and/or carrier)."""
        where, params = self._where(tracking_number, carrier)
        with self._errors():
            return int(self._conn.execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def events(
        self, tracking_number: str | None = None, carrier: str | None = None
    ) -> Iterator[TrackingEvent]:
        """Stream stored events in the order they were ingested (optionally one number/carrier)."""
        where, params = self._where(tracking_number, carrier)
        validate = TrackingEvent.model_validate_json
        with self._errors():
            cursor = self._conn.execute(f"SELECT event FROM events{where} ORDER BY id", params)
            try:
                while batch := cursor.fetchmany(1000):
                    for (text,) in batch:
                        yield validate(text)
            finally:
                cursor.close()

    def _leg_events(self, leg: _LegKey) -> list[TrackingEvent]:
        rows = self._conn.execute(
            "SELECT event FROM events WHERE tracking_number = ? AND carrier = ? ORDER BY id",
            (leg[1], leg[0]),
        )
        return [TrackingEvent.model_validate_json(text) for (text,) in rows]

    def _components(self) -> dict[_LegKey, _LegKey]:
        """The legs that join others (handoffs, a shared S10 number; `link_legs`): leg -> root.
        Legs that join nothing are absent (each is a journey of its own)."""
        handoffs = [
            ((carrier, number), (h_carrier, h_number))
            for carrier, number, h_carrier, h_number in self._conn.execute(
                "SELECT DISTINCT carrier, tracking_number, handoff_carrier, handoff_number FROM events"
                " WHERE handoff_carrier IS NOT NULL AND handoff_number IS NOT NULL"
            )
        ]
        legs = [
            (carrier, number)
            for number, carrier in self._conn.execute("SELECT DISTINCT tracking_number, carrier FROM events")
        ]
        roots = link_legs(legs, handoffs)
        sizes: dict[_LegKey, int] = {}
        for root in roots.values():
            sizes[root] = sizes.get(root, 0) + 1
        return {leg: root for leg, root in roots.items() if sizes[root] > 1}

    def _linked(self) -> dict[_LegKey, _LegKey]:
        """`_components`, computed again only when the database changed since the last call."""
        version = (int(self._conn.execute("PRAGMA data_version").fetchone()[0]), self._conn.total_changes)
        if self._linked_memo is None or self._linked_memo[0] != version:
            self._linked_memo = (version, self._components())
        return self._linked_memo[1]

    def finished_legs(self, now: datetime) -> set[tuple[str, str]]:
        """The legs that were a finished journey at `now`, found without loading their events.

        A leg is (carrier, tracking number). It counts when it is a journey of its own (no handoff
        or shared S10 number joins it to another leg) and its latest scan at or before `now` is
        delivered, returned or cancelled. One query over the dedup index finds each leg's latest
        scan; a leg where that is not certain without building its journey is left out: one with
        an undated scan (it could sort last), two scans at that latest instant, or a latest scan
        whose stage depends on the parcel's direction. Naive (carrier-local) times compare as UTC,
        as journeys order them.
        """
        cut = _instant_text(now)
        terminal = {s.value for s in TERMINAL_STAGES}
        with self._errors():
            joined = self._linked()
            latest: dict[_LegKey, list[tuple[str, int]]] = {}
            for carrier, number, stage, contextual in self._conn.execute(_LATEST_SCANS, (cut,)):
                latest.setdefault((carrier, number), []).append((stage, contextual))
        return {
            leg
            for leg, scans in latest.items()
            if leg not in joined and len(scans) == 1 and scans[0][0] in terminal and not scans[0][1]
        }

    def journeys(
        self,
        carriers: Carriers = None,
        *,
        tracking_number: str | None = None,
        carrier: str | None = None,
        exclude: Collection[tuple[str, str]] = (),
    ) -> Iterator[Journey]:
        """Stream the stored events as journeys (`tracklingo.journeys.build_journeys`), one
        connected set of legs at a time: memory holds one shipment, not the store.

        Args:
            carriers: a registry (or carriers) so direction-dependent events are resolved.
            tracking_number, carrier: only the journeys with such a leg.
            exclude: legs not to build (e.g. `finished_legs`); each is read by its own indexed
                query, so excluding most of the store reads only the rest.
        """
        with self._errors():
            skip: set[_LegKey] = set()
            if exclude and tracking_number is None and carrier is None:
                skip = set(exclude)
                legs = self._conn.execute(
                    "SELECT DISTINCT carrier, tracking_number FROM events ORDER BY tracking_number, carrier"
                ).fetchall()
                if 2 * len(skip) >= len(legs):  # few legs wanted: a query for each
                    yield from self._journeys_of(carriers, legs, skip)
                    return
            # else one ordered scan, which does not build (or parse) the excluded legs' events
            components = self._linked() if exclude else self._components()
            members: dict[_LegKey, list[_LegKey]] = {}
            for member, head in components.items():
                members.setdefault(head, []).append(member)

            def legs_of(leg: _LegKey) -> list[_LegKey]:
                root = components.get(leg)
                return sorted(members[root]) if root is not None else [leg]

            def build(legs: list[_LegKey]) -> list[Journey]:
                events = [e for leg in legs for e in self._leg_events(leg)]
                return build_journeys(events, carriers) if events else []

            if tracking_number is not None or carrier is not None:
                where, params = self._where(tracking_number, carrier)
                wanted = self._conn.execute(
                    f"SELECT DISTINCT carrier, tracking_number FROM events{where}"
                    " ORDER BY tracking_number, carrier",
                    params,
                ).fetchall()
                done: set[_LegKey] = set()
                for row in wanted:
                    leg = (row[0], row[1])
                    if leg in done:
                        continue
                    legs = legs_of(leg)
                    done.update(legs)
                    yield from build(legs)
                return

            # Everything: one ordered scan; a leg joined to others builds its whole set once.
            built: set[_LegKey] = set()
            cursor = self._conn.execute(
                "SELECT carrier, tracking_number, event FROM events ORDER BY tracking_number, carrier, id"
            )
            try:
                previous: _LegKey | None = None
                keep = False  # collecting a leg that joins nothing
                texts: list[str] = []
                for c, n, text in _rows(cursor):
                    if (c, n) != previous:
                        if keep:
                            yield from _single(texts, carriers)
                        previous, texts = (c, n), []
                        root = components.get(previous)
                        keep = root is None and previous not in skip
                        if root is not None and root not in built and previous not in skip:
                            built.add(root)
                            yield from build(legs_of(previous))
                    if keep:
                        texts.append(text)
                if keep:
                    yield from _single(texts, carriers)
            finally:
                cursor.close()

    def _journeys_of(
        self, carriers: Carriers, legs: list[tuple[str, str]], skip: set[_LegKey]
    ) -> Iterator[Journey]:
        """The journeys of `legs` (in order) but those in `skip`, each read by an indexed query."""
        components = self._linked()
        members: dict[_LegKey, list[_LegKey]] = {}
        for member, head in components.items():
            members.setdefault(head, []).append(member)
        for c, n in legs:
            leg = (c, n)
            if leg in skip:
                continue
            root = components.get(leg)
            group = sorted(members[root]) if root is not None else [leg]
            skip.update(group)
            events = [e for member in group for e in self._leg_events(member)]
            if events:
                yield from build_journeys(events, carriers)

    def journey(self, tracking_number: str, carrier: str | None = None) -> Journey | None:
        """The journey with a leg tracked as `tracking_number` (and `carrier`), if stored."""
        return next(self.journeys(tracking_number=tracking_number, carrier=carrier), None)


def _slices(tables: Iterable[Any], size: int) -> Iterator[Any]:
    """The rows of `tables` (pyarrow tables of one schema) in consecutive tables of `size` rows
    (the last one shorter), whatever the input tables' sizes."""
    import pyarrow as pa

    pending: list[Any] = []
    count = 0
    for table in tables:
        if not table.num_rows:
            continue
        pending.append(table)
        count += table.num_rows
        if count >= size:
            joined = pa.concat_tables(pending)
            start = 0
            while count - start >= size:
                yield joined.slice(start, size)
                start += size
            pending = [joined.slice(start)] if start < count else []
            count -= start
    if count:
        yield pa.concat_tables(pending)


def _rows(cursor: sqlite3.Cursor) -> Iterator[tuple[str, str, str]]:
    while batch := cursor.fetchmany(1000):
        yield from batch


def _single(texts: list[str], carriers: Carriers) -> list[Journey]:
    return build_journeys([TrackingEvent.model_validate_json(t) for t in texts], carriers)


def open_store(path: str | os.PathLike[str], *, create: bool = True, readonly: bool = False) -> Store:
    """Open (creating and migrating as needed) the store at `path`; with `readonly`, open an
    existing store without writing anything (see the module docstring)."""
    return Store(path, create=create, readonly=readonly)


# -- opening --------------------------------------------------------------------------------


def _connect(path: str, *, create: bool) -> sqlite3.Connection:
    memory = path == ":memory:" or path.startswith("file::memory:")
    if not memory:
        p = Path(path)
        if p.is_dir():
            raise StoreError(f"cannot open store {path}: it is a directory")
        parent = p.parent
        if not parent.is_dir():
            raise StoreError(f"cannot open store {path}: directory {parent} does not exist")
        if not create and not p.exists():
            raise StoreError(f"no store at {path}")
    try:
        conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from None
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if not memory and str(mode).lower() != "wal":
            raise StoreError(f"cannot open store {path}: WAL journal mode refused ({mode})")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -32768")  # 32 MiB
        conn.execute("PRAGMA temp_store = MEMORY")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "not a database" in str(exc):
            raise StoreError(f"{path} is not a tracklingo store (not an SQLite database)") from None
        raise StoreError(f"cannot open store {path}: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_readonly(path: str) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro``, or ``immutable=1`` where the directory does
    not let SQLite create a WAL database's shared-memory file (and no WAL file holds data)."""
    if path == ":memory:" or path.startswith("file:"):
        raise StoreError(f"cannot open store {path} read-only: give a file path")
    p = Path(path)
    if p.is_dir():
        raise StoreError(f"cannot open store {path}: it is a directory")
    if not p.parent.is_dir():
        raise StoreError(f"cannot open store {path}: directory {p.parent} does not exist")
    if not p.exists():
        raise StoreError(f"no store at {path}")
    uri = p.resolve().as_uri()
    wal = Path(path + "-wal")
    attempts = [f"{uri}?mode=ro"]
    if not wal.exists() or wal.stat().st_size == 0:
        attempts.append(f"{uri}?mode=ro&immutable=1")
    error: sqlite3.Error | None = None
    for target in attempts:
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(target, uri=True, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the header
            return conn
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            if "not a database" in str(exc):
                raise StoreError(f"{path} is not a tracklingo store (not an SQLite database)") from None
            error = exc
    raise StoreError(f"cannot open store {path} read-only: {error}")


def _check_readable(conn: sqlite3.Connection, path: str) -> None:
    """A read-only store must already be a current tracklingo store: nothing can be fixed."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if app_id == 0 and version == 0 and not _has_tables(conn):
            raise StoreError(f"{path} is empty: not a tracklingo store yet (add events with `ingest`)")
        _check_identity(conn, path, app_id, version)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read store {path}: {exc}") from None
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version}; this tracklingo reads {SCHEMA_VERSION}: open it"
            " for writing once to migrate it (e.g. `tracklingo ingest /dev/null --db FILE`)"
        )


def _migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring the file to `SCHEMA_VERSION` (see `MIGRATIONS`), or refuse it."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        _check_identity(conn, path, app_id, version)
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated it meanwhile: read again under the write lock.
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            _check_identity(conn, path, app_id, version)
            for step in MIGRATIONS:
                if step.version > version:
                    step.apply(conn)
                    conn.execute(f"PRAGMA user_version = {int(step.version)}")
            if app_id != APPLICATION_ID:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from None


def _check_identity(conn: sqlite3.Connection, path: str, app_id: int, version: int) -> None:
    if app_id == APPLICATION_ID or (app_id == 0 and version > 0 and _has_events_table(conn)):
        # (a store written before the application id was set still has our table and a version)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path} has schema version {version}, newer than this tracklingo reads"
                f" ({SCHEMA_VERSION}); upgrade tracklingo"
            )
        return
    if app_id == 0 and version == 0 and not _has_tables(conn):
        return  # a new, empty file
    raise StoreError(f"{path} is not a tracklingo store (an SQLite database of something else)")


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return bool(row[0])


def _has_events_table(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'"
    ).fetchone()
    return bool(row[0])
