"""The stage taxonomy: stages in journey order, their coarse status, reasons, and definitions.

Everything here is data that the rest of tracklingo (model, vocabulary, advisor) reads at runtime.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Status(StrEnum):
    """Coarse status; every stage has exactly one."""

    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class Stage(StrEnum):
    """Where a parcel is in its journey. Declared in journey order (see `stage_rank`)."""

    LABEL_CREATED = "label_created"
    ACCEPTED = "accepted"
    IN_TRANSIT = "in_transit"
    EXPORT_CUSTOMS = "export_customs"
    DEPARTED_ORIGIN_COUNTRY = "departed_origin_country"
    ARRIVED_DESTINATION_COUNTRY = "arrived_destination_country"
    IMPORT_CUSTOMS = "import_customs"
    CUSTOMS_HOLD = "customs_hold"
    CUSTOMS_CLEARED = "customs_cleared"
    HANDED_TO_LAST_MILE = "handed_to_last_mile"
    AT_DESTINATION_FACILITY = "at_destination_facility"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    DELAYED = "delayed"
    EXCEPTION = "exception"
    RETURN_TO_SENDER = "return_to_sender"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @property
    def status(self) -> Status:
        """The coarse status of this stage."""
        return STAGE_STATUS[self]

    @property
    def definition(self) -> str:
        """One line saying what the stage means."""
        return STAGE_DEFINITIONS[self]

    @property
    def rank(self) -> int:
        """Position along the journey (0 = label_created)."""
        return _RANK[self]

    @property
    def is_terminal(self) -> bool:
        """Delivered, returned and cancelled end a journey."""
        return self in TERMINAL_STAGES


class Reason(StrEnum):
    """Why an exception, attempt, hold, delay or return happened."""

    CUSTOMS_PAYMENT_DUE = "customs_payment_due"
    CUSTOMS_DOCUMENTS_REQUIRED = "customs_documents_required"
    CUSTOMS_INSPECTION = "customs_inspection"
    PROHIBITED_ITEM = "prohibited_item"
    ADDRESS_PROBLEM = "address_problem"
    RECIPIENT_UNAVAILABLE = "recipient_unavailable"
    NO_SECURE_LOCATION = "no_secure_location"
    REFUSED = "refused"
    DAMAGED = "damaged"
    LOST = "lost"
    WEATHER = "weather"
    CARRIER_DELAY = "carrier_delay"
    HELD_AT_REQUEST = "held_at_request"
    BUSINESS_CLOSED = "business_closed"
    PARTIAL_DELIVERY = "partial_delivery"
    SEIZED = "seized"
    OTHER = "other"


class MatchKind(StrEnum):
    """How an event's stage was found.

    The carrier's own rules: `code`, `phrase`, `pattern`, `context`, `fallback`. The open-world
    layers, tried only when those have nothing: `cross_carrier` (another installed or shared
    vocabulary's exact rule), `sentence_form` (a known status inside a sentence frame),
    `inferred` (a stage read from the words, with a confidence and evidence). `peer`: no
    vocabulary knew the text of a hosted tracker's checkpoint (AfterShip, 17TRACK, EasyPost,
    Shippo), and the tracker's own status for it decided (`evidence` names it;
    `tracklingo.interop.imports`). `unmapped`: none.
    """

    CODE = "code"
    PHRASE = "phrase"
    PATTERN = "pattern"
    CONTEXT = "context"
    FALLBACK = "fallback"
    CROSS_CARRIER = "cross_carrier"
    SENTENCE_FORM = "sentence_form"
    INFERRED = "inferred"
    PEER = "peer"
    UNMAPPED = "unmapped"


STAGE_STATUS: Final = MappingProxyType(
    {
        Stage.LABEL_CREATED: Status.PRE_TRANSIT,
        Stage.ACCEPTED: Status.IN_TRANSIT,
        Stage.IN_TRANSIT: Status.IN_TRANSIT,
        Stage.EXPORT_CUSTOMS: Status.IN_TRANSIT,
        Stage.DEPARTED_ORIGIN_COUNTRY: Status.IN_TRANSIT,
        Stage.ARRIVED_DESTINATION_COUNTRY: Status.IN_TRANSIT,
        Stage.IMPORT_CUSTOMS: Status.IN_TRANSIT,
        Stage.CUSTOMS_HOLD: Status.EXCEPTION,
        Stage.CUSTOMS_CLEARED: Status.IN_TRANSIT,
        Stage.HANDED_TO_LAST_MILE: Status.IN_TRANSIT,
        Stage.AT_DESTINATION_FACILITY: Status.IN_TRANSIT,
        Stage.OUT_FOR_DELIVERY: Status.OUT_FOR_DELIVERY,
        Stage.DELIVERY_ATTEMPTED: Status.DELIVERY_ATTEMPTED,
        Stage.AVAILABLE_FOR_PICKUP: Status.AVAILABLE_FOR_PICKUP,
        Stage.DELIVERED: Status.DELIVERED,
        Stage.DELAYED: Status.IN_TRANSIT,
        Stage.EXCEPTION: Status.EXCEPTION,
        Stage.RETURN_TO_SENDER: Status.RETURNING,
        Stage.RETURNED: Status.RETURNED,
        Stage.CANCELLED: Status.CANCELLED,
        Stage.UNKNOWN: Status.UNKNOWN,
    }
)

STAGE_DEFINITIONS: Final = MappingProxyType(
    {
        Stage.LABEL_CREATED: "The shipper created a label or sent electronic information; the carrier "
        "does not have the parcel yet.",
        Stage.ACCEPTED: "The carrier physically has the parcel: pickup, drop-off or acceptance scan.",
        Stage.IN_TRANSIT: "Moving through the carrier's network: arrived at, departed or processed "
        "at a facility.",
        Stage.EXPORT_CUSTOMS: "Presented to, held or released by export customs in the origin "
        "country.",
        Stage.DEPARTED_ORIGIN_COUNTRY: "At or leaving the outward office of exchange of the origin "
        "country.",
        Stage.ARRIVED_DESTINATION_COUNTRY: "Arrived at the inward office of exchange of the "
        "destination country, before customs.",
        Stage.IMPORT_CUSTOMS: "Presented to and being processed by import customs.",
        Stage.CUSTOMS_HOLD: "Held by customs: duties owed, documents needed or inspection.",
        Stage.CUSTOMS_CLEARED: "Released by import customs and handed back for the next leg.",
        Stage.HANDED_TO_LAST_MILE: "Tendered to another carrier or postal operator for delivery.",
        Stage.AT_DESTINATION_FACILITY: "At the local delivery unit, post office or station.",
        Stage.OUT_FOR_DELIVERY: "On the vehicle for delivery today.",
        Stage.DELIVERY_ATTEMPTED: "A delivery attempt failed (notice left, no access, recipient "
        "absent).",
        Stage.AVAILABLE_FOR_PICKUP: "Waiting for the recipient at a counter, locker or access point.",
        Stage.DELIVERED: "Delivered.",
        Stage.DELAYED: "Moving, but late (weather, network delay, arriving late).",
        Stage.EXCEPTION: "A problem that may need action: address, damage, loss, refusal.",
        Stage.RETURN_TO_SENDER: "On its way back to the sender.",
        Stage.RETURNED: "Delivered back to the sender.",
        Stage.CANCELLED: "The label was voided or the shipment cancelled.",
        Stage.UNKNOWN: "No rule matched this carrier text; the raw code and text are kept.",
    }
)

TERMINAL_STAGES: Final = frozenset({Stage.DELIVERED, Stage.RETURNED, Stage.CANCELLED})

#: Stages that concern a cross-border leg.
INTERNATIONAL_STAGES: Final = frozenset(
    {
        Stage.EXPORT_CUSTOMS,
        Stage.DEPARTED_ORIGIN_COUNTRY,
        Stage.ARRIVED_DESTINATION_COUNTRY,
        Stage.IMPORT_CUSTOMS,
        Stage.CUSTOMS_HOLD,
        Stage.CUSTOMS_CLEARED,
    }
)

#: Stages whose events usually carry a reason.
REASON_STAGES: Final = frozenset(
    {
        Stage.CUSTOMS_HOLD,
        Stage.DELIVERY_ATTEMPTED,
        Stage.EXCEPTION,
        Stage.DELAYED,
        Stage.RETURN_TO_SENDER,
        Stage.DELIVERED,
    }
)

_RANK: Final = MappingProxyType({stage: i for i, stage in enumerate(Stage)})


def stage_rank(stage: Stage) -> int:
    """Position of `stage` along the journey; `unknown` ranks last."""
    return _RANK[stage]
