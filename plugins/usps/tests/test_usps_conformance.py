"""The core's conformance kit over the USPS adapter, once: vocabulary and patterns, golden fixtures
(`tests/golden`, regenerated only deliberately with `TRACKLINGO_REGEN_GOLDEN=1`), purity, order,
timestamps, fuzzing of arbitrary and mutated payloads, the core's memo, sniffing, detection, the
adapter API imports and the client's resilience."""

from __future__ import annotations

from tracklingo.testing import conformance_suite

TestUSPSConformance = conformance_suite(
    "usps",
    fuzz_examples=60,
    detection_examples=(
        "9261290000012300000427",  # IMpb worked example (USPS Publication 199, the IMpb check digit)
        "CP100000140US",  # UPU S10 issued by USPS
        "9202290123456700043214",  # IMpb 92 of the domestic fixture
    ),
)
