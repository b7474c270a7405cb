from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tracklingo import (
    MatchKind,
    Normalizer,
    Reject,
    Stage,
    TrackingEvent,
    normalize,
    read_records,
)


def flat(**kw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "carrier": "acme",
        "tracking_number": "ACME123",
        "timestamp": "2026-11-20T14:03:00-05:00",
        "description": "In transit",
        "city": "NEW YORK",
        "state": "NY",
        "postal_code": "10199",
        "country": "US",
    }
    rec.update(kw)
    return rec


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_feed_with_good_malformed_and_unmapped_lines_accounts_for_everything(
    tmp_path: Path, acme_registry: Any
) -> None:
    feed = write_jsonl(
        tmp_path / "feed.jsonl",
        [
            json.dumps(flat()),
            '{"carrier": "acme", "tracking_number": ',  # malformed JSON
            json.dumps(flat(description="Teleported to the moon")),  # unmapped
            json.dumps(flat(timestamp="next tuesday")),  # bad timestamp
            json.dumps(flat(carrier="ups")),  # unknown carrier
            json.dumps({k: v for k, v in flat().items() if k != "timestamp"}),  # missing field
            "[1, 2]",  # not an object
            "",  # blank: not a record
            json.dumps(flat(description="Delivered", code="DL")),
        ],
    )
    n = Normalizer(acme_registry)
    out = list(n.run(read_records(feed)))
    events = [o for o in out if isinstance(o, TrackingEvent)]
    rejects = [o for o in out if isinstance(o, Reject)]
    s = n.stats
    assert s.records_in == 8 == s.records_ok + s.records_rejected
    assert (s.records_ok, s.records_rejected, s.events_out, s.unmapped) == (3, 5, 3, 1)
    assert [e.stage for e in events] == [Stage.IN_TRANSIT, Stage.UNKNOWN, Stage.DELIVERED]
    assert events[1].description == "Teleported to the moon"
    assert events[1].match is MatchKind.UNMAPPED
    by_line = {r.line: r.reason for r in rejects}
    assert by_line[2].startswith("malformed JSON")
    assert "bad timestamp 'next tuesday'" in by_line[4]
    assert "unknown carrier 'ups'" in by_line[5]
    assert by_line[6] == "missing field 'timestamp'"
    assert by_line[7] == "a record must be a JSON object"
    assert s.unmapped_by_carrier == {"acme": 1}
    assert "records in 8 / events out 3 / rejected 5 / unmapped 1" in s.summary()


def test_flat_event_fields_and_time(acme_registry: Any) -> None:
    [event] = normalize(
        [flat(timestamp="2026-07-01T09:00:00", state="CO", city="DENVER", postal_code="80203")],
        registry=acme_registry,
    )
    assert isinstance(event, TrackingEvent)
    assert event.occurred_at is not None and event.occurred_at.utcoffset() is not None
    assert event.occurred_at.isoformat() == "2026-07-01T09:00:00-06:00"
    assert event.location.city == "DENVER" and event.location.region == "CO"
    assert event.location.country == "US" and event.status.value == "in_transit"


def test_pattern_fills_location_and_country_name_is_converted(acme_registry: Any) -> None:
    [event] = normalize(
        [
            flat(
                description="Arrived at CINCINNATI HUB - UNITED STATES",
                country=None,
                city=None,
                state=None,
                postal_code=None,
            )
        ],
        registry=acme_registry,
    )
    assert isinstance(event, TrackingEvent)
    assert event.match is MatchKind.PATTERN
    assert event.location.facility == "CINCINNATI HUB" and event.location.country == "US"


def test_context_from_s10_number_on_flat_event(acme_registry: Any) -> None:
    text = "Processed through GATEWAY JFK"
    inbound, outbound, unknown = normalize(
        [
            flat(tracking_number="CP202411052DE", description=text),
            flat(tracking_number="CP100000140US", description=text),
            flat(tracking_number="ACME1", description=text),
        ],
        registry=acme_registry,
    )
    assert isinstance(inbound, TrackingEvent) and isinstance(outbound, TrackingEvent)
    assert inbound.stage is Stage.ARRIVED_DESTINATION_COUNTRY and inbound.match is MatchKind.CONTEXT
    assert outbound.stage is Stage.DEPARTED_ORIGIN_COUNTRY
    assert isinstance(unknown, TrackingEvent) and unknown.needs_context == "direction"


def test_carrier_detection_and_ambiguity(acme_registry: Any) -> None:
    items = list(
        normalize(
            [
                flat(carrier=None, tracking_number="ACME42"),
                flat(carrier=None, tracking_number="AMBI42"),
                flat(carrier=None, tracking_number="ZZZ"),
            ],
            registry=acme_registry,
        )
    )
    assert isinstance(items[0], TrackingEvent) and items[0].carrier == "acme"
    assert isinstance(items[1], Reject) and "ambiguous tracking number 'AMBI42'" in items[1].reason
    assert "acme (0.60)" in items[1].reason and "beta (0.60)" in items[1].reason
    assert isinstance(items[2], Reject) and "no installed carrier recognises" in items[2].reason


def test_default_carrier_for_records_without_one(acme_registry: Any) -> None:
    [event] = normalize(
        [flat(carrier=None, tracking_number="AMBI42")], registry=acme_registry, carrier="beta"
    )
    assert isinstance(event, TrackingEvent) and event.carrier == "beta"


def test_payload_envelope_bare_response_and_number_errors(acme_registry: Any) -> None:
    resp = {
        "acmeShipment": {
            "number": "ACME9",
            "events": [
                {"at": "2026-11-20T10:00:00+00:00", "text": "Out for delivery"},
                {"at": "2026-11-20T15:00:00+00:00", "code": "DL", "text": "Delivered"},
            ],
        }
    }
    missing = {"acmeShipment": {"number": "ACME0", "error": "Tracking number not found"}}
    n = Normalizer(acme_registry)
    out = list(
        n.run(
            read_records_from(
                [
                    {"carrier": "acme", "payload": resp},
                    resp,
                    missing,
                    {"something": "else"},
                    {"acmeShipment": 5},
                ]
            )
        )
    )
    events = [o for o in out if isinstance(o, TrackingEvent)]
    rejects = [o for o in out if isinstance(o, Reject)]
    assert [e.stage for e in events] == [Stage.OUT_FOR_DELIVERY, Stage.DELIVERED] * 2
    assert events[0].raw == {"at": "2026-11-20T10:00:00+00:00", "text": "Out for delivery"}
    assert rejects[0].line == 3 and rejects[0].tracking_number == "ACME0"
    assert "Tracking number not found [NOTFOUND]" in rejects[0].reason
    assert "no installed carrier recognises it" in rejects[1].reason
    assert rejects[2].reason.startswith("acme: not an ACME response")
    assert n.stats.records_in == 5 and n.stats.records_rejected == 3


def read_records_from(items: list[dict[str, Any]]) -> list[Any]:
    from tracklingo import Record

    return [Record(i, item) for i, item in enumerate(items, 1)]


def test_csv_gzip_and_json_array(tmp_path: Path, acme_registry: Any) -> None:
    csv_path = tmp_path / "feed.csv"
    csv_path.write_text(
        "carrier,tracking_number,timestamp,code,description,city,state,postal_code,country\n"
        "acme,ACME1,2026-11-20T14:03:00-05:00,,In transit,NEW YORK,NY,10199,US\n"
        "acme,ACME1,2026-11-21T09:00:00-05:00,DL,Delivered,NEW YORK,NY,10199,US,EXTRA\n"
        "acme,ACME1,2026-11-21T10:00:00-05:00,OD,,NEW YORK,NY,10199,US\n"
    )
    out = list(normalize(read_records(csv_path), registry=acme_registry))
    assert isinstance(out[0], TrackingEvent) and out[0].code is None
    assert isinstance(out[1], Reject) and out[1].line == 3 and "malformed CSV" in out[1].reason
    assert isinstance(out[2], TrackingEvent) and out[2].stage is Stage.OUT_FOR_DELIVERY

    gz = tmp_path / "feed.jsonl.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write(json.dumps(flat()) + "\n" + json.dumps(flat(code="DL")) + "\n")
    assert len(list(normalize(read_records(gz), registry=acme_registry))) == 2

    arr = tmp_path / "feed.json"
    arr.write_text(json.dumps([flat(), 7, flat(code="OD")], indent=2))
    items = list(normalize(read_records(arr), registry=acme_registry))
    assert [type(i).__name__ for i in items] == ["TrackingEvent", "Reject", "TrackingEvent"]


def test_pretty_printed_single_response_is_detected_as_json(
    tmp_path: Path, acme_registry: Any
) -> None:
    path = tmp_path / "response.txt"
    path.write_text(
        json.dumps(
            {
                "acmeShipment": {
                    "number": "ACME9",
                    "events": [{"at": "2026-11-20T10:00:00+00:00", "text": "In transit"}],
                }
            },
            indent=2,
        )
    )
    [event] = normalize(read_records(path), registry=acme_registry)
    assert isinstance(event, TrackingEvent) and event.tracking_number == "ACME9"


def test_unknown_default_carrier_fails_early(acme_registry: Any) -> None:
    from tracklingo import UnknownCarrierError

    with pytest.raises(UnknownCarrierError):
        Normalizer(acme_registry, carrier="nope")


def test_carrier_name_with_surrounding_spaces_or_capitals_is_recognised(acme_registry: Any) -> None:
    n = Normalizer(acme_registry)
    events, rejects = n.process(read_records_from([flat(carrier=" ACME ")])[0])
    assert rejects == [] and [e.carrier for e in events] == ["acme"]


def test_handoff_columns_of_a_flat_record_are_normalised(acme_registry: Any) -> None:
    n = Normalizer(acme_registry)
    rec = flat(handoff_carrier="BETA ", handoff_tracking_number=" B123 ")
    [event], _ = n.process(read_records_from([rec])[0])
    assert event.handoff is not None
    assert (event.handoff.carrier, event.handoff.tracking_number) == ("beta", "B123")


# -- issue 13 item 15, issue 12 items 4 and 7 ---------------------------------------------------


def test_a_json_integer_number_keeps_its_exact_digits_and_a_float_is_a_reject(acme_registry: Any) -> None:
    n = Normalizer(acme_registry)
    items = list(n.run(records_from_lines([
        '{"carrier": "acme", "tracking_number": 9400111899223197428497, "timestamp":'
        ' "2026-11-20T14:03:00-05:00", "description": "In transit"}',
        '{"carrier": "acme", "tracking_number": 9.400111899223197E+21, "timestamp":'
        ' "2026-11-20T14:03:00-05:00", "description": "In transit"}',
    ])))
    assert isinstance(items[0], TrackingEvent) and items[0].tracking_number == "9400111899223197428497"
    assert isinstance(items[1], Reject) and "digits are lost" in items[1].reason
    assert n.stats.records_in == n.stats.records_ok + n.stats.records_rejected == 2


def records_from_lines(lines: list[str]) -> list[Any]:
    from tracklingo import Record

    return [Record(i, json.loads(line)) for i, line in enumerate(lines, 1)]


def test_dashed_forms_of_one_number_are_one_parcel(acme_registry: Any) -> None:
    from tracklingo.journeys import build_journeys

    records = [
        flat(tracking_number="ACME-123", timestamp="2026-11-20T10:00:00Z"),
        flat(tracking_number="acme.123", timestamp="2026-11-20T11:00:00Z", description="Out for delivery"),
        flat(carrier=None, tracking_number="ACME 123", timestamp="2026-11-20T12:00:00Z",
             description="Delivered"),
    ]
    events = [e for e in normalize(records, registry=acme_registry) if isinstance(e, TrackingEvent)]
    assert {e.tracking_number for e in events} == {"ACME123"}
    assert len(build_journeys(events)) == 1


@pytest.mark.parametrize(
    "timestamp", ["9999-12-31T23:30:00-01:00", "0001-01-01T00:00:00Z", "2026-11-20T14:03:00+15:00"]
)
def test_times_outside_the_valid_range_are_rejects_not_crashes(acme_registry: Any, timestamp: str) -> None:
    items = list(normalize([flat(timestamp=timestamp), flat()], registry=acme_registry))
    assert isinstance(items[0], Reject) and "bad timestamp" in items[0].reason
    assert isinstance(items[1], TrackingEvent)
