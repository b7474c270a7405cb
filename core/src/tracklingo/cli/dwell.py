"""`tracklingo dwell`: how long parcels sit at each stage, from the store's own history
(`tracklingo.history.read_dwell`)."""

from __future__ import annotations

import os
import time

import click

from tracklingo.cli._common import _json_out, _registry, handle_errors, main
from tracklingo.cli._terminal import printable
from tracklingo.cli.store import _db_option
from tracklingo.errors import InputError
from tracklingo.history import LANE_LABELS, DwellStats, homes_of, read_dwell

_HEADER = ("carrier", "stage", "lane", "n", "p50 h", "p90 h", "p99 h", "p50 bd", "p90 bd", "p99 bd")


def _cells(row: DwellStats) -> tuple[str, ...]:
    hours = [row.hours.quantile(q) for q in (0.5, 0.9, 0.99)]
    bdays = [row.business_hours.quantile(q) / 24 for q in (0.5, 0.9, 0.99)]
    return (
        printable(row.carrier, newlines=False),
        row.stage.value,
        "international (all)" if row.lane == "international" else LANE_LABELS[row.lane],
        f"{row.n:,}",
        *(f"{h:.1f}" for h in hours),
        *(f"{d:.2f}" for d in bdays),
    )


@main.command()
@_db_option
@click.option("--carrier", help="Only this carrier's rows.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
@handle_errors
def dwell(db: str, carrier: str | None, as_json: bool, quiet: bool) -> None:
    """How long parcels stay at each stage, per carrier, stage and lane, from the completed
    transitions in the store (read-only): n, p50 / p90 / p99 in hours and business days.

    Lanes: domestic; international inbound and outbound for a carrier with a home country (USPS:
    into and out of the US); international (all) pools every direction. Business days (bd) count
    Monday-Friday hours only, in the local time of the stage's first scan."""
    if not os.path.exists(db):
        raise InputError(f"no store at {db} (add events with `tracklingo ingest`)")
    began = time.perf_counter()
    table = read_dwell(db, homes=homes_of(_registry()), carrier=carrier)
    rows = table.rows()
    if as_json:
        _json_out(
            {
                "db": db,
                "carrier": carrier,
                "transitions": table.transitions,
                "groups": [row.to_dict() for row in rows],
            }
        )
    elif rows:
        cells = [_HEADER, *(_cells(row) for row in rows)]
        widths = [max(len(r[i]) for r in cells) for i in range(len(_HEADER))]
        for r in cells:
            left = [r[i].ljust(widths[i]) for i in range(3)]
            right = [r[i].rjust(widths[i]) for i in range(3, len(r))]
            click.echo("  ".join(left + right))
    if not quiet:
        only = f" for {printable(carrier, newlines=False)}" if carrier else ""
        click.echo(
            f"{len(rows)} carrier/stage/lane groups, {table.transitions:,} completed transitions{only}"
            f" in {db} ({time.perf_counter() - began:.1f} s)",
            err=True,
        )
