"""The lane of a journey as the advisor judges it: origin and destination country, and whether
the parcel crosses a border (`journey_lane`). A country the scans do not show is not known: it is
never assumed to be the other end's.

`Journey.origin_country` / `destination_country` are the countries its scans name (the first and
the last, or the S10 number's issuer). Two different countries make the journey international.

When both are the same country, the scans may still show a border crossing: a cross-border stage
(export or import customs, leaving the origin country, arriving in the destination country) or
scans in two countries. The lane is then international, and the country the scans name is only
one end of it; the other end is not known. Which end it is follows from the scans:

1. the latest cross-border scan located in that country: export or departure scans there make it
   the origin; arrival, import customs, customs hold or release scans there make it the destination;
2. else a valid S10 number issued there makes it the origin (the issuing post is the sender's);
3. else its scans after the first cross-border scan make it the destination, before it the origin.

When nothing shows a border crossing, the journey is domestic only if its scans show both ends in
that one country: an origin scan there (label, acceptance) or an S10 number issued there, and a
delivery-side scan there (delivery office, out for delivery, attempt, pickup, delivered). An end
without such a scan is not known, and the lane is assumed domestic (`Lane.known` is false). A
journey whose scans carry no country at all keeps the countries it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from tracklingo.checkdigits import parse_s10
from tracklingo.journeys import Journey
from tracklingo.taxonomy import INTERNATIONAL_STAGES, Stage

#: Cross-border stages that happen in the origin country.
ORIGIN_CROSSING: Final = frozenset({Stage.EXPORT_CUSTOMS, Stage.DEPARTED_ORIGIN_COUNTRY})
#: Cross-border stages that happen in the destination country.
DESTINATION_CROSSING: Final = INTERNATIONAL_STAGES - ORIGIN_CROSSING
#: Scans that show where a journey started.
ORIGIN_SCANS: Final = frozenset({Stage.LABEL_CREATED, Stage.ACCEPTED}) | ORIGIN_CROSSING
#: Scans that show the country a journey is delivered in.
DELIVERY_SCANS: Final = (
    frozenset(
        {
            Stage.AT_DESTINATION_FACILITY,
            Stage.OUT_FOR_DELIVERY,
            Stage.DELIVERY_ATTEMPTED,
            Stage.AVAILABLE_FOR_PICKUP,
            Stage.DELIVERED,
        }
    )
    | DESTINATION_CROSSING
)


@dataclass(frozen=True, slots=True)
class Lane:
    """Where a journey runs: `origin` and `destination` (ISO codes, `None` when not known) and
    `international` (`None` when the scans cannot tell; the advisor then assumes domestic)."""

    origin: str | None
    destination: str | None
    international: bool | None

    @property
    def known(self) -> bool:
        """Whether the scans tell domestic from international."""
        return self.international is not None

    @property
    def name(self) -> Literal["domestic", "international"]:
        """The lane whose thresholds apply: international only when known to be."""
        return "international" if self.international else "domestic"


def journey_lane(journey: Journey) -> Lane:
    """The journey's lane (see the module docstring)."""
    origin, destination = journey.origin_country, journey.destination_country
    if origin and destination and origin != destination:
        return Lane(origin, destination, True)
    events = journey.events
    countries = {e.location.country for e in events if e.location.country}
    crossed = len(countries) > 1 or any(e.stage in INTERNATIONAL_STAGES for e in events)
    if not crossed:
        if origin in countries and not (
            _s10_issuer(journey) == origin or _scanned(journey, origin, ORIGIN_SCANS)
        ):
            origin = None
        if destination in countries and not _scanned(journey, destination, DELIVERY_SCANS):
            destination = None
        return Lane(origin, destination, False if origin and destination else None)
    known = origin or destination
    if known is None:
        return Lane(None, None, True)
    if _side(journey, known) == "destination":
        issuer = _s10_issuer(journey)
        return Lane(issuer if issuer != known else None, known, True)
    return Lane(known, None, True)


def _scanned(journey: Journey, country: str | None, stages: frozenset[Stage]) -> bool:
    return any(e.location.country == country and e.stage in stages for e in journey.events)


def _s10_issuer(journey: Journey) -> str | None:
    for leg in journey.legs:
        s10 = parse_s10(leg.tracking_number)
        if s10 is not None and s10.valid:
            return s10.country
    return None


def _side(journey: Journey, country: str) -> Literal["origin", "destination"]:
    events = journey.events
    for event in reversed(events):
        if event.location.country != country:
            continue
        if event.stage in ORIGIN_CROSSING:
            return "origin"
        if event.stage in DESTINATION_CROSSING:
            return "destination"
    if _s10_issuer(journey) == country:
        return "origin"
    first_crossing = next((i for i, e in enumerate(events) if e.stage in INTERNATIONAL_STAGES), None)
    last_here = max((i for i, e in enumerate(events) if e.location.country == country), default=None)
    if first_crossing is None or last_here is None:
        # crossed only by scans in two countries, or no scan located here: the country the
        # journey names first is where the parcel started
        return "origin" if journey.origin_country == country else "destination"
    return "destination" if last_here > first_crossing else "origin"
