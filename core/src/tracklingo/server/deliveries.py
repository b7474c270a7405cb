"""The raw webhook deliveries, kept in the event store's SQLite file (table ``webhook_deliveries``).

A delivery is stored, exactly as received, before the sender is answered; normalizing it comes
after, so a failure to normalize loses nothing and `tracklingo renormalize` can replay it. One row
per (source, dedup key): a replayed delivery is recognised and not stored twice.

The table is created here (``CREATE TABLE IF NOT EXISTS``), beside the store's own schema, on a
connection of its own with ``synchronous=FULL``: a 2xx is only sent once the delivery's commit is
on disk, power loss included. Open the `tracklingo.Store` on the file first (it creates and
migrates the store; a file holding only this table would not be recognised as a store).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from tracklingo.store import StoreError

__all__ = ["DeliveryLog", "DeliveryRow", "NewDelivery", "StoredDelivery"]

_SCHEMA: Final = (
    """
    CREATE TABLE IF NOT EXISTS webhook_deliveries (
        id            INTEGER PRIMARY KEY,
        source        TEXT NOT NULL,
        dedup_key     TEXT NOT NULL,      -- 'id:<source event id>' or 'sha256:<hex of the body>'
        received_at   TEXT NOT NULL,      -- ISO 8601, UTC
        body          BLOB NOT NULL,      -- the raw request body, byte for byte
        state         TEXT NOT NULL DEFAULT 'pending',  -- pending | normalized | partial | failed
        events        INTEGER NOT NULL DEFAULT 0,       -- events the last normalization gave
        added         INTEGER NOT NULL DEFAULT 0,       -- of those, new to the store then
        rejects       INTEGER NOT NULL DEFAULT 0,       -- records or checkpoints that gave none
        detail        TEXT,                             -- why not (fully) normalized
        normalized_at TEXT,
        UNIQUE (source, dedup_key)
    )
    """,
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_state ON webhook_deliveries (state)"
    " WHERE state != 'normalized'",
)

#: Delivery states; `pending` ones are normalized by the server's worker, the others by replay.
STATES: Final = ("pending", "normalized", "partial", "failed")


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A delivery to store: its source, dedup key and raw body."""

    source: str
    dedup_key: str
    body: bytes


@dataclass(frozen=True, slots=True)
class StoredDelivery:
    """The outcome of storing one delivery: its row id, and whether it was already stored."""

    id: int
    duplicate: bool


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """A stored delivery, as replay reads it."""

    id: int
    source: str
    body: bytes
    state: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class DeliveryLog:
    """The deliveries table on its own connection (see the module docstring). One thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            self._conn.execute("PRAGMA synchronous = FULL")
            for statement in _SCHEMA:
                self._conn.execute(statement)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the deliveries table in {path}: {exc}") from None

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"deliveries table in {self.path}: {exc}") from None

    def store(self, deliveries: Sequence[NewDelivery]) -> list[StoredDelivery]:
        """Store `deliveries` in one transaction (one fsync for the lot); a delivery whose
        (source, dedup key) is already stored is reported as a duplicate of that row."""
        out = []
        received = _now()
        with self._transaction() as conn:
            for d in deliveries:
                cursor = conn.execute(
                    "INSERT INTO webhook_deliveries (source, dedup_key, received_at, body)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (source, dedup_key) DO NOTHING",
                    (d.source, d.dedup_key, received, d.body),
                )
                if cursor.rowcount == 1 and cursor.lastrowid is not None:
                    out.append(StoredDelivery(cursor.lastrowid, False))
                else:
                    row = conn.execute(
                        "SELECT id FROM webhook_deliveries WHERE source = ? AND dedup_key = ?",
                        (d.source, d.dedup_key),
                    ).fetchone()
                    out.append(StoredDelivery(int(row[0]), True))
        return out

    def mark(
        self, delivery_id: int, state: str, *, events: int, added: int, rejects: int, detail: str | None
    ) -> None:
        """Record how normalizing a delivery went."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE webhook_deliveries SET state = ?, events = ?, added = ?, rejects = ?, detail = ?,"
                " normalized_at = ? WHERE id = ?",
                (state, events, added, rejects, detail, _now(), delivery_id),
            )

    def ids(self, states: Sequence[str] | None = None) -> list[int]:
        """Ids of the deliveries in `states` (every delivery when None), oldest first."""
        try:
            if states is None:
                rows = self._conn.execute("SELECT id FROM webhook_deliveries ORDER BY id")
            else:
                marks = ", ".join("?" for _ in states)
                rows = self._conn.execute(
                    f"SELECT id FROM webhook_deliveries WHERE state IN ({marks}) ORDER BY id", list(states)
                )
            return [int(r[0]) for r in rows]
        except sqlite3.Error as exc:
            raise StoreError(f"deliveries table in {self.path}: {exc}") from None

    def get(self, delivery_id: int) -> DeliveryRow | None:
        """One stored delivery."""
        row = self._conn.execute(
            "SELECT id, source, body, state FROM webhook_deliveries WHERE id = ?", (delivery_id,)
        ).fetchone()
        return DeliveryRow(int(row[0]), str(row[1]), bytes(row[2]), str(row[3])) if row else None

    def counts(self) -> dict[str, int]:
        """Deliveries per state."""
        rows = self._conn.execute("SELECT state, count(*) FROM webhook_deliveries GROUP BY state")
        return {str(state): int(n) for state, n in rows}
