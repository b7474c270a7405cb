"""`advise(journey, registry, now)`: the verdict on one shipment and, when stuck, the ladder."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from tracklingo.advisor.content import (
    _DESTINATION_SIDE,
    AdviceBook,
    StageAdvice,
    Verdict,
    _apply,
    carrier_overrides,
    load_advice,
)
from tracklingo.advisor.results import Advice, EscalationStep
from tracklingo.advisor.text import (
    _aware,
    _compose,
    _fill,
    _fmt_hours,
    _fmt_time,
    _step_values,
    business_hours,
    synonyms_for,
)
from tracklingo.carrier import Carrier, Contact
from tracklingo.errors import InputError, UnknownCarrierError
from tracklingo.journeys import Journey
from tracklingo.model import TrackingEvent
from tracklingo.plugins import Registry
from tracklingo.taxonomy import Stage

# -- advise -------------------------------------------------------------------------------------


def _find(registry: Registry, name: str) -> Carrier | None:
    try:
        return registry.get(name)
    except UnknownCarrierError:
        return None


def _home(registry: Registry, name: str) -> str | None:
    found = _find(registry, name)
    return found.home_country if found is not None else None


@dataclass(frozen=True, slots=True)
class _Holder:
    """Who holds the parcel now: a carrier name and its number, or an unknown destination carrier."""

    name: str | None
    number: str
    carrier: Carrier | None


def _holder(journey: Journey, registry: Registry, current: TrackingEvent) -> _Holder:
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
    destination = journey.destination_country
    abroad = (
        journey.is_international
        and destination is not None
        and current.stage in _DESTINATION_SIDE
        and _home(registry, name) != destination
    )
    if abroad:
        local = [leg for leg in journey.legs if _home(registry, leg.carrier) == destination]
        if local:
            name, number = local[-1].carrier, local[-1].tracking_number
        elif _home(registry, name) is not None:
            # the named carrier is from another country: never send people to the origin one
            return _Holder(None, number, None)
    return _Holder(name, number, _find(registry, name))


def _contact_text(contacts: Iterable[Contact]) -> tuple[str, str | None]:
    parts: list[str] = []
    phone: str | None = None
    for c in list(contacts)[:2]:
        bits = ", ".join(b for b in (c.phone, c.url) if b)
        if c.note:
            bits += f" ({c.note})" if bits else c.note
        if phone is None and c.phone:
            phone = c.phone
        parts.append(f"{c.label}: {bits}" if bits else c.label)
    return ("Contact: " + "; ".join(parts) + ".") if parts else "", phone


def _ladder(
    book: AdviceBook,
    entry: StageAdvice,
    journey: Journey,
    registry: Registry,
    holder: _Holder,
    country: str | None,
    values: dict[str, str],
) -> list[EscalationStep]:
    steps: list[EscalationStep] = []
    numbers = journey.tracking_numbers
    for kind in entry.ladder:
        n = len(steps) + 1
        if kind == "carrier":
            if holder.name is None:
                rung = book.ladder.carrier_unknown
                steps.append(
                    EscalationStep(
                        step=n,
                        kind=kind,
                        contact=_fill(rung.contact or "{destination}", values),
                        detail=_fill(rung.detail, values),
                    )
                )
            elif holder.carrier is None:
                rung = book.ladder.carrier_not_installed
                steps.append(
                    EscalationStep(step=n, kind=kind, contact=holder.name, detail=_fill(rung.detail, values))
                )
            else:
                c = holder.carrier
                extra, phone = _contact_text(c.contacts_for(country))
                detail = _fill(book.ladder.carrier.detail, values)
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
            links = [t.link(ordered) for t in book.trackers]
            steps.append(
                EscalationStep(
                    step=n,
                    kind=kind,
                    contact=" or ".join(t.name for t in book.trackers),
                    detail=_fill(book.ladder.tracker.detail, values),
                    link=links[0],
                    more_links=links[1:],
                )
            )
        else:
            rung = book.ladder.sender
            steps.append(
                EscalationStep(
                    step=n,
                    kind=kind,
                    contact=_fill(rung.contact or "The sender", values),
                    detail=_fill(rung.detail, values),
                )
            )
    return steps


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


def advise(
    journey: Journey,
    registry: Registry,
    now: datetime | None = None,
    *,
    book: AdviceBook | None = None,
) -> Advice:
    """Advice for `journey`'s current stage at `now` (default: the current time; naive = UTC).

    Time at the stage runs from the first event of the current run of that stage. The lane is
    international when `Journey.is_international` says so, else domestic. Delivered, returned and
    cancelled are never stuck; an `unknown` current stage says plainly that it cannot tell.
    """
    current = journey.current
    if current is None:
        raise InputError(f"shipment {journey.key} has no events")
    book = book or load_advice()
    now = _aware(now) if now is not None else datetime.now(UTC)
    stage = current.stage
    holder = _holder(journey, registry, current)
    override = carrier_overrides(holder.carrier).get(stage) if holder.carrier else None
    entry = _apply(book.entry(stage), override)
    values = _step_values(holder.carrier, holder.number)
    act, action, steps = _compose(entry, current.reason, values)

    run = journey.events[_run_start(journey.events) :]
    dated = [e.occurred_at for e in run if e.occurred_at is not None]
    since = min(dated, key=_aware) if dated else None
    lane_flag = journey.is_international
    international = bool(lane_flag)
    threshold = entry.dwell.threshold(international)
    lane_label = "international" if international else "domestic"
    if lane_flag is None:
        lane_label += ", assumed"

    calendar = dwell = None
    stuck = False
    if not entry.dwell.timed or threshold is None or stage.is_terminal:
        verdict: Verdict = "done" if stage.is_terminal else "unknown"
        verdict_text = entry.dwell.not_timed or ""
        if stage is Stage.UNKNOWN:
            known = _last_known(journey.events)
            verdict_text += f' The latest status is "{current.description or current.code}".'
            if known is not None:
                when = f" on {_fmt_time(known.occurred_at)}" if known.occurred_at else ""
                verdict_text += f" The last status it knows was {known.stage.value}{when}."
        threshold = None
    elif since is None:
        verdict = "unknown"
        verdict_text = "The latest events carry no date, so the time at this stage is not known."
    else:
        calendar = max(0.0, (now - _aware(since)).total_seconds() / 3600)
        dwell = business_hours(since, now) if threshold.business_days else calendar
        stuck = dwell > threshold.hours
        usual = _fmt_hours(threshold.hours, threshold.business_days)
        spent = _fmt_hours(calendar)
        if threshold.business_days:
            spent += f" ({_fmt_hours(dwell, True)})"
        if stuck:
            verdict = "stuck"
            verdict_text = (
                f"Stuck: {spent} at this stage, longer than the usual {usual} ({lane_label})."
                f" {entry.dwell.when_stuck}"
            )
        else:
            verdict = "on_track"
            verdict_text = (
                f"On track: {spent} at this stage; it usually moves on within {usual} ({lane_label})."
            )

    destination = journey.destination_country
    origin_leg = journey.legs[0]
    origin_carrier = _find(registry, origin_leg.carrier)
    origin_name = origin_carrier.display_name if origin_carrier else origin_leg.carrier
    origin = journey.origin_country
    if origin and origin_carrier and origin_carrier.home_country not in (None, origin):
        # the feed starts with a foreign carrier's leg: the sender shipped with someone else
        origin_name = f"the carrier they shipped with in {origin}"
    ladder_values = {
        **values,
        "carrier": holder.carrier.display_name if holder.carrier else (holder.name or ""),
        "number": holder.number,
        "numbers": ", ".join(journey.tracking_numbers),
        "since": _fmt_time(since) if since else "an unknown time",
        "headline": entry.headline,
        "last_status": current.description or current.code or entry.headline,
        "stage": stage.value,
        "destination": destination or "the destination country",
        "origin_carrier": origin_name,
    }
    country = destination if stage in _DESTINATION_SIDE else current.location.country
    escalation = _ladder(book, entry, journey, registry, holder, country, ladder_values) if stuck else []
    return Advice(
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
        now=now,
        origin_country=journey.origin_country,
        destination_country=destination,
        lane="international" if international else "domestic",
        lane_known=lane_flag is not None,
        headline=entry.headline,
        meaning=entry.meaning,
        where=entry.where,
        holder=entry.holder,
        next=entry.next,
        how_soon=entry.how_soon,
        recipient_must_act=act,
        recipient_action=action,
        next_steps=steps,
        verdict=verdict,
        stuck=stuck,
        verdict_text=verdict_text.strip(),
        dwell_hours=round(dwell, 1) if dwell is not None else None,
        calendar_hours=round(calendar, 1) if calendar is not None else None,
        expected_dwell_hours=threshold.hours if threshold is not None else None,
        business_days=threshold.business_days if threshold is not None else False,
        threshold_source=book.source_text(threshold) if threshold is not None else None,
        responsible_carrier=holder.name,
        responsible_display_name=(
            holder.carrier.display_name
            if holder.carrier
            else holder.name or f"the delivery carrier in {destination or 'the destination country'}"
        ),
        escalation=escalation,
        synonyms=synonyms_for(stage, registry, exclude=current.description or None),
    )
