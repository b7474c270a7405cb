"""``statusCategory``: USPS's category of the latest status ("Delivered", "Moving Through Network",
"Delivery Attempt: Action Needed"), the newest event's coarse fallback.

The reply is the ``real_ground_advantage_parcel_locker_2024`` fixture (repo karrioapi/karrio
``modules/connectors/usps/tests/usps/test_tracking.py``, a Tracking API v3 capture of November
2024). Where a test rewords its newest ``eventType`` (a wording the vocabulary does not know, as a
new USPS text would be), it says so.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tracklingo import MatchKind, Stage
from tracklingo_usps import USPSCarrier

CARRIER = USPSCarrier()
REPLY: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "real_ground_advantage_parcel_locker_2024.json").read_text(
        encoding="utf-8"
    )
)
UNKNOWN_WORDING = "Item Reached A Place No Vocabulary Knows"


def newest_reworded(category: str | None) -> dict[str, Any]:
    reply = copy.deepcopy(REPLY)
    reply["trackingEvents"][0]["eventType"] = UNKNOWN_WORDING
    reply["trackingEvents"][0]["eventCode"] = None
    if category is None:
        reply.pop("statusCategory")
    else:
        reply["statusCategory"] = category
    return reply


def test_the_capture_maps_without_the_category() -> None:
    result = CARRIER.parse(REPLY)
    assert result.errors == []
    assert result.events[-1].stage is Stage.DELIVERED
    assert result.events[-1].match is MatchKind.CODE  # its own code decided, not the category


def test_category_decides_an_unknown_newest_event() -> None:
    newest = CARRIER.parse(newest_reworded("Delivered")).events[-1]
    assert (newest.description, newest.stage, newest.match) == (
        UNKNOWN_WORDING,
        Stage.DELIVERED,
        MatchKind.FALLBACK,
    )
    moving = CARRIER.parse(newest_reworded("Moving Through Network")).events[-1]
    assert (moving.stage, moving.match) == (Stage.IN_TRANSIT, MatchKind.FALLBACK)


def test_category_is_only_the_newest_event_s() -> None:
    reply = newest_reworded("Delivered")
    reply["trackingEvents"][1]["eventType"] = UNKNOWN_WORDING  # the older "Out for Delivery"
    reply["trackingEvents"][1]["eventCode"] = None
    older = CARRIER.parse(reply).events[-2]
    assert older.stage is not Stage.DELIVERED


def test_without_a_category_the_unknown_event_stays_unmapped_by_usps() -> None:
    newest = CARRIER.parse(newest_reworded(None)).events[-1]
    assert newest.match is not MatchKind.FALLBACK
    assert newest.stage is not Stage.DELIVERED
