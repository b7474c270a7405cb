"""The core's conformance kit over the FedEx adapter: vocabulary, golden fixtures (`tests/golden`,
regenerated only deliberately with `TRACKLINGO_REGEN_GOLDEN=1`), purity, timestamps, fuzzing of
arbitrary and mutated payloads, sniffing, detection and the client's resilience."""

from __future__ import annotations

from tracklingo.testing import conformance_suite

TestFedExConformance = conformance_suite(
    "fedex",
    uses_templates=True,
    detection_examples=(
        "701234567893",  # Express 12, mod 11 (shared/reference/fedex.md 5.2)
        "123456789012343",  # Ground 15, mod 10 (fedex.md 5.3)
        "9612345123456789012343",  # Ground "96", 22 digits (fedex.md 5.4)
    ),
)
