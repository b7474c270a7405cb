"""The shared "world" vocabulary: real texts of carriers tracklingo has no plugin for.

Checks that the vocabulary and each of its parts load, that a sample of sourced texts from each
part resolves to its stage (and reason), that no folded phrase is claimed by two stages (or
repeats the shared UPU vocabulary), and that its patterns are anchored and cannot backtrack
catastrophically (checked on the regex's structure and on long inputs, never by timing).
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from re import _parser as sre_parse  # type: ignore[attr-defined]  # the parser behind `re`
from typing import Any

import pytest

from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Vocabulary, normalize_phrase, shared_vocabulary

VOCAB_DIR = Path(str(resources.files("tracklingo").joinpath("data", "vocab")))
WORLD_TOML = VOCAB_DIR / "world.toml"


def _parts() -> list[str]:
    meta = tomllib.loads(WORLD_TOML.read_text(encoding="utf-8"))["meta"]
    return list(meta["parts"])


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


# --- loading ---------------------------------------------------------------------------------


def test_world_loads_as_a_shared_vocabulary(world: Vocabulary) -> None:
    assert world.carrier == "world"
    assert len(world.rules) >= 150
    assert sum(len(r.phrase) for r in world.rules) >= 600


def test_every_part_file_is_listed_and_every_listed_part_exists() -> None:
    listed = {VOCAB_DIR / name for name in _parts()}
    on_disk = set((VOCAB_DIR / "world").glob("*.toml"))
    assert listed == on_disk


@pytest.mark.parametrize("part", _parts())
def test_each_part_loads_on_its_own_with_its_sources(part: str) -> None:
    vocab = Vocabulary.from_toml(VOCAB_DIR / part)
    assert vocab.carrier == "world"
    assert vocab.rules, f"{part} has no rules"
    for rule in vocab.rules:
        expanded = vocab.source_text(rule)
        # every source expands to a real reference: a repository, a URL or a named public page
        assert "repo " in expanded or "http" in expanded or "public code" in expanded, (part, rule)


def test_world_rules_are_texts_not_codes(world: Vocabulary) -> None:
    """A shared vocabulary of many carriers matches texts: a bare code would collide across them."""
    assert all(not rule.code for rule in world.rules)
    assert all(rule.phrase or rule.pattern for rule in world.rules)


# --- sourced samples per part -----------------------------------------------------------------

SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    # UPS
    ("ups", "Shipper created a label, UPS has not received the package yet.", Stage.LABEL_CREATED, None),
    ("ups", "ORIGIN SCAN", Stage.ACCEPTED, None),
    ("ups", "Departed from Facility", Stage.IN_TRANSIT, None),
    ("ups", "Your package was released by the customs agency.", Stage.CUSTOMS_CLEARED, None),
    (
        "ups",
        "THE RECEIVER WAS NOT AVAILABLE AT THE TIME OF THE FIRST DELIVERY ATTEMPT."
        " A SECOND ATTEMPT WILL BE MADE.",
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    ("ups", "Delivered to UPS Access Point™", Stage.AVAILABLE_FOR_PICKUP, None),
    (
        "ups",
        "The receiver does not want the product and refused the delivery.",
        Stage.EXCEPTION,
        Reason.REFUSED,
    ),
    # Royal Mail
    ("royal-mail", "We've got it", Stage.ACCEPTED, None),
    ("royal-mail", "We’re expecting it", Stage.LABEL_CREATED, None),
    ("royal-mail", "Delivery Attempted - No Answer", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("royal-mail", "Forwarded - Mis-sort", Stage.DELAYED, Reason.CARRIER_DELAY),
    ("royal-mail", "Delivered and Signed", Stage.DELIVERED, None),
    # Canada Post
    ("canada-post", "Item successfully delivered to recipient's safe drop location", Stage.DELIVERED, None),
    (
        "canada-post",
        "Item being returned to Sender. Incomplete address.",
        Stage.RETURN_TO_SENDER,
        Reason.ADDRESS_PROBLEM,
    ),
    # Australia Post
    ("australia-post", "Shipping information received by Australia Post", Stage.LABEL_CREATED, None),
    ("australia-post", "Received by Australia Post", Stage.ACCEPTED, None),
    # PostNL (Dutch and English)
    ("postnl", "Zending voorgemeld", Stage.LABEL_CREATED, None),
    ("postnl", "Zending is bezorgd bij de buren", Stage.DELIVERED, None),
    ("postnl", "Shipment delivered to neighbour", Stage.DELIVERED, None),
    ("postnl", "We missed you; we’ll try again", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("postnl", "Wacht op betaling importkosten", Stage.CUSTOMS_HOLD, Reason.CUSTOMS_PAYMENT_DUE),
    ("postnl", "Zending beschadigd", Stage.EXCEPTION, Reason.DAMAGED),
    ("postnl", "Partially-defective shipment delivered", Stage.DELIVERED, Reason.PARTIAL_DELIVERY),
    (
        "postnl",
        "De zending is vernietigd namens de douane in land van bestemming",
        Stage.EXCEPTION,
        Reason.SEIZED,
    ),
    ("postnl", "Pakket ligt voor je klaar op PostNL-punt", Stage.AVAILABLE_FOR_PICKUP, None),
    # La Poste / Colissimo (accents and case folded)
    ("la-poste", "Votre colis est livré.", Stage.DELIVERED, None),
    ("la-poste", "VOTRE COLIS EST LIVRE", Stage.DELIVERED, None),
    ("la-poste", "Votre colis est en transit sur nos plateformes logistiques.", Stage.IN_TRANSIT, None),
    ("la-poste", "En attente d'être retiré au guichet", Stage.AVAILABLE_FOR_PICKUP, None),
    (
        "la-poste",
        "Facture manquante, votre colis est retenu en douane. Etude du dossier par la douane",
        Stage.CUSTOMS_HOLD,
        Reason.CUSTOMS_DOCUMENTS_REQUIRED,
    ),
    ("la-poste", "Distribué à l'expéditeur", Stage.RETURNED, None),
    # Poland: InPost and Poczta Polska
    ("poland", "Umieszczona w automacie Paczkomat (odbiorczym).", Stage.AVAILABLE_FOR_PICKUP, None),
    ("poland", "Przekazano do doręczenia.", Stage.OUT_FOR_DELIVERY, None),
    ("poland", "przekazano do doreczenia", Stage.OUT_FOR_DELIVERY, None),
    ("poland", "Dostarczona.", Stage.DELIVERED, None),
    ("poland", "Przyjęto w Polsce", Stage.ARRIVED_DESTINATION_COUNTRY, None),
]


@pytest.mark.parametrize(("part", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve(
    world: Vocabulary, part: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    res = world.resolve(text)
    assert (res.stage, res.reason) == (stage, reason), text
    assert res.match is MatchKind.PHRASE
    assert res.rule is not None and res.rule.vocabulary == "world"
    # the sample really comes from the part it is filed under
    part_vocab = Vocabulary.from_toml(VOCAB_DIR / "world" / f"{part}.toml")
    assert part_vocab.resolve(text).stage is stage


def _sampled_elsewhere() -> set[str]:
    """Parts sampled by a sibling test_vocab_world_*.py module (its module-level SAMPLES)."""
    import importlib.util

    found: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_vocab_world_*.py")):
        spec = importlib.util.spec_from_file_location(f"_samples_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found |= {part for part, *_ in module.SAMPLES}
    return found


def test_every_part_has_samples() -> None:
    assert {Path(p).stem for p in _parts()} == {part for part, *_ in SAMPLES} | _sampled_elsewhere()


def test_pattern_rule_fills_its_text(world: Vocabulary) -> None:
    res = world.resolve("Awizo - przesyłka do odbioru w placówce Warszawa 1")
    assert res.stage is Stage.AVAILABLE_FOR_PICKUP
    assert res.match is MatchKind.PATTERN


@pytest.mark.parametrize(
    ("text", "direction", "stage"),
    [
        ("Entrée en Douane", "inbound", Stage.IMPORT_CUSTOMS),
        ("Entrée en Douane", "outbound", Stage.EXPORT_CUSTOMS),
        ("Sortie  de Douane", "inbound", Stage.CUSTOMS_CLEARED),
        ("Retenu en Douane", "outbound", Stage.EXPORT_CUSTOMS),
    ],
)
def test_direction_dependent_texts_are_context_rules(
    world: Vocabulary, text: str, direction: str, stage: Stage
) -> None:
    unresolved = world.resolve(text)
    assert unresolved.needs_context == "direction"
    resolved = world.resolve(text, context={"direction": direction})
    assert resolved.stage is stage
    assert resolved.match is MatchKind.CONTEXT


def test_unknown_wording_stays_unmapped(world: Vocabulary) -> None:
    assert world.resolve("Parcel teleported to the moon").stage is Stage.UNKNOWN


# --- consistency -----------------------------------------------------------------------------


def _claims(vocab: Vocabulary) -> dict[str, set[tuple[Any, ...]]]:
    claims: dict[str, set[tuple[Any, ...]]] = {}
    for rule in vocab.rules:
        for phrase in rule.phrase:
            key = (rule.stage, rule.reason, tuple(sorted(rule.by_context.items())))
            claims.setdefault(normalize_phrase(phrase), set()).add(key)
    return claims


def test_no_phrase_maps_to_two_stages_or_reasons(world: Vocabulary) -> None:
    clashes = {p: c for p, c in _claims(world).items() if len(c) > 1}
    assert clashes == {}


def test_no_phrase_repeats_the_shared_upu_vocabulary(world: Vocabulary) -> None:
    upu = set(_claims(shared_vocabulary("upu")))
    assert set(_claims(world)) & upu == set()


def test_phrases_are_not_empty_after_folding(world: Vocabulary) -> None:
    assert all(normalize_phrase(p) for rule in world.rules for p in rule.phrase)


# --- patterns: anchored, indexed, no catastrophic backtracking -----------------------------------

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}
_MAXREPEAT = sre_parse.MAXREPEAT


def _walk(tokens: Any, depth: int, found: list[tuple[int, bool]]) -> None:
    """Record (nesting depth, unbounded) for every repeat in a parsed pattern."""
    for op, arg in tokens:
        if op in _REPEATS:
            _low, high, sub = arg
            found.append((depth, high == _MAXREPEAT))
            _walk(sub, depth + 1, found)
        elif op is sre_parse.SUBPATTERN:
            _walk(arg[-1], depth, found)
        elif op is sre_parse.BRANCH:
            for alt in arg[1]:
                _walk(alt, depth, found)
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            _walk(arg[1], depth, found)


def _patterns(world: Vocabulary) -> list[str]:
    return [rule.pattern for rule in world.rules if rule.pattern]


def test_world_has_patterns_to_check(world: Vocabulary) -> None:
    assert _patterns(world)


def test_patterns_are_anchored_on_a_literal_first_word(world: Vocabulary) -> None:
    for pattern in _patterns(world):
        assert re.match(r"^\^[^\W\d_][\w]*(?= |\\s|\\b)", pattern), pattern


def test_patterns_have_no_nested_quantifiers_and_few_unbounded_ones(world: Vocabulary) -> None:
    for pattern in _patterns(world):
        found: list[tuple[int, bool]] = []
        _walk(sre_parse.parse(pattern, re.IGNORECASE), 0, found)
        assert all(depth == 0 for depth, _ in found), f"nested quantifier in {pattern!r}"
        assert sum(unbounded for _, unbounded in found) <= 2, pattern


@pytest.mark.parametrize("size", [1_000, 20_000])
def test_patterns_finish_on_long_runs_of_spaces_and_words(world: Vocabulary, size: int) -> None:
    """Adversarial inputs: the pattern's own first word followed by long runs. With no nested
    quantifier the work is linear in the input; the run must complete and give a definite answer."""
    for pattern in _patterns(world):
        regex = re.compile(pattern, re.IGNORECASE)
        first = re.match(r"^\^([^\W\d_]\w*)", pattern)
        assert first is not None
        head = first.group(1)
        for tail in (" " * size, " -" * (size // 2), "ab " * (size // 3), "\u00e9" * size):
            text = f"{head}{tail}!"
            outcome = regex.search(text)
            assert outcome is None or outcome.end() <= len(text)
