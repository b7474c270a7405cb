"""The plugin loads through its real entry point, like a third party's, and its examples normalize."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import tracklingo
from tracklingo import Stage, TrackingEvent
from tracklingo.feeds import read_records
from tracklingo.normalize import Normalizer, Reject
from tracklingo_dhl import DHLCarrier

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_entry_point_is_declared() -> None:
    (ep,) = [ep for ep in entry_points(group="tracklingo") if ep.name == "dhl"]
    assert ep.value == "tracklingo_dhl"
    assert ep.dist is not None and ep.dist.metadata["Name"] == "tracklingo-dhl"


def test_load_carriers_finds_dhl() -> None:
    registry = tracklingo.load_carriers(strict=True, only={"dhl"})
    assert "dhl" in registry
    carrier = registry.get("dhl")
    assert isinstance(carrier, DHLCarrier)
    loaded = registry.carriers["dhl"]
    assert (loaded.plugin, loaded.distribution, loaded.version) == ("dhl", "tracklingo-dhl",
                                                                    "0.1.0")
    assert registry.problems == []


def test_carrier_basics() -> None:
    carrier = DHLCarrier()
    assert (carrier.name, carrier.display_name) == ("dhl", "DHL")
    assert carrier.link("7319048251") == (
        "https://www.dhl.com/global-en/home/tracking.html?tracking-id=7319048251")
    assert carrier.vocabulary_path is not None and carrier.vocabulary_path.is_file()
    labels = [c.label for c in carrier.contacts_for("DE")]
    assert labels[0].startswith("DHL Paket")
    assert [c.country for c in carrier.contacts_for("US")][:2] == ["US", "US"]
    assert all(c.phone or c.url for c in carrier.contacts)


def test_examples_normalize_without_rejects() -> None:
    paths = [EXAMPLES / "dhl.jsonl", *sorted(EXAMPLES.glob("dhl-*.json"))]
    assert len(paths) >= 3 and all(p.is_file() for p in paths)
    registry = tracklingo.load_carriers(strict=True, only={"dhl"})
    normalizer = Normalizer(registry)
    out = [item for p in paths for item in normalizer.run(read_records(p))]
    rejects = [r for r in out if isinstance(r, Reject)]
    events = [e for e in out if isinstance(e, TrackingEvent)]
    assert rejects == []
    assert normalizer.stats.unmapped == 0
    stages = {e.stage for e in events}
    assert {Stage.CUSTOMS_HOLD, Stage.CUSTOMS_CLEARED, Stage.HANDED_TO_LAST_MILE,
            Stage.DELIVERED} <= stages
    handoffs = {(e.tracking_number, e.handoff.carrier, e.handoff.tracking_number)
                for e in events if e.handoff}
    assert handoffs == {("GM6045000012345678", "usps", "9361210912400005577888")}
