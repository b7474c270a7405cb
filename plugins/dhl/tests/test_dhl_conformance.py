"""The core's conformance kit over the DHL adapter, once (golden files in ``tests/golden``, reviewed
by hand against the fixtures; regenerate deliberately with ``TRACKLINGO_REGEN_GOLDEN=1``)."""

from __future__ import annotations

from tracklingo.testing import conformance_suite

TestDHLConformance = conformance_suite(
    "dhl",
    fuzz_examples=60,
    # Express waybill (mod 7), DHL Paket 20-digit (mod 10), eCommerce GM (no check digit)
    detection_examples=("7319048251", "00340434123456789012", "GM6045000012345678"),
    # only formats with a check digit can be corrupted
    corrupted_examples=("7319048252", "00340434123456789013"),
    track_number="7319048251",
)
