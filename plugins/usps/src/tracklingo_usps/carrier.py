"""The USPS carrier adapter: identity, contact points, vocabulary, time options, and the
parser/detector/client wired into `tracklingo.adapter.Carrier`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tracklingo.adapter import (
    Carrier,
    Contact,
    FlatRecord,
    MidnightRule,
    PlaceTuple,
    Reading,
    ScanTuple,
    Shipment,
    string,
)
from tracklingo_usps import detect as _detect
from tracklingo_usps import parser as _parser

if TYPE_CHECKING:
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
    tracking_url: ClassVar[str | None] = "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"
    vocabulary_path: ClassVar[Path | None] = _HERE / "vocabulary.toml"
    # eventTimestamp is local wall-clock time; the USPS README sample writes it with a "Z" while its
    # statusSummary says the same time is local (repo USPS/api-examples README.md, the Tracking
    # sample response): the Z is not trusted.
    trusts_z: ClassVar[bool] = False
    # Pre-shipment scans (MA, GX, 80) come without GMTTimestamp/GMTOffset, and MA was seen at
    # exactly midnight: the date, not a time (captured v3 JSON in repo wantable/omniship
    # spec/mock_responses.rb).
    midnight: ClassVar[MidnightRule | None] = MidnightRule(
        "USPS wrote midnight with no GMT time: probably the date only, not the time", without_utc=True
    )
    time_names: ClassVar[tuple[str, str]] = ("eventTimestamp", "GMTTimestamp")

    # -- the plugin's parts --------------------------------------------------------------------

    def read(self, payload: Any) -> Reading:
        """What a USPS Tracking API v3 response says (see `tracklingo_usps.parser`). Pure."""
        return _parser.read(payload)

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

    def read_flat(self, record: FlatRecord) -> Shipment:
        """A flat feed record read the way the v3 parser reads an event: ``city`` is a label (plant
        names, ISC labels, the state inside a plant name for the time zone), and a ``mailType`` /
        ``mail_type`` column, if the feed kept one, says the direction."""
        raw = record.raw or {}
        direction = _parser.mail_type_direction(string(raw.get("mailType")) or string(raw.get("mail_type")))
        # plain tuples of the fields in order (`PlaceTuple`, `ScanTuple`), as the parser writes them
        # Place: city, region, postal_code, country, facility, label, locality, country_name
        place: PlaceTuple = (
            None, record.region, record.postal_code, record.country, record.facility, record.city, None, None,
        )  # fmt: skip
        # Scan: code, text, alt_texts, alt_codes, status_code, status_text, detail, reason_code,
        # reason_text, place, time, utc_offset, utc_time, time_note, handoff, raw
        scan: ScanTuple = (
            record.code, record.description, (), (), None, None, None, None, None,
            place, record.timestamp, record.utc_offset, None, None, record.handoff(), None,
        )  # fmt: skip
        return Shipment(record.tracking_number, [scan], direction=direction)
