"""The dwell history's sentences in the recipient's language: the ``[history]`` and ``[lane]``
words of the advisor's locale catalogs, formatted by `tracklingo.advisor.Language` (English with
the standard library, the other languages with Babel)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from tracklingo.history.lanes import Lane
from tracklingo.taxonomy import Stage

if TYPE_CHECKING:
    from tracklingo.advisor.language import Language


def speech(lang: str | Language) -> Language:
    """The `Language` for a tag (``de``, ``de-AT``...), or `lang` itself when it is one."""
    if isinstance(lang, str):
        from tracklingo.advisor.language import language

        return language(lang)
    return lang


def lane_name(lane: Lane, lang: Language, *, pooled: bool = False) -> str:
    """The lane as people read it ("domestic", "international inbound"...); the carrier's
    ``international`` rows as "international (all)" when `pooled` (they pool every direction)."""
    words = lang.catalog.lane
    if lane == "international":
        return words.pooled if pooled else words.international
    return {"domestic": words.domestic, "inbound": words.inbound, "outbound": words.outbound}[lane]


def duration(hours: float, business: bool, lang: Language) -> str:
    """A dwell time: whole hours under a day, else days to one decimal ("1.2 days")."""
    return lang.duration(hours, business, hours_below=24)


def percent_below(share: float) -> int:
    """`share` (0..1) as a whole percentage, rounded down: slower than 97 % never says 98."""
    return math.floor(share * 100 + 1e-9)


def moved_on(
    lang: Language,
    *,
    carrier: str,
    stage: Stage,
    lane: Lane,
    pooled: bool,
    business: bool,
    median: float,
    limit: float,
    percentile: int,
    elapsed: float,
    slower: float,
    samples: int,
    stuck: bool,
) -> str:
    """The history's verdict: how long parcels like this one stayed, how long this one has, and
    whether that is beyond the percentile."""
    words = lang.catalog.history
    text = words.moved_on.format_map(
        {
            "carrier": carrier,
            "stage": lang.catalog.stage[stage].name,
            "lane": lane_name(lane, lang),
            "median": duration(median, business, lang),
            "source": words.source_pooled if pooled else words.source,
            "percent": lang.number(percentile),
            "limit": duration(limit, business, lang),
            "elapsed": duration(elapsed, business, lang),
            "slower": lang.number(percent_below(slower)),
        }
    )
    table = words.beyond if stuck else words.within
    return f"{text} {lang.count(table, samples, percentile=lang.ordinal(words.ordinal, percentile))}"


def too_few(
    lang: Language,
    *,
    carrier: str,
    stage: Stage,
    lane: Lane,
    count: int,
    needed: int,
    business: bool,
    prior_hours: float | None,
) -> str:
    """Too few parcels like this one: the fixed threshold decides (`prior_hours`), or nothing can."""
    words = lang.catalog.history
    name, where = lang.catalog.stage[stage].name, lane_name(lane, lang)
    need = lang.number(needed)
    if prior_hours is None:
        return lang.count(
            words.too_few_no_threshold, count, carrier=carrier, stage=name, lane=where, needed=need
        )
    limit = duration(prior_hours, business, lang)
    return lang.count(words.too_few, count, carrier=carrier, stage=name, lane=where, needed=need, limit=limit)


def window_prefix(lang: Language) -> str:
    """What a delivery window's text starts with ("Likely delivered: "), for showing the rest
    under a label of one's own."""
    return lang.catalog.verdict.labelled.format(label=lang.catalog.history.window_label, text="")


def window(
    lang: Language, *, earliest: datetime, latest: datetime, now: datetime, coverage: int, samples: int
) -> str:
    """The likely delivery dates: on one day, or between two (the month once when it is the
    same, the year when it is not this one); `coverage` % of `samples` parcels."""
    words = lang.catalog.history
    show_year = earliest.year != latest.year or earliest.year != now.year
    if earliest.date() == latest.date():
        dates = words.on_day.format(day=lang.day(earliest, year=show_year))
    else:
        same_month = (earliest.year, earliest.month) == (latest.year, latest.month)
        first = lang.day(earliest, month=not same_month, year=earliest.year != latest.year)
        dates = words.between.format(first=first, last=lang.day(latest, year=show_year))
    body = lang.count(words.window, samples, dates=dates, coverage=lang.number(coverage))
    return lang.catalog.verdict.labelled.format(label=words.window_label, text=body)
