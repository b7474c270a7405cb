"""The USPS carrier adapter: identity, contact points, vocabulary, and the parser/detector/client
wired into `tracklingo.Carrier`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tracklingo import Carrier, Contact, ParseResult, TrackingEvent
from tracklingo_usps import detect as _detect
from tracklingo_usps import parser as _parser

if TYPE_CHECKING:
    from tracklingo.normalize import FlatRecord
    from tracklingo_usps.client import USPSClient

__all__ = ["USPSCarrier"]

_HERE = Path(__file__).resolve().parent


class USPSCarrier(Carrier):
    """United States Postal Service: Tracking API v3 (DETAIL), IMpb/S10 numbers, its vocabulary.

    Direction-dependent rules (the ISC texts) are resolved relative to `home_country` "US":
    inbound = entering the US, outbound = leaving it.
    """

    name: ClassVar[str] = "usps"
    display_name: ClassVar[str] = "USPS"
    home_country: ClassVar[str | None] = "US"
    contacts: ClassVar[tuple[Contact, ...]] = (
        # 1-800-ASK-USPS: the USPS customer-care number, toll-free within the US only.
        # Source: usps.com "Contact Us" (https://www.usps.com/help/contact-us.htm), as quoted with
        # that number by USPS claim guides (e.g. gist da0400f1fcbd72932b2aecf25c8654e6: "call
        # 1-800-ASK-USPS (1-800-275-8777)").
        Contact(
            label="USPS customer care (1-800-ASK-USPS)",
            phone="1-800-275-8777",
            url="https://www.usps.com/help/contact-us.htm",
            country="US",
        ),
        # Web forms, usable from anywhere. Source: the usps.com site header "Help" menu
        # ("Finding Missing Mail", "Filing a Claim"; captured usps.com page) and the contact page.
        Contact(
            label="USPS Missing Mail search request",
            url="https://www.usps.com/help/missing-mail.htm",
            note="for an item that stopped moving: a search of USPS facilities, with a case number",
        ),
        Contact(
            label="USPS claims (insured or damaged items)",
            url="https://www.usps.com/help/claims.htm",
        ),
        Contact(
            label="USPS help and contact page",
            url="https://www.usps.com/help/contact-us.htm",
        ),
    )
    # The usps.com tracking page; `tLabels` takes the number (the link integrations use; jkeen/
    # tracking_number_data usps.json uses the same parameter on the mobile page).
    tracking_url: ClassVar[str | None] = (
        "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"
    )
    vocabulary_path: ClassVar[Path | None] = _HERE / "vocabulary.toml"
    # eventTimestamp is local wall-clock time; the USPS README sample writes it with a "Z" while its
    # statusSummary says the same time is local (usps.md section 7, [RDME]): the Z is not trusted.
    trusts_z: ClassVar[bool] = False

    # -- the plugin's parts --------------------------------------------------------------------

    def parse(self, payload: Any) -> ParseResult:
        """Events (and per-number errors) from a USPS Tracking API v3 response. Pure."""
        return _parser.parse(self, payload)

    def sniff(self, payload: Any) -> bool:
        """True for a USPS Tracking API v3 DETAIL response or its error envelope."""
        return _parser.sniff(payload)

    def detect(self, tracking_number: str) -> float:
        """Confidence from the IMpb/PIC or S10 format and its check digit."""
        return _detect.confidence(tracking_number)

    def client(self, **options: Any) -> USPSClient:
        """A USPS Tracking API v3 client (OAuth2; credentials from the environment)."""
        from tracklingo_usps.client import USPSClient

        return USPSClient(**options)

    def event_from_flat(self, rec: FlatRecord, *, include_raw: bool = False) -> TrackingEvent:
        """A flat feed record, read the way the v3 parser reads an event (plant names, ISC
        labels, the state inside a plant name for the time zone)."""
        return _parser.event_from_flat(self, rec, include_raw=include_raw)
