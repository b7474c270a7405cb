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
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from tracklingo.batch.columns import as_strings, codes, group, text_column
from tracklingo.batch.plans import CarrierPlan, Place, Template
from tracklingo.batch.schema import (
    event_dict,
    event_schema,
    events_table,
    is_flat_event,
    json_text,
    rejects_table,
)
from tracklingo.batch.timecols import TimePlace, time_columns
from tracklingo.carrier import Carrier
from tracklingo.checkdigits import clean_number
from tracklingo.detection import best_carrier
from tracklingo.feeds import Record
from tracklingo.model import Handoff, TrackingEvent, clean_tracking_number
from tracklingo.normalize import Normalizer, NormalizeStats, Reject
from tracklingo.plugins import Registry

__all__ = ["BatchNormalizer", "normalize_batch", "row_records"]

#: The flat columns read as text (`tracklingo.normalize.flat_record`).
TEXT_COLUMNS: Final = (
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
_LOC: Final = ("city", "region", "postal_code", "country", "facility")
_CLEAN_NUMBER: Final = r"^[0-9A-Z]+$"
_MEMO_LIMIT: Final = 1_000_000
_STRING: Final = pa.string()


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
    records that name none (else detected from the number), and whether events keep their record
    in ``raw`` (JSON text).
    """

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        carrier: str | None = None,
        include_raw: bool = False,
    ) -> None:
        self.normalizer = Normalizer(registry, carrier=carrier, include_raw=include_raw)
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

        places: list[Place] = []
        templates: list[Template] = []
        place_idx = np.full(n, -1, np.int64)
        tmpl_idx = np.full(n, -1, np.int64)
        for cid in carriers:
            carrier = self._carrier_list[cid]
            rows = np.flatnonzero((carrier_of == cid) & ~slow)
            if len(rows):
                self._plan_rows(
                    self.plan(carrier),
                    table,
                    rows,
                    clean,
                    region,
                    places,
                    templates,
                    place_idx,
                    tmpl_idx,
                    slow,
                )

        fast = np.flatnonzero(~slow)
        times = None
        if len(fast):
            take = pa.array(fast, pa.int64())
            time_ids: dict[TimePlace, int] = {}
            place_time = np.array([time_ids.setdefault(p.time, len(time_ids)) for p in places], np.int64)
            times = time_columns(
                stamps.take(take), clean["utc_offset"].take(take), place_time[place_idx[fast]], list(time_ids)
            )
            if times.failed.any():
                slow[fast[times.failed]] = True
                keep = ~times.failed
                fast = fast[keep]
                times = _keep_times(times, keep)

        fast_events = self._fast_events(
            table, fast, times, clean, number, carrier_of, places, templates, place_idx, tmpl_idx
        )
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
        places: list[Place],
        templates: list[Template],
        place_idx: np.ndarray[Any, Any],
        tmpl_idx: np.ndarray[Any, Any],
        slow: np.ndarray[Any, Any],
    ) -> None:
        take = pa.array(rows, pa.int64())
        cols = {
            name: clean[name].take(take) for name in ("city", "country", "facility", "code", "description")
        }
        cols["region"] = region.take(take)
        place_parts = [codes(cols[k]) for k in ("city", "region", "country", "facility")]
        gids, first = group([p.codes for p in place_parts], len(rows))
        base = len(places)
        ok_place = np.zeros(len(first), bool)
        facility_of: list[str | None] = []
        for g, f in enumerate(first):
            found = plan.place(*(p.values[p.codes[f]] for p in place_parts))
            if found is None:
                places.append(Place(None, None, None, None, TimePlace(None, None, True)))
                facility_of.append(None)
            else:
                places.append(found)
                ok_place[g] = True
                facility_of.append(found.facility)
        place_idx[rows] = base + gids
        bad = ~ok_place[gids]
        slow[rows[bad]] = True

        # the mapping's inputs
        numbers = codes(clean["tracking_number"].take(take))
        if plan.has_direction:
            dir_codes = codes(pa.array([plan.direction(v) for v in numbers.values], pa.string()))
            direction, dir_values = dir_codes.codes[numbers.codes], dir_codes.values
        else:
            direction, dir_values = np.zeros(len(rows), np.int64), [None]
        fac = codes(pa.array(facility_of, pa.string()))
        facility = fac.codes[gids]
        code_c = codes(cols["code"])
        desc_c = codes(cols["description"])
        hc = codes(clean["handoff_carrier"].take(take))
        hn = ~_mask(pc.is_null(clean["handoff_tracking_number"].take(take)))
        while True:  # until the columns the carrier reads are all in the key
            extra_names = list(table.column_names) if plan.reads_all else sorted(plan.reads)
            extras = [_key_codes(table, name, take) for name in extra_names]
            parts = [code_c.codes, desc_c.codes, direction, facility, hc.codes, hn.astype(np.int64)]
            tids, tfirst = group(parts + [e.codes for e in extras], len(rows))
            learnt: set[str] = set()
            every = False
            if len(plan.templates) >= _MEMO_LIMIT:
                plan.templates.clear()
            keys = [
                (
                    dir_values[direction[f]],
                    code_c.values[code_c.codes[f]],
                    desc_c.values[desc_c.codes[f]],
                    fac.values[facility[f]],
                    hc.values[hc.codes[f]],
                    bool(hn[f]),
                    *(e.values[e.codes[f]] for e in extras),
                )
                for f in tfirst
            ]
            missing = [g for g, key in enumerate(keys) if not bad[tfirst[g]] and key not in plan.templates]
            found_records = self._rows(table, rows[tfirst[missing]]) if missing else []
            for g, record in zip(missing, found_records, strict=True):
                key, f = keys[g], tfirst[g]
                template, read = plan.template(
                    numbers.values[numbers.codes[f]], key[1], key[2], key[3], key[4], key[5], record
                )
                if read is None:
                    every = True
                else:
                    learnt |= read
                plan.templates[key] = (template, record)
            found_t: list[Template | None] = [
                None if bad[f] else plan.templates[key][0] for f, key in zip(tfirst, keys, strict=True)
            ]
            if (every and not plan.reads_all) or (learnt - plan.reads - _FLAT_KEYS):
                plan.reads |= learnt - _FLAT_KEYS
                plan.reads_all = plan.reads_all or every
                wider = list(table.column_names) if plan.reads_all else sorted(plan.reads)
                plan.rekey(len(extra_names), wider)
                continue
            break
        tbase = len(templates)
        ok_t = np.array([t is not None for t in found_t], bool)
        templates.extend(t if t is not None else _NO_TEMPLATE for t in found_t)
        tmpl_idx[rows] = tbase + tids
        slow[rows[~ok_t[tids]]] = True
        # a captured part where the carrier's own place part was dropped: the per-record merge
        # would keep the dropped value out; leave such rows to it
        for k, name in enumerate(("city", "region", "postal_code", "country", "facility")):
            captured = np.array([t is not None and t.captured[k] is not None for t in found_t], bool)[tids]
            if not captured.any():
                continue
            if name == "postal_code":
                continue  # carried through unchanged: never dropped
            given = ~_mask(pc.is_null(cols[name] if name != "region" else cols["region"]))
            placed = np.array(
                [getattr(places[base + g], _PLACE_ATTR[name]) is not None for g in range(len(first))], bool
            )[gids]
            slow[rows[captured & given & ~placed]] = True

    def _fast_events(
        self,
        table: pa.Table,
        fast: np.ndarray[Any, Any],
        times: Any,
        clean: Mapping[str, pa.Array],
        number: pa.Array,
        carrier_of: np.ndarray[Any, Any],
        places: list[Place],
        templates: list[Template],
        place_idx: np.ndarray[Any, Any],
        tmpl_idx: np.ndarray[Any, Any],
    ) -> pa.Table:
        if not len(fast):
            return self.schema.empty_table()
        take = pa.array(fast, pa.int64())
        t_at = pa.array(tmpl_idx[fast], pa.int64())
        p_at = pa.array(place_idx[fast], pa.int64())

        def tcol(attr: str, kind: pa.DataType = _STRING) -> pa.Array:
            return pa.array([getattr(t, attr) for t in templates], kind).take(t_at)

        def captured(k: int) -> pa.Array:
            return pa.array([t.captured[k] for t in templates], pa.string()).take(t_at)

        def pcol(attr: str) -> pa.Array:
            return pa.array([getattr(p, attr) for p in places], pa.string()).take(p_at)

        names = pa.array([c.name for c in self._carrier_list], pa.string())
        nums = _clean_numbers(number.take(take))
        local = times.local_time
        offset = times.utc_offset
        instant = pc.subtract(local, pc.multiply(offset.cast(pa.int64()), 1_000_000).cast(pa.duration("us")))
        occurred = pc.if_else(pc.is_null(offset), pa.scalar(None, pa.timestamp("us")), instant)
        handoff_number = _handoff_numbers(clean["handoff_tracking_number"].take(take))
        carried = pa.array([t.handoff_number for t in templates], pa.bool_()).take(t_at)
        cols: dict[str, pa.Array] = {
            "carrier": names.take(pa.array(carrier_of[fast], pa.int64())),
            "tracking_number": nums,
            "occurred_at": occurred.cast(pa.timestamp("us", tz="UTC")),
            "local_time": local,
            "utc_offset": offset,
            "time_is_local": times.time_is_local,
            "time_note": times.time_note,
            "stage": tcol("stage"),
            "status": tcol("status"),
            "reason": tcol("reason"),
            "city": pc.coalesce(pcol("city"), captured(0)),
            "region": pc.coalesce(pcol("region"), captured(1)),
            "postal_code": pc.coalesce(clean["postal_code"].take(take), captured(2)),
            "country": pc.coalesce(pcol("country"), captured(3)),
            "facility": pc.coalesce(pcol("facility"), captured(4)),
            "code": tcol("code"),
            "description": tcol("description"),
            "handoff_carrier": tcol("handoff_carrier"),
            "handoff_tracking_number": pc.if_else(carried, handoff_number, pa.scalar(None, pa.string())),
            "match": tcol("match"),
            "confidence": tcol("confidence", pa.float64()),
            "evidence": pa.array(
                [list(t.evidence) if t.evidence is not None else None for t in templates],
                pa.list_(pa.string()),
            ).take(t_at),
            "needs_context": tcol("needs_context"),
        }
        if self.include_raw:
            cols["raw"] = pa.array([json_text(d) for d in self._rows(table, fast)], pa.string())
        return pa.table(cols, schema=self.schema)

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


_FLAT_KEYS: Final = frozenset((*TEXT_COLUMNS, "carrier", "timestamp"))
_PLACE_ATTR: Final = {"city": "city", "region": "region", "country": "country", "facility": "facility"}
_NO_TEMPLATE: Final = Template(
    "unknown", "unknown", None, "unmapped", None, None, None, None, "", None, False, (None,) * 5
)


def _keep_times(times: Any, keep: np.ndarray[Any, Any]) -> Any:
    mask = pa.array(keep, pa.bool_())
    times.local_time = times.local_time.filter(mask)
    times.utc_offset = times.utc_offset.filter(mask)
    times.time_is_local = times.time_is_local.filter(mask)
    times.time_note = times.time_note.filter(mask)
    times.failed = times.failed[keep]
    return times


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


def _handoff_numbers(numbers: pa.Array) -> pa.Array:
    if numbers.null_count == len(numbers):
        return numbers
    enc = codes(numbers)
    values = [
        Handoff(carrier="x", tracking_number=v).tracking_number if v is not None else None for v in enc.values
    ]
    return pa.array(values, pa.string()).take(pa.array(enc.codes))


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
