"""Lanes: how a journey is classed for its dwell history, as seen by the carrier holding it
(domestic, international inbound / outbound, or international when the carrier has no home country)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Literal

from tracklingo.carrier import Carrier
from tracklingo.taxonomy import INTERNATIONAL_STAGES, Stage

Lane = Literal["domestic", "inbound", "outbound", "international"]
#: The lanes, in display order. ``international`` pools every direction (`tracklingo.history`);
#: their names in each language are the locale catalogs' (`tracklingo.history.words.lane_name`).
LANES: Final[tuple[Lane, ...]] = ("domestic", "inbound", "outbound", "international")
#: Cross-border stages that happen in the origin country; the others happen at the destination.
ORIGIN_CROSSING: Final = frozenset({Stage.EXPORT_CUSTOMS, Stage.DEPARTED_ORIGIN_COUNTRY})
DESTINATION_CROSSING: Final = INTERNATIONAL_STAGES - ORIGIN_CROSSING


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


