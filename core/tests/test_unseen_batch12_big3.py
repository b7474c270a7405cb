"""The batch-12 held-out set for the three big carriers (USPS, FedEx, DHL).

Forty-nine real texts from six public files that no vocabulary and no earlier held-out set cites (a
USPS tracking result with its long-form summary, the USPS status details and DHL Express
checkpoints a tracking app stored in 2015, a FedEx Track API reply of a Hold-at-FedEx-Office
redirect, DHL Unified replies for Express and for Parcel DE in German, and the English DHL Paket
texts a 17track sensor reported), labelled by meaning before tracklingo was asked. Checks the file
is well formed, shares no text with the other held-out sets, cites none of the vocabularies'
sources, and that the installed vocabularies plus the open-world layer keep answering it at least
as well as when it was collected (a regression floor). Measured at collection, before the batch-12
vocabulary rules: 45 right, 3 wrong, 1 unknown of 49. The batch-12 rules (DHL www.dhl.de and
nolp.dhl.de English lines, a DHL Express remark, USPS-relayed delivery outcomes abroad) come from
other files: none of them is a held-out text, and each cites a source that says where it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from worldround import (
    DATA,
    assert_well_formed,
    held_out_file_ids_cited,
    held_out_rows,
    measure,
    rules_that_are_held_out_texts,
    texts_shared_with_other_sets,
)

from tracklingo.plugins import load_carriers
from tracklingo.vocabulary import Rule

HELD_OUT = DATA / "unseen_texts_batch12_big3.jsonl"
#: Right answers when the set was collected (45 of 49); a vocabulary change may not lower it.
FLOOR_RIGHT = 45
#: The built-in carriers' vocabularies (main files and parts): none may cite a source of this set.
PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
#: The source keys this round added to the built-in vocabularies, per carrier.
ROUND_KEYS = {"dhl": {"DEWEB", "WEBOOB", "IMPORTER"}, "usps": {"USINTL", "USTD", "USOLD", "ENDICIA"}}


def _round_rules() -> list[tuple[str, Rule]]:
    """(expanded source, rule) of every rule citing a key this round added."""
    vocabularies = {c.name: c.vocabulary for c in load_carriers()}
    out = []
    for carrier, keys in ROUND_KEYS.items():
        vocab = vocabularies[carrier]
        for rule in vocab.own_rules():
            if keys & set(re.split(r";\s*", rule.source)):
                out.append((vocab.source_text(rule), rule))
    return out


def test_the_held_out_set_is_well_formed() -> None:
    assert_well_formed(HELD_OUT, at_least=49, langs={"en", "de"}, sources=6)
    assert {r["carrier"] for r in held_out_rows(HELD_OUT)} == {"usps", "fedex", "dhl"}


def test_the_held_out_set_shares_no_text_with_earlier_sets() -> None:
    assert texts_shared_with_other_sets(HELD_OUT) == set()


def test_no_vocabulary_cites_a_source_of_the_set() -> None:
    vocabularies = sorted(PLUGINS.glob("*/src/tracklingo_*/**/*.toml"))
    assert len(vocabularies) >= 3
    cited = "\n".join(path.read_text(encoding="utf-8") for path in vocabularies)
    assert held_out_file_ids_cited(HELD_OUT, cited) == []


def test_the_held_out_set_keeps_its_floor() -> None:
    assert measure(HELD_OUT).correct >= FLOOR_RIGHT


def test_the_round_rules_are_sourced_and_none_is_a_held_out_text() -> None:
    rules = _round_rules()
    assert len(rules) >= 20
    for expanded, rule in rules:
        assert "file id" in expanded or "http" in expanded, rule
    assert rules_that_are_held_out_texts(rule for _, rule in rules) == set()
    cited = "\n".join(expanded for expanded, _ in rules)
    assert held_out_file_ids_cited(HELD_OUT, cited, every_set=True) == []
