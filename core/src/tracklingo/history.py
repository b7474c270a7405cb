"""Dwell history: how long parcels actually stay at each stage, learned from the user's own store.

A team that ingests its feeds holds the real answer to "is this parcel stuck?": how long parcels
like this one (same carrier, same stage, same lane) sat at that stage before. This module reads it
from a store, in SQL, and answers with it.

- `read_dwell(db, homes=...)` returns a `DwellTable`: per (carrier, stage, lane) the distribution
  of the time at the stage (calendar hours and Monday-Friday hours) over every *completed*
  transition, and the distribution of the time from entering the stage to delivery over the
  journeys that were delivered. ``tracklingo dwell`` prints it.
- `History` answers for one parcel: `History.judge` compares its time at the stage with the
  history ("parcels like this one moved on after 1.2 days (median), 90 % within 3.1 days; this one
  has been here 6.0 days: slower than 97 %") and calls it stuck beyond a percentile (default p90)
  once there are enough samples (default 30); below that a fixed threshold (`Prior`, the
  advisor's ``advice.toml`` figure) decides, and the answer says which was used (`StageVerdict`).
  `History.delivery_window` gives the p10-p90 delivery dates (`DeliveryWindow`), and
  `History.assess` does both for a `Journey`.

Without a history (no store given, or ``--no-history``) the advisor judges by its fixed thresholds
alone, exactly as before, and gives no delivery window: nothing here is consulted.

How the store is read (SQL with window functions, SQLite 3.35 or newer; ``_STEPS`` below):

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

import math
import sqlite3
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracklingo.carrier import Carrier
from tracklingo.checkdigits import parse_s10
from tracklingo.journeys import Journey, build_journeys
from tracklingo.model import TrackingEvent
from tracklingo.taxonomy import INTERNATIONAL_STAGES, Stage

# The advisor's results carry this module's answers, so it stays light to import: the store and
# the advisor's helpers are imported where they are used.

__all__ = [
    "LANES",
    "DeliveryWindow",
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
    "position_of",
    "read_dwell",
]

Lane = Literal["domestic", "inbound", "outbound", "international"]
#: The lanes, in display order. ``international`` pools every direction (see the module docstring).
LANES: Final[tuple[Lane, ...]] = ("domestic", "inbound", "outbound", "international")
LANE_LABELS: Final[Mapping[str, str]] = {
    "domestic": "domestic",
    "inbound": "international inbound",
    "outbound": "international outbound",
    "international": "international",
}
#: Cross-border stages that happen in the origin country; the others happen at the destination.
ORIGIN_CROSSING: Final = frozenset({Stage.EXPORT_CUSTOMS, Stage.DEPARTED_ORIGIN_COUNTRY})
DESTINATION_CROSSING: Final = INTERNATIONAL_STAGES - ORIGIN_CROSSING
#: At least this many history samples must be slower than the parcel's time at its stage for a
#: delivery window (beyond them the history has nothing left to say).
MIN_TAIL: Final = 10
MIN_SQLITE: Final = (3, 25, 0)  # window functions (and the JSON functions, built in since 3.38)

# -- distributions ------------------------------------------------------------------------------


def _knot_ranks(n: int) -> list[int]:
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


# -- lanes --------------------------------------------------------------------------------------


def homes_of(carriers: Mapping[str, Carrier] | Iterable[Carrier]) -> dict[str, str | None]:
    """``{carrier name: home country}`` of a registry (or carriers), for `read_dwell` and `lane_for`."""
    found = carriers.values() if isinstance(carriers, Mapping) else carriers
    return {c.name: c.home_country for c in found}


def lane_for(
    home: str | None, origin: str | None, destination: str | None, stages: Iterable[Stage]
) -> Lane:
    """The lane of a journey as seen by a carrier whose home country is `home` (see the module
    docstring). `stages` are the journey's stages so far. The SQL in `read_dwell` is the same rule."""
    seen = set(stages)
    dcross = bool(seen & DESTINATION_CROSSING)
    ocross = bool(seen & ORIGIN_CROSSING)
    crossed = (origin is not None and destination is not None and origin != destination) or dcross or ocross
    if home is None:
        return "international" if crossed else "domestic"
    if origin is not None and origin != home:
        return "inbound"
    if destination is not None and destination != home:
        return "outbound"
    if dcross:
        return "inbound"
    if ocross:
        return "outbound"
    return "domestic"


# -- reading the store --------------------------------------------------------------------------

_LANE_CODES: Final[Mapping[Lane, int]] = {lane: i for i, lane in enumerate(LANES)}


def _ids(stages: Iterable[Stage]) -> str:
    return ", ".join(str(s.rank) for s in stages)


def _weekday_seconds(local: str) -> str:
    """SQL: Monday-Friday seconds from Monday 1970-01-05 00:00 to the local unix time `local`
    (integer arithmetic: exact)."""
    since_monday = f"(({local}) - 345600)"
    weeks = f"({since_monday} / 604800)"
    return f"({weeks} * 432000 + min({since_monday} - {weeks} * 604800, 432000))"


# The UTC offset in minutes, from the last six characters of an ISO time as the event carries
# it: '+08:00' / '-05:00'; anything else ('...:00Z', a naive time) is UTC.
_OFFSET_SQL: Final = (
    "CASE WHEN substr(zone, 1, 1) IN ('+', '-') THEN"
    " (CASE substr(zone, 1, 1) WHEN '-' THEN -1 ELSE 1 END)"
    " * (CAST(substr(zone, 2, 2) AS INTEGER) * 60 + CAST(substr(zone, 5, 2) AS INTEGER))"
    " ELSE 0 END"
)


def _at(column: str, time: str, where: str = "", last: bool = False) -> str:
    """SQL: `column` of the journey's event at time `time` (the first such event by id, or the last)."""
    order = "DESC" if last else ""
    return (
        f"(SELECT e.{column} FROM tl_ev AS e WHERE e.jid = t.jid AND e.ts = t.{time}"
        f" AND e.{column} IS NOT NULL {where} ORDER BY e.id {order} LIMIT 1)"
    )


#: The read, step by step. Temp tables die with the read-only connection.
_STEPS: Final[tuple[str, ...]] = (
    # legs (carrier, number) and the journey each belongs to: a leg handed over to by another
    # joins that leg's number (`jn`); legs sharing a number share it anyway
    """CREATE TEMP TABLE tl_leg AS
    SELECT l.carrier, l.tracking_number, tl_s10_country(l.tracking_number) AS s10,
           coalesce((SELECT min(h.tracking_number) FROM events AS h
                     WHERE h.handoff_carrier = l.carrier AND h.handoff_number = l.tracking_number
                     {handoff_as_of}),
                    l.tracking_number) AS jn
    FROM (SELECT DISTINCT tracking_number, carrier FROM events) AS l""",
    "CREATE TEMP TABLE tl_journey (jid INTEGER PRIMARY KEY, jn TEXT UNIQUE NOT NULL)",
    "INSERT INTO tl_journey (jn) SELECT DISTINCT jn FROM tl_leg",
    "INSERT INTO tl_carrier (name) SELECT DISTINCT carrier FROM tl_leg WHERE carrier NOT IN"
    " (SELECT name FROM tl_carrier)",
    # dated, known events by journey and time (the primary key is the order every later step
    # reads); the time zone as the carrier gave it and the country come from the event's JSON
    """CREATE TEMP TABLE tl_ev (
        jid INTEGER NOT NULL, ts INTEGER NOT NULL, id INTEGER NOT NULL, cid INTEGER NOT NULL,
        sid INTEGER NOT NULL, s10 TEXT, zone TEXT, country TEXT,
        PRIMARY KEY (jid, ts, id)) WITHOUT ROWID""",
    """INSERT INTO tl_ev
    SELECT j.jid, CAST(round((julianday(e.occurred_at) - 2440587.5) * 86400) AS INTEGER), e.id, c.cid,
           s.sid, g.s10, substr(json_extract(e.event, '$.occurred_at'), -6),
           json_extract(e.event, '$.location.country')
    FROM tl_leg AS g
    JOIN tl_journey AS j ON j.jn = g.jn
    JOIN tl_carrier AS c ON c.name = g.carrier
    JOIN events AS e ON e.tracking_number = g.tracking_number AND e.carrier = g.carrier
    JOIN tl_stage AS s ON s.name = e.stage
    WHERE e.occurred_at <> '' AND e.stage <> 'unknown' {as_of} {carrier_journeys}""",
    # each journey's ends (`tracklingo.journeys`' rule), border crossings and delivery
    """CREATE TEMP TABLE tl_jt AS
    SELECT jid,
        min(CASE WHEN s10 IS NOT NULL THEN ts END) AS s10_ts,
        min(CASE WHEN country IS NOT NULL THEN ts END) AS first_ts,
        max(CASE WHEN country IS NOT NULL THEN ts END) AS last_ts,
        max(CASE WHEN country IS NOT NULL AND sid IN ({delivery}) THEN ts END) AS delivery_ts,
        max(sid IN ({dcross})) AS dcross,
        max(sid IN ({ocross})) AS ocross,
        min(CASE WHEN sid = {delivered} THEN ts END) AS delivered_ts
    FROM tl_ev GROUP BY jid""",
    """CREATE TEMP TABLE tl_j (
        jid INTEGER PRIMARY KEY, origin TEXT, destination TEXT, dcross INTEGER, ocross INTEGER,
        delivered_ts INTEGER)""",
    f"""INSERT INTO tl_j
    SELECT jid,
        coalesce({_at("s10", "s10_ts")}, {_at("country", "first_ts")}),
        coalesce({_at("country", "delivery_ts", "AND e.sid IN ({delivery})", last=True)},
                 {_at("country", "last_ts", last=True)}),
        dcross, ocross, delivered_ts
    FROM tl_jt AS t""",
    # runs: the first event of each stretch of one stage
    """CREATE TEMP TABLE tl_run (
        jid INTEGER NOT NULL, ts INTEGER NOT NULL, id INTEGER NOT NULL, cid INTEGER NOT NULL,
        sid INTEGER NOT NULL, off INTEGER NOT NULL, PRIMARY KEY (jid, ts, id)) WITHOUT ROWID""",
    f"""INSERT INTO tl_run
    SELECT jid, ts, id, cid, sid, {_OFFSET_SQL} FROM (
        SELECT jid, ts, id, cid, sid, zone, lag(sid) OVER (PARTITION BY jid ORDER BY ts, id) AS prev
        FROM tl_ev)
    WHERE prev IS NULL OR prev <> sid""",
    # one sample per run, in seconds: time at the stage and its Monday-Friday part (completed
    # runs), time to delivery (delivered journeys)
    f"""CREATE TEMP TABLE tl_sample AS
    SELECT r.cid, r.sid,
        CASE
            WHEN c.home IS NULL THEN
                CASE WHEN coalesce(j.origin <> j.destination, 0) OR j.dcross OR j.ocross
                     THEN {{international}} ELSE {{domestic}} END
            WHEN j.origin IS NOT NULL AND j.origin <> c.home THEN {{inbound}}
            WHEN j.destination IS NOT NULL AND j.destination <> c.home THEN {{outbound}}
            WHEN j.dcross THEN {{inbound}}
            WHEN j.ocross THEN {{outbound}}
            ELSE {{domestic}}
        END AS lane,
        r.next_ts - r.ts AS secs,
        {_weekday_seconds("r.next_ts + 60 * r.off")} - {_weekday_seconds("r.ts + 60 * r.off")} AS bsecs,
        CASE WHEN j.delivered_ts >= r.ts THEN j.delivered_ts - r.ts END AS dsecs
    FROM (SELECT jid, ts, cid, sid, off, lead(ts) OVER (PARTITION BY jid ORDER BY ts, id) AS next_ts
          FROM tl_run) AS r
    JOIN tl_j AS j ON j.jid = r.jid
    JOIN tl_carrier AS c ON c.cid = r.cid
    WHERE r.sid NOT IN ({{terminal}}) {{carrier}}""",
)
#: Group sizes per (carrier, stage, lane): completed transitions, and delivered journeys.
_COUNTS: Final = "SELECT cid, sid, lane, count(secs), count(dsecs) FROM tl_sample GROUP BY cid, sid, lane"
#: Every sample of every (group, measure) in one table, sorted by group and value (one integer:
#: the group's key times 2^32 plus the seconds). A sample's rank in its group is its position
#: minus where the group starts, known from the group sizes.
_SORTED: Final = """INSERT INTO tl_sorted (x) SELECT x FROM (
        {arms}
    ) ORDER BY x"""
_SHIFT: Final = 1 << 32  # seconds below, the group and measure above
_STAGE_SLOTS: Final = 64  # room for the stages in a group key (there are 21)


def _key(lane: str, kind: int) -> str:
    return f"(((cid * {_STAGE_SLOTS} + sid) * 4 + {lane}) * 4 + {kind}) * {_SHIFT}"


def _arms() -> str:
    columns = ("secs", "bsecs", "dsecs")
    arms = [
        f"SELECT {_key('lane', kind)} + {col} AS x FROM tl_sample WHERE {col} IS NOT NULL"
        for kind, col in enumerate(columns)
    ]
    pooled = _LANE_CODES["international"]
    directed = f"{_LANE_CODES['inbound']}, {_LANE_CODES['outbound']}"
    arms += [
        f"SELECT {_key(str(pooled), kind)} + {col} FROM tl_sample"
        f" WHERE {col} IS NOT NULL AND lane IN ({directed})"
        for kind, col in enumerate(columns)
    ]
    return "\n        UNION ALL ".join(arms)


def _s10_country(number: str) -> str | None:
    s10 = parse_s10(number)
    return s10.country if s10 is not None and s10.valid else None


def _connect_read_only(db: str | Path) -> sqlite3.Connection:
    """The store at `db` opened the way `Store(..., readonly=True)` opens it (``mode=ro``, or
    immutable; a current tracklingo store or `StoreError`), with room for temp tables."""
    from tracklingo.store import StoreError, _check_readable, _connect_readonly

    if sqlite3.sqlite_version_info < MIN_SQLITE:
        need = ".".join(map(str, MIN_SQLITE))
        raise StoreError(
            f"dwell history needs SQLite {need} or newer (this Python has {sqlite3.sqlite_version})"
        )
    conn = _connect_readonly(str(db))
    try:
        _check_readable(conn, str(db))
        # The file itself stays read-only (``mode=ro``/immutable); what this allows is the
        # in-memory temp tables the read is built from.
        conn.execute("PRAGMA query_only = OFF")
        conn.execute("PRAGMA temp_store = FILE")  # as fast here as MEMORY, and half the memory
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB
        conn.create_function("tl_s10_country", 1, _s10_country, deterministic=True)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"cannot read store {db}: {exc}") from None
    except BaseException:
        conn.close()
        raise
    return conn


def read_dwell(
    db: str | Path,
    *,
    homes: Mapping[str, str | None] | None = None,
    carrier: str | None = None,
    as_of: datetime | None = None,
) -> DwellTable:
    """The dwell history of the store at `db` (read-only; see the module docstring).

    Args:
        homes: each carrier's home country (`homes_of(registry)`); carriers not in it have none,
            so their international lanes are not split into inbound and outbound.
        carrier: only this carrier's rows (journeys are still read whole, for their lanes).
        as_of: learn only from events at or before this time (naive = UTC): the store as it
            stood then.

    Raises `StoreError` when the file is missing or not a tracklingo store.
    """
    params: dict[str, str] = {}
    fmt: dict[str, str] = {
        "as_of": "",
        "handoff_as_of": "",
        "carrier": "",
        "carrier_journeys": "",
        "delivery": _ids((Stage.DELIVERED, Stage.OUT_FOR_DELIVERY)),
        "dcross": _ids(DESTINATION_CROSSING),
        "ocross": _ids(ORIGIN_CROSSING),
        "delivered": str(Stage.DELIVERED.rank),
        "terminal": _ids((Stage.DELIVERED, Stage.RETURNED, Stage.CANCELLED)),
        **{lane: str(code) for lane, code in _LANE_CODES.items()},
    }
    if as_of is not None:
        fmt["as_of"] = "AND julianday(e.occurred_at) <= julianday(:as_of)"
        fmt["handoff_as_of"] = "AND h.occurred_at <> '' AND julianday(h.occurred_at) <= julianday(:as_of)"
        params["as_of"] = _aware(as_of).isoformat()
    if carrier is not None:
        fmt["carrier"] = "AND c.name = :carrier"
        fmt["carrier_journeys"] = "AND g.jn IN (SELECT jn FROM tl_leg WHERE carrier = :carrier)"
        params["carrier"] = carrier.strip().lower()
    from tracklingo.store import StoreError

    conn = _connect_read_only(db)
    try:
        groups, transitions = _run(conn, homes or {}, fmt, params)
    except sqlite3.Error as exc:
        raise StoreError(f"store {db}: {exc}") from None
    finally:
        conn.close()
    return DwellTable(
        db=str(db), as_of=as_of, groups=groups, transitions=transitions, homes=dict(homes or {})
    )


def _run(
    conn: sqlite3.Connection, homes: Mapping[str, str | None], fmt: Mapping[str, str], params: dict[str, str]
) -> tuple[dict[tuple[str, Stage, Lane], DwellStats], int]:
    conn.execute("CREATE TEMP TABLE tl_stage (sid INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)")
    conn.executemany("INSERT INTO tl_stage VALUES (?, ?)", [(s.rank, s.value) for s in Stage])
    conn.execute(
        "CREATE TEMP TABLE tl_carrier (cid INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, home TEXT)"
    )
    conn.executemany(
        "INSERT INTO tl_carrier (name, home) VALUES (?, ?)",
        [(name.lower(), home.upper() if home else None) for name, home in sorted(homes.items())],
    )
    for step in _STEPS:
        sql = step.format(**fmt)
        conn.execute(sql, {k: v for k, v in params.items() if f":{k}" in sql})
    sizes, transitions = _sizes(conn)
    knots = _knots(conn, sizes)
    names = dict(conn.execute("SELECT cid, name FROM tl_carrier"))
    stages = {s.rank: s for s in Stage}
    groups: dict[tuple[str, Stage, Lane], DwellStats] = {}
    for base in sorted({k - k % 4 for k in knots}):
        hours = knots.get(base)
        if not hours:
            continue  # no completed transition: nothing to say about the time at the stage
        rest, lane = base // 16, LANES[(base // 4) % 4]
        carrier, stage = names[rest // _STAGE_SLOTS], stages[rest % _STAGE_SLOTS]
        delivered = knots.get(base + 2)
        groups[(carrier, stage, lane)] = DwellStats(
            carrier=carrier,
            stage=stage,
            lane=lane,
            hours=_quantiles(sizes[base], hours),
            business_hours=_quantiles(sizes[base + 1], knots[base + 1]),
            to_delivered=_quantiles(sizes[base + 2], delivered) if delivered else None,
        )
    return groups, transitions


def _sizes(conn: sqlite3.Connection) -> tuple[dict[int, int], int]:
    """Samples per group and measure (keys as in `_key`), and the completed transitions."""
    sizes: dict[int, int] = {}
    transitions = 0
    pooled, directed = _LANE_CODES["international"], (_LANE_CODES["inbound"], _LANE_CODES["outbound"])
    for cid, sid, lane, n, m in conn.execute(_COUNTS):
        transitions += n
        for lane_code in (lane, pooled) if lane in directed else (lane,):
            base = ((cid * _STAGE_SLOTS + sid) * 4 + lane_code) * 4
            for kind, count in enumerate((n, n, m)):
                if count:
                    sizes[base + kind] = sizes.get(base + kind, 0) + count
    return sizes, transitions


def _knots(conn: sqlite3.Connection, sizes: Mapping[int, int]) -> dict[int, list[tuple[int, float]]]:
    """Sort every sample once (`_SORTED`) and read back only the kept ranks of each group, in hours."""
    from tracklingo.store import StoreError

    conn.execute("CREATE TEMP TABLE tl_sorted (pos INTEGER PRIMARY KEY, x INTEGER NOT NULL)")
    conn.execute(_SORTED.format(arms=_arms()))
    counted = sum(sizes.values())
    total = tuple(conn.execute("SELECT count(*), coalesce(max(pos), 0) FROM tl_sorted").fetchone())
    if total != (counted, counted):
        raise StoreError(f"dwell history: {total[0]} samples sorted, {counted} counted")
    wanted: dict[int, tuple[int, int]] = {}  # position -> (group and measure, rank)
    start = 1
    for k, n in sorted(sizes.items()):
        for rank in _knot_ranks(n):
            wanted[start + rank - 1] = (k, rank)
        start += n
    conn.execute("CREATE TEMP TABLE tl_want (pos INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO tl_want VALUES (?)", ((pos,) for pos in sorted(wanted)))
    knots: dict[int, list[tuple[int, float]]] = {}
    rows = conn.execute(
        "SELECT s.pos, s.x FROM tl_want AS w JOIN tl_sorted AS s ON s.pos = w.pos ORDER BY w.pos"
    )
    for pos, x in rows:
        k, rank = wanted[pos]
        group = knots.setdefault(k, [])
        value = (x % _SHIFT) / 3600
        if x // _SHIFT != k or (group and group[-1][1] > value):
            raise StoreError(f"dwell history: sample {pos} is out of order")  # never expected
        group.append((rank, value))
    return knots


def _quantiles(n: int, pairs: list[tuple[int, float]]) -> Quantiles:
    return Quantiles(n=n, ranks=tuple(r for r, _ in pairs), values=tuple(float(v) for _, v in pairs))


# -- answering for one parcel -------------------------------------------------------------------


class HistorySettings(BaseModel):
    """When the history decides: stuck beyond the `percentile` (0..1) of at least `min_samples`
    completed transitions; the delivery `window` is between these two quantiles."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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


class StageVerdict(BaseModel):
    """The answer to "is it stuck?" for one parcel at one time, and what it rests on.

    `basis` is ``history`` (the parcel's time at the stage against `samples` completed
    transitions on `lane_used`: `median_hours`, `limit_hours` = the `percentile`, `slower_than`
    = the share of them that moved on sooner), ``threshold`` (too few samples: the `Prior`
    decided, `limit_hours` is its figure) or ``none`` (too few samples and no prior: `stuck` is
    `None`). Hours are Monday-Friday hours when `business_days`, else calendar hours.
    """

    model_config = ConfigDict(frozen=True)

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
    zone of the parcel's latest stage scan. `samples` delivered journeys on `lane_used` rest it."""

    model_config = ConfigDict(frozen=True)

    earliest: datetime
    likely: datetime
    latest: datetime
    coverage: float
    samples: int
    lane_used: Lane
    text: str


class HistoryAssessment(BaseModel):
    """`History.assess`: the parcel's `Position`, the stuck verdict and the delivery window."""

    model_config = ConfigDict(frozen=True)

    carrier: str
    stage: Stage
    lane: Lane
    since: datetime
    verdict: StageVerdict
    window: DeliveryWindow | None


def _days(hours: float, business: bool = False) -> str:
    """A duration for people: hours under a day, else days to one decimal ("1.2 business days")."""
    if hours < 24:
        whole = round(hours)
        unit = "business hour" if business else "hour"
        return f"{whole} {unit}{'' if whole == 1 else 's'}"
    days = f"{hours / 24:.1f}"
    unit = "business day" if business else "day"
    return f"{days} {unit}{'' if days == '1.0' else 's'}"


def _percent(share: float) -> str:
    return f"{math.floor(share * 100 + 1e-9)} %"


def _day(when: datetime, month: bool, year: bool) -> str:
    text = f"{when:%a} {when.day}"
    if month:
        text += f" {when:%b}"
    if year:
        text += f" {when.year}"
    return text


def _day_range(low: datetime, high: datetime, now: datetime) -> str:
    year = low.year != high.year or low.year != now.year
    if low.date() == high.date():
        return f"on {_day(low, True, year)}"
    same_month = (low.year, low.month) == (high.year, high.month)
    return f"between {_day(low, not same_month, year)} and {_day(high, True, year)}"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class History:
    """Answers from a `DwellTable` (see the module docstring). Build it with `History.from_store`
    or from a table read earlier."""

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

    def judge(
        self,
        position: Position,
        now: datetime,
        *,
        prior: Prior | None = None,
        business_days: bool | None = None,
        display_name: str | None = None,
    ) -> StageVerdict:
        """Is the parcel at `position` stuck at `now`? (See `StageVerdict`.)

        Time at the stage counts Monday-Friday hours when `business_days` (default: the prior's
        setting, else calendar hours), in the local time of `position.since`. `display_name`
        names the carrier in the text (default: its name in capitals).
        """
        from tracklingo.advisor.text import business_hours

        settings = self.settings
        business = business_days if business_days is not None else bool(prior and prior.business_days)
        since, now = _aware(position.since), _aware(now)
        elapsed = business_hours(since, now) if business else max(0.0, (now - since).total_seconds() / 3600)
        stats, count = self.stats(position.carrier, position.stage, position.lane)
        name = display_name or position.carrier.upper()
        who = f"{name}, {position.stage.value}, {LANE_LABELS[position.lane]}"
        common: dict[str, Any] = {
            "carrier": position.carrier,
            "stage": position.stage,
            "lane": position.lane,
            "business_days": business,
            "elapsed_hours": round(elapsed, 2),
        }
        if stats is not None:
            dist = stats.business_hours if business else stats.hours
            median, limit = dist.quantile(0.5), dist.quantile(settings.percentile)
            slower = dist.share_below(elapsed)
            stuck = elapsed > limit
            pooled = " (all international parcels)" if stats.lane != position.lane else ""
            pct = round(settings.percentile * 100)
            text = (
                f"Parcels like this one ({who}) moved on after {_days(median, business)} (median)"
                f" in your history{pooled}, {pct} % within {_days(limit, business)};"
                f" this one has been here {_days(elapsed, business)}: slower than {_percent(slower)}."
            )
            where = "Beyond" if stuck else "Within"
            state = "stuck" if stuck else "on track"
            text += f" {where} the {_ordinal(pct)} percentile of {dist.n:,} parcels: {state}."
            return StageVerdict(
                basis="history",
                lane_used=stats.lane,
                samples=dist.n,
                median_hours=round(median, 2),
                limit_hours=round(limit, 2),
                percentile=settings.percentile,
                slower_than=round(slower, 4),
                stuck=stuck,
                text=text,
                **common,
            )
        thin = (
            f"Only {count:,} parcel{'s' if count != 1 else ''} like this one ({who}) in your history"
            f" ({settings.min_samples} needed)"
        )
        if prior is None:
            return StageVerdict(
                basis="none", lane_used=None, samples=count, stuck=None,
                text=f"{thin}, and no fixed threshold to judge by.", **common,
            )
        return StageVerdict(
            basis="threshold",
            lane_used=None,
            samples=count,
            limit_hours=prior.hours,
            stuck=elapsed > prior.hours,
            text=f"{thin}: judged by the fixed threshold of {_days(prior.hours, business)} instead.",
            **common,
        )

    def delivery_window(self, position: Position, now: datetime) -> DeliveryWindow | None:
        """The likely delivery dates of the parcel at `position` at `now`, from the times to
        delivery of the journeys that were at the same (carrier, stage, lane) and were delivered,
        given that this one has already spent its time there: the `window` quantiles of those
        that took longer. `None` when fewer than `min_samples` such journeys were delivered, or
        fewer than `MIN_TAIL` took longer than this one has already."""
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
        since, now = _aware(position.since), _aware(now)
        elapsed = max(0.0, (now - since).total_seconds() / 3600)
        done = dist.share_below(elapsed)
        if (1 - done) * dist.n < MIN_TAIL:
            return None
        low_q, high_q = settings.window

        def at(q: float) -> datetime:
            hours = max(elapsed, dist.quantile(done + q * (1 - done)))
            return (since + timedelta(hours=hours)).astimezone(since.tzinfo)

        earliest, likely, latest = at(low_q), at(0.5), at(high_q)
        share = round((high_q - low_q) * 100)
        text = (
            f"Likely delivered {_day_range(earliest, latest, now.astimezone(since.tzinfo))}"
            f" ({share} % of {dist.n:,} parcels like this one in your history)."
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
    ) -> HistoryAssessment | None:
        """`judge` and `delivery_window` for `journey` as it stood at `now` (`position_of`; the
        home countries default to those the history was read with).
        `None` when it has no dated, known stage then, or has ended (delivered, returned,
        cancelled)."""
        position = position_of(journey, now, homes=self.table.homes if homes is None else homes)
        if position is None or position.stage.is_terminal:
            return None
        return HistoryAssessment(
            carrier=position.carrier,
            stage=position.stage,
            lane=position.lane,
            since=position.since,
            verdict=self.judge(position, now, prior=prior, business_days=business_days),
            window=self.delivery_window(position, now),
        )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def position_of(
    journey: Journey, now: datetime | None = None, *, homes: Mapping[str, str | None] | None = None
) -> Position | None:
    """Where `journey` stood at `now` (default: its latest scan), read the way `read_dwell` reads
    the store: dated scans at or before `now`, ``unknown`` ones left out; the current run of the
    stage starts at its first scan. Its lane is `lane_for` with the carrier's home from `homes`.
    `None` when no such scan exists."""
    limit = _aware(now) if now is not None else None
    kept = [
        e
        for e in journey.events
        if e.occurred_at is not None and (limit is None or _aware(e.occurred_at) <= limit)
    ]
    if len(kept) != len([e for e in journey.events if e.occurred_at is not None]):
        origin, destination = _ends(kept)
    else:
        origin, destination = journey.origin_country, journey.destination_country
    timed = sorted(
        ((_aware(e.occurred_at), e) for e in kept if e.occurred_at and e.stage is not Stage.UNKNOWN),
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
