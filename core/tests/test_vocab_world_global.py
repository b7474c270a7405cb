"""The shared "world" vocabulary beyond Europe: aggregators, Cainiao, Japan Post, India Post,
Purolator, Amazon Logistics, and the texts appended to the UPS and Canada Post parts.

Checks that each part loads on its own, that sourced samples of each resolve to their stage and
reason, that no folded phrase of the world vocabulary is claimed with another stage or reason by
the world vocabulary itself or by the DHL, FedEx, USPS and UPU vocabularies, that the parts'
patterns have a bounded backtracking cost (checked on the regex's structure and on long inputs,
never by timing), and that the held-out set of real texts (``data/unseen_texts_global.jsonl``)
is well formed and stays out of the vocabulary it is meant to test.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from importlib import resources
from pathlib import Path
from re import _parser as sre_parse  # type: ignore[attr-defined]  # the parser behind `re`
from typing import Any

import pytest

from tracklingo.openworld import installed_vocabularies
from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Vocabulary, normalize_phrase, shared_vocabulary

VOCAB_DIR = Path(str(resources.files("tracklingo").joinpath("data", "vocab")))
WORLD_TOML = VOCAB_DIR / "world.toml"
HELD_OUT = Path(__file__).parent / "data" / "unseen_texts_global.jsonl"

# the parts this module covers (new ones, and the two earlier parts this work appended to)
NEW_PARTS = ["aggregators", "cainiao", "japan-post", "india-post", "purolator", "amazon"]
EXTENDED_PARTS = ["ups", "canada-post"]


def _listed_parts() -> list[str]:
    meta = tomllib.loads(WORLD_TOML.read_text(encoding="utf-8"))["meta"]
    return [Path(p).stem for p in meta["parts"]]


def _part(stem: str) -> Vocabulary:
    return Vocabulary.from_toml(VOCAB_DIR / "world" / f"{stem}.toml")


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


# --- loading ---------------------------------------------------------------------------------


def test_the_new_parts_are_listed_in_world_toml() -> None:
    listed = _listed_parts()
    assert set(NEW_PARTS) <= set(listed)
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize("stem", NEW_PARTS + EXTENDED_PARTS)
def test_each_part_loads_with_sourced_text_rules(stem: str) -> None:
    vocab = _part(stem)
    assert vocab.carrier == "world"
    assert vocab.rules
    for rule in vocab.rules:
        assert not rule.code, rule  # texts only: codes of different carriers would collide
        assert rule.phrase or rule.pattern
        expanded = vocab.source_text(rule)
        assert "repo " in expanded or "http" in expanded or "public code" in expanded, rule


@pytest.mark.parametrize("stem", NEW_PARTS)
def test_new_parts_use_their_own_source_prefix(stem: str) -> None:
    prefix = {
        "aggregators": "AGG_",
        "cainiao": "CN_",
        "japan-post": "JP_",
        "india-post": "IN_",
        "purolator": "PURO_",
        "amazon": "AMZ_",
    }[stem]
    data = tomllib.loads((VOCAB_DIR / "world" / f"{stem}.toml").read_text(encoding="utf-8"))
    keys = list(data["meta"]["sources"])
    assert keys and all(key.startswith(prefix) for key in keys), keys


# --- sourced samples per part -------------------------------------------------------------------

SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    # aggregators: AfterShip subtag messages, TrackingMore sub-status descriptions
    ("aggregators", "Customs clearance started", Stage.IMPORT_CUSTOMS, None),
    ("aggregators", "Customs clearance completed", Stage.CUSTOMS_CLEARED, None),
    ("aggregators", "Delayed (Customs clearance)", Stage.CUSTOMS_HOLD, None),
    ("aggregators", "Customer refused delivery", Stage.EXCEPTION, Reason.REFUSED),
    ("aggregators", "Addressee not available", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("aggregators", "Returning to sender", Stage.RETURN_TO_SENDER, None),
    ("aggregators", "Clearance processing complete.", Stage.CUSTOMS_CLEARED, None),
    (
        "aggregators",
        "Shipment now at depot nearest to delivery address.",
        Stage.AT_DESTINATION_FACILITY,
        None,
    ),
    (
        "aggregators",
        "The package is retained by customs because it's prohibited goods.",
        Stage.CUSTOMS_HOLD,
        Reason.PROHIBITED_ITEM,
    ),
    ("aggregators", "The package is canceled before delivering.", Stage.CANCELLED, None),
    # Cainiao standard descriptions
    ("cainiao", "Received by logistics company", Stage.ACCEPTED, None),
    ("cainiao", "Processing at sorting center", Stage.IN_TRANSIT, None),
    ("cainiao", "Export customs clearance complete", Stage.EXPORT_CUSTOMS, None),
    ("cainiao", "Leaving from departure country/region", Stage.DEPARTED_ORIGIN_COUNTRY, None),
    ("cainiao", "Arrived at linehual office", Stage.ARRIVED_DESTINATION_COUNTRY, None),
    ("cainiao", "Import customs clearance started", Stage.IMPORT_CUSTOMS, None),
    ("cainiao", "Import customs clearance complete", Stage.CUSTOMS_CLEARED, None),
    # Japan Post
    ("japan-post", "Allocated to delivery staff", Stage.OUT_FOR_DELIVERY, None),
    ("japan-post", "Absence. Attempted delivery.", Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),
    ("japan-post", "Final delivery - Collected at counter", Stage.DELIVERED, None),
    # India Post
    ("india-post", "Item Booked", Stage.ACCEPTED, None),
    ("india-post", "ITEM BAGGED", Stage.IN_TRANSIT, None),
    ("india-post", "Taken out for delivery", Stage.OUT_FOR_DELIVERY, None),
    ("india-post", "Item Delivered(Sender)", Stage.RETURNED, None),
    # Purolator (French glossary)
    ("purolator", "Reçu par Purolator", Stage.ACCEPTED, None),
    (
        "purolator",
        "Se trouve dans un véhicule de Purolator aux fins de livraison",
        Stage.OUT_FOR_DELIVERY,
        None,
    ),
    (
        "purolator",
        "Tentative de livraison - Destinataire non disponible",
        Stage.DELIVERY_ATTEMPTED,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    ("purolator", "Correction d'adresse requise", Stage.EXCEPTION, Reason.ADDRESS_PROBLEM),
    # Amazon Logistics
    ("amazon", "Package departed an Amazon facility", Stage.IN_TRANSIT, None),
    ("amazon", "Delivered to letterbox", Stage.DELIVERED, None),
    # UPS (appended): newer Track API descriptions
    ("ups", "We have your package", Stage.ACCEPTED, None),
    ("ups", "Your package has cleared customs and is on the way.", Stage.CUSTOMS_CLEARED, None),
    ("ups", "Severe weather conditions have delayed delivery.", Stage.DELAYED, Reason.WEATHER),
    # Canada Post (appended): English and French event descriptions
    ("canada-post", "Item picked up by Canada Post", Stage.ACCEPTED, None),
    ("canada-post", "Article transféré au partenaire", Stage.HANDED_TO_LAST_MILE, None),
    ("canada-post", "Livré à la porte avant du destinataire", Stage.DELIVERED, None),
    ("canada-post", "Delivered to automated parcel locker", Stage.AVAILABLE_FOR_PICKUP, None),
    (
        "canada-post",
        "Delivery may be delayed due to extreme weather conditions",
        Stage.DELAYED,
        Reason.WEATHER,
    ),
    (
        "canada-post",
        "Article non réclamé par le destinataire. Article retourné à l'expéditeur.",
        Stage.RETURN_TO_SENDER,
        Reason.RECIPIENT_UNAVAILABLE,
    ),
    (
        "canada-post",
        "Itemis considered non-mailable matter. Item being returned to sender",
        Stage.RETURN_TO_SENDER,
        Reason.PROHIBITED_ITEM,
    ),
    ("canada-post", "L'article a été renvoyé avec succès à l'expéditeur.", Stage.RETURNED, None),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    res = world.resolve(text)
    assert (res.stage, res.reason) == (stage, reason), text
    assert res.match is MatchKind.PHRASE
    assert res.rule is not None and res.rule.vocabulary == "world"
    part = _part(stem).resolve(text)
    assert (part.stage, part.reason) == (stage, reason)


def test_the_parts_written_here_have_samples_here() -> None:
    # that every listed part has samples somewhere is test_vocab_world.py's check
    assert set(NEW_PARTS + EXTENDED_PARTS) <= {stem for stem, *_ in SAMPLES}
    assert set(NEW_PARTS) <= set(_listed_parts())


@pytest.mark.parametrize(
    ("text", "stage", "facility"),
    [
        ("Quitté Guelph", Stage.IN_TRANSIT, "Guelph"),
        ("Reçu par Purolator à 5995 Avebury Rd", Stage.ACCEPTED, "5995 Avebury Rd"),
        ("Shipping label created with reference(s): 2509543", Stage.LABEL_CREATED, None),
    ],
)
def test_purolator_patterns_fill_the_place(
    world: Vocabulary, text: str, stage: Stage, facility: str | None
) -> None:
    res = world.resolve(text)
    assert res.stage is stage
    assert res.match is MatchKind.PATTERN
    assert res.captured.get("facility") == facility


@pytest.mark.parametrize(
    ("text", "direction", "stage"),
    [
        ("Your package has been released by the government agency.", "inbound", Stage.CUSTOMS_CLEARED),
        ("Your package has been released by the government agency.", "outbound", Stage.EXPORT_CUSTOMS),
        (
            "UPS has received the information needed to submit your package for clearance.",
            "outbound",
            Stage.EXPORT_CUSTOMS,
        ),
    ],
)
def test_ups_agency_texts_depend_on_direction(
    world: Vocabulary, text: str, direction: str, stage: Stage
) -> None:
    assert world.resolve(text).needs_context == "direction"
    resolved = world.resolve(text, context={"direction": direction})
    assert resolved.stage is stage
    assert resolved.match is MatchKind.CONTEXT


def test_texts_the_parts_leave_out_stay_unmapped(world: Vocabulary) -> None:
    # Cainiao's "Carrier update" and AfterShip's "Pending" say nothing of a stage
    for text in ("Carrier update", "Pending", "Delivery appointment scheduled"):
        assert world.resolve(text).stage is Stage.UNKNOWN, text


# --- consistency: one stage (and reason) per folded phrase -------------------------------------


def _claims(vocab: Vocabulary) -> dict[str, set[tuple[Any, ...]]]:
    claims: dict[str, set[tuple[Any, ...]]] = {}
    for rule in vocab.rules:
        key = (rule.stage, rule.reason, tuple(sorted(rule.by_context.items())))
        for phrase in rule.phrase:
            claims.setdefault(normalize_phrase(phrase), set()).add(key)
    return claims


def test_no_world_phrase_maps_to_two_stages_or_reasons(world: Vocabulary) -> None:
    assert {p: c for p, c in _claims(world).items() if len(c) > 1} == {}


def test_no_world_phrase_contradicts_the_dhl_fedex_usps_and_upu_vocabularies(world: Vocabulary) -> None:
    others = {v.carrier: v for v in installed_vocabularies() if v.carrier != "world"}
    assert {"dhl", "fedex", "usps", "upu"} <= set(others), sorted(others)
    mine = _claims(world)
    clashes = []
    for name in ("dhl", "fedex", "usps", "upu"):
        for phrase, theirs in _claims(others[name]).items():
            ours = mine.get(phrase)
            if ours is not None and ours != theirs:
                clashes.append((phrase, name, ours, theirs))
    assert clashes == []


def test_phrases_are_not_empty_after_folding(world: Vocabulary) -> None:
    for stem in NEW_PARTS + EXTENDED_PARTS:
        assert all(normalize_phrase(p) for rule in _part(stem).rules for p in rule.phrase), stem


# --- patterns: bounded backtracking (structure and size), no timing ---------------------------

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}


def _repeats(tokens: Any, depth: int, found: list[tuple[int, bool]]) -> None:
    """Record (nesting depth, unbounded) for every repeat in a parsed pattern."""
    for op, arg in tokens:
        if op in _REPEATS:
            _low, high, sub = arg
            found.append((depth, high == sre_parse.MAXREPEAT))
            _repeats(sub, depth + 1, found)
        elif op is sre_parse.SUBPATTERN:
            _repeats(arg[-1], depth, found)
        elif op is sre_parse.BRANCH:
            for alt in arg[1]:
                _repeats(alt, depth, found)
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            _repeats(arg[1], depth, found)


def _part_patterns() -> list[str]:
    return [rule.pattern for stem in NEW_PARTS + EXTENDED_PARTS for rule in _part(stem).rules if rule.pattern]


def test_the_parts_have_patterns_to_check() -> None:
    assert _part_patterns()


@pytest.mark.parametrize("pattern", _part_patterns())
def test_pattern_backtracking_is_bounded_by_its_structure(pattern: str) -> None:
    """Anchored on a literal first word, no nested quantifier, at most one unbounded repeat: the
    engine tries each start once (anchor) and each split of one `.*`-like run once, so the work
    is at most linear in the input (quadratic with two), whatever the text."""
    assert re.match(r"^\^[^\W\d_][\w]*(?= |\\s|\\b)", pattern), pattern
    assert len(pattern) <= 120
    found: list[tuple[int, bool]] = []
    _repeats(sre_parse.parse(pattern, re.IGNORECASE), 0, found)
    assert all(depth == 0 for depth, _ in found), f"nested quantifier in {pattern!r}"
    assert sum(unbounded for _, unbounded in found) <= 1, pattern


@pytest.mark.parametrize("pattern", _part_patterns())
@pytest.mark.parametrize("size", [2_000, 50_000])
def test_patterns_give_a_definite_answer_on_long_adversarial_input(pattern: str, size: int) -> None:
    regex = re.compile(pattern, re.IGNORECASE)
    head = re.match(r"^\^([^\W\d_]\w*)", pattern)
    assert head is not None
    for tail in (" " * size, " -" * (size // 2), "ab " * (size // 3), "\u00e9" * size, "(s)" * (size // 3)):
        text = f"{head.group(1)}{tail}\n"
        outcome = regex.search(text)
        assert outcome is None or outcome.end() <= len(text)


# --- the held-out set ----------------------------------------------------------------------------


def _held_out() -> list[dict[str, Any]]:
    with HELD_OUT.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_the_held_out_set_is_well_formed() -> None:
    rows = _held_out()
    assert len(rows) >= 40
    for row in rows:
        assert set(row) - {"reason"} == {"text", "stage", "source", "lang", "carrier"}, row
        assert Stage(row["stage"]) is not Stage.UNKNOWN
        if "reason" in row:
            Reason(row["reason"])
        assert row["text"].strip() and row["source"].strip()
        assert row["carrier"] in NEW_PARTS + EXTENDED_PARTS
    assert len({(r["text"], r["carrier"]) for r in rows}) == len(rows)


def test_each_family_has_5_to_15_held_out_texts_from_at_least_two_sources() -> None:
    rows = _held_out()
    per_family = Counter(r["carrier"] for r in rows)
    assert set(per_family) == set(NEW_PARTS + EXTENDED_PARTS)
    assert all(5 <= n <= 15 for n in per_family.values()), per_family
    for family in per_family:
        assert len({r["source"] for r in rows if r["carrier"] == family}) >= 2, family


def test_no_held_out_text_is_known_to_its_own_part() -> None:
    """Held-out texts come from sources the rules did not use; their own family's part must not
    answer them (a hit there would mean a held-out text leaked into the vocabulary)."""
    for row in _held_out():
        res = _part(row["carrier"]).resolve(row["text"])
        assert res.stage is Stage.UNKNOWN, row


def test_few_held_out_texts_are_phrases_of_any_vocabulary() -> None:
    known = {normalize_phrase(p) for v in installed_vocabularies() for r in v.rules for p in r.phrase}
    overlap = [r["text"] for r in _held_out() if normalize_phrase(r["text"]) in known]
    # everyday wordings other carriers (or another family's part) also use stay in: they test
    # cross-carrier knowledge; counted so that the overlap cannot grow unseen
    assert len(overlap) <= 12, overlap
