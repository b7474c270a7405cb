"""Small builders shared by the core's tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracklingo import TrackingEvent


def ev(
    carrier: str, number: str, when: datetime | None, stage: str, text: str = "x", **kw: Any
) -> TrackingEvent:
    """A canonical event with just the fields a test cares about."""
    return TrackingEvent.model_validate(
        {
            "carrier": carrier,
            "tracking_number": number,
            "occurred_at": when,
            "stage": stage,
            "match": "phrase",
            "description": text,
            **kw,
        }
    )
