"""The conformance kit (`tracklingo.testing`) on toy carriers: a good adapter passes the whole suite
(installed through a real entry point), and broken adapters fail with messages that say what to fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tracklingo import Vocabulary
from tracklingo.adapter import Carrier, Contact, ParseError, Place, Reading, Scan, Shipment
from tracklingo.taxonomy import Stage
from tracklingo.testing import (
    CarrierConformance,
    ClientHarness,
    ConformanceError,
    KitBase,
    Sample,
    checks,
    client,
    conformance_suite,
    corrupt_check_digit,
    fuzz,
)
from tracklingo.testing.suite import ClientChecks, ParserChecks
from tracklingo.vocabulary import Rule

from conftest import InstallPlugin
from toyplugins import ACME_PLUGIN

# -- a good toy adapter, installed through an entry point ----------------------------------------

# Toy carrier for the kit's own tests. Its vocabulary is test data, not carrier facts.
KITPOST_PLUGIN = """
import re
from pathlib import Path
from tracklingo.adapter import (Carrier, CarrierClient, Contact, OAuth2ClientCredentials, ParseError,
                                Place, Reading, Scan, Shipment, env_credential, hookimpl, mod10_ok)

NUMBER = re.compile(r"^KP(\\d{10})$")


class KitClient(CarrierClient):
    carrier = "kitpost"
    default_base_url = "https://api.kitpost.example"

    def __init__(self, **kw):
        auth = OAuth2ClientCredentials(
            carrier="kitpost", token_path="/oauth/token",
            client_id=env_credential("TRACKLINGO_KITPOST_CLIENT_ID"),
            client_secret=env_credential("TRACKLINGO_KITPOST_CLIENT_SECRET"))
        super().__init__(auth=auth, **kw)

    def track(self, numbers):
        return [self.get_json(f"/track/{n}", tracking_number=n) for n in numbers]


class KitPost(Carrier):
    name = "kitpost"
    display_name = "Kit Post"
    contacts = (Contact("Kit Post help", url="https://kitpost.example/help"),)
    tracking_url = "https://kitpost.example/t/{number}"
    vocabulary_path = Path(__file__).parent / "kitpost_vocabulary.toml"

    def sniff(self, payload):
        return isinstance(payload, dict) and isinstance(payload.get("kitShipment"), dict)

    def read(self, payload):
        if not self.sniff(payload):
            raise ParseError(self.name, "not a Kit Post response")
        ship = payload["kitShipment"]
        number, items = ship.get("number"), ship.get("events")
        if not isinstance(number, str) or not number.strip() or not isinstance(items, list):
            raise ParseError(self.name, "kitShipment needs a number and a list of events")
        scans = []
        for item in items:
            if not isinstance(item, dict):
                raise ParseError(self.name, "an event is not an object")
            scans.append(Scan(code=item.get("code"), text=item.get("text"), time=item.get("time"),
                              place=Place(country=item.get("country")), raw=item))
        return Reading([Shipment(number, scans)])

    def detect(self, number):
        m = NUMBER.match(number)
        if m is None:
            return 0.0
        return 0.9 if mod10_ok(m.group(1)) else 0.05

    def client(self, **options):
        return KitClient(**options)


@hookimpl
def tracklingo_register_carriers(register):
    register(KitPost())
"""

KITPOST_NUMBER = "KP1234567895"  # 123456789 + MOD 10 (3,1) check digit 5

KITPOST_FIXTURES = {
    "delivered.json": {
        "kitShipment": {
            "number": KITPOST_NUMBER,
            "events": [
                {"time": "2026-03-02T09:05:00+01:00", "code": "PU", "text": "Picked up"},
                {"time": "2026-03-03T10:00:00", "text": "Arrived at LYON HUB", "country": "FR"},
                {"time": "2026-03-04T08:00:00", "text": "Sorting", "country": "US"},
                {"time": None, "text": "Delivered"},
            ],
        }
    },
}


def write_fixtures(root: Path, fixtures: dict[str, Any]) -> Path:
    directory = root / "tests" / "fixtures"
    directory.mkdir(parents=True, exist_ok=True)
    for name, payload in fixtures.items():
        (directory / name).write_text(json.dumps(payload, indent=2))
    return directory


# The toy's vocabulary (test data, not carrier facts), written beside its module.
KITPOST_VOCAB = """
[meta]
carrier = "kitpost"

[meta.sources]
T = "tracklingo kit test data (not a real carrier)"

[[rule]]
code = "PU"
stage = "accepted"
source = "T"

[[rule]]
phrase = "Delivered"
stage = "delivered"
source = "T"

[[rule]]
pattern = '^Arrived at (?P<facility>.+ HUB)$'
stage = "in_transit"
source = "T"
"""


def kitpost_vocabulary(root: Path) -> None:
    (root / "kitpost_vocabulary.toml").write_text(KITPOST_VOCAB)


@pytest.fixture
def kitpost(install_plugin: InstallPlugin, plugin_dir: Path) -> Path:
    """Install the toy through an entry point, with tests/fixtures beside its module."""
    install_plugin("kitpost", KITPOST_PLUGIN)
    kitpost_vocabulary(plugin_dir)
    (plugin_dir / "pyproject.toml").write_text("[project]\nname = 'kitpost'\n")  # a source tree
    return write_fixtures(plugin_dir, KITPOST_FIXTURES)


class TestKitpostConformance(CarrierConformance):
    """The whole kit, as an adapter author uses it, on the good toy (defaults for fixtures_dir
    and golden_dir: found beside the module, as for an editable install)."""

    carrier_name = "kitpost"
    detection_examples = (KITPOST_NUMBER,)
    fuzz_examples = 60

    @pytest.fixture(autouse=True)
    def _install(self, kitpost: Path) -> None:
        # a first, deliberate regeneration (what an author does once and then reviews)
        samples = checks.load_samples(kitpost)
        from tracklingo import load_carriers

        carrier = load_carriers(only={"kitpost"}, strict=True).get("kitpost")
        checks.check_golden(carrier, samples, kitpost.parent / "golden", regen=True)


# -- the good toy, check by check -------------------------------------------------------------------


@pytest.fixture
def kp(kitpost: Path) -> tuple[Carrier, list[Sample], Path]:
    from tracklingo import load_carriers

    carrier = load_carriers(only={"kitpost"}, strict=True).get("kitpost")
    return carrier, checks.load_samples(kitpost), kitpost.parent / "golden"


def test_default_fixtures_dir_is_found_beside_the_module(kp: Any, kitpost: Path) -> None:
    carrier, _, _ = kp
    assert checks.default_fixtures_dir(carrier) == kitpost
    (kitpost.parent.parent / "pyproject.toml").unlink()  # not a source tree: no guessing
    assert checks.default_fixtures_dir(carrier) is None


def test_golden_regeneration_only_when_asked(kp: Any) -> None:
    carrier, samples, golden = kp
    with pytest.raises(ConformanceError) as err:
        checks.check_golden(carrier, samples, golden)
    message = str(err.value)
    assert "fixtures without a golden file" in message and "delivered.json" in message
    assert "TRACKLINGO_REGEN_GOLDEN=1" in message
    assert not golden.exists()
    written = checks.check_golden(carrier, samples, golden, regen=True)
    assert written == [golden / "delivered.json"]
    data = json.loads(written[0].read_text())
    assert [e["stage"] for e in data["events"]] == ["accepted", "in_transit", "unknown", "delivered"]
    assert data["events"][1]["location"]["facility"] == "LYON HUB"
    assert "raw" not in data["events"][0]
    checks.check_golden(carrier, samples, golden)  # now it matches
    assert checks.check_golden(carrier, samples, golden, regen=True) == []  # unchanged: not rewritten


def test_golden_mismatch_says_which_field_changed(kp: Any) -> None:
    carrier, samples, golden = kp
    checks.check_golden(carrier, samples, golden, regen=True)
    path = golden / "delivered.json"
    data = json.loads(path.read_text())
    data["events"][1]["stage"] = "arrived_destination_country"
    data["events"].append(data["events"][0])
    path.write_text(json.dumps(data))
    (golden / "gone.json").write_text("{}")
    with pytest.raises(ConformanceError) as err:
        checks.check_golden(carrier, samples, golden)
    message = str(err.value)
    assert (
        'event #2 "Arrived at LYON HUB": stage: golden "arrived_destination_country" -> now "in_transit"'
        in message
    )
    assert "golden has 5 events, parse() gave 4" in message
    assert "gone.json: golden file without a fixture (delete it)" in message
    assert "regenerate the golden files deliberately" in message


def test_regen_env_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKLINGO_REGEN_GOLDEN", raising=False)
    assert not checks.regen_requested()
    monkeypatch.setenv("TRACKLINGO_REGEN_GOLDEN", "1")
    assert checks.regen_requested()
    monkeypatch.setenv("TRACKLINGO_REGEN_GOLDEN", "0")
    assert not checks.regen_requested()


def test_good_toy_passes_every_check_directly(kp: Any) -> None:
    carrier, samples, _ = kp
    checks.check_identity(carrier, "kitpost")
    checks.check_rule_targets(carrier)
    checks.check_rule_sources(carrier)
    checks.check_parse_pure(carrier, samples)
    checks.check_oldest_first(carrier, samples)
    checks.check_timestamps(carrier, samples)
    checks.check_patterns(carrier)
    checks.check_adapter_imports(carrier)
    checks.check_sniff_own(carrier, samples)
    checks.check_sniff_foreign(carrier, {})
    checks.check_detection_examples(carrier, [KITPOST_NUMBER])
    checks.check_corrupted_rejected(carrier, [corrupt_check_digit(KITPOST_NUMBER)])
    fuzz.check_fuzz_arbitrary(carrier, samples, examples=50, seed=1)
    fuzz.check_fuzz_mutated(carrier, samples, examples=50, seed=1)
    fuzz.check_memo_changes_nothing(carrier, samples, examples=30, seed=1)


def test_corrupt_check_digit_changes_the_last_digit() -> None:
    assert corrupt_check_digit("KP1234567895") == "KP1234567896"
    assert corrupt_check_digit("CP100000140US") == "CP100000141US"
    assert corrupt_check_digit("7319048259") == "7319048250"
    with pytest.raises(ValueError):
        corrupt_check_digit("ABC")


# -- the client checks ----------------------------------------------------------------------------------


def _harness(carrier: Carrier, samples: list[Sample]) -> ClientHarness:
    return ClientHarness(carrier=carrier, number=KITPOST_NUMBER, success_body=samples[0].payload)


@pytest.mark.parametrize("failure", ["429", "503", "timeout"])
def test_client_survives_transient_failures(kp: Any, failure: str) -> None:
    carrier, samples, _ = kp
    h = _harness(carrier, samples)
    client.check_client_survives(h, failure)
    if failure == "429":
        assert 2.0 in h.sleeps  # Retry-After honoured through the injected sleep
    assert os.environ.get("TRACKLINGO_KITPOST_CLIENT_SECRET") is None  # environment restored


def test_client_credentials_are_discovered_and_never_leak(kp: Any) -> None:
    carrier, samples, _ = kp
    h = _harness(carrier, samples)
    client.check_client_gives_up(h)
    client.check_client_never_leaks(h)
    assert set(h._discovered) == {"TRACKLINGO_KITPOST_CLIENT_ID", "TRACKLINGO_KITPOST_CLIENT_SECRET"}
    assert h.token_used
    assert h._discovered["TRACKLINGO_KITPOST_CLIENT_SECRET"] in h.secret_values()
    assert h._discovered["TRACKLINGO_KITPOST_CLIENT_ID"] not in h.secret_values()


LEAKY_CLIENT = KITPOST_PLUGIN.replace(
    "    def track(self, numbers):\n",
    "    def track(self, numbers):\n"
    "        import logging\n"
    "        logging.getLogger('kitpost').debug('secret is %s', env_credential("
    "'TRACKLINGO_KITPOST_CLIENT_SECRET'))\n",
)

NO_RETRY_CLIENT = KITPOST_PLUGIN.replace(
    '        return [self.get_json(f"/track/{n}", tracking_number=n) for n in numbers]',
    "        import httpx\n        return [httpx.get(self.base_url + '/track/' + n).json() for n in numbers]",
)


def test_leaky_client_fails_with_what_to_fix(install_plugin: InstallPlugin) -> None:
    kitpost_vocabulary(install_plugin("kitpost", LEAKY_CLIENT))
    from tracklingo import load_carriers

    carrier = load_carriers(only={"kitpost"}, strict=True).get("kitpost")
    h = ClientHarness(carrier=carrier, number=KITPOST_NUMBER)
    with pytest.raises(ConformanceError) as err:
        client.check_client_never_leaks(h)
    message = str(err.value)
    assert message.startswith("kitpost: the client leaks credentials")
    assert "log record" in message and "secret is kit-tracklingo-kitpost-client-secret-" in message
    assert "How to fix:" in message and "redact" in message


def test_client_that_does_not_retry_fails(install_plugin: InstallPlugin) -> None:
    kitpost_vocabulary(install_plugin("kitpost", NO_RETRY_CLIENT))
    from tracklingo import load_carriers

    carrier = load_carriers(only={"kitpost"}, strict=True).get("kitpost")
    h = ClientHarness(carrier=carrier, number=KITPOST_NUMBER)
    with pytest.raises(ConformanceError) as err:
        client.check_client_survives(h, "503")
    assert "kitpost: the client did not retry after a 503" in str(err.value)
    with pytest.raises(ConformanceError) as err:
        client.check_client_gives_up(h)
    assert "raised" in str(err.value) and "CarrierAPIError" in str(err.value)


# -- broken adapters ----------------------------------------------------------------------------------

BROKEN_VOCAB = """
[meta]
carrier = "broken"

[meta.sources]
T = "tracklingo kit test data (not a real carrier)"

[[rule]]
code = "DL"
stage = "delivered"
source = "T"

[[rule]]
phrase = "Arrived at hub"
stage = "in_transitt"
source = "T"
"""


class _Toy(Carrier):
    """A minimal in-process carrier; the tests swap parts out to break it."""

    name: ClassVar[str] = "broken"
    display_name: ClassVar[str] = "Broken Parcels"
    contacts: ClassVar[tuple[Contact, ...]] = (Contact("help", url="https://broken.example"),)

    def sniff(self, payload: Any) -> bool:
        return isinstance(payload, dict) and "shipment" in payload

    def read(self, payload: Any) -> Reading:
        try:
            ship = payload["shipment"]
            scans = [
                Scan(text=e["text"], time=e["time"], place=Place(city=e["city"])) for e in ship["events"]
            ]
            return Reading([Shipment(ship["number"], scans)])
        except (TypeError, AttributeError) as exc:  # forgot KeyError: the bug under test
            raise ParseError(self.name, str(exc)) from None

    def detect(self, tracking_number: str) -> float:
        return 0.0


TOY_SAMPLE = Sample(
    "one.json",
    Path("one.json"),
    {
        "shipment": {
            "number": "BR1",
            "events": [{"time": "2026-01-02T03:04:05+00:00", "text": "Delivered", "city": "X"}],
        }
    },
)


def test_rule_with_a_stage_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.toml"
    path.write_text(BROKEN_VOCAB)

    class Broken(_Toy):
        vocabulary_path = path

    with pytest.raises(ConformanceError) as err:
        checks.check_vocabulary_loads(Broken())
    message = str(err.value)
    assert message.startswith("broken: the vocabulary does not load")
    assert "rule #2: stage 'in_transitt' does not exist; use one of label_created" in message
    assert f"How to fix: edit {path}" in message
    with pytest.raises(ConformanceError, match=r"in_transitt"):
        checks.check_rule_targets(Broken())


def test_parser_raising_keyerror_on_a_missing_field() -> None:
    class Broken(_Toy):
        vocabulary_path = None

    carrier = Broken()
    checks.run_parse(carrier, TOY_SAMPLE)  # the happy path works...
    with pytest.raises(ConformanceError) as err:  # ...but a missing field crashes it
        fuzz.check_fuzz_mutated(carrier, [TOY_SAMPLE], examples=300, seed=7)
    message = str(err.value)
    assert message.startswith("broken: read() raised KeyError on fixture one.json with ")
    assert "deleted" in message
    assert "KeyError: " in message and "(at test_kit.py:" in message
    assert "How to fix: a parser raises nothing but tracklingo.ParseError" in message
    assert "raise ParseError(carrier.name" in message
    with pytest.raises(ConformanceError, match=r"read\(\) raised KeyError on arbitrary JSON"):
        fuzz.check_fuzz_arbitrary(carrier, [TOY_SAMPLE], examples=50, seed=7)
    with pytest.raises(ConformanceError, match=r"raised KeyError on fixture missing.json"):
        checks.run_parse(carrier, Sample("missing.json", Path("missing.json"), {"shipment": {}}))
    # the host never sees the KeyError: the core turned it into a ParseError that names it
    with pytest.raises(ParseError, match=r"broken: the adapter's read\(\) failed: KeyError: 'events'"):
        carrier.parse({"shipment": {}})


def test_toy_acme_parser_bug_is_found_by_the_kit(install_plugin: InstallPlugin) -> None:
    """The core's shared toy ACME parser catches only KeyError/TypeError: the kit finds the rest."""
    install_plugin("acme", ACME_PLUGIN)
    from tracklingo import load_carriers

    acme = load_carriers(only={"acme"}, strict=True).get("acme")
    sample = Sample(
        "acme.json",
        Path("acme.json"),
        {
            "acmeShipment": {
                "number": "ACME1",
                "events": [{"at": "2026-01-01T00:00:00Z", "text": "In transit"}],
            }
        },
    )
    checks.check_vocabulary_loads(acme)
    checks.check_sniff_own(acme, [sample])
    with pytest.raises(ConformanceError, match=r"acme: read\(\) raised"):
        fuzz.check_fuzz_mutated(acme, [sample], examples=200, seed=3)


def test_a_stateful_read_is_caught_by_the_memo_check() -> None:
    """The memo is the core's (no adapter keys it), so the check can only fail when read() is
    not pure: here it is (its answer depends on how often it ran), and the check says so."""
    calls = {"n": 0}

    class Counting(_Toy):
        vocabulary_path = None

        def read(self, payload: Any) -> Reading:
            calls["n"] += 1
            reading = super().read(payload)
            scans = reading.shipments[0].scans
            reading.shipments[0].scans = [Scan(*s)._replace(text=f"scan {calls['n']}") for s in scans]
            return reading

    with pytest.raises(ConformanceError) as err:
        fuzz.check_memo_changes_nothing(Counting(), [TOY_SAMPLE], examples=5, seed=2)
    assert "parse() answers differently with the core's memo" in str(err.value)


def test_newest_first_without_saying_so_is_caught() -> None:
    class Backwards(_Toy):
        vocabulary_path = None

    sample = Sample("two.json", Path("two.json"), {"shipment": {"number": "BR1", "events": [
        {"time": "2026-01-03T03:04:05+00:00", "text": "Delivered", "city": "X"},
        {"time": "2026-01-02T03:04:05+00:00", "text": "In transit", "city": "X"},
    ]}})
    with pytest.raises(ConformanceError) as err:
        checks.check_oldest_first(Backwards(), [sample])
    message = str(err.value)
    assert "do not come out oldest first" in message and "Shipment(newest_first=True)" in message

    class Declared(_Toy):
        vocabulary_path = None

        def read(self, payload: Any) -> Reading:
            reading = super().read(payload)
            reading.shipments[0].newest_first = True
            return reading

    checks.check_oldest_first(Declared(), [sample])


def test_a_backtracking_pattern_is_caught() -> None:
    vocab = Vocabulary(
        "broken",
        [Rule(stage=Stage.DELAYED, source="T", vocabulary="broken", pattern=r"^Delay,?\s+.*\bWeather\b.*$")],
        sources={"T": "test data"},
    )

    class Slow(_Toy):
        @property
        def vocabulary(self) -> Vocabulary:
            return vocab

    with pytest.raises(ConformanceError) as err:
        checks.check_patterns(Slow())
    message = str(err.value)
    assert "catastrophic backtracking" in message and "for twice the input" in message


def test_importing_the_core_s_internals_is_caught(install_plugin: InstallPlugin) -> None:
    source = KITPOST_PLUGIN.replace(
        "from pathlib import Path\n",
        "from pathlib import Path\nfrom tracklingo.vocabulary import Vocabulary\n",
    )
    site = install_plugin("kitpost", source)
    kitpost_vocabulary(site)
    from tracklingo import load_carriers

    carrier = load_carriers(only={"kitpost"}, strict=True).get("kitpost")
    with pytest.raises(ConformanceError) as err:
        checks.check_adapter_imports(carrier)
    assert "tracklingo_test_kitpost.py:4 imports tracklingo.vocabulary" in str(err.value)
    checks.check_adapter_imports(carrier, exempt=["tracklingo_test_kitpost.py"])


def test_impure_parser_is_caught() -> None:
    state = {"calls": 0}

    class Mutating(_Toy):
        vocabulary_path = None

        def read(self, payload: Any) -> Reading:
            result = super().read(payload)
            payload["shipment"]["seen"] = True
            return result

    class Stateful(_Toy):
        vocabulary_path = None

        def read(self, payload: Any) -> Reading:
            state["calls"] += 1
            result = super().read(payload)
            if state["calls"] > 1:
                scans = result.shipments[0].scans
                result.shipments[0].scans = [*scans, Scan(*scans[0])._replace(text="again")]
            return result

    class Writing(_Toy):
        vocabulary_path = None

        def read(self, payload: Any) -> Reading:
            with open(os.devnull, "w") as f:
                f.write("log")
            return super().read(payload)

    sample = Sample(TOY_SAMPLE.name, TOY_SAMPLE.path, json.loads(json.dumps(TOY_SAMPLE.payload)))
    with pytest.raises(ConformanceError, match=r"parse\(\) changed its input payload"):
        checks.check_parse_pure(Mutating(), [sample])
    with pytest.raises(ConformanceError, match=r"gave a different result: golden has 1 events"):
        checks.check_parse_pure(Stateful(), [TOY_SAMPLE])
    with pytest.raises(ConformanceError, match=r"for writing"):
        checks.check_parse_pure(Writing(), [TOY_SAMPLE])


def test_naive_unflagged_time_is_caught() -> None:
    """The core flags every naive time itself; the check still reads what parse() gives (here a
    stand-in that is not a Carrier, so its parse() can be wrong)."""
    from datetime import datetime
    from types import SimpleNamespace

    from tracklingo import ParseResult, TrackingEvent

    event = TrackingEvent.model_validate(
        {
            "carrier": "broken",
            "tracking_number": "BR1",
            "occurred_at": datetime(2026, 1, 2, 3, 4),
            "stage": Stage.DELIVERED,
            "match": "phrase",
            "description": "Delivered",
        }
    )
    undated = event.model_copy(update={"occurred_at": None})
    naive: Any = SimpleNamespace(name="broken", parse=lambda payload: ParseResult([event, undated]))
    with pytest.raises(ConformanceError) as err:
        checks.check_timestamps(naive, [TOY_SAMPLE])
    message = str(err.value)
    assert "occurred_at 2026-01-02T03:04:00 has no offset but is not flagged" in message
    assert 'event #2 "Delivered": occurred_at is None and time_note does not say why' in message
    assert "Scan.time" in message


def test_sources_and_shadowed_rules() -> None:
    vocab = Vocabulary(
        "broken",
        [
            Rule(stage=Stage.DELIVERED, source="T", vocabulary="broken", code=("DL",)),
            Rule(stage=Stage.IN_TRANSIT, source="TODO: find it", vocabulary="broken", phrase=("x",)),
            Rule(stage=Stage.EXCEPTION, source="NOPE", vocabulary="broken", phrase=("y",)),
            Rule(stage=Stage.EXCEPTION, source="T", vocabulary="broken", code=("DL",), fallback=True),
        ],
        sources={"T": "test data"},
    )

    class Sourced(_Toy):
        @property
        def vocabulary(self) -> Vocabulary:
            return vocab

    with pytest.raises(ConformanceError) as err:
        checks.check_rule_sources(Sourced())
    assert "placeholder source 'TODO: find it'" in str(err.value)
    assert "source key 'NOPE' is not in [meta.sources]" in str(err.value)
    with pytest.raises(ConformanceError) as err:
        checks.check_rule_targets(Sourced())
    assert "is answered by another rule first (code DL → delivered), so this rule is never used" in str(
        err.value
    )


def test_sniff_and_detection_failures() -> None:
    class Greedy(_Toy):
        name: ClassVar[str] = "greedy"
        vocabulary_path = None

        def sniff(self, payload: Any) -> bool:
            return isinstance(payload, dict)

        def detect(self, tracking_number: str) -> float:
            return 0.8 if tracking_number.startswith("BR") else 0.0

    class Shy(_Toy):
        vocabulary_path = None

        def sniff(self, payload: Any) -> bool:
            raise KeyError("shipment")

    with pytest.raises(ConformanceError) as err:
        checks.check_sniff_foreign(Greedy(), {"other": [TOY_SAMPLE]})
    message = str(err.value)
    assert "an empty object {}: claimed" in message and "other's fixture one.json: claimed" in message
    assert "How to fix: sniff() must return False" in message
    with pytest.raises(ConformanceError, match=r"greedy claims one.json"):
        checks.check_other_carriers_do_not_claim(_Toy(), [TOY_SAMPLE], [Greedy(), _Toy()])
    with pytest.raises(ConformanceError, match=r"BR1234567890: confidence 0.80"):
        checks.check_corrupted_rejected(Greedy(), ["BR1234567890"])
    with pytest.raises(ConformanceError, match=r"XX1: confidence 0.00 < 0.50"):
        checks.check_detection_examples(Greedy(), ["XX1"])
    with pytest.raises(ConformanceError) as err:
        checks.check_sniff_own(Shy(), [TOY_SAMPLE])
    assert "one.json: sniff() raised KeyError" in str(err.value)
    assert "does not recognise the carrier's own API responses" in str(err.value)
    checks.check_sniff_own(Shy(), [TOY_SAMPLE], exempt=["one.json"])


def test_identity_problems() -> None:
    class Anonymous(_Toy):
        name: ClassVar[str] = "Bad Name"
        display_name: ClassVar[str] = ""
        contacts: ClassVar[tuple[Contact, ...]] = ()
        tracking_url: ClassVar[str | None] = "https://x.example/track"

    with pytest.raises(ConformanceError) as err:
        checks.check_identity(Anonymous())
    message = str(err.value)
    for part in ("not a lower-case identifier", "display_name is not set", "no contacts", "no {number}"):
        assert part in message


def test_invalid_fixture_json(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{oops")
    with pytest.raises(ConformanceError, match=r"bad.json"):
        checks.load_samples(tmp_path)


# -- the factory ---------------------------------------------------------------------------------------


def test_factory_builds_a_collectable_subclass_of_the_topics_that_apply() -> None:
    cls = conformance_suite("royal_mail", detection_examples=("X1",), has_client=False)
    assert cls.__name__ == "TestRoyalMailConformance"
    assert issubclass(cls, KitBase) and issubclass(cls, ParserChecks)
    assert not issubclass(cls, ClientChecks) and not hasattr(cls, "test_client_survives")
    flat_only = conformance_suite("flatpost", has_parser=False, has_client=False)
    assert not hasattr(flat_only, "test_fixtures_parse_to_golden_events")
    assert not hasattr(flat_only, "test_detects_documented_examples")
    assert hasattr(flat_only, "test_rules_have_sources")
    assert hasattr(flat_only, "test_imports_only_the_adapter_api")
    assert issubclass(CarrierConformance, ClientChecks)  # the base class has every topic
    assert cls.carrier_name == "royal_mail" and cls.detection_examples == ("X1",)
    assert cls.__module__ == __name__
    with pytest.raises(TypeError, match=r"unknown flags \['detection_example'\]"):
        conformance_suite("x", detection_example=("X1",))


# -- end to end: a broken adapter's test run, as its author sees it ----------------------------------

BROKEN_PLUGIN = """
from pathlib import Path
from tracklingo.adapter import Carrier, Contact, ParseError, Reading, Scan, Shipment, hookimpl

class Broken(Carrier):
    name = "brokenpost"
    display_name = "Broken Post"
    contacts = (Contact("help", url="https://broken.example"),)
    vocabulary_path = Path(__file__).parent / "brokenpost_vocabulary.toml"

    def sniff(self, payload):
        return isinstance(payload, dict) and "shipment" in payload

    def read(self, payload):
        if not isinstance(payload, dict):
            raise ParseError(self.name, "not a response")
        ship = payload["shipment"]
        return Reading([Shipment(ship["number"], [Scan(text=e["text"], time=e["time"])
                                                  for e in ship["events"]])])

    def detect(self, number):
        return 0.0

@hookimpl
def tracklingo_register_carriers(register):
    register(Broken())
"""

BROKEN_TEST_MODULE = """
from pathlib import Path
from tracklingo.testing import conformance_suite

TestBroken = conformance_suite(
    "brokenpost", fixtures_dir=Path(__file__).parent / "fixtures", fuzz_examples=30
)
"""


def test_broken_adapter_run_says_what_to_fix(install_plugin: InstallPlugin, tmp_path: Path) -> None:
    site = install_plugin("brokenpost", BROKEN_PLUGIN)
    (site / "brokenpost_vocabulary.toml").write_text(BROKEN_VOCAB.replace('"broken"', '"brokenpost"'))
    project = tmp_path / "project"
    (project / "fixtures").mkdir(parents=True)
    (project / "fixtures" / "one.json").write_text(json.dumps(TOY_SAMPLE.payload))
    (project / "test_brokenpost.py").write_text(textwrap.dedent(BROKEN_TEST_MODULE))
    (project / "pytest.ini").write_text("[pytest]\n")
    env = {**os.environ, "PYTHONPATH": str(site), "TRACKLINGO_REGEN_GOLDEN": ""}
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    out = r.stdout
    assert r.returncode == 1, out[-3000:]
    assert "brokenpost: the vocabulary does not load" in out
    assert "stage 'in_transitt' does not exist; use one of" in out
    assert "How to fix: edit " in out
    assert "brokenpost: read() raised KeyError on arbitrary JSON" in out
    assert "How to fix: a parser raises nothing but tracklingo.ParseError" in out
    # the failure is the message, not a traceback through the kit's internals
    assert "testing/checks.py" not in out and "testing/suite.py" not in out
    assert "failed" in out.splitlines()[-1]


@pytest.fixture(autouse=True)
def _no_regen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The kit's tests decide themselves when golden files are written."""
    monkeypatch.delenv("TRACKLINGO_REGEN_GOLDEN", raising=False)
    yield
