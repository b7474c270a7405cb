"""The batch-14 held-out set for the biggest carriers without a plugin: UPS, Amazon (Royal Mail
none found).

Thirty real texts from seven public files that no vocabulary and no earlier held-out set cites
(a dashboard's captured UPS Canada tracking, a Kingtrans fixture of a UPS parcel, a Go map of UPS
status names, shipit's Amazon page test, a C++ Amazon JSON test, a saved amazon.com orders page, a
shop app's Amazon line), labelled by meaning before tracklingo was asked. Checks the file is well
formed, shares no text with the other held-out sets or with the batch-14 rules, cites none of the
vocabularies' sources, and that the installed vocabularies plus the open-world layer keep
answering it at least as well as when it was measured (a regression floor). Measured before the
batch-14 rules (UPS status names and activity descriptions, a Royal Mail and an Amazon line; see
``test_vocab_world_batch14_ups.py``): 22 right, 5 wrong, 3 unknown of 30; after them the same.
("Arrived at Facility", collected too, was dropped: an earlier round's rule holds it.)
"""

from __future__ import annotations

from pathlib import Path

from test_vocab_world_batch14_ups import batch14_rules
from worldround import (
    DATA,
    VOCAB_DIR,
    HeldOutSetChecks,
    held_out_file_ids_cited,
    rules_that_are_held_out_texts,
)

HELD_OUT = DATA / "unseen_texts_batch14_ups.jsonl"
#: The built-in carriers' vocabularies (main files and parts).
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


class TestHeldOutSet(HeldOutSetChecks):
    held_out = HELD_OUT
    size = 30
    langs = frozenset({"en"})
    sources = 7
    carriers = frozenset({"ups", "amazon"})
    #: As measured (22 right, 5 wrong of 30), before and after the round's rules.
    floor_right = 22
    ceiling_wrong = 5


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    assert rules_that_are_held_out_texts(batch14_rules()) == set()


def test_no_vocabulary_cites_a_source_of_the_set() -> None:
    vocabularies = sorted(VOCAB_DIR.rglob("*.toml")) + sorted(PLUGINS.glob("*/src/tracklingo_*/**/*.toml"))
    assert len(vocabularies) >= 60
    cited = "\n".join(path.read_text(encoding="utf-8") for path in vocabularies)
    assert held_out_file_ids_cited(HELD_OUT, cited) == []
