from __future__ import annotations

from tracklingo import Reason, Stage, Status
from tracklingo.taxonomy import STAGE_DEFINITIONS, STAGE_STATUS, stage_rank

STAGE_ORDER = [
    "label_created",
    "accepted",
    "in_transit",
    "export_customs",
    "departed_origin_country",
    "arrived_destination_country",
    "import_customs",
    "customs_hold",
    "customs_cleared",
    "handed_to_last_mile",
    "at_destination_facility",
    "out_for_delivery",
    "delivery_attempted",
    "available_for_pickup",
    "delivered",
    "delayed",
    "exception",
    "return_to_sender",
    "returned",
    "cancelled",
    "unknown",
]


def test_stages_in_design_order() -> None:
    assert [s.value for s in Stage] == STAGE_ORDER
    assert [stage_rank(s) for s in Stage] == list(range(len(STAGE_ORDER)))


def test_every_stage_has_status_and_definition() -> None:
    assert set(STAGE_STATUS) == set(Stage)
    assert set(STAGE_DEFINITIONS) == set(Stage)
    for stage in Stage:
        assert isinstance(stage.status, Status)
        assert stage.definition.endswith(".") and len(stage.definition) > 8


def test_design_status_mapping_samples() -> None:
    assert Stage.LABEL_CREATED.status is Status.PRE_TRANSIT
    assert Stage.CUSTOMS_HOLD.status is Status.EXCEPTION
    assert Stage.CUSTOMS_CLEARED.status is Status.IN_TRANSIT
    assert Stage.RETURN_TO_SENDER.status is Status.RETURNING
    assert Stage.DELAYED.status is Status.IN_TRANSIT
    assert Stage.UNKNOWN.status is Status.UNKNOWN
    assert {s for s in Stage if s.is_terminal} == {Stage.DELIVERED, Stage.RETURNED, Stage.CANCELLED}


def test_every_status_is_used() -> None:
    assert set(STAGE_STATUS.values()) == set(Status)


def test_reasons_are_the_designs() -> None:
    assert {r.value for r in Reason} == {
        "customs_payment_due",
        "customs_documents_required",
        "customs_inspection",
        "prohibited_item",
        "address_problem",
        "recipient_unavailable",
        "no_secure_location",
        "refused",
        "damaged",
        "lost",
        "weather",
        "carrier_delay",
        "held_at_request",
        "business_closed",
        "partial_delivery",
        "seized",
        "other",
    }
