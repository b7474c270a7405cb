"""Canonical event tables as store rows: dedup keys computed column-wise, rows built only for the
events a store does not hold yet (`tracklingo.store.Store.ingest_tables`).

`dedup_keys` gives, row by row, exactly `TrackingEvent.dedup_key`; `store_rows` exactly the row the
per-record ingest writes for the same event (its JSON byte for byte), so a store filled by either
path dedupes against the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from tracklingo.batch.schema import table_events

__all__ = ["dedup_keys", "store_rows"]

Key = tuple[str, str, str, str, str]
Row = tuple[str, str, str, str, str, str, str, str | None, str | None]

_LOCATION = ("city", "region", "postal_code", "country", "facility")


def _iso(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Timestamps as `datetime.isoformat` writes them without an offset: microseconds only when
    not zero (Arrow writes all six digits for a microsecond column)."""
    text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    return pc.replace_substring_regex(text, pattern=r"\.000000$", replacement="")


def _stamps(events: pa.Table) -> list[str]:
    """The key's time: the UTC instant (``+00:00``) for an aware time, the wall clock as written
    for a naive one, '' when undated."""
    aware = pc.is_valid(events.column("utc_offset"))
    utc = events.column("occurred_at").cast(pa.timestamp("us"))  # the instant's UTC wall clock
    text = _iso(pc.if_else(aware, utc, events.column("local_time")))  # one formatting pass
    stamp = pc.if_else(aware, pc.binary_join_element_wise(text, "+00:00", ""), text)
    return pc.fill_null(stamp, "").to_pylist()  # type: ignore[no-any-return]


def dedup_keys(events: pa.Table) -> list[Key]:
    """`TrackingEvent.dedup_key` of every row of a canonical event table, in order."""
    return list(
        zip(
            events.column("carrier").to_pylist(),
            events.column("tracking_number").to_pylist(),
            _stamps(events),
            pc.fill_null(events.column("code"), "").to_pylist(),
            events.column("description").to_pylist(),
            strict=True,
        )
    )


def _offset_text(seconds: int) -> str:
    """An offset as pydantic writes it (``Z`` for UTC); with seconds as `event_to_json` does."""
    if seconds == 0:
        return "Z"
    sign = "+" if seconds > 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def store_rows(events: pa.Table, keys: Sequence[Key], *, include_raw: bool = False) -> list[Row]:
    """The store row of each event (`keys`: its `dedup_keys`), as the per-record ingest builds it.

    The event JSON is written from the columns; undated events (stored with their null fields)
    and, with `include_raw`, every event go through `TrackingEvent` and the store's own writer."""
    from tracklingo.store import _row as event_row

    n = events.num_rows
    if include_raw:
        return [event_row(e, True) for e in table_events(events)]
    cols: dict[str, list[Any]] = {
        name: events.column(name).to_pylist()
        for name in (
            "time_is_local", "time_note", "stage", "status", "reason", *_LOCATION, "code",
            "handoff_carrier", "handoff_tracking_number", "match", "confidence", "evidence",
            "needs_context", "utc_offset",
        )
    }  # fmt: skip
    wall = _iso(events.column("local_time")).to_pylist()
    offsets: dict[int | None, str] = {None: ""}
    rows: list[Row] = []
    undated: list[int] = []
    for i in range(n):
        carrier, number, stamp, code, description = keys[i]
        when = wall[i]
        if when is None:
            undated.append(i)
            rows.append(keys[i] + ("", "", None, None))  # replaced below
            continue
        offset = cols["utc_offset"][i]
        suffix = offsets.get(offset)
        if suffix is None:
            suffix = offsets[offset] = _offset_text(offset)
        data: dict[str, Any] = {
            "carrier": carrier,
            "tracking_number": number,
            "occurred_at": when + suffix,
            "time_is_local": cols["time_is_local"][i],
        }
        if cols["time_note"][i] is not None:
            data["time_note"] = cols["time_note"][i]
        data["stage"] = stage = cols["stage"][i]
        data["status"] = cols["status"][i]
        if cols["reason"][i] is not None:
            data["reason"] = cols["reason"][i]
        data["location"] = {p: cols[p][i] for p in _LOCATION if cols[p][i] is not None}
        if cols["code"][i] is not None:
            data["code"] = cols["code"][i]
        data["description"] = description
        handoff = cols["handoff_carrier"][i]
        handoff_number = cols["handoff_tracking_number"][i]
        if handoff is not None:
            data["handoff"] = (
                {"carrier": handoff}
                if handoff_number is None
                else {"carrier": handoff, "tracking_number": handoff_number}
            )
        data["match"] = cols["match"][i]
        for name in ("confidence", "evidence", "needs_context"):
            if cols[name][i] is not None:
                data[name] = cols[name][i]
        rows.append(
            (carrier, number, stamp, code, description, stage, orjson.dumps(data).decode(),
             handoff, handoff_number if handoff is not None else None)
        )  # fmt: skip
    if undated:
        some = table_events(events.take(pa.array(undated, pa.int64())))
        for i, event in zip(undated, some, strict=True):
            rows[i] = event_row(event, False)
    return rows
