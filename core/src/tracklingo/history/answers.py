"""Answers for one parcel from a `DwellTable`: `History` (the figures a stuck verdict rests on,
the percentile with the fixed threshold as the prior; the delivery window) and what it returns.
The verdict itself is the advisor's (`tracklingo.advisor.judge.stage_verdict`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracklingo.history import words
from tracklingo.history.lanes import Lane, lane_for
from tracklingo.history.read import read_dwell
from tracklingo.history.stats import DwellStats, DwellTable
from tracklingo.journeys import Journey, build_journeys
from tracklingo.model import TrackingEvent
from tracklingo.taxonomy import Stage
from tracklingo.times import order_key

if TYPE_CHECKING:
    from tracklingo.advisor.language import Language

#: At least this many history samples must be slower than the parcel's time at its stage for a
#: delivery window (beyond them the history has nothing left to say).
MIN_TAIL: Final = 10


class HistorySettings(BaseModel):
    """When the history decides: stuck beyond the `percentile` (0..1) of at least `min_samples`
    completed transitions; the delivery `window` is between these two quantiles."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    percentile: float = Field(default=0.9, gt=0, lt=1)
    min_samples: int = Field(default=30, ge=1)
    window: tuple[float, float] = (0.1, 0.9)

    @model_validator(mode="after")
    def _ordered(self) -> HistorySettings:
        low, high = self.window
        if not 0 < low < high < 1:
            raise ValueError("window must be two quantiles with 0 < low < high < 1")
        return self


@dataclass(frozen=True, slots=True)
class Prior:
    """The fixed threshold that decides while the history is too thin (the advisor's
    ``advice.toml`` figure for the stage and lane): `hours`, counted Monday-Friday only when
    `business_days`."""

    hours: float
    business_days: bool = False


@dataclass(frozen=True, slots=True)
class Position:
    """Where a parcel is: its current stage, held by `carrier`, on `lane`, since `since` (the
    first scan of the current run of the stage)."""

    carrier: str
    stage: Stage
    lane: Lane
    since: datetime


@dataclass(frozen=True, slots=True)
class DwellFigures:
    """How long the parcel at `position` has been at its stage, and what it is judged against:
    figures only, never a verdict (the advisor decides: `tracklingo.advisor.judge.stage_verdict`).

    `basis` is ``history`` (`samples` completed transitions on `lane_used`: `median_hours`,
    `limit_hours` = the `percentile`, `slower_than` = the share of them that moved on sooner than
    `elapsed_hours`), ``threshold`` (fewer than `needed` samples: `limit_hours` is the `Prior`'s
    figure) or ``none`` (too few samples and no prior: no `limit_hours`). Hours are Monday-Friday
    hours when `business_days`, else calendar hours; unrounded.
    """

    position: Position
    basis: Literal["history", "threshold", "none"]
    business_days: bool
    elapsed_hours: float
    samples: int
    needed: int
    lane_used: Lane | None
    median_hours: float | None = None
    limit_hours: float | None = None
    percentile: float | None = None
    slower_than: float | None = None


class StageVerdict(BaseModel):
    """The answer to "is it stuck?" for one parcel at one time, and what it rests on.

    `basis` is ``history`` (the parcel's time at the stage against `samples` completed
    transitions on `lane_used`: `median_hours`, `limit_hours` = the `percentile`, `slower_than`
    = the share of them that moved on sooner), ``threshold`` (too few samples: the `Prior`
    decided, `limit_hours` is its figure) or ``none`` (too few samples and no prior: `stuck` is
    `None`). Hours are Monday-Friday hours when `business_days`, else calendar hours. `text`
    says it in the language it was asked in (`History.judge`'s `lang`).
    """

    model_config = ConfigDict(defer_build=True, frozen=True)

    basis: Literal["history", "threshold", "none"]
    carrier: str
    stage: Stage
    lane: Lane
    lane_used: Lane | None
    samples: int
    business_days: bool
    elapsed_hours: float
    median_hours: float | None = None
    limit_hours: float | None = None
    percentile: float | None = None
    slower_than: float | None = None
    stuck: bool | None
    text: str


class DeliveryWindow(BaseModel):
    """When the parcel will likely be delivered: between `earliest` and `latest` (the settings'
    window quantiles, p10-p90 by default), most likely around `likely` (the median), in the time
    zone of the parcel's latest stage scan. `samples` delivered journeys on `lane_used` rest it.
    `text` says it in the language it was asked in ("Likely delivered: between Tue 24 and Thu 26
    Nov (80 % of 412 parcels like this one in your history).")."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    earliest: datetime
    likely: datetime
    latest: datetime
    coverage: float
    samples: int
    lane_used: Lane
    text: str


class HistoryAssessment(BaseModel):
    """`History.assess`: the parcel's `Position`, the stuck verdict and the delivery window."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    carrier: str
    stage: Stage
    lane: Lane
    since: datetime
    verdict: StageVerdict
    window: DeliveryWindow | None


class History:
    """Answers from a `DwellTable` (see the `tracklingo.history` docstring). Build it with
    `History.from_store`, or from a table read earlier."""

    def __init__(self, table: DwellTable, settings: HistorySettings | None = None) -> None:
        self.table = table
        self.settings = settings or HistorySettings()

    @classmethod
    def from_store(
        cls,
        db: str | Path,
        *,
        homes: Mapping[str, str | None] | None = None,
        as_of: datetime | None = None,
        settings: HistorySettings | None = None,
    ) -> History:
        """Learn from the store at `db` (`read_dwell`)."""
        return cls(read_dwell(db, homes=homes, as_of=as_of), settings)

    def stats(self, carrier: str, stage: Stage, lane: Lane) -> tuple[DwellStats | None, int]:
        """The history that answers for (carrier, stage, lane): its own lane when it has
        `min_samples` transitions, else (inbound/outbound) the carrier's pooled international
        lane when that has; `None` otherwise. Also the exact lane's sample count."""
        need = self.settings.min_samples
        own = self.table.get(carrier, stage, lane)
        count = own.n if own is not None else 0
        if own is not None and own.n >= need:
            return own, count
        if lane in ("inbound", "outbound"):
            pooled = self.table.get(carrier, stage, "international")
            if pooled is not None and pooled.n >= need:
                return pooled, count
        return None, count

    def position(self, journey: Journey, now: datetime | None = None) -> Position | None:
        """`position_of` the journey with the home countries the history was read with."""
        return position_of(journey, now, homes=self.table.homes)

    def figures(
        self,
        position: Position,
        now: datetime,
        *,
        prior: Prior | None = None,
        business_days: bool | None = None,
    ) -> DwellFigures:
        """The parcel at `position` at `now`: its time at the stage and the figures it is judged
        against (see `DwellFigures`). Figures only: whether that is stuck is decided by the advisor
        (`tracklingo.advisor.judge.stage_verdict`).

        Time at the stage counts Monday-Friday hours when `business_days` (default: the prior's
        setting, else calendar hours), in the local time of `position.since`.
        """
        from tracklingo.advisor.text import business_hours

        settings = self.settings
        business = business_days if business_days is not None else bool(prior and prior.business_days)
        since, now = order_key(position.since), order_key(now)
        elapsed = business_hours(since, now) if business else max(0.0, (now - since).total_seconds() / 3600)
        stats, count = self.stats(position.carrier, position.stage, position.lane)
        common: dict[str, Any] = {
            "position": position,
            "business_days": business,
            "elapsed_hours": elapsed,
            "needed": settings.min_samples,
        }
        if stats is not None:
            dist = stats.business_hours if business else stats.hours
            return DwellFigures(
                basis="history",
                lane_used=stats.lane,
                samples=dist.n,
                median_hours=dist.quantile(0.5),
                limit_hours=dist.quantile(settings.percentile),
                percentile=settings.percentile,
                slower_than=dist.share_below(elapsed),
                **common,
            )
        if prior is None:
            return DwellFigures(basis="none", lane_used=None, samples=count, **common)
        return DwellFigures(
            basis="threshold", lane_used=None, samples=count, limit_hours=prior.hours, **common
        )

    def judge(
        self,
        position: Position,
        now: datetime,
        *,
        prior: Prior | None = None,
        business_days: bool | None = None,
        display_name: str | None = None,
        lang: str | Language = "en",
    ) -> StageVerdict:
        """Is the parcel at `position` stuck at `now`? (See `StageVerdict`.)

        A thin delegate: the history gives the figures (`figures`), the advisor decides and says
        it (`tracklingo.advisor.judge.stage_verdict`, the one place "stuck" is decided).
        `display_name` names the carrier in the text (default: its name in capitals). The text is
        in language `lang` (a tag such as ``de``, or a `tracklingo.advisor.Language`).
        """
        from tracklingo.advisor.judge import stage_verdict

        found = self.figures(position, now, prior=prior, business_days=business_days)
        return stage_verdict(found, display_name=display_name, lang=lang)

    def delivery_window(
        self, position: Position, now: datetime, *, lang: str | Language = "en"
    ) -> DeliveryWindow | None:
        """The likely delivery dates of the parcel at `position` at `now`, from the times to
        delivery of the journeys that were at the same (carrier, stage, lane) and were delivered,
        given that this one has already spent its time there: the `window` quantiles of those
        that took longer. `None` when fewer than `min_samples` such journeys were delivered, or
        fewer than `MIN_TAIL` took longer than this one has already. The text is in language
        `lang`, its dates in the time zone of `position.since`."""
        settings = self.settings
        need = settings.min_samples
        stats = self.table.get(position.carrier, position.stage, position.lane)
        if (stats is None or stats.to_delivered is None or stats.to_delivered.n < need) and position.lane in (
            "inbound",
            "outbound",
        ):
            stats = self.table.get(position.carrier, position.stage, "international")
        if stats is None or stats.to_delivered is None or stats.to_delivered.n < need:
            return None
        dist = stats.to_delivered
        since, now = order_key(position.since), order_key(now)
        elapsed = max(0.0, (now - since).total_seconds() / 3600)
        done = dist.share_below(elapsed)
        if (1 - done) * dist.n < MIN_TAIL:
            return None
        low_q, high_q = settings.window

        def at(q: float) -> datetime:
            hours = max(elapsed, dist.quantile(done + q * (1 - done)))
            return (since + timedelta(hours=hours)).astimezone(since.tzinfo)

        earliest, likely, latest = at(low_q), at(0.5), at(high_q)
        text = words.window(
            words.speech(lang),
            earliest=earliest,
            latest=latest,
            now=now.astimezone(since.tzinfo),
            coverage=round((high_q - low_q) * 100),
            samples=dist.n,
        )
        return DeliveryWindow(
            earliest=earliest,
            likely=likely,
            latest=latest,
            coverage=high_q - low_q,
            samples=dist.n,
            lane_used=stats.lane,
            text=text,
        )

    def assess(
        self,
        journey: Journey,
        now: datetime,
        *,
        homes: Mapping[str, str | None] | None = None,
        prior: Prior | None = None,
        business_days: bool | None = None,
        lang: str | Language = "en",
    ) -> HistoryAssessment | None:
        """`judge` and `delivery_window` for `journey` as it stood at `now` (`position_of`; the
        home countries default to those the history was read with), their texts in `lang`.
        `None` when it has no dated, known stage then, or has ended (delivered, returned,
        cancelled)."""
        position = position_of(journey, now, homes=self.table.homes if homes is None else homes)
        if position is None or position.stage.is_terminal:
            return None
        speech = words.speech(lang)
        return HistoryAssessment(
            carrier=position.carrier,
            stage=position.stage,
            lane=position.lane,
            since=position.since,
            verdict=self.judge(position, now, prior=prior, business_days=business_days, lang=speech),
            window=self.delivery_window(position, now, lang=speech),
        )


def position_of(
    journey: Journey, now: datetime | None = None, *, homes: Mapping[str, str | None] | None = None
) -> Position | None:
    """Where `journey` stood at `now` (default: its latest scan), read the way `read_dwell` reads
    the store: dated scans at or before `now`, ``unknown`` ones left out; the current run of the
    stage starts at its first scan. Its lane is `lane_for` with the carrier's home from `homes`.
    `None` when no such scan exists."""
    limit = order_key(now) if now is not None else None
    kept = [
        e
        for e in journey.events
        if e.occurred_at is not None and (limit is None or order_key(e.occurred_at) <= limit)
    ]
    if len(kept) != len([e for e in journey.events if e.occurred_at is not None]):
        origin, destination = _ends(kept)
    else:
        origin, destination = journey.origin_country, journey.destination_country
    timed = sorted(
        ((order_key(e.occurred_at), e) for e in kept if e.occurred_at and e.stage is not Stage.UNKNOWN),
        key=lambda pair: pair[0],
    )
    if not timed:
        return None
    current = timed[-1][1]
    start = len(timed) - 1
    while start > 0 and timed[start - 1][1].stage is current.stage:
        start -= 1
    since, first = timed[start]
    home = (homes or {}).get(first.carrier)
    lane = lane_for(home, origin, destination, (e.stage for _, e in timed))
    return Position(carrier=first.carrier, stage=current.stage, lane=lane, since=first.occurred_at or since)


def _ends(events: Sequence[TrackingEvent]) -> tuple[str | None, str | None]:
    """Origin and destination countries of a journey cut short: `tracklingo.journeys`' rule over
    the scans kept (the origin from the part holding the first scan, the destination from the part
    holding the last, should a later handoff have been what joined them)."""
    if not events:
        return None, None
    rebuilt = build_journeys(events)

    def part_with(event: TrackingEvent) -> Journey:
        key = event.dedup_key
        return next((j for j in rebuilt if any(e.dedup_key == key for e in j.events)), rebuilt[0])

    return part_with(events[0]).origin_country, part_with(events[-1]).destination_country

