"""Time rules: keep an offset the carrier gave; resolve a naive local time only where certain.

A naive time is resolved from (in order) a GMT offset the payload carries beside it, the US state, or
the country when every zone of that country has the same offset at that moment. Otherwise it is kept
naive with `is_local=True` and a note naming the assumption. Nothing is ever shifted silently.

The core owns every time rule; adapters hand over what the carrier wrote (`scan_time` takes a
scan's time fields and its place):

- an offset the carrier gave is kept exactly, seconds included (``+05:30:45``); an offset beyond
  ±14:00 is not a real one, and a time outside the years `YEARS` is not a carrier's (both are
  errors: a reject for a feed record, an undated event with a note inside an API response);
- a trailing ``Z`` is UTC unless the carrier declares that it writes local times with one
  (`TimeRules.trusts_z`);
- a date without a time stays a date (noted); a carrier may declare when its midnight is a date
  placeholder (`MidnightRule`);
- a UTC time the carrier writes beside a local one (USPS ``GMTTimestamp``) is a cross-check: a
  disagreement is noted, and it gives the offset of a naive time no rule could place, and the
  time itself when the local one is missing or unreadable;
- an event with no country, in a shipment that starts and ends in one country, is timed there.

The usual shapes (an ISO time with its offset; a plain local time with a UTC offset field that
agrees with the UTC time) take a fast path with the same answer (the tests compare both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from tracklingo.countries import country_zones, us_state_zone
from tracklingo.errors import InputError

__all__ = [
    "MAX_OFFSET",
    "YEARS",
    "MidnightRule",
    "ResolvedTime",
    "TimeRules",
    "check_time",
    "fast_time",
    "local_offset",
    "local_time",
    "order_key",
    "parse_offset",
    "resolve_time",
    "scan_time",
    "state_zone",
    "zone_offset",
]

_OFFSET_RE: Final = re.compile(r"^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$")
_ZERO_OFFSETS: Final = frozenset({"Z", "UTC", "GMT"})
#: The one offset form `local_time` keeps beside a date and clock time: ``+09:00`` / ``+0900``.
_LOCAL_OFFSET: Final = re.compile(r"^[+-]\d{2}:?\d{2}$")
#: The years a carrier's timestamp can mean (inclusive): parcels were not tracked before 1970,
#: and a time past 2100 is a typo or a placeholder. Outside them a time is an error, so nothing
#: downstream meets a year it cannot convert (9999-12-31 with a negative offset overflows).
YEARS: Final = (1970, 2100)
#: The largest UTC offset in use anywhere (Kiribati +14:00; the lowest is -12:00).
MAX_OFFSET: Final = timedelta(hours=14)


@dataclass(slots=True)  # not frozen: built per event, and frozen init costs ~3x
class ResolvedTime:
    """A carrier time after the rules: `when` is aware unless `is_local`."""

    when: datetime | None
    is_local: bool = False
    note: str | None = None


def check_time(when: datetime) -> datetime:
    """`when` itself, when its year is in `YEARS` and its offset (if any) within ±14:00; else
    `ValueError` saying which."""
    if not YEARS[0] <= when.year <= YEARS[1]:
        raise ValueError(f"year {when.year} is outside {YEARS[0]}-{YEARS[1]}")
    if when.tzinfo is not None:
        offset = when.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise ValueError(f"UTC offset {_offset_text(offset)} is beyond ±14:00")
    return when


def _offset_text(delta: timedelta) -> str:
    """``-06:00`` (``+05:30:45`` with seconds) for an offset."""
    sign = "-" if delta < timedelta(0) else "+"
    seconds = abs(int(delta.total_seconds()))
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text + f":{seconds % 60:02d}" if seconds % 60 else text


@lru_cache(maxsize=1024)  # keyed by payload text: bounded
def parse_offset(value: str) -> timezone:
    """Parse a GMT offset such as ``-7:00``, ``-07:00``, ``+0530``, ``+05:30:45``, ``GMT+1``
    or ``UTC``; `InputError` for anything else or beyond ±14:00."""
    if value.strip().upper() in _ZERO_OFFSETS:
        return UTC
    m = _OFFSET_RE.match(value.strip())
    if m is None:
        raise InputError(f"bad UTC offset {value!r}")
    sign, hours, minutes, seconds = m.group(1), int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0)
    delta = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if minutes > 59 or seconds > 59 or delta > MAX_OFFSET:
        raise InputError(f"bad UTC offset {value!r}")
    return timezone(-delta if sign == "-" else delta)


def local_time(day: Any, clock: Any, offset: Any = None) -> tuple[str | None, str | None]:
    """A local time a carrier writes as a date and a clock time apart, with its UTC offset beside
    them (MyDHL ``date``, ``time``, ``GMTOffset``), as the `Scan.time` and `Scan.utc_offset` the
    core reads: ``("2020-05-18T08:52:00", "+09:00")``.

    Each part is taken when it is a non-blank string (stripped). Without a clock time the date
    alone is the time (a date only); without a date there is no time. The offset is kept only in
    the form ``±HH:MM`` / ``±HHMM`` (else None: the place's zone decides); one of that form the
    core cannot read (``+25:00``) is then ignored by `scan_time` like any unreadable offset.
    """
    day = day.strip() or None if isinstance(day, str) else None
    clock = clock.strip() or None if isinstance(clock, str) else None
    offset = offset.strip() if isinstance(offset, str) else None
    return (
        f"{day}T{clock}" if day and clock else day,
        offset if offset and _LOCAL_OFFSET.match(offset) else None,
    )


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=8192)
def _country_zone_at(country: str, year: int, month: int, day: int, hour: int, half: int) -> str | None:
    # offsets change on the hour or half hour: one half hour has one answer (see `_zone_offset`)
    zones = country_zones(country)
    if not zones:
        return None
    naive = datetime(year, month, day, hour, 30 * half)
    offsets = {naive.replace(tzinfo=_zone(z)).utcoffset() for z in zones}
    return zones[0] if len(offsets) == 1 else None


def state_zone(country: str | None, region: str | None) -> str | None:
    """The zone of a place at every moment: a U.S. state's (a region code alone could be any
    country's); None otherwise (another country's zone can depend on the moment, see
    `local_offset`)."""
    return us_state_zone(region) if country == "US" and region else None


def local_offset(country: str | None, region: str | None, wall: datetime) -> timezone | None:
    """The fixed offset the rules give a naive wall-clock time at a place (`fast_time`'s third
    shape): None when the place does not make the zone certain, or when the time's half hour is
    repeated or skipped by a daylight-saving change. It depends on the place and the half hour
    only."""
    return _local_zone(country, region, wall.year, wall.month, wall.day, wall.hour, wall.minute // 30)[1]


def zone_offset(zone: str, wall: datetime) -> timezone | None:
    """`local_offset` at a place whose zone is `zone` at every moment (`state_zone`)."""
    return _zone_offset(zone, wall.year, wall.month, wall.day, wall.hour, wall.minute // 30)


@lru_cache(maxsize=16384)
def _local_zone(
    country: str | None, region: str | None, year: int, month: int, day: int, hour: int, half: int
) -> tuple[str | None, timezone | None]:
    """(zone, fixed offset) of a naive wall-clock half hour at a place: zone None when the place
    does not make it certain, offset None when that half hour is repeated or skipped by a
    daylight-saving change. One cached answer per place and half hour (feeds repeat both)."""
    zone = state_zone(country, region)
    if zone is None and country and country != "US":
        zone = _country_zone_at(country, year, month, day, hour, half)
    if zone is None:
        return None, None
    return zone, _zone_offset(zone, year, month, day, hour, half)


def _aware(naive: datetime, tz: timezone) -> datetime:
    """``naive.replace(tzinfo=tz)``, at a quarter of its cost (``replace`` parses keywords)."""
    return datetime.combine(naive.date(), naive.time(), tz)


def _parse(value: str, *, trust_z: bool) -> tuple[datetime, bool, int]:
    """Parse ISO 8601; returns (datetime, untrusted_z_dropped, length of the stripped text)."""
    text = value.strip()
    length = len(text)
    dropped = False
    if text[-1:] in ("Z", "z"):
        if trust_z:
            text = text[:-1] + "Z"  # RFC 3339 allows a lower-case z; `fromisoformat` does not
        else:
            text, dropped = text[:-1], True
    try:
        when = check_time(datetime.fromisoformat(text))
    except ValueError as exc:
        why = "expected ISO 8601" if "isoformat" in str(exc) else str(exc)
        raise InputError(f"bad timestamp {value!r} ({why})") from None
    return when, dropped, length


def resolve_time(
    value: str | datetime | None,
    *,
    country: str | None = None,
    region: str | None = None,
    utc_offset: str | None = None,
    trust_z: bool = True,
) -> ResolvedTime:
    """Apply the design's time rules to one carrier timestamp.

    `country` is ISO alpha-2, `region` a state/province code (used for US states only),
    `utc_offset` a GMT offset field the payload carries beside the time. With `trust_z=False` a
    trailing ``Z`` is read as local time (some carriers write local wall-clock time with a ``Z``).
    """
    if value is None or value == "":
        return ResolvedTime(None, False, "the carrier gave no time for this event")
    dropped = False
    if isinstance(value, datetime):
        try:
            when = check_time(value)
        except ValueError as exc:
            raise InputError(f"bad timestamp {value.isoformat()!r} ({exc})") from None
    else:
        when, dropped, length = _parse(value, trust_z=trust_z)
        if length == 10:  # "2026-11-20": a date without a time of day
            return ResolvedTime(when, True, "the carrier gave a date only; the time of day is not known")
    if when.tzinfo is not None:
        return ResolvedTime(when)
    if utc_offset:
        return ResolvedTime(_aware(when, parse_offset(utc_offset)))
    why = "a trailing Z this carrier writes on local times" if dropped else "no offset"
    zone, offset = _local_zone(country, region, when.year, when.month, when.day, when.hour, when.minute // 30)
    if zone is not None:
        if offset is None:
            return ResolvedTime(
                when,
                True,
                f"local time of the scan with {why}; it falls in a daylight-saving change in"
                f" {zone} (the hour repeats or is skipped), so its offset is not certain",
            )
        return ResolvedTime(_aware(when, offset))
    where = f" ({region + ', ' if region else ''}{country})" if country else ""
    return ResolvedTime(
        when,
        True,
        f"local time of the scan with {why}; its time zone is not certain from the location{where}",
    )


def _at_dst_change(naive: datetime, zone: str) -> bool:
    """True when the wall-clock time is ambiguous (repeated hour) or impossible (skipped hour)."""
    tz = _zone(zone)
    return naive.replace(tzinfo=tz, fold=0).utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset()


def _fixed_offset(naive: datetime, zone: str) -> timezone:
    """A fixed-offset tz for the zone at that moment, so JSON shows an offset, not a zone name."""
    offset = naive.replace(tzinfo=_zone(zone)).utcoffset() or timedelta(0)
    return UTC if offset == timedelta(0) else timezone(offset)


@lru_cache(maxsize=8192)
def _zone_offset(zone: str, year: int, month: int, day: int, hour: int, half: int) -> timezone | None:
    """The fixed offset of `zone` during one half hour of wall-clock time, or `None` when that
    time is repeated or skipped by a daylight-saving change. Time zones change offset on the hour
    or half hour, so one half hour has one answer: cached, as feeds repeat the same hours."""
    naive = datetime(year, month, day, hour, 30 * half)
    if _at_dst_change(naive, zone):
        return None
    return _fixed_offset(naive, zone)


# -- a carrier's declared options, and one scan's time ------------------------------------------


@dataclass(frozen=True, slots=True)
class MidnightRule:
    """When a carrier writes midnight as a placeholder for "this date, time unknown".

    Attributes:
        note: what the event's `time_note` says (the time is kept as written).
        codes: the event codes this applies to; empty = every event.
        without_utc: only when the carrier wrote no UTC offset or UTC time beside it (USPS
            pre-shipment scans come without ``GMTTimestamp``/``GMTOffset`` and at midnight).
        no_offset_note: added to the note when the time itself had no offset.
    """

    note: str
    codes: frozenset[str] = frozenset()
    without_utc: bool = False
    no_offset_note: str | None = None


@dataclass(frozen=True, slots=True)
class TimeRules:
    """A carrier's declared time options (see `tracklingo.adapter.Carrier`).

    Attributes:
        carrier: the carrier's display name, for notes.
        trusts_z: False for a carrier that writes local wall-clock times with a ``Z``.
        midnight: when its midnight means a date only (`MidnightRule`), if ever.
        time_name, utc_name: what the carrier calls its time and its UTC time, for notes
            (USPS: ``eventTimestamp`` and ``GMTTimestamp``).
    """

    carrier: str = "the carrier"
    trusts_z: bool = True
    midnight: MidnightRule | None = None
    time_name: str = "timestamp"
    utc_name: str = "UTC time"


_GMT_TOLERANCE: Final = timedelta(minutes=2)  # a local time is whole minutes, a UTC time has seconds
_EARLY: Final = -_GMT_TOLERANCE
_NO_TIME: Final = "the carrier gave no time for this event"
_fromiso: Final = datetime.fromisoformat
_FIRST_YEAR, _LAST_YEAR = YEARS


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any) -> str | None:
    if value.__class__ is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


#: UTC offset text → (``+HH:MM`` suffix, offset, (offset - 2 min, offset + 2 min)), or None when
#: `scan_time` must read it.
_OFFSETS: dict[str, tuple[str, timedelta, tuple[timedelta, timedelta]] | None] = {}
_UNSEEN: Final[Any] = object()


def _offset_entry(value: str) -> tuple[str, timedelta, tuple[timedelta, timedelta]] | None:
    """``-07:00`` → (``-07:00``, -7 h, (-7 h - 2 min, -7 h + 2 min)), ``-7:00`` the same; None if
    unreadable."""
    entry: tuple[str, timedelta, tuple[timedelta, timedelta]] | None = None
    if value.strip():
        try:
            offset = parse_offset(value.strip()).utcoffset(None)
        except InputError:
            offset = None
        if offset is not None:
            entry = (_offset_text(offset), offset, (offset + _EARLY, offset + _GMT_TOLERANCE))
    if len(_OFFSETS) < 1024:
        _OFFSETS[value] = entry
    return entry


def fast_time(
    rules: TimeRules,
    value: Any,
    utc_offset: Any,
    utc_time: Any,
    country: str | None = None,
    region: str | None = None,
) -> datetime | None:
    """`scan_time` (lenient or strict alike) for the three usual shapes, or None for the full rules
    to decide:

    - ``YYYY-MM-DDTHH:MM:SS±HH:MM`` (an offset, no UTC time beside it);
    - ``YYYY-MM-DDTHH:MM:SS`` with a valid UTC offset field, and a UTC time (``...Z``) that is
      absent or agrees within two minutes;
    - ``YYYY-MM-DDTHH:MM:SS`` alone, at a place (`country`, `region`) whose zone and offset at
      that moment are certain.

    Either way in the years `YEARS`, and not a midnight the carrier's `MidnightRule` could mean
    as a date. The answer is then the aware time with no note, exactly what the full rules give
    (the tests compare both on every fixture and on generated times).
    """
    if value.__class__ is not str:
        return None
    size = len(value)
    if size == 19:  # a local time
        if utc_offset is None:
            if utc_time is not None or country is None:
                return None
            try:
                naive = _fromiso(value)
            except ValueError:
                return None
            if not _FIRST_YEAR <= naive.year <= _LAST_YEAR:
                return None
            if rules.midnight is not None and not (naive.hour or naive.minute or naive.second):
                return None
            offset = _local_zone(
                country, region, naive.year, naive.month, naive.day, naive.hour, naive.minute // 30
            )[1]
            return None if offset is None else _aware(naive, offset)
        if utc_offset.__class__ is not str:
            return None
        entry = _OFFSETS.get(utc_offset, _UNSEEN)
        if entry is _UNSEEN:
            entry = _offset_entry(utc_offset)
        if entry is None:
            return None
        try:
            when = _fromiso(value + entry[0])
            if not _FIRST_YEAR <= when.year <= _LAST_YEAR:
                return None
            midnight = rules.midnight
            if (
                midnight is not None
                and not midnight.without_utc
                and not (when.hour or when.minute or when.second)
            ):
                return None
            if utc_time is None:
                return when
            if utc_time.__class__ is not str or len(utc_time) != 20 or utc_time[19] != "Z":
                return None
            # local - UTC, on naive times, within two minutes of the offset: what the full rules
            # check (a UTC time two minutes off a valid local time is in the valid years too)
            low, high = entry[2]
            if low <= _fromiso(value) - _fromiso(utc_time[:19]) <= high:
                return when
        except ValueError:
            return None
        return None
    if (
        size != 25
        or utc_time is not None
        or value[19] not in "+-"
        or (value[20] == "1" and value[20:25] > "14:00")
    ):
        return None  # not a time with its offset (a Z, a fraction, beyond ±14:00: the full rules)
    try:
        when = _fromiso(value)
    except ValueError:
        return None
    if not _FIRST_YEAR <= when.year <= _LAST_YEAR:
        return None
    if rules.midnight is not None and not (when.hour or when.minute or when.second):
        return None
    return when


def _parse_utc(value: str | None) -> datetime | None:
    """A UTC time field as an aware datetime; None when absent, unreadable or out of range."""
    if not value:
        return None
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        when = check_time(datetime.fromisoformat(text))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _hours_text(delta: timedelta) -> str:
    """``+24.0 h`` for a difference."""
    return f"{delta.total_seconds() / 3600:+.1f} h"


def scan_time(
    rules: TimeRules,
    value: Any,
    *,
    utc_offset: Any = None,
    utc_time: Any = None,
    missing_note: str | None = None,
    code: str | None = None,
    country: str | None = None,
    region: str | None = None,
    home: str | None = None,
    strict: bool = False,
    fast: bool = True,
) -> ResolvedTime:
    """The time of one scan under the core's rules (see the module docstring).

    `value` is the time as the carrier wrote it; `utc_offset` / `utc_time` the UTC offset and UTC
    time it writes beside it, if any; `code` the event's code (for `MidnightRule.codes`);
    `country` / `region` the event's place; `home` the one country a shipment starts and ends in.
    With `strict` (a feed record) an unusable time or offset raises `InputError`; otherwise (an
    API response) the event keeps no time and a note that says why. `fast`: try `fast_time` first
    (False when the caller just did).
    """
    if fast and (home is None or country is not None):
        quick = fast_time(rules, value, utc_offset, utc_time, country, region)
        if quick is not None:
            return ResolvedTime(quick)
    resolved = _full(rules, value, utc_offset, utc_time, missing_note, country, region, home, strict)
    midnight = rules.midnight
    when = resolved.when
    if (
        midnight is not None
        and when is not None
        and when.time() == time()
        and (not midnight.codes or code in midnight.codes)
        and not (midnight.without_utc and (_text(utc_offset) is not None or _text(utc_time) is not None))
    ):
        note = midnight.note
        if midnight.no_offset_note and not _has_offset(value):
            note = f"{note}; {midnight.no_offset_note}"
        if resolved.note:
            note = f"{note}; {resolved.note}"
        return ResolvedTime(when, resolved.is_local, note)
    return resolved


def _has_offset(value: Any) -> bool:
    if isinstance(value, datetime):
        return value.tzinfo is not None
    try:
        return datetime.fromisoformat(str(value).strip()).tzinfo is not None
    except ValueError:
        return False


def _full(
    rules: TimeRules,
    value: Any,
    utc_offset: Any,
    utc_time: Any,
    missing_note: str | None,
    country: str | None,
    region: str | None,
    home: str | None,
    strict: bool,
) -> ResolvedTime:
    offset_text = _text(utc_offset)
    offset: str | None = None
    if offset_text is not None:
        try:
            parse_offset(offset_text)
            offset = offset_text
        except InputError:
            if strict:
                raise
    utc = _parse_utc(_text(utc_time))
    stamp: str | datetime | None = value if isinstance(value, datetime) else _text(value)
    if value is not None and stamp is None and not isinstance(value, str) and strict:
        raise InputError(f"bad timestamp {_short(value)} (expected ISO 8601)")
    resolved: ResolvedTime | None = None
    why = "not ISO 8601"
    if stamp is not None:
        try:
            resolved = _placed(stamp, rules, offset, country, region, home)
        except InputError as exc:
            if strict:
                raise
            message = str(exc)
            why = message[message.rfind("(") + 1 : -1] if message.endswith(")") else message
    elif value is not None and not isinstance(value, str):
        why = f"not text but {type(value).__name__}"
    if resolved is None or resolved.when is None:
        if utc is not None:
            missing = "unreadable" if value is not None and value != "" else "missing"
            return ResolvedTime(
                utc, False, f"{rules.time_name} {missing}; the time is {rules.carrier}'s {rules.utc_name}"
            )
        if value is not None and value != "" and not (isinstance(value, str) and not value.strip()):
            shown = _short(value if isinstance(value, str) else repr(value))
            return ResolvedTime(
                None, False, f"{rules.carrier}'s {rules.time_name} {shown!r} is unreadable ({why})"
            )
        return ResolvedTime(None, False, missing_note or _NO_TIME)
    if utc is None:
        return resolved
    when = resolved.when
    try:
        if resolved.is_local:
            # no offset and no certain zone: the UTC time gives the offset, if it is plausible
            delta = when - utc.replace(tzinfo=None)
            rounded = timedelta(minutes=round(delta.total_seconds() / 900) * 15)
            if abs(rounded) <= MAX_OFFSET and abs(delta - rounded) <= _GMT_TOLERANCE:
                return ResolvedTime(
                    datetime.combine(when.date(), when.time(), timezone(rounded)),
                    False,
                    f"offset {_offset_text(rounded)} derived from {rules.carrier}'s {rules.utc_name}",
                )
            return resolved
        delta = when - utc
    except (OverflowError, ValueError):
        return resolved
    if abs(delta) > _GMT_TOLERANCE:
        return ResolvedTime(
            when,
            False,
            f"{rules.carrier}'s {rules.utc_name} {_text(utc_time)} disagrees with {rules.time_name}"
            f" {stamp if isinstance(stamp, str) else when.isoformat()} at its offset by"
            f" {_hours_text(delta)}; the local time and offset are used",
        )
    return resolved


def _placed(
    stamp: str | datetime,
    rules: TimeRules,
    offset: str | None,
    country: str | None,
    region: str | None,
    home: str | None,
) -> ResolvedTime:
    """`resolve_time`, plus: an event with no country in a shipment that never leaves `home` is
    timed in `home` when that country lies in one zone (the note says why)."""
    if country is None and home is not None and offset is None:
        naive = stamp if isinstance(stamp, datetime) else _fromiso_or_none(stamp)
        if naive is not None and naive.tzinfo is None and len(str(stamp).strip()) != 10:
            at_home = resolve_time(check_time(naive), country=home)
            if at_home.when is not None and not at_home.is_local:
                return ResolvedTime(
                    at_home.when,
                    False,
                    f"{rules.carrier} gave no place for this event; the time zone is that of {home},"
                    " where the shipment starts and ends",
                )
    return resolve_time(stamp, country=country, region=region, utc_offset=offset, trust_z=rules.trusts_z)


def _fromiso_or_none(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def order_key(when: datetime) -> datetime:
    """What events are ordered by: an aware time as its instant, a naive local time (flagged
    `time_is_local` on its event) as if it were UTC. The one helper for naive times: journeys,
    the builder's sort, the store, the advisor's and the history's clocks and ``--now`` use it."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
