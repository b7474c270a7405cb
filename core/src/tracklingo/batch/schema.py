"""The canonical event and reject columns, and conversions between them and the Python objects.

A canonical event as columns (`EVENT_SCHEMA`): the `TrackingEvent` fields, with the location and the
handoff flattened, and its time in three columns so that no information is lost and each is useful
on its own:

- ``occurred_at``: the instant (UTC), null when the carrier's time is local (``time_is_local``) or
  absent;
- ``local_time``: the wall-clock time as the carrier wrote it (with its offset applied back, for an
  aware time), null when absent;
- ``utc_offset``: the offset in seconds east of UTC, null for a local time.

``raw`` (JSON text) is present only when asked for. Rejects (`REJECT_SCHEMA`) keep the row number
(``line``: 1-based, counted over the whole input), the reason and the record as JSON text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

import orjson
import pyarrow as pa

from tracklingo.model import TrackingEvent

if TYPE_CHECKING:
    from tracklingo.normalize import Reject

__all__ = [
    "EVENT_SCHEMA",
    "FLAT_COLUMNS",
    "REJECT_SCHEMA",
    "TEXT_COLUMNS",
    "event_dict",
    "event_schema",
    "events_table",
    "is_flat_event",
    "json_text",
    "rejects_table",
    "table_events",
]

#: The flat columns read as text (`tracklingo.normalize.flat_record`).
TEXT_COLUMNS: Final[tuple[str, ...]] = (
    "tracking_number",
    "code",
    "description",
    "city",
    "state",
    "region",
    "postal_code",
    "country",
    "facility",
    "utc_offset",
    "handoff_carrier",
    "handoff_tracking_number",
)
#: Every column a flat record reads as text: the text columns, the carrier and the time.
FLAT_COLUMNS: Final = frozenset((*TEXT_COLUMNS, "carrier", "timestamp"))

_STR = pa.string()

EVENT_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("carrier", _STR, nullable=False),
        pa.field("tracking_number", _STR, nullable=False),
        pa.field("occurred_at", pa.timestamp("us", tz="UTC")),
        pa.field("local_time", pa.timestamp("us")),
        pa.field("utc_offset", pa.int32()),
        pa.field("time_is_local", pa.bool_(), nullable=False),
        pa.field("time_note", _STR),
        pa.field("stage", _STR, nullable=False),
        pa.field("status", _STR, nullable=False),
        pa.field("reason", _STR),
        pa.field("city", _STR),
        pa.field("region", _STR),
        pa.field("postal_code", _STR),
        pa.field("country", _STR),
        pa.field("facility", _STR),
        pa.field("code", _STR),
        pa.field("description", _STR, nullable=False),
        pa.field("handoff_carrier", _STR),
        pa.field("handoff_tracking_number", _STR),
        pa.field("match", _STR, nullable=False),
        pa.field("confidence", pa.float64()),
        pa.field("evidence", pa.list_(_STR)),
        pa.field("needs_context", _STR),
    ]
)

_RAW = pa.field("raw", _STR)

REJECT_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("line", pa.int64(), nullable=False),
        pa.field("reason", _STR, nullable=False),
        pa.field("record", _STR),
        pa.field("source", _STR, nullable=False),
        pa.field("tracking_number", _STR),
    ]
)

_LOCATION = ("city", "region", "postal_code", "country", "facility")


def event_schema(include_raw: bool = False) -> pa.Schema:
    """`EVENT_SCHEMA`, with the ``raw`` column when `include_raw`."""
    return EVENT_SCHEMA.append(_RAW) if include_raw else EVENT_SCHEMA


def json_text(value: Any) -> str | None:
    """`value` as compact JSON text (None stays None); what cannot be written is described."""
    if value is None:
        return None
    if isinstance(value, str):
        return orjson.dumps(value).decode()
    try:
        return orjson.dumps(value, default=str).decode()
    except TypeError:
        return '"(not shown: the record cannot be written as JSON)"'


def time_columns(when: datetime | None) -> tuple[datetime | None, datetime | None, int | None]:
    """(occurred_at as UTC, local wall-clock time, offset seconds) for one event time."""
    if when is None:
        return None, None, None
    offset = when.utcoffset()
    if offset is None:
        return None, when, None
    return when.astimezone(UTC), when.replace(tzinfo=None), int(offset.total_seconds())


def events_table(events: Sequence[TrackingEvent], *, include_raw: bool = False) -> pa.Table:
    """Events as a table with `event_schema` (``raw`` as JSON text when `include_raw`)."""
    cols: dict[str, list[Any]] = {f.name: [] for f in event_schema(include_raw)}
    for ev in events:
        at, local, offset = time_columns(ev.occurred_at)
        loc = ev.location
        cols["carrier"].append(ev.carrier)
        cols["tracking_number"].append(ev.tracking_number)
        cols["occurred_at"].append(at)
        cols["local_time"].append(local)
        cols["utc_offset"].append(offset)
        cols["time_is_local"].append(ev.time_is_local)
        cols["time_note"].append(ev.time_note)
        cols["stage"].append(ev.stage.value)
        cols["status"].append(ev.status.value)
        cols["reason"].append(ev.reason.value if ev.reason is not None else None)
        for part in _LOCATION:
            cols[part].append(getattr(loc, part))
        cols["code"].append(ev.code)
        cols["description"].append(ev.description)
        cols["handoff_carrier"].append(ev.handoff.carrier if ev.handoff else None)
        cols["handoff_tracking_number"].append(ev.handoff.tracking_number if ev.handoff else None)
        cols["match"].append(ev.match.value)
        cols["confidence"].append(ev.confidence)
        cols["evidence"].append(list(ev.evidence) if ev.evidence is not None else None)
        cols["needs_context"].append(ev.needs_context)
        if include_raw:
            cols["raw"].append(json_text(ev.raw))
    return pa.table(cols, schema=event_schema(include_raw))


def _when(local: datetime | None, offset: int | None) -> datetime | None:
    if local is None:
        return None
    if offset is None:
        return local
    return datetime.combine(local.date(), local.time(), timezone(timedelta(seconds=offset)))


_FLAT_EVENT_ONLY = frozenset(
    ("local_time", "utc_offset", "handoff_carrier", "handoff_tracking_number", *_LOCATION)
)
_SCALARS = (
    "carrier",
    "tracking_number",
    "time_is_local",
    "time_note",
    "stage",
    "status",
    "reason",
    "code",
    "description",
    "match",
    "confidence",
    "needs_context",
)


def is_flat_event(row: dict[str, Any]) -> bool:
    """Whether a row (its non-null fields) is a canonical event in these columns."""
    return (
        "stage" in row
        and "match" in row
        and not (_FLAT_EVENT_ONLY.isdisjoint(row) and "occurred_at" not in row)
    )


def event_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A row of canonical event columns as the nested record `TrackingEvent` validates (``raw``
    parsed back from its JSON text); fields it does not know are kept, for validation to name."""
    known = {*_SCALARS, *_FLAT_EVENT_ONLY, "occurred_at", "evidence", "raw"}
    data: dict[str, Any] = {k: v for k, v in row.items() if k not in known and v is not None}
    data.update({key: row[key] for key in _SCALARS if row.get(key) is not None})
    if "local_time" in row or "utc_offset" in row:
        data["occurred_at"] = _when(row.get("local_time"), row.get("utc_offset"))
    elif row.get("occurred_at") is not None:
        data["occurred_at"] = row["occurred_at"]
    location = {part: row[part] for part in _LOCATION if row.get(part) is not None}
    if location:
        data["location"] = location
    if row.get("handoff_carrier") is not None:
        data["handoff"] = {
            "carrier": row["handoff_carrier"],
            "tracking_number": row.get("handoff_tracking_number"),
        }
    if row.get("evidence") is not None:
        data["evidence"] = tuple(row["evidence"])
    if row.get("raw") is not None:
        raw = row["raw"]
        data["raw"] = orjson.loads(raw) if isinstance(raw, str) else raw
    return data


def table_events(table: pa.Table | pa.RecordBatch) -> Iterator[TrackingEvent]:
    """The events of a table with the canonical columns, as validated `TrackingEvent`s (``raw``,
    when present, parsed back from its JSON text)."""
    for row in table.to_pylist():
        yield TrackingEvent.model_validate(event_dict(row))


def rejects_table(rejects: Iterable[Reject]) -> pa.Table:
    """Rejects as a table with `REJECT_SCHEMA`."""
    cols: dict[str, list[Any]] = {f.name: [] for f in REJECT_SCHEMA}
    for r in rejects:
        cols["line"].append(r.line)
        cols["reason"].append(r.reason)
        cols["record"].append(json_text(r.record))
        cols["source"].append(r.source)
        cols["tracking_number"].append(r.tracking_number)
    return pa.table(cols, schema=REJECT_SCHEMA)
