"""Reading feeds: JSONL, JSON (array or one object), CSV, each optionally gzip-compressed, from files
or stdin. Every record comes out with its line number (JSON: its position in the array) or with the
reason it could not be read, so the normalizer can account for all of them.

JSONL and CSV are streamed; a JSON document is read whole (it is one value).
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from tracklingo.errors import InputError

__all__ = ["FeedFormat", "Record", "open_feed", "read_records"]

FeedFormat = Literal["auto", "jsonl", "json", "csv"]

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)  # not frozen: built per event, and frozen init costs ~3x
class Record:
    """One input record: `data` when it could be read, else `error`; `raw` is the text line."""

    line: int
    data: dict[str, Any] | None
    error: str | None = None
    source: str = "-"
    raw: str | None = None


def _format_from_name(name: str) -> FeedFormat | None:
    lower = name.lower().removesuffix(".gz")
    for suffix, fmt in (
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "json"),
        (".csv", "csv"),
    ):
        if lower.endswith(suffix):
            return fmt  # type: ignore[return-value]
    return None


def open_feed(path: str | Path) -> IO[bytes]:
    """Open a file (``-`` for stdin) for binary reading, transparently gunzipping it."""
    if str(path) == "-":
        raw: IO[bytes] = sys.stdin.buffer
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:
            raise InputError(f"no such file: {path}") from None
        except IsADirectoryError:
            raise InputError(f"{path} is a directory, not a feed file") from None
        except PermissionError:
            raise InputError(f"cannot read {path}: permission denied") from None
    buffered: io.BufferedReader = (
        raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    )
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


def _jsonl(stream: Iterable[bytes], source: str, first: int = 1) -> Iterator[Record]:
    for number, line in enumerate(stream, first):
        text = line.strip()
        if not text:
            continue
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield Record(number, None, f"malformed JSON: {exc.args[0]}", source, _safe_text(text))
            continue
        if not isinstance(value, dict):
            yield Record(number, None, "a record must be a JSON object", source, _safe_text(text))
            continue
        yield Record(number, value, None, source)


def _json(stream: IO[bytes], source: str) -> Iterator[Record]:
    data = stream.read()
    if not data.strip():
        return  # an empty document holds no records
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield Record(1, None, f"malformed JSON document: {exc.args[0]}", source)
        return
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            yield Record(i, item, None, source)
        else:
            yield Record(i, None, "a record must be a JSON object", source, repr(item)[:200])


def _csv(stream: IO[bytes], source: str) -> Iterator[Record]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.DictReader(text)
    if reader.fieldnames is None:
        return
    width = len(reader.fieldnames)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Record(reader.line_num, None, f"malformed CSV: {exc}", source)
            continue
        extra = row.pop(None, None)
        if extra:
            yield Record(
                reader.line_num,
                None,
                f"malformed CSV: {width + len(extra)} fields, header has {width}",
                source,
            )
            continue
        yield Record(
            reader.line_num, {k: (v if v != "" else None) for k, v in row.items()}, None, source
        )


def _safe_text(raw: bytes) -> str:
    return raw[:2000].decode("utf-8", errors="replace")


def read_records(path: str | Path = "-", fmt: FeedFormat = "auto") -> Iterator[Record]:
    """Yield every record of one feed file (``-`` = stdin) in order."""
    source = str(path)
    if fmt == "auto":
        fmt = _format_from_name(source) or "auto"
    stream = open_feed(path)
    try:
        try:
            yield from _read(stream, source, fmt)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(
                f"{source}: corrupt or truncated gzip data ({exc or type(exc).__name__})"
            ) from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _read(stream: IO[bytes], source: str, fmt: FeedFormat) -> Iterator[Record]:
    peek = getattr(stream, "peek", None)
    if peek is not None and peek(3)[:3] == _BOM:
        stream.read(3)  # a UTF-8 byte order mark is not part of the first record
    if fmt == "auto":
        fmt, lines = _sniff_format(stream)
        if lines:  # lines the sniffer had to read: put them back in front of the stream
            if fmt == "jsonl":
                yield from _jsonl(itertools.chain(lines, stream), source)
            else:
                yield from _json(io.BytesIO(b"".join(lines) + stream.read()), source)
            return
    if fmt == "jsonl":
        yield from _jsonl(stream, source)
    elif fmt == "json":
        yield from _json(stream, source)
    elif fmt == "csv":
        yield from _csv(stream, source)
    else:
        raise InputError(f"unknown feed format {fmt!r}")


def _sniff_format(stream: IO[bytes]) -> tuple[FeedFormat, list[bytes]]:
    """Guess from the first bytes: ``[`` JSON, ``{`` JSONL (or one multi-line JSON object), else CSV.

    For ``{`` the first line is read whole (it may be longer than any peek buffer) and returned,
    with the blank lines before it, for the caller to put back in front of the stream.
    """
    peek: bytes = getattr(stream, "peek", lambda _n: b"")(65536)
    head = peek.lstrip()
    if head.startswith(b"["):
        return "json", []
    if head.startswith(b"{"):
        lines: list[bytes] = []
        while True:
            line = stream.readline()
            lines.append(line)
            if not line or line.strip():
                break
        try:
            orjson.loads(lines[-1].strip())
        except orjson.JSONDecodeError:
            return "json", lines  # a pretty-printed object spanning lines
        return "jsonl", lines
    return "csv", []
