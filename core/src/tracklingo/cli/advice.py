"""`tracklingo explain` and `tracklingo advise`: thin layers over `tracklingo.advisor`.

Human output shows carrier texts, numbers and places with control characters escaped
(`printable`); ``--json`` output is exact.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import click

from tracklingo.advisor import Advice, Explanation, advise, explain, journey_as_of
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
from tracklingo.cli._history import history_options
from tracklingo.cli._terminal import printable

if TYPE_CHECKING:
    from tracklingo.model import TrackingEvent

_WIDTH = 100
_MAX_SYNONYMS_SHOWN = 8


def _echo(text: str) -> None:
    """A wrapped paragraph of human output, control characters escaped."""
    click.echo(printable(text))


def _line(text: str) -> None:
    """One line of human output: control characters and line breaks escaped."""
    click.echo(printable(text, newlines=False))


def _say(label: str, text: str, indent: str = "  ") -> None:
    head = f"{indent}{label}: " if label else indent
    _echo(
        textwrap.fill(
            text,
            width=_WIDTH,
            initial_indent=head,
            subsequent_indent=indent + "  ",
            break_on_hyphens=False,
        )
    )


def _heading(label: str, indent: str = "  ") -> None:
    _echo(f"{indent}{label}:")


def _bullets(items: list[str], indent: str = "    ") -> None:
    for item in items:
        _echo(
            textwrap.fill(
                item,
                width=_WIDTH,
                initial_indent=f"{indent}- ",
                subsequent_indent=indent + "  ",
                break_on_hyphens=False,
                break_long_words=False,
            )
        )


def _synonyms(words: list[str]) -> str:
    shown = ", ".join(f'"{w}"' for w in words[:_MAX_SYNONYMS_SHOWN])
    more = len(words) - _MAX_SYNONYMS_SHOWN
    return shown + (f" and {more} more (--json lists all)" if more > 0 else "")


# -- explain ------------------------------------------------------------------------------------


def _print_explanation(exp: Explanation) -> None:
    if not exp.known:
        where = ", ".join(exp.searched) or "none installed"
        _line(f'"{exp.text or exp.code}" is not a status tracklingo knows.')
        _say(
            "",
            f"No installed carrier vocabulary ({where}) recognises it, so tracklingo will not "
            "guess what it means.",
        )
        _heading("What to do")
        _bullets(exp.next_steps)
        return
    by = ", ".join(exp.carriers)
    cond = f", {exp.condition}" if exp.condition else ""
    reason = f", reason {exp.reason.value}" if exp.reason else ""
    _line(f"{exp.stage.value} ({exp.status.value}{reason}{cond}) - from {by}")
    _line(f"  {exp.headline}")
    _say("What it means", exp.meaning)
    _say("Where it is", exp.where)
    _say("Who has it", exp.holder)
    _say("What happens next", exp.next)
    _say("How soon", exp.how_soon)
    if exp.usual_dwell:
        lanes = exp.usual_dwell
        if len(set(lanes.values())) == 1:
            usual = next(iter(lanes.values()))
        else:
            usual = ", ".join(f"{text} ({lane})" for lane, text in lanes.items())
        _say("Stuck if still here after", usual)
    _say("Do you need to act", exp.recipient_action)
    _heading("What to do")
    _bullets(exp.next_steps)
    if exp.synonyms:
        _say("Other carriers' words", _synonyms(exp.synonyms))


@main.command("explain")
@click.argument("text", required=False, default="")
@click.option("--carrier", help="Only this carrier's vocabulary (default: every installed one).")
@click.option("--code", help="The carrier's event code, alone or with TEXT.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def explain_cmd(text: str, carrier: str | None, code: str | None, as_json: bool) -> None:
    """Explain what a carrier status TEXT means: stage, where the parcel is, what happens next,
    whether you need to act, and other carriers' words for the same stage.

    When TEXT names a well-known carrier whose plugin is not installed (UPS, Royal Mail...), the
    answer says so: it comes from the installed vocabularies only."""
    from tracklingo.known_carriers import mentioned_carriers

    if not text.strip() and not (code and code.strip()):
        raise click.UsageError("give a status TEXT, or --code")
    registry = _registry()
    found = explain(text, registry, carrier, code=code)
    missing = mentioned_carriers(text, installed=registry.carriers)
    if as_json:
        not_installed = [{"name": c.name, "display_name": c.display_name} for c in missing]
        _json_out([{**e.model_dump(mode="json"), "carriers_not_installed": not_installed} for e in found])
        return
    for known in missing:
        installed = ", ".join(sorted(registry.carriers)) or "none"
        _say(
            "Note",
            f"the text names {known.display_name}, and no tracklingo plugin for"
            f" {known.display_name} is installed (installed: {installed}). The answer below comes"
            f" from the installed vocabularies only; `tracklingo new-adapter {known.name}` starts"
            " one.",
            indent="",
        )
    if len(found) > 1:
        _line(f'"{text or code}" means different things depending on the carrier or direction:')
    elif found[0].known:
        _line(f'"{text or code}"')
    for i, exp in enumerate(found):
        if i:
            _echo("")
        _print_explanation(exp)


# -- advise -------------------------------------------------------------------------------------


def _print_advice(adv: Advice) -> None:
    numbers = " / ".join(adv.tracking_numbers)
    lane = adv.lane + ("" if adv.lane_known else ", assumed")
    route = ""
    if adv.origin_country or adv.destination_country:
        route = f"{adv.origin_country or '?'} -> {adv.destination_country or '?'}, "
    _line(f"{adv.shipment}  {numbers}  ({route}{lane})")
    _line(f"  Now: {adv.headline}  [{adv.stage.value}]")
    last = f'"{adv.description}"' if adv.description else "(no text)"
    if adv.location:
        last += f" at {adv.location}"
    if adv.occurred_at:
        last += f", {adv.occurred_at.isoformat(sep=' ', timespec='minutes')}"
    _say("Last scan", f"{last} ({adv.carrier})")
    label = {"stuck": "STUCK", "on_track": "On track", "done": "Done", "unknown": "Cannot tell"}
    verdict = adv.verdict_text
    for prefix in ("Stuck: ", "On track: "):
        verdict = verdict.removeprefix(prefix)
    _say(label[adv.verdict], verdict)
    if adv.delivery_window:
        _say("Likely delivered", adv.delivery_window.text.removeprefix("Likely delivered "))
    if adv.responsible_display_name:
        _say("Held by", adv.responsible_display_name)
    _say("What it means", adv.meaning)
    _say("What happens next", adv.next)
    _say("How soon", adv.how_soon)
    _say("Do you need to act", adv.recipient_action)
    _heading("What to do")
    _bullets(adv.next_steps)
    if adv.escalation:
        _heading("Escalate, in this order")
        for step in adv.escalation:
            _echo(
                textwrap.fill(
                    f"{step.contact}: {step.detail}",
                    width=_WIDTH,
                    initial_indent=f"    {step.step}. ",
                    subsequent_indent="       ",
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
            for link in [step.link, *step.more_links]:
                if link:
                    _line(f"       {link}")
    if adv.synonyms:
        _say("Other carriers' words", _synonyms(adv.synonyms))


@main.command("advise")
@feed_options
@click.option(
    "--now", "now_text", metavar="ISO", help="Judge as of this time (default: now; no offset = UTC)."
)
@click.option(
    "--db",
    metavar="PATH",
    help="Learn from this store (read-only) how long parcels like each one stay at its stage:"
    " stuck by percentile, and the likely delivery dates.",
)
@history_options
@handle_errors
def advise_cmd(
    files: tuple[str, ...],
    carrier: str | None,
    fmt: str,
    rejects: str | None,
    max_rejects: MaxRejects | None,
    quiet: bool,
    as_json: bool,
    now_text: str | None,
    db: str | None,
    no_history: bool,
    stuck_percentile: float,
    min_samples: int,
) -> None:
    """Advise on each shipment in FILES (or stdin), raw or canonical events from any carrier:
    current stage, time there, on track or stuck, and when stuck whom to contact, in order.

    With --db, a shipment is stuck when slower than the --stuck-percentile of parcels like it
    (same carrier, stage and lane) in the store's history as it stood at --now, where the store
    holds --min-samples of them (else the fixed threshold decides, and the advice says so), and
    the advice gives the likely delivery dates. --no-history, or no --db: fixed thresholds only.

    Reject lines and the summary go to stderr; empty input is no error (no shipments)."""
    from tracklingo.journeys import build_journeys

    now = parse_now(now_text)
    run = FeedRun(
        files, fmt=fmt, rejects=rejects, max_rejects=max_rejects, quiet=quiet, label="advise"
    )
    registry = _registry()
    history = None
    if db is not None and not no_history:
        from tracklingo.cli._history import load_history

        history = load_history(
            db, registry, now, stuck_percentile=stuck_percentile, min_samples=min_samples
        )
    normalizer = feed_normalizer(carrier, include_raw=False)
    events: list[TrackingEvent] = []
    with run:
        for record in run.records(normalizer):
            found_events, found_rejects = normalizer.process(record)  # canonical lines pass through
            events.extend(found_events)
            for reject in found_rejects:
                run.reject(reject)
        run.bar.phase(f"grouping {len(events):,} events into shipments", None, "")
        journeys = build_journeys(events, registry)
        run.bar.phase("advising", len(journeys), "shipments")
        found: list[Advice] = []
        for i, journey in enumerate(journeys, 1):
            run.bar.advance(i)
            if journey_as_of(journey, now)[0] is None:  # every scan is later than --now
                if not quiet:
                    run.bar.echo(
                        f"tracklingo: note: {printable(journey.key)}: no scan at or before"
                        f" {now.isoformat(timespec='minutes')}; left out"
                    )
                continue
            found.append(advise(journey, registry, now, history=history))
    stats = normalizer.stats
    stuck = sum(1 for a in found if a.verdict == "stuck")
    summary = (
        f"records in {stats.records_in} / events {stats.events_out} / rejected"
        f" {stats.records_rejected} / shipments {len(found)} (stuck {stuck})"
    )
    if as_json:
        out: list[dict[str, Any]] = [a.model_dump(mode="json") for a in found]
        _json_out(out)
    else:
        for i, adv in enumerate(found):
            if i:
                _echo("")
            _print_advice(adv)
    run.finish(summary, rejected=stats.records_rejected, records_in=stats.records_in)
