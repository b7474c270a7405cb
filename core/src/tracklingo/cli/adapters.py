"""`tracklingo new-adapter` (the scaffold) and `tracklingo coverage` (what to map next)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tracklingo.cli._common import (
    _json_out,
    _registry,
    all_records,
    check_inputs,
    feed_options,
    handle_errors,
    main,
)
from tracklingo.coverage import coverage_report
from tracklingo.scaffold import render_adapter

# -- new-adapter ----------------------------------------------------------------------------


@main.command("new-adapter")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="Directory to create the package in (default: ./tracklingo-NAME).",
)
@click.option("--display-name", help="What people call the carrier (default: NAME capitalised).")
@handle_errors
def new_adapter(name: str, directory: str | None, display_name: str | None) -> None:
    """Write a complete carrier adapter package NAME: entry point, vocabulary, parser, tests."""
    result = render_adapter(name, Path(directory) if directory else None, display_name=display_name)
    click.echo(f"created {result.root} ({len(result.files)} files) for carrier {result.name!r}")
    rel = os.path.relpath(result.root)
    click.echo("next:")
    click.echo(f"  cd {rel}")
    click.echo('  python -m pip install -e ".[testing]"')
    click.echo("  python -m pytest")
    click.echo("  tracklingo carriers")


# -- coverage -------------------------------------------------------------------------------


@main.command()
@feed_options
@click.option(
    "--limit",
    type=int,
    default=20,
    show_default=True,
    help="Unmapped entries shown per carrier (0 = all; --json always lists all).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def coverage(files: tuple[str, ...], carrier: str | None, fmt: str, limit: int, as_json: bool) -> None:
    """Unmapped carrier texts and codes in a feed (FILES or stdin), most frequent first, per
    carrier, each with a suggested vocabulary rule stub. With --carrier: only that carrier (also
    assumed for records that name none)."""
    paths = check_inputs(files)
    report = coverage_report(all_records(paths, fmt), registry=_registry(), carrier=carrier)
    if as_json:
        _json_out(report.to_dict())
        return
    click.echo(report.render(limit=limit or None))
