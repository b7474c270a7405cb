"""The world vocabulary parts added from the fourth held-out round: DPD Polska and ORLEN Paczka
(``poland-couriers``), UPS agency holds (``ups-agency``) and Swiss Post (``swiss-post``).

Checks that each part loads on its own with sourced text rules under its own source prefix, that
sourced samples resolve to their stage and reason, that no folded phrase of these parts is claimed
with another stage by any installed vocabulary, and that the held-out sets of real texts
(``data/unseen_texts_batch4.jsonl``, used to find the missing families, and
``data/unseen_texts_batch5.jsonl``, collected after the rules and measured untouched) are well
formed.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tracklingo.openworld import installed_vocabularies
from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Vocabulary, normalize_phrase, shared_vocabulary

VOCAB_DIR = Path(str(resources.files("tracklingo").joinpath("data", "vocab")))
DATA = Path(__file__).parent / "data"
HELD_OUT = {4: DATA / "unseen_texts_batch4.jsonl", 5: DATA / "unseen_texts_batch5.jsonl"}

PREFIX = {"poland-couriers": "PLC_", "ups-agency": "UPSA_", "swiss-post": "CH_"}


def _part(stem: str) -> Vocabulary:
    return Vocabulary.from_toml(VOCAB_DIR / "world" / f"{stem}.toml")


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


@pytest.mark.parametrize("stem", sorted(PREFIX))
def test_each_part_is_listed_and_loads_with_sourced_text_rules(stem: str) -> None:
    meta = tomllib.loads((VOCAB_DIR / "world.toml").read_text(encoding="utf-8"))["meta"]
    assert f"world/{stem}.toml" in meta["parts"]
    vocab = _part(stem)
    assert vocab.carrier == "world" and vocab.rules
    for rule in vocab.rules:
        assert not rule.code and rule.phrase, rule
        expanded = vocab.source_text(rule)
        assert "repo " in expanded or "http" in expanded, rule


@pytest.mark.parametrize(("stem", "prefix"), sorted(PREFIX.items()))
def test_each_part_uses_its_own_source_prefix(stem: str, prefix: str) -> None:
    data = tomllib.loads((VOCAB_DIR / "world" / f"{stem}.toml").read_text(encoding="utf-8"))
    keys = list(data["meta"]["sources"])
    assert keys and all(key.startswith(prefix) for key in keys), keys


SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    ("poland-couriers", "Zarejestrowano dane przesyłki", Stage.LABEL_CREATED, None),
    ("poland-couriers", "Przesyłka odebrana przez Kuriera", Stage.ACCEPTED, None),
    ("poland-couriers", "Wydanie przesyłki do doręczenia", Stage.OUT_FOR_DELIVERY, None),
    ("poland-couriers", "Paczka w sortowni regionalnej", Stage.IN_TRANSIT, None),
    ("poland-couriers", "Z przyjemnością informujemy, że Twoja paczka została nadana.", Stage.ACCEPTED, None),
    (
        "ups-agency",
        "Your package has been delayed due to a Government regulatory agency hold.",
        Stage.CUSTOMS_HOLD,
        Reason.CUSTOMS_INSPECTION,
    ),
    (
        "ups-agency",
        "Ihr Paket ist wegen eines behördlichen Stopps verspätet.",
        Stage.CUSTOMS_HOLD,
        Reason.CUSTOMS_INSPECTION,
    ),
    ("ups-agency", "Your package is pending release from a Government Agency", Stage.CUSTOMS_HOLD, None),
    ("swiss-post", "Arrival at Swiss border point", Stage.DEPARTED_ORIGIN_COUNTRY, None),
    ("swiss-post", "Confirmation of receipt received", Stage.DELIVERED, None),
    ("swiss-post", "Collection attempt by mail carrier failed", Stage.EXCEPTION, None),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    res = world.resolve(text)
    assert (res.stage, res.reason, res.match) == (stage, reason, MatchKind.PHRASE), text
    assert (_part(stem).resolve(text).stage, _part(stem).resolve(text).reason) == (stage, reason)


def test_every_part_here_has_samples_here() -> None:
    assert {stem for stem, *_ in SAMPLES} == set(PREFIX)


def test_left_out_wordings_stay_unmapped_in_these_parts() -> None:
    # handed to a courier (for pickup or for delivery is not said); a notification
    part = _part("poland-couriers")
    for text in ("Przekazanie przesyłki kurierowi", "Powiadomienie mail"):
        assert part.resolve(text).stage is Stage.UNKNOWN, text


def test_no_phrase_of_these_parts_is_claimed_with_another_stage() -> None:
    mine: dict[str, set[tuple[Any, ...]]] = {}
    for stem in PREFIX:
        for rule in _part(stem).rules:
            for phrase in rule.phrase:
                mine.setdefault(normalize_phrase(phrase), set()).add((rule.stage, rule.reason))
    assert all(len(claims) == 1 for claims in mine.values()), mine
    clashes = []
    for vocab in installed_vocabularies():
        for rule in vocab.rules:
            if rule.by_context:
                continue
            for phrase in rule.phrase:
                ours = mine.get(normalize_phrase(phrase))
                if ours is not None and ours != {(rule.stage, rule.reason)}:
                    clashes.append((vocab.carrier, phrase, rule.stage, ours))
    assert clashes == []


# --- the held-out sets ---------------------------------------------------------------------------


def _rows(batch: int) -> list[dict[str, Any]]:
    with HELD_OUT[batch].open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.mark.parametrize("batch", sorted(HELD_OUT))
def test_the_held_out_set_is_well_formed(batch: int) -> None:
    rows = _rows(batch)
    assert len(rows) >= {4: 100, 5: 35}[batch]
    for row in rows:
        assert set(row) - {"reason"} == {"text", "stage", "source", "lang", "carrier"}, row
        assert Stage(row["stage"]) is not Stage.UNKNOWN
        if "reason" in row:
            Reason(row["reason"])
        assert row["text"].strip() and row["source"].strip() and row["carrier"].strip()
        assert row["lang"] in {"en", "de", "nl", "fr", "es", "pl"}
    assert len({(r["text"], r["carrier"]) for r in rows}) == len(rows)
    assert len({r["source"] for r in rows}) >= {4: 10, 5: 5}[batch]


def test_the_two_held_out_sets_do_not_share_a_source_or_a_text() -> None:
    four, five = _rows(4), _rows(5)
    assert not {r["source"] for r in four} & {r["source"] for r in five}
    assert not {normalize_phrase(r["text"]) for r in four} & {normalize_phrase(r["text"]) for r in five}


def test_batch5_texts_are_not_phrases_of_the_parts_written_from_batch4() -> None:
    """Batch 5 was collected after these rules, from other sources: none of its texts may be a
    phrase of the parts its measurement is meant to judge."""
    ours = {normalize_phrase(p) for stem in PREFIX for r in _part(stem).rules for p in r.phrase}
    assert [r["text"] for r in _rows(5) if normalize_phrase(r["text"]) in ours] == []
