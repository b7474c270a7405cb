"""The conformance kit as pytest classes: one mixin per topic, composed by what the adapter has.

    from pathlib import Path
    from tracklingo.testing import CarrierConformance

    class TestCanadaPostConformance(CarrierConformance):
        carrier_name = "canadapost"
        fixtures_dir = Path(__file__).parent / "fixtures"
        detection_examples = ("CAN1234567895",)

or ``TestCanadaPost = conformance_suite("canadapost", detection_examples=(...))``.

The topics (each a mixin of ``test_*`` methods over the shared fixtures of `KitBase`), the way
SQLAlchemy's and fsspec's suites are composed: `IdentityChecks`, `VocabularyChecks`,
`ParserChecks` (golden files, purity, order, times, fuzzing, the core's memo), `SniffChecks`,
`DetectionChecks`, `ClientChecks`, `ImportChecks`. `CarrierConformance` has them all and skips,
with the reason shown, what the adapter's flags say does not apply; `conformance_suite` composes
only the topics that apply (`Requirements`), so no check stands in the report that could not fail.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
import respx

from tracklingo.carrier import Carrier
from tracklingo.model import TrackingEvent
from tracklingo.plugins import Registry, load_carriers
from tracklingo.testing import checks, client, fuzz
from tracklingo.testing.checks import Sample

T = TypeVar("T")

__all__ = [
    "FLAGS",
    "HOOKS",
    "CarrierConformance",
    "ClientChecks",
    "DetectionChecks",
    "GoldenFilesWritten",
    "IdentityChecks",
    "ImportChecks",
    "KitBase",
    "ParserChecks",
    "Requirements",
    "SniffChecks",
    "VocabularyChecks",
    "conformance_suite",
]


def _events_of(carrier: Carrier, sample: Sample) -> list[TrackingEvent]:
    try:
        outcome = checks.run_parse(carrier, sample)
    except checks.ConformanceError:
        return []  # the parse checks report it
    return outcome.result.events if outcome.result is not None else []


def _check(check: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one check; a failure shows as its message alone (what is wrong, how to fix)."""
    try:
        return check(*args, **kwargs)
    except checks.ConformanceError as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)


class GoldenFilesWritten(UserWarning):
    """Golden files were (re)written because regeneration was asked for: review and commit."""


class KitBase:
    """The settings (class attributes) and fixtures every topic shares.

    Class attributes:
        carrier_name: the carrier's registered name (it is loaded through its entry point).
        fixtures_dir: the sample API responses (``*.json``); default: the ``tests/fixtures``
            directory above the carrier's module (an editable install).
        golden_dir: the expected canonical events, one file per fixture; default:
            ``fixtures_dir/../golden``.
        fixture_glob: which files in `fixtures_dir` are fixtures.
        has_parser: False for a carrier without an API response parser (flat events only).
        has_client: whether to check the API client; None (default) = when the carrier
            overrides `Carrier.client`.
        detection_examples: documented tracking numbers `detect` must accept.
        corrupted_examples: numbers with a wrong check digit `detect` must reject; None
            (default) = each detection example with its last digit changed.
        min_confidence: the confidence a documented example must reach.
        sniff_exempt: fixture names `sniff` need not recognise.
        fuzz_examples: hypothesis examples per fuzz check.
        import_exempt: file names in the adapter's package the import check skips.
        client_env: non-secret environment variables the client needs (with fake values).
        client_secrets: environment variables holding secrets (with fake values); missing
            ``TRACKLINGO_*`` credentials are found and faked automatically.
        track_number: the number the client checks track (default: the first detection example
            or the first fixture's number).

    Hooks (override as methods): `load_registry`, `client_factory`, `track_call`, `mock_auth`,
    `track_response_body`.
    """

    carrier_name: ClassVar[str] = ""
    fixtures_dir: ClassVar[str | Path | None] = None
    golden_dir: ClassVar[str | Path | None] = None
    fixture_glob: ClassVar[str] = "*.json"
    has_parser: ClassVar[bool] = True
    has_client: ClassVar[bool | None] = None
    detection_examples: ClassVar[Sequence[str]] = ()
    corrupted_examples: ClassVar[Sequence[str] | None] = None
    min_confidence: ClassVar[float] = 0.5
    sniff_exempt: ClassVar[Sequence[str]] = ()
    fuzz_examples: ClassVar[int] = 100
    import_exempt: ClassVar[Sequence[str]] = ()
    client_env: ClassVar[Mapping[str, str]] = {}
    client_secrets: ClassVar[Mapping[str, str]] = {}
    track_number: ClassVar[str | None] = None

    # -- hooks -------------------------------------------------------------------------------------

    def load_registry(self) -> Registry:
        """The installed carriers (through entry points; broken plugins are reported, not fatal)."""
        return load_carriers(strict=False, check_vocabularies=False)

    def client_factory(self, carrier: Carrier, **options: Any) -> Any:
        """Build the API client; the kit passes ``sleep=`` so that retries do not wait."""
        return carrier.client(**options)

    def track_call(self, api_client: Any, number: str) -> Any:
        """Track one number with the client (default: ``client.track([number])``)."""
        return client.default_track(api_client, number)

    def mock_auth(self, router: respx.MockRouter, api_client: Any, token: str) -> None:
        """Route the client's auth requests (default: the tracklingo.http OAuth2 token request)."""
        client.default_mock_auth(router, api_client, token)

    def track_response_body(self, samples: Sequence[Sample]) -> Any:
        """What the mocked API answers on success (default: the first fixture)."""
        return samples[0].payload if samples else {}

    # -- fixtures ------------------------------------------------------------------------------------

    @pytest.fixture
    def kit_registry(self) -> Registry:
        return self.load_registry()

    @pytest.fixture
    def kit_carrier(self, kit_registry: Registry) -> Carrier:
        name = self.carrier_name
        if not name:
            pytest.fail(f"{type(self).__name__}: set carrier_name = '<your carrier>' on the class")
        if name in kit_registry:
            return kit_registry.get(name)
        problems = [p.error for p in kit_registry.problems if p.plugin == name] or [
            f"no installed plugin registers {name!r} (installed: "
            f"{', '.join(sorted(kit_registry.carriers)) or 'none'})"
        ]
        pytest.fail(
            f"{name}: the carrier is not available\n"
            + "\n".join(f"  - {p}" for p in problems)
            + "\nHow to fix: install the adapter (pip install -e .) and declare the entry point"
            f' [project.entry-points.tracklingo] {name} = "<module>" whose'
            " tracklingo_register_carriers hook registers it; fix the error shown above"
        )

    @pytest.fixture
    def kit_fixtures_dir(self, kit_carrier: Carrier) -> Path | None:
        if self.fixtures_dir is not None:
            return Path(self.fixtures_dir)
        return checks.default_fixtures_dir(kit_carrier)

    @pytest.fixture
    def kit_samples(self, kit_fixtures_dir: Path | None) -> list[Sample]:
        if not self.has_parser or kit_fixtures_dir is None or not kit_fixtures_dir.is_dir():
            return []
        return checks.load_samples(kit_fixtures_dir, self.fixture_glob)

    @pytest.fixture
    def kit_golden_dir(self, kit_fixtures_dir: Path | None) -> Path | None:
        if self.golden_dir is not None:
            return Path(self.golden_dir)
        return kit_fixtures_dir.parent / "golden" if kit_fixtures_dir is not None else None

    @pytest.fixture
    def kit_regen_golden(self, request: pytest.FixtureRequest) -> bool:
        return checks.regen_requested() or bool(
            request.config.getoption("tracklingo_regen_golden", default=False)
        )

    @pytest.fixture
    def kit_foreign_samples(self, kit_registry: Registry, kit_carrier: Carrier) -> dict[str, list[Sample]]:
        """Other installed carriers' fixtures (where their source tree is at hand)."""
        out: dict[str, list[Sample]] = {}
        for other in kit_registry:
            if other.name == kit_carrier.name:
                continue
            directory = checks.default_fixtures_dir(other)
            if directory is not None:
                try:
                    out[other.name] = checks.load_samples(directory)
                except checks.ConformanceError:
                    continue  # the other carrier's own suite reports that
        return out

    def _need_samples(self, samples: Sequence[Sample]) -> None:
        if not self.has_parser:
            pytest.skip("has_parser is False: the carrier has no API response parser")
        if not samples:
            pytest.skip("no fixtures (test_fixtures_present says what to add)")


class IdentityChecks(KitBase):
    """Name, display name, contacts and tracking link."""

    def test_identity(self, kit_carrier: Carrier) -> None:
        """Name, display name, contacts and tracking link are set."""
        _check(checks.check_identity, kit_carrier, self.carrier_name)


class VocabularyChecks(KitBase):
    """The vocabulary loads; its rules answer for themselves, with sources; its patterns are safe."""

    def test_vocabulary_loads(self, kit_carrier: Carrier) -> None:
        """The vocabulary file loads and has rules."""
        _check(checks.check_vocabulary_loads, kit_carrier)

    def test_rules_resolve_to_valid_stages_and_reasons(self, kit_carrier: Carrier) -> None:
        """Every rule maps to a taxonomy stage (and reason), and is not shadowed."""
        _check(checks.check_rule_targets, kit_carrier)

    def test_rules_have_sources(self, kit_carrier: Carrier) -> None:
        """Every rule says where its fact comes from."""
        _check(checks.check_rule_sources, kit_carrier)

    def test_patterns_do_not_backtrack(self, kit_carrier: Carrier) -> None:
        """Every pattern's work stays linear in its input (counted in steps, not timed)."""
        _check(checks.check_patterns, kit_carrier)


class ParserChecks(KitBase):
    """`parse` on the adapter's fixtures and on arbitrary and mutated payloads."""

    def test_fixtures_present(
        self, kit_carrier: Carrier, kit_fixtures_dir: Path | None, kit_samples: list[Sample]
    ) -> None:
        """The adapter ships sample API responses to test against."""
        if not self.has_parser:
            pytest.skip("has_parser is False: the carrier has no API response parser")
        if not kit_samples:
            where = kit_fixtures_dir or "tests/fixtures (not found)"
            pytest.fail(
                f"{kit_carrier.name}: no sample API responses in {where}\n"
                "How to fix: save real (anonymised) API responses as tests/fixtures/*.json and set"
                " fixtures_dir = Path(__file__).parent / 'fixtures' on the test class (or"
                " has_parser = False if the carrier has no API parser)"
            )

    def test_fixtures_parse_to_golden_events(
        self,
        kit_carrier: Carrier,
        kit_samples: list[Sample],
        kit_golden_dir: Path | None,
        kit_regen_golden: bool,
    ) -> None:
        """Each fixture parses to the canonical events in its golden file."""
        self._need_samples(kit_samples)
        assert kit_golden_dir is not None
        written = _check(
            checks.check_golden, kit_carrier, kit_samples, kit_golden_dir, regen=kit_regen_golden
        )
        if written:
            warnings.warn(
                GoldenFilesWritten(
                    f"{kit_carrier.name}: wrote {len(written)} golden file(s) in {kit_golden_dir}"
                    f" ({', '.join(p.name for p in written)}): review and commit them"
                ),
                stacklevel=1,
            )

    def test_parse_is_pure_and_idempotent(self, kit_carrier: Carrier, kit_samples: list[Sample]) -> None:
        """Same input twice gives equal output; the input is not modified; no I/O."""
        self._need_samples(kit_samples)
        _check(checks.check_parse_pure, kit_carrier, kit_samples)

    def test_events_come_out_oldest_first(self, kit_carrier: Carrier, kit_samples: list[Sample]) -> None:
        """Every shipment's events are in time order, oldest first (the contract)."""
        self._need_samples(kit_samples)
        _check(checks.check_oldest_first, kit_carrier, kit_samples)

    def test_timestamps_are_aware_or_flagged(self, kit_carrier: Carrier, kit_samples: list[Sample]) -> None:
        """Times are aware, or flagged local with a note, or None with a note."""
        self._need_samples(kit_samples)
        _check(checks.check_timestamps, kit_carrier, kit_samples)

    def test_arbitrary_json_raises_only_parse_error(
        self, kit_carrier: Carrier, kit_samples: list[Sample]
    ) -> None:
        """Hypothesis: any JSON value makes read() return or raise ParseError, nothing else."""
        if not self.has_parser:
            pytest.skip("has_parser is False: the carrier has no API response parser")
        _check(fuzz.check_fuzz_arbitrary, kit_carrier, kit_samples, self.fuzz_examples)

    def test_mutated_fixtures_raise_only_parse_error(
        self, kit_carrier: Carrier, kit_samples: list[Sample]
    ) -> None:
        """Hypothesis: a fixture with a field deleted, nulled or replaced never crashes read()."""
        self._need_samples(kit_samples)
        _check(fuzz.check_fuzz_mutated, kit_carrier, kit_samples, self.fuzz_examples)

    def test_memo_changes_nothing(self, kit_carrier: Carrier, kit_samples: list[Sample]) -> None:
        """Hypothesis: fixtures (and mutated ones) parse the same with the core's memo as without."""
        self._need_samples(kit_samples)
        _check(fuzz.check_memo_changes_nothing, kit_carrier, kit_samples, self.fuzz_examples)


class SniffChecks(KitBase):
    """`sniff` claims the carrier's responses and nothing else."""

    def test_sniff_claims_own_fixtures(self, kit_carrier: Carrier, kit_samples: list[Sample]) -> None:
        """sniff() recognises the carrier's own API responses."""
        self._need_samples(kit_samples)
        _check(checks.check_sniff_own, kit_carrier, kit_samples, self.sniff_exempt)

    def test_sniff_rejects_other_payloads(
        self, kit_carrier: Carrier, kit_foreign_samples: dict[str, list[Sample]]
    ) -> None:
        """sniff() claims no other installed carrier's fixtures and no generic payload."""
        _check(checks.check_sniff_foreign, kit_carrier, kit_foreign_samples)

    def test_other_carriers_do_not_claim_fixtures(
        self, kit_carrier: Carrier, kit_registry: Registry, kit_samples: list[Sample]
    ) -> None:
        """No other installed carrier's sniff() claims this carrier's fixtures."""
        self._need_samples(kit_samples)
        _check(checks.check_other_carriers_do_not_claim, kit_carrier, kit_samples, list(kit_registry))


class DetectionChecks(KitBase):
    """`detect` accepts the documented numbers and rejects corrupted check digits."""

    def test_detects_documented_examples(self, kit_carrier: Carrier) -> None:
        """detect() accepts the documented example numbers."""
        if not self.detection_examples:
            pytest.skip("no detection_examples: list the carrier's documented tracking numbers")
        _check(checks.check_detection_examples, kit_carrier, self.detection_examples, self.min_confidence)

    def test_rejects_corrupted_check_digits(self, kit_carrier: Carrier) -> None:
        """detect() rejects numbers whose check digit is wrong."""
        corrupted = self.corrupted_examples
        if corrupted is None:
            corrupted = [checks.corrupt_check_digit(n) for n in self.detection_examples]
        if not corrupted:
            pytest.skip("no corrupted_examples (and no detection_examples to derive them from)")
        _check(checks.check_corrupted_rejected, kit_carrier, corrupted)


class ImportChecks(KitBase):
    """The adapter uses the core only through `tracklingo.adapter`."""

    def test_imports_only_the_adapter_api(self, kit_carrier: Carrier) -> None:
        """The adapter's package imports nothing from the core but tracklingo.adapter."""
        _check(checks.check_adapter_imports, kit_carrier, self.import_exempt)


class ClientChecks(KitBase):
    """The API client survives transient failures, gives up cleanly and never leaks secrets."""

    @pytest.fixture
    def kit_client(self, kit_carrier: Carrier, kit_samples: list[Sample]) -> client.ClientHarness:
        wanted = self.has_client
        if wanted is None:
            wanted = type(kit_carrier).client is not Carrier.client
        if not wanted:
            pytest.skip("has_client is False: the carrier has no API client")
        with_events = [(s, events) for s in kit_samples if (events := _events_of(kit_carrier, s))]
        number = self.track_number or (self.detection_examples[0] if self.detection_examples else None)
        if number is None and with_events:
            number = with_events[0][1][0].tracking_number
        return client.ClientHarness(
            carrier=kit_carrier,
            factory=self.client_factory,
            track=self.track_call,
            number=number or "KIT0000000000",
            success_body=self.track_response_body([s for s, _ in with_events] or kit_samples),
            env=dict(self.client_env),
            secrets=dict(self.client_secrets),
            mock_auth=self.mock_auth,
        )

    @pytest.mark.parametrize("failure", ["429", "503", "timeout"])
    def test_client_survives(self, kit_client: client.ClientHarness, failure: str) -> None:
        """One 429 / 503 / timeout, then success: the call succeeds after a retry."""
        _check(client.check_client_survives, kit_client, failure)

    def test_client_gives_up_cleanly(self, kit_client: client.ClientHarness) -> None:
        """Persistent failures end in a TracklingoError naming the carrier and the number."""
        _check(client.check_client_gives_up, kit_client)

    def test_client_never_leaks_credentials(self, kit_client: client.ClientHarness) -> None:
        """No secret in logs, error text or reprs, even when the API echoes it."""
        _check(client.check_client_never_leaks, kit_client)


class CarrierConformance(
    IdentityChecks,
    VocabularyChecks,
    ParserChecks,
    SniffChecks,
    DetectionChecks,
    ImportChecks,
    ClientChecks,
):
    """The whole conformance kit as a pytest base class. Subclass it (name the subclass
    ``Test...``) and set the class attributes of `KitBase`; every ``test_*`` method is one check.
    Topics the flags rule out are skipped with the reason; `conformance_suite` leaves them out."""


#: The class attributes `conformance_suite` accepts (capability flags and settings).
FLAGS = frozenset(
    {
        "fixtures_dir",
        "golden_dir",
        "fixture_glob",
        "has_parser",
        "has_client",
        "detection_examples",
        "corrupted_examples",
        "min_confidence",
        "sniff_exempt",
        "fuzz_examples",
        "import_exempt",
        "client_env",
        "client_secrets",
        "track_number",
    }
)
#: The hooks `conformance_suite` accepts as plain functions (they become methods).
HOOKS = frozenset({"load_registry", "client_factory", "track_call", "mock_auth", "track_response_body"})


@dataclass(frozen=True, slots=True)
class Requirements:
    """What an adapter has, and so which topics of the kit apply to it."""

    parser: bool = True
    client: bool | None = None
    detection: bool = True

    def topics(self) -> tuple[type[KitBase], ...]:
        """The mixins to compose, in report order."""
        out: list[type[KitBase]] = [IdentityChecks, VocabularyChecks]
        if self.parser:
            out += [ParserChecks, SniffChecks]
        if self.detection:
            out.append(DetectionChecks)
        out.append(ImportChecks)
        if self.client is not False:
            out.append(ClientChecks)  # None: decided by the carrier (skipped, with the reason)
        return tuple(out)


def conformance_suite(carrier_name: str, **flags: Any) -> type[KitBase]:
    """A test class for `carrier_name` with exactly the topics that apply, in one line:

        TestUSPS = conformance_suite("usps", detection_examples=("9400111899223197428490",))

    Keyword arguments set the class attributes (flags, see `KitBase`) and hooks; unknown ones are
    an error. ``has_parser=False`` leaves out the parser and sniff checks, ``has_client=False``
    the client checks, no `detection_examples` (and no `corrupted_examples`) the detection ones.
    Bind the result to a name starting with ``Test`` so pytest collects it.
    """
    unknown = sorted(set(flags) - FLAGS - HOOKS)
    if unknown:
        raise TypeError(f"conformance_suite() got unknown flags {unknown}; known: {sorted(FLAGS | HOOKS)}")
    needs = Requirements(
        parser=flags.get("has_parser", True),
        client=flags.get("has_client"),
        detection=bool(flags.get("detection_examples") or flags.get("corrupted_examples")),
    )
    caller = sys._getframe(1).f_globals.get("__name__", __name__)
    title = "".join(part.capitalize() for part in carrier_name.replace("-", "_").split("_"))
    namespace: dict[str, Any] = {"carrier_name": carrier_name, "__module__": caller, **flags}
    return type(f"Test{title}Conformance", needs.topics(), namespace)
