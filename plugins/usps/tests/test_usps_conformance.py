"""The core's conformance kit over the USPS adapter: vocabulary, golden fixtures (`tests/golden`,
regenerated only deliberately with `TRACKLINGO_REGEN_GOLDEN=1`), purity, timestamps, fuzzing of
arbitrary and mutated payloads, sniffing, detection and the client's resilience."""

from __future__ import annotations

from tracklingo.testing import conformance_suite

TestUSPSConformance = conformance_suite(
    "usps",
    uses_templates=True,
    detection_examples=(
        "9261290000012300000427",  # IMpb worked example (shared/reference/usps.md 6.2)
        "CP100000140US",  # UPU S10 issued by USPS (usps.md 6.3)
    ),
)
