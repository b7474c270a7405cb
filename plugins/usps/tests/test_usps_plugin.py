"""The plugin as users get it: loaded through its entry point, flat feed records, the examples."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tracklingo import (
    MatchKind,
    Normalizer,
    Record,
    Reject,
    Stage,
    TrackingEvent,
    load_carriers,
    read_records,
)
from tracklingo_usps import USPSCarrier, USPSClient

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_entry_point_registers_usps() -> None:
    registry = load_carriers(strict=True, only={"usps"})
    assert "usps" in registry
    carrier = registry.get("usps")
    assert isinstance(carrier, USPSCarrier)
    loaded = registry.carriers["usps"]
    assert loaded.distribution == "tracklingo-usps"
    assert loaded.version == "0.1.0"
    assert registry.errors == [] and registry.clashes == []


def test_carrier_identity() -> None:
    carrier = USPSCarrier()
    assert (carrier.name, carrier.display_name, carrier.home_country) == ("usps", "USPS", "US")
    assert carrier.trusts_z is False
    assert carrier.link("9400111899223197428497") == (
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428497"
    )
    phones = carrier.contacts_for("US")
    assert phones[0].phone == "1-800-275-8777"
    abroad = carrier.contacts_for("DE")
    assert all(c.country is None for c in abroad)  # the toll-free number is US-only
    assert any(c.url and "missing-mail" in c.url for c in abroad)
    assert all(c.url or c.phone for c in carrier.contacts)


def test_client_class_is_exported() -> None:
    assert USPSClient.carrier == "usps"
    assert USPSClient.default_base_url == "https://apis.usps.com"
    assert USPSClient.base_url_env_var() == "TRACKLINGO_USPS_BASE_URL"


# -- flat records ---------------------------------------------------------------------------------


def normalize_one(record: dict[str, Any]) -> TrackingEvent:
    registry = load_carriers(strict=True, only={"usps"})
    events, rejects = Normalizer(registry).process(Record(1, record))
    assert rejects == []
    [event] = events
    return event


def flat(**fields: Any) -> dict[str, Any]:
    return {"carrier": "usps", "tracking_number": "CP202506149DE", "code": None,
            "timestamp": "2025-06-16T06:37:00-04:00", **fields}


def test_flat_isc_event_resolved_from_the_s10_number() -> None:
    event = normalize_one(flat(description="Processed Through Facility",
                               city="ISC NEW YORK NY(USPS)", country="US"))
    assert event.stage is Stage.ARRIVED_DESTINATION_COUNTRY
    assert event.match is MatchKind.CONTEXT
    assert event.description == "Processed Through Facility"
    assert event.location.facility == "ISC NEW YORK NY(USPS)"


def test_flat_isc_text_with_the_place_glued_on() -> None:
    event = normalize_one(flat(tracking_number="CP100000140US",
                               description="Processed Through Facility, ISC NEW YORK NY(USPS)"))
    assert event.stage is Stage.DEPARTED_ORIGIN_COUNTRY
    assert event.location.facility == "ISC NEW YORK NY(USPS)"


def test_flat_isc_event_without_direction_needs_context() -> None:
    event = normalize_one(flat(tracking_number="9400111899223197428497",
                               description="Processed Through Facility",
                               city="ISC NEW YORK NY(USPS)"))
    assert event.stage is Stage.IN_TRANSIT
    assert event.needs_context == "direction"


def test_flat_mail_type_field_gives_the_direction() -> None:
    event = normalize_one(flat(tracking_number="9400111899223197428497",
                               description="Processed Through Facility",
                               city="ISC NEW YORK NY(USPS)", mailType="INTERNATIONAL_INBOUND"))
    assert event.stage is Stage.ARRIVED_DESTINATION_COUNTRY


def test_flat_plant_name_gives_zone_and_z_is_not_trusted() -> None:
    event = normalize_one(flat(tracking_number="9400111899223197428497", code="A1",
                               description="Arrived at USPS Regional Facility",
                               timestamp="2024-11-23T13:10:00Z",
                               city="OAK CREEK WI DISTRIBUTION CENTER"))
    assert event.occurred_at == datetime(2024, 11, 23, 13, 10, tzinfo=timezone(timedelta(hours=-6)))
    assert event.location.region == "WI" and event.location.country == "US"


def test_flat_bad_timestamp_is_a_reject_not_a_crash() -> None:
    registry = load_carriers(strict=True, only={"usps"})
    events, rejects = Normalizer(registry).process(
        Record(7, flat(description="Out for Delivery", timestamp="tomorrow"))
    )
    assert events == []
    assert len(rejects) == 1 and "timestamp" in rejects[0].reason


def test_flat_record_without_carrier_is_detected_as_usps() -> None:
    record = flat(tracking_number="9400111899223197428497", description="Out for Delivery",
                  code="OF", state="PA")
    del record["carrier"]
    assert normalize_one(record).carrier == "usps"


# -- the examples ----------------------------------------------------------------------------------


def example_files() -> list[Path]:
    return [EXAMPLES / "usps.jsonl", *sorted(EXAMPLES.glob("usps-*.json"))]


@pytest.mark.skipif(not (EXAMPLES / "usps.jsonl").exists(), reason="examples not present")
def test_examples_normalize_completely() -> None:
    registry = load_carriers(strict=True, only={"usps"})
    normalizer = Normalizer(registry)
    events: list[TrackingEvent] = []
    for path in example_files():
        for record in read_records(str(path)):
            got, rejects = normalizer.process(record)
            assert [r for r in rejects if isinstance(r, Reject)] == []
            events.extend(got)
    stats = normalizer.stats
    assert stats.records_in == stats.records_ok
    assert stats.unmapped == 0
    stages = {(e.tracking_number, e.stage) for e in events}
    # the inbound parcel through ISC and customs, in the flat feed and in the raw v3 response
    for number in ("CP202506149DE", "CP305172460JP"):
        for stage in (Stage.ARRIVED_DESTINATION_COUNTRY, Stage.IMPORT_CUSTOMS,
                      Stage.CUSTOMS_CLEARED, Stage.DELIVERED):
            assert (number, stage) in stages
    assert all(e.needs_context is None for e in events)


@pytest.mark.skipif(not (EXAMPLES / "usps.jsonl").exists(), reason="examples not present")
def test_example_flat_records_have_the_design_shape() -> None:
    keys = {"carrier", "tracking_number", "timestamp", "code", "description", "city", "state",
            "postal_code", "country"}
    for line in (EXAMPLES / "usps.jsonl").read_text(encoding="utf-8").splitlines():
        assert set(json.loads(line)) == keys


def test_flat_isc_label_in_city_with_the_state_column_filled() -> None:
    """A flat feed that fills `state` beside an ISC label in `city` still resolves direction."""
    event = normalize_one(flat(description="Processed Through Facility",
                               city="ISC NEW YORK NY(USPS)", state="NY", country="US"))
    assert event.stage is Stage.ARRIVED_DESTINATION_COUNTRY
    assert event.match is MatchKind.CONTEXT
    assert event.location.facility == "ISC NEW YORK NY(USPS)"
    assert (event.location.city, event.location.region) == ("NEW YORK", "NY")
