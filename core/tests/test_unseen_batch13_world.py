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
    HeldOutSetChecks,
    held_out_file_ids_cited,
    rules_that_are_held_out_texts,
)

HELD_OUT = DATA / "unseen_texts_batch13_world.jsonl"
#: The built-in carriers' vocabularies (main files and parts).
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


class TestHeldOutSet(HeldOutSetChecks):
    held_out = HELD_OUT
    size = 29
    langs = frozenset({"en", "es"})
    sources = 7
    carriers = frozenset({"pos-malaysia", "nz-post", "australia-post", "correos-chile", "ups"})
    #: As measured (21 right, 4 wrong of 29); a vocabulary change may not lower or raise them.
    floor_right = 21
    ceiling_wrong = 4


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    assert rules_that_are_held_out_texts(batch13_rules()) == set()


def test_no_vocabulary_cites_a_source_of_the_set() -> None:
    vocabularies = sorted(VOCAB_DIR.rglob("*.toml")) + sorted(PLUGINS.glob("*/src/tracklingo_*/**/*.toml"))
    assert len(vocabularies) >= 60
    cited = "\n".join(path.read_text(encoding="utf-8") for path in vocabularies)
    assert held_out_file_ids_cited(HELD_OUT, cited) == []
