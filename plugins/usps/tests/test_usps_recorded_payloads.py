"""Two more real USPS Web Tools TrackV2 replies (fixtures/real/README.md, "Added for issue 15").

The v3 parser does not read XML: as in ``test_usps_vocab_variants.py``, each ``Event`` (with its
``EventCode`` when the reply has one) is taken out and resolved through the USPS vocabulary; the
stages were labelled from the wording before the vocabulary was consulted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tracklingo import MatchKind, Stage, best_carrier
from tracklingo_dhl import DHLCarrier
from tracklingo_fedex import FedExCarrier
from tracklingo_usps import USPSCarrier

CARRIER = USPSCarrier()
VOCAB = CARRIER.vocabulary
REAL = Path(__file__).parent / "fixtures" / "real"
S = Stage

#: newest first, as in the replies: (Event, EventCode, stage)
EXPECTED: dict[str, list[tuple[str, str | None, Stage]]] = {
    "stillinmemphis_corvallis_2016.xml": [
        ("Delivered, In/At Mailbox", None, S.DELIVERED),
        ("Out for Delivery", None, S.OUT_FOR_DELIVERY),
        ("Sorting Complete", None, S.AT_DESTINATION_FACILITY),
        ("Arrived at Post Office", None, S.AT_DESTINATION_FACILITY),
        ("Departed USPS Facility", None, S.IN_TRANSIT),
        ("Arrived at USPS Destination Facility", None, S.IN_TRANSIT),
        ("Arrived at USPS Origin Facility", None, S.IN_TRANSIT),
        ("Accepted at USPS Origin Facility", None, S.ACCEPTED),
        ("Pre-Shipment Info Sent to USPS", None, S.LABEL_CREATED),
    ],
    "usps_elixir_regional_origin_2020.xml": [
        ("Arrived at USPS Regional Origin Facility", "10", S.IN_TRANSIT),
        ("Accepted at USPS Regional Facility", "UA", S.ACCEPTED),
        ("Shipping Label Created, USPS Awaiting Item", "GX", S.LABEL_CREATED),
    ],
}


def _events(root: ET.Element) -> list[tuple[str, str | None]]:
    out = []
    for node in root.iter():
        if node.tag in ("TrackSummary", "TrackDetail") and node.find("Event") is not None:
            code = node.findtext("EventCode")
            out.append(((node.findtext("Event") or "").strip(), code.strip() if code else None))
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_event_resolves_to_its_stage(name: str) -> None:
    root = ET.parse(REAL / name).getroot()
    assert _events(root) == [(text, code) for text, code, _ in EXPECTED[name]]
    for text, code, stage in EXPECTED[name]:
        res = VOCAB.resolve(text, code)
        assert res.stage is stage, (text, code)
        assert res.match is not MatchKind.UNMAPPED


def test_codes_decide_where_the_reply_has_them() -> None:
    assert VOCAB.resolve("Accepted at USPS Regional Facility", "UA").match is MatchKind.CODE
    assert VOCAB.resolve("Shipping Label Created, USPS Awaiting Item", "GX").match is MatchKind.CODE


def test_status_category_and_status_of_the_revision_1_reply() -> None:
    root = ET.parse(REAL / "usps_elixir_regional_origin_2020.xml").getroot()
    assert root.findtext(".//StatusCategory") == "In Transit"
    assert VOCAB.resolve("In Transit").stage is S.IN_TRANSIT
    assert VOCAB.resolve(root.findtext(".//Status") or "").stage is S.IN_TRANSIT


def test_a_reply_for_two_numbers_holds_the_not_found_error_apart() -> None:
    infos = ET.parse(REAL / "stillinmemphis_corvallis_2016.xml").getroot().findall("TrackInfo")
    assert [i.get("ID") for i in infos] == ["9405503699300270004035", "0"]
    assert infos[0].find("Error") is None
    error = infos[1].find("Error")
    assert error is not None and error.findtext("Number") == "-2147219302"
    assert (error.findtext("Description") or "").startswith("The Postal Service could not locate")


def test_the_real_number_is_detected_as_usps() -> None:
    carriers = (CARRIER, DHLCarrier(), FedExCarrier())
    assert best_carrier("9405503699300270004035", carriers)[0] == "usps"
