"""MyDHL API tracking responses (DHL Express, ``GET /mydhlapi/shipments/{number}/tracking``).

The real excerpt ``fixtures/real/mydhl/express_mexico_2023.json`` is a MyDHL tracking response for
9356579890 (Tepozotlan -> Cabo San Lucas, October 2023) stored in a public project's front-end
data file (search-index file id 21155589863; the code index did not name the repository). Events,
codes, texts, service areas and times are verbatim; the receiver's name, county line and
signatory are replaced by ``XXXX`` (ours). Its shape differs from the Unified API's:
``shipmentTrackingNumber`` instead of ``id``, no ``service``, events with ``date`` + ``time`` +
``typeCode`` + ``serviceArea`` listed oldest first, a shipment ``status`` ("Success") that is the
request's outcome. The other payloads below are hand-written variations of that shape (marked).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tracklingo import Stage
from tracklingo_dhl import DHLCarrier

CARRIER = DHLCarrier()
REAL = Path(__file__).parent / "fixtures" / "real" / "mydhl" / "express_mexico_2023.json"


def _real() -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(REAL.read_text(encoding="utf-8"))
    return payload


def test_the_mydhl_shape_is_recognised() -> None:
    assert CARRIER.sniff(_real())


def test_every_event_is_read_oldest_first_with_its_stage() -> None:
    result = CARRIER.parse(_real())
    assert result.errors == []
    assert [(e.code, e.stage) for e in result.events] == [
        ("PU", Stage.ACCEPTED),
        ("PL", Stage.IN_TRANSIT),
        ("DF", Stage.IN_TRANSIT),
        ("AF", Stage.IN_TRANSIT),
        ("PL", Stage.IN_TRANSIT),
        ("DF", Stage.IN_TRANSIT),
        ("AR", Stage.AT_DESTINATION_FACILITY),
        ("WC", Stage.OUT_FOR_DELIVERY),
        ("OK", Stage.DELIVERED),
    ]
    texts = [e.description for e in result.events]
    raw = [event["description"] for event in _real()["shipments"][0]["events"]]
    assert texts == raw  # nothing lost, nothing reworded


def test_times_and_places_come_from_date_time_and_service_area() -> None:
    events = CARRIER.parse(_real()).events
    first, last = events[0], events[-1]
    # Mexico spans several zones and MyDHL gives no offset here: the time stays local
    assert first.time_is_local and first.occurred_at == datetime(2023, 10, 23, 14, 29)
    assert last.occurred_at == datetime(2023, 10, 24, 15, 7)
    assert (first.location.city, first.location.country) == ("Mexico City", "MX")
    assert (last.location.city, last.location.country) == ("La Paz", "MX")
    assert last.raw["signedBy"] == "XXXX"  # the carrier's own record stays on the event


#: DHL's MyDHL API example response (one event, with ``GMTOffset``) as copied into karrio's MyDHL
#: connector test (search-index file id 5396771109), trimmed to the fields read here.
DOCUMENTED_EXAMPLE: dict[str, Any] = {
    "shipments": [
        {
            "shipmentTrackingNumber": "1234567890",
            "status": "Success",
            "shipmentTimestamp": "2020-05-14T18:00:31",
            "productCode": "N",
            "shipperDetails": {"postalAddress": {"countryCode": "CZ"}},
            "receiverDetails": {"postalAddress": {"countryCode": "SK"}},
            "events": [
                {
                    "date": "2020-06-10",
                    "time": "13:06:00",
                    "GMTOffset": "+09:00",
                    "typeCode": "PU",
                    "description": "Shipment picked up",
                    "serviceArea": [{"code": "BNE", "description": "Brisbane-AU"}],
                    "signedBy": "",
                }
            ],
            "numberOfPieces": 1,
        }
    ]
}
#: The MyDHL problem body of the same test: ``status`` is a string, ``instance`` a MyDHL path.
DOCUMENTED_ERROR: dict[str, Any] = {
    "instance": "/expressapi/tracking?shipmentReference=ShipReferenceRCS03&trackingView=shipment-details-only"
    "&levelOfDetail=shipment",
    "detail": "Missing mandatory parameters: shipperAccountNumber",
    "title": "Missing parameters",
    "message": "Bad request",
    "status": "400",
}


def test_a_gmt_offset_beside_the_local_time_is_used() -> None:
    assert CARRIER.sniff(DOCUMENTED_EXAMPLE)
    (picked_up,) = CARRIER.parse(DOCUMENTED_EXAMPLE).events
    assert picked_up.stage is Stage.ACCEPTED
    assert picked_up.occurred_at == datetime(2020, 6, 10, 13, 6, tzinfo=timezone(timedelta(hours=9)))
    assert not picked_up.time_is_local
    assert (picked_up.location.city, picked_up.location.country) == ("Brisbane", "AU")


def test_a_mydhl_problem_body_is_an_error_with_its_status() -> None:
    assert CARRIER.sniff(DOCUMENTED_ERROR)
    result = CARRIER.parse(DOCUMENTED_ERROR)
    assert result.events == []
    (err,) = result.errors
    assert err.code == "400" and err.tracking_number is None
    assert "Missing mandatory parameters: shipperAccountNumber" in err.message


def test_a_mydhl_problem_path_names_its_number() -> None:
    # hand-written: the documented error body with the per-shipment tracking path
    body = dict(DOCUMENTED_ERROR, instance="/mydhlapi/shipments/9356579890/tracking", status="404")
    (err,) = CARRIER.parse(body).errors
    assert (err.tracking_number, err.code) == ("9356579890", "404")


def test_a_shipment_without_events_yet_gives_no_event_and_no_invented_status() -> None:
    # hand-written: a label just created; MyDHL answers with an empty events list
    payload = _real()
    payload["shipments"][0]["events"] = []
    assert CARRIER.sniff(payload)
    result = CARRIER.parse(payload)
    assert result.events == []


def test_a_broken_event_is_reported_and_the_others_kept() -> None:
    payload = _real()
    payload["shipments"][0]["events"].insert(1, "garbage")
    result = CARRIER.parse(payload)
    assert len(result.events) == 9
    assert any("events[1] is not an object" in err.message for err in result.errors)


def test_an_event_with_a_code_but_no_text_keeps_the_code() -> None:
    payload = _real()
    event = payload["shipments"][0]["events"][-1]
    del event["description"]
    last = CARRIER.parse(payload).events[-1]
    assert last.description == "OK"
    assert last.stage is Stage.DELIVERED


def test_a_shipment_without_a_number_is_an_error() -> None:
    payload = _real()
    payload["shipments"][0]["shipmentTrackingNumber"] = ""
    result = CARRIER.parse(payload)
    assert result.events == []
    assert any("shipmentTrackingNumber" in err.message for err in result.errors)


def test_a_unified_response_is_still_read_as_before() -> None:
    unified = {
        "shipments": [
            {
                "id": "9356579890",
                "service": "express",
                "events": [{"timestamp": "2023-10-24T15:07:00", "description": "Delivered"}],
            }
        ]
    }
    (event,) = CARRIER.parse(unified).events
    assert event.stage is Stage.DELIVERED


def test_the_mis_sort_text_is_a_delay_without_its_code() -> None:
    # vocab/express-mydhl.toml: a MyDHL MS text (search-index file id 49324386697), here in a feed
    # that carries the text alone
    text = "Shipment arrived at incorrect facility. It will be sent to the correct destination for delivery"
    unified = {"shipments": [{"id": "1727636691", "service": "express", "events": [{"description": text}]}]}
    (event,) = CARRIER.parse(unified).events
    assert event.stage is Stage.DELAYED
    assert event.reason is not None and event.reason.value == "carrier_delay"
