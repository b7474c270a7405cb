"""The ``tracklingo`` command line: a thin layer over the public Python API.

Exit codes: 0 success, 1 a user error (one line on stderr, no traceback), 2 usage errors.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

import click
import orjson

from tracklingo import __version__
from tracklingo.detection import detect_carriers
from tracklingo.errors import TracklingoError
from tracklingo.feeds import Record, read_records
from tracklingo.model import TrackingEvent, event_to_json
from tracklingo.normalize import Normalizer
from tracklingo.plugins import Registry, load_carriers
from tracklingo.taxonomy import Stage

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> None:
    click.echo(f"tracklingo: error: {message}", err=True)
    sys.exit(1)


def handle_errors(func: F) -> F:
    """Turn the API's typed errors into one line on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TracklingoError as exc:
            _fail(str(exc))
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            _fail("interrupted")

    return wrapper  # type: ignore[return-value]


def _json_out(value: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


@functools.cache
def _registry() -> Registry:
    return load_carriers()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracklingo")
def main() -> None:
    """tracklingo: one canonical event model for every parcel carrier's tracking vocabulary."""


# -- carriers -------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def carriers(as_json: bool) -> None:
    """List installed carrier plugins, their versions and any load errors."""
    reg = _registry()
    rows = [
        {
            "name": name,
            "display_name": lc.carrier.display_name,
            "plugin": lc.plugin,
            "distribution": lc.distribution,
            "version": lc.version,
            "rules": len(lc.carrier.vocabulary),
        }
        for name, lc in sorted(reg.carriers.items())
    ]
    problems = [
        {
            "plugin": p.plugin,
            "distribution": p.distribution,
            "version": p.version,
            "kind": p.kind,
            "error": p.error,
        }
        for p in reg.problems
    ]
    if as_json:
        _json_out({"carriers": rows, "problems": problems})
        return
    if not rows:
        click.echo("no carrier plugins installed (pip install tracklingo-usps, ...)")
    for r in rows:
        click.echo(
            f"{r['name']:<12} {r['display_name']:<22} {r['distribution'] or '-'} "
            f"{r['version'] or ''}  ({r['rules']} rules)"
        )
    for p in problems:
        label = "CLASH" if p["kind"] == "clash" else "ERROR"
        click.echo(
            f"{label} plugin {p['plugin']} ({p['distribution'] or '?'} {p['version'] or '?'}):"
            f" {p['error']}",
        )


# -- detect ---------------------------------------------------------------------------------


@main.command()
@click.argument("numbers", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def detect(numbers: tuple[str, ...], as_json: bool) -> None:
    """Rank carriers by confidence for each tracking NUMBER (check digits first)."""
    reg = _registry()
    out: list[dict[str, Any]] = []
    for number in numbers:
        found = detect_carriers(number, reg)
        out.append(
            {
                "tracking_number": number,
                "candidates": [{"carrier": d.carrier, "confidence": d.confidence} for d in found],
            }
        )
    if as_json:
        _json_out(out)
        return
    for item in out:
        cands = item["candidates"]
        text = ", ".join(f"{c['carrier']} {c['confidence']:.2f}" for c in cands) or "no carrier"
        click.echo(f"{item['tracking_number']}: {text}")


# -- schema ---------------------------------------------------------------------------------


@main.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of a canonical TrackingEvent."""
    _json_out(TrackingEvent.model_json_schema())


# -- glossary -------------------------------------------------------------------------------


@main.command()
@click.argument("stage", required=False, type=click.Choice([s.value for s in Stage]))
@click.option("--carrier", help="Only this carrier's words.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def glossary(stage: str | None, carrier: str | None, as_json: bool) -> None:
    """Every carrier's words for each stage, from the installed vocabularies."""
    reg = _registry()
    chosen = [reg.get(carrier)] if carrier else list(reg)
    stages = [Stage(stage)] if stage else [s for s in Stage if s is not Stage.UNKNOWN]
    data: dict[str, dict[str, Any]] = {
        s.value: {
            "definition": s.definition,
            "carriers": {
                c.name: c.vocabulary.phrases_for(s) for c in chosen if c.vocabulary.phrases_for(s)
            },
        }
        for s in stages
    }
    if as_json:
        _json_out(data)
        return
    for name, entry in data.items():
        click.echo(f"{name}: {entry['definition']}")
        for cname, phrases in entry["carriers"].items():
            for phrase in phrases:
                click.echo(f"  {cname:<8} {phrase}")


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


if __name__ == "__main__":  # pragma: no cover
    main()
