"""The batch-8 held-out set for the three big carriers (USPS, FedEx, DHL).

Texts collected from public sources that no vocabulary cites, labelled by meaning, before any
batch-8 phrase was added. Checks the file is well formed, shares no text with the earlier
held-out sets or with any installed rule, and that the installed vocabularies plus the open-world
layer keep answering it at least as well as when it was collected (a regression floor).
"""

from __future__ import annotations

from worldround import DATA, assert_row, held_out_rows, measure, texts_shared_with_other_sets

from tracklingo.vocabulary import normalize_phrase

HELD_OUT = DATA / "unseen_texts_batch8_big3.jsonl"
#: Right answers when the set was collected (6 of 6); a vocabulary change may not lower it.
FLOOR_RIGHT = 6


def test_the_held_out_set_is_well_formed() -> None:
    rows = held_out_rows(HELD_OUT)
    assert rows
    for row in rows:
        assert_row(row)
        assert row["carrier"] in {"usps", "fedex", "dhl"}
    assert len({normalize_phrase(r["text"]) for r in rows}) == len(rows)


def test_the_held_out_set_shares_no_text_with_earlier_sets() -> None:
    assert texts_shared_with_other_sets(HELD_OUT) == set()


def test_the_held_out_set_keeps_its_floor() -> None:
    assert measure(HELD_OUT).correct >= FLOOR_RIGHT
