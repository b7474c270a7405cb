"""Event times for a column of flat timestamps, under the core's time rules for one carrier.

The usual shape of a time with its offset, ``YYYY-MM-DDTHH:MM:SS±HH:MM`` (no offset field beside
it), is read with Arrow compute where the rules keep it as written (`tracklingo.times.fast_time`:
in the years `YEARS`, an offset up to ±14:00, not a midnight the carrier's `MidnightRule` could
mean as a date). A naive time takes the offset the rules give its place at its half hour, one
call per distinct (zone, half hour) at a U.S. state, per (country, region, half hour) elsewhere.
Every other row goes through `fast_time`, then `scan_time` (strict, as for a feed record), once
per distinct (time, offset field, country, region, code). Rows whose time the rules reject are
flagged, for the per-record path to reject them with its own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tracklingo.batch.columns import codes, group, iso_text
from tracklingo.errors import TracklingoError
from tracklingo.times import YEARS, TimeRules, fast_time, local_offset, scan_time, state_zone, zone_offset

__all__ = ["TimeColumns", "flat_times"]

_SHAPE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]([01]\d|2[0-3]):[0-5]\d$"
_NAIVE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$"
_US = 1_000_000
_EPOCH = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
#: (zone, or (country, region) where the zone may depend on the moment; half hours since 1970)
#: -> the offset in seconds the rules give a naive time in it, or None: the same in every batch
_HALF_HOURS: dict[tuple[Any, int], int | None] = {}
_MEMO_LIMIT = 1_000_000
_UNSEEN: Any = object()


@dataclass(slots=True)
class TimeColumns:
    """The time columns of the rows, and `failed`: rows whose time the rules reject."""

    local_time: pa.Array  # timestamp[us], the wall-clock time
    utc_offset: pa.Array  # int32 seconds, null for a local time
    time_is_local: pa.Array  # bool
    time_note: pa.Array  # string
    failed: np.ndarray[Any, Any]  # bool

    def subset(self, keep: np.ndarray[Any, Any]) -> TimeColumns:
        mask = pa.array(keep, pa.bool_())
        return TimeColumns(
            self.local_time.filter(mask),
            self.utc_offset.filter(mask),
            self.time_is_local.filter(mask),
            self.time_note.filter(mask),
            self.failed[keep],
        )


def _bools(array: pa.Array) -> np.ndarray[Any, Any]:
    return np.asarray(array.to_numpy(zero_copy_only=False), bool)


def _ints(array: pa.Array) -> np.ndarray[Any, Any]:
    return np.asarray(pc.fill_null(array, 0).to_numpy(zero_copy_only=False), np.int64)


def flat_times(
    rules: TimeRules,
    stamps: pa.Array,
    offsets: pa.Array,
    country: pa.Array,
    region: pa.Array,
    code: pa.Array,
) -> TimeColumns:
    """Resolve each row's timestamp (`stamps`, non-null) with its offset field (`offsets`) at its
    place (`country`, `region`), `code` being the event's code (for the midnight rule)."""
    n = len(stamps)
    wall = np.zeros(n, np.int64)
    offset = np.zeros(n, np.int64)
    has_offset = np.zeros(n, bool)
    is_local = np.zeros(n, bool)
    note = np.full(n, -1, np.int64)
    failed = np.zeros(n, bool)

    shaped = pc.fill_null(pc.match_substring_regex(stamps, _SHAPE), False)
    shaped = pc.and_(shaped, pc.is_null(offsets))
    shaped = pc.and_(
        shaped,
        pc.invert(
            pc.and_(
                pc.equal(pc.utf8_slice_codeunits(stamps, 20, 21), "1"),
                pc.greater(pc.utf8_slice_codeunits(stamps, 20, 25), "14:00"),
            )
        ),
    )
    # a naive time with no offset field, at a known country: its offset is the place's at that
    # half hour (one `fast_time` per distinct place and half hour, below)
    naive = pc.fill_null(pc.match_substring_regex(stamps, _NAIVE), False)
    naive = pc.and_(pc.and_(naive, pc.is_null(offsets)), pc.is_valid(country))
    stamps_all = stamps
    stamps = pc.if_else(pc.or_(shaped, naive), stamps, pa.scalar(None, pa.string()))  # only these are sliced
    head = pc.utf8_slice_codeunits(stamps, 0, 19)
    parsed = pc.strptime(head, format="%Y-%m-%dT%H:%M:%S", unit="s", error_is_null=True)
    # strptime rolls 30 February over to March: a value is valid only when it prints back the same
    same = pc.fill_null(pc.equal(iso_text(parsed), head), False)
    year = pc.cast(pc.utf8_slice_codeunits(stamps, 0, 4), pa.int64())
    in_years = pc.fill_null(pc.and_(pc.greater_equal(year, YEARS[0]), pc.less_equal(year, YEARS[1])), False)
    valid = pc.and_(same, in_years)
    if rules.midnight is not None:  # a midnight may be a date: the full rules decide
        midnight = pc.equal(pc.utf8_slice_codeunits(stamps, 11, 19), "00:00:00")
        valid = pc.and_(valid, pc.invert(pc.fill_null(midnight, False)))
    valid_np = _bools(valid)
    fast = _bools(shaped) & valid_np
    seconds_of = _ints(parsed.cast(pa.int64()))
    if fast.any():
        wall[fast] = (seconds_of * _US)[fast]
        stamps = pc.if_else(shaped, stamps, pa.scalar(None, pa.string()))
        hours = _ints(pc.cast(pc.utf8_slice_codeunits(stamps, 20, 22), pa.int64()))
        minutes = _ints(pc.cast(pc.utf8_slice_codeunits(stamps, 23, 25), pa.int64()))
        minus = _bools(pc.fill_null(pc.equal(pc.utf8_slice_codeunits(stamps, 19, 20), "-"), False))
        seconds = (hours * 3600 + minutes * 60) * np.where(minus, -1, 1)
        offset[fast] = seconds[fast]
        has_offset[fast] = True
    local_rows = np.flatnonzero(_bools(naive) & valid_np)
    if len(local_rows):
        g_offset, g_ok, gids = _naive_offsets(country, region, local_rows, seconds_of[local_rows])
        ok = g_ok[gids]
        done = local_rows[ok]
        wall[done] = seconds_of[done] * _US
        offset[done] = g_offset[gids][ok]
        has_offset[done] = True
        fast[done] = True

    notes: list[str] = []
    note_ids: dict[str, int] = {}
    stamps = stamps_all
    rest = np.flatnonzero(~fast)
    if len(rest):
        take = pa.array(rest)
        parts = [codes(a.take(take)) for a in (stamps, offsets, country, region, code)]
        ids, first = group([p.codes for p in parts], len(rest))
        k = len(first)
        g_wall = np.zeros(k, np.int64)
        g_off = np.zeros(k, np.int64)
        g_has = np.zeros(k, bool)
        g_local = np.zeros(k, bool)
        g_note = np.full(k, -1, np.int64)
        g_bad = np.zeros(k, bool)
        for g, f in enumerate(first):
            value, off, ctry, reg, cd = (p.values[p.codes[f]] for p in parts)
            when = fast_time(rules, value, off, None, ctry, reg)
            text: str | None = None
            local = False
            if when is None:
                try:
                    res = scan_time(
                        rules, value, utc_offset=off, utc_time=None, missing_note=None, code=cd,
                        country=ctry, region=reg, home=None, strict=True, fast=False,
                    )  # fmt: skip
                except TracklingoError:
                    g_bad[g] = True
                    continue
                when, local, text = res.when, res.is_local, res.note
            if when is None:
                g_bad[g] = True  # an empty time is rejected before it gets here
                continue
            g_wall[g] = (when.replace(tzinfo=None) - _EPOCH) // _ONE_US
            delta = when.utcoffset()
            if delta is not None:
                g_off[g], g_has[g] = int(delta.total_seconds()), True
            g_local[g] = local
            if text is not None:
                found = note_ids.get(text)
                if found is None:
                    found = note_ids[text] = len(notes)
                    notes.append(text)
                g_note[g] = found
        failed[rest] = g_bad[ids]
        wall[rest] = g_wall[ids]
        offset[rest] = g_off[ids]
        has_offset[rest] = g_has[ids]
        is_local[rest] = g_local[ids]
        note[rest] = g_note[ids]
    return TimeColumns(
        local_time=pa.array(wall, pa.int64()).cast(pa.timestamp("us")),
        utc_offset=pa.array(offset, pa.int64(), mask=~has_offset).cast(pa.int32()),
        time_is_local=pa.array(is_local, pa.bool_()),
        time_note=pa.array(notes, pa.string()).take(pa.array(note, pa.int64(), mask=note < 0)),
        failed=failed,
    )


def _naive_offsets(
    country: pa.Array, region: pa.Array, rows: np.ndarray[Any, Any], seconds: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The offsets of naive times (`seconds`: their wall clock as epoch seconds) at the places of
    `rows`: (offset per group, whether it has one, group per row). The rules' offset of a naive
    time depends on its place and its half hour only (`times.local_offset`), and at a place whose
    zone is the same at every moment (`times.state_zone`: a U.S. state's) on the zone and the half
    hour: one call per distinct (zone or place, half hour). No offset (a daylight-saving change,
    an uncertain zone): those rows go through the rules one by one."""
    n = len(rows)
    take = pa.array(rows)
    ctry, reg = codes(country.take(take)), codes(region.take(take))
    pids, pfirst = group([ctry.codes, reg.codes], n)
    zones: dict[str, int] = {}
    places: list[tuple[Any, Any]] = []
    place_key = np.empty(len(pfirst), np.int64)  # a zone's id, or -1 - the place's id
    for g, f in enumerate(pfirst.tolist()):
        place = (ctry.values[ctry.codes[f]], reg.values[reg.codes[f]])
        places.append(place)
        zone = state_zone(*place)
        place_key[g] = zones.setdefault(zone, len(zones)) if zone is not None else -1 - g
    names = list(zones)
    key = place_key[pids]
    halves = seconds // 1800
    gids, gfirst = group([key - key.min(), halves - halves.min()], n)
    g_offset = np.zeros(len(gfirst), np.int64)
    g_ok = np.zeros(len(gfirst), bool)
    memo = _HALF_HOURS
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    for g, (k, half) in enumerate(zip(key[gfirst].tolist(), halves[gfirst].tolist(), strict=True)):
        where = names[k] if k >= 0 else places[-1 - k]
        found = memo.get((where, half), _UNSEEN)
        if found is _UNSEEN:
            when = _EPOCH + timedelta(seconds=half * 1800)
            if k >= 0:
                tz = zone_offset(names[k], when)
            else:
                place_country, place_region = places[-1 - k]
                tz = local_offset(place_country, place_region, when)
            delta = tz.utcoffset(None) if tz is not None else None
            found = memo[where, half] = int(delta.total_seconds()) if delta is not None else None
        if found is not None:
            g_offset[g], g_ok[g] = found, True
    return g_offset, g_ok, gids
