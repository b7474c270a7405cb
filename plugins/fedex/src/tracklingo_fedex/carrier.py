"""The FedEx `Carrier` adapter: identity, escalation contacts, vocabulary, parse/sniff/detect/client."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from tracklingo import Carrier, Contact, ParseResult, TrackingEvent
from tracklingo.carrier import build_location
from tracklingo_fedex import detect, parser

if TYPE_CHECKING:
    from tracklingo.normalize import FlatRecord
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
    # fedex.md section 6. No source shows FedEx writing local times with a `Z`, so a `Z` is UTC.
    trusts_z: ClassVar[bool] = True

    def parse(self, payload: Any) -> ParseResult:
        """Events and per-number errors from one Track API v1 response (pure; only `ParseError`)."""
        return parser.parse(self, payload)

    def sniff(self, payload: Any) -> bool:
        """True for a Track API v1 reply (``output.completeTrackResults``) or its error body."""
        return parser.sniff(payload)

    def detect(self, tracking_number: str) -> float:
        """Confidence 0..1 from the number's format and check digit (fedex.md section 5)."""
        return detect.confidence(tracking_number)

    def event_from_flat(self, rec: FlatRecord, *, include_raw: bool = False) -> TrackingEvent:
        """A flat feed record → event, mapped like an API scan.

        Besides the standard columns, a FedEx flat record may carry ``exception_code``,
        ``exception_description`` (reason and stage override, e.g. DE + 03 → exception /
        address_problem) and ``derived_status_code`` (coarse fallback). A bad timestamp raises
        `tracklingo.InputError`, which the normaliser turns into a reject.
        """
        extra = rec.raw or {}
        location = build_location(
            {
                "city": rec.city,
                "region": rec.region,
                "postal_code": rec.postal_code,
                "country": rec.country,
                "facility": rec.facility,
            }
        )
        return parser.build_event(
            self,
            parser.mapper_for(self.vocabulary),
            number=rec.tracking_number,
            when=rec.when(trust_z=self.trusts_z, country=location.country),
            text=rec.description,
            code=rec.code,
            detail=parser.text_field(extra.get(FLAT_EXCEPTION_DESCRIPTION)),
            exception_code=parser.text_field(extra.get(FLAT_EXCEPTION_CODE)),
            derived_code=parser.text_field(extra.get(FLAT_DERIVED_STATUS_CODE)),
            location=location,
            handoff=rec.handoff(),
            raw=rec.raw_copy(include_raw),
        )

    def client(self, **options: Any) -> FedExClient:
        """A Track API client (credentials from ``TRACKLINGO_FEDEX_CLIENT_ID`` / ``_SECRET``)."""
        from tracklingo_fedex.client import FedExClient

        return FedExClient(**options)
