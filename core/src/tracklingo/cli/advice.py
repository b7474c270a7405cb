"""`tracklingo explain` and `tracklingo advise`: thin layers over `tracklingo.advisor`."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

import click

from tracklingo.advisor import Advice, Explanation, advise, explain, journey_as_of
from tracklingo.cli._common import (
    _json_out,
    _registry,
    check_inputs,
    emit_reject,
    feed_options,
    handle_errors,
    main,
    parse_now,
)
from tracklingo.errors import InputError
from tracklingo.feeds import read_records
from tracklingo.journeys import build_journeys
from tracklingo.model import TrackingEvent
from tracklingo.normalize import Normalizer, Reject

_WIDTH = 100
_MAX_SYNONYMS_SHOWN = 8


def _say(label: str, text: str, indent: str = "  ") -> None:
    head = f"{indent}{label}: " if label else indent
    click.echo(
        textwrap.fill(
            text,
            width=_WIDTH,
            initial_indent=head,
            subsequent_indent=indent + "  ",
            break_on_hyphens=False,
        )
    )


def _heading(label: str, indent: str = "  ") -> None:
    click.echo(f"{indent}{label}:")


def _bullets(items: list[str], indent: str = "    ") -> None:
    for item in items:
        click.echo(
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
        click.echo(f'"{exp.text or exp.code}" is not a status tracklingo knows.')
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
    click.echo(f"{exp.stage.value} ({exp.status.value}{reason}{cond}) - from {by}")
    click.echo(f"  {exp.headline}")
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
    whether you need to act, and other carriers' words for the same stage."""
    if not text.strip() and not (code and code.strip()):
        raise click.UsageError("give a status TEXT, or --code")
    found = explain(text, _registry(), carrier, code=code)
    if as_json:
        _json_out([e.model_dump(mode="json") for e in found])
        return
    if len(found) > 1:
        click.echo(f'"{text or code}" means different things depending on the carrier or direction:')
    elif found[0].known:
        click.echo(f'"{text or code}"')
    for i, exp in enumerate(found):
        if i:
            click.echo("")
        _print_explanation(exp)


# -- advise -------------------------------------------------------------------------------------


def _events(paths: list[str], fmt: str, normalizer: Normalizer) -> Iterator[TrackingEvent | Reject]:
    for path in paths:
        for record in read_records(path, fmt):  # type: ignore[arg-type]
            events, rejects = normalizer.process(record)  # canonical lines pass through
            yield from events
            yield from rejects


def _print_advice(adv: Advice) -> None:
    numbers = " / ".join(adv.tracking_numbers)
    lane = adv.lane + ("" if adv.lane_known else ", assumed")
    route = ""
    if adv.origin_country or adv.destination_country:
        route = f"{adv.origin_country or '?'} -> {adv.destination_country or '?'}, "
    click.echo(f"{adv.shipment}  {numbers}  ({route}{lane})")
    click.echo(f"  Now: {adv.headline}  [{adv.stage.value}]")
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
            click.echo(
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
                    click.echo(f"       {link}")
    if adv.synonyms:
        _say("Other carriers' words", _synonyms(adv.synonyms))


@main.command("advise")
@feed_options
@click.option(
    "--now", "now_text", metavar="ISO", help="Judge as of this time (default: now; no offset = UTC)."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("-q", "--quiet", is_flag=True, help="No reject lines on stderr.")
@handle_errors
def advise_cmd(
    files: tuple[str, ...],
    now_text: str | None,
    carrier: str | None,
    fmt: str,
    as_json: bool,
    quiet: bool,
) -> None:
    """Advise on each shipment in FILES (or stdin), raw or canonical events from any carrier:
    current stage, time there, on track or stuck, and when stuck whom to contact, in order."""
    now = parse_now(now_text)
    paths = check_inputs(files)
    registry = _registry()
    normalizer = Normalizer(registry, carrier=carrier)
    events: list[TrackingEvent] = []
    rejected = 0
    for item in _events(paths, fmt, normalizer):
        if isinstance(item, Reject):
            rejected += 1
            if not quiet:
                emit_reject(item, None)
        else:
            events.append(item)
    if not events:
        raise InputError(
            "no tracking events in the input" + (f" ({rejected} record(s) rejected)" if rejected else "")
        )
    found: list[Advice] = []
    for journey in build_journeys(events, registry):
        if journey_as_of(journey, now)[0] is None:  # every scan is later than --now
            if not quiet:
                click.echo(
                    f"tracklingo: note: {journey.key}: no scan at or before"
                    f" {now.isoformat(timespec='minutes')}; left out",
                    err=True,
                )
            continue
        found.append(advise(journey, registry, now))
    if as_json:
        out: list[dict[str, Any]] = [a.model_dump(mode="json") for a in found]
        _json_out(out)
        return
    for i, adv in enumerate(found):
        if i:
            click.echo("")
        _print_advice(adv)
