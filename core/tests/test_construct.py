"""The one module that builds pydantic models without validation (`tracklingo._construct`): it
fails loudly here when a pydantic upgrade changes the internals it relies on, and what it builds is
indistinguishable from a validated model."""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime

import pydantic

from tracklingo import Location, TrackingEvent, event_to_json
from tracklingo._construct import SLOTS, check_pydantic_internals, construct
from tracklingo.taxonomy import MatchKind, Stage, Status


def test_pydantic_still_has_the_slots_construct_writes() -> None:
    problems = check_pydantic_internals()
    assert problems == [], (
        f"pydantic {pydantic.VERSION} changed the internals tracklingo._construct writes"
        f" ({'; '.join(problems)}): update tracklingo/_construct.py (and only it)"
    )
    assert set(SLOTS) <= set(pydantic.BaseModel.__slots__)


def _fields() -> dict[str, object]:
    return {
        "carrier": "usps",
        "tracking_number": "9400111899223197428497",
        "occurred_at": datetime(2026, 11, 20, 14, 3, tzinfo=UTC),
        "time_is_local": False,
        "time_note": None,
        "stage": Stage.DELIVERED,
        "status": Status.DELIVERED,
        "reason": None,
        "location": construct(
            Location,
            {"city": "DENVER", "region": "CO", "postal_code": None, "country": "US", "facility": None},
        ),
        "code": "01",
        "description": "Delivered",
        "handoff": None,
        "match": MatchKind.PHRASE,
        "confidence": None,
        "evidence": None,
        "needs_context": None,
        "raw": {"eventCode": "01"},
    }


def test_a_constructed_event_is_the_validated_event() -> None:
    built = construct(TrackingEvent, _fields())
    validated = TrackingEvent.model_validate(_fields())
    assert built == validated and validated == built
    assert hash(built.location) == hash(validated.location)
    assert built.model_dump() == validated.model_dump()
    assert event_to_json(built, include_raw=True) == event_to_json(validated, include_raw=True)
    assert built.model_fields_set == set(TrackingEvent.model_fields)
    assert TrackingEvent.model_validate_json(event_to_json(built)) == validated.model_copy(
        update={"raw": None}
    )
    changed = built.model_copy(update={"stage": Stage.RETURNED, "status": Status.RETURNED})
    assert changed.stage is Stage.RETURNED and built.stage is Stage.DELIVERED
    assert copy.deepcopy(built) == built and pickle.loads(pickle.dumps(built)) == built
    assert repr(built) == repr(validated)
