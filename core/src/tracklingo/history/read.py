"""`read_dwell`: the dwell history of a store, in SQL (window functions) over the store opened
read-only; see the package docstring for what is read and how."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Final

from tracklingo.checkdigits import parse_s10
from tracklingo.history.lanes import DESTINATION_CROSSING, LANES, ORIGIN_CROSSING, Lane
from tracklingo.history.stats import DwellStats, DwellTable, Quantiles, knot_ranks
from tracklingo.taxonomy import Stage
from tracklingo.times import order_key

MIN_SQLITE: Final = (3, 25, 0)  # window functions (and the JSON functions, built in since 3.38)

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
    """The dwell history of the store at `db` (read-only; see the `tracklingo.history` docstring).

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
        params["as_of"] = order_key(as_of).isoformat()
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
        for rank in knot_ranks(n):
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


