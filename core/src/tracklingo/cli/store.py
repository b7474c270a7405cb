"""`tracklingo ingest` (feeds into the store) and `tracklingo stuck` (stuck shipments in it)."""

from __future__ import annotations

import os
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

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
    parse_now,
)
from tracklingo.cli._terminal import printable
from tracklingo.errors import InputError
from tracklingo.feeds import Record
from tracklingo.journeys import Journey
from tracklingo.model import TrackingEvent
from tracklingo.normalize import Normalizer
from tracklingo.plugins import Registry
from tracklingo.store import DEFAULT_BATCH_SIZE, Store
from tracklingo.taxonomy import Stage

try:
    from tracklingo import advisor as _advisor
except ImportError:  # pragma: no cover - the advisor ships with the core; `stuck` falls back
    _advisor = None  # type: ignore[assignment]

DEFAULT_DB = "tracklingo.db"

_db_option = click.option(
    "--db",
    "db",
    envvar="TRACKLINGO_DB",
    default=DEFAULT_DB,
    show_default=True,
    show_envvar=True,
    help="The store (an SQLite file).",
)

# -- ingest ---------------------------------------------------------------------------------


@dataclass
class _Counts:
    records_in: int = 0
    records_ok: int = 0
    rejected: int = 0


def _feed_events(
    records: Iterable[Record],
    normalizer: Normalizer,
    counts: _Counts,
    on_reject: Callable[[Any], None],
) -> Iterator[TrackingEvent]:
    """Events from every record (canonical lines as they are, the rest through the normalizer);
    rejects handed to `on_reject` as they come."""

    for record in records:
        events, rejects = normalizer.process(record)  # canonical lines pass through
        counts.records_in += 1
        if events:
            counts.records_ok += 1
        else:
            counts.rejected += 1
        for r in rejects:
            on_reject(r)
        yield from events


@main.command()
@feed_options
@_db_option
@click.option("--raw", "include_raw", is_flag=True, help="Keep each carrier record in `raw`.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Events per transaction.",
)
@handle_errors
def ingest(
    files: tuple[str, ...],
    carrier: str | None,
    fmt: str,
    rejects: str | None,
    max_rejects: MaxRejects | None,
    quiet: bool,
    as_json: bool,
    db: str,
    include_raw: bool,
    batch_size: int,
) -> None:
    """Add feeds (FILES or stdin: raw, flat or canonical events) to the store, idempotently.

    Every record is accounted for: records in = records with events + rejected. Events already
    in the store are counted as duplicates and not added again, so rerunning an interrupted
    ingest completes it. The summary goes to stderr (with --json: a JSON object on stdout).
    """
    run = FeedRun(
        files,
        fmt=fmt,
        rejects=rejects,
        max_rejects=max_rejects,
        quiet=quiet,
        label="ingest",
        outputs={"--db": db},
    )
    normalizer = feed_normalizer(carrier, include_raw)
    counts = _Counts()
    with Store(db) as store:
        with run:
            stats = store.ingest(
                _feed_events(run.records(normalizer), normalizer, counts, run.reject),
                batch_size=batch_size,
                include_raw=include_raw,
            )
        total = store.count()
    summary = (
        f"records in {counts.records_in} / events added {stats.added} / duplicates "
        f"{stats.duplicates} / rejected {counts.rejected}"
    )
    if as_json:
        _json_out(
            {
                "db": db,
                "records_in": counts.records_in,
                "records_ok": counts.records_ok,
                "rejected": counts.rejected,
                "events": stats.events,
                "added": stats.added,
                "duplicates": stats.duplicates,
                "events_in_store": total,
            }
        )
    run.finish(None if as_json else summary, rejected=counts.rejected, records_in=counts.records_in)


# -- stuck ----------------------------------------------------------------------------------

#: Without the advisor: a shipment is stuck after this long at its stage (domestic, international).
FALLBACK_DWELL_HOURS: Final = {"domestic": 7 * 24.0, "international": 14 * 24.0}


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _fallback(journey: Journey, now: datetime) -> dict[str, Any]:
    """The advisor's verdict reduced to the current stage and the time at it (same key names)."""
    events = journey.events
    current = events[-1]
    start = len(events) - 1
    while start > 0 and events[start - 1].stage is current.stage:
        start -= 1
    dated = [_aware(e.occurred_at) for e in events[start:] if e.occurred_at is not None]
    since = min(dated) if dated else None
    lane = "international" if journey.is_international else "domestic"
    hours = max(0.0, (now - since).total_seconds() / 3600) if since is not None else None
    limit = FALLBACK_DWELL_HOURS[lane]
    if current.stage.is_terminal:
        verdict = "done"
    elif current.stage is Stage.UNKNOWN or hours is None:
        verdict = "unknown"
    else:
        verdict = "stuck" if hours > limit else "on_track"
    days = f"{hours / 24:.1f} days" if hours is not None else "an unknown time"
    return {
        "shipment": journey.key,
        "tracking_numbers": journey.tracking_numbers,
        "carrier": current.carrier,
        "tracking_number": current.tracking_number,
        "stage": current.stage.value,
        "status": current.status.value,
        "reason": current.reason.value if current.reason else None,
        "description": current.description,
        "occurred_at": current.occurred_at.isoformat() if current.occurred_at else None,
        "location": current.location.label() or None,
        "since": since.isoformat() if since is not None else None,
        "now": now.isoformat(),
        "lane": lane,
        "verdict": verdict,
        "stuck": verdict == "stuck",
        "verdict_text": f"{days} at {current.stage.value} (fallback rule: stuck after"
        f" {limit / 24:.0f} days, {lane})",
        "calendar_hours": round(hours, 1) if hours is not None else None,
        "expected_dwell_hours": limit,
        "escalation": [],
    }


def _judge(journey: Journey, registry: Registry, now: datetime) -> dict[str, Any]:
    if _advisor is None:
        return _fallback(journey, now)
    return _advisor.advise(journey, registry, now).model_dump(mode="json")


def _wrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(
        text,
        width=100,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _print_stuck(item: dict[str, Any]) -> None:
    """One stuck shipment for a terminal: carrier texts and numbers with control characters escaped."""
    numbers = " / ".join(item["tracking_numbers"])
    click.echo(printable(f"{item['shipment']}  {numbers}  [{item['stage']}]", newlines=False))
    last = f'"{item["description"]}"' if item["description"] else "(no text)"
    if item["location"]:
        last += f" at {item['location']}"
    when = item["occurred_at"]
    when = datetime.fromisoformat(when).isoformat(sep=" ", timespec="minutes") if when else "undated"
    click.echo(printable(f"  Last scan: {last} ({item['carrier']}, {when})", newlines=False))
    click.echo(printable(_wrap(item["verdict_text"], "  ", "  ")))
    for step in item["escalation"]:
        text = _wrap(f"{step['contact']}: {step['detail']}", f"    {step['step']}. ", "       ")
        click.echo(printable(text))
        for link in [step.get("link"), *step.get("more_links", [])]:
            if link:
                click.echo(printable(f"       {link}", newlines=False))


@main.command()
@_db_option
@click.option(
    "--now", "now_text", metavar="ISO", help="Judge as of this time (default: now; no offset = UTC)."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@handle_errors
def stuck(db: str, now_text: str | None, as_json: bool, quiet: bool) -> None:
    """List the stuck shipments in the store, longest at their stage first, each with the
    escalation ladder: whom to contact, in order. The count line goes to stderr."""
    now = parse_now(now_text)
    registry = _registry()
    if db != ":memory:" and not os.path.exists(db) and os.path.isdir(os.path.dirname(db) or "."):
        raise InputError(f"no store at {db} (add events with `tracklingo ingest`)")
    verdicts: Counter[str] = Counter()
    found: list[dict[str, Any]] = []
    with Store(db, create=False) as store:
        for journey in store.journeys(registry):
            if not journey.events:
                continue
            if journey.events[-1].stage.is_terminal:  # done: no need to ask the advisor
                verdicts["done"] += 1
                continue
            item = _judge(journey, registry, now)
            verdicts[item["verdict"]] += 1
            if item["stuck"]:
                found.append(item)
    found.sort(key=lambda x: (-(x["calendar_hours"] or 0.0), x["shipment"]))
    shipments = sum(verdicts.values())
    if as_json:
        _json_out(
            {
                "db": db,
                "now": now.isoformat(),
                "judged_by": "fallback" if _advisor is None else "advisor",
                "shipments": shipments,
                "verdicts": {v: verdicts[v] for v in ("stuck", "on_track", "unknown", "done")},
                "stuck": found,
            }
        )
        return
    for i, item in enumerate(found):
        if i:
            click.echo("")
        _print_stuck(item)
    if not quiet:
        click.echo(
            f"{len(found)} stuck of {shipments} shipments (as of {now.isoformat(timespec='minutes')})",
            err=True,
        )
