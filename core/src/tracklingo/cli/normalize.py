"""`tracklingo normalize`: feeds in, canonical JSONL out."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

import click
import orjson

from tracklingo.cli._common import _registry, handle_errors, main
from tracklingo.feeds import Record, read_records
from tracklingo.model import event_to_json
from tracklingo.normalize import Normalizer

# -- normalize ------------------------------------------------------------------------------


def _check_inputs(files: tuple[str, ...]) -> list[str]:
    paths = list(files) or ["-"]
    for p in paths:
        if p != "-" and not os.path.isfile(p):
            raise click.exceptions.Exit(_missing(p))
    return paths


def _missing(path: str) -> int:
    what = "is a directory, not a feed file" if os.path.isdir(path) else "no such file"
    click.echo(f"tracklingo: error: {path}: {what}", err=True)
    return 1


def _all_records(paths: list[str], fmt: str) -> Iterator[Record]:
    for p in paths:
        yield from read_records(p, fmt)  # type: ignore[arg-type]


class _Progress:
    """A progress line on stderr for long feeds, only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("normalizing", total=None)
        return self

    def update(self, records: int, events: int, rejects: int) -> None:
        if self._progress is not None:
            self._progress.update(
                self._task,
                description=f"{records:,} records → {events:,} events, {rejects:,} rejected",
            )

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


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
    with _Progress(progress) as bar:
        for record in records:
            events, rejects = normalizer.process(record)
            for event in events:
                write(event_to_json(event, include_raw=include_raw))
                write(b"\n")
            for reject in rejects:
                if rejects_out is not None:
                    rejects_out.write(orjson.dumps(reject.to_dict(), default=str) + b"\n")
                else:
                    where = f"{reject.source}:" if reject.source != "-" else "line "
                    click.echo(f"reject: {where}{reject.line}: {reject.reason}", err=True)
            if progress and stats.records_in % 5000 == 0:
                bar.update(stats.records_in, stats.events_out, stats.records_rejected)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--carrier", help="Carrier for records that do not name one (default: detect).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "jsonl", "json", "csv"]),
    default="auto",
    show_default=True,
    help="Input format.",
)
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
    paths = _check_inputs(files)
    normalizer = Normalizer(_registry(), carrier=carrier, include_raw=include_raw)
    out = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115
    rej = open(rejects, "wb") if rejects else None  # noqa: SIM115
    try:
        write_normalized(
            normalizer,
            _all_records(paths, fmt),
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


