"""The world vocabulary in north-western Europe, ninth round: new parts for Posti (``posti``),
Posten Norge / Bring (``bring``), An Post (``an-post``) and UPS Mail Innovations
(``ups-postal``), and DPD UK texts added to the DPD part.

Checks that the new parts are listed and load with sourced text rules under their own source
prefix, that the DPD UK source is used and kept in the DPD family, that sourced samples resolve to
their stage and reason, that wordings left out on purpose stay unmapped in their part, that no
folded phrase of these rules is claimed with another stage by any installed vocabulary, and that
the held-out set collected before these rules (``data/unseen_texts_batch9_nw.jsonl``: Canpar,
bpost, Posten, Posti, Yodel and DPD UK texts in English, Finnish and Norwegian) is well formed,
shares no text with the rules or with the earlier held-out sets, is cited by none of this round's
sources, and stays answered at least as well as measured.
"""

from __future__ import annotations

import pytest
from worldround import (
    DATA,
    assert_added_sources_are_theirs_and_used,
    assert_no_phrase_claimed_twice,
    assert_part_listed_with_sourced_rules,
    assert_part_uses_its_prefix,
    assert_sample_resolves,
    assert_well_formed,
    declared_sources,
    held_out_file_ids_cited,
    measure,
    part,
    round_rules,
    rules_that_are_held_out_texts,
    texts_shared_with_other_sets,
)

from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, shared_vocabulary

HELD_OUT = DATA / "unseen_texts_batch9_nw.jsonl"

#: New parts of this round and their source prefix.
NEW = {
    "posti": "FI_",
    "bring": "NO_",
    "an-post": "IE_",
    "ups-postal": "UPS2_",
}
#: Source keys this round added to existing parts (each part keeps its family prefix).
ADDED = {"dpd": ("DPD_", {"DPD_UK"})}


def _batch9_rules() -> list[Rule]:
    return round_rules(NEW, {stem: keys for stem, (_, keys) in ADDED.items()})


@pytest.fixture(scope="module")
def world() -> Vocabulary:
    return shared_vocabulary("world")


@pytest.mark.parametrize("stem", sorted(NEW))
def test_new_parts_are_listed_and_load_with_sourced_text_rules(stem: str) -> None:
    assert_part_listed_with_sourced_rules(stem)


@pytest.mark.parametrize(("stem", "prefix"), sorted(NEW.items()))
def test_new_parts_use_their_own_source_prefix(stem: str, prefix: str) -> None:
    assert_part_uses_its_prefix(stem, prefix, every_source_used=False)


@pytest.mark.parametrize("stem", sorted(ADDED))
def test_sources_added_to_existing_parts_are_theirs_and_used(stem: str) -> None:
    prefix, keys = ADDED[stem]
    assert_added_sources_are_theirs_and_used(stem, prefix, keys)


SAMPLES: list[tuple[str, str, Stage, Reason | None]] = [
    ("posti", "Lähetyksen EDI-tiedot vastaanotettu lähettäjältä", Stage.LABEL_CREATED, None),
    ("posti", "Pre-information is received from sender", Stage.LABEL_CREATED, None),
    ("posti", "Olemme saaneet tiedon tulevasta lähetyksestä", Stage.LABEL_CREATED, None),
    ("posti", "Lähetys on noudettu lähettäjältä", Stage.ACCEPTED, None),
    ("posti", "Item is loaded onto a means of transport", Stage.IN_TRANSIT, None),
    ("posti", "Lähetys lähdössä ulkomaille", Stage.DEPARTED_ORIGIN_COUNTRY, None),
    ("posti", "Item is arrived to a post office", Stage.AT_DESTINATION_FACILITY, None),
    ("posti", "Lähetys on lastattu jakelukuljetukseen", Stage.OUT_FOR_DELIVERY, None),
    ("posti", "Item not delivered – delivery attempt made", Stage.DELIVERY_ATTEMPTED, None),
    ("posti", "Lähetys on luovutettu vastaanottajalle", Stage.DELIVERED, None),
    ("posti", "Lähetys palautuu lähettäjälle", Stage.RETURN_TO_SENDER, None),
    ("bring", "Ingen sending er mottatt ennå, kun melding om dette", Stage.LABEL_CREATED, None),
    ("bring", "Sendingen er innlevert til terminal og videresendt", Stage.IN_TRANSIT, None),
    ("bring", "Sendingen er lastet opp for utkjøring", Stage.OUT_FOR_DELIVERY, None),
    ("bring", "Sendingen er ankommet postkontor", Stage.AVAILABLE_FOR_PICKUP, None),
    ("bring", "Sendingen er utlevert", Stage.DELIVERED, None),
    ("an-post", "Your item is on its way to us", Stage.LABEL_CREATED, None),
    ("an-post", "We tried to deliver your item", Stage.DELIVERY_ATTEMPTED, None),
    ("ups-postal", "Postage Paid/Ready for destination post office entry", Stage.IN_TRANSIT, None),
    ("ups-postal", "Shipment Acceptance at Post Office", Stage.HANDED_TO_LAST_MILE, None),
    ("ups-postal", "Received by the local post office", Stage.AT_DESTINATION_FACILITY, None),
    ("ups-postal", "Package delivered by local post office", Stage.DELIVERED, None),
    ("dpd", "We have your parcel and it's on its way to our depot", Stage.IN_TRANSIT, None),
    ("dpd", "The parcel is undergoing customs clearance", Stage.IMPORT_CUSTOMS, None),
    ("dpd", "The parcel has now cleared customs", Stage.CUSTOMS_CLEARED, None),
    ("dpd", "The parcel has arrived at the delivery depot", Stage.AT_DESTINATION_FACILITY, None),
    ("dpd", "The parcel is on the vehicle for delivery", Stage.OUT_FOR_DELIVERY, None),
    ("dpd", "Your parcel is waiting for you at home (left in safe place)", Stage.DELIVERED, None),
]


@pytest.mark.parametrize(("stem", "text", "stage", "reason"), SAMPLES)
def test_sourced_texts_resolve_in_the_world_vocabulary_and_their_part(
    world: Vocabulary, stem: str, text: str, stage: Stage, reason: Reason | None
) -> None:
    assert_sample_resolves(world, stem, text, stage, reason)


def test_every_part_of_this_round_has_samples() -> None:
    assert {stem for stem, *_ in SAMPLES} == set(NEW) | set(ADDED)


@pytest.mark.parametrize(
    ("stem", "text"),
    [
        # a deviation or a notice whose meaning for the parcel is not said (Posti), a depot of
        # which kind not said, a payment (DPD UK)
        ("posti", "Lähetylle on tehty poikkeama"),
        ("posti", "Lähetyksestä on lähetetty saapumisilmoitus"),
        ("posti", "Outbound"),
        ("dpd", "Your parcel is at our depot"),
        ("dpd", "Duties and taxes paid"),
        ("dpd", "We've received your order details, but have not yet received your parcel"),
        ("an-post", "Your delivery is in"),
        ("ups-postal", "Electronic Shipment Information Received for Package by Post Office"),
        # held-out texts of this round and earlier ones, from other sources: never rules here
        ("posti", "Lähetys on kuljetuksessa"),
        ("bring", "Sendingen er ankommet terminal og blir videresendt"),
        ("dpd", "Your parcel will be with you today"),
        ("dpd", "We have your parcel and it's on its way to you"),
        ("dpd", "The parcel has been delivered"),
        ("an-post", "Your item has been handed to An Post"),
        ("ups-postal", "Package transferred to post office"),
    ],
)
def test_left_out_wordings_stay_unmapped_in_their_part(stem: str, text: str) -> None:
    assert part(stem).resolve(text).stage is Stage.UNKNOWN, text


def test_no_phrase_of_this_round_is_claimed_with_another_stage() -> None:
    assert_no_phrase_claimed_twice(_batch9_rules(), at_least=31)


# --- the held-out set ----------------------------------------------------------------------------


def test_the_held_out_set_is_well_formed() -> None:
    assert_well_formed(HELD_OUT, at_least=30, langs={"en", "fi", "no"}, sources=3)


def test_the_held_out_set_shares_no_text_with_earlier_sets() -> None:
    assert texts_shared_with_other_sets(HELD_OUT) == set()


def test_no_rule_of_this_round_is_a_held_out_text() -> None:
    """The rules came from other sources than any held-out set: none of their phrases may be a
    held-out text of this round or an earlier one (that would measure the table, not the layer)."""
    assert rules_that_are_held_out_texts(_batch9_rules()) == set()


def test_held_out_sources_are_not_cited_by_this_round() -> None:
    cited = " ".join(
        [text for stem in NEW for text in declared_sources(stem).values()]
        + [declared_sources(stem)[key] for stem, (_, keys) in ADDED.items() for key in keys]
    )
    assert held_out_file_ids_cited(HELD_OUT, cited) == []


def test_the_held_out_set_stays_answered_as_measured() -> None:
    """A regression floor, not the target: measured 9 of 35 right, 5 wrong, 21 unknown before this
    round's rules and 10 right, 5 wrong, 20 unknown after (Yodel's "Your parcel will be with us
    soon" now reads as a label). The held-out wordings are not in the tables. A split reading needs
    confidence 0.55 (`infer.SPLIT_CONFIDENCE`, docs/open-world.md): 8 right, 5 wrong. With the
    concept lexicon's Finnish, Swedish, Norwegian and Danish words (docs/sources.md "Open-world
    lexicon: Nordic languages") the inference layer reads the Finnish and Norwegian texts: 18
    right, 10 wrong, 7 unknown."""
    overall = measure(HELD_OUT)
    assert overall.n >= 30
    assert overall.correct >= 18
    assert overall.wrong <= 10
