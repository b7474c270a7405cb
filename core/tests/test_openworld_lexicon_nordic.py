"""The open-world layers in Finnish, Swedish, Norwegian (bokmål) and Danish: the concept lexicon's
`fi`, `sv`, `nb` and `da` words carry what the classifier learned from the other languages' phrases.

The texts here are carrier wordings and translations found in the public sources the lexicon's
Nordic words come from (docs/sources.md, "Open-world lexicon: Nordic languages"), not taken from the
held-out files."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from tracklingo.openworld import OpenWorld, installed_vocabularies
from tracklingo.openworld.features import analyse
from tracklingo.openworld.lexicon import load_lexicon, words
from tracklingo.taxonomy import MatchKind, Stage

NORDIC = ("fi", "sv", "nb", "da")


@pytest.fixture(scope="module")
def world() -> OpenWorld:
    return OpenWorld(installed_vocabularies())


def _concepts(text: str) -> set[str]:
    return {h.concept for h in load_lexicon().hits(words(text))}


def test_the_lexicon_declares_the_nordic_languages() -> None:
    raw = tomllib.loads(resources.files("tracklingo").joinpath("data", "lexicon.toml").read_text("utf-8"))
    assert set(NORDIC) <= set(raw["meta"]["languages"])
    assert set(NORDIC) <= set(raw["stopwords"])
    said = {lang: {c["name"] for c in raw["concept"] if c.get(lang)} for lang in NORDIC}
    # the concepts of the issue are said in every Nordic language
    issue = {"delivered", "delivery", "out_for_delivery", "pickup_point", "customs", "return", "sender"}
    issue |= {"collect", "picked_up", "arrived", "processed", "transit", "label"}
    for lang in NORDIC:
        assert issue <= said[lang], (lang, issue - said[lang])


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        # Finnish (Posti, Matkahuolto)
        ("Lähetys on luovutettu vastaanottajalle", {"delivered"}),
        ("Lähetys palautuu lähettäjälle", {"return", "sender"}),
        ("Lähetys on toimitettu noutopisteeseen", {"delivered", "pickup_point"}),
        ("Saapunut määräasemalle", {"arrived", "local"}),
        ("Lähetys lähdössä ulkomaille", {"depart", "country"}),
        ("tulliselvitys", {"customs"}),
        # Swedish (PostNord)
        ("Försändelsen har levererats till ett serviceställe", {"delivered", "pickup_point"}),
        ("Lastad på bil, utkörning påbörjad", {"out_for_delivery"}),
        ("Klar för upphämtning hos ombud", {"collect", "pickup_point"}),
        ("Tullklarerad", {"customs", "released"}),
        ("Försändelsen är försenad på grund av väderläget", {"delay", "weather"}),
        # Norwegian (Posten/Bring)
        ("Sendingen er innlevert til terminal og videresendt", {"accepted", "facility", "depart"}),
        ("Pakken er klar til henting", {"collect"}),
        ("Pakken er returnert til avsender", {"return", "sender"}),
        ("Leveringsforsøk mislyktes", {"delivery", "attempt", "failed"}),
        ("Pakken er skadet", {"damaged"}),
        # Danish (PostNord DK, DAO, GLS)
        ("Forsendelsen er leveret", {"delivered"}),
        ("Pakken er ude til levering", {"out_for_delivery"}),
        ("Pakken er klar til afhentning i pakkeshop", {"collect", "pickup_point"}),
        ("Forsendelsesoplysninger modtaget", {"label", "arrived"}),
        ("Pakken er sorteret på terminal", {"processed", "facility"}),
    ],
)
def test_nordic_words_are_concepts(text: str, concepts: set[str]) -> None:
    assert concepts <= _concepts(text)


def test_nordic_function_words_give_no_word_feature() -> None:
    # "lähetys", "har", "till", "pakken", "er", "forsendelsen" say nothing about the parcel
    for text, stop in [
        ("Lähetys on kuljetuksessa nyt", {"w:lahetys", "w:on", "w:nyt"}),
        ("Försändelsen har kommit till terminalen", {"w:forsandelsen", "w:har", "w:till"}),
        ("Pakken er hos tollvesenet", {"w:pakken", "w:er", "w:hos"}),
        ("Forsendelsen er blevet sorteret", {"w:forsendelsen", "w:blevet"}),
    ]:
        assert not stop & analyse(text).features, text


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        # Swedish: PostNord event texts and a translator's Swedish wordings
        ("Försändelsen har levererats.", Stage.DELIVERED),
        ("Försändelsen har levererats till ett serviceställe.", Stage.AVAILABLE_FOR_PICKUP),
        ("Försändelsen är på väg.", Stage.IN_TRANSIT),
        ("Lastad på bil, utkörning påbörjad.", Stage.OUT_FOR_DELIVERY),
        ("Försändelsen har lämnats av avsändaren.", Stage.ACCEPTED),
        ("Misslyckat leveransförsök", Stage.DELIVERY_ATTEMPTED),
        ("Tullklarerad.", Stage.CUSTOMS_CLEARED),
        ("Försändelsen är försenad på grund av väderläget", Stage.DELAYED),
        # Norwegian: Posten/Bring wordings
        ("Pakken er ute på levering", Stage.OUT_FOR_DELIVERY),
        ("Pakken er klar til henting", Stage.AVAILABLE_FOR_PICKUP),
        ("Tollbehandling fullført", Stage.CUSTOMS_CLEARED),
        ("Pakken er returnert til avsender", Stage.RETURN_TO_SENDER),
        ("Forsøkt levert", Stage.DELIVERY_ATTEMPTED),
        ("Pakken er skadet", Stage.EXCEPTION),
        ("Pakken forlater landet", Stage.DEPARTED_ORIGIN_COUNTRY),
        # Danish: PostNord DK, DAO
        ("Pakken er leveret", Stage.DELIVERED),
        ("Pakken er undervejs", Stage.IN_TRANSIT),
        ("Pakken er ude til levering", Stage.OUT_FOR_DELIVERY),
        ("Pakken er klar til afhentning", Stage.AVAILABLE_FOR_PICKUP),
        ("Forsendelse er oprettet", Stage.LABEL_CREATED),
        # Finnish: Posti, Matkahuolto (texts no installed phrase holds)
        ("Lähetys on toimitettu noutopisteeseen.", Stage.AVAILABLE_FOR_PICKUP),
        ("Lähetys on lajiteltu.", Stage.IN_TRANSIT),
        ("Saapunut määräasemalle", Stage.AT_DESTINATION_FACILITY),
        ("Noudettavissa", Stage.AVAILABLE_FOR_PICKUP),
    ],
)
def test_nordic_texts_are_inferred(world: OpenWorld, text: str, stage: Stage) -> None:
    answer = world.resolve(text)
    assert answer is not None
    assert answer.match is MatchKind.INFERRED
    assert answer.stage is stage


# -- modifiers, compounds and words that fold into another language's word -----------------


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("Lähetystä ei ole toimitettu", "m:negation:delivered"),
        ("Det gick inte att leverera", "m:negation:delivery"),
        ("Pakken er ikke hentet", "m:negation:picked_up"),
    ],
)
def test_nordic_negations_qualify_what_follows(text: str, feature: str) -> None:
    assert feature in analyse(text).features


def test_a_negated_swedish_delivery_is_an_attempt(world: OpenWorld) -> None:
    answer = world.resolve("Det gick inte att leverera.")
    assert answer is not None and answer.stage is Stage.DELIVERY_ATTEMPTED


def test_a_finnish_compound_splits_into_its_concepts() -> None:
    # "luovutusyritys" (delivery attempt) is delivery + attempt, as "Zustellversuch" is
    assert {"delivery", "attempt"} <= _concepts("luovutusyritys")


@pytest.mark.parametrize("text", ["Pakken er innlevert", "har netop indleveret en pakke"])
def test_a_parcel_handed_in_is_not_a_delivery(world: OpenWorld, text: str) -> None:
    # "innlevert" / "indleveret" end in the letters of "levert" / "leveret": those are not
    # one-word entries, so the compound splitter does not read a delivery into them
    assert "accepted" in _concepts(text) and "delivered" not in _concepts(text)
    answer = world.resolve(text)
    assert answer is not None and answer.stage is Stage.ACCEPTED


def test_the_definite_norwegian_noun_is_not_a_negation() -> None:
    # "sendingen" (the shipment) ends in "ingen" (no one): "ingen" is not an entry
    assert not _concepts("Sendingen er mottatt") & {"negation"}


def test_in_progress_customs_reads_as_customs_not_a_payment(world: OpenWorld) -> None:
    # "pågår" folds to "pagar", the Spanish "to pay": it is also `progressive`, and customs in
    # progress is import customs, not a hold for payment
    assert {"customs", "progressive"} <= _concepts("Tollbehandling pågår")
    answer = world.resolve("Tollbehandling pågår")
    assert answer is not None and answer.stage is Stage.IMPORT_CUSTOMS


def test_the_other_languages_still_read_as_before(world: OpenWorld) -> None:
    assert "payment" in _concepts("pendiente de pagar")
    for text, stage in [
        ("Spedizione consegnata", Stage.DELIVERED),
        ("Objeto saiu para entrega ao destinatário", Stage.OUT_FOR_DELIVERY),
        ("Die Sendung wurde dem Empfänger zugestellt", Stage.DELIVERED),
    ]:
        answer = world.resolve(text)
        assert answer is not None and answer.stage is stage, text
