"""Helpers shared by `explain` and `advise`: filling the copy, business hours, and other carriers'
words for a stage (`synonyms_for`). Times and durations are formatted by `Language`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from tracklingo.advisor.content import Act, StageAdvice, Threshold
from tracklingo.advisor.language import Language
from tracklingo.carrier import Carrier
from tracklingo.taxonomy import Stage
from tracklingo.times import order_key
from tracklingo.vocabulary import normalize_phrase

# -- helpers ------------------------------------------------------------------------------------


def fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with its ``{placeholders}`` replaced from `values`."""
    return template.format_map(values)


def step_values(carrier: Carrier | None, number: str | None, lang: Language) -> dict[str, str]:
    """The values of the step placeholders: ``{carrier}`` and ``{carrier_link}``."""
    link = carrier.link(number) if carrier is not None and number else None
    return {
        "carrier": carrier.display_name if carrier is not None else lang.catalog.words.the_carrier,
        "carrier_link": f" ({link})" if link else "",
    }


def compose(entry: StageAdvice, values: Mapping[str, str]) -> tuple[Act, str, list[str]]:
    """Whether the recipient must act, what to do, and the steps, placeholders filled."""
    return (
        entry.recipient_must_act,
        fill(entry.recipient_action, values),
        [fill(s, values) for s in entry.steps],
    )


def business_hours(start: datetime, end: datetime) -> float:
    """Hours between `start` and `end` that fall on Monday-Friday, in `start`'s local time.

    Naive times are taken as UTC. Returns 0 when `end` is not after `start`.
    """
    start = order_key(start)
    tz = start.tzinfo
    end = order_key(end).astimezone(tz)
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


def usual_dwell(entry: StageAdvice, lang: Language) -> dict[str, str]:
    """The usual maximum time at the stage per lane, for people ({} when never timed)."""
    if not entry.dwell.timed:
        return {}
    out: dict[str, str] = {}
    for lane in ("domestic", "international"):
        t: Threshold | None = getattr(entry.dwell, lane)
        if t is not None:
            out[lane] = lang.duration(t.hours, t.business_days)
    return out
