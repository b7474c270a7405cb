"""Dwell history: how long parcels actually stay at each stage, learned from the user's own store.

A team that ingests its feeds holds the real answer to "is this parcel stuck?": how long parcels
like this one (same carrier, same stage, same lane) sat at that stage before. This package reads it
from a store, in SQL, and answers with it. Modules: `lanes` (how a journey is classed), `stats`
(the distributions), `read` (`read_dwell`), `answers` (`History`), `words` (its sentences in the
recipient's language, from the advisor's locale catalogs).

- `read_dwell(db, homes=...)` returns a `DwellTable`: per (carrier, stage, lane) the distribution
  of the time at the stage (calendar hours and Monday-Friday hours) over every *completed*
  transition, and the distribution of the time from entering the stage to delivery over the
  journeys that were delivered. ``tracklingo dwell`` prints it.
- `History` answers for one parcel: `History.judge` compares its time at the stage with the
  history ("parcels like this one moved on after 1.2 days (median), 90 % within 3.1 days; this one
  has been here 6.0 days: slower than 97 %") and calls it stuck beyond a percentile (default p90)
  once there are enough samples (default 30); below that a fixed threshold (`Prior`, the
  advisor's ``advice.toml`` figure) decides, and the answer says which was used (`StageVerdict`).
  This package gives the figures only (`History.figures`, `DwellFigures`: the time at the stage,
  median, limit, share slower, samples, lane used); the verdict is decided in one place, the
  advisor's `tracklingo.advisor.judge.is_stuck` (via `stage_verdict`, to which `History.judge`
  delegates), for the history and the fixed threshold alike.
  `History.delivery_window` gives the p10-p90 delivery dates (`DeliveryWindow`), and
  `History.assess` does both for a `Journey`.

Without a history (no store given, or ``--no-history``) the advisor judges by its fixed thresholds
alone, exactly as before, and gives no delivery window: nothing here is consulted.

How the store is read (SQL with window functions, SQLite 3.25 or newer; the steps are in
`tracklingo.history.read`):

- Events are grouped into journeys: legs (carrier, number) sharing a tracking number are one
  journey (a UPU S10 number tracked by two posts), and a leg named as another leg's `handoff` joins
  that leg's journey (one level: a handoff of a handoff joins the middle leg's journey only).
  Undated events and events with stage ``unknown`` are left out (they say nothing about where the
  parcel is); naive local times count as UTC, as in `tracklingo.journeys`.
- A *run* is a maximal sequence of a journey's events (in time order) with the same stage; its
  carrier is that of its first event. A run followed by another is a completed transition; its
  dwell is the time from its first event to the next run's first event. The current (last) run of
  a journey is still open and is not counted, nor are runs at delivered, returned or cancelled.
- Monday-Friday hours are counted in the local time of the run's first scan (its UTC offset as
  the carrier gave it), like `tracklingo.advisor.business_hours`.
- The lane is the journey's, as seen by the run's carrier (`lane_for`): origin is the issuing
  country of an S10 number, else the first scan's country; destination the country of the last
  delivered / out-for-delivery scan, else of the last located scan. A journey crosses a border
  when the two differ or it shows a cross-border stage. For a carrier with a home country (USPS:
  US) an international journey is ``inbound`` (from abroad) or ``outbound`` (from home); for a
  carrier without one (global networks) it is ``international``. The table's ``international``
  rows pool every international transition of the carrier, whatever its direction, so a lane with
  too few samples of its own falls back to them.

The database is opened read-only: nothing is written to it and its schema is not changed. The
store's own indexes serve the reads (the dedup index the scan by leg, the handoff index the
handoff joins); the intermediate steps are temp tables (SQLite's temporary files, which keep the
memory flat: about 180 MB at 1M events), keyed in the order the window functions read them, gone
when the connection closes. Per (carrier, stage, lane) and measure, only the order statistics at
each whole percentile come back to Python (`Quantiles`).
"""

from __future__ import annotations

from tracklingo.history.answers import (
    MIN_TAIL,
    DeliveryWindow,
    DwellFigures,
    History,
    HistoryAssessment,
    HistorySettings,
    Position,
    Prior,
    StageVerdict,
    position_of,
)
from tracklingo.history.lanes import LANES, Lane, homes_of, lane_for
from tracklingo.history.read import MIN_SQLITE, read_dwell
from tracklingo.history.stats import DwellStats, DwellTable, Quantiles
from tracklingo.history.words import lane_name

__all__ = [
    "LANES",
    "MIN_SQLITE",
    "MIN_TAIL",
    "DeliveryWindow",
    "DwellFigures",
    "DwellStats",
    "DwellTable",
    "History",
    "HistoryAssessment",
    "HistorySettings",
    "Lane",
    "Position",
    "Prior",
    "Quantiles",
    "StageVerdict",
    "homes_of",
    "lane_for",
    "lane_name",
    "position_of",
    "read_dwell",
]
