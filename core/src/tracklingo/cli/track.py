"""`tracklingo track NUMBER... [--carrier NAME] [--json]`: live tracking through the carriers' APIs."""

from __future__ import annotations

import sys

import click
import orjson

from tracklingo.cli._common import _registry, handle_errors, main
from tracklingo.cli._terminal import printable
from tracklingo.model import TrackingEvent, event_to_json
from tracklingo.tracking import track as track_numbers


def _event_line(event: TrackingEvent) -> str:
    when = event.occurred_at.isoformat(sep=" ") if event.occurred_at is not None else "(no time)"
    place = event.location.label() if not event.location.is_empty() else ""
    parts = [event.tracking_number, when, event.stage.value, place, event.description or event.code or ""]
    return printable("  ".join(p for p in parts if p), newlines=False)


@main.command()
@click.argument("numbers", nargs=-1, required=True)
@click.option("--carrier", help="Carrier for every NUMBER (default: detect each number's carrier).")
@click.option("--json", "as_json", is_flag=True, help="Canonical events as JSONL on stdout.")
@click.option("--raw", "include_raw", is_flag=True, help="With --json: keep each carrier event in `raw`.")
@click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds allowed for each API call, retries included (default: per-request timeout x tries + 5).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@handle_errors
def track(
    numbers: tuple[str, ...],
    carrier: str | None,
    as_json: bool,
    include_raw: bool,
    deadline: float | None,
    quiet: bool,
) -> None:
    """Track NUMBERs live through the carriers' APIs: one line per event on stdout (canonical
    events as JSONL with --json). Every number that could be tracked is printed; each number that
    could not is listed on stderr with the reason, and the exit code is then 1.

    Credentials come from the environment (e.g. TRACKLINGO_USPS_CLIENT_ID / _SECRET,
    TRACKLINGO_DHL_API_KEY, TRACKLINGO_FEDEX_CLIENT_ID / _SECRET); base URLs can be overridden with
    TRACKLINGO_<CARRIER>_BASE_URL.
    """
    options = {"deadline": deadline} if deadline is not None else {}
    result = track_numbers(numbers, carrier=carrier, registry=_registry(), **options)
    out = sys.stdout.buffer
    for event in result.events:
        if as_json:
            out.write(event_to_json(event, include_raw=include_raw) + b"\n")
        else:
            out.write(_event_line(event).encode() + b"\n")
    out.flush()
    for error in result.errors:
        if as_json:
            line = {"tracking_number": error.tracking_number, "error": error.message, "code": error.code}
            click.echo(orjson.dumps(line).decode(), err=True)
        else:
            code = f" [{error.code}]" if error.code else ""
            number = error.tracking_number or "(number not given)"
            click.echo(printable(f"not tracked: {number}: {error.message}{code}", newlines=False), err=True)
    failed = {e.tracking_number for e in result.errors}
    if not quiet:
        click.echo(
            f"{len(result.events)} events for {len(numbers)} numbers, {len(failed)} not tracked", err=True
        )
    if result.errors:
        click.echo(
            f"tracklingo: error: {len(failed)} of {len(numbers)} numbers not tracked (listed above)",
            err=True,
        )
        sys.exit(1)
