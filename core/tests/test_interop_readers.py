"""Peer payload readers: recognising each peer's shapes, per-checkpoint records, carrier slugs, and
records that go through the installed carrier's vocabulary (the peer status only as fallback data)."""

from __future__ import annotations

from typing import Any

import pytest
from test_server_app import USPS_NUMBER, aftership_push, easypost_push

import tracklingo
from tracklingo import InputError, Stage, TrackingEvent
from tracklingo.interop import carrier_for_slug, load_peer, read_peer_payload, sniff_peer

INSTALLED = ["usps", "fedex", "dhl"]


def seventeen_push() -> dict[str, Any]:
    return {
        "event": "TRACKING_UPDATED",
        "data": {
            "number": "RR123456785DE",
            "carrier": 21051,
            "param": None,
            "tag": None,
            "track_info": {
                "latest_status": {"status": "InTransit", "sub_status": "InTransit_CustomsProcessing"},
                "tracking": {
                    "providers": [
                        {
                            "provider": {"key": 21051, "name": "USPS"},
                            "events": [
                                {
                                    "time_iso": "2026-11-18T09:12:00-05:00",
                                    "description": "Inbound Into Customs",
                                    "location": "ISC NEW YORK NY(USPS)",
                                    "stage": "InTransit",
                                    "sub_status": "InTransit_CustomsProcessing",
                                    "address": {"country": "US", "state": "NY", "city": "NEW YORK"},
                                }
                            ],
                        }
                    ]
                },
            },
        },
    }


def shippo_push() -> dict[str, Any]:
    return {
        "event": "track_updated",
        "test": True,
        "data": {
            "tracking_number": USPS_NUMBER,
            "carrier": "usps",
            "tracking_status": {
                "status": "DELIVERED",
                "status_details": "Delivered, In/At Mailbox",
                "status_date": "2026-11-21T13:47:00Z",
            },
            "tracking_history": [
                {
                    "status": "PRE_TRANSIT",
                    "status_details": "Shipping Label Created, USPS Awaiting Item",
                    "status_date": "2026-11-18T10:00:00Z",
                    "substatus": {
                        "code": "information_received",
                        "text": "Information about the package received.",
                        "action_required": False,
                    },
                    "location": {"city": "DENVER", "state": "CO", "zip": "80203", "country": "US"},
                },
                {
                    "status": "DELIVERED",
                    "status_details": "Delivered, In/At Mailbox",
                    "status_date": "2026-11-21T13:47:00Z",
                    "location": {"city": "DENVER", "state": "CO", "zip": "80203", "country": "US"},
                },
            ],
        },
    }


@pytest.mark.parametrize(
    ("payload", "peer"),
    [
        (aftership_push(), "aftership"),
        ({"data": {"tracking": aftership_push()["msg"]}}, "aftership"),
        (aftership_push()["msg"], "aftership"),
        (seventeen_push(), "17track"),
        ({"code": 0, "data": {"accepted": [seventeen_push()["data"]], "rejected": []}}, "17track"),
        (easypost_push(), "easypost"),
        (easypost_push()["result"], "easypost"),
        (shippo_push(), "shippo"),
        (shippo_push()["data"], "shippo"),
    ],
)
def test_sniff_and_read_every_documented_shape(payload: dict[str, Any], peer: str) -> None:
    assert sniff_peer(payload) == peer
    checkpoints = read_peer_payload(payload, INSTALLED)
    assert checkpoints and {cp.peer for cp in checkpoints} == {peer}
    assert all(cp.carrier == "usps" and cp.description for cp in checkpoints)


def test_carrier_responses_and_junk_are_not_peer_payloads() -> None:
    usps = {"trackingNumber": USPS_NUMBER, "trackingEvents": []}
    for payload in (usps, {"output": {"completeTrackResults": []}}, [], "x", {"data": {}}):
        assert sniff_peer(payload) is None
    with pytest.raises(InputError, match="not a payload of any known peer"):
        read_peer_payload(usps, INSTALLED)
    with pytest.raises(InputError, match="not an EasyPost"):
        read_peer_payload(aftership_push(), INSTALLED, peer="easypost")


def test_aftership_checkpoint_fields() -> None:
    payload = aftership_push()
    payload["msg"]["checkpoints"][0]["raw_tag"] = "03"
    first = read_peer_payload(payload, INSTALLED)[0]
    assert (first.tracking_number, first.time, first.code) == (USPS_NUMBER, "2026-11-19T16:40:00-05:00", "03")
    assert (first.city, first.region, first.postal_code, first.country) == ("DENVER", "CO", "80203", "US")
    assert (first.peer_tag, first.peer_code) == ("InTransit", "InTransit_002")


def test_17track_and_easypost_peer_codes() -> None:
    (cp,) = read_peer_payload(seventeen_push(), INSTALLED)
    assert (cp.peer_tag, cp.peer_code, cp.slug, cp.country) == (
        "InTransit",
        "InTransit_CustomsProcessing",
        "USPS",
        "US",
    )
    details = read_peer_payload(easypost_push(), INSTALLED)
    assert [d.peer_code for d in details] == [
        "in_transit/arrived_at_facility",
        "out_for_delivery/out_for_delivery",
    ]


@pytest.mark.parametrize(
    ("slug", "carrier"),
    [
        ("usps", "usps"),
        ("USPS", "usps"),
        ("FedEx", "fedex"),
        ("dhl-express", "dhl"),
        ("DHL eCommerce", "dhl"),
        ("fedex_uk", "fedex"),
        ("royal-mail", None),
        ("", None),
        (None, None),
        ("uspsx", None),
    ],
)
def test_carrier_for_slug(slug: str | None, carrier: str | None) -> None:
    assert carrier_for_slug(slug, INSTALLED) == carrier


def test_checkpoints_go_through_the_installed_carriers_vocabulary() -> None:
    """The carrier's own text decides the stage; the peer's status is kept only as fallback data."""
    registry = tracklingo.load_carriers()
    checkpoints = read_peer_payload(aftership_push(), [c.name for c in registry])
    events = [e for e in tracklingo.normalize([cp.flat_record() for cp in checkpoints], registry=registry)]
    assert all(isinstance(e, TrackingEvent) for e in events)
    assert [e.stage for e in events] == [Stage.ACCEPTED, Stage.OUT_FOR_DELIVERY, Stage.DELIVERED]  # type: ignore[union-attr]
    # the fallback the normalizer will use for text no vocabulary knows:
    fallback = load_peer("aftership").import_rule(checkpoints[0].peer_code, checkpoints[0].peer_tag)
    assert fallback is not None and fallback.stage is Stage.ACCEPTED


def test_import_rule_falls_back_to_the_tag() -> None:
    pmap = load_peer("17track")
    rule = pmap.import_rule("InTransit_SomethingNew", "InTransit")
    assert rule is not None and rule.stage is Stage.IN_TRANSIT
    assert pmap.import_rule(None, None) is None
