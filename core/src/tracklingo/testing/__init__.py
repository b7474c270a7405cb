"""The conformance kit: what makes a tracklingo carrier adapter right, as reusable tests.

Opt-in, not a pytest plugin that loads itself: an adapter's test module subclasses the base class,

    from pathlib import Path
    from tracklingo.testing import CarrierConformance

    class TestCanadaPostConformance(CarrierConformance):
        carrier_name = "canadapost"
        fixtures_dir = Path(__file__).parent / "fixtures"
        detection_examples = ("CAN1234567895",)

or uses the one-line factory ``TestCanadaPost = conformance_suite("canadapost", ...)``.

Golden files (the canonical events each fixture must parse to) are compared, never rewritten,
unless regeneration is asked for: ``TRACKLINGO_REGEN_GOLDEN=1 pytest`` or ``pytest --regen-golden``
with the opt-in plugin ``-p tracklingo.testing.pytest_plugin``.

The checks are also plain functions in `tracklingo.testing.checks` (by topic), `.fuzz` and
`.client`; each raises `ConformanceError` with a message that says what to fix. The pytest classes
are composed from one mixin per topic (`tracklingo.testing.suite`).

Needs the ``testing`` extra: ``pip install "tracklingo[testing]"`` (pytest, hypothesis, respx).
"""

from __future__ import annotations

from tracklingo.testing.checks import (
    REGEN_ENV,
    ConformanceError,
    Outcome,
    Sample,
    corrupt_check_digit,
    default_fixtures_dir,
    golden_data,
    load_samples,
    regen_requested,
    run_parse,
)
from tracklingo.testing.client import ClientHarness
from tracklingo.testing.suite import (
    FLAGS,
    HOOKS,
    CarrierConformance,
    GoldenFilesWritten,
    KitBase,
    Requirements,
    conformance_suite,
)

__all__ = [
    "FLAGS",
    "HOOKS",
    "REGEN_ENV",
    "CarrierConformance",
    "ClientHarness",
    "ConformanceError",
    "GoldenFilesWritten",
    "KitBase",
    "Outcome",
    "Requirements",
    "Sample",
    "conformance_suite",
    "corrupt_check_digit",
    "default_fixtures_dir",
    "golden_data",
    "load_samples",
    "regen_requested",
    "run_parse",
]
