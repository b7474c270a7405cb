"""What every world-vocabulary round's test module checks, written once.

A round adds parts to the shared ``world`` vocabulary (``data/vocab/world/<stem>.toml``) and a
held-out set of real texts collected before its rules (``data/unseen_texts_<round>.jsonl``). Each
round's module (``test_vocab_world_batch*.py``) keeps its own samples and left-out wordings and
calls these helpers for the checks that are the same in every round: parts listed and sourced,
no phrase claimed with two meanings, the held-out set kept apart from the rules and from the other
sets, and the set's regression floor.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Set
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from tracklingo.openworld import OpenWorld, installed_vocabularies
from tracklingo.openworld.measure import Tally, evaluate_texts, load_labelled
from tracklingo.plugins import load_carriers
from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, normalize_phrase, shared_vocabulary

VOCAB_DIR = Path(str(resources.files("tracklingo").joinpath("data", "vocab")))
DATA = Path(__file__).parent / "data"
#: The fields of a held-out row (``reason`` is optional).
ROW_FIELDS = {"text", "stage", "source", "lang", "carrier"}


@cache
def part(stem: str) -> Vocabulary:
    """One part of the world vocabulary, loaded on its own."""
    return Vocabulary.from_toml(VOCAB_DIR / "world" / f"{stem}.toml")


def declared_sources(stem: str) -> dict[str, str]:
    """The part's ``[meta.sources]``: source key -> where the texts come from."""
    data = tomllib.loads((VOCAB_DIR / "world" / f"{stem}.toml").read_text(encoding="utf-8"))
    return dict(data["meta"]["sources"])


def source_keys(rule: Rule) -> set[str]:
    """The source keys a rule cites (``"A, B"`` cites two)."""
    return {key.strip() for key in (rule.source or "").split(",") if key.strip()}


def listed_parts() -> list[str]:
    """The parts ``world.toml`` lists."""
    meta = tomllib.loads((VOCAB_DIR / "world.toml").read_text(encoding="utf-8"))["meta"]
    return list(meta["parts"])


def round_rules(new: Iterable[str], added: Mapping[str, set[str]] | None = None) -> list[Rule]:
    """The rules of a round: every rule of its new parts, and the rules of existing parts that cite
    one of the source keys the round added to them (``added``: stem -> keys)."""
    rules = [rule for stem in new for rule in part(stem).rules]
    for stem, keys in (added or {}).items():
        rules += [rule for rule in part(stem).rules if source_keys(rule) & keys]
    return rules


def assert_added_sources_are_theirs_and_used(stem: str, prefix: str, keys: set[str]) -> None:
    """Source keys a round added to an existing part carry the round's prefix, say where they
    come from, and are cited by a rule of the part."""
    declared = declared_sources(stem)
    assert keys <= set(declared)
    assert all(key.startswith(prefix) for key in keys)
    assert all("http" in declared[key] or "public code" in declared[key] for key in keys)
    used = {key for rule in part(stem).rules for key in source_keys(rule)}
    assert keys <= used, keys - used


def _meaning(rule: Rule) -> tuple[Any, ...]:
    return (rule.stage, rule.reason, tuple(sorted(rule.by_context.items())))


def assert_no_phrase_claimed_twice(rules: Iterable[Rule], *, at_least: int) -> None:
    """Every folded phrase of these rules has one meaning (stage, reason, context) among them and
    in every installed vocabulary; ``at_least`` guards against checking an empty round."""
    mine: dict[str, set[tuple[Any, ...]]] = {}
    for rule in rules:
        for phrase in rule.phrase:
            mine.setdefault(normalize_phrase(phrase), set()).add(_meaning(rule))
    assert len(mine) >= at_least, len(mine)
    assert all(len(claims) == 1 for claims in mine.values()), mine
    clashes = [
        (vocab.carrier, phrase, _meaning(rule), ours)
        for vocab in installed_vocabularies()
        for rule in vocab.rules
        for phrase in rule.phrase
        if (ours := mine.get(normalize_phrase(phrase))) is not None and ours != {_meaning(rule)}
    ]
    assert clashes == []


# --- held-out sets ------------------------------------------------------------------------------


def held_out_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a held-out JSON Lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def assert_row(row: Mapping[str, Any]) -> None:
    """One held-out row: the held-out fields (``reason`` optional), a real stage, a known reason,
    and no empty text, source, carrier or language."""
    assert set(row) - {"reason"} == ROW_FIELDS, row
    assert Stage(row["stage"]) is not Stage.UNKNOWN
    if "reason" in row:
        Reason(row["reason"])
    assert all(str(row[key]).strip() for key in ROW_FIELDS), row


def assert_well_formed(path: Path, *, at_least: int, langs: Set[str], sources: int) -> None:
    """Each row has the held-out fields, a real stage (and a known reason), texts are distinct
    after folding; the set has ``at_least`` rows in exactly ``langs`` from ``sources`` sources."""
    rows = held_out_rows(path)
    assert len(rows) >= at_least
    for row in rows:
        assert_row(row)
    assert {r["lang"] for r in rows} == langs
    assert len({normalize_phrase(r["text"]) for r in rows}) == len(rows)
    assert len({r["source"] for r in rows}) >= sources


def texts_shared_with_other_sets(path: Path) -> set[str]:
    """Folded texts of this held-out set that another held-out set also holds."""
    mine = {normalize_phrase(r["text"]) for r in held_out_rows(path)}
    others = {
        normalize_phrase(r["text"])
        for other in DATA.glob("unseen_texts*.jsonl")
        if other != path
        for r in held_out_rows(other)
    }
    return mine & others


def rules_that_are_held_out_texts(rules: Iterable[Rule]) -> set[str]:
    """Folded phrases of these rules that are a text of any held-out set (the rules must come
    from other sources: a held-out text in the tables measures the table, not the layers)."""
    held = {normalize_phrase(r["text"]) for p in DATA.glob("unseen_texts*.jsonl") for r in held_out_rows(p)}
    return {normalize_phrase(p) for rule in rules for p in rule.phrase} & held


def every_installed_rule() -> list[Rule]:
    """Every rule installed: the carriers' own and the shared vocabularies' (the world's parts)."""
    return [r for v in installed_vocabularies(load_carriers()) for r in v.rules] + list(
        shared_vocabulary("world").rules
    )


def held_out_file_ids_cited(path: Path, cited: str, *, every_set: bool = False) -> list[str]:
    """The search-index file ids of this held-out set's sources (or of every set's) that appear
    in ``cited`` (the texts of the round's sources); every row of this set must name one."""
    for row in held_out_rows(path):
        assert re.findall(r"file id (\d+)", row["source"]), row["source"]
    paths = sorted(DATA.glob("unseen_texts*.jsonl")) if every_set else [path]
    return [
        file_id
        for p in paths
        for row in held_out_rows(p)
        for file_id in re.findall(r"file id (\d+)", row["source"])
        if file_id in cited
    ]


def measure(path: Path) -> Tally:
    """The held-out set through the installed vocabularies and the open-world layers."""
    registry = load_carriers()
    own = {c.name: c.vocabulary for c in registry}
    rows = load_labelled(path)
    tallies, outcomes = evaluate_texts(rows, own, OpenWorld(installed_vocabularies(registry)))
    overall = tallies["overall"]
    assert overall.n == len(outcomes) == len(rows)
    return overall


class HeldOutSetChecks:
    """The checks every held-out set's module runs, as a mixin (the abstract-tests pattern): a
    module subclasses it as ``TestHeldOutSet`` with its set's facts, and keeps its own checks of
    sources and rules (they differ by round).

    ``size`` is the set's row count, ``langs`` its languages, ``sources`` how many sources it has
    at least, ``carriers`` its carriers (``None``: not checked); ``floor_right`` and
    ``ceiling_wrong`` are the regression floor, as measured: right may only grow, wrong shrink.
    """

    held_out: ClassVar[Path]
    size: ClassVar[int]
    langs: ClassVar[frozenset[str]]
    sources: ClassVar[int]
    carriers: ClassVar[frozenset[str] | None] = None
    floor_right: ClassVar[int]
    ceiling_wrong: ClassVar[int]

    def test_the_held_out_set_is_well_formed(self) -> None:
        assert_well_formed(self.held_out, at_least=self.size, langs=self.langs, sources=self.sources)
        if self.carriers is not None:
            assert {r["carrier"] for r in held_out_rows(self.held_out)} == self.carriers

    def test_the_held_out_set_shares_no_text_with_other_sets(self) -> None:
        assert texts_shared_with_other_sets(self.held_out) == set()

    def test_the_held_out_set_keeps_its_floor(self) -> None:
        """A regression floor, not the target."""
        overall = measure(self.held_out)
        assert overall.n == self.size
        assert overall.correct >= self.floor_right
        assert overall.wrong <= self.ceiling_wrong


# --- parts and samples --------------------------------------------------------------------------

#: A rule's source text names where it comes from in one of these ways.
SOURCE_WORDS = ("repo ", "http", "public code")


def assert_part_listed_with_sourced_rules(
    stem: str, *, rules: str = "phrase", source_words: tuple[str, ...] = SOURCE_WORDS, all_words: bool = False
) -> None:
    """The part is in ``world.toml``'s list, loads as the world vocabulary with rules, none of
    them a code rule, each citing a source that says where it comes from (any of
    ``source_words``, or all of them with ``all_words``). ``rules``: ``"phrase"`` (text rules
    only), ``"either"`` (a phrase or a pattern, not both) or ``"any"`` (a phrase or a pattern)."""
    assert f"world/{stem}.toml" in listed_parts()
    vocab = part(stem)
    assert vocab.carrier == "world" and vocab.rules
    for rule in vocab.rules:
        assert not rule.code, rule
        if rules == "phrase":
            assert rule.phrase and not rule.pattern, rule
        elif rules == "either":
            assert bool(rule.phrase) != bool(rule.pattern), rule
        else:
            assert rule.phrase or rule.pattern, rule
        expanded = vocab.source_text(rule)
        found = [word in expanded for word in source_words]
        assert all(found) if all_words else any(found), rule


def assert_part_uses_its_prefix(stem: str, prefix: str, *, every_source_used: bool = True) -> None:
    """Every source key the part declares starts with its round's prefix (and, by default, every
    declared source is cited by a rule of the part)."""
    declared = declared_sources(stem)
    assert declared and all(key.startswith(prefix) for key in declared), declared
    if every_source_used:
        used = {key for rule in part(stem).rules for key in source_keys(rule)}
        assert used == set(declared), set(declared) ^ used


def assert_sample_resolves(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    """A sourced text is an exact phrase of the world vocabulary and of its own part."""
    res = world.resolve(text)
    assert (res.stage, res.reason, res.match) == (stage, reason, MatchKind.PHRASE), text
    own = part(stem).resolve(text)
    assert (own.stage, own.reason) == (stage, reason)
