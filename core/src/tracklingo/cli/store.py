"""`tracklingo ingest` (feeds into the store) and `tracklingo stuck` (stuck shipments in it).

The advisor is imported by `stuck` when it runs: `ingest` does not advise (a test keeps it so)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
import orjson

from tracklingo.cli._common import (
    FeedRun,
    MaxRejects,
    _json_out,
    _registry,
    feed_normalizer,
    feed_options,
    handle_errors,
    lang_option,
    main,
    no_infer_option,
    parse_now,
)
from tracklingo.cli._history import history_head, history_options, load_history
from tracklingo.cli._terminal import printable
from tracklingo.errors import InputError
from tracklingo.store import DEFAULT_BATCH_SIZE, Store

if TYPE_CHECKING:  # the advisor is imported by `stuck` only: `ingest` does not advise
    from tracklingo.advisor import Language
    from tracklingo.feeds import Record
    from tracklingo.model import TrackingEvent
    from tracklingo.normalize import Normalizer

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
@no_infer_option
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
    no_infer: bool,
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
    from tracklingo.cli import _batch

    counts = _Counts()
    with Store(db) as store:
        with run:
            if _batch.available():  # the batch path (the arrow extra); else record by record
                stats, found = _batch.ingest(
                    run, store, carrier, include_raw, batch_size, infer=not no_infer
                )
                counts = _Counts(found.records_in, found.records_ok, found.records_rejected)
            else:
                normalizer = feed_normalizer(carrier, include_raw, infer=not no_infer)
                stats = store.ingest(
                    _feed_events(run.records(normalizer), normalizer, counts, run.reject),
                    batch_size=batch_size,
                    include_raw=include_raw,
                )
                found = normalizer.stats
        total = store.count()
    summary = (
        f"records in {counts.records_in} / events added {stats.added} / duplicates "
        f"{stats.duplicates} / rejected {counts.rejected}"
    )
    # `found`: how the events' stages were found (canonical lines: as written)
    summary += "".join(
        f" / {name} {n}" for name, n in (("inferred", found.inferred), ("borrowed", found.borrowed)) if n
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
                "inferred": found.inferred,
                "borrowed": found.borrowed,
                "events_in_store": total,
            }
        )
    run.finish(None if as_json else summary, rejected=counts.rejected, records_in=counts.records_in)


# -- stuck ----------------------------------------------------------------------------------


def _wrap(text: str, first: str, rest: str) -> str:
    import textwrap

    return textwrap.fill(
        text,
        width=100,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _print_stuck(item: dict[str, Any], speech: Language) -> None:
    """One stuck shipment for a terminal: carrier texts and numbers with control characters escaped."""
    ui = speech.catalog.ui
    numbers = " / ".join(item["tracking_numbers"])
    click.echo(printable(f"{item['shipment']}  {numbers}  [{item['stage']}]", newlines=False))
    last = f'"{item["description"]}"' if item["description"] else ui.no_text
    if item["location"]:
        last = ui.scan_at.format(text=last, location=item["location"])
    when = item["occurred_at"]
    when = speech.time(datetime.fromisoformat(when)) if when else ui.undated
    scan = ui.scan_by.format(text=last, carrier=item["carrier"], time=when)
    click.echo(printable(f"  {ui.last_scan}: {scan}", newlines=False))
    click.echo(printable(_wrap(item["verdict_text"], "  ", "  ")))
    window = item.get("delivery_window")
    if window:
        click.echo(printable(_wrap(window["text"], "  ", "  ")))
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
@history_options
@lang_option
@handle_errors
def stuck(
    db: str,
    now_text: str | None,
    as_json: bool,
    quiet: bool,
    no_history: bool,
    stuck_percentile: float,
    min_samples: int,
    lang_text: str | None,
) -> None:
    """List the stuck shipments in the store, longest at their stage first, each with the
    escalation ladder: whom to contact, in order. The count line goes to stderr.

    Stuck means slower than the --stuck-percentile of parcels like it (same carrier, stage and
    lane) in the store's own history, as it stood at --now, where it holds --min-samples of them;
    else, and with --no-history, longer than the fixed threshold of the stage."""
    from tracklingo.advisor import (
        NotYetScannedError,
        advise_judged,
        judge,
        language,
        load_advice,
        resolve_language,
    )

    now = parse_now(now_text)
    lang = resolve_language(lang_text)
    registry = _registry()
    if not os.path.exists(db) and os.path.isdir(os.path.dirname(db) or "."):
        raise InputError(f"no store at {db} (add events with `tracklingo ingest`)")
    history = None
    if not no_history:
        history = load_history(
            db, registry, now, stuck_percentile=stuck_percentile, min_samples=min_samples
        )
    verdicts: Counter[str] = Counter()
    found: list[tuple[float, str, bytes]] = []  # sort key and the advice as compact JSON
    not_yet = 0
    book = load_advice()
    with Store(db, readonly=True) as store:
        finished = store.finished_legs(now)  # over at `now`: counted, never loaded
        verdicts["done"] = len(finished)
        for journey in store.journeys(registry, exclude=finished):
            try:
                judgement = judge(journey, registry, now, book=book, lang=lang, history=history)
            except NotYetScannedError:
                not_yet += 1  # every scan is after --now
                continue
            verdicts[judgement.verdict] += 1
            if judgement.stuck:  # kept small: its advice as JSON, not the journey
                advice = advise_judged(judgement, registry, book=book)
                key = (-round(judgement.calendar_hours or 0.0, 1), advice.shipment)
                found.append((*key, advice.model_dump_json().encode()))
    found.sort(key=lambda item: item[:2])
    shipments = sum(verdicts.values())
    items = (orjson.loads(text) for _, _, text in found)
    if as_json:
        head = {
            "db": db,
            "now": now.isoformat(),
            "shipments": shipments,
            "verdicts": {v: verdicts[v] for v in ("stuck", "on_track", "unknown", "done")},
            "not_yet_scanned": not_yet,
            "history": history_head(history),
        }
        _json_stream(head, "stuck", items)
        return
    speech = language(lang)
    ui = speech.catalog.ui
    for i, item in enumerate(items):
        if i:
            click.echo("")
        _print_stuck(item, speech)
    if not quiet:
        later = speech.count(ui.not_yet_scanned, not_yet) if not_yet else ""
        at = now.isoformat(timespec="minutes") if speech.english else speech.time(now)
        click.echo(
            speech.count(ui.stuck_summary, shipments, stuck=speech.number(len(found)), time=at, more=later),
            err=True,
        )


def _json_stream(head: dict[str, Any], key: str, items: Iterable[dict[str, Any]]) -> None:
    """What `_json_out({**head, key: list(items)})` writes, written one item at a time."""
    out = sys.stdout.buffer
    text = orjson.dumps({**head, key: []}, option=orjson.OPT_INDENT_2)
    out.write(text[: text.rindex(b"[]")])
    sep = b"[\n    "
    for item in items:
        out.write(sep + orjson.dumps(item, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    "))
        sep = b",\n    "
    out.write(b"[]\n}\n" if sep.startswith(b"[") else b"\n  ]\n}\n")
    out.flush()
