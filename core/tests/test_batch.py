"""The columnar batch path gives the per-record path's results, event by event and reject by reject."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")

from tracklingo import Normalizer, Record, load_carriers, read_records  # noqa: E402
from tracklingo.batch import BatchNormalizer, event_schema, normalize_batch, table_events  # noqa: E402
from tracklingo.batch.io import read_chunks, reject_objects  # noqa: E402
from tracklingo.model import event_to_json  # noqa: E402

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json*"))
REGISTRY = load_carriers()


def _json(event: Any, include_raw: bool) -> Any:
    """An event as its JSON value (``raw`` compared as a value: its key order is the table's)."""
    return orjson.loads(event_to_json(event, include_raw=include_raw))


def _reference(
    records: list[Record], *, carrier: str | None = None, include_raw: bool = False
) -> tuple[list[Any], list[tuple[int, str]]]:
    normalizer = Normalizer(REGISTRY, carrier=carrier, include_raw=include_raw)
    events: list[Any] = []
    rejects: list[tuple[int, str]] = []
    for record in records:
        evs, rejs = normalizer.process(record)
        events.extend(_json(e, include_raw) for e in evs)
        rejects.extend((r.line, r.reason) for r in rejs)
    return events, rejects


def _batched(
    table: Any, *, carrier: str | None = None, include_raw: bool = False
) -> tuple[list[Any], list[tuple[int, str]], Any]:
    normalizer = BatchNormalizer(REGISTRY, carrier=carrier, include_raw=include_raw)
    events, rejects = normalizer.normalize(table)
    assert events.schema == event_schema(include_raw)
    COLUMNAR_ROWS.append(normalizer.columnar_rows)
    return (
        [_json(e, include_raw) for e in table_events(events)],
        [(r.line, r.reason) for r in reject_objects(rejects)],
        normalizer.stats,
    )


COLUMNAR_ROWS: list[int] = []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_feed_gives_the_per_record_results(path: Path) -> None:
    ref_events, ref_rejects = _reference(list(read_records(path)), include_raw=True)
    normalizer = BatchNormalizer(REGISTRY, include_raw=True)
    events: list[Any] = []
    rejects: list[tuple[int, str]] = []
    for chunk in read_chunks(
        str(path), batch_rows=7, keep_nulls=True
    ):  # small chunks: the memo crosses batches
        evs, rejs = normalizer.normalize(
            chunk.table, lines=chunk.lines, source=chunk.source, others=chunk.others, records=chunk.records
        )
        events.extend(_json(e, True) for e in table_events(evs))
        rejects.extend((r.line, r.reason) for r in reject_objects(rejs))
    assert events == ref_events
    assert rejects == ref_rejects
    if path.suffix == ".jsonl":  # flat feeds: on the columnar path, but for direction-dependent texts
        assert 0 < len(ref_events) // 2 <= normalizer.columnar_rows
    stats = normalizer.stats
    assert stats.records_in == stats.records_ok + stats.records_rejected
    assert stats.events_out == len(ref_events)


# -- generated flat feeds -----------------------------------------------------------------------


def _s10(prefix: str, serial: str, country: str) -> str:
    weights = (8, 6, 4, 2, 3, 5, 9, 7)
    check = 11 - sum(int(d) * w for d, w in zip(serial, weights, strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{prefix}{serial}{check}{country}"


def _samples() -> list[tuple[str, str | None, str | None]]:
    out: list[tuple[str, str | None, str | None]] = []
    for carrier in REGISTRY:
        for rule in list(carrier.vocabulary.own_rules())[:40]:
            for phrase in rule.phrase[:2]:
                out.append((carrier.name, rule.code[0] if rule.code else None, phrase))
            if rule.code:
                out.append((carrier.name, rule.code[0], None))
    return out


SAMPLES = _samples()
NUMBERS = st.sampled_from(
    [
        "9400111899223344556677",
        " 9400 1118 9922 3344 5566 77 ",
        _s10("CP", "12345678", "DE"),
        _s10("LZ", "87654321", "US"),
        _s10("rr", "11223344", "cn").lower(),
        "794612345678",
        "JD014600003828820001",
        "1Z999AA10123456784",
        "",
        "   ",
        "ab-12",
    ]
)
STAMPS = st.sampled_from(
    [
        "2026-11-20T10:15:00Z",
        "2026-11-20T10:15:00z",
        "2026-11-20T10:15:00-05:00",
        "2026-11-20T10:15:00.25+05:30",
        "2026-11-20T10:15:00.1234567+01:00",
        "2026-11-20T10:15:00",
        "2026-03-08T02:30:00",
        "2026-11-01T01:30:00",
        "2026-03-29T02:30:00",
        "2026-10-25T02:30:00Z",
        "2026-11-20",
        "2026-11-20 10:15",
        " 2026-11-20T10:15:00 ",
        "2026-02-30T10:00:00",
        "0000-01-01T00:00:00",
        "yesterday",
        "",
    ]
)
CITIES = st.sampled_from(
    [None, "NEW YORK", "ISC NEW YORK NY(USPS)", "SACRAMENTO CA", "Leipzig", "  Memphis ", "TOKYO INT V BAG 2"]
)
REGIONS = st.sampled_from([None, "NY", "ca", "TN", "Bavaria", " "])
COUNTRIES = st.sampled_from([None, "US", "us", "DE", "GERMANY", "Neverland", "CN", "AU", " "])
OFFSETS = st.sampled_from([None, None, None, "-05:00", "+0530", "GMT+1", "bad", "UTC"])


@st.composite
def flat_rows(draw: Any) -> dict[str, Any]:
    carrier, code, text = draw(st.sampled_from(SAMPLES))
    if draw(st.booleans()):
        text = draw(
            st.sampled_from(
                [text, "Unheard-of status", "Arrived at DHL Sort Facility LEIPZIG - GERMANY", None]
            )
        )
    row: dict[str, Any] = {
        "carrier": draw(st.sampled_from([carrier, carrier, carrier.upper(), None, "", "nosuch"])),
        "tracking_number": draw(NUMBERS),
        "timestamp": draw(STAMPS),
        "code": code,
        "description": text,
        "city": draw(CITIES),
        "state": draw(REGIONS),
        "postal_code": draw(st.sampled_from([None, "10001", " 04109 "])),
        "country": draw(COUNTRIES),
        "facility": draw(st.sampled_from([None, None, "ISC CHICAGO IL (USPS)", "LEIPZIG HUB"])),
        "utc_offset": draw(OFFSETS),
        "handoff_carrier": draw(st.sampled_from([None, None, "usps", "DHL"])),
        "handoff_tracking_number": draw(st.sampled_from([None, "9400 1118 9922 3344 5566 77"])),
        "exception_code": draw(st.sampled_from([None, "03", "08"])),
        "mailType": draw(st.sampled_from([None, "INTERNATIONAL_INBOUND", "DOMESTIC_MAIL"])),
    }
    if draw(st.integers(0, 19)) == 0:
        row = {
            "carrier": row["carrier"],
            "payload": draw(st.sampled_from(['{"not": "a response"}', "{broken"])),
        }
    return row


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(flat_rows(), min_size=1, max_size=40), st.sampled_from([None, "usps", "fedex"]), st.booleans()
)
def test_generated_flat_feeds_give_the_per_record_results(
    rows: list[dict[str, Any]], carrier: str | None, raw: bool
) -> None:
    names = sorted({k for r in rows for k in r})
    table = pa.table({k: pa.array([r.get(k) for r in rows], pa.string()) for k in names})
    records = [Record(i, {k: v for k, v in r.items() if v is not None}) for i, r in enumerate(rows, 1)]
    for record in records:
        if isinstance(record.data, dict) and isinstance(record.data.get("payload"), str):
            with contextlib.suppress(orjson.JSONDecodeError):
                record.data["payload"] = orjson.loads(record.data["payload"])
    ref_events, ref_rejects = _reference(records, carrier=carrier, include_raw=raw)
    events, rejects, stats = _batched(table, carrier=carrier, include_raw=raw)
    assert events == ref_events
    assert rejects == ref_rejects
    assert stats.records_in == len(rows) == stats.records_ok + stats.records_rejected


def test_the_generated_feeds_reached_the_columnar_path() -> None:
    """Runs after the property test (file order): most generated rows are bad on purpose, yet the
    columnar path must have made events in many of the examples, or the test compared nothing."""
    if not COLUMNAR_ROWS:
        pytest.skip("run together with test_generated_flat_feeds_give_the_per_record_results")
    assert sum(1 for n in COLUMNAR_ROWS if n > 0) >= len(COLUMNAR_ROWS) // 2


@pytest.mark.parametrize("path", [p for p in EXAMPLES if p.suffix == ".jsonl"], ids=lambda p: p.name)
def test_json_lines_read_by_arrow_give_the_per_record_results(path: Path) -> None:
    ref_events, _ = _reference(list(read_records(path)))
    normalizer = BatchNormalizer(REGISTRY)
    events: list[Any] = []
    for chunk in read_chunks(str(path)):
        assert chunk.records is None  # read by Arrow, not record by record
        evs, _ = normalizer.normalize(
            chunk.table, lines=chunk.lines, source=chunk.source, others=chunk.others
        )
        events.extend(_json(e, False) for e in table_events(evs))
    assert events == ref_events


def test_json_lines_blocks_arrow_cannot_read_alike_go_record_by_record(tmp_path: Path) -> None:
    lines = [
        b'{"carrier": "fedex", "tracking_number": 794612345678,'
        b' "timestamp": "2026-11-20T10:00:00Z", "description": "Delivered"}',
        b"",
        b"{broken",
        b'{"carrier": "usps", "tracking_number": "9400111899223344556677",'
        b' "timestamp": "2026-11-20T10:00:00Z", "description": "Delivered", "stage": null}',
    ]
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    ref_events, ref_rejects = _reference(list(read_records(path)))
    normalizer = BatchNormalizer(REGISTRY)
    events: list[Any] = []
    rejects: list[tuple[int, str]] = []
    for chunk in read_chunks(str(path)):
        evs, rejs = normalizer.normalize(
            chunk.table, lines=chunk.lines, source=chunk.source, others=chunk.others, records=chunk.records
        )
        events.extend(_json(e, False) for e in table_events(evs))
        rejects.extend((r.line, r.reason) for r in reject_objects(rejs))
    assert (events, rejects) == (ref_events, ref_rejects)
    assert [line for line, _ in rejects] == [3]


def test_a_column_of_integer_numbers_reads_like_the_records() -> None:
    table = pa.table(
        {
            "carrier": ["fedex", "fedex"],
            "tracking_number": pa.array([794612345678, 794612345679], pa.int64()),
            "timestamp": ["2026-11-20T10:15:00-05:00", "2026-11-20T11:15:00-05:00"],
            "description": ["Delivered", "Picked up"],
            "flag": pa.array([True, False]),
        }
    )
    records = [
        Record(i, {k: v for k, v in row.items() if v is not None})
        for i, row in enumerate(table.to_pylist(), 1)
    ]
    assert _batched(table)[:2] == _reference(records)


def test_rows_are_numbered_across_batches_and_rejects_say_why() -> None:
    normalizer = BatchNormalizer(REGISTRY)
    first = pa.table(
        {
            "carrier": ["usps"],
            "tracking_number": ["9400111899223344556677"],
            "timestamp": ["2026-11-20T10:00:00Z"],
            "description": ["Delivered"],
        }
    )
    second = pa.table(
        {
            "carrier": ["usps"],
            "tracking_number": ["9400111899223344556677"],
            "timestamp": ["not a time"],
            "description": ["Delivered"],
        }
    )
    normalizer.normalize(first)
    events, rejects = normalizer.normalize(second, source="feed.parquet")
    assert events.num_rows == 0
    (reject,) = reject_objects(rejects)
    assert reject.line == 2 and reject.source == "feed.parquet" and "bad timestamp" in reject.reason
    assert normalizer.stats.records_in == 2 and normalizer.stats.records_rejected == 1


def test_normalize_batch_accepts_a_record_batch_and_keeps_raw() -> None:
    batch = pa.record_batch(
        {
            "tracking_number": ["9400111899223344556677"],
            "timestamp": ["2026-11-20T10:00:00"],
            "description": ["Delivered"],
            "city": ["DENVER"],
            "state": ["CO"],
        }
    )
    events, rejects = normalize_batch(batch, registry=REGISTRY, include_raw=True, first_line=10)
    assert rejects.num_rows == 0
    (event,) = table_events(events)
    assert event.carrier == "usps" and event.raw == batch.to_pylist()[0]
    assert event.occurred_at is not None and event.occurred_at.utcoffset() is not None  # Denver, CO: certain
    row = events.to_pylist()[0]
    assert row["utc_offset"] == -7 * 3600 and row["local_time"].hour == 10 and row["occurred_at"].hour == 17


# -- the CLI --------------------------------------------------------------------------------


def _cli(*args: str, env: dict[str, str] | None = None, code: str = "") -> Any:
    import subprocess
    import sys

    probe = f"{code}\nimport sys\nfrom tracklingo.cli import main\nmain(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_cli_jsonl_to_parquet_and_back_gives_the_per_record_bytes(tmp_path: Path) -> None:
    feed = Path(__file__).parents[2] / "examples" / "usps.jsonl"
    ref = _cli("normalize", str(feed), "-q")
    to_parquet = _cli("normalize", str(feed), "-o", str(tmp_path / "ev.parquet"))
    assert to_parquet.returncode == 0, to_parquet.stderr
    assert to_parquet.stderr.strip().startswith("records in ")
    back = _cli("normalize", str(tmp_path / "ev.parquet"), "-q")
    assert back.returncode == 0 and back.stdout == ref.stdout != ""


def test_cli_parquet_rejects_carry_row_numbers(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    rows = {
        "carrier": ["usps", "usps"],
        "tracking_number": ["9400111899223344556677", "9400111899223344556677"],
        "timestamp": ["2026-11-20T10:00:00Z", "never"],
        "description": ["Delivered", "Delivered"],
    }
    pq.write_table(pa.table(rows), tmp_path / "feed.parquet")
    r = _cli(
        "normalize",
        str(tmp_path / "feed.parquet"),
        "-o",
        str(tmp_path / "out.arrow"),
        "--rejects",
        str(tmp_path / "rej.jsonl"),
    )
    assert r.returncode == 0, r.stderr
    rejects = [orjson.loads(line) for line in (tmp_path / "rej.jsonl").read_bytes().splitlines()]
    assert [(x["line"], x["source"]) for x in rejects] == [(2, str(tmp_path / "feed.parquet"))]
    assert pa.ipc.open_file(str(tmp_path / "out.arrow")).read_all().num_rows == 1
    ingest = _cli(
        "ingest", str(tmp_path / "feed.parquet"), "--db", str(tmp_path / "s.db"), "--rejects", os.devnull
    )
    assert ingest.returncode == 0, ingest.stderr


def test_cli_without_pyarrow_names_the_extra(tmp_path: Path) -> None:
    feed = Path(__file__).parents[2] / "examples" / "usps.jsonl"
    blocked = "import sys\nsys.modules['pyarrow'] = None"  # import pyarrow now fails
    r = _cli("normalize", str(feed), "-o", str(tmp_path / "ev.parquet"), code=blocked)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        "tracklingo: error: the batch path (Parquet / Arrow IPC) needs pyarrow, which is not installed:"
        " pip install 'tracklingo[arrow]'"
    ]
    plain = _cli("normalize", str(feed), "-q", code=blocked)  # the per-record path never needs it
    assert plain.returncode == 0 and plain.stdout


def test_the_per_record_path_imports_no_arrow(tmp_path: Path) -> None:
    feed = Path(__file__).parents[2] / "examples" / "usps.jsonl"
    check = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('ARROW' if 'pyarrow' in sys.modules else 'NONE', file=sys.stderr))"
    )
    r = _cli("normalize", str(feed), "-q", code=check)
    assert r.returncode == 0 and r.stderr.strip() == "NONE"
