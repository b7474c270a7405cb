"""Helpers shared by `explain` and `advise`: filling the copy, formatting times and durations,
business hours, and other carriers' words for a stage (`synonyms_for`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from tracklingo.advisor.content import Act, StageAdvice, Threshold
from tracklingo.carrier import Carrier
from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import normalize_phrase

# -- helpers ------------------------------------------------------------------------------------


def _fill(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(values)


def _step_values(carrier: Carrier | None, number: str | None) -> dict[str, str]:
    link = carrier.link(number) if carrier is not None and number else None
    return {
        "carrier": carrier.display_name if carrier is not None else "the carrier",
        "carrier_link": f" ({link})" if link else "",
    }


def _compose(
    entry: StageAdvice, reason: Reason | None, values: Mapping[str, str]
) -> tuple[Act, str, list[str]]:
    act, action, steps = entry.recipient_must_act, entry.recipient_action, list(entry.steps)
    special = entry.reasons.get(reason) if reason is not None else None
    if special is not None:
        act, action = special.recipient_must_act, special.recipient_action
        steps = [*special.steps, *(s for s in steps if s not in special.steps)]
    return act, _fill(action, values), [_fill(s, values) for s in steps]


def _fmt_hours(hours: float, business: bool = False) -> str:
    unit = "business " if business else ""
    if hours >= 24 and abs(hours / 24 - round(hours / 24)) < 1e-9:
        days = round(hours / 24)
        return f"{days} {unit}day{'s' if days != 1 else ''}"
    if hours < 48:
        whole = round(hours)
        return f"{whole} {unit}hour{'s' if whole != 1 else ''}"
    return f"{hours / 24:.1f} {unit}days"


def _fmt_time(when: datetime) -> str:
    text = when.isoformat(sep=" ", timespec="minutes")
    return text if when.tzinfo is not None else f"{text} (carrier local time)"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def business_hours(start: datetime, end: datetime) -> float:
    """Hours between `start` and `end` that fall on Monday-Friday, in `start`'s local time.

    Naive times are taken as UTC. Returns 0 when `end` is not after `start`.
    """
    start = _aware(start)
    tz = start.tzinfo
    end = _aware(end).astimezone(tz)
    if end <= start:
        return 0.0
    total = 0.0
    cursor = start
    whole_weeks = (end - cursor).days // 7
    if whole_weeks > 1:  # skip whole weeks: each holds exactly five working days
        total += (whole_weeks - 1) * 5 * 24.0
        cursor = cursor + timedelta(weeks=whole_weeks - 1)
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), tz)
        segment_end = min(end, midnight)
        if cursor.weekday() < 5:
            total += (segment_end.astimezone(UTC) - cursor.astimezone(UTC)).total_seconds() / 3600
        cursor = segment_end
    return total


def synonyms_for(stage: Stage, registry: Iterable[Carrier], exclude: str | None = None) -> list[str]:
    """Every installed carrier's phrases for `stage` (carrier-specific ones first, then shared
    ones), unique by normalised form, without `exclude`. Direction-dependent phrases and fallback
    rules are left out: they do not always mean this stage."""
    if stage is Stage.UNKNOWN:
        return []
    skip = normalize_phrase(exclude) if exclude else None
    carriers = tuple(sorted(registry, key=lambda c: c.name))
    return [phrase for key, phrase in _stage_phrases(stage, carriers) if key != skip]


@lru_cache(maxsize=256)
def _stage_phrases(stage: Stage, carriers: tuple[Carrier, ...]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for own_pass in (True, False):
        for carrier in carriers:
            vocab = carrier.vocabulary
            for rule in vocab.rules:
                if rule.fallback or rule.context or rule.stage is not stage:
                    continue
                if own_pass and rule.vocabulary != vocab.carrier:
                    continue
                for phrase in rule.phrase:
                    key = normalize_phrase(phrase)
                    if key:
                        seen.setdefault(key, phrase)
    return tuple(seen.items())


def _usual_dwell(entry: StageAdvice) -> dict[str, str]:
    if not entry.dwell.timed:
        return {}
    out: dict[str, str] = {}
    for lane in ("domestic", "international"):
        t: Threshold | None = getattr(entry.dwell, lane)
        if t is not None:
            out[lane] = _fmt_hours(t.hours, t.business_days)
    return out
