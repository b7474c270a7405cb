"""`tracklingo dwell`: how long parcels sit at each stage, from the store's own history
(`tracklingo.history.read_dwell`)."""

from __future__ import annotations

import os
import time

import click

from tracklingo.advisor import Language, language, resolve_language
from tracklingo.cli._common import _json_out, _registry, handle_errors, lang_option, main
from tracklingo.cli._terminal import printable
from tracklingo.cli.store import _db_option
from tracklingo.errors import InputError
from tracklingo.history import DwellStats, homes_of, lane_name, read_dwell

_QUANTILES = (0.5, 0.9, 0.99)


def _header(speech: Language) -> tuple[str, ...]:
    words = speech.catalog.dwell
    points = [f"p{round(q * 100)}" for q in _QUANTILES]
    return (
        words.carrier,
        words.stage,
        words.lane,
        "n",
        *(words.hours.format(p=p) for p in points),
        *(words.business_days.format(p=p) for p in points),
    )


def _cells(row: DwellStats, speech: Language) -> tuple[str, ...]:
    hours = [row.hours.quantile(q) for q in _QUANTILES]
    bdays = [row.business_hours.quantile(q) / 24 for q in _QUANTILES]
    return (
        printable(row.carrier, newlines=False),
        row.stage.value,
        lane_name(row.lane, speech, pooled=True),
        speech.number(row.n),
        *(speech.number(h, 1, fixed=True) for h in hours),
        *(speech.number(d, 2, fixed=True) for d in bdays),
    )


@main.command()
@_db_option
@click.option("--carrier", help="Only this carrier's rows.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
@lang_option
@handle_errors
def dwell(db: str, carrier: str | None, as_json: bool, quiet: bool, lang_text: str | None) -> None:
    """How long parcels stay at each stage, per carrier, stage and lane, from the completed
    transitions in the store (read-only): n, p50 / p90 / p99 in hours and business days.

    Lanes: domestic; international inbound and outbound for a carrier with a home country (USPS:
    into and out of the US); international (all) pools every direction. Business days (bd) count
    Monday-Friday hours only, in the local time of the stage's first scan. --lang sets the
    language of the table's headers, lanes and numbers (stages are their ids, as in --json)."""
    speech = language(resolve_language(lang_text))
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
        header = _header(speech)
        cells = [header, *(_cells(row, speech) for row in rows)]
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        for r in cells:
            left = [r[i].ljust(widths[i]) for i in range(3)]
            right = [r[i].rjust(widths[i]) for i in range(3, len(r))]
            click.echo("  ".join(left + right))
    if not quiet:
        words = speech.catalog.dwell
        values = {
            "groups": speech.count(words.groups, len(rows)),
            "transitions": speech.count(words.transitions, table.transitions),
            "db": db,
            "seconds": speech.number(time.perf_counter() - began, 1, fixed=True),
        }
        if carrier:
            line = words.summary_carrier.format_map({**values, "carrier": printable(carrier, newlines=False)})
        else:
            line = words.summary.format_map(values)
        click.echo(line, err=True)
