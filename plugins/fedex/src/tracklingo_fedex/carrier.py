"""The FedEx `Carrier` adapter: identity, escalation contacts, vocabulary, parse/sniff/detect/client."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tracklingo.adapter import Carrier, Contact, FlatRecord, MidnightRule, Place, Reading, ScanTuple, Shipment
from tracklingo_fedex import detect, parser

if TYPE_CHECKING:
    from tracklingo_fedex.client import FedExClient

#: Extra flat-record columns this adapter reads (FedEx's scan field names, snake_cased).
FLAT_EXCEPTION_CODE = "exception_code"
FLAT_EXCEPTION_DESCRIPTION = "exception_description"
FLAT_DERIVED_STATUS_CODE = "derived_status_code"

__all__ = ["FedExCarrier"]


class FedExCarrier(Carrier):
    """FedEx Express, Ground, Home Delivery and Ground Economy through the Track API v1."""

    name: ClassVar[str] = "fedex"
    display_name: ClassVar[str] = "FedEx"
    # FedEx has no direction-dependent wording (customs texts say "- Import" / "- Export"
    # themselves), so no home country.
    home_country: ClassVar[str | None] = None
    contacts: ClassVar[tuple[Contact, ...]] = (
        # 1.800.GoFedEx: FedEx's own API error text "contact FedEx Customer Service (U.S. and
        # Canada, please dial 1.800.GoFedEx 1.800.463.3339)" and the FedEx Web Services Developer
        # Guide "For FedEx Customer Service, call 1.800.GoFedEx 1.800.463.3339".
        Contact(
            "FedEx Customer Service",
            phone="1-800-463-3339",
            country="US",
            note="1.800.GoFedEx; have the tracking number ready",
        ),
        Contact(
            "FedEx Customer Service",
            phone="1-800-463-3339",
            country="CA",
            note="1.800.GoFedEx (U.S. and Canada)",
        ),
        # FedEx Express UK: "contact a member of our Customer Service department on 03456 07 08 09"
        # (http://www.fedex.com/gb/invoice/billingfaq.html).
        Contact(
            "FedEx Express UK Customer Service",
            phone="03456 07 08 09",
            country="GB",
        ),
        # The customer-support hub with the contact form and the country chooser
        # (https://www.fedex.com/en-us/customer-support.html, linked from fedex.com's own header).
        Contact(
            "FedEx customer support (web)",
            url="https://www.fedex.com/en-us/customer-support.html",
            note="choose your country for its phone number and contact form",
        ),
    )
    # The public tracking page, as FedEx links it: https://www.fedex.com/fedextrack/?trknbr=...
    tracking_url: ClassVar[str | None] = "https://www.fedex.com/fedextrack/?trknbr={number}"
    vocabulary_path: ClassVar[Path | None] = Path(__file__).with_name("vocabulary.toml")
    # Track API scan dates carry a numeric offset per event (spec example
    # 2018-02-02T12:01:00-07:00; captured replies mix -08:00/-06:00/-05:00 by scan location):
    # docs/sources.md#fedex-timestamps. No source shows FedEx writing local times with a `Z`, so a `Z` is UTC.
    trusts_z: ClassVar[bool] = True
    # Pickup scans (PU, PX) were seen dated at exactly midnight: a date placeholder (captured
    # replies in repo karrioapi/karrio modules/connectors/fedex/tests/fedex/test_tracking.py).
    midnight: ClassVar[MidnightRule | None] = MidnightRule(
        "FedEx dates pickup scans at midnight: probably the date only, not the time",
        codes=frozenset({"PU", "PX"}),
        no_offset_note="FedEx gave no UTC offset",
    )

    def read(self, payload: Any) -> Reading:
        """What one Track API v1 reply says (`tracklingo_fedex.parser`; pure)."""
        return parser.read(payload)

    def sniff(self, payload: Any) -> bool:
        """True for a Track API v1 reply (``output.completeTrackResults``) or its error body."""
        return parser.sniff(payload)

    def detect(self, tracking_number: str) -> float:
        """Confidence 0..1 from the number's format and check digit (see `tracklingo_fedex.detect`)."""
        return detect.confidence(tracking_number)

    def read_flat(self, record: FlatRecord) -> Shipment:
        """A flat feed record, read like an API scan: besides the standard columns, a FedEx flat
        record may carry ``exception_code``, ``exception_description`` (the reason, and a stage
        for some: DE + 03 → exception / address_problem) and ``derived_status_code`` (the coarse
        status)."""
        extra = record.raw or {}
        detail = extra.get(FLAT_EXCEPTION_DESCRIPTION)
        place = Place(record.city, record.region, record.postal_code, record.country, record.facility)
        # a plain tuple of the fields in order (`ScanTuple`), as the parser writes scans:
        # code, text, alt_texts, alt_codes, status_code, status_text, detail, reason_code,
        # reason_text, place, time, utc_offset, utc_time, time_note, handoff, raw
        scan: ScanTuple = (
            record.code, record.description, (), (), extra.get(FLAT_DERIVED_STATUS_CODE), None, detail,
            extra.get(FLAT_EXCEPTION_CODE), detail, place, record.timestamp, record.utc_offset, None, None,
            record.handoff(), None,
        )  # fmt: skip
        return Shipment(record.tracking_number, [scan])

    def client(self, **options: Any) -> FedExClient:
        """A Track API client (credentials from ``TRACKLINGO_FEDEX_CLIENT_ID`` / ``_SECRET``)."""
        from tracklingo_fedex.client import FedExClient

        return FedExClient(**options)
