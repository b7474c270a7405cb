"""Properties of feed reading: every line of JSON Lines is a record, whatever the other lines hold;
a JSON document is one only when it parses whole; every CSV row is a record (or a reject at its own
line), stray quotes included; arbitrary bytes raise only the project's `InputError`."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import orjson
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracklingo import InputError
from tracklingo.feeds import Record, _csv_header, _read

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read(data: bytes, name: str = "-", fmt: str = "auto") -> list[Record]:
    return list(_read(io.BufferedReader(io.BytesIO(data)), name, fmt))  # type: ignore[arg-type]


# 64-bit integers: orjson reads larger ones as floats (a separate matter from feed reading)
json_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
objects = st.dictionaries(st.text(max_size=12), json_values, max_size=5)
# A broken line: any printable text on one line (it may look like JSON, or half of it).
junk = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60
).filter(lambda t: t.strip() != "")
lines = st.lists(
    st.one_of(objects.map(lambda o: ("object", o)), junk.map(lambda t: ("junk", t))), min_size=1, max_size=12
)


@SETTINGS
@given(lines, st.sampled_from(["-", "feed.txt", "feed.json", "feed.jsonl"]))
def test_json_lines_are_decided_line_by_line(items: list[tuple[str, Any]], name: str) -> None:
    assume(any(kind == "object" for kind, _ in items))
    texts = [json.dumps(v) if kind == "object" else v for kind, v in items]
    data = "\n".join(texts).encode() + b"\n"
    try:
        orjson.loads(data)
        assume(False)  # the whole input happens to be one JSON document: a different case
    except orjson.JSONDecodeError:
        pass
    first = texts[0].strip()
    assume(_csv_header(first)[1] is not None)  # not a CSV header either
    records = read(data, name)
    assert [r.line for r in records] == list(range(1, len(texts) + 1))
    for record, (kind, value), text in zip(records, items, texts, strict=True):
        if kind == "object":
            assert record.data == value and record.error is None
        else:
            try:
                parsed = orjson.loads(text.strip())
            except orjson.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                assert record.data == parsed
            else:
                assert record.data is None and record.error


@SETTINGS
@given(st.lists(objects, max_size=6), st.sampled_from([None, 1]), st.sampled_from(["-", "x.json", "x.txt"]))
def test_a_json_document_that_parses_whole_is_read_whole(
    items: list[dict[str, Any]], indent: int | None, name: str
) -> None:
    data = json.dumps(items, indent=indent).encode()
    records = read(data, name)
    assert [r.data for r in records] == items
    assert [r.line for r in records] == list(range(1, len(items) + 1))


fields = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\x00"), max_size=15)


@SETTINGS
@given(st.lists(st.tuples(fields, fields, fields), max_size=15))
def test_csv_written_by_a_csv_writer_reads_back_exactly(rows: list[tuple[str, str, str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["tracking_number", "timestamp", "description"])
    writer.writerows(rows)
    records = read(out.getvalue().encode(), "feed.csv")
    kept = [row for row in rows if any(f.strip() for f in row) or len(row) > 1]
    assert [tuple((r.data or {}).values()) for r in records] == [
        tuple(v if v != "" else None for v in row) for row in kept
    ]
    assert all(r.error is None for r in records)


plain = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=10)


@SETTINGS
@given(
    st.lists(st.tuples(plain, plain, plain), min_size=1, max_size=40),
    st.sets(st.integers(min_value=0, max_value=39), max_size=10),
    st.integers(min_value=0, max_value=2),
)
def test_stray_quotes_cost_their_own_rows_only(
    rows: list[tuple[str, str, str]], corrupt: set[int], column: int
) -> None:
    corrupt = {i for i in corrupt if i < len(rows)}
    lines = []
    for i, row in enumerate(rows):
        cells = list(row)
        if i in corrupt:
            cells[column] = '"' + cells[column]  # a quote that opens a field and never closes
        lines.append(",".join(cells))
    data = ("tracking_number,timestamp,description\n" + "\n".join(lines) + "\n").encode()
    records = read(data, "feed.csv")
    assert [r.line for r in records] == [i + 2 for i in range(len(rows))]  # one record per row
    for i, (record, row) in enumerate(zip(records, rows, strict=True)):
        if i in corrupt:
            assert record.data is None and record.error
        else:
            assert record.data == dict(zip(("tracking_number", "timestamp", "description"), row, strict=True))


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from(["-", "f.json", "f.csv", "f.jsonl", "f.bin"]))
def test_arbitrary_bytes_raise_only_input_errors(data: bytes, name: str) -> None:
    try:
        records = read(data, name)
    except InputError:
        return
    for record in records:
        assert record.line >= 1
        assert (record.data is None) != (record.error is None)
