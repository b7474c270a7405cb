"""Feed reading edge cases: BOMs, long first lines on stdin, empty documents, corrupt gzip."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tracklingo import InputError, read_records

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
