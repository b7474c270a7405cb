"""Reading feeds: JSON Lines, a JSON document (an array of objects, or one object) and CSV, each
optionally gzip-compressed, from files, devices, pipes or stdin. Every record comes out with its line
number (in a JSON document: its position in the array) or with the reason it could not be read, so
the normalizer can account for all of them.

JSON Lines and CSV are streamed; a JSON document is read whole (it is one value).

How the format is chosen (`Feed`, `read_records`), never betting the feed on its first line:

- ``--format`` / `fmt` when given. Otherwise the name: ``.jsonl``/``.ndjson`` are JSON Lines and
  ``.csv`` is CSV (``.gz`` after them is allowed). Anything else is sniffed from the content, and a
  ``.json`` name only limits the sniffing to the two JSON formats.
- Content starting with ``{`` or ``[``: a JSON document only when the whole input parses as one;
  otherwise JSON Lines, decided line by line (a bad line is one reject, the lines after it are read).
  One exception keeps a cut-off download from turning into a reject per line: when the input is a
  valid *beginning* of a JSON document that ends too early, and no line of it is a JSON object on
  its own, it is one malformed document (one reject).
- Other content: CSV when the first line is a CSV header (see `CSV_REQUIRED`); else JSON Lines when
  any line of the first 64 KiB is a JSON object; else the input is no feed in any format, which is an
  `InputError` (one clear error), as is binary data where JSON is expected.

CSV: a row is one physical line, unless a quoted field spans lines and its quoting closes. A row
whose quote never closes (a stray quote) is one reject with its line number, and the rows after it
are read as rows. A row's line number is the line it starts on.

Records nested deeper than `MAX_DEPTH` levels are rejects: no carrier nests that deep, and such a
record could not be written back as JSON.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import itertools
import json
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Literal

import orjson

from tracklingo.errors import InputError

__all__ = ["CSV_REQUIRED", "MAX_DEPTH", "Feed", "FeedFormat", "Record", "open_feed", "read_records"]

FeedFormat = Literal["auto", "jsonl", "json", "csv"]

#: The deepest nesting a record may have (an object in an object ... counts each level).
MAX_DEPTH: Final = 128

#: Columns a CSV header must name: every flat record needs a tracking number, a timestamp and a
#: code or a description (see `tracklingo.normalize.flat_record`). Without them the first line is
#: not a header, and every row would be a reject.
CSV_REQUIRED: Final = ("tracking_number", "timestamp", ("code", "description"))

_GZIP_MAGIC: Final = b"\x1f\x8b"
_BOM: Final = b"\xef\xbb\xbf"
_SAMPLE: Final = 64 * 1024  # how much a sniff looks at before deciding, at most
_MAX_ROW_LINES: Final = 100  # physical lines one quoted CSV field may span
_CONTROL: Final = bytes(c for c in range(32) if c not in b"\t\n\r\f") + b"\x7f"


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


def _open_raw(path: str | Path) -> IO[bytes]:
    if str(path) == "-":
        stdin = sys.stdin.buffer
        if stdin.isatty():  # read what is typed up to one Ctrl-D, then stop
            return io.BytesIO(stdin.read())
        return stdin
    try:
        return open(path, "rb")  # the caller closes it
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a feed file") from None
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def _decompressed(raw: IO[bytes]) -> IO[bytes]:
    buffered: io.BufferedReader = (
        raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
    )
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
    return buffered


def open_feed(path: str | Path) -> IO[bytes]:
    """Open a file (``-`` for stdin) for binary reading, transparently gunzipping it."""
    return _decompressed(_open_raw(path))


class Feed:
    """One feed opened for reading (``-`` = stdin): its records, its size and how far reading got.

    >>> with Feed("feed.jsonl") as feed:                           # doctest: +SKIP
    ...     for record in feed:                                    # a `Record` each
    ...         print(record.line, feed.bytes_read, feed.size)

    `size` and `bytes_read` count the bytes of the file itself (compressed bytes for a gzip file);
    `size` is None when it is unknown (a pipe, a terminal).
    """

    def __init__(self, path: str | Path = "-", fmt: FeedFormat = "auto") -> None:
        self.source = str(path)
        self.format: FeedFormat = fmt
        self._raw = _open_raw(path)
        self._fd: int | None = None
        self.size: int | None = None
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            fd = self._raw.fileno()
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode):
                self._fd, self.size = fd, info.st_size
        try:
            self._stream = _decompressed(self._raw)
        except BaseException:
            self.close()
            raise

    @property
    def bytes_read(self) -> int:
        """Bytes of the file read so far (0 when unknown)."""
        if self._fd is None:
            return 0
        try:
            return os.lseek(self._fd, 0, os.SEEK_CUR)
        except OSError:
            return 0

    def __iter__(self) -> Iterator[Record]:
        try:
            yield from _read(self._stream, self.source, self.format)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(
                f"{self.source}: corrupt or truncated gzip data ({exc or type(exc).__name__})"
            ) from None

    def close(self) -> None:
        """Close the file (never stdin)."""
        if self._raw is not sys.stdin.buffer:
            self._raw.close()

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_records(path: str | Path = "-", fmt: FeedFormat = "auto") -> Iterator[Record]:
    """Yield every record of one feed (``-`` = stdin) in order."""
    with Feed(path, fmt) as feed:
        yield from feed


# -- formats ----------------------------------------------------------------------------------


def _read(stream: IO[bytes], source: str, fmt: FeedFormat) -> Iterator[Record]:
    peek = getattr(stream, "peek", None)
    if peek is not None and peek(3)[:3] == _BOM:
        stream.read(3)  # a UTF-8 byte order mark is not part of the first record
    named = _format_from_name(source) if fmt == "auto" else fmt
    if named == "jsonl":
        yield from _jsonl(stream, source)
    elif named == "csv":
        yield from _csv(stream, source)
    elif fmt == "json":  # asked for: the document parses whole, or it is one reject
        yield from _json(stream.read(), source)
    elif named in (None, "json"):
        kind, lines = _sniff(stream, source, json_only=named == "json")
        rest: Iterable[bytes] = itertools.chain(lines, stream)
        if kind == "jsonl":
            yield from _jsonl(rest, source)
        elif kind == "csv":
            yield from _csv(rest, source)
        else:
            yield from _json(b"".join(lines), source)
    else:
        raise InputError(f"unknown feed format {fmt!r}")


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False


_DEEP = f"a record nested deeper than {MAX_DEPTH} levels"


def _jsonl(stream: Iterable[bytes], source: str, first: int = 1) -> Iterator[Record]:
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    for number, line in enumerate(stream, first):
        text = line.strip()
        if not text:
            continue
        try:
            value = loads(text)
        except decode_error as exc:
            yield Record(number, None, f"malformed JSON: {exc.args[0]}", source, _safe_text(text))
            continue
        if value.__class__ is not dict:
            yield Record(number, None, "a record must be a JSON object", source, _safe_text(text))
            continue
        # Only a line with enough brackets can be too deep: the exact walk is rare.
        if len(text) > 2 * MAX_DEPTH and text.count(b"{") + text.count(b"[") > MAX_DEPTH and _too_deep(value):
            yield Record(number, None, _DEEP, source, _safe_text(text))
            continue
        yield Record(number, value, None, source)


def _json(data: bytes, source: str) -> Iterator[Record]:
    if not data.strip():
        return  # an empty document holds no records
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield Record(exc.lineno, None, f"malformed JSON document: {exc.args[0]}", source, _safe_text(data))
        return
    if not isinstance(value, (list, dict)):
        yield Record(1, None, "a JSON document must hold an object or an array of objects", source)
        return
    items = value if isinstance(value, list) else [value]
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            yield Record(i, None, "a record must be a JSON object", source, _shown(item))
        elif _too_deep(item):
            yield Record(i, None, _DEEP, source)
        else:
            yield Record(i, item, None, source)


def _shown(item: Any) -> str:
    try:
        return orjson.dumps(item).decode()[:200]
    except TypeError:  # too deep to write back
        return _DEEP


def _safe_text(raw: bytes) -> str:
    return raw[:2000].decode("utf-8", errors="replace")


# -- sniffing ---------------------------------------------------------------------------------


def _is_object_line(line: bytes) -> bool:
    text = line.strip()
    if not text.startswith(b"{"):
        return False
    try:
        return isinstance(orjson.loads(text), dict)
    except orjson.JSONDecodeError:
        return False


def _binary(data: bytes) -> bool:
    """Binary rather than text: a NUL byte, or more than 5% control bytes."""
    sample = data[:_SAMPLE]
    if not sample or b"\x00" in sample:
        return bool(sample)
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls * 20 > len(sample)


def _not_a_feed(source: str, why: str) -> InputError:
    return InputError(
        f"{source}: not a feed in any format ({why}); tracklingo reads JSON Lines, a JSON document"
        " (an array of objects) or CSV with a header, optionally gzip-compressed"
    )


def _prefix_state(data: bytes) -> Literal["complete", "partial", "invalid"]:
    """Whether `data` (whole lines) is one JSON value, a valid beginning of one, or neither."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        rest = text[exc.pos :].rstrip()
        if not rest or exc.msg.startswith("Unterminated string"):
            return "partial"  # the text ends where the value needs more (a string cannot hold a line break)
        return "partial" if any(word.startswith(rest) for word in ("true", "false", "null")) else "invalid"
    except (RecursionError, ValueError):
        return "invalid"
    return "complete"


def _sniff(stream: IO[bytes], source: str, *, json_only: bool) -> tuple[str, list[bytes]]:
    """Decide the format from the content; return it with the lines read so far, which the caller
    puts back in front of the stream (for "json": the whole document)."""
    peek = getattr(stream, "peek", None)
    if peek is not None and _binary(peek(_SAMPLE)[:_SAMPLE]):
        raise _not_a_feed(source, "binary data")
    lines: list[bytes] = []
    first = b""
    while not first:
        line = stream.readline()
        if not line:
            return "jsonl", lines  # empty, or blank lines only: no records
        lines.append(line)
        first = line.strip()
    if first[:1] in (b"{", b"["):
        return _sniff_json(stream, source, lines)
    if _binary(first):
        raise _not_a_feed(source, "binary data")
    if not json_only and _csv_header(first.decode("utf-8", errors="replace"))[1] is None:
        return "csv", lines
    size = sum(map(len, lines))
    while size < _SAMPLE:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        size += len(line)
    if any(map(_is_object_line, lines)):
        return "jsonl", lines
    if json_only:
        raise _not_a_feed(source, "it is not JSON")
    why = _csv_header(first.decode("utf-8", errors="replace"))[1]
    raise _not_a_feed(source, f"no line is a JSON object, and the first line is no CSV header: {why}")


def _sniff_json(stream: IO[bytes], source: str, lines: list[bytes]) -> tuple[str, list[bytes]]:
    first = lines[-1].strip()
    if _binary(first):
        raise _not_a_feed(source, "binary data")
    try:
        value = orjson.loads(first)
    except orjson.JSONDecodeError:
        pass
    else:
        if isinstance(value, dict):
            return "jsonl", lines
        while True:  # an array on one line: a document when nothing but blank lines follows
            line = stream.readline()
            if not line:
                return "json", lines
            lines.append(line)
            if line.strip():
                return "jsonl", lines
    # The first line is not a value on its own: a document spanning lines, or a broken JSON line.
    size = sum(map(len, lines))
    check_at = size + 1
    while True:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        size += len(line)
        if size >= check_at:  # doubling steps keep the re-parsing linear in the input
            check_at = 2 * size
            if _prefix_state(b"".join(lines)) == "invalid":
                return "jsonl", lines
    data = b"".join(lines)
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    else:
        return "json", lines
    if _prefix_state(data) == "partial" and not any(map(_is_object_line, lines)):
        return "json", lines  # a document cut short: one malformed document
    return "jsonl", lines


# -- CSV --------------------------------------------------------------------------------------


def _csv_parse(text: str) -> list[str]:
    """One CSV row from `text`; `csv.Error` when malformed ("unexpected end of data": a quoted
    field is still open at the end)."""
    return next(csv.reader((text,), strict=True), [])


def _csv_header(text: str) -> tuple[list[str], str | None]:
    """The column names of a header line, and what is wrong with it (None: a valid header)."""
    try:
        names = [name.strip() for name in _csv_parse(text)]
    except csv.Error as exc:
        return [], f"malformed CSV ({exc})"
    missing = [
        " or ".join(req) if isinstance(req, tuple) else req
        for req in CSV_REQUIRED
        if not (set(req) if isinstance(req, tuple) else {req}) & set(names)
    ]
    if missing:
        return names, "no " + "; no ".join(missing) + " column"
    return names, None


def _csv(stream: Iterable[bytes], source: str) -> Iterator[Record]:
    lines = ((n, raw.decode("utf-8", errors="replace").rstrip("\r\n")) for n, raw in enumerate(stream, 1))
    header_line = 0
    for number, text in lines:
        if text.strip():
            header_line = number
            break
    else:
        return  # empty: no header, no records
    names, problem = _csv_header(text)
    where = f"{source}: line {header_line}"
    if problem is not None:
        raise InputError(
            f"{where}: missing CSV header ({problem}): the first line must name the columns,"
            " at least tracking_number, timestamp and code or description"
        )
    seen: set[str] = set()
    for i, name in enumerate(names, 1):
        if not name:
            raise InputError(f"{where}: CSV header column {i} has no name")
        if name in seen:
            raise InputError(f"{where}: CSV header names the column {name!r} twice")
        seen.add(name)
    yield from _csv_rows(lines, names, source)


def _csv_rows(lines: Iterator[tuple[int, str]], names: list[str], source: str) -> Iterator[Record]:
    width = len(names)
    pending: list[tuple[int, str]] = []  # lines read ahead and given back; the next one is last

    def next_line() -> tuple[int, str] | None:
        return pending.pop() if pending else next(lines, None)

    while (item := next_line()) is not None:
        number, text = item
        if not text.strip():
            continue
        try:
            fields = _csv_parse(text)
        except csv.Error as exc:
            if str(exc) != "unexpected end of data":
                yield Record(number, None, f"malformed CSV: {exc}", source, text[:2000])
                continue
            joined, ahead = _join_quoted(text, width, next_line)
            if joined is None:
                pending.extend(reversed(ahead))
                yield Record(
                    number,
                    None,
                    "malformed CSV: a quote opens a field that does not close (stray quote?)",
                    source,
                    text[:2000],
                )
                continue
            fields = joined
        if len(fields) > width:
            reason = f"malformed CSV: {len(fields)} fields, header has {width}"
            yield Record(number, None, reason, source, text[:2000])
            continue
        data = {k: (v if v != "" else None) for k, v in zip(names, fields, strict=False)}
        yield Record(number, data, None, source)


def _join_quoted(
    text: str, width: int, next_line: Callable[[], tuple[int, str] | None]
) -> tuple[list[str] | None, list[tuple[int, str]]]:
    """A row whose quoted field continues on the next lines: its fields once the quote closes, with
    the lines it took. None (and the lines read ahead) when it never closes (within
    `_MAX_ROW_LINES` lines and the csv field size limit), or when a line it would swallow before
    the closing one is a complete row of its own: then the quote was a stray one."""
    ahead: list[tuple[int, str]] = []
    size, limit = len(text), csv.field_size_limit()
    while len(ahead) < _MAX_ROW_LINES and (item := next_line()) is not None:
        ahead.append(item)
        size += len(item[1]) + 1
        if size > limit:
            break
        joined = "\n".join([text, *(t for _, t in ahead)])
        try:
            return _csv_parse(joined), ahead
        except csv.Error as exc:
            if str(exc) != "unexpected end of data" or _complete_row(item[1], width):
                break  # malformed, or the quote would swallow a row: a stray quote
    return None, ahead


def _complete_row(text: str, width: int) -> bool:
    try:
        return len(_csv_parse(text)) == width
    except csv.Error:
        return False


def jsonl_records(lines: Iterable[bytes], source: str = "-", first: int = 1) -> Iterator[Record]:
    """The records of JSON Lines given line by line (bytes), numbered from `first`: what reading a
    JSON Lines feed yields for them."""
    return _jsonl(lines, source, first)
