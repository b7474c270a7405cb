"""`advise(journey, registry, now)`: the verdict on one shipment, its copy and, when stuck, the ladder."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from tracklingo.advisor.content import (
    DESTINATION_SIDE,
    AdviceBook,
    StageAdvice,
    carrier_overrides,
    load_advice,
    situation_entry,
)
from tracklingo.advisor.judge import Holder, Judgement, find_carrier, judge
from tracklingo.advisor.language import Language
from tracklingo.advisor.results import Advice, EscalationStep
from tracklingo.advisor.text import compose, fill, step_values, synonyms_for
from tracklingo.carrier import Contact
from tracklingo.journeys import Journey
from tracklingo.plugins import Registry

if TYPE_CHECKING:
    from tracklingo.history import History

# -- the ladder ---------------------------------------------------------------------------------


def _contact_text(contacts: Iterable[Contact], lang: Language) -> tuple[str, str | None]:
    parts: list[str] = []
    phone: str | None = None
    for c in list(contacts)[:2]:
        bits = ", ".join(b for b in (c.phone, c.url) if b)
        if c.note:
            bits += f" ({c.note})" if bits else c.note
        if phone is None and c.phone:
            phone = c.phone
        parts.append(f"{c.label}: {bits}" if bits else c.label)
    text = lang.catalog.words.contact.format(contacts="; ".join(parts)) if parts else ""
    return text, phone


def _ladder(
    book: AdviceBook,
    entry: StageAdvice,
    journey: Journey,
    registry: Registry,
    holder: Holder,
    country: str | None,
    values: dict[str, str],
    lang: Language,
) -> list[EscalationStep]:
    words = lang.catalog.ladder
    steps: list[EscalationStep] = []
    numbers = journey.tracking_numbers
    for kind in entry.ladder:
        n = len(steps) + 1
        if kind == "carrier":
            if holder.name is None:
                rung = words.carrier_unknown
                steps.append(
                    EscalationStep(
                        step=n,
                        kind=kind,
                        contact=fill(rung.contact or "", values),
                        detail=fill(rung.detail, values),
                    )
                )
            elif holder.carrier is None:
                rung = words.carrier_not_installed
                steps.append(
                    EscalationStep(step=n, kind=kind, contact=holder.name, detail=fill(rung.detail, values))
                )
            else:
                c = holder.carrier
                extra, phone = _contact_text(c.contacts_for(country), lang)
                detail = fill(words.carrier.detail, values)
                steps.append(
                    EscalationStep(
                        step=n,
                        kind=kind,
                        contact=c.display_name,
                        detail=f"{detail} {extra}".strip(),
                        link=c.link(holder.number),
                        phone=phone,
                    )
                )
        elif kind == "tracker":
            ordered = [holder.number, *(x for x in numbers if x != holder.number)]
            links = [t.link(ordered, lang.tag) for t in book.trackers]
            steps.append(
                EscalationStep(
                    step=n,
                    kind=kind,
                    contact=lang.either([t.name for t in book.trackers]),
                    detail=fill(words.tracker.detail, values),
                    link=links[0],
                    more_links=links[1:],
                )
            )
        else:
            rung = words.sender
            steps.append(
                EscalationStep(
                    step=n,
                    kind=kind,
                    contact=fill(rung.contact or "", values),
                    detail=fill(rung.detail, values),
                )
            )
    return steps


def advise(
    journey: Journey,
    registry: Registry,
    now: datetime | None = None,
    *,
    book: AdviceBook | None = None,
    lang: str = "en",
    history: History | None = None,
) -> Advice:
    """Advice for `journey`'s current stage at `now` (default: the current time; naive = UTC), in
    language `lang` (a tag such as ``de`` or ``de-AT``; `UnknownLanguageError` if none serves it).

    The verdict is `judge`'s: the journey as it stood at `now` (later scans left out, and
    counted in `Advice.later_scans` and the verdict text), time at the stage from the first event
    of its current run, lane-aware thresholds (`journey_lane`). The copy is the stage's, with the
    holding carrier's override and the event's reason copy applied (`situation_entry`).
    Delivered, returned and cancelled are never stuck; an `unknown` current stage says plainly
    that it cannot tell. Raises `InputError` when no scan is at or before `now`.

    With a `history` (`tracklingo.history.History`), the verdict rests on the store's own dwell
    times where it has enough of them (`Advice.judged_by`, `Advice.history`), and the advice
    carries the likely delivery window (`Advice.delivery_window`); see `judge`.
    """
    book = book or load_advice()
    judged = judge(journey, registry, now, book=book, lang=lang, history=history)
    return advise_judged(judged, registry, book=book)


def advise_judged(j: Judgement, registry: Registry, *, book: AdviceBook | None = None) -> Advice:
    """`advise` for a journey already judged (`judge`): the copy and the ladder on its verdict,
    in the judgement's language."""
    book = book or load_advice()
    journey, current, holder, lane, speech = j.journey, j.current, j.holder, j.lane, j.language
    words = speech.catalog.words
    stage = current.stage
    override = carrier_overrides(holder.carrier).get(stage) if holder.carrier else None
    entry = situation_entry(book, speech.catalog, stage, current.reason, override, speech.tag)
    values = step_values(holder.carrier, holder.number, speech)
    act, action, steps = compose(entry, values)

    destination = lane.destination
    origin_leg = journey.legs[0]
    origin_carrier = find_carrier(registry, origin_leg.carrier)
    origin_name = origin_carrier.display_name if origin_carrier else origin_leg.carrier
    origin = lane.origin
    if origin and origin_carrier and origin_carrier.home_country not in (None, origin):
        # the feed starts with a foreign carrier's leg: the sender shipped with someone else
        origin_name = words.origin_carrier_abroad.format(country=origin)
    since = j.since
    ladder_values = {
        **values,
        "carrier": holder.carrier.display_name if holder.carrier else (holder.name or ""),
        "number": holder.number,
        "numbers": ", ".join(journey.tracking_numbers),
        "since": speech.time(since) if since else words.unknown_time,
        "headline": entry.headline,
        "last_status": current.description or current.code or entry.headline,
        "stage": stage.value,
        "destination": destination or words.destination_country,
        "origin_carrier": origin_name,
    }
    # whose contact points: the destination country's on its side of the journey, else where it is
    country = (destination if stage in DESTINATION_SIDE else None) or current.location.country
    escalation = (
        _ladder(book, entry, journey, registry, holder, country, ladder_values, speech) if j.stuck else []
    )
    threshold = j.threshold
    return Advice(
        lang=speech.tag,
        shipment=journey.key,
        tracking_numbers=journey.tracking_numbers,
        carrier=current.carrier,
        tracking_number=current.tracking_number,
        stage=stage,
        status=current.status,
        reason=current.reason,
        description=current.description,
        occurred_at=current.occurred_at,
        location=current.location.label() or None,
        since=since,
        now=j.now,
        later_scans=j.later_scans,
        origin_country=lane.origin,
        destination_country=destination,
        lane=lane.name,
        lane_known=lane.known,
        headline=entry.headline,
        meaning=entry.meaning,
        where=entry.where,
        holder=entry.holder,
        next=entry.next,
        how_soon=entry.how_soon,
        recipient_must_act=act,
        recipient_action=action,
        next_steps=steps,
        verdict=j.verdict,
        stuck=j.stuck,
        verdict_text=j.verdict_text,
        judged_by="history" if j.history is not None and j.history.basis == "history" else "threshold",
        history=j.history,
        delivery_window=j.window,
        dwell_hours=round(j.dwell_hours, 1) if j.dwell_hours is not None else None,
        calendar_hours=round(j.calendar_hours, 1) if j.calendar_hours is not None else None,
        expected_dwell_hours=threshold.hours if threshold is not None else None,
        business_days=threshold.business_days if threshold is not None else False,
        threshold_source=book.source_text(threshold) if threshold is not None else None,
        responsible_carrier=holder.name,
        responsible_display_name=(
            holder.carrier.display_name
            if holder.carrier
            else holder.name
            or words.delivery_carrier_in.format(destination=destination or words.destination_country)
        ),
        escalation=escalation,
        synonyms=synonyms_for(stage, registry, exclude=current.description or None),
    )
