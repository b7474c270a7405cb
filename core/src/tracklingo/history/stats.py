"""The learned distributions: `Quantiles` (order statistics at every whole percentile),
`DwellStats` per (carrier, stage, lane) and the `DwellTable` that `read_dwell` returns."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracklingo.history.lanes import LANES, Lane
from tracklingo.taxonomy import Stage


def knot_ranks(n: int) -> list[int]:
    """Ranks kept of `n` sorted samples: the first, the last and every whole percentile's
    nearest rank (ceil(p * n / 100)); all of them when n <= 100."""
    if n <= 100:
        return list(range(1, n + 1))
    return sorted({1, n, *(-(-p * n // 100) for p in range(1, 100))})


@dataclass(frozen=True, slots=True)
class Quantiles:
    """An empirical distribution of `n` samples, kept as its order statistics at the ranks where a
    whole percentile falls (every rank when n <= 100): ``values[i]`` is the ``ranks[i]``-th
    smallest sample. Whole percentiles are exact (nearest rank); anything between is linear."""

    n: int
    ranks: tuple[int, ...]
    values: tuple[float, ...]

    def quantile(self, q: float) -> float:
        """The `q`-quantile (0..1), nearest rank: the ceil(q * n)-th smallest sample."""
        rank = min(self.n, max(1, math.ceil(q * self.n - 1e-9)))
        i = bisect_left(self.ranks, rank)
        if self.ranks[i] == rank:
            return self.values[i]
        r0, r1 = self.ranks[i - 1], self.ranks[i]
        v0, v1 = self.values[i - 1], self.values[i]
        return v0 + (v1 - v0) * (rank - r0) / (r1 - r0)

    def share_below(self, x: float) -> float:
        """The share (0..1) of samples at most `x`: exact at and between adjacent kept ranks;
        between two kept ranks further apart, the samples not kept are taken as spread evenly
        (off by at most the gap, one percent of the samples)."""
        values = self.values
        if x < values[0]:
            return 0.0
        if x >= values[-1]:
            return 1.0
        i = bisect_right(values, x) - 1  # values[i] <= x < values[i + 1]
        r0, r1 = self.ranks[i], self.ranks[i + 1]
        v0, v1 = values[i], values[i + 1]
        between = (r1 - r0 - 1) * (x - v0) / (v1 - v0)  # of the samples ranked r0+1 .. r1-1
        return (r0 + between) / self.n

    def summary(self, *qs: float) -> dict[str, float]:
        """``{"p50": ..., "p90": ...}`` for the given quantiles, rounded to 0.01."""
        return {f"p{round(q * 100)}": round(self.quantile(q), 2) for q in qs}


@dataclass(frozen=True, slots=True)
class DwellStats:
    """The history of one (carrier, stage, lane).

    `hours` and `business_hours` are the time at the stage over the completed transitions (the
    same transitions, measured in calendar and in Monday-Friday hours); `to_delivered` the time
    from entering the stage to delivery, in calendar hours, over the delivered journeys (`None`
    when none was delivered).
    """

    carrier: str
    stage: Stage
    lane: Lane
    hours: Quantiles
    business_hours: Quantiles
    to_delivered: Quantiles | None = None

    @property
    def n(self) -> int:
        """Completed transitions."""
        return self.hours.n

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: n, p50/p90/p99 in hours and business days, and the time to delivery."""
        bdays = {k: round(v / 24, 2) for k, v in self.business_hours.summary(0.5, 0.9, 0.99).items()}
        delivered = self.to_delivered
        return {
            "carrier": self.carrier,
            "stage": self.stage.value,
            "lane": self.lane,
            "n": self.n,
            "hours": self.hours.summary(0.5, 0.9, 0.99),
            "business_days": bdays,
            "to_delivered": (
                {"n": delivered.n, "hours": delivered.summary(0.1, 0.5, 0.9)} if delivered else None
            ),
        }


@dataclass(frozen=True, slots=True)
class DwellTable:
    """Every (carrier, stage, lane) with at least one completed transition, learned from `db`
    with the events up to `as_of` (all of them when `None`)."""

    db: str
    as_of: datetime | None
    groups: Mapping[tuple[str, Stage, Lane], DwellStats]
    transitions: int = 0  # completed transitions read (each once, whatever the pooling)
    homes: Mapping[str, str | None] = field(default_factory=dict)  # what the lanes were read with

    def get(self, carrier: str, stage: Stage, lane: Lane) -> DwellStats | None:
        """The history of one (carrier, stage, lane), if any."""
        return self.groups.get((carrier, stage, lane))

    def rows(self) -> list[DwellStats]:
        """Every group, by carrier, stage (journey order) and lane (`LANES` order)."""
        return sorted(
            self.groups.values(), key=lambda s: (s.carrier, s.stage.rank, LANES.index(s.lane))
        )


