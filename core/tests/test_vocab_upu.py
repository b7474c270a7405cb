"""The shared UPU vocabulary: every EMSEVT code, the IPS event names posts show (the (Inb)/(Otb)
marker decides the direction), and real captured tracking rows resolving to the stage they mean,
directly and through the USPS carrier, which includes it."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from tracklingo import MatchKind, Reason, Stage
from tracklingo.vocabulary import Vocabulary, shared_vocabulary

UPU = shared_vocabulary("upu")
_VOCAB_DIR = resources.files("tracklingo").joinpath("data", "vocab")
MAIN = tomllib.loads(_VOCAB_DIR.joinpath("upu.toml").read_text(encoding="utf-8"))
IPS = tomllib.loads(_VOCAB_DIR.joinpath("upu", "ips.toml").read_text(encoding="utf-8"))

S = Stage

# The standard EMSEVT item events (the UPU names as the code rules' sources list them) and the
# stage each maps to. EMX is left out on purpose: one source only, unconfirmed as a UPU code.
EMSEVT: dict[str, tuple[str, Stage]] = {
    "EMA": ("Posting/Collection", S.ACCEPTED),
    "EMB": ("Arrival at outward office of exchange", S.DEPARTED_ORIGIN_COUNTRY),
    "EXA": ("Item presented to export Customs/Security", S.EXPORT_CUSTOMS),
    "EXB": ("Item held by export Customs/Security", S.EXPORT_CUSTOMS),
    "EXC": ("Item returned from export Customs/Security", S.EXPORT_CUSTOMS),
    "EXD": ("Item held at outward office of exchange", S.DEPARTED_ORIGIN_COUNTRY),
    "EXX": ("Export cancellation", S.EXCEPTION),
    "EMC": ("Departure from outward office of exchange", S.DEPARTED_ORIGIN_COUNTRY),
    "EMJ": ("Arrival at transit office of exchange", S.IN_TRANSIT),
    "EMK": ("Departure from transit office of exchange", S.IN_TRANSIT),
    "EMD": ("Arrival at inward office of exchange", S.ARRIVED_DESTINATION_COUNTRY),
    "EDA": ("Held at inward office of exchange", S.ARRIVED_DESTINATION_COUNTRY),
    "EDB": ("Item presented to import Customs", S.IMPORT_CUSTOMS),
    "EME": ("Item held by import Customs", S.CUSTOMS_HOLD),
    "EDC": ("Item returned from import Customs", S.CUSTOMS_CLEARED),
    "EMF": ("Departure from inward office of exchange", S.IN_TRANSIT),
    "EDX": ("Import terminated", S.EXCEPTION),
    "EDD": ("Item into sorting centre", S.IN_TRANSIT),
    "EDE": ("Item out of sorting centre", S.IN_TRANSIT),
    "EMG": ("Arrival at delivery office", S.AT_DESTINATION_FACILITY),
    "EDF": ("Held at delivery depot/delivery office", S.AT_DESTINATION_FACILITY),
    "EDG": ("Item out for physical delivery", S.OUT_FOR_DELIVERY),
    "EDH": ("Item arrival at collection point for pick-up (by recipient)", S.AVAILABLE_FOR_PICKUP),
    "EMH": ("Unsuccessful (physical) delivery", S.DELIVERY_ATTEMPTED),
    "EMI": ("Final delivery", S.DELIVERED),
}

# The IPS name (with its marker) that says the same as the code's UPU name.
IPS_NAME_OF: dict[str, str] = {
    "EMA": "Receive item from customer (Otb)",
    "EMB": "Receive item at office of exchange (Otb)",
    "EXA": "Send item to customs (Otb)",
    "EXC": "Return item from customs (Otb)",
    "EMC": "Send item abroad",
    "EMD": "Receive item at office of exchange (Inb)",
    "EDB": "Send item to customs (Inb)",
    "EDC": "Return item from customs (Inb)",
    "EMF": "Send item to domestic location (Inb)",
    "EDX": "Stop item import (Inb)",
    "EMG": "Receive item at delivery office (Inb)",
    "EDH": "Receive item at collection point for pick-up (Inb)",
    "EMH": "Unsuccessful item delivery attempt (Inb)",
    "EMI": "Deliver item (Inb)",
}


def _phrases(rule: dict[str, Any]) -> list[str]:
    value = rule.get("phrase", [])
    return [value] if isinstance(value, str) else list(value)


# -- wiring ------------------------------------------------------------------------------------


def test_the_ips_part_is_part_of_the_upu_vocabulary() -> None:
    assert MAIN["meta"]["parts"] == ["upu/ips.toml"]
    assert len(UPU.rules) == len(MAIN["rule"]) + len(IPS["rule"])
    assert all(r.vocabulary == "upu" for r in UPU.rules)
    # loading the file itself (not the shared copy) reads the part too
    again = Vocabulary.from_toml(_VOCAB_DIR.joinpath("upu.toml"))  # type: ignore[arg-type]
    assert again.resolve("Send item abroad (EDI-received)").stage is S.DEPARTED_ORIGIN_COUNTRY


def test_every_ips_rule_cites_sources_the_part_defines() -> None:
    keys = set(IPS["meta"]["sources"])
    assert not keys & set(MAIN["meta"]["sources"])  # new keys, no silent redefinition
    for raw in IPS["rule"]:
        cited = {t.strip() for t in raw["source"].replace(";", ",").split(",") if t.strip()}
        assert cited and cited <= keys, raw
        assert raw.get("note"), raw


@pytest.mark.parametrize("raw", [r for r in IPS["rule"] if "phrase" in r], ids=lambda r: _phrases(r)[0][:50])
def test_each_ips_phrase_resolves_to_its_own_rule(raw: dict[str, Any]) -> None:
    assert _phrases(raw)
    for phrase in _phrases(raw):
        res = UPU.resolve(phrase)
        assert res.rule is not None and res.rule.phrase == tuple(_phrases(raw)), phrase
        assert res.stage is Stage(raw["stage"])
        assert res.match is MatchKind.PHRASE


# -- the standard code list ----------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(EMSEVT))
def test_every_emsevt_code_is_covered(code: str) -> None:
    name, stage = EMSEVT[code]
    by_code = UPU.resolve(None, code)
    assert by_code.match is MatchKind.CODE and by_code.stage is stage
    # the code's UPU name says the same as the code
    assert UPU.resolve(name).stage is stage
    # a code with any text still resolves by the code (the code is the stronger signal)
    assert UPU.resolve("Receive item at location (Inb)", code).stage is stage


@pytest.mark.parametrize("code", sorted(IPS_NAME_OF))
def test_ips_name_lands_on_the_stage_of_its_code(code: str) -> None:
    res = UPU.resolve(IPS_NAME_OF[code])
    assert res.stage is EMSEVT[code][1]
    assert res.needs_context is None


def test_the_standard_list_is_complete() -> None:
    codes = {
        c
        for r in MAIN["rule"]
        for c in ([r["code"]] if isinstance(r.get("code"), str) else r.get("code", []))
    }
    assert codes == set(EMSEVT)


# -- the marker decides the direction -----------------------------------------------------------

MARKED = [
    ("Receive item at office of exchange (Inb)", S.ARRIVED_DESTINATION_COUNTRY),
    ("Receive item at office of exchange (Otb)", S.DEPARTED_ORIGIN_COUNTRY),
    ("Send item to customs (Inb)", S.IMPORT_CUSTOMS),
    ("Send item to customs (Otb)", S.EXPORT_CUSTOMS),
    ("Record item customs information (Inb)", S.IMPORT_CUSTOMS),
    ("Record item customs information (Otb)", S.EXPORT_CUSTOMS),
    ("Return item from customs (Inb)", S.CUSTOMS_CLEARED),
    ("Return item from customs (Otb)", S.EXPORT_CUSTOMS),
]


@pytest.mark.parametrize(("text", "stage"), MARKED)
def test_marker_decides_direction_whatever_the_context(text: str, stage: Stage) -> None:
    for context in (None, {"direction": "inbound"}, {"direction": "outbound"}):
        res = UPU.resolve(text, context=context)
        assert res.stage is stage, (text, context)
        assert res.match is MatchKind.PHRASE and res.needs_context is None


@pytest.mark.parametrize(
    "text",
    [
        "RECEIVE ITEM AT OFFICE OF EXCHANGE (INB)",
        "receive item at office of exchange(inb)",
        "Receive Item at Office of Exchange - Inb",
        "  Receive item at office of exchange  (Inb) ",
    ],
)
def test_marker_survives_case_and_punctuation(text: str) -> None:
    assert UPU.resolve(text).stage is S.ARRIVED_DESTINATION_COUNTRY


UNMARKED = [
    ("Receive item at office of exchange", S.ARRIVED_DESTINATION_COUNTRY, S.DEPARTED_ORIGIN_COUNTRY),
    ("Arrived item at office of exchange", S.ARRIVED_DESTINATION_COUNTRY, S.DEPARTED_ORIGIN_COUNTRY),
    ("Send item to customs", S.IMPORT_CUSTOMS, S.EXPORT_CUSTOMS),
    ("Record item customs information", S.IMPORT_CUSTOMS, S.EXPORT_CUSTOMS),
    ("Return item from customs", S.CUSTOMS_CLEARED, S.EXPORT_CUSTOMS),
]


@pytest.mark.parametrize(("text", "inbound", "outbound"), UNMARKED)
def test_unmarked_direction_needs_context(text: str, inbound: Stage, outbound: Stage) -> None:
    bare = UPU.resolve(text)
    assert bare.needs_context == "direction" and bare.stage is S.IN_TRANSIT
    got_in = UPU.resolve(text, context={"direction": "inbound"})
    got_out = UPU.resolve(text, context={"direction": "outbound"})
    assert (got_in.stage, got_in.match) == (inbound, MatchKind.CONTEXT)
    assert (got_out.stage, got_out.match) == (outbound, MatchKind.CONTEXT)
    assert got_in.needs_context is None is got_out.needs_context


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Insert item into bag (Otb)", S.IN_TRANSIT),
        ("Insert item into bag (Inb)", S.IN_TRANSIT),
        ("Receive item at location (Otb)", S.IN_TRANSIT),
        ("Receive item at delivery office (Otb)", S.AT_DESTINATION_FACILITY),
        ("Deliver item (Otb)", S.DELIVERED),
        ("Stop item import (Otb)", S.EXCEPTION),
        ("Send item abroad (EDI-received)", S.DEPARTED_ORIGIN_COUNTRY),
        ("Receive item from abroad (EDI-received)", S.ARRIVED_DESTINATION_COUNTRY),
        ("Deliver item (EDI-received)", S.DELIVERED),
    ],
)
def test_names_whose_stage_does_not_turn_on_the_marker(text: str, stage: Stage) -> None:
    res = UPU.resolve(text)
    assert res.stage is stage and res.needs_context is None


def test_returned_from_customs_is_never_a_return() -> None:
    for text in (
        "Return item from customs (Inb)",
        "Return item from customs (Otb)",
        "Return item from customs",
    ):
        for context in (None, {"direction": "inbound"}, {"direction": "outbound"}):
            assert UPU.resolve(text, context=context).stage not in (S.RETURN_TO_SENDER, S.RETURNED)


# -- reasons -------------------------------------------------------------------------------------


def test_non_delivery_reasons_carried_by_the_text() -> None:
    plain = UPU.resolve("Unsuccessful item delivery attempt (Inb)")
    assert (plain.stage, plain.reason) == (S.DELIVERY_ATTEMPTED, None)
    absent = UPU.resolve("Unsuccessful item delivery attempt - Addressee not available")
    assert (absent.stage, absent.reason) == (S.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE)
    pickup = UPU.resolve("Unsuccessful item delivery attempt - Customer request pickup")
    assert (pickup.stage, pickup.reason) == (S.DELIVERY_ATTEMPTED, Reason.HELD_AT_REQUEST)
    # any other suffix: still a failed attempt, reason left to the raw text
    other = UPU.resolve("Unsuccessful item delivery attempt (Inb) - Addressee not available")
    assert (other.stage, other.match, other.reason) == (S.DELIVERY_ATTEMPTED, MatchKind.PATTERN, None)


def test_stop_item_import_is_an_exception_not_a_return() -> None:
    res = UPU.resolve("Stop item import")
    assert (res.stage, res.reason) == (S.EXCEPTION, Reason.OTHER)


# -- real captured rows --------------------------------------------------------------------------

# (source, [(event text, expected stage)]) in journey order, as the sources captured them.
CAPTURES: list[tuple[str, list[tuple[str, Stage]]]] = [
    (
        # repo stdakov/bgpost README.md: Bulgarian Post IPSWebTracking, item from Singapore
        "bgpost",
        [
            ("Insert item into bag (Otb) and Send item abroad", S.DEPARTED_ORIGIN_COUNTRY),
            ("Send item abroad (EDI-received)", S.DEPARTED_ORIGIN_COUNTRY),
            ("Receive item at office of exchange (Inb)", S.ARRIVED_DESTINATION_COUNTRY),
            ("Send item to domestic location (Inb)", S.IN_TRANSIT),
            ("Deliver item (Inb)", S.DELIVERED),
        ],
    ),
    (
        # repo eltonlika/posta-tracking README.md: Albanian Post, RB560254054SG
        "posta-tracking",
        [
            ("Insert item into bag (Otb)", S.IN_TRANSIT),
            ("Receive item from abroad (EDI-received)", S.ARRIVED_DESTINATION_COUNTRY),
            ("Insert item into bag (Otb)", S.IN_TRANSIT),
            ("Send item to domestic location (Inb)", S.IN_TRANSIT),
            ("Receive item at location (Otb)", S.IN_TRANSIT),
            ("Scan to transport", S.IN_TRANSIT),
            ("Receive item at location (Inb)", S.IN_TRANSIT),
            ("Deliver item (Inb)", S.DELIVERED),
        ],
    ),
    (
        # repo captn3m0/indiapost-tracker README.md: IPS web tracking sample (EMS item, Sydney)
        "indiapost-tracker",
        [
            ("Receive item at office of exchange (Inb)", S.ARRIVED_DESTINATION_COUNTRY),
            ("Receive item at delivery office (Inb)", S.AT_DESTINATION_FACILITY),
            ("Deliver item (Inb)", S.DELIVERED),
        ],
    ),
    (
        # repo hdnpt/geartrack test/ips.test.js: India Post IPS web tracking, RR378711735IN
        "geartrack",
        [("Receive item from customer (Otb)", S.ACCEPTED)],
    ),
    (
        # repo Ricky512227/MedshipmentTrackingTool src/excel_handler.py: IPS web 'Event Type' values
        "medshipment",
        [
            ("Receive item from customer (Otb)", S.ACCEPTED),
            ("Receive item at office of exchange (Otb)", S.DEPARTED_ORIGIN_COUNTRY),
            ("Insert item into bag (Otb)", S.IN_TRANSIT),
            ("Receive item at office of exchange (Inb)", S.ARRIVED_DESTINATION_COUNTRY),
            ("Send item to customs (Inb)", S.IMPORT_CUSTOMS),
            ("Record item customs information (Inb)", S.IMPORT_CUSTOMS),
            ("Return item from customs (Inb)", S.CUSTOMS_CLEARED),
            ("Send item to domestic location (Inb)", S.IN_TRANSIT),
            ("Receive item at delivery office (Inb)", S.AT_DESTINATION_FACILITY),
            ("Unsuccessful item delivery attempt (Inb)", S.DELIVERY_ATTEMPTED),
            ("Receive item at collection point for pick-up (Inb)", S.AVAILABLE_FOR_PICKUP),
            ("Deliver item (Inb)", S.DELIVERED),
        ],
    ),
    (
        # repo Slogansudo/Uzpost-Backend views.py: Uzbekistan Post's IPS event names
        "uzpost",
        [
            ("Receive item at office of exchange (Inb)", S.ARRIVED_DESTINATION_COUNTRY),
            ("Send item to customs (Otb)", S.EXPORT_CUSTOMS),
            ("Record item customs information (inb)", S.IMPORT_CUSTOMS),
            ("Receive item at regional distribution hub (Inb)", S.IN_TRANSIT),
            ("Sent item from distribution hub (Inb)", S.IN_TRANSIT),
            ("Ready for Delivery", S.AT_DESTINATION_FACILITY),
            ("Out for delivery", S.OUT_FOR_DELIVERY),
            ("Unsuccessful item delivery attempt - Customer request pickup", S.DELIVERY_ATTEMPTED),
            ("Stop item import (Inb)", S.EXCEPTION),
            ("On the way to sender", S.RETURN_TO_SENDER),
            ("Delivered to sender", S.RETURNED),
        ],
    ),
]

ROWS = [(src, text, stage) for src, rows in CAPTURES for text, stage in rows]


@pytest.mark.parametrize(("src", "text", "stage"), ROWS, ids=[f"{s}:{t[:40]}" for s, t, _ in ROWS])
def test_captured_row_resolves_in_the_shared_vocabulary(src: str, text: str, stage: Stage) -> None:
    res = UPU.resolve(text)
    assert res.stage is stage, (src, text, res.stage)
    assert res.match is not MatchKind.UNMAPPED and res.needs_context is None


@pytest.mark.parametrize(("src", "text", "stage"), ROWS, ids=[f"{s}:{t[:40]}" for s, t, _ in ROWS])
def test_captured_row_resolves_through_usps(src: str, text: str, stage: Stage) -> None:
    usps = pytest.importorskip("tracklingo_usps").USPSCarrier()
    for direction in ("inbound", "outbound"):
        res = usps.vocabulary.resolve(text, context={"direction": direction})
        assert res.stage is stage, (src, text, direction, res.stage)
        assert res.match is not MatchKind.UNMAPPED and res.needs_context is None


def test_usps_resolves_unmarked_names_from_the_item_direction() -> None:
    usps = pytest.importorskip("tracklingo_usps").USPSCarrier()
    inbound = usps.direction_of("RB560254054SG")  # S10 issued in Singapore: entering the US
    outbound = usps.direction_of("CP202411052US")  # US-issued: leaving the US
    assert (inbound, outbound) == ("inbound", "outbound")
    text = "Receive item at office of exchange"
    got_in = usps.vocabulary.resolve(text, context={"direction": inbound})
    got_out = usps.vocabulary.resolve(text, context={"direction": outbound})
    assert got_in.stage is S.ARRIVED_DESTINATION_COUNTRY
    assert got_out.stage is S.DEPARTED_ORIGIN_COUNTRY
    # the marked name needs no direction, even against the item's
    marked = usps.vocabulary.resolve(
        "Receive item at office of exchange (Otb)", context={"direction": inbound}
    )
    assert marked.stage is S.DEPARTED_ORIGIN_COUNTRY and marked.match is MatchKind.PHRASE
