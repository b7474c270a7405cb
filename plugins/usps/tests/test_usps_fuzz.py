"""Fuzzing: `parse` raises nothing but `ParseError` on any JSON; sniff and detect never raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklingo import ParseError, TrackingEvent
from tracklingo.testing.fuzz import json_values as kit_json_values
from tracklingo_usps import USPSCarrier

CARRIER = USPSCarrier()
FIXTURES = Path(__file__).parent / "fixtures"

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
# arbitrary JSON: the conformance kit's strategy (tracklingo.testing.fuzz)
json_values = kit_json_values()

EVENT_FIELDS = [
    "eventType",
    "eventCode",
    "eventTimestamp",
    "GMTTimestamp",
    "GMTOffset",
    "eventCity",
    "eventState",
    "eventZIP",
    "eventZIPCode",
    "eventCountry",
]
#: Values close to real ones, so the fuzzer reaches deep into the parser.
plausible_text = st.sampled_from(
    [
        "Processed Through Facility",
        "Delivered, In/At Mailbox",
        "ISC NEW YORK NY(USPS)",
        "OAK CREEK WI DISTRIBUTION CENTER",
        "2025-06-16T06:37:00",
        "2023-08-02T07:31:00Z",
        "2025-06-16T10:37:31Z",
        "-04:00",
        "-7:00",
        "+14:00",
        "GMT+1",
        "99:99",
        "JAPAN",
        "GERMANY",
        "UNITED KINGDOM",
        "NY",
        "TX",
        "AE",
        "PR",
        "01",
        "OF",
        "10",
        "",
        " ",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59",
        "9999-12-31T23:59:59Z",
        "07:31",
        "2025-02-30T10:00:00",
        "INTERNATIONAL_INBOUND",
        "INTERNATIONAL_OUTBOUND",
        "DM",
        "TOKYO INT",
        "DC",
    ]
)
field_values = plausible_text | scalars | st.lists(scalars, max_size=2)
events = st.lists(
    st.dictionaries(st.sampled_from(EVENT_FIELDS), field_values, max_size=len(EVENT_FIELDS)),
    max_size=6,
)
details = st.fixed_dictionaries(
    {
        "trackingNumber": st.sampled_from(["CP202506149DE", "CP100000140US", "9261290000012300000427", "x"])
        | scalars
    },
    optional={
        "trackingEvents": events | json_values,
        "mailType": plausible_text | scalars,
        "originCountry": plausible_text | scalars,
        "destinationCountryCode": plausible_text | scalars,
        "destinationCountry": plausible_text | scalars,
        "statusSummary": plausible_text | scalars,
        "error": json_values,
        "apiVersion": st.sampled_from(["/tracking/v3", "x"]) | scalars,
    },
)


def check(payload: Any) -> None:
    try:
        result = CARRIER.parse(payload)
    except ParseError as exc:
        assert str(exc).startswith("usps: ")
        assert "\n" not in str(exc)
        return
    for event in result.events:
        assert isinstance(event, TrackingEvent)
        assert event.occurred_at is None or event.occurred_at.tzinfo is not None or event.time_is_local
    for error in result.errors:
        assert error.message


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(details)
def test_parse_v3_shaped_payloads(payload: dict[str, Any]) -> None:
    check(payload)
    check([payload, payload])
    assert isinstance(CARRIER.sniff(payload), bool)


@settings(max_examples=200)
@given(st.data())
def test_parse_mutated_fixtures(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(p.name for p in FIXTURES.glob("*.json"))))
    payload = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    evs = payload.get("trackingEvents")
    if isinstance(evs, list) and evs:
        i = data.draw(st.integers(0, len(evs) - 1))
        key = data.draw(st.sampled_from(EVENT_FIELDS))
        evs[i][key] = data.draw(field_values)
    else:
        payload[data.draw(st.text(max_size=10))] = data.draw(json_values)
    check(payload)


@settings(max_examples=300)
@given(st.text(max_size=40) | st.binary(max_size=40))
def test_parse_arbitrary_text_and_bytes(payload: str | bytes) -> None:
    check(payload)


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_detect_never_raises(number: str) -> None:
    score = CARRIER.detect(number)
    assert 0.0 <= score <= 1.0
