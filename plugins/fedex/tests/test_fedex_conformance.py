"""The core's conformance kit over the FedEx adapter, once: vocabulary and patterns, golden fixtures
(`tests/golden`, regenerated only deliberately with `TRACKLINGO_REGEN_GOLDEN=1`), purity, order,
timestamps, fuzzing of arbitrary and mutated payloads, the core's memo, sniffing, detection, the
adapter API imports and the client's resilience."""

from __future__ import annotations

from tracklingo.testing import conformance_suite

TestFedExConformance = conformance_suite(
    "fedex",
    fuzz_examples=60,
    detection_examples=(
        "701234567893",  # Express 12, mod 11
        "123456789012343",  # Ground 15, mod 10
        "9612345123456789012343",  # Ground "96", 22 digits
        "1001234567890123810100701234567893",  # Express 34
    ),
)
