"""The conformance kit runs once per plugin: the built-in carriers run it in their own test suites
(``plugins/<name>/tests/test_<name>_conformance.py``, with their documented example numbers); any
other adapter installed here through the ``tracklingo`` entry points gets a default suite below.
"""

from __future__ import annotations

from pathlib import Path

from tracklingo import load_carriers
from tracklingo.testing import KitBase, conformance_suite

ROOT = Path(__file__).resolve().parent.parent
BUILT_IN = ("dhl", "fedex", "usps")

REGISTRY = load_carriers()

for _name in sorted(set(REGISTRY.carriers) - set(BUILT_IN)):
    _suite = conformance_suite(_name, fuzz_examples=60)
    globals()[_suite.__name__] = _suite


def test_every_built_in_plugin_is_installed_and_runs_the_kit_once() -> None:
    """The three built-in carriers load, and each has exactly one conformance suite: its own."""
    missing = [name for name in BUILT_IN if name not in REGISTRY.carriers]
    assert not missing, f"built-in plugins not installed: {missing} (make install)"
    assert not REGISTRY.problems, [p.error for p in REGISTRY.problems]
    for name in BUILT_IN:
        module = ROOT / "plugins" / name / "tests" / f"test_{name}_conformance.py"
        assert module.is_file(), module
        assert "conformance_suite(" in module.read_text(encoding="utf-8")
    here = [v for v in globals().values() if isinstance(v, type) and issubclass(v, KitBase)]
    assert not {getattr(cls, "carrier_name", None) for cls in here} & set(BUILT_IN)
