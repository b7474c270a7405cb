"""DHL texts in other languages (issue 16 item 4): the French and Spanish DHL Express checkpoint
texts of ``vocab/express-fr.toml`` and ``vocab/express-es.toml``. The real excerpts in
``tests/fixtures/real/languages`` (sources in ``fixtures/real/README.md``) resolve checkpoint by
checkpoint to the stage and reason a reader of the source expects, the place after a French text
fills the location, and no rule of these parts collides with another rule of the vocabulary."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tracklingo import MatchKind, Reason, Stage
from tracklingo.vocabulary import normalize_phrase
from tracklingo_dhl import DHLCarrier

LANGUAGES = Path(__file__).parent / "fixtures" / "real" / "languages"
PACKAGE = Path(DHLCarrier.vocabulary_path or "").parent
VOCABULARY = DHLCarrier().vocabulary
PARTS = ("vocab/express-fr.toml", "vocab/express-es.toml")

Expected = tuple[Stage, Reason | None]

EXPECTED: dict[str, list[Expected]] = {
    "express_es_mx_torreon_2018.json": [
        (Stage.DELIVERED, None),  # Envío entregado - Firmado por: ...
        (Stage.OUT_FOR_DELIVERY, None),  # Envío en ruta de entrega.
        (Stage.DELIVERY_ATTEMPTED, Reason.RECIPIENT_UNAVAILABLE),  # Destinatario ausente.
        (Stage.OUT_FOR_DELIVERY, None),
        (Stage.EXCEPTION, Reason.ADDRESS_PROBLEM),  # Dirección de entrega incorrecta. ...
        (Stage.OUT_FOR_DELIVERY, None),
        (Stage.ACCEPTED, None),  # Envío retirado/recolectado.
    ],
    "express_fr_ca_clearance.json": [(Stage.CUSTOMS_CLEARED, None)],
}


def _descriptions(name: str) -> list[str]:
    payload = json.loads((LANGUAGES / name).read_text(encoding="utf-8"))
    return [cp["description"] for result in payload["results"] for cp in result["checkpoints"]]


def _part(name: str) -> dict[str, Any]:
    return tomllib.loads((PACKAGE / name).read_text(encoding="utf-8"))


def test_every_language_excerpt_has_expectations() -> None:
    assert {p.name for p in LANGUAGES.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_checkpoints_resolve_to_the_expected_stage_and_reason(name: str) -> None:
    got = []
    for text in _descriptions(name):
        res = VOCABULARY.resolve(text)
        assert res.match is not MatchKind.UNMAPPED, text
        got.append((res.stage, res.reason))
    assert got == EXPECTED[name]


# -- French: fixed words, then the service area in capitals -----------------------------------

FRENCH: list[tuple[str, Stage, dict[str, str]]] = [
    (
        "Arrivée au centre de tri DHL de LEIPZIG - GERMANY",
        Stage.IN_TRANSIT,
        {"city": "LEIPZIG", "country": "GERMANY"},
    ),
    ("Arrivée à l'agence DHL de PARIS - FRANCE", Stage.IN_TRANSIT, {"city": "PARIS", "country": "FRANCE"}),
    ("Traitée à l'agence DHL de PARIS - FRANCE", Stage.IN_TRANSIT, {"city": "PARIS", "country": "FRANCE"}),
    ("Partie de l'agence DHL de PARIS - FRANCE", Stage.IN_TRANSIT, {"city": "PARIS", "country": "FRANCE"}),
    ("Transféré via CINCINNATI HUB", Stage.IN_TRANSIT, {"facility": "CINCINNATI HUB"}),
    (
        "En cours de dédouanement à MONTREAL - CANADA",
        Stage.IMPORT_CUSTOMS,
        {"city": "MONTREAL", "country": "CANADA"},
    ),
    (
        "Dédouanement accompli à EASTERN QUEBEC-AREACANADA",
        Stage.CUSTOMS_CLEARED,
        {"facility": "EASTERN QUEBEC-AREACANADA"},
    ),
]


@pytest.mark.parametrize(("text", "stage", "place"), FRENCH)
def test_french_checkpoints_resolve_and_keep_the_place(
    text: str, stage: Stage, place: dict[str, str]
) -> None:
    res = VOCABULARY.resolve(text)
    assert res.stage is stage
    assert dict(res.captured) == place


def test_french_phrases_ignore_accents_like_every_phrase() -> None:
    res = VOCABULARY.resolve("Dedouanement accompli a PARIS - FRANCE")
    assert (res.stage, dict(res.captured)) == (Stage.CUSTOMS_CLEARED, {"city": "PARIS", "country": "FRANCE"})


def test_a_french_phrase_needs_the_place_or_nothing_after_it() -> None:
    """The fixed words followed by more lower-case words are another sentence, not this one."""
    res = VOCABULARY.resolve("Transféré via un autre transporteur")
    assert res.match is MatchKind.UNMAPPED


# -- Spanish ------------------------------------------------------------------------------------


def test_the_signatory_is_not_taken_for_a_place() -> None:
    res = VOCABULARY.resolve("Envío entregado - Firmado por: VERONICA RUELAS")
    assert res.stage is Stage.DELIVERED
    assert dict(res.captured) == {}


@pytest.mark.parametrize("text", ["Envío entregado", "ENVIO ENTREGADO.", "Envío entregado - Firmado por X"])
def test_spanish_delivered_forms(text: str) -> None:
    assert VOCABULARY.resolve(text).stage is Stage.DELIVERED


def test_the_delivered_pattern_does_not_take_other_sentences() -> None:
    assert VOCABULARY.resolve("Envío entregado a otra empresa").match is MatchKind.UNMAPPED


# -- the parts ------------------------------------------------------------------------------------


def test_the_language_parts_are_listed_and_every_rule_is_loaded() -> None:
    main = tomllib.loads((PACKAGE / "vocabulary.toml").read_text(encoding="utf-8"))
    loaded = {(r.phrase, r.pattern) for r in VOCABULARY.own_rules()}
    for name in PARTS:
        assert name in main["meta"]["parts"]
        part = _part(name)
        assert part["meta"]["carrier"] == "dhl"
        assert part["rule"]
        for rule in part["rule"]:
            phrase = rule.get("phrase")
            key = ((phrase,) if isinstance(phrase, str) else tuple(phrase or ()), rule.get("pattern"))
            assert key in loaded, (name, rule)
            assert rule["source"].strip()


def _part_rules() -> list[tuple[str, dict[str, Any]]]:
    return [(name, rule) for name in PARTS for rule in _part(name)["rule"]]


@pytest.mark.parametrize(("part", "rule"), _part_rules())
def test_no_language_rule_collides_with_another_rule(part: str, rule: dict[str, Any]) -> None:
    """Each phrase is defined once in the whole vocabulary (no other rule, in English or another
    language, claims it), and each text resolves to this very rule."""
    if "phrase" in rule:
        key = normalize_phrase(rule["phrase"])
        owners = [r for r in VOCABULARY.own_rules() if key in {normalize_phrase(p) for p in r.phrase}]
        assert len(owners) == 1, (part, key, owners)
        res = VOCABULARY.resolve(rule["phrase"])
        assert res.rule is owners[0]
    else:
        owners = [r for r in VOCABULARY.own_rules() if r.pattern == rule["pattern"]]
        assert len(owners) == 1, (part, rule["pattern"])
    owner = owners[0]
    assert owner.stage is Stage(rule["stage"])
    assert owner.reason == (Reason(rule["reason"]) if "reason" in rule else None)
