"""`tracklingo normalize`: feeds in, canonical JSONL out."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO

import click

from tracklingo.cli._common import (
    Progress,
    all_records,
    check_inputs,
    emit_reject,
    feed_normalizer,
    feed_options,
    handle_errors,
    main,
)
from tracklingo.errors import InputError
from tracklingo.feeds import Record
from tracklingo.model import event_to_json
from tracklingo.normalize import Normalizer

# -- normalize ------------------------------------------------------------------------------


def _open_out(path: str, what: str) -> IO[bytes]:
    try:
        return open(path, "wb")
    except OSError as exc:
        raise InputError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None


def write_normalized(
    normalizer: Normalizer,
    records: Iterable[Record],
    out: IO[bytes],
    rejects_out: IO[bytes] | None,
    *,
    progress: bool = False,
) -> None:
    """Stream `records` through `normalizer`: events to `out` (JSONL), rejects to `rejects_out`
    (JSONL; stderr lines when `None`)."""
    write = out.write
    include_raw = normalizer.include_raw
    stats = normalizer.stats
    with Progress(progress) as bar:
        for record in records:
            events, rejects = normalizer.process(record)
            for event in events:
                write(event_to_json(event, include_raw=include_raw))
                write(b"\n")
            for reject in rejects:
                emit_reject(reject, rejects_out)
            if progress and stats.records_in % 5000 == 0:
                bar.update(stats.records_in, stats.events_out, stats.records_rejected)


@main.command()
@feed_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Where to write canonical events (JSONL).",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, writable=True),
    help="Write rejected records here as JSONL (default: one line each on stderr).",
)
@click.option("--raw", "include_raw", is_flag=True, help="Keep each carrier record in `raw`.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
@handle_errors
def normalize(
    files: tuple[str, ...],
    carrier: str | None,
    fmt: str,
    output: str,
    rejects: str | None,
    include_raw: bool,
    quiet: bool,
) -> None:
    """Normalize raw carrier events or API responses (FILES or stdin) to canonical JSONL."""
    paths = check_inputs(files)
    normalizer = feed_normalizer(carrier, include_raw)
    out = sys.stdout.buffer if output == "-" else _open_out(output, "output")
    try:
        rej = _open_out(rejects, "rejects") if rejects else None
    except InputError:
        if out is not sys.stdout.buffer:
            out.close()
        raise
    try:
        write_normalized(
            normalizer,
            all_records(paths, fmt),
            out,
            rej,
            progress=sys.stderr.isatty() and not quiet,
        )
    finally:
        out.flush()
        if out is not sys.stdout.buffer:
            out.close()
        if rej is not None:
            rej.close()
    if not quiet:
        click.echo(normalizer.stats.summary(), err=True)
