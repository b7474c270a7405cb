"""The batch-13 held-out set for families beyond Europe without a plugin (world vocabulary).

Twenty-nine real texts from seven public files that no vocabulary and no earlier held-out set
cites (two Pos Laju tracking API READMEs with sample replies, a Malaysia Pos tracker's test, a
tracker's demo output with Malaysia Post and NZ Post events, a parcel app's seed of an Australia
Post history, an npm module's Correos de Chile example in Spanish, a UPS tracker's ups.com reply),
labelled by meaning before tracklingo was asked. Checks the file is well formed, shares no text
with the other held-out sets or with the batch-13 rules, cites none of the vocabularies' sources,
and that the installed vocabularies plus the open-world layer keep answering it at least as well
as when it was measured (a regression floor). Measured before the batch-13 rules (OnTrac, UniUni,
Pos Malaysia, Blue Express Chile, a UPS headline; ``test_vocab_world_batch13.py``): 21 right,
4 wrong, 4 unknown of 29; after them the same (the rules come from other sources and add none of
these texts).
"""

from __future__ import annotations

from pathlib import Path

from test_vocab_world_batch13 import batch13_rules
from worldround import (
    DATA,
    VOCAB_DIR,
    assert_well_formed,
    held_out_file_ids_cited,
    held_out_rows,
    measure,
    rules_that_are_held_out_texts,
    texts_shared_with_other_sets,
)

HELD_OUT = DATA / "unseen_texts_batch13_world.jsonl"
#: Right answers when the set was measured (21 of 29); a vocabulary change may not lower it.
FLOOR_RIGHT = 21
#: Wrong answers when the set was measured (4 of 29); a vocabulary change may not raise it.
CEILING_WRONG = 4
#: The built-in carriers' vocabularies (main files and parts).
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def test_the_held_out_set_is_well_formed() -> None:
    assert_well_formed(HELD_OUT, at_least=29, langs={"en", "es"}, sources=7)
    carriers = {r["carrier"] for r in held_out_rows(HELD_OUT)}
    assert carriers == {"pos-malaysia", "nz-post", "australia-post", "correos-chile", "ups"}


def test_the_held_out_set_shares_no_text_with_earlier_sets() -> None:
    assert texts_shared_with_other_sets(HELD_OUT) == set()


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    assert rules_that_are_held_out_texts(batch13_rules()) == set()


def test_no_vocabulary_cites_a_source_of_the_set() -> None:
    vocabularies = sorted(VOCAB_DIR.rglob("*.toml")) + sorted(PLUGINS.glob("*/src/tracklingo_*/**/*.toml"))
    assert len(vocabularies) >= 60
    cited = "\n".join(path.read_text(encoding="utf-8") for path in vocabularies)
    assert held_out_file_ids_cited(HELD_OUT, cited) == []


def test_the_held_out_set_keeps_its_floor() -> None:
    overall = measure(HELD_OUT)
    assert overall.n == 29
    assert overall.correct >= FLOOR_RIGHT
    assert overall.wrong <= CEILING_WRONG
