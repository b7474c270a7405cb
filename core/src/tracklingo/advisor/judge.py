"""`judge(journey, registry, now)`: the stuck verdict alone, the one place it is decided.

`advise` builds its answer on it; `tracklingo stuck` judges every shipment of a store with it and
asks `advise` only for the stuck ones. A journey is judged as it stood at `now` (`journey_as_of`):
scans after `now` are left out, and the judgement says how many.

`is_stuck` is the one comparison that decides "stuck", for the fixed threshold and for the dwell
history alike: the history (`tracklingo.history`) gives figures only (`DwellFigures`), and
`stage_verdict` turns them into its verdict (`History.judge` delegates to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tracklingo.advisor.content import (
    DESTINATION_SIDE,
    AdviceBook,
    StageAdvice,
    Threshold,
    Verdict,
    carrier_overrides,
    load_advice,
    stage_entry,
)
from tracklingo.advisor.lane import Lane, journey_lane
from tracklingo.advisor.language import Language, language
from tracklingo.advisor.text import business_hours
from tracklingo.carrier import Carrier
from tracklingo.errors import InputError, UnknownCarrierError
from tracklingo.journeys import Journey, build_journeys
from tracklingo.model import TrackingEvent
from tracklingo.plugins import Registry
from tracklingo.taxonomy import Stage
from tracklingo.times import order_key

if TYPE_CHECKING:
    from tracklingo.history import DeliveryWindow, DwellFigures, History, StageVerdict


class NotYetScannedError(InputError):
    """The journey has no scan at or before the time it is judged at."""


def find_carrier(registry: Registry, name: str) -> Carrier | None:
    """The installed carrier called `name`, or `None`."""
    try:
        return registry.get(name)
    except UnknownCarrierError:
        return None


def _home(registry: Registry, name: str) -> str | None:
    found = find_carrier(registry, name)
    return found.home_country if found is not None else None


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds the parcel now: a carrier name and its number, or an unknown destination carrier
    (`name` `None`). `carrier` is the installed plugin, when there is one."""

    name: str | None
    number: str
    carrier: Carrier | None


def holder_of(journey: Journey, registry: Registry, lane: Lane) -> Holder:
    """The carrier holding the parcel at the journey's current event."""
    current = journey.events[-1]
    name, number = current.carrier, current.tracking_number
    if current.handoff is not None:
        name = current.handoff.carrier.lower()
        number = current.handoff.tracking_number or next(
            (leg.tracking_number for leg in journey.legs if leg.carrier == name), number
        )
    elif current.stage is Stage.HANDED_TO_LAST_MILE:
        names = [leg.carrier for leg in journey.legs]
        if current.carrier in names:
            later = [
                leg
                for leg in journey.legs[names.index(current.carrier) + 1 :]
                if leg.carrier != current.carrier
            ]
            if later:
                name, number = later[-1].carrier, later[-1].tracking_number
    destination = lane.destination
    abroad = (
        lane.international
        and destination is not None
        and current.stage in DESTINATION_SIDE
        and _home(registry, name) != destination
    )
    if abroad:
        local = [leg for leg in journey.legs if _home(registry, leg.carrier) == destination]
        if local:
            name, number = local[-1].carrier, local[-1].tracking_number
        elif _home(registry, name) is not None:
            # the named carrier is from another country: never send people to the origin one
            return Holder(None, number, None)
    return Holder(name, number, find_carrier(registry, name))


def journey_as_of(journey: Journey, now: datetime) -> tuple[Journey | None, int]:
    """The journey as it stood at `now`, and how many of its scans came later (left out).

    Scans are in time order, so the journey at `now` is the run of scans up to the first dated
    one after `now` (an undated scan stays where the carrier reported it). Legs and countries are
    worked out again from the scans kept: a carrier that took over later, or a delivery country
    seen only later, was not known at `now`. `None` when no scan is at or before `now`.
    """
    now = order_key(now)
    events = journey.events
    cut = next(
        (i for i, e in enumerate(events) if e.occurred_at is not None and order_key(e.occurred_at) > now),
        len(events),
    )
    if cut == len(events):
        return journey, 0
    kept = events[:cut]
    if not kept:
        return None, len(events)
    rebuilt = build_journeys(kept)

    def part_with(event: TrackingEvent) -> Journey:
        leg = (event.carrier, event.tracking_number)
        return next(j for j in rebuilt if any((g.carrier, g.tracking_number) == leg for g in j.legs))

    seen = {(e.carrier, e.tracking_number) for e in kept}
    legs = [leg for leg in journey.legs if (leg.carrier, leg.tracking_number) in seen]
    return (
        Journey(
            legs=legs,
            events=kept,
            origin_country=part_with(kept[0]).origin_country,
            destination_country=part_with(kept[-1]).destination_country,
        ),
        len(events) - cut,
    )


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on one journey at `now`, and what it was decided from.

    `journey` is the journey as it stood at `now`; `later_scans` the scans after `now` that were
    left out. `entry` is the current stage's advice with the holding carrier's override applied
    (no reason copy: the reason never changes the verdict). `since` is the first scan of the
    current run of the stage; `calendar_hours` the time since then, `dwell_hours` the time that
    counts against `threshold` (business hours where it says so). `verdict_text` is in
    `language`.

    With a `History` (`tracklingo.history`), `history` is its verdict on the parcel (when the
    stage is timed): on ``history`` basis it decides `verdict`, else the threshold did and
    `history` says why (too few samples). `window` is the likely delivery window, when the
    history has one.
    """

    journey: Journey
    later_scans: int
    now: datetime
    current: TrackingEvent
    lane: Lane
    holder: Holder
    entry: StageAdvice
    since: datetime | None
    threshold: Threshold | None
    calendar_hours: float | None
    dwell_hours: float | None
    verdict: Verdict
    verdict_text: str
    language: Language
    history: StageVerdict | None = None
    window: DeliveryWindow | None = None

    @property
    def stuck(self) -> bool:
        """True when the parcel has been at its stage longer than the threshold."""
        return self.verdict == "stuck"


def _run_start(events: list[TrackingEvent]) -> int:
    stage = events[-1].stage
    i = len(events) - 1
    while i > 0 and events[i - 1].stage is stage:
        i -= 1
    return i


def _last_known(events: list[TrackingEvent]) -> TrackingEvent | None:
    for event in reversed(events):
        if event.stage is not Stage.UNKNOWN:
            return event
    return None


def _later_note(count: int, now: datetime, lang: Language) -> str:
    if not count:
        return ""
    return " " + lang.count(lang.catalog.verdict.later_scans, count, time=lang.time(now))


def lane_label(lane: str, known: bool, lang: Language) -> str:
    """The lane (`Lane.name`) as people read it: "domestic", "international", or "domestic,
    assumed" when the scans could not tell (`known` false)."""
    words = lang.catalog.lane
    name = words.international if lane == "international" else words.domestic
    return name if known else words.assumed.format(lane=name)


def is_stuck(elapsed_hours: float, limit_hours: float) -> bool:
    """Stuck: longer at the stage than `limit_hours` (the fixed threshold, or the history's
    percentile), both in the same hours (calendar, or Monday-Friday). Exactly at the limit is not
    stuck. The one place the comparison is made."""
    return elapsed_hours > limit_hours


def stage_verdict(
    figures: DwellFigures, *, display_name: str | None = None, lang: str | Language = "en"
) -> StageVerdict:
    """The history's verdict on a parcel (`StageVerdict`) from its `figures`
    (`History.figures`): stuck by `is_stuck` against `limit_hours` (the percentile, or the
    prior's threshold; `None` without either), said in language `lang`. `display_name` names the
    carrier in the text (default: its name in capitals)."""
    from tracklingo.history import StageVerdict, words

    position, business, elapsed = figures.position, figures.business_days, figures.elapsed_hours
    limit = figures.limit_hours
    stuck = is_stuck(elapsed, limit) if limit is not None else None
    speech = words.speech(lang)
    about: dict[str, Any] = {
        "carrier": display_name or position.carrier.upper(),
        "stage": position.stage,
        "lane": position.lane,
        "business": business,
    }
    common: dict[str, Any] = {
        "basis": figures.basis,
        "carrier": position.carrier,
        "stage": position.stage,
        "lane": position.lane,
        "lane_used": figures.lane_used,
        "samples": figures.samples,
        "business_days": business,
        "elapsed_hours": round(elapsed, 2),
        "stuck": stuck,
    }
    if figures.basis == "history":
        median, percentile, slower = figures.median_hours, figures.percentile, figures.slower_than
        # a history basis has every figure (`History.figures`)
        assert limit is not None and stuck is not None and median is not None
        assert percentile is not None and slower is not None
        text = words.moved_on(
            speech,
            **about,
            pooled=figures.lane_used != position.lane,
            median=median,
            limit=limit,
            percentile=round(percentile * 100),
            elapsed=elapsed,
            slower=slower,
            samples=figures.samples,
            stuck=stuck,
        )
        return StageVerdict(
            median_hours=round(median, 2),
            limit_hours=round(limit, 2),
            percentile=percentile,
            slower_than=round(slower, 4),
            text=text,
            **common,
        )
    text = words.too_few(speech, **about, count=figures.samples, needed=figures.needed, prior_hours=limit)
    return StageVerdict(limit_hours=limit, text=text, **common)


def _with_history(
    history: History,
    journey: Journey,
    registry: Registry,
    now: datetime,
    threshold: Threshold | None,
    entry: StageAdvice,
    verdict: Verdict,
    text: str,
    speech: Language,
) -> tuple[StageVerdict | None, DeliveryWindow | None, Verdict, str]:
    """The history's say on a judged journey: its verdict where the stage is timed and dated
    (deciding when it has enough samples), and the delivery window, in `speech`."""
    from tracklingo.history import Prior

    position = history.position(journey, now)
    current = journey.events[-1]
    if position is None or position.stage is not current.stage:
        return None, None, verdict, text  # the latest scan is undated or unknown
    window = history.delivery_window(position, now, lang=speech)
    if threshold is None or verdict not in ("stuck", "on_track"):
        return None, window, verdict, text
    found = find_carrier(registry, position.carrier)
    said = stage_verdict(
        history.figures(position, now, prior=Prior(threshold.hours, threshold.business_days)),
        display_name=found.display_name if found is not None else None,
        lang=speech,
    )
    if said.basis != "history":
        return said, window, verdict, f"{text} {said.text}"
    verdict = "stuck" if said.stuck else "on_track"
    return said, window, verdict, said.text + (f" {entry.when_stuck}" if said.stuck else "")


def judge(
    journey: Journey,
    registry: Registry,
    now: datetime | None = None,
    *,
    book: AdviceBook | None = None,
    lang: str = "en",
    history: History | None = None,
) -> Judgement:
    """The verdict on `journey` at `now` (default: the current time; naive = UTC), its text in
    language `lang` (a tag such as ``de`` or ``de-AT``; `UnknownLanguageError` if none serves it).

    Time at the stage runs from the first event of the current run of that stage. The lane is
    `journey_lane`'s; an unknown lane is judged as domestic and said to be assumed. Delivered,
    returned and cancelled are ``done`` (never stuck); an `unknown` current stage, or a current
    run without any date, is ``unknown``. Raises `NotYetScannedError` (an `InputError`) when the
    journey has no scan at or before `now`.

    With a `history` (`tracklingo.history.History`, learned from a store), a timed stage is
    judged against how long parcels like this one (carrier, stage, lane) stayed there: stuck
    beyond its percentile once it has enough samples, else by the threshold as before (the text
    says which); and `Judgement.window` gives the likely delivery dates. Without one, nothing
    changes.
    """
    book = book or load_advice()
    speech = language(lang)
    words = speech.catalog.verdict
    now = order_key(now) if now is not None else datetime.now(UTC)
    if not journey.events:
        raise InputError(f"shipment {journey.key} has no events")
    as_of, later = journey_as_of(journey, now)
    if as_of is None:
        raise NotYetScannedError(
            f"shipment {journey.key} has no scan at or before {now.isoformat(sep=' ', timespec='minutes')}"
        )
    journey = as_of
    current = journey.events[-1]
    stage = current.stage
    lane = journey_lane(journey)
    holder = holder_of(journey, registry, lane)
    override = carrier_overrides(holder.carrier).get(stage) if holder.carrier else None
    entry = stage_entry(book, speech.catalog, stage, override, speech.tag)

    run = journey.events[_run_start(journey.events) :]
    dated = [e.occurred_at for e in run if e.occurred_at is not None]
    since = min(dated, key=order_key) if dated else None
    threshold = entry.dwell.threshold(lane.international is True)
    lane_text = lane_label(lane.name, lane.known, speech)

    calendar = dwell = None
    verdict: Verdict
    if not entry.dwell.timed or threshold is None or stage.is_terminal:
        verdict = "done" if stage.is_terminal else "unknown"
        text = entry.not_timed or ""
        if stage is Stage.UNKNOWN:
            known = _last_known(journey.events)
            text += " " + words.latest_status.format(status=current.description or current.code)
            if known is not None:
                name = speech.catalog.stage[known.stage].name
                if known.occurred_at:
                    text += " " + words.last_known_on.format(stage=name, time=speech.time(known.occurred_at))
                else:
                    text += " " + words.last_known.format(stage=name)
        threshold = None
    elif since is None:
        verdict = "unknown"
        text = words.no_date
    else:
        calendar = max(0.0, (now - order_key(since)).total_seconds() / 3600)
        dwell = business_hours(since, now) if threshold.business_days else calendar
        usual = speech.duration(threshold.hours, threshold.business_days)
        spent = speech.duration(calendar)
        if threshold.business_days:
            spent = words.business_spent.format(calendar=spent, business=speech.duration(dwell, True))
        values = {"spent": spent, "usual": usual, "lane": lane_text, "cause": entry.when_stuck or ""}
        if is_stuck(dwell, threshold.hours):
            verdict = "stuck"
            text = words.labelled.format(label=words.stuck_label, text=words.stuck.format_map(values))
        else:
            verdict = "on_track"
            text = words.labelled.format(label=words.on_track_label, text=words.on_track.format_map(values))
    said = window = None
    if history is not None and not stage.is_terminal:
        said, window, verdict, text = _with_history(
            history, journey, registry, now, threshold, entry, verdict, text, speech
        )
    return Judgement(
        journey=journey,
        later_scans=later,
        now=now,
        current=current,
        lane=lane,
        holder=holder,
        entry=entry,
        since=since,
        threshold=threshold,
        calendar_hours=calendar,
        dwell_hours=dwell,
        verdict=verdict,
        verdict_text=(text.strip() + _later_note(later, now, speech)).strip(),
        language=speech,
        history=said,
        window=window,
    )


def verdict_prefix(verdict: Verdict, lang: Language) -> str:
    """The label `judge` puts before a ``stuck`` or ``on_track`` verdict text ("Stuck: "), for
    showing the text under a label of one's own; "" for the other verdicts."""
    words = lang.catalog.verdict
    label = {"stuck": words.stuck_label, "on_track": words.on_track_label}.get(verdict)
    return words.labelled.format(label=label, text="") if label else ""
