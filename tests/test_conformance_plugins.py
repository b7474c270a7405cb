"""The conformance kit over every installed carrier plugin: USPS, DHL, FedEx and any other adapter
found through the ``tracklingo`` entry points. A regression in a built-in carrier fails here.

One test class per carrier, made by `tracklingo.testing.conformance_suite` for each name that
`load_carriers()` returns. Fixtures and golden files are the plugin's own (``tests/fixtures``,
``tests/golden`` beside its source, found through the editable install); after a deliberate parser
or vocabulary change, regenerate them with ``TRACKLINGO_REGEN_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

from typing import Any

from tracklingo import load_carriers
from tracklingo.testing import conformance_suite

BUILT_IN = ("dhl", "fedex", "usps")

#: Documented example numbers of the built-in carriers (each with a check digit unless noted).
FLAGS: dict[str, dict[str, Any]] = {
    "usps": {
        "detection_examples": (
            "9261290000012300000427",  # IMpb worked example (reference usps.md 6.2)
            "CP100000140US",  # UPU S10 issued by USPS (usps.md 6.3)
            "9202290123456700043214",  # IMpb 92 of the domestic fixture
        ),
    },
    "dhl": {
        "detection_examples": (
            "7319048251",  # Express waybill, mod 7 (dhl.md 5)
            "00340434123456789012",  # Parcel Germany, MOD 10 (3,1)
            "GM6045000012345678",  # eCommerce: no check digit
        ),
        "corrupted_examples": ("7319048252", "00340434123456789013"),
        "track_number": "7319048251",
    },
    "fedex": {
        "detection_examples": (
            "701234567893",  # Express 12, mod 11 (fedex.md 5.2)
            "123456789012343",  # Ground 15 (fedex.md 5.3)
            "9612345123456789012343",  # Ground 96, 22 digits (fedex.md 5.4)
            "1001234567890123810100701234567893",  # Express 34 (fedex.md 5.7)
        ),
    },
}

REGISTRY = load_carriers()

for _name in sorted(REGISTRY.carriers):
    _suite = conformance_suite(_name, fuzz_examples=60, **FLAGS.get(_name, {}))
    globals()[_suite.__name__] = _suite


def test_every_built_in_plugin_is_installed_and_loads() -> None:
    """The kit runs over the three built-in carriers (a missing one would skip silently)."""
    missing = [name for name in BUILT_IN if name not in REGISTRY.carriers]
    assert not missing, f"built-in plugins not installed: {missing} (make install)"
    assert not REGISTRY.problems, [p.error for p in REGISTRY.problems]
    for name in BUILT_IN:
        assert f"Test{name.capitalize()}Conformance" in globals()
