"""Vocabulary sanity: real DHL texts and codes (sources: [meta.sources], docs/sources.md#dhl) resolve
to the stage their sources give them (Express, eCommerce, Parcel DE in German and English)."""

from __future__ import annotations

import pytest

from tracklingo import MatchKind, Reason, Stage
from tracklingo_dhl import DHLCarrier

VOCABULARY = DHLCarrier().vocabulary
STATUS_CODES = ("pre-transit", "transit", "delivered", "failure", "unknown")
Case = tuple[str | None, str | None, Stage]

# (text, code, stage): texts verbatim from the sources the vocabulary cites (source in the comment)
EXPRESS: list[Case] = [
    # 2.2 observed MyDHL / Unified customer texts
    ("Arrived at DHL Sort Facility  LEIPZIG - GERMANY", None, Stage.IN_TRANSIT),
    ("Arrived at DHL Delivery Facility  LYON - FRANCE", None, Stage.AT_DESTINATION_FACILITY),
    ("Awaiting collection by the consignee", None, Stage.AVAILABLE_FOR_PICKUP),
    ("Clearance processing complete at CINCINNATI HUB - USA", None, Stage.CUSTOMS_CLEARED),
    ("Shipment has departed from a DHL facility HONG KONG - HONG KONG SAR, CHINA", None,
     Stage.IN_TRANSIT),
    ("Processed for clearance at PARIS - FRANCE", None, Stage.IMPORT_CUSTOMS),
    ("Delivery attempted but no response at Consignee address", None, Stage.DELIVERY_ATTEMPTED),
    ("Delivered", None, Stage.DELIVERED),
    ("Processed at SHENZHEN - CHINA MAINLAND", None, Stage.IN_TRANSIT),
    ("Shipment picked up", None, Stage.ACCEPTED),
    ("On hold awaiting for payment of shipment related fees", None, Stage.CUSTOMS_HOLD),
    ("Customs clearance status updated. Note - The Customs clearance process may start while the"
     " shipment is in transit to the destination.", None, Stage.IMPORT_CUSTOMS),
    ("Shipment is in transit to destination", None, Stage.IN_TRANSIT),
    ("Shipment is out with courier for delivery", None, Stage.OUT_FOR_DELIVERY),
    ("Clearance Event", None, Stage.CUSTOMS_HOLD),
    # 2.2 older wording
    ("Departed Facility in LEIPZIG - GERMANY", None, Stage.IN_TRANSIT),
    ("Arrived at Delivery Facility in LYON - FRANCE", None, Stage.AT_DESTINATION_FACILITY),
    ("With delivery courier", None, Stage.OUT_FOR_DELIVERY),
    ("Delivered - Signed for by: J SMITH", None, Stage.DELIVERED),
    ("Delivery attempted; recipient not home", None, Stage.DELIVERY_ATTEMPTED),
    # 2.3
    ("Shipment information received", None, Stage.LABEL_CREATED),
    ("Shipment Accepted", None, Stage.ACCEPTED),
    ("Delivery attempt could not be completed", None, Stage.DELIVERY_ATTEMPTED),
    ("Delivery not accepted", None, Stage.EXCEPTION),
    ("Further consignee information needed", None, Stage.EXCEPTION),
    ("Shipper has generated a shipment label, but the shipment has not yet been handed over to"
     " DHL", None, Stage.LABEL_CREATED),
    ("Please contact DHL", None, Stage.EXCEPTION),
    # 2.2 checkpoint codes (MyDHL typeCode), with and without their text
    (None, "PU", Stage.ACCEPTED),
    (None, "AF", Stage.IN_TRANSIT),
    (None, "AR", Stage.AT_DESTINATION_FACILITY),
    (None, "IC", Stage.IMPORT_CUSTOMS),
    (None, "CR", Stage.CUSTOMS_CLEARED),
    (None, "HP", Stage.CUSTOMS_HOLD),
    (None, "WC", Stage.OUT_FOR_DELIVERY),
    (None, "NH", Stage.DELIVERY_ATTEMPTED),
    (None, "OK", Stage.DELIVERED),
    (None, "RT", Stage.RETURN_TO_SENDER),
    (None, "TD", Stage.DELAYED),
    ("Arrived at DHL Sort Facility  LEIPZIG - GERMANY", "AR", Stage.AT_DESTINATION_FACILITY),
    # German Express (paketda)
    ("Verzollungsereignis", None, Stage.CUSTOMS_HOLD),
]

ECOMMERCE: list[Case] = [  # 3.2
    ("LABEL CREATED", "unknown", Stage.LABEL_CREATED),
    ("DHL ECOMMERCE CURRENTLY AWAITING SHIPMENT AND TRACKING WILL BE UPDATED", "pre-transit",
     Stage.LABEL_CREATED),
    ("EN ROUTE TO DHL ECOMMERCE OR AWAITING PROCESSING", "pre-transit", Stage.LABEL_CREATED),
    ("EN ROUTE TO DHL ECOMMERCE", "pre-transit", Stage.LABEL_CREATED),
    ("Electronic Notification Received: Your order has been processed and tracking will be"
     " updated soon", None, Stage.LABEL_CREATED),
    ("ELECTRONIC NOTIFICATION RECEIVED: YOUR ORDER HAS BEEN PROCESSED AND TRACKING WILL BE"
     " UPDATED SOON", None, Stage.LABEL_CREATED),
    ("PACKAGE RECEIVED AT DHL ECOMMERCE DISTRIBUTION CENTER", "transit", Stage.ACCEPTED),
    ("PROCESSED", "transit", Stage.IN_TRANSIT),
    ("DEPARTURE ORIGIN DHL ECOMMERCE FACILITY", "transit", Stage.IN_TRANSIT),
    ("ARRIVAL DESTINATION DHL ECOMMERCE FACILITY", "transit", Stage.IN_TRANSIT),
    ("TENDERED TO DELIVERY SERVICE PROVIDER", "transit", Stage.HANDED_TO_LAST_MILE),
    ("ARRIVED USPS SORT FACILITY", "transit", Stage.IN_TRANSIT),
    ("PROCESSED THROUGH USPS SORT FACILITY", "transit", Stage.IN_TRANSIT),
    ("PROCESSED THROUGH SORT FACILITY", "transit", Stage.IN_TRANSIT),
    ("ARRIVAL AT POST OFFICE", "transit", Stage.AT_DESTINATION_FACILITY),
    ("OUT FOR DELIVERY", "transit", Stage.OUT_FOR_DELIVERY),
    ("OUT FOR SECOND DELIVERY ATTEMPT", "transit", Stage.OUT_FOR_DELIVERY),
    ("DELIVERED", "delivered", Stage.DELIVERED),
    ("SECOND DELIVERY ATTEMPT SUCCESSFUL", "delivered", Stage.DELIVERED),
    ("DELIVERED - PARCEL LOCKER", "delivered", Stage.DELIVERED),
    ("NOTICE LEFT", "failure", Stage.DELIVERY_ATTEMPTED),
    # cross-border (paketda DHL Global Mail list; beeceptor GM example)
    ("DEPARTED FROM EXPORT FACILITY", None, Stage.DEPARTED_ORIGIN_COUNTRY),
    ("FORWARDED TO DELIVERY AGENT", None, Stage.HANDED_TO_LAST_MILE),
    ("ARRIVED AT PICKUP POINT", None, Stage.AVAILABLE_FOR_PICKUP),
    ("ATTEMPTED DELIVERY", None, Stage.DELIVERY_ATTEMPTED),
    ("ARRIVAL IN DESTINATION COUNTRY - END OF TRACKING, DELIVERY SHORTLY", None,
     Stage.ARRIVED_DESTINATION_COUNTRY),
    ("ARRIVED AT CUSTOMS", "transit", Stage.IMPORT_CUSTOMS),
]

PARCEL_DE_GERMAN: list[Case] = [  # 4.1, 4.2
    ("Die Sendung wurde elektronisch angekündigt. Sobald die Sendung von uns bearbeitet wurde,"
     " erhalten Sie weitere Informationen.", "pre-transit", Stage.LABEL_CREATED),
    ("Die Auftragsdaten zu dieser Sendung wurden vom Absender elektronisch an DHL übermittelt.",
     "pre-transit", Stage.LABEL_CREATED),
    ("Die Sendung wurde vom Absender in der Filiale eingeliefert.", "transit", Stage.ACCEPTED),
    ("Die Sendung wurde abgeholt.", None, Stage.ACCEPTED),
    ("Die Sendung wurde im Start-Paketzentrum bearbeitet.", "transit", Stage.IN_TRANSIT),
    ("Die Sendung wurde für den Weitertransport vorbereitet.", "transit", Stage.IN_TRANSIT),
    ("Die Sendung wurde von DHL bearbeitet und wird für den Weitertransport in die Region des"
     " Empfängers vorbereitet.", "transit", Stage.IN_TRANSIT),
    ("Die Sendung ist in der Region des Empfängers angekommen und wird im nächsten Schritt zur"
     " Zustellbasis transportiert.", "transit", Stage.IN_TRANSIT),
    ("Die Sendung wurde im Ziel-Paketzentrum bearbeitet.", "transit", Stage.IN_TRANSIT),
    ("Die Sendung wurde in das Zustellfahrzeug geladen.", "transit", Stage.OUT_FOR_DELIVERY),
    ("Die Sendung wurde in das Zustellfahrzeug geladen. Die Zustellung erfolgt voraussichtlich"
     " heute.", "transit", Stage.OUT_FOR_DELIVERY),
    ("Die Sendung wurde zurückgestellt. Die Zustellung erfolgt vrs. am nächsten Werktag.",
     "transit", Stage.DELAYED),
    ("Die Sendung wurde zugestellt.", "delivered", Stage.DELIVERED),
    ("Die Sendung wurde erfolgreich zugestellt.", "delivered", Stage.DELIVERED),
    ("Die Sendung wurde vom Absender in die PACKSTATION eingeliefert.", None, Stage.ACCEPTED),
    ("Die Sendung wurde zum Weitertransport aus der PACKSTATION entnommen.", None,
     Stage.IN_TRANSIT),
    ("Die Sendung befindet sich auf dem Weg zur PACKSTATION", None, Stage.OUT_FOR_DELIVERY),
    ("Die Sendung liegt in der PACKSTATION 105 in Bonn zur Abholung bereit.", None,
     Stage.AVAILABLE_FOR_PICKUP),
    ("Die Sendung liegt ab sofort in der Filiale 502 in Bonn", None, Stage.AVAILABLE_FOR_PICKUP),
    ("Die Sendung wird zur Abholung in die Filiale 502 in Bonn gebracht.", None,
     Stage.AVAILABLE_FOR_PICKUP),
    ("Der Empfänger hat die Sendung aus der PACKSTATION abgeholt.", None, Stage.DELIVERED),
    ("Der Empfänger hat die Sendung in der Filiale abgeholt.", None, Stage.DELIVERED),
    ("Die Sendung konnte nicht zugestellt werden, der Empfänger wurde benachrichtigt.", None,
     Stage.DELIVERY_ATTEMPTED),
    ("Es erfolgt ein 2. Zustellversuch.", None, Stage.DELIVERY_ATTEMPTED),
    ("Es erfolgt eine Rücksendung an den Absender.", None, Stage.RETURN_TO_SENDER),
    ("Die Sendung lagert in der Zustellbasis und wartet auf Absenderverfügung", None,
     Stage.EXCEPTION),
    # 4.3 legacy standard-event-codes and the Unified statusDetailed form
    (None, "VA", Stage.LABEL_CREATED),
    (None, "AE", Stage.ACCEPTED),
    (None, "AA", Stage.IN_TRANSIT),
    (None, "EE", Stage.IN_TRANSIT),
    (None, "ZU", Stage.DELIVERED),
    (None, "SRTED_NRQRD_PO", Stage.OUT_FOR_DELIVERY),
    ("Die Sendung wurde in das Zustellfahrzeug geladen.", "PO", Stage.OUT_FOR_DELIVERY),
    ("Die Sendung wurde vom Absender in die PACKSTATION eingeliefert.", "ES", Stage.ACCEPTED),
]

PARCEL_DE_ENGLISH: list[Case] = [  # 4.1, failure fragments
    ("The instruction data for this shipment have been provided by the sender to DHL"
     " electronically", "pre-transit", Stage.LABEL_CREATED),
    ("The shipment has been posted by the sender at the retail outlet", None, Stage.ACCEPTED),
    ("The shipment has been picked up", None, Stage.ACCEPTED),
    ("The shipment has been processed in the parcel center of origin", None, Stage.IN_TRANSIT),
    ("The shipment was prepared for onward transport", None, Stage.IN_TRANSIT),
    ("Shipment arrived in the recipient's region", None, Stage.IN_TRANSIT),
    ("The shipment has been loaded onto the delivery vehicle", None, Stage.OUT_FOR_DELIVERY),
    ("The shipment has been successfully delivered", None, Stage.DELIVERED),
    ("Delivery successful.", None, Stage.DELIVERED),
    ("Customs clearance process started", "transit", Stage.IMPORT_CUSTOMS),
    ("Customs clearance in progress", "transit", Stage.IMPORT_CUSTOMS),
    ("Customs clearance process completed", "transit", Stage.CUSTOMS_CLEARED),
    ("Arrival in the destination country/destination area.", "transit",
     Stage.ARRIVED_DESTINATION_COUNTRY),
    ("Parcel center of origin.", "transit", Stage.IN_TRANSIT),
    ("Being delivered.", "transit", Stage.OUT_FOR_DELIVERY),
    ("The shipment is on its way to the PACKSTATION", None, Stage.OUT_FOR_DELIVERY),
    ("The shipment is ready for pick-up at the PACKSTATION 105 in Bonn", None,
     Stage.AVAILABLE_FOR_PICKUP),
    ("The recipient has picked up the shipment from the PACKSTATION", None, Stage.DELIVERED),
    ("The shipment could not be delivered, and the recipient has been notified", None,
     Stage.DELIVERY_ATTEMPTED),
    ("A 2nd attempt at delivery is being made", None, Stage.DELIVERY_ATTEMPTED),
    ("The address is incomplete", None, Stage.EXCEPTION),
    ("The shipment is being returned", None, Stage.RETURN_TO_SENDER),
    ("The shipment is being held at the delivery depot waiting for sender's instructions", None,
     Stage.EXCEPTION),
]

FALLBACKS: list[Case] = [  # 1.5: the coarse statusCode alone
    (None, "pre-transit", Stage.LABEL_CREATED),
    (None, "transit", Stage.IN_TRANSIT),
    (None, "delivered", Stage.DELIVERED),
    (None, "failure", Stage.EXCEPTION),
]


@pytest.mark.parametrize(
    ("text", "code", "stage"), EXPRESS + ECOMMERCE + PARCEL_DE_GERMAN + PARCEL_DE_ENGLISH + FALLBACKS
)
def test_real_dhl_texts_resolve(text: str | None, code: str | None, stage: Stage) -> None:
    resolution = VOCABULARY.resolve(text, code)
    assert resolution.stage is stage, (text, code, resolution)


@pytest.mark.parametrize(("text", "code", "stage"), FALLBACKS)
def test_status_codes_are_fallback_only(text: str | None, code: str, stage: Stage) -> None:
    assert VOCABULARY.resolve(text, code).match is MatchKind.FALLBACK
    # and a known text always wins over the coarse code
    assert VOCABULARY.resolve("Shipment picked up", code).stage is Stage.ACCEPTED


def test_status_code_unknown_maps_to_nothing() -> None:
    resolution = VOCABULARY.resolve(None, "unknown")
    assert (resolution.stage, resolution.match) == (Stage.UNKNOWN, MatchKind.UNMAPPED)


def test_status_codes_and_checkpoint_codes_do_not_overlap() -> None:
    """statusCode values live in the same code table as the Express / Parcel DE codes: they must
    only ever be fallback rules, so no finer rule is shadowed (and vice versa)."""
    for rule in VOCABULARY.own_rules():
        lowered = {c.lower() for c in rule.code}
        if lowered & set(STATUS_CODES):
            assert rule.fallback, rule.describe()
        if rule.fallback and rule.code:
            assert lowered <= set(STATUS_CODES), rule.describe()


def test_patterns_capture_the_place() -> None:
    resolution = VOCABULARY.resolve("Clearance processing complete at CINCINNATI HUB - USA")
    assert resolution.match is MatchKind.PATTERN
    assert dict(resolution.captured) == {"facility": "CINCINNATI HUB", "country": "USA"}
    resolution = VOCABULARY.resolve("Processed at  LOS ANGELES GATEWAY - USA")
    assert dict(resolution.captured) == {"facility": "LOS ANGELES GATEWAY", "country": "USA"}


def test_payment_hold_has_a_reason() -> None:
    resolution = VOCABULARY.resolve("On hold awaiting for payment of shipment related fees")
    assert resolution.reason is Reason.CUSTOMS_PAYMENT_DUE


def test_every_rule_is_sourced_and_staged() -> None:
    rules = VOCABULARY.own_rules()
    assert len(rules) > 100
    for rule in rules:
        assert rule.source.strip(), rule.describe()
        assert all(s is not Stage.UNKNOWN for s in rule.stages), rule.describe()
