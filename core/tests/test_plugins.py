"""Loading plugins: load errors, bad vocabularies, clashes, plugins that raise SystemExit or
KeyboardInterrupt, and the environment variables that choose."""

from __future__ import annotations

import json
import logging
import signal
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tracklingo import ConfigError, PluginError, UnknownCarrierError, load_carriers
from tracklingo.errors import AdapterError
from tracklingo.guard import plugin_code

from conftest import write_plugin
from toyplugins import (
    ACME_PLUGIN,
    BETA_PLUGIN,
    BROKEN_IMPORT_PLUGIN,
    BROKEN_REGISTER_PLUGIN,
    CLASH_PLUGIN,
)

#: A carrier whose vocabulary is a TOML file next to its module (the file is written by the test).
FILE_VOCAB_PLUGIN = """
from pathlib import Path
from tracklingo.adapter import Carrier, hookimpl

class Filed(Carrier):
    name = "filed"
    display_name = "Filed Post"
    vocabulary_path = Path(__file__).with_name("filed_vocabulary.toml")

    def detect(self, number):
        return 0.0

@hookimpl
def tracklingo_register_carriers(register):
    register(Filed())
"""

GOOD_VOCAB = """
[meta]
carrier = "filed"
[meta.sources]
T = "tracklingo core test data (not a real carrier)"
[[rule]]
phrase = "Delivered"
stage = "delivered"
source = "T"
"""

#: A plugin that registers a carrier under the built-in USPS plugin's name.
USURPER_PLUGIN = """
from tracklingo.adapter import Carrier, hookimpl

class NotUSPS(Carrier):
    name = "usps"
    display_name = "Not USPS"

    def detect(self, number):
        return 0.0

@hookimpl
def tracklingo_register_carriers(register):
    register(NotUSPS())
"""


def test_good_plugin_loads_through_entry_point(install_plugin: Any) -> None:
    install_plugin("acme", ACME_PLUGIN)
    reg = load_carriers(only={"acme"}, strict=True)
    assert list(reg.carriers) == ["acme"]
    loaded = reg.carriers["acme"]
    assert loaded.distribution == "tracklingo-test-acme" and loaded.version == "1.2.3"
    assert reg.get("ACME").display_name == "ACME Parcels"
    assert not reg.problems


def test_broken_plugins_are_skipped_and_reported(install_plugin: Any, plugin_dir: Path) -> None:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("broken-import", BROKEN_IMPORT_PLUGIN)
    install_plugin("broken-register", BROKEN_REGISTER_PLUGIN)
    reg = load_carriers(only={"acme", "broken-import", "broken-register"}, strict=False)
    assert "acme" in reg
    problems = {p.plugin: p for p in reg.errors}
    assert problems["broken-import"].error == "failed to load: RuntimeError: boom at import"
    assert "failed to register: KeyError" in problems["broken-register"].error
    assert problems["broken-import"].version == "1.2.3"
    assert problems["broken-import"].file == str(plugin_dir / "tracklingo_test_broken_import.py")
    assert problems["broken-register"].file == str(plugin_dir / "tracklingo_test_broken_register.py")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import sys\nsys.exit(3)\n", "failed to load: SystemExit: 3"),
        ("raise SystemExit\n", "failed to load: SystemExit"),
        ("raise KeyboardInterrupt\n", "failed to load: KeyboardInterrupt"),
        (
            "class Odd(BaseException): pass\nraise Odd('odd')\n",
            "failed to load: tracklingo_test_quitter.Odd: odd",
        ),
        (
            "from tracklingo import hookimpl\n@hookimpl\n"
            "def tracklingo_register_carriers(register):\n    raise SystemExit('bye')\n",
            "failed to register: SystemExit: bye",
        ),
        (
            "from tracklingo import hookimpl\n@hookimpl\n"
            "def tracklingo_register_carriers(register):\n    raise KeyboardInterrupt\n",
            "failed to register: KeyboardInterrupt",
        ),
    ],
)
def test_a_plugin_that_exits_or_interrupts_is_that_plugins_error(
    install_plugin: Any, source: str, expected: str
) -> None:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("quitter", source)
    reg = load_carriers(only={"acme", "quitter"}, strict=False)
    assert "acme" in reg  # the host goes on
    [problem] = reg.errors
    assert (problem.plugin, problem.error) == ("quitter", expected)
    with pytest.raises(PluginError, match="quitter"):
        load_carriers(only={"acme", "quitter"}, strict=True)


def test_the_users_ctrl_c_still_stops_the_host(install_plugin: Any) -> None:
    """A real SIGINT while a plugin loads (the user's Ctrl-C) is not the plugin's error."""
    install_plugin("slow", "import os, signal, time\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(30)\n")
    with pytest.raises(KeyboardInterrupt):
        load_carriers(only={"slow"}, strict=False)
    with pytest.raises(KeyboardInterrupt):  # and after it, outside plugin code, Ctrl-C is Ctrl-C
        signal.raise_signal(signal.SIGINT)


def test_plugin_code_turns_whatever_a_plugin_raises_into_its_error() -> None:
    for raised in (SystemExit(2), KeyboardInterrupt(), GeneratorExit(), ValueError("plain")):
        with pytest.raises(AdapterError) as info, plugin_code("acme", "loading"):
            raise raised
        assert info.value.__cause__ is raised and info.value.original is raised
    with (
        pytest.raises(ConfigError),
        plugin_code("acme", "client()"),
    ):  # the project's errors leave as they are
        raise ConfigError("no credentials")


def test_one_bad_rule_skips_that_plugin_only(
    install_plugin: Any, plugin_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("filed", FILE_VOCAB_PLUGIN)
    vocab = plugin_dir / "filed_vocabulary.toml"
    vocab.write_text(GOOD_VOCAB.replace('stage = "delivered"', 'stage = "teleported"'))
    caplog.set_level(logging.WARNING, logger="tracklingo.plugins")
    reg = load_carriers(only={"acme", "filed"}, strict=False)
    assert "acme" in reg and "filed" not in reg
    [problem] = reg.errors
    assert problem.plugin == "filed" and problem.distribution == "tracklingo-test-filed"
    assert problem.file == str(vocab)
    assert "teleported" in problem.error and "bad vocabulary for carrier 'filed'" in problem.error
    assert "tracklingo-test-filed 1.2.3" in caplog.text and str(vocab) in caplog.text
    with pytest.raises(UnknownCarrierError):
        reg.get("filed")
    with pytest.raises(PluginError, match="teleported"):  # strict keeps the refusal
        load_carriers(only={"acme", "filed"}, strict=True)
    vocab.write_text(GOOD_VOCAB)
    assert "filed" in load_carriers(only={"acme", "filed"}, strict=True)


def test_a_clash_uses_neither_and_names_both(install_plugin: Any) -> None:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("acme-clone", CLASH_PLUGIN)
    reg = load_carriers(only={"acme", "acme-clone"}, strict=False)
    assert "acme" not in reg  # neither is guessed
    [clash] = reg.clashes
    assert "tracklingo-test-acme 1.2.3" in clash.error and "tracklingo-test-acme-clone 1.2.3" in clash.error
    with pytest.raises(UnknownCarrierError, match="registered by both") as info:
        reg.get("acme")
    assert "TRACKLINGO_DISABLE_PLUGINS" in str(info.value)
    with pytest.raises(PluginError, match="registered by both"):
        load_carriers(only={"acme", "acme-clone"}, strict=True)


def test_a_third_party_usps_clashes_with_the_builtin_and_the_environment_chooses(
    install_plugin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tracklingo_usps")
    install_plugin("zz-usps", USURPER_PLUGIN)
    monkeypatch.delenv("TRACKLINGO_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("TRACKLINGO_DISABLE_PLUGINS", raising=False)
    reg = load_carriers(only={"usps", "zz-usps"}, strict=False)
    assert "usps" not in reg
    [clash] = reg.clashes
    assert "tracklingo-usps" in clash.error and "tracklingo-test-zz-usps" in clash.error
    monkeypatch.setenv("TRACKLINGO_DISABLE_PLUGINS", "zz-usps")
    assert load_carriers(strict=False).get("usps").display_name == "USPS"
    monkeypatch.setenv("TRACKLINGO_DISABLE_PLUGINS", "tracklingo-usps")  # a distribution name
    assert load_carriers(strict=False).get("usps").display_name == "Not USPS"


def test_two_distributions_with_one_entry_point_name_clash(plugin_dir: Path) -> None:
    write_plugin(plugin_dir, "acme", ACME_PLUGIN)
    other = plugin_dir / "other_acme-2.0.dist-info"
    other.mkdir()
    (other / "METADATA").write_text("Metadata-Version: 2.1\nName: other-acme\nVersion: 2.0\n")
    (plugin_dir / "other_acme.py").write_text(textwrap.dedent(CLASH_PLUGIN))
    (other / "entry_points.txt").write_text("[tracklingo]\nacme = other_acme\n")
    reg = load_carriers(only={"acme"}, strict=False)
    assert "acme" not in reg
    [clash] = reg.clashes
    assert "tracklingo-test-acme 1.2.3" in clash.error and "other-acme 2.0" in clash.error
    chosen = load_carriers(only={"other-acme"}, strict=True)
    assert chosen.get("acme").display_name == "Other ACME"


def test_allow_and_block_lists_from_env(install_plugin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("beta", BETA_PLUGIN)
    monkeypatch.setenv("TRACKLINGO_LOAD_PLUGINS", "acme, beta")
    assert set(load_carriers().carriers) == {"acme", "beta"}
    monkeypatch.setenv("TRACKLINGO_DISABLE_PLUGINS", "beta")
    assert set(load_carriers().carriers) == {"acme"}
    monkeypatch.setenv("TRACKLINGO_LOAD_PLUGINS", "beta")
    monkeypatch.delenv("TRACKLINGO_DISABLE_PLUGINS")
    assert set(load_carriers().carriers) == {"beta"}


def test_unknown_names_in_load_plugins_are_an_error(
    install_plugin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("acme", ACME_PLUGIN)
    monkeypatch.setenv("TRACKLINGO_LOAD_PLUGINS", "acme,acmee")
    with pytest.raises(ConfigError, match=r"TRACKLINGO_LOAD_PLUGINS names acmee, not installed"):
        load_carriers()


@pytest.mark.parametrize(
    ("value", "strict"),
    [
        ("off", False),
        ("0", False),
        ("FALSE", False),
        ("no", False),
        ("", False),
        ("1", True),
        ("on", True),
        ("true", True),
    ],
)
def test_strict_plugins_values(
    install_plugin: Any, monkeypatch: pytest.MonkeyPatch, value: str, strict: bool
) -> None:
    install_plugin("broken-import", BROKEN_IMPORT_PLUGIN)
    monkeypatch.setenv("TRACKLINGO_STRICT_PLUGINS", value)
    if strict:
        with pytest.raises(PluginError, match=r"broken-import.*boom at import"):
            load_carriers(only={"broken-import"})
    else:
        assert load_carriers(only={"broken-import"}).errors


def test_strict_plugins_unreadable_value_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_STRICT_PLUGINS", "maybe")
    with pytest.raises(ConfigError, match="TRACKLINGO_STRICT_PLUGINS='maybe'"):
        load_carriers()


def test_unknown_carrier_error_lists_installed(acme_registry: object) -> None:
    with pytest.raises(UnknownCarrierError, match=r"unknown carrier 'ups' \(installed: acme, beta\)"):
        acme_registry.get("ups")  # type: ignore[attr-defined]


def test_register_rejects_non_carriers(install_plugin: Any) -> None:
    install_plugin(
        "weird",
        "from tracklingo import hookimpl\n@hookimpl\n"
        "def tracklingo_register_carriers(register):\n    register(object())\n",
    )
    reg = load_carriers(only={"weird"}, strict=False)
    assert "takes a tracklingo.Carrier" in reg.errors[0].error


def test_cli_carriers_reports_a_bad_plugin_and_the_others_work(
    run_cli: Any, install_plugin: Any, plugin_dir: Path
) -> None:
    install_plugin("filed", FILE_VOCAB_PLUGIN)
    vocab = plugin_dir / "filed_vocabulary.toml"
    vocab.write_text(GOOD_VOCAB.replace('stage = "delivered"', 'stage = "teleported"'))
    human = run_cli("carriers", plugins="acme,filed", strict="0")
    assert human.returncode == 0, human.stderr
    assert human.stdout.startswith("acme ") and "filed" not in human.stdout
    [line] = human.stderr.splitlines()  # reported once, by the command
    assert line.startswith(f"ERROR plugin 'filed' (tracklingo-test-filed 1.2.3, {vocab}): bad vocabulary")
    data = json.loads(run_cli("carriers", "--json", plugins="acme,filed", strict="off").stdout)
    [problem] = data["problems"]
    assert (problem["distribution"], problem["version"], problem["file"]) == (
        "tracklingo-test-filed",
        "1.2.3",
        str(vocab),
    )
    record = json.dumps(
        {
            "carrier": "acme",
            "tracking_number": "ACME1",
            "timestamp": "2026-01-02T03:04:05Z",
            "description": "In transit",
        }
    )
    normalized = run_cli("normalize", stdin=record + "\n", plugins="acme,filed", strict="0")
    assert normalized.returncode == 0, normalized.stderr
    assert json.loads(normalized.stdout.splitlines()[0])["stage"] == "in_transit"
    assert "skipped plugin 'filed'" in normalized.stderr  # not silent in other commands either
    strict = run_cli("carriers", plugins="acme,filed", strict="1")
    assert strict.returncode == 1 and strict.stderr.startswith("tracklingo: error: plugin 'filed'")


#: Two toy carriers for live tracking: one whose client raises SystemExit, one that works.
TRACKING_PLUGINS = """
from tracklingo.adapter import Carrier, NumberError, Reading, hookimpl

class Exiter(Carrier):
    name = "exiter"
    display_name = "Exiter"

    def detect(self, number):
        return 0.9 if number.startswith("EXIT") else 0.0

    def client(self, **options):
        raise SystemExit(2)

class FineClient:
    batch_size = 1
    def track(self, numbers):
        return [{"fine": n} for n in numbers]
    def close(self):
        pass

class Fine(Carrier):
    name = "fine"
    display_name = "Fine"

    def detect(self, number):
        return 0.9 if number.startswith("FINE") else 0.0

    def client(self, **options):
        return FineClient()

    def read(self, payload):
        if payload["fine"] == "FINE2":
            raise KeyboardInterrupt  # a plugin's, not the user's
        return Reading(errors=[NumberError(payload["fine"], "no events yet")])

@hookimpl
def tracklingo_register_carriers(register):
    register(Exiter())
    register(Fine())
"""


def test_live_tracking_survives_a_plugin_that_exits(install_plugin: Any) -> None:
    from tracklingo.http import TrackingClient
    from tracklingo.tracking import track

    install_plugin("trackers", TRACKING_PLUGINS)
    reg = load_carriers(only={"trackers"}, strict=True)
    assert isinstance(reg.get("fine").client(), TrackingClient)
    result = track(["EXIT1", "FINE1", "EXIT2", "FINE2"], registry=reg)
    errors = {e.tracking_number: e.message for e in result.errors}
    assert errors["FINE1"] == "no events yet"  # the working carrier went on
    assert (
        errors["EXIT1"]
        == errors["EXIT2"]
        == ("exiter: the plugin raised SystemExit: 2 while building its API client")
    )
    assert errors["FINE2"] == "fine: the plugin raised KeyboardInterrupt while reading a reply"
