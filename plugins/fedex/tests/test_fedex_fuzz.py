"""Hypothesis on FedEx-shaped payloads: the parser raises nothing but `ParseError`. Arbitrary JSON
and mutated fixtures are fuzzed by the conformance kit (test_fedex_conformance.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklingo import ParseError, ParseResult, TrackingEvent
from tracklingo.testing.fuzz import json_values as kit_json_values
from tracklingo_fedex import FedExCarrier

FIXTURES = Path(__file__).parent / "fixtures"
CARRIER = FedExCarrier()
FIXTURE_PAYLOADS = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
# arbitrary JSON: the conformance kit's strategy (tracklingo.testing.fuzz)
json_values = kit_json_values()

# Values a FedEx field might plausibly hold, to get past the first guards.
texts = st.sampled_from(
    [
        "",
        " ",
        "DL",
        "IT",
        "OD",
        "DE",
        "CC",
        "CD",
        "OX",
        "ZZ",
        "IN",
        "007",
        "03",
        "A25",
        "Delivered",
        "In transit",
        "Clearance delay - Import",
        "Customer not available",
        "Package available for clearance",
        "2025-03-14T13:42:00-06:00",
        "2025-06-02T00:00:00",
        "2025-03-14T13:42:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "not a date",
        "US",
        "GB",
        "XX",
        "TN",
        "CO",
        "United States",
        "\u0000",
        "é" * 3,
    ]
) | st.text(max_size=20)
fields = texts | json_values
scan_keys = st.sampled_from(
    [
        "date",
        "eventType",
        "eventDescription",
        "exceptionCode",
        "exceptionDescription",
        "scanLocation",
        "derivedStatusCode",
        "derivedStatus",
        "locationType",
    ]
)
locations = st.dictionaries(
    st.sampled_from(["city", "stateOrProvinceCode", "postalCode", "countryCode", "countryName"]),
    fields,
    max_size=5,
)
scans = st.dictionaries(scan_keys, fields | locations, max_size=9)
track_results = st.fixed_dictionaries(
    {},
    optional={
        "scanEvents": st.lists(scans | json_values, max_size=5) | json_values,
        "error": st.dictionaries(st.sampled_from(["code", "message"]), fields) | json_values,
        "trackingNumberInfo": st.dictionaries(st.sampled_from(["trackingNumber", "carrierCode"]), fields),
        "serviceDetail": st.dictionaries(st.just("type"), st.sampled_from(["SMART_POST", ""])),
        "additionalTrackingInfo": st.just(
            {"packageIdentifiers": [{"type": "PARTNER_CARRIER_NUMBER", "values": ["92"]}]}
        )
        | json_values,
        "latestStatusDetail": st.dictionaries(
            st.sampled_from(["code", "derivedCode", "description", "statusByLocale"]), fields
        ),
        "shipmentDetails": st.dictionaries(st.just("possessionStatus"), json_values),
    },
)
entries = st.fixed_dictionaries(
    {},
    optional={
        "trackingNumber": fields,
        "trackResults": st.lists(track_results | json_values, max_size=3) | json_values,
    },
)
fedex_shaped = st.fixed_dictionaries(
    {},
    optional={
        "transactionId": fields,
        "errors": st.lists(
            st.dictionaries(st.sampled_from(["code", "message", "parameterList"]), fields) | json_values,
            max_size=3,
        )
        | json_values,
        "output": st.fixed_dictionaries(
            {},
            optional={
                "completeTrackResults": st.lists(entries | json_values, max_size=3) | json_values,
                "alerts": fields,
            },
        )
        | json_values,
    },
)


def check(payload: Any) -> None:
    try:
        result = CARRIER.parse(payload)
    except ParseError as exc:
        # a guarded parser refuses a payload on purpose; it never trips over a field
        assert "unexpected" not in exc.message, exc.message
        return
    assert isinstance(result, ParseResult)
    for event in result.events:
        assert isinstance(event, TrackingEvent)
        assert event.carrier == "fedex"
        assert event.tracking_number
        event.model_dump_json()  # serialisable
    for error in result.errors:
        assert isinstance(error.message, str) and error.message
    assert isinstance(CARRIER.sniff(payload), bool)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(fedex_shaped)
def test_fedex_shaped_json(payload: Any) -> None:
    check(payload)
