"""Peer payload readers: recognising each peer's shapes, per-checkpoint records with the values as
written, carrier identifiers resolved through the carrier table, per-number errors."""

from __future__ import annotations

from typing import Any

import pytest
from test_server_app import USPS_NUMBER, aftership_push, easypost_push

from tracklingo import InputError, Stage
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
    read = read_peer_payload(payload, INSTALLED)
    assert read.peer == peer and read.checkpoints and not read.errors
    assert {cp.peer for cp in read.checkpoints} == {peer}
    assert all(cp.carrier == "usps" and cp.description for cp in read.checkpoints)


def test_carrier_responses_and_junk_are_not_peer_payloads() -> None:
    usps = {"trackingNumber": USPS_NUMBER, "trackingEvents": []}
    payloads: tuple[object, ...] = (usps, {"output": {"completeTrackResults": []}}, [], "x", {"data": {}})
    for payload in payloads:
        assert sniff_peer(payload) is None
    with pytest.raises(InputError, match="not a payload of any known peer"):
        read_peer_payload(usps, INSTALLED)
    with pytest.raises(InputError, match="not an EasyPost"):
        read_peer_payload(aftership_push(), INSTALLED, peer="easypost")


def test_aftership_checkpoint_fields() -> None:
    payload = aftership_push()
    payload["msg"]["checkpoints"][0]["raw_tag"] = "03"
    first = read_peer_payload(payload, INSTALLED).checkpoints[0]
    assert (first.tracking_number, first.time, first.code) == (USPS_NUMBER, "2026-11-19T16:40:00-05:00", "03")
    place = first.place  # as written: the event builder splits and resolves it
    assert (place.label, place.region, place.postal_code, place.country_name) == (
        "DENVER",
        "CO",
        "80203",
        "United States",
    )
    assert (first.peer_tag, first.peer_code) == ("InTransit", "InTransit_002")


def test_17track_and_easypost_peer_codes() -> None:
    (cp,) = read_peer_payload(seventeen_push(), INSTALLED).checkpoints
    assert (cp.peer_tag, cp.peer_code, cp.slug, cp.place.country, cp.carrier) == (
        "InTransit",
        "InTransit_CustomsProcessing",
        "USPS",
        "US",
        "usps",
    )
    details = read_peer_payload(easypost_push(), INSTALLED).checkpoints
    assert [d.peer_code for d in details] == [
        "in_transit/arrived_at_facility",
        "out_for_delivery/out_for_delivery",
    ]


@pytest.mark.parametrize(
    ("peer", "slug", "carrier"),
    [
        ("aftership", "usps", "usps"),
        ("aftership", "USPS", "usps"),
        ("aftership", "dhl-germany", "dhl"),
        ("aftership", "dhl-global-mail", "dhl"),
        ("aftership", "dhl-poland", None),  # DHL Parcel Poland: not what the dhl adapter reads
        ("aftership", "fedex-uk", None),
        ("aftership", "royal-mail", None),
        ("17track", 21051, "usps"),
        ("17track", "100003", "fedex"),
        ("17track", 3011, None),
        ("easypost", "DHLExpress", "dhl"),
        ("easypost", "FedEx", "fedex"),
        ("shippo", "dhl_ecommerce", "dhl"),
        ("shippo", "dhl_benelux", None),
        ("shippo", "fedex", "fedex"),
        ("shippo", "", None),
        ("shippo", None, None),
        ("aftership", "uspsx", None),
    ],
)
def test_carrier_for_slug(peer: str, slug: Any, carrier: str | None) -> None:
    assert carrier_for_slug(peer, slug, INSTALLED) == carrier


def test_a_mapped_carrier_that_is_not_installed_is_none() -> None:
    assert carrier_for_slug("aftership", "dhl-germany", ["usps"]) is None
    assert carrier_for_slug("aftership", "acme", ["usps", "acme"]) == "acme"  # its exact name


def test_17track_reply_rejected_numbers_and_empty_numbers_are_errors() -> None:
    item = seventeen_push()["data"]
    empty = {
        "number": "LX000000000CN",
        "carrier": 3011,
        "track_info": {"latest_status": {"status": "NotFound"}},
    }
    reply = {
        "code": 0,
        "data": {
            "accepted": [item, empty],
            "rejected": [
                {"number": "BAD1", "error": {"code": -18019909, "message": "No tracking information."}}
            ],
        },
    }
    read = read_peer_payload(reply, INSTALLED)
    assert len(read.checkpoints) == 1
    assert [(e.tracking_number, e.code) for e in read.errors] == [
        ("LX000000000CN", None),
        ("BAD1", "-18019909"),
    ]
    assert "NotFound" in read.errors[0].message and read.errors[1].message == "No tracking information."


def test_a_payload_without_a_number_is_an_input_error() -> None:
    payload = aftership_push()
    del payload["msg"]["tracking_number"]
    with pytest.raises(InputError, match="without a tracking number"):
        read_peer_payload(payload, INSTALLED)
    with pytest.raises(InputError, match="'peer' must be a string"):
        read_peer_payload(payload, INSTALLED, peer=7)  # type: ignore[arg-type]


def test_import_rule_falls_back_to_the_tag() -> None:
    pmap = load_peer("17track")
    rule = pmap.import_rule("InTransit_SomethingNew", "InTransit")
    assert rule is not None and rule.stage is Stage.IN_TRANSIT
    assert pmap.import_rule(None, None) is None


def test_import_for_names_the_deciding_value() -> None:
    aftership = load_peer("aftership")
    assert aftership.import_for("AttemptFail_002", "AttemptFail") == (
        aftership.imports["AttemptFail_002"],
        "AttemptFail_002",
    )
    found = aftership.import_for("InTransit_012", None)  # an unlisted subtag: its tag, no finer
    assert found is not None and found[1] == "InTransit" and found[0].stage is Stage.IN_TRANSIT
    easypost = load_peer("easypost")
    found = easypost.import_for("in_transit/something_new", None)
    assert found is not None and found[1] == "in_transit"
    seventeen = load_peer("17track")  # a sub-status written in `stage`
    found = seventeen.import_for(None, "InTransit_PickedUp")
    assert found is not None and found[0].stage is Stage.ACCEPTED
    assert seventeen.import_for("Nonsense", None) is None
