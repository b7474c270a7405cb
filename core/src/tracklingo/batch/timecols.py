"""Event times for a column of flat timestamps, under the core's time rules (`resolve_time`).

The common shape, ``YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]``, is read with Arrow compute: an
offset is kept as written; a naive time (or a ``Z`` the carrier does not trust) is resolved by
`resolve_time` once per distinct (place, half hour of wall-clock time, kind of naivety), since the
rules give one answer per place and half hour (time zones change offset on the hour or half hour),
and that answer is applied to every row of the group. Any other shape goes through `resolve_time`
once per distinct (string, place, offset field). Rows whose time the rules reject are flagged, for
the per-record path to reject them with its own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tracklingo.batch.columns import codes, group
from tracklingo.errors import TracklingoError
from tracklingo.times import parse_offset, resolve_time

__all__ = ["TimeColumns", "TimePlace", "time_columns"]

_SHAPE = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d{1,6})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)?$"
)
_US = 1_000_000
_HALF_HOUR_US = 1800 * _US


@dataclass(frozen=True, slots=True)
class TimePlace:
    """Where the time rules place a row: the country and region the carrier passes to them, and
    whether a trailing ``Z`` is UTC for the carrier."""

    country: str | None
    region: str | None
    trust_z: bool


@dataclass(slots=True)
class TimeColumns:
    """The time columns of the rows, and `failed`: rows whose time the rules reject."""

    local_time: pa.Array  # timestamp[us], the wall-clock time
    utc_offset: pa.Array  # int32 seconds, null for a local time
    time_is_local: pa.Array  # bool
    time_note: pa.Array  # string
    failed: np.ndarray[Any, Any]  # bool


_EPOCH = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)


def _wall_us(when: datetime) -> int:
    return (when.replace(tzinfo=None) - _EPOCH) // _ONE_US


class _Out:
    """The columns being filled, as numpy arrays; notes as codes into `note_values` (-1: none)."""

    def __init__(self, n: int) -> None:
        self.wall = np.zeros(n, np.int64)
        self.offset = np.zeros(n, np.int64)
        self.has_offset = np.zeros(n, bool)
        self.is_local = np.zeros(n, bool)
        self.note = np.full(n, -1, np.int64)
        self.note_values: list[str] = []
        self._note_ids: dict[str, int] = {}
        self.failed = np.zeros(n, bool)

    def note_id(self, note: str | None) -> int:
        if note is None:
            return -1
        found = self._note_ids.get(note)
        if found is None:
            found = self._note_ids[note] = len(self.note_values)
            self.note_values.append(note)
        return found


def _ints(array: pa.Array) -> np.ndarray[Any, Any]:
    return np.asarray(pc.fill_null(array, 0).to_numpy(zero_copy_only=False), np.int64)


def time_columns(
    stamps: pa.Array,
    offsets: pa.Array,
    place_ids: np.ndarray[Any, Any],
    places: Sequence[TimePlace],
) -> TimeColumns:
    """Resolve each row's timestamp (`stamps`, non-null strings) with its ``utc_offset`` field
    (`offsets`, cleaned text or null) at its place (`places[place_ids[i]]`)."""
    n = len(stamps)
    out = _Out(n)
    trust = np.array([p.trust_z for p in places] or [True], bool)[place_ids]

    shaped = pc.fill_null(pc.match_substring_regex(stamps, _SHAPE), False)
    head = pc.utf8_slice_codeunits(stamps, 0, 19)
    parsed = pc.strptime(head, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)
    # strptime rolls 30 February over to March: a value is valid only when it prints back the same
    same = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%dT%H:%M:%S"), head), False)
    fast_mask = pc.and_(pc.and_(shaped, same), pc.invert(pc.starts_with(stamps, "0000")))
    fast = np.asarray(fast_mask.to_numpy(zero_copy_only=False), bool)

    if fast.any():
        frac = pc.struct_field(pc.extract_regex(stamps, r"^.{19}\.(?P<f>\d{1,6})"), [0])
        frac_us = _ints(pc.cast(pc.utf8_rpad(frac, width=6, padding="0"), pa.int64()))
        out.wall[fast] = (_ints(parsed.cast(pa.int64())) * _US + frac_us)[fast]
        tail = pc.struct_field(pc.extract_regex(stamps, r"(?P<t>[Zz]|[+-]\d\d:\d\d)$"), [0])
        length = _ints(pc.utf8_length(tail))
        zulu = fast & (length == 1)
        numeric = fast & (length == 6)
        if numeric.any():
            tail = pc.if_else(pa.array(numeric), tail, pa.scalar(None, pa.string()))
            hours = _ints(pc.cast(pc.utf8_slice_codeunits(tail, 1, 3), pa.int64()))
            minutes = _ints(pc.cast(pc.utf8_slice_codeunits(tail, 4, 6), pa.int64()))
            minus = np.asarray(
                pc.fill_null(pc.starts_with(tail, "-"), False).to_numpy(zero_copy_only=False), bool
            )
            seconds = (hours * 3600 + minutes * 60) * np.where(minus, -1, 1)
            out.offset[numeric] = seconds[numeric]
            out.has_offset[numeric] = True
        out.has_offset[zulu & trust] = True  # offset 0
        dropped = zulu & ~trust
        naive = fast & ~out.has_offset
        _resolve_naive(stamps, offsets, place_ids, places, naive, dropped, out)

    slow = ~fast
    if slow.any():
        _resolve_each(stamps, offsets, place_ids, places, slow, out)

    note_values = pa.array(out.note_values, pa.string())
    note_idx = pa.array(out.note, pa.int64(), mask=out.note < 0)
    return TimeColumns(
        local_time=pa.array(out.wall, pa.int64()).cast(pa.timestamp("us")),
        utc_offset=pa.array(out.offset, pa.int64(), mask=~out.has_offset).cast(pa.int32()),
        time_is_local=pa.array(out.is_local, pa.bool_()),
        time_note=note_values.take(note_idx),
        failed=out.failed,
    )


def _resolve_naive(
    stamps: pa.Array,
    offsets: pa.Array,
    place_ids: np.ndarray[Any, Any],
    places: Sequence[TimePlace],
    naive: np.ndarray[Any, Any],
    dropped: np.ndarray[Any, Any],
    out: _Out,
) -> None:
    """Naive wall-clock times: an offset field beside them wins; else the rules per place and
    half hour."""
    if not naive.any():
        return
    given = naive & ~np.asarray(pc.is_null(offsets).to_numpy(zero_copy_only=False), bool)
    if given.any():
        idx = np.flatnonzero(given)
        enc = codes(offsets.take(pa.array(idx)))
        seconds = np.zeros(len(enc.values), np.int64)
        bad = np.zeros(len(enc.values), bool)
        for k, value in enumerate(enc.values):
            try:
                delta = parse_offset(value).utcoffset(None)
            except TracklingoError:
                bad[k] = True
                continue
            seconds[k] = int(delta.total_seconds()) if delta is not None else 0
        rows_bad = bad[enc.codes]
        out.failed[idx[rows_bad]] = True
        ok = idx[~rows_bad]
        out.offset[ok] = seconds[enc.codes[~rows_bad]]
        out.has_offset[ok] = True
    rest = naive & ~given
    if not rest.any():
        return
    idx = np.flatnonzero(rest)
    bucket = np.floor_divide(out.wall[idx], _HALF_HOUR_US)
    ids, first = group([place_ids[idx], bucket - bucket.min(), dropped[idx].astype(np.int64)], len(idx))
    reps = idx[first]
    rep_stamps = stamps.take(pa.array(reps)).to_pylist()
    seconds = np.zeros(len(reps), np.int64)
    local = np.zeros(len(reps), bool)
    note = np.full(len(reps), -1, np.int64)
    for k, (row, text) in enumerate(zip(reps, rep_stamps, strict=True)):
        place = places[place_ids[row]]
        res = resolve_time(text, country=place.country, region=place.region, trust_z=place.trust_z)
        found = res.when.utcoffset() if res.when is not None else None
        if found is None:
            local[k] = True
        else:
            seconds[k] = int(found.total_seconds())
        note[k] = out.note_id(res.note)
    out.offset[idx] = seconds[ids]
    out.has_offset[idx] = ~local[ids]
    out.is_local[idx] = local[ids]
    out.note[idx] = note[ids]


def _resolve_each(
    stamps: pa.Array,
    offsets: pa.Array,
    place_ids: np.ndarray[Any, Any],
    places: Sequence[TimePlace],
    rows: np.ndarray[Any, Any],
    out: _Out,
) -> None:
    """Other shapes: `resolve_time` once per distinct (string, place, offset field)."""
    idx = np.flatnonzero(rows)
    take = pa.array(idx)
    s = codes(stamps.take(take))
    o = codes(offsets.take(take))
    ids, first = group([s.codes, place_ids[idx], o.codes], len(idx))
    k = len(first)
    wall = np.zeros(k, np.int64)
    seconds = np.zeros(k, np.int64)
    has = np.zeros(k, bool)
    local = np.zeros(k, bool)
    note = np.full(k, -1, np.int64)
    bad = np.zeros(k, bool)
    for g, f in enumerate(first):
        place = places[place_ids[idx[f]]]
        try:
            res = resolve_time(
                s.values[s.codes[f]],
                country=place.country,
                region=place.region,
                utc_offset=o.values[o.codes[f]],
                trust_z=place.trust_z,
            )
        except TracklingoError:
            bad[g] = True
            continue
        if res.when is None:  # an empty time is rejected before it gets here
            bad[g] = True
            continue
        wall[g] = _wall_us(res.when)
        delta = res.when.utcoffset()
        if delta is not None:
            seconds[g], has[g] = int(delta.total_seconds()), True
        local[g] = res.is_local
        note[g] = out.note_id(res.note)
    out.failed[idx] = bad[ids]
    out.wall[idx] = wall[ids]
    out.offset[idx] = seconds[ids]
    out.has_offset[idx] = has[ids]
    out.is_local[idx] = local[ids]
    out.note[idx] = note[ids]
