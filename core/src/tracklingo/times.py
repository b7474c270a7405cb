"""Time rules: keep an offset the carrier gave; resolve a naive local time only where certain.

A naive time is resolved from (in order) a GMT offset the payload carries beside it, the US state, or
the country when every zone of that country has the same offset at that moment. Otherwise it is kept
naive with `is_local=True` and a note naming the assumption. Nothing is ever shifted silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache, lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from tracklingo.countries import country_zones, us_state_zone
from tracklingo.errors import InputError

__all__ = ["ResolvedTime", "parse_offset", "resolve_time"]

_OFFSET_RE: Final = re.compile(r"^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")
_ZERO_OFFSETS: Final = frozenset({"Z", "UTC", "GMT"})


@dataclass(slots=True)  # not frozen: built per event, and frozen init costs ~3x
class ResolvedTime:
    """A carrier time after the rules: `when` is aware unless `is_local`."""

    when: datetime | None
    is_local: bool = False
    note: str | None = None


@cache
def parse_offset(value: str) -> timezone:
    """Parse a GMT offset such as ``-7:00``, ``-07:00``, ``+0530``, ``GMT+1`` or ``UTC``."""
    if value.strip().upper() in _ZERO_OFFSETS:
        return UTC
    m = _OFFSET_RE.match(value.strip())
    if m is None:
        raise InputError(f"bad UTC offset {value!r}")
    sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        raise InputError(f"bad UTC offset {value!r}")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


@cache
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


@lru_cache(maxsize=16384)
def _local_zone(
    country: str | None, region: str | None, year: int, month: int, day: int, hour: int, half: int
) -> tuple[str | None, timezone | None]:
    """(zone, fixed offset) of a naive wall-clock half hour at a place: zone None when the place
    does not make it certain, offset None when that half hour is repeated or skipped by a
    daylight-saving change. One cached answer per place and half hour (feeds repeat both)."""
    zone: str | None = None
    if country == "US" and region:  # a region code alone could be any country's
        zone = us_state_zone(region)
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
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"bad timestamp {value!r} (expected ISO 8601)") from None
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
        when = value
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


def _fixed(naive: datetime, zone: str) -> timezone:
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
    return _fixed(naive, zone)
