"""The feed commands on the columnar batch path (`tracklingo.batch`): Parquet / Arrow IPC feeds in,
Parquet / Arrow IPC events out. Imported only when such a file is read or written, so the other
commands never import pyarrow; without it, one line says which extra to install."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracklingo.cli._common import FeedRun
    from tracklingo.feeds import Record
    from tracklingo.normalize import NormalizeStats


def wants_batch(paths: list[str], fmt: str, output: str | None, output_fmt: str) -> bool:
    """Whether a feed command runs on the batch path: a columnar input, or columnar output."""
    if fmt in ("parquet", "arrow") or output_fmt in ("parquet", "arrow"):
        return True
    if output is not None and output_fmt == "auto" and _suffix_columnar(output):
        return True
    return any(_columnar(p, fmt) for p in paths)


def _suffix_columnar(path: str) -> bool:
    return path.lower().endswith((".parquet", ".pq", ".arrow", ".feather", ".ipc", ".arrows"))


def _columnar(path: str, fmt: str) -> bool:
    if fmt != "auto" or path == "-":
        return False
    if _suffix_columnar(path):
        return True
    if not os.path.isfile(path):  # a pipe or a device: its first bytes must not be read here
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(6)
    except OSError:
        return False
    return head[:4] == b"PAR1" or head == b"ARROW1"


def _batch() -> Any:
    import tracklingo.batch.io as io  # the package says which extra to install when it is missing

    return io


def chunks(run: FeedRun, stats: NormalizeStats, *, keep_nulls: bool = False) -> Iterator[Any]:
    """Every chunk of every input of `run`, in order; the progress bar follows."""
    io = _batch()
    done = 0
    for path in run.paths:
        size = 0
        for chunk in io.read_chunks(path, run.fmt, keep_nulls=keep_nulls):
            yield chunk
            size = chunk.bytes_read
            run.bar.update(done + chunk.bytes_read, stats.events_out, stats.records_rejected)
        done += size
    run.bar.update(done, stats.events_out, stats.records_rejected, force=True)


def records(paths: list[str], fmt: str) -> Iterator[Record]:
    """The records of columnar inputs one by one, for commands on the per-record path: each row's
    non-null fields (a ``payload`` given as JSON text parsed)."""
    io = _batch()
    from tracklingo.batch.engine import row_records

    for path in paths:
        for chunk in io.read_chunks(path, fmt):
            yield from row_records(chunk)


def normalize(
    run: FeedRun, carrier: str | None, include_raw: bool, output: str, output_fmt: str
) -> NormalizeStats:
    """`tracklingo normalize` on the batch path; returns the run's counts."""
    io = _batch()
    from tracklingo.batch import BatchNormalizer
    from tracklingo.cli._common import _registry

    normalizer = BatchNormalizer(_registry(), carrier=carrier, include_raw=include_raw)
    with io.EventWriter(output, io.output_format(output, output_fmt), normalizer.schema) as writer:
        for chunk in chunks(run, normalizer.stats, keep_nulls=include_raw):
            events, rejects = normalizer.normalize(
                chunk.table,
                lines=chunk.lines,
                source=chunk.source,
                others=chunk.others,
                records=chunk.records,
            )
            writer.write(events, include_raw=include_raw)
            for reject in io.reject_objects(rejects):
                run.reject(reject)
    return normalizer.stats
