"""The parser's fast paths (event templates, `_fast_when`) answer exactly as the ordinary path."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracklingo import load_carriers
from tracklingo.carrier import build_location
from tracklingo_fedex.parser import _fast_when, _resolve_when

FIXTURES = Path(__file__).parent / "fixtures"
CARRIER = load_carriers(only={"fedex"}).get("fedex")

_local = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


@st.composite
def _dates(draw: st.DrawFn) -> Any:
    local = draw(_local)
    if draw(st.booleans()):
        local = local.replace(hour=0, minute=0, second=0)  # FedEx's pickup-date placeholder
    text = local.isoformat()
    offset = draw(st.sampled_from(["-04:00", "+05:30", "+00:00", "-11:00", "+14:00"]))
    return draw(
        st.sampled_from(
            [text + offset] * 5
            + [
                text,
                text + "Z",
                " " + text + offset[:-1],
                text.replace("T", " ") + offset,
                text + "+25:00",
                None,
                7,
            ]
        )
    )


@settings(max_examples=600, deadline=None)
@given(
    _dates(),
    st.sampled_from(["PU", "PX", "AR", "DL", None, " PU"]),
    st.sampled_from([{}, {"country": "US", "region": "TN"}, {"country": "DE"}]),
)
def test_fast_when_is_resolve_when(date: Any, event_type: str | None, place: dict[str, str]) -> None:
    fast = _fast_when(date)
    if fast is None:
        return
    slow = _resolve_when(CARRIER, date, build_location(place), (event_type or "").strip() or None)
    assert (slow.when, slow.is_local, slow.note) == (fast, False, None)
    assert slow.when is not None and slow.when.utcoffset() == fast.utcoffset()


def test_the_fast_time_takes_the_usual_scan_only() -> None:
    assert _fast_when("2018-02-02T12:01:00-07:00") == datetime.fromisoformat("2018-02-02T12:01:00-07:00")
    assert _fast_when("2018-02-02T00:00:00-07:00") is None  # midnight: maybe a pickup date only
    assert _fast_when("2018-02-02T12:01:00") is None  # no offset: the location decides
    assert _fast_when("2018-02-02T12:01:00Z") is None


def test_the_usps_handoff_is_part_of_the_key() -> None:
    payload = json.loads((FIXTURES / "ground_economy_usps.json").read_text())
    CARRIER.parse(payload)
    other = copy.deepcopy(payload)
    result = other["output"]["completeTrackResults"][0]["trackResults"][0]
    for ident in result["additionalTrackingInfo"]["packageIdentifiers"]:
        if ident.get("type") == "PARTNER_CARRIER_NUMBER":
            ident["values"] = ["9261290100130435082149"]
    handed = [e for e in CARRIER.parse(other).events if e.handoff is not None]
    assert handed and all(e.handoff.tracking_number == "9261290100130435082149" for e in handed)
