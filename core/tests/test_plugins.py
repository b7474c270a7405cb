from __future__ import annotations

from typing import Any

import pytest

from tracklingo import PluginError, UnknownCarrierError, load_carriers

from toyplugins import (
    ACME_PLUGIN,
    BETA_PLUGIN,
    BROKEN_IMPORT_PLUGIN,
    BROKEN_REGISTER_PLUGIN,
    CLASH_PLUGIN,
)

ALL_TEST = {"acme", "beta", "broken-import", "broken-register", "acme-clone"}


def test_good_plugin_loads_through_entry_point(install_plugin: Any) -> None:
    install_plugin("acme", ACME_PLUGIN)
    reg = load_carriers(only={"acme"}, strict=True)
    assert list(reg.carriers) == ["acme"]
    loaded = reg.carriers["acme"]
    assert loaded.distribution == "tracklingo-test-acme" and loaded.version == "1.2.3"
    assert reg.get("ACME").display_name == "ACME Parcels"
    assert not reg.problems


def test_broken_plugins_are_skipped_and_reported(install_plugin: Any) -> None:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("broken-import", BROKEN_IMPORT_PLUGIN)
    install_plugin("broken-register", BROKEN_REGISTER_PLUGIN)
    reg = load_carriers(only=ALL_TEST, strict=False)
    assert "acme" in reg
    errors = {p.plugin: p.error for p in reg.errors}
    assert errors["broken-import"] == "failed to load: RuntimeError: boom at import"
    assert "failed to register: KeyError" in errors["broken-register"]
    assert reg.errors[0].version == "1.2.3"


def test_strict_mode_makes_load_errors_fatal(
    install_plugin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("broken-import", BROKEN_IMPORT_PLUGIN)
    with pytest.raises(PluginError, match=r"broken-import.*boom at import"):
        load_carriers(only={"broken-import"}, strict=True)
    monkeypatch.setenv("TRACKLINGO_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError):
        load_carriers(only={"broken-import"})
    monkeypatch.setenv("TRACKLINGO_STRICT_PLUGINS", "0")
    assert load_carriers(only={"broken-import"}).errors


def test_clash_is_reported_not_overwritten(install_plugin: Any) -> None:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("acme-clone", CLASH_PLUGIN)
    reg = load_carriers(only={"acme", "acme-clone"}, strict=False)
    assert reg.get("acme").display_name == "ACME Parcels"  # first (sorted) registration kept
    assert len(reg.clashes) == 1
    assert "already registered by plugin 'acme'" in reg.clashes[0].error
    with pytest.raises(PluginError, match="already registered"):
        load_carriers(only={"acme", "acme-clone"}, strict=True)


def test_allow_and_block_lists_from_env(
    install_plugin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("beta", BETA_PLUGIN)
    monkeypatch.setenv("TRACKLINGO_LOAD_PLUGINS", "acme, beta")
    assert set(load_carriers().carriers) == {"acme", "beta"}
    monkeypatch.setenv("TRACKLINGO_DISABLE_PLUGINS", "beta")
    assert set(load_carriers().carriers) == {"acme"}
    monkeypatch.setenv("TRACKLINGO_LOAD_PLUGINS", "beta")
    monkeypatch.delenv("TRACKLINGO_DISABLE_PLUGINS")
    assert set(load_carriers().carriers) == {"beta"}


def test_unknown_carrier_error_lists_installed(acme_registry: object) -> None:
    with pytest.raises(
        UnknownCarrierError, match=r"unknown carrier 'ups' \(installed: acme, beta\)"
    ):
        acme_registry.get("ups")  # type: ignore[attr-defined]


def test_register_rejects_non_carriers(install_plugin: Any) -> None:
    install_plugin(
        "weird",
        "from tracklingo import hookimpl\n@hookimpl\n"
        "def tracklingo_register_carriers(register):\n    register(object())\n",
    )
    reg = load_carriers(only={"weird"}, strict=False)
    assert "takes a tracklingo.Carrier" in reg.errors[0].error
