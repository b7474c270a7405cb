"""`tracklingo track NUMBER... [--carrier NAME]`: live tracking through a carrier's API."""

from __future__ import annotations

import sys

import click
import orjson

from tracklingo.cli._common import _registry, handle_errors, main
from tracklingo.model import event_to_json
from tracklingo.tracking import track as track_numbers


@main.command()
@click.argument("numbers", nargs=-1, required=True)
@click.option("--carrier", help="Carrier for every NUMBER (default: detect each number's carrier).")
@click.option("--raw", "include_raw", is_flag=True, help="Keep each carrier event in `raw`.")
@handle_errors
def track(numbers: tuple[str, ...], carrier: str | None, include_raw: bool) -> None:
    """Track NUMBERs live through the carriers' APIs; canonical events as JSONL on stdout.

    Credentials come from the environment (e.g. TRACKLINGO_USPS_CLIENT_ID / _SECRET,
    TRACKLINGO_DHL_API_KEY, TRACKLINGO_FEDEX_CLIENT_ID / _SECRET); base URLs can be overridden with
    TRACKLINGO_<CARRIER>_BASE_URL. Numbers the carrier could not track are listed on stderr.
    """
    result = track_numbers(numbers, carrier=carrier, registry=_registry())
    out = sys.stdout.buffer
    for event in result.events:
        out.write(event_to_json(event, include_raw=include_raw) + b"\n")
    out.flush()
    for error in result.errors:
        line = {"tracking_number": error.tracking_number, "error": error.message, "code": error.code}
        click.echo(orjson.dumps(line).decode(), err=True)
    click.echo(
        f"{len(result.events)} events for {len(numbers)} numbers, {len(result.errors)} not tracked",
        err=True,
    )
