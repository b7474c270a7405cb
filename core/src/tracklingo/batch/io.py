"""Feeds in as record batches, events and rejects out, streamed (memory follows the batch size,
not the feed size).

Inputs: Parquet (read row group by row group), Arrow IPC (file or stream format), and every feed
format `tracklingo.feeds` reads (JSON Lines, a JSON document, CSV; gzip), turned into tables of
`BATCH_ROWS` records. A text record whose fields a table cannot hold as they are (an unreadable line,
a raw API response, a nested value, a number where text is expected) is kept beside the table as a
`Record`, for the per-record path. Outputs: Parquet, Arrow IPC (file format) or JSON Lines (the
per-record path's bytes).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, Literal

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from tracklingo.batch.schema import FLAT_COLUMNS, REJECT_SCHEMA, table_events
from tracklingo.errors import InputError
from tracklingo.feeds import Feed, FeedFormat, Record
from tracklingo.model import event_to_json
from tracklingo.normalize import Reject

__all__ = [
    "BATCH_ROWS",
    "COLUMNAR",
    "Chunk",
    "EventWriter",
    "columnar_format",
    "output_format",
    "read_chunks",
    "reject_objects",
]

#: Records per batch: large enough for the per-distinct work to pay, small enough to stream.
BATCH_ROWS: Final = 65_536

ColumnarFormat = Literal["parquet", "arrow"]
COLUMNAR: Final = ("parquet", "arrow")
OutputFormat = Literal["jsonl", "parquet", "arrow"]

_SUFFIXES: Final = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
    ".arrows": "arrow",
}
_CORE_TEXT: Final = FLAT_COLUMNS


def columnar_format(path: str, fmt: str = "auto") -> ColumnarFormat | None:
    """ "parquet" or "arrow" when `path` is such a file (by `fmt`, its name, or its first bytes),
    None for a text feed."""
    if fmt in COLUMNAR:
        return fmt  # type: ignore[return-value]
    if fmt != "auto" or path == "-":
        return None
    found = _SUFFIXES.get(Path(path).suffix.lower())
    if found is not None:
        return found  # type: ignore[return-value]
    if not os.path.isfile(path):  # a pipe or a device: its first bytes are the feed's
        return None
    with contextlib.suppress(OSError):
        with open(path, "rb") as fh:
            head = fh.read(6)
        if head[:4] == b"PAR1":
            return "parquet"
        if head == b"ARROW1":
            return "arrow"
    return None


def output_format(path: str, fmt: str = "auto") -> OutputFormat:
    """The format to write events in: `fmt`, else from the name (JSON Lines by default)."""
    if fmt != "auto":
        return fmt  # type: ignore[return-value]
    return _SUFFIXES.get(Path(path).suffix.lower(), "jsonl")  # type: ignore[return-value]


@dataclass(slots=True)
class Chunk:
    """A stretch of one input: a table of records with their line numbers, and the records of
    the same stretch that are not in it. `bytes_read`: how far into the file reading got."""

    table: pa.Table
    lines: np.ndarray[Any, Any]
    others: list[Record] = field(default_factory=list)
    source: str = "-"
    bytes_read: int = 0
    #: the table's rows as read from a text feed (null fields included), else None
    records: list[dict[str, Any]] | None = None


def read_chunks(
    path: str, fmt: str = "auto", *, batch_rows: int = BATCH_ROWS, keep_nulls: bool = False
) -> Iterator[Chunk]:
    """The records of one input (``-`` = stdin) as chunks of at most `batch_rows` rows. With
    `keep_nulls`, text records keep their null fields (`Chunk.records`; for ``raw``), which
    takes the per-record reader for JSON Lines rather than Arrow's."""
    kind = columnar_format(path, fmt)
    if kind == "parquet":
        yield from _parquet(path, batch_rows)
    elif kind == "arrow":
        yield from _arrow(path, batch_rows)
    elif not keep_nulls and _plain_jsonl(path, fmt):
        yield from _jsonl_blocks(path, batch_rows)
    else:
        yield from _text(path, fmt, batch_rows)


def _open_columnar(path: str) -> Any:
    if path == "-":
        import sys

        return pa.BufferReader(sys.stdin.buffer.read())
    try:
        return pa.memory_map(path) if os.path.isfile(path) else pa.OSFile(path)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None


def _parquet(path: str, batch_rows: int) -> Iterator[Chunk]:
    try:
        source = pq.ParquetFile(_open_columnar(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    line = 1
    size = os.path.getsize(path) if path != "-" and os.path.isfile(path) else 0
    total = max(source.metadata.num_rows, 1)
    for batch in source.iter_batches(batch_size=batch_rows):
        n = batch.num_rows
        yield Chunk(
            pa.Table.from_batches([batch]),
            np.arange(line, line + n, dtype=np.int64),
            source=path,
            bytes_read=size * (line + n - 1) // total,
        )
        line += n


def _arrow(path: str, batch_rows: int) -> Iterator[Chunk]:
    handle = _open_columnar(path)
    try:
        reader: Any = ipc.open_file(handle)
        batches: Iterator[pa.RecordBatch] = (reader.get_batch(i) for i in range(reader.num_record_batches))
    except pa.ArrowInvalid:
        try:
            handle.seek(0)
            batches = iter(ipc.open_stream(handle))
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{path}: not a readable Arrow IPC file or stream ({exc})") from None
    line = 1
    for batch in batches:
        for start in range(0, max(batch.num_rows, 1), batch_rows):
            part = batch.slice(start, batch_rows)
            n = part.num_rows
            if not n:
                continue
            yield Chunk(pa.Table.from_batches([part]), np.arange(line, line + n, dtype=np.int64), source=path)
            line += n


def _plain_jsonl(path: str, fmt: str) -> bool:
    name = path.lower()
    return (
        path != "-"
        and os.path.isfile(path)
        and (fmt == "jsonl" or (fmt == "auto" and name.endswith((".jsonl", ".ndjson"))))
    )


# A block goes through Arrow's JSON reader only when nothing in it can read differently from the
# per-record reader: no blank line (line numbers), no byte order mark, no lone surrogate escape.
_BLANK_LINE: Final = re.compile(rb"\n[ \t\r]+\n")
_AFTER_NEWLINE: Final = re.compile(rb"\n[\n \t\r]")
_SURROGATE: Final = re.compile(rb"\\[uU][dD][89a-fA-F]")
_BLOCK_BYTES: Final = 8 << 20


def _jsonl_blocks(path: str, batch_rows: int) -> Iterator[Chunk]:
    """A JSON Lines file, block by block: Arrow's JSON reader where a block is plain (every line a
    flat object of text fields), the per-record reader otherwise (same records, same lines)."""
    import pyarrow.json as pj

    schema = pa.schema([pa.field(name, pa.string()) for name in sorted(_CORE_TEXT)])
    parse = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    line = 1
    done = 0
    with open(path, "rb") as fh:
        rest = b""
        while True:
            data = fh.read(_BLOCK_BYTES)
            block = rest + data
            if not block:
                break
            if data:
                cut = block.rfind(b"\n") + 1
                if cut == 0:
                    rest = block
                    continue
                block, rest = block[:cut], block[cut:]
            else:
                rest = b""
            done += len(block)
            count = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
            table = None
            if _plain_block(block, line == 1):
                try:
                    table = pj.read_json(
                        pa.BufferReader(block),
                        read_options=pj.ReadOptions(use_threads=False, block_size=len(block) + 1),
                        parse_options=parse,
                    )
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    table = None
                if table is not None and not _plain_table(table, count):
                    table = None
            if table is not None:
                for start in range(0, table.num_rows, batch_rows):
                    part = table.slice(start, batch_rows)
                    first = line + start
                    yield Chunk(part, np.arange(first, first + part.num_rows, dtype=np.int64), [], path, done)
            else:
                records = list(_jsonl_records(block, path, line))
                for start in range(0, len(records), batch_rows):
                    yield _text_chunk(records[start : start + batch_rows], path, done)
            line += count
            if not data:
                break


def _blank_line(block: bytes) -> bool:
    if block[:1] in (b"\n", b" ", b"\t", b"\r"):
        return True
    # a line that starts with a newline or a space: one pass finds whether there is any
    if _AFTER_NEWLINE.search(block) and (b"\n\n" in block or _BLANK_LINE.search(block)):
        return True
    end = len(block) - 1 if block.endswith(b"\n") else len(block)
    return not block[block.rfind(b"\n", 0, end) + 1 : end].strip()


def _plain_block(block: bytes, first: bool) -> bool:
    if first and block.startswith(b"\xef\xbb\xbf"):
        return False
    if b"\\u" in block and _SURROGATE.search(block):
        return False
    return not _blank_line(block)


def _plain_table(table: pa.Table, lines: int) -> bool:
    """Whether Arrow read a block as the per-record reader would: one row per line, text fields
    only, no field whose mere presence (even null) changes how a record is read."""
    import pyarrow.compute as pc

    if table.num_rows != lines or {"payload", "stage", "match"} & set(table.column_names):
        return False
    if not all(pa.types.is_string(t) or pa.types.is_null(t) for t in table.schema.types):
        return False
    flat = [table.column(k) for k in ("tracking_number", "timestamp", "code", "description")]
    none = pc.and_(
        pc.and_(pc.is_null(flat[0]), pc.is_null(flat[1])), pc.and_(pc.is_null(flat[2]), pc.is_null(flat[3]))
    )
    return not pc.any(none).as_py()


def _jsonl_records(block: bytes, source: str, first: int) -> Iterator[Record]:
    import io

    from tracklingo.feeds import jsonl_records

    yield from jsonl_records(io.BytesIO(block), source, first)


def _fits(data: dict[str, Any]) -> bool:
    """Whether a table column can hold each field as the per-record path reads it."""
    if "payload" in data or ("stage" in data and "match" in data):
        return False
    for key, value in data.items():
        if value is None or value.__class__ is str:
            continue
        if key in _CORE_TEXT or not isinstance(value, (int, float, bool)):
            return False
    return True


def _text(path: str, fmt: str, batch_rows: int) -> Iterator[Chunk]:
    with Feed(path, fmt) as feed:  # type: ignore[arg-type]
        pending: list[Record] = []
        for record in feed:
            pending.append(record)
            if len(pending) >= batch_rows:
                yield _text_chunk(pending, path, feed.bytes_read)
                pending = []
        if pending:
            yield _text_chunk(pending, path, feed.bytes_read)


def _text_chunk(records: Sequence[Record], source: str, bytes_read: int) -> Chunk:
    fits: list[Record] = []
    others: list[Record] = []
    for record in records:
        (fits if record.data is not None and _fits(record.data) else others).append(record)
    try:
        table = _columns([r.data for r in fits])  # type: ignore[misc]
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column mixing types: keep text-only records
        text_only = [all(v is None or v.__class__ is str for v in r.data.values()) for r in fits]  # type: ignore[union-attr]
        others.extend(r for r, ok in zip(fits, text_only, strict=True) if not ok)
        fits = [r for r, ok in zip(fits, text_only, strict=True) if ok]
        table = _columns([r.data for r in fits])  # type: ignore[misc]
    lines = np.fromiter((r.line for r in fits), np.int64, len(fits))
    return Chunk(table, lines, others, source, bytes_read, [r.data for r in fits])  # type: ignore[misc]


def _columns(rows: list[dict[str, Any]]) -> pa.Table:
    """A table of every field any row has (absent: null)."""
    names = list(dict.fromkeys(k for row in rows for k in row))
    return pa.table({k: pa.array([row.get(k) for row in rows]) for k in names}) if names else pa.table({})


# -- writing ----------------------------------------------------------------------------------


class EventWriter:
    """Writes event tables to one output (``-`` = stdout) as Parquet, Arrow IPC or JSON Lines."""

    def __init__(self, path: str, fmt: OutputFormat, schema: pa.Schema) -> None:
        self.path = path
        self.format = fmt
        self.schema = schema
        self._file: IO[bytes] | None = None
        self._writer: Any = None
        if path == "-":
            import sys

            self._file = sys.stdout.buffer
        else:
            try:
                self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise InputError(f"cannot write output to {path}: {exc.strerror or exc}") from None
        sink = pa.PythonFile(self._file, mode="w") if fmt != "jsonl" else None
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(sink, schema, compression="zstd")
        elif fmt == "arrow":
            self._writer = ipc.new_file(sink, schema)
        self.events = 0

    def write(self, events: pa.Table, *, include_raw: bool = False) -> None:
        """Append one table of events."""
        self.events += events.num_rows
        if self.format == "jsonl":
            assert self._file is not None
            write = self._file.write
            for event in table_events(events):
                write(event_to_json(event, include_raw=include_raw))
                write(b"\n")
        elif events.num_rows:
            self._writer.write_table(events.cast(self.schema))

    def close(self) -> None:
        """Finish the file (footer) and close it (never stdout)."""
        import sys

        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._file is not None:
            self._file.flush()
            if self._file is not sys.stdout.buffer:
                self._file.close()
            self._file = None

    def __enter__(self) -> EventWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def reject_objects(rejects: pa.Table) -> Iterator[Reject]:
    """The rows of a reject table as `Reject`s (the record parsed back from its JSON text)."""
    for row in rejects.cast(REJECT_SCHEMA).to_pylist():
        record = orjson.loads(row["record"]) if row["record"] is not None else None
        yield Reject(row["line"], row["reason"], record, row["source"], row["tracking_number"])


def feed_format(fmt: str) -> FeedFormat:
    """`fmt` as a text feed format (columnar formats read as "auto")."""
    return "auto" if fmt in COLUMNAR else fmt  # type: ignore[return-value]
