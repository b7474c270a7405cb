"""Test-only carrier plugins (sources written into a temporary site dir by the fixtures)."""

from __future__ import annotations

# A toy carrier used only by the core's tests. Its vocabulary is test data, not carrier facts.
ACME_PLUGIN = """
from tracklingo import Vocabulary
from tracklingo.adapter import (
    Carrier, Contact, NumberError, ParseError, Reading, Scan, Shipment, hookimpl,
)

VOCAB = {
    "meta": {"carrier": "acme", "include": ["upu"],
             "sources": {"T": "tracklingo core test data (not a real carrier)"}},
    "rule": [
        {"code": "DL", "phrase": "Delivered", "stage": "delivered", "source": "T"},
        {"code": "DL", "phrase": "Delivered to sender", "stage": "returned", "source": "T"},
        {"code": "OD", "stage": "out_for_delivery", "source": "T"},
        {"phrase": ["Out for delivery", "On vehicle for delivery"],
         "stage": "out_for_delivery", "source": "T"},
        {"phrase": "In transit", "stage": "in_transit", "source": "T"},
        {"phrase": "Delivery attempted - recipient not home", "stage": "delivery_attempted",
         "reason": "recipient_unavailable", "source": "T"},
        {"pattern": "^Arrived at (?P<facility>.+ HUB) - (?P<country>[A-Z ]+)$",
         "stage": "in_transit", "source": "T"},
        {"pattern": "^Processed through (?P<facility>GATEWAY .+)$", "stage": "in_transit",
         "context": "direction",
         "by_context": {"inbound": "arrived_destination_country",
                        "outbound": "departed_origin_country"}, "source": "T"},
        {"code": "transit", "fallback": True, "stage": "in_transit", "source": "T"},
    ],
}


class Acme(Carrier):
    name = "acme"
    display_name = "ACME Parcels"
    home_country = "US"
    contacts = (Contact("ACME support", phone="+1 555 0100", url="https://acme.example/help"),)
    tracking_url = "https://acme.example/track?n={number}"

    @property
    def vocabulary(self):
        return _VOCAB

    def sniff(self, payload):
        return isinstance(payload, dict) and "acmeShipment" in payload

    def read(self, payload):
        try:
            ship = payload["acmeShipment"]
            number = ship["number"]
            if "error" in ship:
                return Reading(errors=[NumberError(number, ship["error"], "NOTFOUND")])
            scans = [Scan(code=e.get("code"), text=e.get("text"), time=e.get("at"), raw=e)
                     for e in ship["events"]]
        except (KeyError, TypeError) as exc:
            raise ParseError(self.name, f"not an ACME response: {exc!r}") from None
        return Reading([Shipment(number, scans)])

    def detect(self, number):
        if number.startswith("ACME") and number[4:].isdigit():
            return 0.9
        if number.startswith("AMBI"):
            return 0.6
        return 0.0


_VOCAB = Vocabulary.from_dict(VOCAB)


@hookimpl
def tracklingo_register_carriers(register):
    register(Acme())
"""

# A second toy carrier that also claims "AMBI…" numbers, to exercise ambiguity.
BETA_PLUGIN = """
from tracklingo.adapter import Carrier, hookimpl

class Beta(Carrier):
    name = "beta"
    display_name = "Beta Post"

    def detect(self, number):
        return 0.6 if number.startswith("AMBI") else 0.0

@hookimpl
def tracklingo_register_carriers(register):
    register(Beta())
"""

BROKEN_IMPORT_PLUGIN = "raise RuntimeError('boom at import')\n"

BROKEN_REGISTER_PLUGIN = """
from tracklingo import hookimpl

@hookimpl
def tracklingo_register_carriers(register):
    raise KeyError("missing-field")
"""

CLASH_PLUGIN = ACME_PLUGIN.replace('display_name = "ACME Parcels"', 'display_name = "Other ACME"')
