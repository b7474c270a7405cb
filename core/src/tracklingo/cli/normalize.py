"""`tracklingo normalize`: feeds in, canonical JSONL out."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING

import click

from tracklingo.cli._common import (
    FeedRun,
    MaxRejects,
    emit_reject,
    feed_normalizer,
    feed_options,
    handle_errors,
    main,
    open_output,
)

if TYPE_CHECKING:
    from tracklingo.feeds import Record
    from tracklingo.normalize import Normalizer, Reject


def write_normalized(
    normalizer: Normalizer,
    records: Iterable[Record],
    out: IO[bytes],
    rejects_out: IO[bytes] | None = None,
    *,
    on_reject: Callable[[Reject], None] | None = None,
) -> None:
    """Stream `records` through `normalizer`: events to `out` (JSONL), each reject to `on_reject`
    (default: a JSONL line in `rejects_out`, or a line on stderr when that is `None`)."""
    from tracklingo.model import event_to_json

    write = out.write
    include_raw = normalizer.include_raw
    process = normalizer.process
    for record in records:
        events, rejects = process(record)
        for event in events:
            write(event_to_json(event, include_raw=include_raw))
            write(b"\n")
        for reject in rejects:
            if on_reject is not None:
                on_reject(reject)
            else:
                emit_reject(reject, rejects_out)


@main.command()
@feed_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Where to write canonical events (JSONL; Parquet or Arrow IPC by the name or"
    " --output-format; default: stdout).",
)
@click.option(
    "--output-format",
    type=click.Choice(["auto", "jsonl", "parquet", "arrow"]),
    default="auto",
    show_default=True,
    help="Events as JSON Lines, Parquet or Arrow IPC (auto: from the --output name, else JSONL)."
    " Parquet / Arrow IPC in or out use the columnar batch path (the arrow extra).",
)
@click.option("--raw", "include_raw", is_flag=True, help="Keep each carrier record in `raw`.")
@handle_errors
def normalize(
    files: tuple[str, ...],
    carrier: str | None,
    fmt: str,
    rejects: str | None,
    max_rejects: MaxRejects | None,
    quiet: bool,
    as_json: bool,
    output: str,
    output_format: str,
    include_raw: bool,
) -> None:
    """Normalize raw carrier events or API responses (FILES or stdin) to canonical JSONL
    (or Parquet / Arrow IPC).

    Events are JSON Lines unless --output names a .parquet / .arrow file or --output-format says
    so (--json changes nothing). Parquet or Arrow IPC in or out runs the columnar batch path
    (same events; needs the arrow extra). The summary line goes to stderr.
    """
    to_terminal = output == "-" and sys.stdout.isatty()  # the events themselves show progress
    run = FeedRun(
        files,
        fmt=fmt,
        rejects=rejects,
        max_rejects=max_rejects,
        quiet=quiet,
        label="normalize",
        outputs={"-o/--output": output},
        progress=not to_terminal,
    )
    from tracklingo.cli import _batch

    if _batch.wants_batch(run.paths, fmt, output, output_format):
        with run:
            stats = _batch.normalize(run, carrier, include_raw, output, output_format)
        run.finish(stats.summary(), rejected=stats.records_rejected, records_in=stats.records_in)
        return
    normalizer = feed_normalizer(carrier, include_raw)
    out = sys.stdout.buffer if output == "-" else open_output(output, "output")
    try:
        with run:
            write_normalized(normalizer, run.records(normalizer), out, on_reject=run.reject)
    finally:
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
    stats = normalizer.stats
    run.finish(stats.summary(), rejected=stats.records_rejected, records_in=stats.records_in)
