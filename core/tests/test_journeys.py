from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tracklingo import Handoff, MatchKind, Stage
from tracklingo.journeys import build_journeys

from factories import ev

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_handoff_joins_legs_and_orders_events() -> None:
    dhl = [
        ev("dhl", "GM1", T0, "accepted", "Picked up"),
        ev(
            "dhl",
            "GM1",
            T0 + timedelta(days=1),
            "handed_to_last_mile",
            "Tendered to USPS",
            handoff=Handoff(carrier="usps", tracking_number="9261"),
        ),
    ]
    usps = [
        ev("usps", "9261", T0 + timedelta(days=3), "delivered", "Delivered"),
        ev("usps", "9261", T0 + timedelta(days=2), "out_for_delivery", "Out for Delivery"),
    ]
    other = [ev("fedex", "7012", T0, "in_transit")]
    journeys = build_journeys([*usps, *other, *dhl])
    assert len(journeys) == 2
    j = next(j for j in journeys if len(j.legs) == 2)
    assert [(leg.carrier, leg.tracking_number) for leg in j.legs] == [("dhl", "GM1"), ("usps", "9261")]
    assert [e.stage for e in j.events] == [
        Stage.ACCEPTED,
        Stage.HANDED_TO_LAST_MILE,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERED,
    ]
    assert j.current is not None and j.current.carrier == "usps"
    assert j.key == "dhl:GM1"


def test_s10_number_tracked_by_two_posts_is_one_journey() -> None:
    post = [ev("upu", "CP202411052DE", T0, "accepted", code="EMA", location={"country": "DE"})]
    usps = [ev("usps", "CP202411052DE", T0 + timedelta(days=5), "import_customs", location={"country": "US"})]
    [j] = build_journeys([*usps, *post])
    assert len(j.legs) == 2 and j.origin_country == "DE" and j.destination_country == "US"
    assert j.is_international is True


def test_dedup_same_event_from_two_feeds() -> None:
    a = ev("usps", "1", T0, "in_transit", "Arrived", code="A1")
    b = ev("usps", "1", T0, "in_transit", "Arrived", code="A1", raw={"feed": 2})
    [j] = build_journeys([a, b, a])
    assert len(j.events) == 1


def test_ordering_across_time_zones() -> None:
    ny = timezone(timedelta(hours=-5))
    tokyo = timezone(timedelta(hours=9))
    # 20:00 in New York is 10:00 next day in Tokyo: the Tokyo 09:00 scan is *earlier*
    late_ny = ev("x", "1", datetime(2026, 11, 20, 20, 0, tzinfo=ny), "in_transit", "NY")
    early_tokyo = ev("x", "1", datetime(2026, 11, 21, 9, 0, tzinfo=tokyo), "in_transit", "TYO")
    [j] = build_journeys([late_ny, early_tokyo])
    assert [e.description for e in j.events] == ["TYO", "NY"]


def test_undated_event_stays_after_its_older_neighbour_in_the_carriers_order() -> None:
    """Parsers give each shipment's events oldest first (the adapter contract): an undated event
    stays where the carrier put it, however the dated ones around it are ordered."""
    events = [
        ev("usps", "1", T0 + timedelta(days=3), "import_customs", "Inbound Into Customs"),
        ev("usps", "1", T0, "accepted", "Acceptance"),
        ev("usps", "1", None, "departed_origin_country", "Origin Post is Preparing Shipment"),
    ]
    [j] = build_journeys(events)
    assert [e.description for e in j.events] == [
        "Acceptance",
        "Origin Post is Preparing Shipment",
        "Inbound Into Customs",
    ]


def test_direction_resolved_from_journey(acme_registry: Any) -> None:
    acme = acme_registry.get("acme")
    isc = acme.make_event(
        tracking_number="ACME7", when=T0 + timedelta(days=2), text="Processed through GATEWAY JFK"
    )
    assert isc.needs_context == "direction"
    first = ev("acme", "ACME7", T0, "accepted", location={"country": "DE"})
    last = ev("acme", "ACME7", T0 + timedelta(days=4), "delivered", location={"country": "US"})
    [j] = build_journeys([first, isc, last], acme_registry)
    middle = j.events[1]
    assert middle.stage is Stage.ARRIVED_DESTINATION_COUNTRY and middle.match is MatchKind.CONTEXT
    assert middle.needs_context is None
    [unresolved] = build_journeys([first, isc, last])  # no carriers given: left as is
    assert unresolved.events[1].needs_context == "direction"


def test_dedup_same_instant_written_with_different_offsets() -> None:
    ny = timezone(timedelta(hours=-5))
    a = ev("usps", "1", datetime(2026, 11, 20, 14, 3, tzinfo=ny), "in_transit", "Arrived", code="A1")
    b = ev("usps", "1", datetime(2026, 11, 20, 19, 3, tzinfo=UTC), "in_transit", "Arrived", code="A1")
    [j] = build_journeys([a, b])
    assert len(j.events) == 1


def test_naive_local_time_is_not_deduplicated_against_the_same_wall_clock_in_utc() -> None:
    a = ev("usps", "1", datetime(2026, 11, 20, 14, 3), "in_transit", "Arrived", time_is_local=True)
    b = ev("usps", "1", datetime(2026, 11, 20, 14, 3, tzinfo=UTC), "in_transit", "Arrived")
    [j] = build_journeys([a, b])
    assert len(j.events) == 2


def test_handoff_naming_the_carrier_in_upper_case_still_joins_legs() -> None:
    dhl = ev(
        "dhl",
        "GM1",
        T0,
        "handed_to_last_mile",
        "Tendered to USPS",
        handoff=Handoff(carrier="USPS", tracking_number=" 9261 "),
    )
    usps = ev("usps", "9261", T0 + timedelta(days=1), "delivered", "Delivered")
    [j] = build_journeys([dhl, usps])
    assert [(leg.carrier, leg.tracking_number) for leg in j.legs] == [("dhl", "GM1"), ("usps", "9261")]
