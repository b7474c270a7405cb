"""`BatchNormalizer` / `normalize_batch`: a table of records in, a table of events and one of rejects
out, with the same results as the per-record `Normalizer`, row for row.

Flat records whose columns are text take the columnar path: carrier names resolved (or numbers
detected) per distinct value, places probed and mappings built per distinct input through the
carrier's own `event_from_flat` (`tracklingo.batch.plans`), times under the core's time rules
(`tracklingo.batch.timecols`), numbers cleaned per distinct value, and the event columns gathered
with Arrow. Every other row (a raw API payload, a canonical event, a field of another type, a row
the rules reject) goes through `Normalizer.process`, which is the reference, and its events and
rejects are put back in row order.

A row stands for the record of its non-null fields. A ``payload`` column holds raw API responses
(JSON text, or a struct); such rows are parsed by the carrier plugins as in the per-record path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Final

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from tracklingo.batch.columns import Codes, as_strings, codes, group, text_column
from tracklingo.batch.plans import POSTAL_MARKER, CarrierPlan, Wiring
from tracklingo.batch.schema import (
    EVENT_SCHEMA,
    FLAT_COLUMNS,
    TEXT_COLUMNS,
    event_dict,
    event_schema,
    events_table,
    is_flat_event,
    json_text,
    rejects_table,
)
from tracklingo.batch.timecols import flat_times
from tracklingo.carrier import Carrier
from tracklingo.checkdigits import clean_number, clean_tracking_number
from tracklingo.detection import best_carrier
from tracklingo.feeds import Record
from tracklingo.mapping import Mapped
from tracklingo.model import Location, TrackingEvent
from tracklingo.normalize import Normalizer, NormalizeStats, Reject
from tracklingo.places import with_captured
from tracklingo.plugins import Registry

__all__ = ["BatchNormalizer", "normalize_batch", "row_records"]

_LOC: Final = ("city", "region", "postal_code", "country", "facility")
_CLEAN_NUMBER: Final = r"^[0-9A-Z]+$"
_MEMO_LIMIT: Final = 1_000_000
_STRING: Final = pa.string()
_DIRECTIONS: Final = {"inbound": 0, "outbound": 1}


def _table(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    return pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch


def _mask(array: pa.Array | pa.ChunkedArray) -> np.ndarray[Any, Any]:
    return np.asarray(array.to_numpy(zero_copy_only=False), bool)


def _not_null(table: pa.Table, name: str) -> np.ndarray[Any, Any]:
    if name not in table.column_names:
        return np.zeros(table.num_rows, bool)
    return ~_mask(pc.is_null(table.column(name)))


def _row_dicts(table: pa.Table, rows: np.ndarray[Any, Any]) -> list[dict[str, Any]]:
    """The records of `rows`: their non-null fields (a ``payload`` given as JSON text parsed)."""
    out = []
    for row in table.take(pa.array(rows, pa.int64())).to_pylist():
        data = {k: v for k, v in row.items() if v is not None}
        if is_flat_event(data):  # a canonical event in columns (e.g. normalize's Parquet output)
            data = event_dict(data)
        payload = data.get("payload")
        if isinstance(payload, str):
            with contextlib.suppress(orjson.JSONDecodeError):  # not JSON: the parsers say so
                data["payload"] = orjson.loads(payload)
        out.append(data)
    return out


def row_records(chunk: Any) -> list[Record]:
    """The records of a `tracklingo.batch.io.Chunk` one by one, in line order (a row: its non-null
    fields), for code on the per-record path."""
    rows = np.arange(chunk.table.num_rows)
    dicts = chunk.records if chunk.records is not None else _row_dicts(chunk.table, rows)
    out = [Record(int(line), data, None, chunk.source) for line, data in zip(chunk.lines, dicts, strict=True)]
    return sorted([*out, *chunk.others], key=lambda r: r.line)


class BatchNormalizer:
    """Normalizes tables of records; keeps `stats` and its memo of places and mappings across
    batches (so call it batch after batch for one feed, or for many).

    Args mean what they mean for `Normalizer`: the loaded carriers, the carrier to assume for
    records that name none (else detected from the number), whether events keep their record
    in ``raw`` (JSON text), and whether the inference layer reads texts no vocabulary knows.
    """

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        carrier: str | None = None,
        include_raw: bool = False,
        infer: bool = True,
    ) -> None:
        self.normalizer = Normalizer(registry, carrier=carrier, include_raw=include_raw, infer=infer)
        self.registry = self.normalizer.registry
        self.default_carrier = self.normalizer.default_carrier
        self.include_raw = include_raw
        self.stats = NormalizeStats()
        self.schema = event_schema(include_raw)
        self._plans: dict[str, CarrierPlan] = {}
        self._carrier_names: dict[str, Carrier | None] = {}
        self._detected: dict[str, Carrier | None] = {}
        self._lines_done = 0
        #: rows the columnar path turned into events (the rest went through `Normalizer.process`)
        self.columnar_rows = 0
        self._records: Sequence[dict[str, Any]] | None = None

    def plan(self, carrier: Carrier) -> CarrierPlan:
        """The memo of one carrier."""
        found = self._plans.get(carrier.name)
        if found is None:
            found = self._plans[carrier.name] = CarrierPlan(carrier)
        return found

    # -- carriers ---------------------------------------------------------------------------

    def _named(self, name: str) -> Carrier | None:
        try:
            return self._carrier_names[name]
        except KeyError:
            pass
        try:
            found: Carrier | None = self.registry.get(name)
        except Exception:
            found = None  # the per-record path says why
        self._carrier_names[name] = found
        return found

    def _detect(self, number: str) -> Carrier | None:
        try:
            return self._detected[number]
        except KeyError:
            pass
        cleaned = clean_number(number)
        found: Carrier | None = None
        if cleaned:
            name, _ = best_carrier(cleaned, list(self.registry))
            found = self._named(name) if name else None
        if len(self._detected) > 1_000_000:
            self._detected.clear()
        self._detected[number] = found
        return found

    # -- one batch --------------------------------------------------------------------------

    def normalize(
        self,
        batch: pa.RecordBatch | pa.Table,
        *,
        lines: np.ndarray[Any, Any] | None = None,
        source: str = "-",
        others: Sequence[Record] = (),
        records: Sequence[dict[str, Any]] | None = None,
    ) -> tuple[pa.Table, pa.Table]:
        """(events, rejects) for one batch, in line order. Rows are numbered on from the previous
        batch unless `lines` gives each row's line number (e.g. its line in a JSON Lines file);
        `others` are records of the same stretch of input that are not in the table (unreadable,
        or with fields a table cannot hold), for the per-record path; `records`, when given, are
        the table's rows as they were read (e.g. with their null fields), which the per-record
        path and ``raw`` then see instead of the rows' non-null fields."""
        table = _table(batch)
        if self.normalizer.sync_inference():  # another normalizer switched inference: remap
            self._plans.clear()
        self._records = records
        n = table.num_rows
        if lines is None:
            lines = np.arange(self._lines_done + 1, self._lines_done + 1 + n, dtype=np.int64)
        self._lines_done = int(lines[-1]) if n else self._lines_done
        names = table.column_names

        slow = _not_null(table, "payload") | (_not_null(table, "stage") & _not_null(table, "match"))
        slow |= ~(
            _not_null(table, "tracking_number")
            | _not_null(table, "timestamp")
            | _not_null(table, "code")
            | _not_null(table, "description")
        )
        text: dict[str, pa.Array] = {}
        for name in (*TEXT_COLUMNS, "carrier", "timestamp"):
            column = table.column(name) if name in names else None
            if column is None:
                text[name] = pa.nulls(n, pa.string())
                continue
            kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
            if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
                text[name] = as_strings(column)
            elif pa.types.is_integer(kind) and name != "timestamp":
                text[name] = as_strings(column)  # str(int) is Arrow's decimal text
                if name.endswith("tracking_number"):  # a negative number is the per-record path's error
                    slow |= _mask(pc.fill_null(pc.less(column, 0), False))
            else:
                text[name] = pa.nulls(n, pa.string())
                slow |= _not_null(table, name)  # another type: the per-record path decides
        clean = {name: text_column(text[name]) for name in TEXT_COLUMNS}
        region = pc.coalesce(clean["state"], clean["region"])
        number = clean["tracking_number"]
        stamps = text["timestamp"]
        slow |= _mask(pc.is_null(number))
        slow |= _mask(pc.fill_null(pc.equal(stamps, ""), True))
        slow |= _mask(pc.and_(pc.is_null(clean["code"]), pc.is_null(clean["description"])))

        carrier_of = self._carriers(text["carrier"], number, slow)
        slow |= carrier_of < 0
        carriers = sorted({int(c) for c in np.unique(carrier_of) if c >= 0})

        plans: list[_RowsPlan] = []
        for cid in carriers:
            carrier = self._carrier_list[cid]
            rows = np.flatnonzero((carrier_of == cid) & ~slow)
            if len(rows):
                found = self._plan_rows(self.plan(carrier), table, rows, clean, region, slow)
                if found is not None:
                    plans.append(found)
        built = [self._events_of(p, stamps, clean, slow) for p in plans]
        kept = [(p, cols) for p, cols in built if cols is not None]
        if kept:
            fast = np.concatenate([p.rows for p, _ in kept])
            fast_events = pa.concat_tables([cols for _, cols in kept])
            order = np.argsort(fast, kind="stable")
            fast = fast[order]
            fast_events = fast_events.take(pa.array(order))
            if self.include_raw:
                raw = pa.array([json_text(d) for d in self._rows(table, fast)], pa.string())
                fast_events = fast_events.append_column("raw", raw)
        else:
            fast = np.zeros(0, np.int64)
            fast_events = self.schema.empty_table()
        self._count(fast_events)
        slow_rows = np.flatnonzero(slow)
        slow_records = [
            Record(int(lines[row]), data, None, source)
            for row, data in zip(slow_rows, self._rows(table, slow_rows), strict=True)
        ]
        return self._merge(fast_events, lines[fast], slow_records + list(others))

    def _rows(self, table: pa.Table, rows: np.ndarray[Any, Any]) -> list[dict[str, Any]]:
        if self._records is not None:
            return [self._records[int(i)] for i in rows]
        return _row_dicts(table, rows)

    def _merge(
        self, fast_events: pa.Table, fast_lines: np.ndarray[Any, Any], records: list[Record]
    ) -> tuple[pa.Table, pa.Table]:
        """The fast events with the per-record path's events and rejects for `records`, in line order."""
        if not records:
            return fast_events, rejects_table(())
        slow_events, rejects, event_lines = self._slow(records)
        if not slow_events.num_rows:
            return fast_events, rejects
        events = pa.concat_tables([fast_events, slow_events])
        order = np.argsort(np.concatenate([fast_lines, event_lines]), kind="stable")
        return events.take(pa.array(order)), rejects

    # -- parts --------------------------------------------------------------------------------

    def _carriers(
        self, names: pa.Array, number: pa.Array, slow: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        """The index (into `_carrier_list`) of each row's carrier; -1 where the per-record path
        has to say why there is none."""
        self._carrier_list = list(self.registry)
        index = {c.name: i for i, c in enumerate(self._carrier_list)}
        n = len(names)
        out = np.full(n, -1, np.int64)
        given = pc.if_else(pc.fill_null(pc.equal(names, ""), True), pa.scalar(None, pa.string()), names)
        if self.default_carrier:
            given = pc.fill_null(given, self.default_carrier)
        enc = codes(given)
        found = np.full(len(enc.values), -1, np.int64)
        for k, name in enumerate(enc.values):
            if name is not None:
                carrier = self._named(name)
                found[k] = index[carrier.name] if carrier is not None else -1
        out[:] = found[enc.codes]
        unnamed = np.flatnonzero(_mask(pc.is_null(given)) & ~slow)
        if len(unnamed):
            nums = codes(number.take(pa.array(unnamed)))
            det = np.array(
                [index[c.name] if (c := self._detect(v)) is not None else -1 for v in nums.values], np.int64
            )
            out[unnamed] = det[nums.codes]
        return out

    def _plan_rows(
        self,
        plan: CarrierPlan,
        table: pa.Table,
        rows: np.ndarray[Any, Any],
        clean: Mapping[str, pa.Array],
        region: pa.Array,
        slow: np.ndarray[Any, Any],
    ) -> _RowsPlan | None:
        """Wirings, places, mappings and locations of one carrier's rows; rows that do not fit
        are marked in `slow`."""
        take = pa.array(rows, pa.int64())
        col = {
            name: clean[name].take(take)
            for name in (
                "code",
                "description",
                "handoff_carrier",
                "city",
                "country",
                "facility",
                "postal_code",
                "utc_offset",
            )
        }
        col["region"] = region.take(take)
        col["handoff_tracking_number"] = clean["handoff_tracking_number"].take(take)
        code_c, desc_c = codes(col["code"]), codes(col["description"])
        hc, hn = codes(col["handoff_carrier"]), codes(col["handoff_tracking_number"])
        n = len(rows)
        # 1. the reading's wiring, per distinct words (and every column the adapter reads)
        while True:
            extra_names = list(table.column_names) if plan.reads_all else sorted(plan.reads)
            extras = [_key_codes(table, name, take) for name in extra_names]
            wids, wfirst = group(
                [code_c.codes, desc_c.codes, hc.codes, hn.codes, *(e.codes for e in extras)], n
            )
            keys = list(zip(*(_values_at(c, wfirst) for c in (code_c, desc_c, hc, hn, *extras)), strict=True))
            if len(plan.wirings) >= _MEMO_LIMIT:
                plan.wirings.clear()
            missing = [g for g, key in enumerate(keys) if key not in plan.wirings]
            learnt: set[str] = set()
            every = False
            found_records = self._rows(table, rows[wfirst[missing]]) if missing else []
            for g, record in zip(missing, found_records, strict=True):
                key = keys[g]
                wiring, read = plan.wiring(key[0], key[1], key[2], key[3], record)
                if read is None:
                    every = True
                else:
                    learnt |= read
                plan.wirings[key] = (wiring, record)
            if (every and not plan.reads_all) or (learnt - plan.reads - _FLAT_KEYS):
                plan.reads |= learnt - _FLAT_KEYS
                plan.reads_all = plan.reads_all or every
                plan.rekey(
                    len(extra_names), list(table.column_names) if plan.reads_all else sorted(plan.reads)
                )
                continue
            break
        wirings = [plan.wirings[key][0] for key in keys]
        ok = np.array([w is not None for w in wirings], bool)[wids]
        # 2. the place, per distinct (wiring, place columns); a postal code is carried through
        has_postal = ~_mask(pc.is_null(col["postal_code"]))
        place_cols = {name: codes(col[name]) for name in ("city", "region", "country", "facility")}
        place_wiring: dict[Any, int] = {}  # wirings that read the place alike share its memo
        pw = np.array(
            [place_wiring.setdefault(w.place if w is not None else None, len(place_wiring)) for w in wirings],
            np.int64,
        )
        pids, pfirst = group(
            [
                pw[wids],
                *(place_cols[k].codes for k in ("city", "region", "country", "facility")),
                has_postal.astype(np.int64),
            ],
            n,
        )
        places: list[tuple[Location, str | None] | None] = []
        # each distinct place's parts as Python values, column by column (not per numpy item)
        first_parts = {name: _values_at(part, pfirst) for name, part in place_cols.items()}
        first_postal = has_postal[pfirst].tolist()
        for g, w in enumerate(wids[pfirst].tolist()):
            wiring = wirings[w]
            if wiring is None:
                places.append(None)
                continue
            postal = first_postal[g]
            values = []
            for column, value in wiring.place:
                if column is None:
                    values.append(value)
                elif column == "postal_code":
                    values.append(POSTAL_MARKER if postal else None)
                else:
                    values.append(first_parts[column][g])
            found = plan.place(tuple(values))
            if found is not None and postal and found[0].postal_code != POSTAL_MARKER:
                found = None  # the postal code did not pass through unchanged: per record
            if found is not None and not postal and found[0].postal_code == POSTAL_MARKER:
                found = None
            places.append(found)
        ok &= np.array([p is not None for p in places], bool)[pids]
        # 3. the words' mapping, per distinct (wiring, facility)
        fac = codes(pa.array([p[1] if p is not None else None for p in places], pa.string()))
        mids, mfirst = group([wids, fac.codes[pids]], n)
        mapped: list[Mapped | None] = []
        for f in mfirst:
            wiring, place = wirings[wids[f]], places[pids[f]]
            mapped.append(None if wiring is None or place is None else plan.words(wiring.words, place[1]))
        waiting = np.array([plan.waits(m) for m in mapped], bool)[mids]
        if waiting.any():  # the direction, from the number: the words mapped again with it
            at = np.flatnonzero(waiting)
            nums = codes(_clean_numbers(clean["tracking_number"].take(pa.array(rows[at], pa.int64()))))
            dirs = [plan.direction(v) if v else None for v in nums.values]
            known = np.array([d is not None for d in dirs], bool)[nums.codes]
            at, dcodes = at[known], nums.codes[known]
            dids = np.array([_DIRECTIONS[d] if d is not None else -1 for d in dirs], np.int64)[dcodes]
            if len(at):
                gids, gfirst = group([mids[at], dids], len(at))
                base = len(mapped)
                for f in gfirst:
                    row = at[f]
                    wiring, place = wirings[wids[row]], places[pids[row]]
                    direction = dirs[dcodes[f]]
                    assert wiring is not None and place is not None and direction is not None
                    mapped.append(plan.directed(wiring.words, place[1], direction))
                mids[at] = base + gids
        ok &= np.array([m is not None for m in mapped], bool)[mids]
        # 4. the location: the place's, completed by the captured parts per distinct (place, mapping)
        locations: list[Location | None] = [p[0] if p is not None else None for p in places]
        lids = pids.copy()
        captures = np.array([m is not None and bool(m.captured) for m in mapped], bool)[mids]
        if captures.any():
            at = np.flatnonzero(captures)
            cids, cfirst = group([pids[at], mids[at]], len(at))
            base = len(locations)
            for f in cfirst:
                place, m = places[pids[at[f]]], mapped[mids[at[f]]]
                locations.append(None if place is None or m is None else with_captured(place[0], m.captured))
            lids[at] = base + cids
        slow[rows[~ok]] = True
        keep = np.flatnonzero(ok)
        if not len(keep):
            return None
        return _RowsPlan(
            plan, rows[keep], wids[keep], wirings, mids[keep], mapped, lids[keep], locations,
            has_postal[keep], col["postal_code"].take(pa.array(keep)), col["utc_offset"].take(pa.array(keep)),
        )  # fmt: skip

    def _events_of(
        self, p: _RowsPlan, stamps: pa.Array, clean: Mapping[str, pa.Array], slow: np.ndarray[Any, Any]
    ) -> tuple[_RowsPlan, pa.Table | None]:
        """The event columns of one carrier's planned rows, and those rows (rows whose time the
        rules reject are marked in `slow` and left out)."""
        take = pa.array(p.rows, pa.int64())
        # each distinct location's and mapping's fields, gathered in one pass each
        loc_values = _fields(_LOC, (_LOC_FIELDS(loc) if loc is not None else None for loc in p.locations))
        map_values = _fields(_MAP_COLUMNS, map(_map_fields, p.mapped))
        offsets = pc.if_else(
            pa.array([w is not None and w.offset_column for w in p.wirings], pa.bool_()).take(
                pa.array(p.wids)
            ),
            p.offsets,
            pa.scalar(None, pa.string()),
        )
        l_at, m_at = pa.array(p.lids), pa.array(p.mids)
        country = pa.array(loc_values["country"], _STRING).take(l_at)
        region = pa.array(loc_values["region"], _STRING).take(l_at)
        code = pa.array(map_values["code"], _STRING).take(m_at)
        times = flat_times(p.plan.rules, stamps.take(take), offsets, country, region, code)
        if times.failed.any():
            slow[p.rows[times.failed]] = True
            keep = ~times.failed
            p = p.subset(keep)
            take = pa.array(p.rows, pa.int64())
            times = times.subset(keep)
            l_at, m_at = pa.array(p.lids), pa.array(p.mids)
            kept = pa.array(keep, pa.bool_())
            country, region, code = country.filter(kept), region.filter(kept), code.filter(kept)
        if not len(p.rows):
            return p, None
        w_at = pa.array(p.wids)

        def mcol(name: str) -> pa.Array:
            return pa.array(map_values[name], _MAP_TYPES.get(name, _STRING)).take(m_at)

        def lcol(name: str) -> pa.Array:
            return pa.array(loc_values[name], _STRING).take(l_at)

        postal = pc.if_else(pa.array(p.has_postal), p.postal, lcol("postal_code"))
        handoffs = [w.handoff if w is not None else None for w in p.wirings]
        local, offset = times.local_time, times.utc_offset
        instant = pc.subtract(local, pc.multiply(offset.cast(pa.int64()), 1_000_000).cast(pa.duration("us")))
        occurred = pc.if_else(pc.is_null(offset), pa.scalar(None, pa.timestamp("us")), instant)
        name = pa.array([p.plan.carrier.name] * len(p.rows), _STRING)
        cols: dict[str, pa.Array] = {
            "carrier": name,
            "tracking_number": _clean_numbers(clean["tracking_number"].take(take)),
            "occurred_at": occurred.cast(pa.timestamp("us", tz="UTC")),
            "local_time": local,
            "utc_offset": offset,
            "time_is_local": times.time_is_local,
            "time_note": times.time_note,
            "stage": mcol("stage"),
            "status": mcol("status"),
            "reason": mcol("reason"),
            "city": lcol("city"),
            "region": region,
            "postal_code": postal,
            "country": country,
            "facility": lcol("facility"),
            "code": code,
            "description": mcol("description"),
            "handoff_carrier": pa.array([h.carrier if h else None for h in handoffs], _STRING).take(w_at),
            "handoff_tracking_number": pa.array(
                [h.tracking_number if h else None for h in handoffs], _STRING
            ).take(w_at),
            "match": mcol("match"),
            "confidence": mcol("confidence"),
            "evidence": mcol("evidence"),
            "needs_context": mcol("needs_context"),
        }
        return p, pa.table(cols, schema=EVENT_SCHEMA)

    def _slow(self, records: list[Record]) -> tuple[pa.Table, pa.Table, np.ndarray[Any, Any]]:
        """The per-record path for `records`, in line order: (events, rejects, each event's line)."""
        events: list[TrackingEvent] = []
        event_lines: list[int] = []
        rejects: list[Reject] = []
        before = _snapshot(self.normalizer.stats)
        for record in sorted(records, key=lambda r: r.line):
            evs, rejs = self.normalizer.process(record)
            events.extend(evs)
            event_lines.extend([record.line] * len(evs))
            rejects.extend(rejs)
        _add(self.stats, self.normalizer.stats, before)
        return (
            events_table(events, include_raw=self.include_raw),
            rejects_table(rejects),
            np.array(event_lines, np.int64),
        )

    def _count(self, fast_events: pa.Table) -> None:
        n = fast_events.num_rows
        self.columnar_rows += n
        stats = self.stats
        stats.records_in += n
        stats.records_ok += n
        stats.events_out += n
        if not n:
            return
        for carrier, count in zip(*_value_counts(fast_events.column("carrier")), strict=True):
            stats.events_by_carrier[carrier] += count
        unmapped = fast_events.filter(pc.equal(fast_events.column("match"), "unmapped"))
        stats.unmapped += unmapped.num_rows
        for carrier, count in zip(*_value_counts(unmapped.column("carrier")), strict=True):
            stats.unmapped_by_carrier[carrier] += count
        inferred = fast_events.filter(pc.equal(fast_events.column("match"), "inferred"))
        stats.inferred += inferred.num_rows
        for carrier, count in zip(*_value_counts(inferred.column("carrier")), strict=True):
            stats.inferred_by_carrier[carrier] += count
        borrowed = pc.is_in(fast_events.column("match"), pa.array(["cross_carrier", "sentence_form"]))
        stats.borrowed += pc.sum(borrowed).as_py() or 0


_FLAT_KEYS: Final = FLAT_COLUMNS
_LOC_FIELDS: Final = attrgetter(*_LOC)
_MAP_COLUMNS: Final = (
    "stage", "status", "reason", "code", "description", "match", "confidence", "evidence", "needs_context"
)  # fmt: skip
_MAP_TYPES: Final = {"confidence": pa.float64(), "evidence": pa.list_(_STRING)}
_NO_MAPPING: Final = (None,) * len(_MAP_COLUMNS)


def _map_fields(m: Mapped | None) -> tuple[Any, ...]:
    """A mapping's event fields, in the order of `_MAP_COLUMNS` (None for no mapping)."""
    if m is None:
        return _NO_MAPPING
    reason, evidence = m.reason, m.evidence
    return (
        m.stage.value, m.status.value, reason.value if reason is not None else None, m.code,
        m.description, m.match.value, m.confidence, list(evidence) if evidence is not None else None,
        m.needs_context,
    )  # fmt: skip


def _fields(names: Sequence[str], rows: Iterable[tuple[Any, ...] | None]) -> dict[str, tuple[Any, ...]]:
    """`rows` (tuples of one value per name; None: all None) as a column per name."""
    width = len(names)
    columns = list(zip(*(r if r is not None else (None,) * width for r in rows), strict=True))
    return dict(zip(names, columns or [()] * width, strict=True))


@dataclass(slots=True)
class _RowsPlan:
    """One carrier's rows on the columnar path, with what each is built from (ids into the lists)."""

    plan: CarrierPlan
    rows: np.ndarray[Any, Any]
    wids: np.ndarray[Any, Any]
    wirings: list[Wiring | None]
    mids: np.ndarray[Any, Any]
    mapped: list[Mapped | None]
    lids: np.ndarray[Any, Any]
    locations: list[Location | None]
    has_postal: np.ndarray[Any, Any]
    postal: pa.Array
    offsets: pa.Array

    def subset(self, keep: np.ndarray[Any, Any]) -> _RowsPlan:
        mask = pa.array(keep, pa.bool_())
        return _RowsPlan(
            self.plan, self.rows[keep], self.wids[keep], self.wirings, self.mids[keep], self.mapped,
            self.lids[keep], self.locations, self.has_postal[keep], self.postal.filter(mask),
            self.offsets.filter(mask),
        )  # fmt: skip


def _values_at(column: Codes, rows: np.ndarray[Any, Any]) -> list[Any]:
    """The values of `column` at `rows`, as Python values."""
    values = column.values
    return [values[i] for i in column.codes[rows].tolist()]


def _key_codes(table: pa.Table, name: str, take: pa.Array) -> Any:
    if name not in table.column_names:
        return codes(pa.nulls(len(take), pa.string()))
    column = table.column(name).take(take)
    try:
        return codes(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return codes(pa.array([json_text(v) for v in column.to_pylist()], pa.string()))


def _clean_numbers(numbers: pa.Array) -> pa.Array:
    """`clean_tracking_number` of each (stripped) number; most are clean already."""
    dirty = pc.invert(pc.fill_null(pc.match_substring_regex(numbers, _CLEAN_NUMBER), False))
    if not pc.any(dirty).as_py():
        return numbers
    values = pc.filter(numbers, dirty).to_pylist()
    return pc.replace_with_mask(
        numbers, dirty, pa.array([clean_tracking_number(v) for v in values], pa.string())
    )


def _value_counts(column: pa.ChunkedArray | pa.Array) -> tuple[list[str], list[int]]:
    counts = pc.value_counts(column)
    return counts.field("values").to_pylist(), counts.field("counts").to_pylist()


def _snapshot(stats: NormalizeStats) -> NormalizeStats:
    return NormalizeStats(
        stats.records_in,
        stats.records_ok,
        stats.records_rejected,
        stats.events_out,
        stats.unmapped,
        stats.number_errors,
        stats.unmapped_by_carrier.copy(),
        stats.events_by_carrier.copy(),
        stats.inferred,
        stats.borrowed,
        stats.inferred_by_carrier.copy(),
    )


def _add(total: NormalizeStats, now: NormalizeStats, before: NormalizeStats) -> None:
    total.records_in += now.records_in - before.records_in
    total.records_ok += now.records_ok - before.records_ok
    total.records_rejected += now.records_rejected - before.records_rejected
    total.events_out += now.events_out - before.events_out
    total.unmapped += now.unmapped - before.unmapped
    total.number_errors += now.number_errors - before.number_errors
    total.unmapped_by_carrier.update(now.unmapped_by_carrier - before.unmapped_by_carrier)
    total.events_by_carrier.update(now.events_by_carrier - before.events_by_carrier)
    total.inferred += now.inferred - before.inferred
    total.borrowed += now.borrowed - before.borrowed
    total.inferred_by_carrier.update(now.inferred_by_carrier - before.inferred_by_carrier)


def normalize_batch(
    batch: pa.RecordBatch | pa.Table,
    *,
    registry: Registry | None = None,
    carrier: str | None = None,
    include_raw: bool = False,
    first_line: int = 1,
    source: str = "-",
) -> tuple[pa.Table, pa.Table]:
    """Canonical events and rejects (`tracklingo.batch.EVENT_SCHEMA` / `REJECT_SCHEMA`) for one
    table of records, numbered from `first_line`. For many batches, keep one `BatchNormalizer`: it
    carries its memo of places and mappings from one batch to the next.

    >>> events, rejects = normalize_batch(pyarrow.parquet.read_table("feed.parquet"))  # doctest: +SKIP
    """
    normalizer = BatchNormalizer(registry, carrier=carrier, include_raw=include_raw)
    n = batch.num_rows
    return normalizer.normalize(
        batch, lines=np.arange(first_line, first_line + n, dtype=np.int64), source=source
    )
