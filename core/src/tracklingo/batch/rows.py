"""Canonical event tables as store rows: dedup keys computed column-wise, rows built only for the
events a store does not hold yet (`tracklingo.store.Store.ingest_tables`).

`dedup_keys` gives, row by row, exactly `TrackingEvent.dedup_key`; `store_rows` exactly the row the
per-record ingest writes for the same event (its JSON byte for byte), so a store filled by either
path dedupes against the other.

The event JSON is written column by column with Arrow: each field's JSON text is a column (a text
value is quoted as it stands unless it holds a character JSON escapes, which goes through orjson;
the fields that come from the event's mapping are written once per distinct value), and the fields
are joined row by row, an absent optional field being skipped. Undated events (stored with their
null fields) and, with ``include_raw``, every event go through `TrackingEvent` and the store's own
writer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from tracklingo.batch.columns import codes, group, iso_text
from tracklingo.batch.schema import table_events

__all__ = ["KEY_SEPARATOR", "dedup_keys", "key_columns", "key_texts", "store_rows"]

Key = tuple[str, str, str, str, str]
Row = tuple[str, str, str, str, str, str, str, str | None, str | None]

_LOCATION: Final = ("city", "region", "postal_code", "country", "facility")
_STRING: Final = pa.string()
#: joins a key's parts into one text (`key_texts`); a key holding it is compared part by part
KEY_SEPARATOR: Final = "\x1f"
# a text JSON writes as it stands between quotes (orjson escapes only these characters)
_ESCAPED: Final = r'[\x00-\x1f"\\]'


def _array(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def key_columns(events: pa.Table) -> list[pa.Array]:
    """The parts of `TrackingEvent.dedup_key` as columns: carrier, number, time (the UTC instant
    with ``+00:00`` for an aware time, the wall clock as written for a naive one, '' when
    undated), code ('' for none), description."""
    aware = pc.is_valid(events.column("utc_offset"))
    utc = events.column("occurred_at").cast(pa.timestamp("us"))  # the instant's UTC wall clock
    text = iso_text(pc.if_else(aware, utc, events.column("local_time")))  # one formatting pass
    stamp = pc.if_else(aware, pc.binary_join_element_wise(text, "+00:00", ""), text)
    return [
        _array(events.column("carrier")),
        _array(events.column("tracking_number")),
        _array(pc.fill_null(stamp, "")),
        _array(pc.fill_null(events.column("code"), "")),
        _array(events.column("description")),
    ]


def dedup_keys(events: pa.Table) -> list[Key]:
    """`TrackingEvent.dedup_key` of every row of a canonical event table, in order."""
    return list(zip(*(c.to_pylist() for c in key_columns(events)), strict=True))


def key_texts(parts: Sequence[pa.Array]) -> pa.Array | None:
    """Each row's key (`key_columns`) as one text, its parts joined by `KEY_SEPARATOR`; None when
    a part holds the separator (the texts would not tell such keys apart)."""
    for part in parts:
        if pc.any(pc.match_substring(part, KEY_SEPARATOR)).as_py():
            return None
    return pc.binary_join_element_wise(*parts, KEY_SEPARATOR)


def _field(name: str, column: pa.Array) -> pa.Array:
    """``,"name":"value"`` per row ('' where the value is null), for a column of texts that JSON
    writes as they stand (`_plain`)."""
    return pc.fill_null(pc.binary_join_element_wise(f',"{name}":"', column, '"', ""), "")


def _plain(columns: Sequence[pa.Array]) -> pa.Array:
    """Whether each row's texts in `columns` are all written by JSON as they stand (between quotes;
    one pass over the row's texts joined)."""
    joined = pc.binary_join_element_wise(*(pc.fill_null(c, "") for c in columns), "")
    return pc.invert(pc.match_substring_regex(joined, _ESCAPED))


def _per_distinct(columns: Sequence[pa.Array], write: Callable[..., str]) -> pa.Array:
    """`write(*values)` once per distinct tuple of the rows' values, as a text column."""
    parts = [codes(column) for column in columns]
    n = len(columns[0])
    ids, first = group([p.codes for p in parts], n)
    texts = [write(*(p.values[p.codes[f]] for p in parts)) for f in first]
    return pa.array(texts, _STRING).take(pa.array(ids))


def _offset_text(seconds: int | None) -> str:
    """An offset as pydantic writes it (``Z`` for UTC); with seconds as `event_to_json` does;
    '' for a naive time."""
    if seconds is None:
        return ""
    if seconds == 0:
        return "Z"
    sign = "+" if seconds > 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _tail(
    match: str, confidence: float | None, needs_context: str | None, evidence: list[str] | None = None
) -> str:
    """The JSON of an event from its ``match`` on (the closing brace included)."""
    data: dict[str, Any] = {"match": match}
    if confidence is not None:
        data["confidence"] = confidence
    if evidence is not None:
        data["evidence"] = evidence
    if needs_context is not None:
        data["needs_context"] = needs_context
    return "," + orjson.dumps(data).decode()[1:]


_NEEDS: Final = "needs_context"
#: the event's text columns (each written between quotes as it stands, unless `_plain` says not)
_TEXTS: Final = (
    "carrier", "tracking_number", "time_note", "stage", "status", "reason", *_LOCATION, "code",
    "description", "handoff_carrier", "handoff_tracking_number", "match", "needs_context",
)  # fmt: skip


def _event_json(events: pa.Table) -> pa.Array:
    """The stored JSON of each event (`event_to_json`); null for an undated event and for one with
    a text that JSON escapes (those go through `TrackingEvent`)."""
    col = {name: _array(events.column(name)) for name in events.column_names}
    suffix = _per_distinct([col["utc_offset"]], _offset_text)
    local = pc.if_else(col["time_is_local"], "true", "false")
    parts = [_field(p, col[p]) for p in _LOCATION]
    location = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*parts, ""), 1)  # no first comma
    number = _field("tracking_number", col["handoff_tracking_number"])
    handoff = pc.binary_join_element_wise(
        ',"handoff":{"carrier":"', col["handoff_carrier"], '"', number, "}", ""
    )  # fmt: skip
    tail = _per_distinct([col["match"], col["confidence"], col["needs_context"]], _tail)
    listed = pc.is_valid(col["evidence"])
    if pc.any(listed).as_py():  # evidence is a list: those events' tails are written one by one
        at = pc.indices_nonzero(listed)
        m, c, e, x = (col[k].take(at).to_pylist() for k in ("match", "confidence", "evidence", _NEEDS))
        texts = [_tail(*v[:2], v[3], evidence=v[2]) for v in zip(m, c, e, x, strict=True)]
        tail = pc.replace_with_mask(tail, listed, pa.array(texts, _STRING))
    # (a part that may be absent is '' then: Arrow's null_handling="skip" drops the rows of an
    # all-null input; a null part, the time of an undated event, makes the whole text null)
    text = pc.binary_join_element_wise(
        '{"carrier":"', col["carrier"],
        '","tracking_number":"', col["tracking_number"],
        '","occurred_at":"', iso_text(col["local_time"]), suffix,
        '","time_is_local":', local,
        _field("time_note", col["time_note"]),
        ',"stage":"', col["stage"],
        '","status":"', col["status"], '"',
        _field("reason", col["reason"]),
        ',"location":{', location, "}",
        _field("code", col["code"]),
        ',"description":"', col["description"], '"',
        pc.fill_null(handoff, ""),
        tail,
        "",
    )  # fmt: skip
    return pc.if_else(_plain([col[name] for name in _TEXTS]), text, pa.scalar(None, _STRING))


def store_rows(
    events: pa.Table, keys: Sequence[Key] | None = None, *, include_raw: bool = False
) -> list[Row]:
    """The store row of each event (`keys`: its `dedup_keys`, computed when not given), as the
    per-record ingest builds it (see the module docstring)."""
    from tracklingo.store import _row as event_row

    if include_raw:
        return [event_row(e, True) for e in table_events(events)]
    parts = key_columns(events)
    texts = _event_json(events).to_pylist()
    handoff = _array(events.column("handoff_carrier"))
    handoff_number = pc.if_else(
        pc.is_valid(handoff), _array(events.column("handoff_tracking_number")), pa.scalar(None, _STRING)
    )
    stages = _array(events.column("stage")).to_pylist()
    tail = (stages, texts, handoff.to_pylist(), handoff_number.to_pylist())
    if keys is None:
        rows: list[Row] = list(zip(*(p.to_pylist() for p in parts), *tail, strict=True))
    else:
        rows = [(*key, *rest) for key, rest in zip(keys, zip(*tail, strict=True), strict=True)]
    others = [i for i, text in enumerate(texts) if text is None]  # undated, or with escapes
    if others:
        some = table_events(events.take(pa.array(others, pa.int64())))
        for i, event in zip(others, some, strict=True):
            rows[i] = event_row(event, False)
    return rows
