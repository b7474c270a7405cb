"""The plugin loads through its real entry point, and the carrier's identity and contacts."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest

import tracklingo
from tracklingo_fedex import FedExCarrier, FedExClient


def test_entry_point_is_declared() -> None:
    (ep,) = [ep for ep in entry_points(group="tracklingo") if ep.name == "fedex"]
    assert ep.value == "tracklingo_fedex"
    assert ep.dist is not None and ep.dist.metadata["Name"] == "tracklingo-fedex"


def test_load_carriers_finds_fedex() -> None:
    registry = tracklingo.load_carriers(strict=True)
    assert "fedex" in registry
    loaded = registry.carriers["fedex"]
    assert isinstance(loaded.carrier, FedExCarrier)
    assert (loaded.plugin, loaded.distribution, loaded.version) == (
        "fedex", "tracklingo-fedex", "0.1.0"
    )
    assert not [p for p in registry.problems if p.plugin == "fedex"]


def test_only_fedex() -> None:
    registry = tracklingo.load_carriers(strict=True, only={"fedex"})
    assert list(registry.carriers) == ["fedex"]
    assert registry.get("FedEx").display_name == "FedEx"


def test_identity_and_links() -> None:
    fedex = FedExCarrier()
    assert (fedex.name, fedex.display_name) == ("fedex", "FedEx")
    assert fedex.link("701234567893") == "https://www.fedex.com/fedextrack/?trknbr=701234567893"
    assert fedex.trusts_z is True
    assert fedex.vocabulary_path is not None and fedex.vocabulary_path.is_file()
    assert fedex.vocabulary.carrier == "fedex"


def test_contacts_per_country() -> None:
    fedex = FedExCarrier()
    us = fedex.contacts_for("US")
    assert us[0].phone == "1-800-463-3339" and us[0].country == "US"
    assert any(c.url and c.url.startswith("https://www.fedex.com/") for c in us)
    gb = fedex.contacts_for("GB")
    assert gb[0].phone == "03456 07 08 09"
    elsewhere = fedex.contacts_for("JP")
    assert elsewhere and all(c.country is None for c in elsewhere)
    assert all(c.phone or c.url for c in fedex.contacts)


def test_client_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_ID", "id")
    monkeypatch.setenv("TRACKLINGO_FEDEX_CLIENT_SECRET", "secret")
    with FedExCarrier().client(base_url="https://fedex.test") as client:
        assert isinstance(client, FedExClient)
        assert client.carrier == "fedex"


def test_bare_fedex_reply_is_recognised_by_the_normalizer() -> None:
    """A bare Track API reply (no envelope) is claimed by fedex alone among installed carriers."""
    registry = tracklingo.load_carriers(strict=True)
    payload: dict[str, Any] = {"output": {"completeTrackResults": []}}
    claims = [c.name for c in registry if c.sniff(payload)]
    assert claims == ["fedex"]
