"""`tracklingo export --to PEER`: a thin layer over `tracklingo.interop.export_journeys`."""

from __future__ import annotations

import click

from tracklingo.cli._common import (
    FeedRun,
    MaxRejects,
    _json_out,
    _registry,
    feed_options,
    handle_errors,
    main,
)
from tracklingo.cli._terminal import printable
from tracklingo.interop import PEERS, ExportedJourney, PeerStatus, export_journeys
from tracklingo.interop.export import to_json
from tracklingo.model import TrackingEvent
from tracklingo.normalize import Normalizer


def _status_text(status: PeerStatus) -> str:
    values = [v for k, v in status.fields.items() if not k.endswith("message")]
    messages = [v for k, v in status.fields.items() if k.endswith("message")]
    text = " / ".join(values)
    if messages:
        text += f' "{messages[0]}"'
    return text


def _print_journey(journey: ExportedJourney) -> None:
    numbers = " / ".join(journey.tracking_numbers)
    click.echo(f"{printable(journey.key)}  {printable(numbers)}")
    lossy = f"  (lossy: {'; '.join(journey.current.lost)})" if journey.current.lossy else ""
    click.echo(f"  now: {_status_text(journey.current)}  [{journey.current_stage.value}]{lossy}")
    for event in journey.events:
        when = event.occurred_at.isoformat(sep=" ", timespec="minutes") if event.occurred_at else "(undated)"
        stage = event.stage.value + (f"/{event.reason.value}" if event.reason else "")
        click.echo(f"  {when:<25} {stage:<40} {_status_text(event.peer)}")
        click.echo(f"  {'':<25} {printable(event.description or event.code or '')}")
        if event.peer.lossy:
            click.echo(f"  {'':<25} lossy: {'; '.join(event.peer.lost)}")


@main.command("export")
@click.option(
    "--to", "peer", required=True, type=click.Choice(PEERS, case_sensitive=False), help="The peer's statuses."
)
@feed_options
@handle_errors
def export_cmd(
    peer: str,
    files: tuple[str, ...],
    carrier: str | None,
    fmt: str,
    rejects: str | None,
    max_rejects: MaxRejects | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Show each shipment in FILES (or stdin; raw or canonical events) in a peer's statuses:
    AfterShip tag/subtag, 17TRACK status/sub-status, EasyPost status/status_detail or Shippo
    status. Where the peer has no equivalent, the nearest code is given and flagged lossy."""
    run = FeedRun(files, fmt=fmt, rejects=rejects, max_rejects=max_rejects, quiet=quiet, label="export")
    registry = _registry()
    normalizer = Normalizer(registry, carrier=carrier)
    events: list[TrackingEvent] = []
    with run:
        for record in run.records(normalizer):
            found, record_rejects = normalizer.process(record)
            events.extend(found)
            for reject in record_rejects:
                run.reject(reject)
    journeys = list(export_journeys(events, peer.lower(), registry))
    if as_json:
        _json_out([to_json(j) for j in journeys])
    else:
        for i, journey in enumerate(journeys):
            if i:
                click.echo("")
            _print_journey(journey)
    stats = normalizer.stats
    summary = (
        f"{stats.summary()} / shipments {len(journeys)} / lossy events "
        f"{sum(e.peer.lossy for j in journeys for e in j.events)}"
    )
    run.finish(summary, rejected=stats.records_rejected, records_in=stats.records_in)
