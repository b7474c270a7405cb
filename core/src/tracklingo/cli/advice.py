"""`tracklingo explain` and `tracklingo advise`: thin layers over `tracklingo.advisor`.

Human output shows carrier texts, numbers and places with control characters escaped
(`printable`); ``--json`` output is exact.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import click

from tracklingo.advisor import Explanation, explain, language, resolve_language
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
from tracklingo.cli._history import history_options
from tracklingo.cli._terminal import printable
from tracklingo.taxonomy import MatchKind

if TYPE_CHECKING:
    from tracklingo.advisor import Advice
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


def _synonyms(words: list[str], lang: str) -> str:
    shown = ", ".join(f'"{w}"' for w in words[:_MAX_SYNONYMS_SHOWN])
    more = len(words) - _MAX_SYNONYMS_SHOWN
    return language(lang).catalog.ui.more_words.format(shown=shown, more=more) if more > 0 else shown


# -- explain ------------------------------------------------------------------------------------


def _print_explanation(exp: Explanation) -> None:
    speech = language(exp.lang)
    ui = speech.catalog.ui
    if not exp.known:
        where = ", ".join(exp.searched) or ui.none_installed
        _line(ui.not_known.format(text=exp.text or exp.code))
        _say("", ui.not_known_detail.format(carriers=where))
        if exp.unseen:
            _say("", exp.unseen)
        if exp.suggestions:
            _say(
                ui.nearest_known,
                "; ".join(f'"{n.text}" ({n.stage.value}, {n.vocabulary})' for n in exp.suggestions),
            )
        _heading(ui.what_to_do)
        _bullets(exp.next_steps)
        return
    if exp.unseen:
        _say("", exp.unseen)
    by = ", ".join(exp.carriers) or (ui.inferred_from if exp.match is MatchKind.INFERRED else "")
    details = [exp.status.value]
    details += [ui.reason.format(reason=exp.reason.value)] if exp.reason else []
    details += [exp.condition] if exp.condition else []
    _line(ui.explained.format(stage=exp.stage.value, details=", ".join(details), carriers=by))
    _line(f"  {exp.headline}")
    _say(ui.what_it_means, exp.meaning)
    _say(ui.where_it_is, exp.where)
    _say(ui.who_has_it, exp.holder)
    _say(ui.what_happens_next, exp.next)
    _say(ui.how_soon, exp.how_soon)
    if exp.usual_dwell:
        lanes = exp.usual_dwell
        if len(set(lanes.values())) == 1:
            usual = next(iter(lanes.values()))
        else:
            words = speech.catalog.lane
            usual = ", ".join(
                ui.per_lane.format(text=text, lane=getattr(words, lane)) for lane, text in lanes.items()
            )
        _say(ui.stuck_after, usual)
    _say(ui.need_to_act, exp.recipient_action)
    _heading(ui.what_to_do)
    _bullets(exp.next_steps)
    if exp.synonyms:
        _say(ui.other_words, _synonyms(exp.synonyms, exp.lang))


@main.command("explain")
@click.argument("text", required=False, default="")
@click.option("--carrier", help="Only this carrier's vocabulary (default: every installed one).")
@click.option("--code", help="The carrier's event code, alone or with TEXT.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@no_infer_option
@lang_option
@handle_errors
def explain_cmd(
    text: str, carrier: str | None, code: str | None, as_json: bool, no_infer: bool, lang_text: str | None
) -> None:
    """Explain what a carrier status TEXT means: stage, where the parcel is, what happens next,
    whether you need to act, and other carriers' words for the same stage.

    When TEXT names a well-known carrier whose plugin is not installed (UPS, Royal Mail...), the
    answer says so: it comes from the installed vocabularies only."""
    from tracklingo.known_carriers import mentioned_carriers

    if not text.strip() and not (code and code.strip()):
        raise click.UsageError("give a status TEXT, or --code")
    lang = resolve_language(lang_text)
    ui = language(lang).catalog.ui
    registry = _registry()
    found = explain(text, registry, carrier, code=code, lang=lang, infer=not no_infer)
    missing = mentioned_carriers(text, installed=registry.carriers)
    if as_json:
        not_installed = [{"name": c.name, "display_name": c.display_name} for c in missing]
        _json_out([{**e.model_dump(mode="json"), "carriers_not_installed": not_installed} for e in found])
        return
    for known in missing:
        installed = ", ".join(sorted(registry.carriers)) or ui.none
        _say(
            ui.note,
            ui.not_installed.format(carrier=known.display_name, installed=installed, name=known.name),
            indent="",
        )
    if len(found) > 1:
        _line(ui.several_meanings.format(text=text or code))
    elif found[0].known:
        _line(f'"{text or code}"')
    for i, exp in enumerate(found):
        if i:
            _echo("")
        _print_explanation(exp)


# -- advise -------------------------------------------------------------------------------------


def _print_advice(adv: Advice) -> None:
    from tracklingo.advisor import lane_label, verdict_prefix  # advise's only: not imported by explain

    speech = language(adv.lang)
    ui = speech.catalog.ui
    numbers = " / ".join(adv.tracking_numbers)
    lane = lane_label(adv.lane, adv.lane_known, speech)
    route = ""
    if adv.origin_country or adv.destination_country:
        route = f"{adv.origin_country or '?'} -> {adv.destination_country or '?'}, "
    _line(f"{adv.shipment}  {numbers}  ({route}{lane})")
    _line(f"  {ui.now}: {adv.headline}  [{adv.stage.value}]")
    last = f'"{adv.description}"' if adv.description else ui.no_text
    if adv.location:
        last = ui.scan_at.format(text=last, location=adv.location)
    when = speech.time(adv.occurred_at) if adv.occurred_at else ui.undated
    _say(ui.last_scan, ui.scan_by.format(text=last, carrier=adv.carrier, time=when))
    label = {"stuck": ui.stuck, "on_track": ui.on_track, "done": ui.done, "unknown": ui.unknown}
    verdict = adv.verdict_text.removeprefix(verdict_prefix(adv.verdict, speech))
    _say(label[adv.verdict], verdict)
    if adv.delivery_window:
        from tracklingo.history.words import window_prefix

        window = adv.delivery_window.text.removeprefix(window_prefix(speech))
        _say(speech.catalog.history.window_label, window)
    if adv.responsible_display_name:
        _say(ui.held_by, adv.responsible_display_name)
    _say(ui.what_it_means, adv.meaning)
    _say(ui.what_happens_next, adv.next)
    _say(ui.how_soon, adv.how_soon)
    _say(ui.need_to_act, adv.recipient_action)
    _heading(ui.what_to_do)
    _bullets(adv.next_steps)
    if adv.escalation:
        _heading(ui.escalate)
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
        _say(ui.other_words, _synonyms(adv.synonyms, adv.lang))


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
@lang_option
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
    lang_text: str | None,
) -> None:
    """Advise on each shipment in FILES (or stdin), raw or canonical events from any carrier:
    current stage, time there, on track or stuck, and when stuck whom to contact, in order.

    With --db, a shipment is stuck when slower than the --stuck-percentile of parcels like it
    (same carrier, stage and lane) in the store's history as it stood at --now, where the store
    holds --min-samples of them (else the fixed threshold decides, and the advice says so), and
    the advice gives the likely delivery dates. --no-history, or no --db: fixed thresholds only.

    Reject lines and the summary go to stderr; empty input is no error (no shipments)."""
    from tracklingo.advisor import advise, journey_as_of
    from tracklingo.journeys import build_journeys

    now = parse_now(now_text)
    lang = resolve_language(lang_text)
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
            found.append(advise(journey, registry, now, lang=lang, history=history))
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
