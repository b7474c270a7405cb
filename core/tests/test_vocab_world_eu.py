"""The European parts of the shared "world" vocabulary, and the held-out set kept beside them.

Checks that each European part loads on its own with its sources, that sourced texts of each
part resolve to their stage (and reason), that no folded world phrase is claimed by two stages
across the world vocabulary and the DHL, FedEx, USPS and UPU vocabularies, that the parts'
patterns have a small worst-case step bound (on the regex's structure, then on long inputs,
never by timing), and that the held-out texts (core/tests/data/unseen_texts_eu.jsonl) are
well formed and were kept out of the vocabulary.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from importlib import resources
from pathlib import Path
from re import _parser as sre_parse  # type: ignore[attr-defined]  # the parser behind `re`
from typing import Any

import pytest

from tracklingo.openworld import installed_vocabularies
from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Vocabulary, normalize_phrase, shared_vocabulary

VOCAB_DIR = Path(str(resources.files("tracklingo").joinpath("data", "vocab")))
HELD_OUT = Path(__file__).parent / "data" / "unseen_texts_eu.jsonl"

#: the European parts this file covers (the world vocabulary lists others too)
EU_PARTS = ["hermes", "deutsche-post", "dpd", "gls", "chronopost", "postnord"]


def _part(name: str) -> Vocabulary:
    return Vocabulary.from_toml(VOCAB_DIR / "world" / f"{name}.toml")


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


# --- loading ---------------------------------------------------------------------------------


def test_every_european_part_is_listed_in_the_world_vocabulary() -> None:
    listed = tomllib.loads((VOCAB_DIR / "world.toml").read_text(encoding="utf-8"))["meta"]["parts"]
    assert {f"world/{name}.toml" for name in EU_PARTS} <= set(listed)


@pytest.mark.parametrize("name", EU_PARTS)
def test_each_part_loads_with_sources_and_texts_only(name: str) -> None:
    vocab = _part(name)
    assert vocab.carrier == "world"
    assert len(vocab.rules) >= 5
    for rule in vocab.rules:
        assert not rule.code, rule  # codes of different carriers would collide
        assert rule.phrase or rule.pattern
        expanded = vocab.source_text(rule)
        assert "repo " in expanded or "http" in expanded or "public code" in expanded, rule


@pytest.mark.parametrize("name", EU_PARTS)
def test_source_keys_carry_the_part_prefix(name: str) -> None:
    data = tomllib.loads((VOCAB_DIR / "world" / f"{name}.toml").read_text(encoding="utf-8"))
    keys = set(data["meta"]["sources"])
    prefixes = {key.split("_", 1)[0] for key in keys}
    assert len(prefixes) == 1, keys  # one prefix per part, so parts never share a key
    other_parts = (p for p in (VOCAB_DIR / "world").glob("*.toml") if p.stem != name)
    for other in other_parts:
        theirs = tomllib.loads(other.read_text(encoding="utf-8"))["meta"].get("sources", {})
        assert not keys & set(theirs), (name, other.name)


# --- sourced samples per part -----------------------------------------------------------------

SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    # Hermes (event code list, German and English)
    ("hermes", "Die Sendung wurde Hermes elektronisch angekündigt.", Stage.LABEL_CREATED, None),
    ("hermes", "The shipment has been notified to Hermes electronically.", Stage.LABEL_CREATED, None),
    (
        "hermes",
        "Die Sendung ist auf Zustelltour gegangen. Die Zustellung erfolgt voraussichtlich heute.",
        Stage.OUT_FOR_DELIVERY,
        None,
    ),
    (
        "hermes",
        "Der Empfänger wurde nicht angetroffen. Hermes wird einen weiteren Zustellversuch durchführen.",
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    ("hermes", "The specified address was unable to be found.", Stage.EXCEPTION, Reason.ADDRESS_PROBLEM),
    ("hermes", "Die Sendung wurde im Briefkasten zugestellt.", Stage.DELIVERED, None),
    ("hermes", "The shipment will be stopped due to a possible damage.", Stage.EXCEPTION, Reason.DAMAGED),
    ("hermes", "The shipment is on its way back to the client.", Stage.RETURN_TO_SENDER, None),
    ("hermes", "Die Zollpapiere für die Ausfuhr wurden erstellt.", Stage.EXPORT_CUSTOMS, None),
    # Deutsche Post EINSCHREIBEN
    ("deutsche-post", "Die Sendung wurde eingeliefert.", Stage.ACCEPTED, None),
    ("deutsche-post", "Die Sendung wurde im Briefzentrum verarbeitet.", Stage.IN_TRANSIT, None),
    (
        "deutsche-post",
        "Der Empfänger konnte nicht angetroffen werden und wurde vom Zusteller benachrichtigt.",
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    ("deutsche-post", "Die Sendung wurde dem Absender zugestellt.", Stage.RETURNED, None),
    # DPD
    ("dpd", "Auftragsdaten übermittelt.", Stage.LABEL_CREATED, None),
    ("dpd", "At parcel delivery centre.", Stage.AT_DESTINATION_FACILITY, None),
    ("dpd", "Delivered by driver to Pickup parcelshop", Stage.AVAILABLE_FOR_PICKUP, None),
    ("dpd", "Die Annahme wurde verweigert (ohne Begründung).", Stage.EXCEPTION, Reason.REFUSED),
    # GLS
    ("gls", "The parcel data was entered into the GLS IT system.", Stage.LABEL_CREATED, None),
    ("gls", "Das Paket hat den GLS Standort verlassen.", Stage.IN_TRANSIT, None),
    (
        "gls",
        "Das Paket konnte wegen geschlossener Warenannahme nicht zugestellt werden.",
        Stage.DELIVERY_ATTEMPTED,
        Reason.BUSINESS_CLOSED,
    ),
    ("gls", "THE PARCEL HAS BEEN DELIVERED AT THE CONSIGNEE", Stage.DELIVERED, None),
    # Chronopost (English event labels)
    ("chronopost", "Shipment handed over by shipper", Stage.ACCEPTED, None),
    ("chronopost", "Sorted at delivery location", Stage.AT_DESTINATION_FACILITY, None),
    ("chronopost", "Shipment in delivery to the consignee", Stage.OUT_FOR_DELIVERY, None),
    # PostNord (English event descriptions)
    ("postnord", "The shipment item has been delivered to a service point", Stage.AVAILABLE_FOR_PICKUP, None),
    ("postnord", "The shipment item is under transportation.", Stage.IN_TRANSIT, None),
]


@pytest.mark.parametrize(("part", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve(
    world: Vocabulary, part: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    res = world.resolve(text)
    assert (res.stage, res.reason) == (stage, reason), text
    assert res.match is MatchKind.PHRASE
    assert res.rule is not None and res.rule.vocabulary == "world"
    # the text really belongs to the part it is filed under
    assert _part(part).resolve(text).stage is stage


def test_every_european_part_has_samples() -> None:
    assert {part for part, *_ in SAMPLES} == set(EU_PARTS)


@pytest.mark.parametrize(
    ("text", "stage", "reason"),
    [
        ("Die Sendung ist im Hermes Verteilzentrum Hamburg eingetroffen.", Stage.IN_TRANSIT, None),
        (
            "Die Sendung liegt im Hermes PaketShop Kiosk am Markt zur Abholung bereit.",
            Stage.AVAILABLE_FOR_PICKUP,
            None,
        ),
        (
            "The shipment has been collected by the recipient from the Hermes ParcelShop Kiosk.",
            Stage.DELIVERED,
            None,
        ),
        (
            "Hermes kann die Sendung leider nicht wie geplant zustellen. Die Sendung wird am Standort "
            "aufbewahrt und zu einem späteren Zeitpunkt zugestellt.",
            Stage.DELAYED,
            Reason.CARRIER_DELAY,
        ),
    ],
)
def test_placeholder_texts_are_patterns_that_fill_in(
    world: Vocabulary, text: str, stage: Stage, reason: Reason | None
) -> None:
    """Hermes texts with a place filled in (#IM# #ORT# #CITY#, #PAKETSHOPNAME#)."""
    res = world.resolve(text)
    assert (res.stage, res.reason, res.match) == (stage, reason, MatchKind.PATTERN)


def test_a_pattern_does_not_swallow_a_different_sentence(world: Vocabulary) -> None:
    # "eingetroffen" after a second sentence is not the arrival pattern (no "." in the gap)
    assert world.resolve("Die Sendung ist im Lager. Sie wurde nicht eingetroffen.").stage is Stage.UNKNOWN


def test_direction_dependent_customs_texts_are_context_rules(world: Vocabulary) -> None:
    text = "Die Zollabfertigung wurde erfolgreich abgeschlossen."
    assert world.resolve(text).needs_context == "direction"
    assert world.resolve(text, context={"direction": "inbound"}).stage is Stage.CUSTOMS_CLEARED
    assert world.resolve(text, context={"direction": "outbound"}).stage is Stage.EXPORT_CUSTOMS
    held = world.resolve(
        "Die Sendung wird in Frankfurt beim Zoll aufbewahrt.", context={"direction": "inbound"}
    )
    assert (held.stage, held.match) == (Stage.CUSTOMS_HOLD, MatchKind.CONTEXT)


# --- consistency across vocabularies -----------------------------------------------------------


def _claims() -> dict[str, set[tuple[str, Stage, tuple[Any, ...]]]]:
    """Folded phrase → (vocabulary, stage, context stages) of every non-fallback phrase rule."""
    claims: dict[str, set[tuple[str, Stage, tuple[Any, ...]]]] = {}
    for vocab in installed_vocabularies():
        for rule in vocab.rules:
            if rule.fallback:
                continue
            ctx = tuple(sorted((k, s.value) for k, s in rule.by_context.items()))
            for phrase in rule.phrase:
                claims.setdefault(normalize_phrase(phrase), set()).add((rule.vocabulary, rule.stage, ctx))
    return claims


def test_the_vocabularies_compared_are_installed() -> None:
    names = {vocab.carrier for vocab in installed_vocabularies()}
    assert {"world", "upu", "dhl", "fedex", "usps"} <= names


def test_no_world_phrase_maps_to_two_stages_across_vocabularies() -> None:
    clashes = {
        phrase: claim
        for phrase, claim in _claims().items()
        if any(v == "world" for v, _, _ in claim) and len({(s, c) for _, s, c in claim}) > 1
    }
    assert clashes == {}


def test_no_world_phrase_maps_to_two_reasons_within_the_world_vocabulary(world: Vocabulary) -> None:
    seen: dict[str, set[tuple[Stage, Reason | None]]] = {}
    for rule in world.rules:
        for phrase in rule.phrase:
            seen.setdefault(normalize_phrase(phrase), set()).add((rule.stage, rule.reason))
    assert {p: c for p, c in seen.items() if len(c) > 1} == {}


# --- patterns: a worst-case step bound from the structure, then long inputs ----------------------

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}
_MAXREPEAT = sre_parse.MAXREPEAT
#: the most positions the pattern's repeats can try together (product of their ranges)
STEP_BOUND = 200_000
SIZE_BOUND = 400  # characters of pattern source


def _repeats(tokens: Any, depth: int, found: list[tuple[int, int]]) -> None:
    """Record (nesting depth, max count) for every repeat in a parsed pattern."""
    for op, arg in tokens:
        if op in _REPEATS:
            _low, high, sub = arg
            found.append((depth, high))
            _repeats(sub, depth + 1, found)
        elif op is sre_parse.SUBPATTERN:
            _repeats(arg[-1], depth, found)
        elif op is sre_parse.BRANCH:
            for alt in arg[1]:
                _repeats(alt, depth, found)
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            _repeats(arg[1], depth, found)


def _eu_patterns() -> list[str]:
    return [rule.pattern for name in EU_PARTS for rule in _part(name).rules if rule.pattern]


def test_the_parts_have_patterns_to_check() -> None:
    assert len(_eu_patterns()) >= 10


@pytest.mark.parametrize("pattern", _eu_patterns())
def test_pattern_is_anchored_bounded_and_flat(pattern: str) -> None:
    assert len(pattern) <= SIZE_BOUND
    assert re.match(r"^\^[^\W\d_]\w*(?= |\\s|\\b)", pattern), pattern
    found: list[tuple[int, int]] = []
    _repeats(sre_parse.parse(pattern, re.IGNORECASE), 0, found)
    assert found, pattern
    assert all(depth == 0 for depth, _ in found), f"nested quantifier in {pattern!r}"
    assert all(high != _MAXREPEAT for _, high in found), f"unbounded repeat in {pattern!r}"
    assert math.prod(high + 1 for _, high in found) <= STEP_BOUND, pattern


@pytest.mark.parametrize("size", [1_000, 50_000])
def test_patterns_finish_on_long_adversarial_inputs(size: int) -> None:
    """Each pattern's own first words followed by long runs that almost match: with flat,
    bounded repeats the work per start position is bounded, so every search completes."""
    for pattern in _eu_patterns():
        regex = re.compile(pattern, re.IGNORECASE)
        head = re.match(r"^\^((?:[^\W\d_]+ ?)+)", pattern)
        assert head is not None
        start = head.group(1)
        for tail in (" " * size, "a " * (size // 2), "ab." * (size // 3), "ä" * size):
            text = f"{start}{tail}"
            outcome = regex.search(text)
            assert outcome is None or outcome.end() <= len(text)


# --- the held-out set ----------------------------------------------------------------------------


def _held_out() -> list[dict[str, str]]:
    return [json.loads(line) for line in HELD_OUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_held_out_rows_are_well_formed() -> None:
    rows = _held_out()
    assert len(rows) >= 25
    for row in rows:
        assert set(row) - {"reason"} == {"text", "stage", "source", "lang", "carrier"}, row
        assert Stage(row["stage"]) is not Stage.UNKNOWN
        if "reason" in row:
            Reason(row["reason"])
        assert row["text"].strip() and row["source"].strip()
        assert row["lang"] in {"de", "en", "nl", "fr", "es", "pl", "it"}
    assert len({(r["text"], r["carrier"]) for r in rows}) == len(rows)


def test_held_out_families_have_enough_texts_from_two_sources() -> None:
    by_family: dict[str, list[dict[str, str]]] = {}
    for row in _held_out():
        by_family.setdefault(row["carrier"], []).append(row)
    assert len(by_family) >= 4
    for family, rows in by_family.items():
        assert 5 <= len(rows) <= 15, family
        assert len({r["source"] for r in rows}) >= 2, family


def test_held_out_sources_are_not_sources_of_the_parts() -> None:
    part_sources = " ".join(_part(name).source_text(rule) for name in EU_PARTS for rule in _part(name).rules)
    for row in _held_out():
        ident = re.search(r"file id (\d+)|(repo \S+ \S+)", row["source"])
        assert ident is not None, row["source"]
        assert (ident.group(1) or ident.group(2)) not in part_sources, row["source"]


def test_no_held_out_text_was_put_into_the_world_vocabulary(world: Vocabulary) -> None:
    known = {normalize_phrase(p) for rule in world.rules for p in rule.phrase}
    assert [r["text"] for r in _held_out() if normalize_phrase(r["text"]) in known] == []
