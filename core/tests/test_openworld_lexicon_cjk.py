"""The open-world lexicon in unspaced scripts (Chinese, Japanese, Korean, Thai) and Russian.

Checks the held-out set collected before this lexicon round
(``data/unseen_texts_batch11_cjk.jsonl``: ZTO, YTO and Best Express histories in Chinese, Logen,
Hanjin and Lotte pages in Korean, Kerry / Shopee Xpress / J&T descriptions in Thai, DPD Russia
states and shortened Russian Post operations in Russian, Yamato state texts in Japanese): it is
well formed, shares no text with the other held-out sets or with any installed rule, its sources
are cited by no vocabulary, lexicon or source list, and it stays answered at least as well as
measured.
"""

from __future__ import annotations

from worldround import (
    DATA,
    assert_well_formed,
    held_out_file_ids_cited,
    held_out_rows,
    measure,
    rules_that_are_held_out_texts,
    texts_shared_with_other_sets,
)

from tracklingo.openworld import installed_vocabularies
from tracklingo.plugins import load_carriers
from tracklingo.vocabulary import Rule, normalize_phrase, shared_vocabulary

HELD_OUT = DATA / "unseen_texts_batch11_cjk.jsonl"
ROOT = DATA.parent.parent.parent


def _every_rule() -> list[Rule]:
    """Every rule installed: the carriers' own and the shared vocabularies' (the world's parts)."""
    return [r for v in installed_vocabularies(load_carriers()) for r in v.rules] + list(
        shared_vocabulary("world").rules
    )


def test_the_held_out_set_is_well_formed() -> None:
    assert_well_formed(HELD_OUT, at_least=40, langs={"zh", "ja", "ko", "th", "ru"}, sources=10)
    rows = held_out_rows(HELD_OUT)
    assert all(not normalize_phrase(r["text"]).isascii() for r in rows)
    # every script has texts from more than one carrier or source
    for lang in ("zh", "ko", "th", "ru"):
        assert len({r["source"] for r in rows if r["lang"] == lang}) >= 2, lang


def test_the_held_out_set_shares_no_text_with_other_sets() -> None:
    assert texts_shared_with_other_sets(HELD_OUT) == set()


def test_no_installed_rule_is_a_held_out_text_of_this_set() -> None:
    mine = {normalize_phrase(r["text"]) for r in held_out_rows(HELD_OUT)}
    assert rules_that_are_held_out_texts(_every_rule()) & mine == set()


def test_held_out_sources_are_cited_by_no_vocabulary_lexicon_or_source_list() -> None:
    data = ROOT / "core" / "src" / "tracklingo" / "data"
    cited = " ".join(p.read_text(encoding="utf-8") for p in sorted(data.rglob("*.toml")))
    cited += (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert held_out_file_ids_cited(HELD_OUT, cited) == []


#: Measured on this set (55 texts) before the round: 7 right, 0 wrong, 48 unknown.
FLOOR_RIGHT = 7
FLOOR_WRONG = 0


def test_the_held_out_set_stays_answered_as_measured() -> None:
    """A regression floor, not the target: nothing answered wrong is the floor that matters."""
    overall = measure(HELD_OUT)
    assert overall.n >= 40
    assert overall.correct >= FLOOR_RIGHT
    assert overall.wrong <= FLOOR_WRONG
