"""Seeded synthetic journeys with known truth: realistic stores for the dwell-history tests and the
backtest (`bench/backtest.py`).

Each journey follows one `Profile` (a carrier and lane: USPS domestic, inbound and outbound
international; FedEx domestic and international; DHL international; a DHL parcel handed to USPS for
the last mile), stage by stage. A stage's dwell (first scan of the stage to the first scan of the
next) is drawn from a log-normal distribution per profile and stage; business-day stages stop the
clock on Saturdays and Sundays in the local time of the stage's country, and no parcel is delivered
on a Sunday. A share of journeys is *stuck* (one stage sits 5-15 times its drawn dwell, then the
journey goes on) and a share is *lost* (the journey stops at one stage for good). `JourneyTruth`
keeps what the generator decided, so a backtest can score predictions against it.

Events are canonical `TrackingEvent`s, stored through the public API (`Store.ingest`). Texts come
from the installed carriers' own vocabularies when a registry is given (`vocabulary_texts`), and
are left empty otherwise (the dwell history reads stages and times, never texts). The figures
(medians, spreads, shares) are this generator's assumptions for exercising the code, not
measurements of any carrier.

    python bench/journeygen.py OUT.db --journeys 100000 [--seed N]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from tracklingo import Handoff, Location, Registry, Stage, Store, TrackingEvent
from tracklingo.checkdigits import mod10_check_digit, s10_check_digit

Anomaly = Literal["stuck", "lost"]
Side = Literal["origin", "destination"]

#: Fixed UTC offsets per country (hours); enough for weekend and local-time realism.
OFFSETS: Mapping[str, float] = {"US": -5, "CA": -5, "GB": 0, "DE": 1, "FR": 1, "CN": 8, "JP": 9, "AU": 10}
CITIES: Mapping[str, tuple[str, ...]] = {
    "US": ("NEW YORK", "CHICAGO", "LOS ANGELES", "DENVER", "ATLANTA", "SEATTLE"),
    "CA": ("TORONTO", "MONTREAL"),
    "GB": ("LONDON", "COVENTRY"),
    "DE": ("FRANKFURT", "LEIPZIG"),
    "FR": ("PARIS", "ROISSY"),
    "CN": ("SHANGHAI", "SHENZHEN", "GUANGZHOU"),
    "JP": ("TOKYO", "OSAKA"),
    "AU": ("SYDNEY", "MELBOURNE"),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One stage of a profile: where it happens, its dwell (log-normal: `median` hours and
    `sigma`), whether only Monday-Friday hours count, and how many scans it shows."""

    stage: Stage
    side: Side
    median: float
    sigma: float = 0.6
    business: bool = False
    scans: tuple[int, int] = (1, 1)


@dataclass(frozen=True, slots=True)
class Profile:
    """A carrier and lane: its share of journeys, countries, number style and stages."""

    name: str
    carrier: str
    lane: str  # the truth: domestic / inbound / outbound / international
    weight: float
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    numbers: str  # impb / s10 / fedex / dhl
    steps: tuple[Step, ...]
    attempt_share: float = 0.0  # delivery attempted, then picked up at the counter
    handoff_to: str | None = None  # carrier that takes over at handed_to_last_mile
    handoff_steps: tuple[Step, ...] = ()


def _s(stage: Stage, side: Side, median: float, sigma: float = 0.6, business: bool = False,
       scans: tuple[int, int] = (1, 1)) -> Step:
    return Step(stage, side, median, sigma, business, scans)


S = Stage
_DELIVERY_END = (_s(S.OUT_FOR_DELIVERY, "destination", 5, 0.3),)
PROFILES: tuple[Profile, ...] = (
    Profile("usps-domestic", "usps", "domestic", 0.33, ("US",), ("US",), "impb", (
        _s(S.LABEL_CREATED, "origin", 18, 0.9),
        _s(S.ACCEPTED, "origin", 6, 0.5),
        _s(S.IN_TRANSIT, "origin", 30, 0.6, True, (2, 4)),
        _s(S.AT_DESTINATION_FACILITY, "destination", 9, 0.5),
        *_DELIVERY_END), attempt_share=0.08),
    Profile("usps-inbound", "usps", "inbound", 0.14, ("CN", "GB", "DE", "JP", "CA"), ("US",), "s10", (
        _s(S.ACCEPTED, "origin", 20, 0.6),
        _s(S.DEPARTED_ORIGIN_COUNTRY, "origin", 70, 0.5),
        _s(S.ARRIVED_DESTINATION_COUNTRY, "destination", 14, 0.6),
        _s(S.IMPORT_CUSTOMS, "destination", 30, 0.7, True),
        _s(S.CUSTOMS_CLEARED, "destination", 10, 0.6),
        _s(S.IN_TRANSIT, "destination", 40, 0.5, True, (1, 3)),
        _s(S.AT_DESTINATION_FACILITY, "destination", 10, 0.5),
        *_DELIVERY_END), attempt_share=0.05),
    Profile("usps-outbound", "usps", "outbound", 0.05, ("US",), ("GB", "DE", "CA", "FR"), "s10", (
        _s(S.ACCEPTED, "origin", 8, 0.5),
        _s(S.IN_TRANSIT, "origin", 24, 0.5, True, (1, 2)),
        _s(S.DEPARTED_ORIGIN_COUNTRY, "origin", 60, 0.5),
        _s(S.ARRIVED_DESTINATION_COUNTRY, "destination", 20, 0.6),
        _s(S.IMPORT_CUSTOMS, "destination", 36, 0.7, True),
        _s(S.CUSTOMS_CLEARED, "destination", 30, 0.6, True),
        *_DELIVERY_END)),
    Profile("fedex-domestic", "fedex", "domestic", 0.2, ("US",), ("US",), "fedex", (
        _s(S.LABEL_CREATED, "origin", 10, 0.9),
        _s(S.ACCEPTED, "origin", 4, 0.4),
        _s(S.IN_TRANSIT, "origin", 20, 0.5, True, (2, 5)),
        _s(S.AT_DESTINATION_FACILITY, "destination", 6, 0.4),
        *_DELIVERY_END), attempt_share=0.04),
    Profile("fedex-international", "fedex", "international", 0.1, ("US", "DE", "CN"), ("GB", "JP", "AU"),
            "fedex", (
        _s(S.LABEL_CREATED, "origin", 10, 0.9),
        _s(S.ACCEPTED, "origin", 4, 0.4),
        _s(S.IN_TRANSIT, "origin", 12, 0.5, False, (1, 3)),
        _s(S.DEPARTED_ORIGIN_COUNTRY, "origin", 20, 0.4),
        _s(S.ARRIVED_DESTINATION_COUNTRY, "destination", 4, 0.5),
        _s(S.IMPORT_CUSTOMS, "destination", 10, 0.8, True),
        _s(S.CUSTOMS_CLEARED, "destination", 5, 0.5),
        _s(S.AT_DESTINATION_FACILITY, "destination", 5, 0.4),
        *_DELIVERY_END)),
    Profile("dhl-international", "dhl", "international", 0.13, ("DE", "CN", "GB"), ("US", "FR", "JP"),
            "dhl", (
        _s(S.LABEL_CREATED, "origin", 8, 0.9),
        _s(S.ACCEPTED, "origin", 3, 0.4),
        _s(S.EXPORT_CUSTOMS, "origin", 4, 0.5),
        _s(S.DEPARTED_ORIGIN_COUNTRY, "origin", 16, 0.4),
        _s(S.ARRIVED_DESTINATION_COUNTRY, "destination", 3, 0.5),
        _s(S.IMPORT_CUSTOMS, "destination", 8, 0.9, True),
        _s(S.CUSTOMS_CLEARED, "destination", 4, 0.5),
        _s(S.AT_DESTINATION_FACILITY, "destination", 4, 0.4),
        *_DELIVERY_END)),
    Profile("dhl-to-usps", "dhl", "domestic", 0.05, ("US",), ("US",), "dhl", (
        _s(S.LABEL_CREATED, "origin", 20, 0.8),
        _s(S.ACCEPTED, "origin", 8, 0.5),
        _s(S.IN_TRANSIT, "origin", 36, 0.5, True, (1, 3)),
        _s(S.HANDED_TO_LAST_MILE, "destination", 16, 0.5)),
        handoff_to="usps", handoff_steps=(
        _s(S.AT_DESTINATION_FACILITY, "destination", 12, 0.5),
        *_DELIVERY_END)),
)


@dataclass(frozen=True, slots=True)
class StageTruth:
    """One stage a journey went through: who held it, where (`country`), when it entered, how
    long it would have stayed in the normal course (`normal_hours`) and how long it did (`hours`;
    `None` when the journey was lost there). Both are calendar hours."""

    carrier: str
    stage: Stage
    country: str
    entered: datetime
    normal_hours: float
    hours: float | None
    anomaly: Anomaly | None = None

    @property
    def normal_exit(self) -> datetime:
        """When the stage would have ended without the anomaly."""
        return self.entered + timedelta(hours=self.normal_hours)


@dataclass(frozen=True, slots=True)
class JourneyTruth:
    """What the generator decided for one journey."""

    number: str
    profile: str
    carrier: str
    lane: str
    origin: str
    destination: str
    stages: tuple[StageTruth, ...]
    delivered_at: datetime | None
    anomaly: Anomaly | None
    numbers: tuple[str, ...] = ()

    @property
    def start(self) -> datetime:
        return self.stages[0].entered

    def stage_at(self, when: datetime) -> StageTruth | None:
        """The stage the journey was at `when` (`None` before its first scan)."""
        found = None
        for st in self.stages:
            if st.entered <= when:
                found = st
        return found

    def stuck_at(self, when: datetime) -> bool:
        """Truly stuck at `when`: at an anomalous stage (stuck or lost) after it would have moved
        on in the normal course."""
        st = self.stage_at(when)
        if st is None or st.anomaly is None:
            return False
        if st.hours is not None and when >= st.entered + timedelta(hours=st.hours):
            return False
        return when > st.normal_exit


@dataclass
class Texts:
    """Texts per (carrier, stage): (code, text) pairs from the carriers' vocabularies."""

    pairs: dict[tuple[str, Stage], list[tuple[str | None, str]]] = field(default_factory=dict)

    def pick(self, rng: random.Random, carrier: str, stage: Stage) -> tuple[str | None, str]:
        options = self.pairs.get((carrier, stage))
        return rng.choice(options) if options else (None, "")


def vocabulary_texts(registry: Registry) -> Texts:
    """Real texts per (carrier, stage) from the installed vocabularies (exact phrases of rules that
    always mean that stage: no direction-dependent or fallback rules)."""
    texts = Texts()
    for carrier in registry:
        for rule in carrier.vocabulary.rules:
            if rule.fallback or rule.context or not rule.phrase or rule.reason is not None:
                continue
            for phrase in rule.phrase:
                texts.pairs.setdefault((carrier.name, rule.stage), []).append(
                    (rule.code[0] if rule.code else None, phrase)
                )
    return texts


# -- numbers ------------------------------------------------------------------------------------


def _number(rng: random.Random, style: str, origin: str) -> str:
    if style == "s10":
        serial = f"{rng.randrange(10**8):08d}"
        return f"{rng.choice(('LX', 'CP', 'RB'))}{serial}{s10_check_digit(serial)}{origin}"
    if style == "impb":
        payload = f"9400{rng.randrange(10**17):017d}"
        return payload + str(mod10_check_digit(payload))
    if style == "fedex":
        return f"{rng.randrange(10**11, 10**12)}"
    return f"{rng.randrange(10**9, 10**10)}"


# -- time ---------------------------------------------------------------------------------------


def _zone(country: str) -> timezone:
    return timezone(timedelta(hours=OFFSETS[country]))


def add_business(start: datetime, hours: float) -> datetime:
    """`start` plus `hours` of Monday-Friday time (in `start`'s own offset)."""
    cursor, left = start, hours
    while True:
        if cursor.weekday() >= 5:  # jump to Monday 00:00
            cursor = datetime.combine(
                cursor.date() + timedelta(days=7 - cursor.weekday()), datetime.min.time(), cursor.tzinfo
            )
            continue
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), cursor.tzinfo)
        room = (midnight - cursor).total_seconds() / 3600
        if left <= room:
            return cursor + timedelta(hours=left)
        left -= room
        cursor = midnight


# -- journeys -----------------------------------------------------------------------------------


@dataclass
class _Builder:
    rng: random.Random
    texts: Texts
    events: list[TrackingEvent] = field(default_factory=list)
    stages: list[StageTruth] = field(default_factory=list)

    def scan(self, carrier: str, number: str, stage: Stage, when: datetime, country: str,
             handoff: Handoff | None = None) -> None:
        code, text = self.texts.pick(self.rng, carrier, stage)
        self.events.append(
            TrackingEvent(
                carrier=carrier,
                tracking_number=number,
                occurred_at=when.replace(microsecond=0),  # carriers report whole seconds
                stage=stage,
                status=stage.status,
                location=Location(city=self.rng.choice(CITIES[country]), country=country),
                code=code,
                description=text,
                handoff=handoff,
                match="phrase",
            )
        )


def _journey(
    rng: random.Random, texts: Texts, profile: Profile, start: datetime,
    stuck_share: float, lost_share: float,
) -> tuple[JourneyTruth, list[TrackingEvent]]:
    origin = rng.choice(profile.origins)
    destination = rng.choice([c for c in profile.destinations if c != origin] or profile.destinations)
    number = _number(rng, profile.numbers, origin)
    legs: list[tuple[str, str, Step]] = [(profile.carrier, number, s) for s in profile.steps]
    second = None
    if profile.handoff_to is not None:
        payload = f"9261{rng.randrange(10**17):017d}"
        second = payload + str(mod10_check_digit(payload))
        legs += [(profile.handoff_to, second, s) for s in profile.handoff_steps]
    elif profile.attempt_share and rng.random() < profile.attempt_share:
        legs += [
            (profile.carrier, number, _s(S.DELIVERY_ATTEMPTED, "destination", 20, 0.3)),
            (profile.carrier, number, _s(S.AVAILABLE_FOR_PICKUP, "destination", 40, 0.7)),
        ]
    roll = rng.random()
    anomaly: Anomaly | None = None
    if roll < stuck_share + lost_share:
        anomaly = "stuck" if roll < stuck_share else "lost"
    odd = rng.randrange(len(legs)) if anomaly else -1

    b = _Builder(rng, texts)
    when = start.astimezone(_zone(origin))
    delivered_at = None
    for i, (carrier, num, step) in enumerate(legs):
        country = origin if step.side == "origin" else destination
        when = when.astimezone(_zone(country)).replace(microsecond=0)
        normal = rng.lognormvariate(math.log(step.median), step.sigma)
        hours = normal * rng.uniform(5, 15) if i == odd and anomaly == "stuck" else normal
        end = add_business(when, hours) if step.business else when + timedelta(hours=hours)
        lost_here = i == odd and anomaly == "lost"
        handoff = (
            Handoff(carrier=profile.handoff_to, tracking_number=second)
            if step.stage is S.HANDED_TO_LAST_MILE and second
            else None
        )
        count = rng.randint(*step.scans)
        # later scans of the same stage fall inside its dwell (or within a day of a lost one)
        span = min((end - when).total_seconds(), 86400.0) if lost_here else (end - when).total_seconds()
        offsets = sorted(rng.uniform(0, span * 0.9) for _ in range(count - 1))
        for k, off in enumerate([0.0, *offsets]):
            b.scan(carrier, num, step.stage, when + timedelta(seconds=off), country,
                   handoff if k == 0 else None)
        calendar = (end - when).total_seconds() / 3600
        normal_calendar = (
            (add_business(when, normal) - when).total_seconds() / 3600 if step.business else normal
        )
        b.stages.append(
            StageTruth(carrier, step.stage, country, when, normal_calendar, None if lost_here else calendar,
                       anomaly if i == odd else None)
        )
        if lost_here:
            break
        when = end
    else:
        if when.weekday() == 6:  # no deliveries on Sunday: the next morning
            when = datetime.combine(when.date() + timedelta(days=1), datetime.min.time(), when.tzinfo)
            when += timedelta(hours=rng.uniform(9, 17))
        when = when.replace(microsecond=0)
        carrier, num = legs[-1][0], legs[-1][1]
        b.scan(carrier, num, S.DELIVERED, when, destination)
        b.stages.append(StageTruth(carrier, S.DELIVERED, destination, when, 0.0, 0.0))
        delivered_at = when
    truth = JourneyTruth(
        number=number,
        profile=profile.name,
        carrier=profile.carrier,
        lane=profile.lane,
        origin=origin,
        destination=destination,
        stages=tuple(b.stages),
        delivered_at=delivered_at,
        anomaly=anomaly,
        numbers=(number, second) if second else (number,),
    )
    return truth, b.events


def generate(
    journeys: int,
    *,
    seed: int = 20261124,
    start: datetime = datetime(2026, 3, 2, tzinfo=UTC),
    days: float = 240,
    stuck_share: float = 0.04,
    lost_share: float = 0.02,
    texts: Texts | None = None,
    profiles: Sequence[Profile] = PROFILES,
) -> Iterator[tuple[JourneyTruth, list[TrackingEvent]]]:
    """Yield `journeys` journeys (truth and events), starting uniformly over `days` days from
    `start` (at local daytime hours), in start order. Same arguments, same journeys."""
    rng = random.Random(seed)
    texts = texts or Texts()
    weights = [p.weight for p in profiles]
    starts = sorted(rng.uniform(0, days * 24) for _ in range(journeys))
    for offset in starts:
        profile = rng.choices(profiles, weights)[0]
        at = start + timedelta(hours=offset)
        local = at.astimezone(_zone(profile.origins[0]))
        at = local.replace(hour=rng.randint(8, 19))  # the day's business hours, local
        yield _journey(rng, texts, profile, at, stuck_share, lost_share)


def build_store(
    path: str | Path, journeys: int, *, batch_size: int = 20000, **options: object
) -> list[JourneyTruth]:
    """Generate `journeys` journeys into the store at `path` (through `Store.ingest`) and return
    their truth. `options` go to `generate`."""
    truths: list[JourneyTruth] = []

    def events() -> Iterator[TrackingEvent]:
        for truth, evs in generate(journeys, **options):  # type: ignore[arg-type]
            truths.append(truth)
            yield from evs

    with Store(path) as store:
        store.ingest(events(), batch_size=batch_size)
    return truths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("db", type=Path)
    parser.add_argument("--journeys", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--no-texts", action="store_true", help="leave texts empty (no registry)")
    args = parser.parse_args(argv)
    if args.db.exists():
        print(f"{args.db} exists; remove it first", file=sys.stderr)
        return 1
    texts = None
    if not args.no_texts:
        from tracklingo import load_carriers

        texts = vocabulary_texts(load_carriers())
    began = time.perf_counter()
    truths = build_store(args.db, args.journeys, seed=args.seed, texts=texts)
    with Store(args.db) as store:
        n = len(store)
    print(f"{len(truths):,} journeys, {n:,} events in {args.db} ({time.perf_counter() - began:.0f} s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
