"""Hypothesis: `parse` raises nothing but `ParseError` on any JSON, `sniff` and `detect` never raise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklingo import ParseError, ParseResult, TrackingEvent
from tracklingo.testing.fuzz import json_values as kit_json_values
from tracklingo_dhl import DHLCarrier
from tracklingo_dhl.parser import SERVICES

CARRIER = DHLCarrier()
FIXTURES = Path(__file__).parent / "fixtures"

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
# arbitrary JSON: the conformance kit's strategy (tracklingo.testing.fuzz)
json_values = kit_json_values()


def mostly(
    strategy: st.SearchStrategy[Any], other: st.SearchStrategy[Any] = json_values
) -> st.SearchStrategy[Any]:
    """`strategy` about four times in five, `other` (arbitrary JSON) otherwise.

    (``st.one_of(x, x, x, y)`` would not weight: Hypothesis merges identical branches.)
    """
    return st.integers(0, 4).flatmap(lambda i: strategy if i else other)


timestamps = (
    st.datetimes().map(lambda d: d.isoformat())
    | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
    | st.sampled_from(
        [
            "2031-03-14T11:42:00",
            "2031-03-14T11:42:00Z",
            "2023-01-05T15:27:20.331986369+01:00",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59",
            "9999-12-31T23:59:59-14:00",
            "2031-02-30T10:00:00",
            "",
            "yesterday",
            "2031-03-14T25:00:00+25:00",
        ]
    )
    | json_values
)
localities = (
    st.sampled_from(
        [
            "LYON - FRANCE",
            "HONG KONG - HONG KONG SAR, CHINA",
            "Denver, CO, US",
            "Hebron, KY, US",
            "Deutschland",
            " - ",
            "-",
            ",,",
            "A, B, C",
            "X - USA",
            "GA",
            "",
        ]
    )
    | st.text(max_size=25)
    | json_values
)
texts = (
    st.sampled_from(
        [
            "Delivered",
            "Clearance processing complete at CINCINNATI HUB - USA",
            "PO",
            "ZU",
            "101",
            "TENDERED TO DELIVERY SERVICE PROVIDER",
            "Die Sendung wurde in das Zustellfahrzeug geladen.",
            "Processed at ",
            "Processed at  - ",
            "SRTED_NRQRD_PO",
            "ES",
        ]
    )
    | st.text(max_size=40)
    | json_values
)
address = st.fixed_dictionaries(
    {},
    optional={
        "addressLocality": localities,
        "countryCode": texts,
        "postalCode": texts,
        "addressRegion": texts,
    },
)
event = st.fixed_dictionaries(
    {},
    optional={
        "timestamp": mostly(timestamps),
        "location": mostly(st.fixed_dictionaries({}, optional={"address": mostly(address)})),
        "statusCode": st.sampled_from(["pre-transit", "transit", "delivered", "failure", "unknown"]) | texts,
        "status": texts,
        "statusDetailed": texts,
        "description": texts,
        "remark": texts,
        "pieceIds": json_values,
    },
)
reference = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["local-tracking-number", "customer-reference"]) | texts,
        "number": st.sampled_from(["9361210912400005577888", "420802059361210912400005577888"]) | json_values,
    },
)
_ids = st.sampled_from(["7319048251", "GM6045000012345678", "00340434123456789012"])
_shipment_fields = {
    "id": mostly(_ids, st.sampled_from(["", " "]) | json_values),
    "service": st.sampled_from(sorted(SERVICES)) | texts,
    "status": mostly(event),
    "events": mostly(st.lists(mostly(event), max_size=4)),
    "destination": mostly(st.fixed_dictionaries({}, optional={"address": address})),
    "details": mostly(
        st.fixed_dictionaries(
            {},
            optional={
                "references": mostly(st.lists(mostly(reference), max_size=3)),
                "provider": mostly(st.fixed_dictionaries({}, optional={"destinationProvider": texts})),
            },
        )
    ),
}
_required = ("id", "service", "events")
shipment = st.one_of(
    # well-formed skeleton, arbitrary contents
    st.fixed_dictionaries(
        {k: v for k, v in _shipment_fields.items() if k in _required},
        optional={k: v for k, v in _shipment_fields.items() if k not in _required},
    ),
    # any subset of the fields
    st.fixed_dictionaries({}, optional=_shipment_fields),
)
unified = st.fixed_dictionaries(
    {"shipments": mostly(st.lists(mostly(shipment), max_size=3))},
    optional={"possibleAdditionalShipmentsUrl": json_values},
)
problem = st.fixed_dictionaries(
    {}, optional={"title": texts, "detail": texts, "status": json_values, "instance": texts}
)


def check(payload: Any) -> None:
    try:
        result = CARRIER.parse(payload)
    except ParseError as exc:
        assert exc.carrier == "dhl" and "\n" not in str(exc)
        return
    assert isinstance(result, ParseResult)
    assert all(isinstance(e, TrackingEvent) for e in result.events)
    for e in result.events:  # every event serialises
        e.model_dump_json(exclude={"raw"})


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(unified | problem)
def test_parse_unified_shaped_json(payload: Any) -> None:
    check(payload)
    assert isinstance(CARRIER.sniff(payload), bool)


@given(st.text(max_size=60))
def test_detect_never_raises(number: str) -> None:
    assert 0.0 <= CARRIER.detect(number) <= 1.0
