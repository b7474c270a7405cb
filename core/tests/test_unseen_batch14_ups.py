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
    assert_well_formed,
    held_out_file_ids_cited,
    held_out_rows,
    measure,
    rules_that_are_held_out_texts,
    texts_shared_with_other_sets,
)

HELD_OUT = DATA / "unseen_texts_batch14_ups.jsonl"
#: Right answers when the set was measured (22 of 30); a vocabulary change may not lower it.
FLOOR_RIGHT = 22
#: Wrong answers when the set was measured (5 of 30); a vocabulary change may not raise it.
CEILING_WRONG = 5
#: The built-in carriers' vocabularies (main files and parts).
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def test_the_held_out_set_is_well_formed() -> None:
    assert_well_formed(HELD_OUT, at_least=30, langs={"en"}, sources=7)
    assert {r["carrier"] for r in held_out_rows(HELD_OUT)} == {"ups", "amazon"}


def test_the_held_out_set_shares_no_text_with_earlier_sets() -> None:
    assert texts_shared_with_other_sets(HELD_OUT) == set()


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    assert rules_that_are_held_out_texts(batch14_rules()) == set()


def test_no_vocabulary_cites_a_source_of_the_set() -> None:
    vocabularies = sorted(VOCAB_DIR.rglob("*.toml")) + sorted(PLUGINS.glob("*/src/tracklingo_*/**/*.toml"))
    assert len(vocabularies) >= 60
    cited = "\n".join(path.read_text(encoding="utf-8") for path in vocabularies)
    assert held_out_file_ids_cited(HELD_OUT, cited) == []


def test_the_held_out_set_keeps_its_floor() -> None:
    overall = measure(HELD_OUT)
    assert overall.n == 30
    assert overall.correct >= FLOOR_RIGHT
    assert overall.wrong <= CEILING_WRONG
