"""The columnar batch path: flat feeds as Arrow tables, normalized many rows at a time.

Needs the ``arrow`` extra (``pip install 'tracklingo[arrow]'``): pyarrow and numpy. Nothing else in
tracklingo imports this package, so the per-record path never pays for them.

- `normalize_batch` / `BatchNormalizer`: a `pyarrow.Table` or `RecordBatch` of records in, a table of
  canonical events (`EVENT_SCHEMA`) and a table of rejects (`REJECT_SCHEMA`) out, with the per-record
  path's results, row for row.
- `table_events` / `events_table`: canonical event tables to `TrackingEvent`s and back.
- `tracklingo.batch.io`: reading feeds as record batches (Parquet, Arrow IPC, JSON Lines, CSV, JSON)
  and writing events and rejects (Parquet, Arrow IPC, JSON Lines), streamed.
"""

from __future__ import annotations

from tracklingo.batch._deps import require

require("pyarrow")
require("numpy")

from tracklingo.batch.engine import BatchNormalizer, normalize_batch  # noqa: E402
from tracklingo.batch.schema import (  # noqa: E402
    EVENT_SCHEMA,
    REJECT_SCHEMA,
    event_schema,
    events_table,
    rejects_table,
    table_events,
)

__all__ = [
    "EVENT_SCHEMA",
    "REJECT_SCHEMA",
    "BatchNormalizer",
    "event_schema",
    "events_table",
    "normalize_batch",
    "rejects_table",
    "table_events",
]
