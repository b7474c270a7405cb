from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from tracklingo import (
    EVENTS_ADAPTER,
    Location,
    MatchKind,
    Stage,
    Status,
    TrackingEvent,
    event_json_schema,
    event_to_json,
)


def _event(**kw: object) -> TrackingEvent:
    base: dict[str, object] = {
        "carrier": "usps",
        "tracking_number": "9400111899223197428497",
        "occurred_at": datetime(2026, 11, 20, 14, 3, tzinfo=timezone(timedelta(hours=-5))),
        "stage": "in_transit",
        "match": "phrase",
        "description": "Processed Through Facility",
        "location": {"city": "NEW YORK", "region": "NY", "postal_code": "10199", "country": "US"},
    }
    base.update(kw)
    return TrackingEvent.model_validate(base)


def test_status_is_filled_from_stage() -> None:
    assert _event().status is Status.IN_TRANSIT
    assert _event(stage="customs_hold").status is Status.EXCEPTION


def test_status_must_agree_with_stage() -> None:
    with pytest.raises(ValidationError, match="does not belong to stage"):
        _event(stage="delivered", status="in_transit")


def test_json_round_trip_keeps_offset_and_fields() -> None:
    event = _event(code="10", reason="weather", stage="delayed")
    data = event_to_json(event)
    back = TrackingEvent.model_validate_json(data)
    assert back == event
    assert back.occurred_at is not None and back.occurred_at.utcoffset() == timedelta(hours=-5)
    assert b'"2026-11-20T14:03:00-05:00"' in data


def test_raw_only_when_asked() -> None:
    event = _event(raw={"x": 1})
    assert b'"raw"' not in event_to_json(event)
    assert b'"raw":{"x":1}' in event_to_json(event, include_raw=True)


def test_list_adapter_round_trip() -> None:
    events = [_event(), _event(stage="delivered", description="Delivered")]
    assert EVENTS_ADAPTER.validate_json(EVENTS_ADAPTER.dump_json(events)) == events


def test_frozen() -> None:
    with pytest.raises(ValidationError):
        _event().stage = Stage.DELIVERED  # type: ignore[misc]


@pytest.mark.parametrize("country", ["usa", "USA", "U", "123"])
def test_location_country_is_iso_alpha2(country: str) -> None:
    with pytest.raises(ValidationError):
        Location(country=country)


def test_naive_time_is_kept_and_flagged() -> None:
    event = _event(occurred_at="2026-11-20T14:03:00", time_is_local=True, time_note="no offset")
    assert event.occurred_at is not None and event.occurred_at.tzinfo is None
    assert b'"2026-11-20T14:03:00"' in event_to_json(event)


def test_unknown_stage_rejected_with_clear_message() -> None:
    with pytest.raises(ValidationError, match="stage"):
        _event(stage="teleported")


def test_schema_lists_every_stage_and_match_kind() -> None:
    schema = event_json_schema()
    text = str(schema)
    for stage in Stage:
        assert stage.value in text
    for kind in MatchKind:
        assert kind.value in text
    assert "occurred_at" in schema["properties"]


def test_location_label() -> None:
    assert Location(facility="ISC NEW YORK NY(USPS)", country="US").label() == (
        "ISC NEW YORK NY(USPS), US"
    )
    assert Location(city="DENVER", region="CO", postal_code="80203").label() == "DENVER, CO 80203"


def test_tracking_number_as_printed_on_a_label_is_one_number() -> None:
    assert _event(tracking_number=" 9400 1118 9922 3197 4284 97 ").tracking_number == (
        "9400111899223197428497"
    )
    assert _event(tracking_number="cp202411052de").tracking_number == "CP202411052DE"


def test_inferred_events_carry_confidence_and_evidence_and_old_events_still_load() -> None:
    inferred = _event(match="inferred", stage="customs_hold", confidence=0.8, evidence=["held", "customs"])
    assert inferred.confidence == 0.8 and inferred.evidence == ("held", "customs")
    back = TrackingEvent.model_validate_json(event_to_json(inferred))
    assert back == inferred
    old = _event()  # written before the fields existed: both stay unset, and out of the JSON
    assert old.confidence is None and old.evidence is None
    assert b"confidence" not in event_to_json(old)
    with pytest.raises(ValidationError, match="confidence"):
        _event(match="inferred", confidence=1.5)


# -- issue 12 items 4, 6, 7: numbers, exact offsets, plausible years ----------------------------


@pytest.mark.parametrize("written", ["4801-234-561", "4801.234.561", " 4801 234 561 ", "4801234561"])
def test_dashed_dotted_and_spaced_numbers_are_one_number(written: str) -> None:
    assert _event(tracking_number=written).tracking_number == "4801234561"
    handoff = _event(handoff={"carrier": "USPS", "tracking_number": written}).handoff
    assert handoff is not None and handoff.tracking_number == "4801234561"


def test_an_offset_with_seconds_is_written_exactly_and_reads_back_the_same_instant() -> None:
    tz = timezone(timedelta(hours=5, minutes=30, seconds=45))
    event = _event(occurred_at=datetime(2026, 11, 20, 14, 3, tzinfo=tz))
    text = event_to_json(event)
    assert b'"occurred_at":"2026-11-20T14:03:00+05:30:45"' in text
    back = TrackingEvent.model_validate_json(text)
    assert back.occurred_at is not None and back.occurred_at == event.occurred_at
    assert back.occurred_at.utcoffset() == tz.utcoffset(None)
    assert back.dedup_key == event.dedup_key


@pytest.mark.parametrize(
    ("when", "says"),
    [
        ("9999-12-31T23:30:00-01:00", "year 9999"),
        ("0001-01-01T00:30:00+01:00", "year 1"),
        ("1969-12-31T23:59:59Z", "year 1969"),
        ("2101-01-01T00:00:00Z", "year 2101"),
        (datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=15))), "beyond ±14:00"),
    ],
)
def test_times_a_carrier_cannot_mean_are_invalid(when: object, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        _event(occurred_at=when)


def test_the_edges_of_the_valid_years_are_valid_and_give_a_dedup_key() -> None:
    for when in ("1970-01-01T00:00:00+14:00", "2100-12-31T23:59:59-12:00"):
        assert _event(occurred_at=when).dedup_key[2]
