"""The batch-14 held-out set for families beyond Europe without a plugin (world vocabulary).

Twenty-nine real texts from six public files that no vocabulary, no earlier held-out set and no
entry of ``docs/sources.md`` cites (BEX Express's API documentation with a recorded South African
history, a shop's Canada Post test copied from a real parcel, a ShopeeXpress Indonesia API README
with a sample reply, a postal library's Aramex fixture, recorded Shadowfax forward and
reverse-pickup histories, an NZ Post ParcelTrack client), labelled by meaning before tracklingo
was asked. Checks the file is well formed, shares no text with the other held-out sets or
with the batch-14 rules, cites none of the vocabularies' sources, and that the installed
vocabularies plus the open-world layer keep answering it at least as well as when it was
measured (a regression floor). Measured before the batch-14 rules (Yilinker Express, Post
Haste, a Shadowfax text; ``test_vocab_world_batch14_world.py``): 15 right, 6 wrong, 8 unknown of
29; after them the same (the rules come from other sources and add none of these texts).
"""

from __future__ import annotations

from pathlib import Path

from test_vocab_world_batch14_world import batch14_rules
from worldround import (
    DATA,
    VOCAB_DIR,
    HeldOutSetChecks,
    held_out_file_ids_cited,
    rules_that_are_held_out_texts,
)

HELD_OUT = DATA / "unseen_texts_batch14_world.jsonl"
#: The built-in carriers' vocabularies (main files and parts).
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


class TestHeldOutSet(HeldOutSetChecks):
    held_out = HELD_OUT
    size = 29
    langs = frozenset({"en", "id"})
    sources = 6
    carriers = frozenset({"bex-express", "canada-post", "shopee-xpress", "aramex", "shadowfax", "nz-post"})
    #: As measured (15 right, 6 wrong of 29), before and after the round's rules.
    floor_right = 15
    ceiling_wrong = 6


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    assert rules_that_are_held_out_texts(batch14_rules()) == set()


def test_no_vocabulary_cites_a_source_of_the_set() -> None:
    vocabularies = sorted(VOCAB_DIR.rglob("*.toml")) + sorted(PLUGINS.glob("*/src/tracklingo_*/**/*.toml"))
    assert len(vocabularies) >= 60
    cited = "\n".join(path.read_text(encoding="utf-8") for path in vocabularies)
    assert held_out_file_ids_cited(HELD_OUT, cited) == []
    assert "BEX-Express/BEX-API" not in cited and "USGM/postal" not in cited
