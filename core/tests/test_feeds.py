"""Feed reading edge cases: BOMs, long first lines on stdin, empty documents, corrupt gzip."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tracklingo import InputError, read_records
from tracklingo.feeds import MAX_DEPTH, Feed, Record, _read

REC = {
    "carrier": "acme",
    "tracking_number": "ACME1",
    "timestamp": "2026-11-20T14:03:00-05:00",
    "description": "In transit",
}
BOM = b"\xef\xbb\xbf"


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BufferedReader(io.BytesIO(data))


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(data))


def _jsonl(*records: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def test_jsonl_file_with_utf8_bom_reads_every_record(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(BOM + _jsonl(REC, REC))
    records = list(read_records(feed))
    assert [r.error for r in records] == [None, None]
    assert [r.line for r in records] == [1, 2]


def test_jsonl_on_stdin_with_utf8_bom_is_sniffed_as_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, BOM + _jsonl(REC, REC))
    records = list(read_records("-"))
    assert [r.data for r in records] == [REC, REC]


def test_json_document_with_utf8_bom_is_read(tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_bytes(BOM + json.dumps([REC, REC]).encode())
    assert [r.data for r in read_records(feed)] == [REC, REC]


def test_jsonl_on_stdin_with_first_line_longer_than_the_peek_buffer_keeps_every_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = {**REC, "pad": "x" * 200_000}
    _stdin(monkeypatch, _jsonl(big, REC, REC))
    records = list(read_records("-"))
    assert [r.line for r in records] == [1, 2, 3]
    assert all(r.error is None for r in records)


def test_pretty_printed_object_on_stdin_is_still_one_json_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stdin(monkeypatch, b"\n" + json.dumps(REC, indent=2).encode())
    records = list(read_records("-"))
    assert [r.data for r in records] == [REC]


def test_jsonl_on_stdin_after_blank_lines_keeps_line_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stdin(monkeypatch, b"\n\n" + _jsonl(REC) + b"{oops\n")
    records = list(read_records("-"))
    assert [r.line for r in records] == [3, 4]
    assert records[1].error is not None


@pytest.mark.parametrize("content", [b"", b"  \n\n", BOM])
def test_empty_json_document_has_no_records(tmp_path: Path, content: bytes) -> None:
    feed = tmp_path / "feed.json"
    feed.write_bytes(content)
    assert list(read_records(feed)) == []


def test_truncated_gzip_feed_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl.gz"
    feed.write_bytes(gzip.compress(_jsonl(*[REC] * 200))[:60])
    with pytest.raises(InputError, match="gzip"):
        list(read_records(feed))


def test_corrupt_gzip_feed_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl.gz"
    feed.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    with pytest.raises(InputError, match="gzip"):
        list(read_records(feed))


# -- format sniffing: never bet the feed on line 1 ---------------------------------------------


def _records(data: bytes, name: str = "-", fmt: str = "auto") -> list[Record]:
    """Records read from `data` as a file called `name` ("-": stdin)."""
    return list(_read(io.BufferedReader(io.BytesIO(data)), name, fmt))  # type: ignore[arg-type]


def test_malformed_first_line_on_stdin_costs_that_line_only(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b'{"carrier":"usps",\n' + _jsonl(REC, REC))
    records = list(read_records("-"))
    assert [(r.line, r.data) for r in records] == [(1, None), (2, REC), (3, REC)]
    assert records[0].error is not None and records[0].error.startswith("malformed JSON")


@pytest.mark.parametrize("name", ["feed.txt", "feed", "feed.json"])
def test_malformed_first_line_with_an_unrecognised_or_json_name(tmp_path: Path, name: str) -> None:
    feed = tmp_path / name
    feed.write_bytes(b'{"carrier": "acme", "tracking_number": \n' + _jsonl(REC, REC))
    assert [r.data for r in read_records(feed)] == [None, REC, REC]


def test_garbage_first_line_then_json_lines_is_json_lines() -> None:
    assert [r.data for r in _records(b"hello there\n" + _jsonl(REC, REC))] == [None, REC, REC]


@pytest.mark.parametrize(
    ("data", "items"),
    [
        (json.dumps([REC, REC], indent=2).encode(), 2),
        (json.dumps(REC, indent=2).encode() + b"\n\n", 1),
        (json.dumps([REC, REC]).encode() + b"\n", 2),  # an array on one line
    ],
)
def test_a_document_that_parses_whole_is_one_document(data: bytes, items: int) -> None:
    records = _records(data)
    assert [r.data for r in records] == [REC] * items
    assert [r.line for r in records] == list(range(1, items + 1))  # positions in the array


def test_an_array_line_followed_by_more_lines_is_json_lines() -> None:
    records = _records(json.dumps([REC]).encode() + b"\n" + _jsonl(REC))
    assert [(r.line, r.data, r.error) for r in records] == [
        (1, None, "a record must be a JSON object"),
        (2, REC, None),
    ]


def test_a_document_cut_short_is_one_reject_at_the_line_it_ends() -> None:
    data = json.dumps([REC, REC, REC], indent=2).encode()[:-40]
    [record] = _records(data)
    assert record.data is None and record.error is not None
    assert record.error.startswith("malformed JSON document")
    assert record.line == data.count(b"\n") + 1


def test_json_lines_in_a_dot_json_file_are_read_line_by_line(tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_bytes(_jsonl(REC, REC, REC))
    assert [r.data for r in read_records(feed)] == [REC, REC, REC]


def test_explicit_json_format_still_requires_one_document() -> None:
    [record] = _records(_jsonl(REC, REC), fmt="json")
    assert record.error is not None and record.error.startswith("malformed JSON document")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,  # binary
        b"\x00\x01\x02hello\n" * 20,  # NULs
        b"just some words\nand more words\n",  # text, but no feed
        b"42\n",
        b"ACME1,2026-11-20T14:03:00Z,In transit\n",  # a CSV without its header
    ],
)
def test_no_feed_in_any_format_is_one_input_error(data: bytes) -> None:
    with pytest.raises(InputError, match="not a feed in any format"):
        _records(data)


def test_random_bytes_never_become_records_with_junk_keys(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        try:
            records = _records(data)
        except InputError:
            continue
        for r in records:  # whatever was read: only real column names or JSON keys
            assert r.data is None or all(k.isprintable() for k in r.data)


# -- deep nesting ------------------------------------------------------------------------------


def _deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 300, 1500])
def test_a_record_nested_too_deep_is_a_reject(levels: int) -> None:
    records = _records(_deep(levels) + b"\n" + _jsonl(REC))
    assert [r.data for r in records] == [None, REC]
    assert records[0].error is not None
    assert "nested deeper" in records[0].error or "depth limit" in records[0].error


def test_deep_items_of_a_document_are_rejects() -> None:
    records = _records(b"[" + _deep(300) + b"," + json.dumps(REC).encode() + b"]")
    assert [(r.line, r.data) for r in records] == [(1, None), (2, REC)]


def test_a_record_at_the_depth_limit_is_read() -> None:
    [record] = _records(_deep(MAX_DEPTH - 1) + b"\n")
    assert record.data is not None


# -- CSV -------------------------------------------------------------------------------------

HEADER = b"tracking_number,timestamp,description\n"


def test_a_stray_quote_costs_its_row_only() -> None:
    data = HEADER + b'A1,t1,ok\nA2,"t2,bad\nA3,t3,ok\nA4,t4,ok\n'
    records = _records(data, "feed.csv")
    assert [(r.line, r.data and r.data["tracking_number"]) for r in records] == [
        (2, "A1"),
        (3, None),
        (4, "A3"),
        (5, "A4"),
    ]
    assert records[1].error is not None and "quote" in records[1].error


def test_a_quoted_field_may_span_lines_when_its_quote_closes() -> None:
    data = HEADER + b'A1,t1,"Arrived\nat the depot"\nA2,t2,ok\n'
    records = _records(data, "feed.csv")
    assert [(r.line, r.data) for r in records] == [
        (2, {"tracking_number": "A1", "timestamp": "t1", "description": "Arrived\nat the depot"}),
        (4, {"tracking_number": "A2", "timestamp": "t2", "description": "ok"}),
    ]


def test_one_percent_stray_quotes_in_20k_rows_lose_no_row() -> None:
    rows = [f"N{i},2026-11-20T14:03:00Z,In transit {i}" for i in range(20_000)]
    corrupt = set(range(37, 20_000, 100))
    for i in corrupt:
        rows[i] = f'N{i},"2026-11-20T14:03:00Z,In transit {i}'
    records = _records(HEADER + "\n".join(rows).encode() + b"\n", "feed.csv")
    assert len(records) == 20_000
    assert {r.line - 2 for r in records if r.data is None} == corrupt
    good = [r for r in records if r.data is not None]
    assert all(r.data["tracking_number"] == f"N{r.line - 2}" for r in good)  # type: ignore[index]


def test_an_oversized_field_is_a_reject_at_its_own_line() -> None:
    data = HEADER + b"A1,t1,ok\nA2,t2," + b"x" * 200_000 + b"\nA3,t3,ok\n"
    records = _records(data, "feed.csv")
    assert [(r.line, r.data is None) for r in records] == [(2, False), (3, True), (4, False)]
    assert records[1].error is not None and "field larger than field limit" in records[1].error


def test_a_row_with_more_fields_than_the_header_is_a_reject() -> None:
    [record] = _records(HEADER + b"A1,t1,ok,extra\n", "feed.csv")
    assert (record.line, record.error) == (2, "malformed CSV: 4 fields, header has 3")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (b"A1,2026-11-20T14:03:00Z,In transit\n", "missing CSV header"),
        (b"tracking_number,description\n", "missing CSV header \\(no timestamp column\\)"),
        (b"tracking_number,timestamp,description,timestamp\n", "names the column 'timestamp' twice"),
        (b"tracking_number,,timestamp,description\n", "column 2 has no name"),
    ],
)
def test_csv_header_problems_are_clear_errors(header: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        _records(header + b"A1,t1,ok\n", "feed.csv")


def test_csv_is_sniffed_from_its_header_on_stdin() -> None:
    records = _records(HEADER + b"A1,t1,ok\n")
    assert [r.data for r in records] == [{"tracking_number": "A1", "timestamp": "t1", "description": "ok"}]


# -- devices, pipes, sizes -------------------------------------------------------------------


def test_dev_null_is_an_empty_feed() -> None:
    assert list(read_records(os.devnull)) == []


def test_a_fifo_is_a_feed(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(_jsonl(REC, REC),))
    writer.start()
    try:
        assert [r.data for r in read_records(fifo)] == [REC, REC]
    finally:
        writer.join()


def test_feed_knows_its_size_and_how_far_it_has_read(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(_jsonl(*[REC] * 1000))
    with Feed(feed) as opened:
        assert opened.size == feed.stat().st_size
        assert opened.bytes_read < opened.size
        assert sum(1 for _ in opened) == 1000
        assert opened.bytes_read == opened.size


def test_gzip_feed_size_counts_the_compressed_file(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl.gz"
    feed.write_bytes(gzip.compress(_jsonl(*[REC] * 1000)))
    with Feed(feed) as opened:
        assert [r.data for r in opened] == [REC] * 1000
        assert opened.size == opened.bytes_read == feed.stat().st_size
