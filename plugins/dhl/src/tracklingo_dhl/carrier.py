"""The DHL `Carrier` adapter: DHL Express, DHL eCommerce and DHL Parcel Germany through one
vocabulary and the Unified Shipment Tracking API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tracklingo.adapter import Carrier, Contact, Reading
from tracklingo_dhl import detect as _detect
from tracklingo_dhl import parser as _parser

if TYPE_CHECKING:
    from tracklingo_dhl.client import DHLClient

__all__ = ["DHLCarrier"]


class DHLCarrier(Carrier):
    """DHL (Express, eCommerce, Parcel DE) via the Unified Shipment Tracking API."""

    name: ClassVar[str] = "dhl"
    display_name: ClassVar[str] = "DHL"
    # No home country: DHL's divisions are international and the vocabulary has no
    # direction-dependent (context) rules.
    home_country: ClassVar[str | None] = None

    # Escalation contact points, most specific first. Sources are next to each entry; the phone
    # numbers were cross-checked in several independent public code bases (find_string over the
    # code index) because the DHL pages themselves are not in the stored corpus.
    contacts: ClassVar[tuple[Contact, ...]] = (
        # DHL Express USA customer service, 1-800-CALL-DHL. Page:
        # https://www.dhl.com/us-en/home/customer-service.html (answers 200 in a public link
        # check); the number is listed with that page as "DHL Express" support in public code.
        Contact(
            label="DHL Express customer service (USA)",
            phone="+1-800-225-5345",
            url="https://www.dhl.com/us-en/home/customer-service.html",
            country="US",
            note="Have the 10-digit waybill number ready.",
        ),
        # DHL eCommerce (US): DHL's own FAQ tells recipients to contact the shipper or online shop
        # first (10 days after the expected date it can open a lost-parcel search), and says US
        # parcels are delivered by the U.S. Postal Service (USPS holds it after the tender event).
        # FAQ: https://www.dhl.com/us-en/home/customer-service/ecommerce-tracking-faq.html ; same
        # text in German at https://www.dhl.com/lu-de/home/sendungsverfolgung/tracking-content-injection/ecommerce/transit.html
        # Phone: DHL eCommerce Americas customer service as listed in public code (not on a page
        # stored here).
        Contact(
            label="DHL eCommerce customer service (USA)",
            phone="+1-800-805-9306",
            url="https://www.dhl.com/us-en/home/customer-service/ecommerce-tracking-faq.html",
            country="US",
            note=(
                "DHL eCommerce asks recipients to contact the shipper or online shop first; once"
                " the parcel is tendered to USPS, USPS holds it (track the USPS number)."
            ),
        ),
        # DHL Paket / Deutsche Post customer service, Bonn: 0228 4333112 (listed as the DHL
        # Paket and business-customer hotline in several public code bases); help and contact
        # forms: https://www.dhl.de/de/privatkunden/hilfe-kundenservice.html
        Contact(
            label="DHL Paket Kundenservice (Deutschland)",
            phone="+49 228 4333112",
            url="https://www.dhl.de/de/privatkunden/hilfe-kundenservice.html",
            country="DE",
            note="Für Nachforschungsaufträge und Adressfehler; Sendungsnummer bereithalten.",
        ),
        # Everywhere else: DHL's global tracking page routes to the local DHL customer service of
        # the division that holds the shipment (the URL pattern of the tracking_url below).
        Contact(
            label="DHL customer service (country selector on the tracking page)",
            url="https://www.dhl.com/global-en/home/customer-service.html",
        ),
    )

    # DHL's universal tracking page (all divisions): used in many public code bases, e.g.
    # `https://www.dhl.com/global-en/home/tracking.html?tracking-id=...`.
    tracking_url: ClassVar[str | None] = (
        "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}"
    )
    vocabulary_path: ClassVar[Path | None] = Path(__file__).with_name("vocabulary.toml")

    # docs/sources.md#dhl-timestamps: Unified timestamps are either offset-bearing (kept) or naive local time
    # of the event's place (resolved from the location where certain). No DHL response writing a
    # local wall-clock time with a `Z` is recorded, so a `Z` means UTC.
    trusts_z: ClassVar[bool] = True

    def read(self, payload: Any) -> Reading:
        """What a Unified Shipment Tracking API response says (`tracklingo_dhl.parser`)."""
        return _parser.read(payload)

    def sniff(self, payload: Any) -> bool:
        """True for a Unified Shipment Tracking API response (or its problem+json error)."""
        return _parser.sniff(payload)

    def detect(self, tracking_number: str) -> float:
        """Confidence 0..1 that the number is DHL's (see `tracklingo_dhl.detect`)."""
        return _detect.detect(tracking_number)

    def client(self, **options: Any) -> DHLClient:
        """A Unified Shipment Tracking API client (see `tracklingo_dhl.client.DHLClient`)."""
        from tracklingo_dhl.client import DHLClient

        return DHLClient(**options)
