"""`tracklingo carriers`, `detect`, `schema`, `glossary`."""

from __future__ import annotations

import logging
from typing import Any

import click

from tracklingo.cli._common import StageName, _json_out, _registry, handle_errors, main, stages_epilog
from tracklingo.cli._terminal import printable
from tracklingo.detection import detect_carriers
from tracklingo.model import TrackingEvent
from tracklingo.taxonomy import Stage

# -- carriers -------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def carriers(as_json: bool) -> None:
    """List installed carrier plugins and their versions (stdout); plugins that failed to load or
    clash, with distribution, version and file (stderr; in the document with --json)."""
    quiet = logging.getLogger("tracklingo.plugins")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # this command reports the problems itself, once
    try:
        reg = _registry()
    finally:
        quiet.setLevel(level)
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
            "file": p.file,
            "kind": p.kind,
            "error": p.error,
        }
        for p in reg.problems
    ]
    if as_json:
        _json_out({"carriers": rows, "problems": problems})
        return
    if not rows:
        click.echo("no carrier plugins installed (pip install tracklingo-usps, ...)", err=True)
    for r in rows:
        click.echo(
            printable(
                f"{r['name']:<12} {r['display_name']:<22} {r['distribution'] or '-'} "
                f"{r['version'] or ''}  ({r['rules']} rules)",
                newlines=False,
            )
        )
    for problem in reg.problems:
        label = "CLASH" if problem.kind == "clash" else "ERROR"
        click.echo(printable(f"{label} {problem.describe()}", newlines=False), err=True)


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
        click.echo(printable(f"{item['tracking_number']}: {text}", newlines=False))


# -- schema ---------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Accepted for consistency: the output is always JSON.")
@handle_errors
def schema(as_json: bool) -> None:
    """Print the JSON Schema of a canonical TrackingEvent.

    The output is always JSON (--json changes nothing)."""
    del as_json
    _json_out(TrackingEvent.model_json_schema())


# -- glossary -------------------------------------------------------------------------------


@main.command(epilog=stages_epilog())
@click.argument("stage", required=False, type=StageName())
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
            "carriers": {c.name: c.vocabulary.phrases_for(s) for c in chosen if c.vocabulary.phrases_for(s)},
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
