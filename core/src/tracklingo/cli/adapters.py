"""`tracklingo new-adapter` (the scaffold) and `tracklingo coverage` (what to map next)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tracklingo.cli._common import (
    FeedRun,
    MaxRejects,
    _json_out,
    _registry,
    feed_normalizer,
    feed_options,
    handle_errors,
    main,
    no_infer_option,
)
from tracklingo.cli._terminal import printable
from tracklingo.errors import InputError

# -- new-adapter ----------------------------------------------------------------------------


def _installed_owner(name: str) -> str | None:
    """The installed distribution that already provides carrier `name`, or None.

    A carrier is taken when a loaded plugin registers it, when a plugin's entry point has that
    name (even one that fails to load), or when the distribution the scaffold would write
    (``tracklingo-NAME``) is installed: installing the new package would replace it.
    """
    from importlib.metadata import PackageNotFoundError, distribution, entry_points

    loaded = _registry().carriers.get(name)
    if loaded is not None:
        return f"{loaded.distribution or loaded.plugin} {loaded.version or ''}".strip()
    for ep in entry_points(group="tracklingo"):
        if ep.name.lower() == name:
            return ep.dist.name if ep.dist is not None else f"the plugin {ep.name}"
    dist = "tracklingo-" + name.replace("_", "-")
    try:
        return f"{dist} {distribution(dist).version}"
    except PackageNotFoundError:
        return None


@main.command("new-adapter")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="Directory to create the package in (default: ./tracklingo-NAME).",
)
@click.option("--display-name", help="What people call the carrier (default: NAME capitalised).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (what was written).")
@handle_errors
def new_adapter(name: str, directory: str | None, display_name: str | None, as_json: bool) -> None:
    """Write a complete carrier adapter package NAME: entry point, vocabulary, parser, tests.

    NAME must be new: the name of an installed carrier (usps, dhl, fedex...) is refused, since the
    new package would replace that carrier's plugin when installed."""
    from tracklingo.scaffold import adapter_values, render_adapter

    adapter_values(name, display_name)  # the name is valid before anything else is looked at
    owner = _installed_owner(name)
    if owner is not None:
        raise InputError(
            f"{name!r} is an installed carrier ({owner}); an adapter of that name would replace"
            " it: choose another name"
        )
    result = render_adapter(name, Path(directory) if directory else None, display_name=display_name)
    if as_json:
        _json_out({"name": result.name, "root": str(result.root), "files": [str(f) for f in result.files]})
        return
    click.echo(printable(f"created {result.root} ({len(result.files)} files) for carrier {result.name!r}"))
    rel = os.path.relpath(result.root)
    click.echo("next:")
    click.echo(printable(f"  cd {rel}"))
    click.echo('  python -m pip install -e ".[testing]"')
    click.echo("  python -m pytest")
    click.echo("  tracklingo carriers")
    click.echo(
        "tracklingo is not on a package index yet: in another virtualenv, add --find-links with the"
        " wheels of a tracklingo checkout's `make dist` (see its docs/installing-adapters.md)"
    )


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
@no_infer_option
@handle_errors
def coverage(
    files: tuple[str, ...],
    carrier: str | None,
    fmt: str,
    rejects: str | None,
    max_rejects: MaxRejects | None,
    quiet: bool,
    as_json: bool,
    limit: int,
    no_infer: bool,
) -> None:
    """Unmapped carrier texts and codes in a feed (FILES or stdin), most frequent first, per
    carrier, each with a suggested vocabulary rule stub; then the texts the open-world layers
    read (inferred, another vocabulary's phrase, a sentence form), most frequent first, with
    stage, confidence and a stub to confirm. With --carrier: only that carrier (also assumed for
    records that name none). Reject lines and the summary go to stderr."""
    from tracklingo.coverage import coverage_report

    run = FeedRun(
        files, fmt=fmt, rejects=rejects, max_rejects=max_rejects, quiet=quiet, label="coverage"
    )
    normalizer = feed_normalizer(carrier, include_raw=False, infer=not no_infer)
    with run:
        report = coverage_report(
            run.records(normalizer), carrier=carrier, normalizer=normalizer, on_reject=run.reject
        )
    if as_json:
        _json_out(report.to_dict())
    else:
        click.echo(printable(report.render(limit=limit or None)))
    summary = (
        f"records in {report.records_in} / events {report.events} / rejected"
        f" {report.records_rejected} / unmapped {report.unmapped}"
        + (f" / inferred {report.inferred}" if report.inferred else "")
    )
    run.finish(summary, rejected=report.records_rejected, records_in=report.records_in)
