"""The open-world layers in Italian and Portuguese: the concept lexicon's `it` and `pt` words
carry what the classifier learned from the other languages' phrases.

The texts here are written for the tests from the words the lexicon's sources show (docs/sources.md,
"Open-world lexicon: Italian and Portuguese"), not taken from the held-out files."""

from __future__ import annotations

import pytest

from tracklingo.openworld import OpenWorld, installed_vocabularies
from tracklingo.openworld.features import analyse
from tracklingo.openworld.lexicon import load_lexicon, words
from tracklingo.taxonomy import MatchKind, Stage


@pytest.fixture(scope="module")
def world() -> OpenWorld:
    return OpenWorld(installed_vocabularies())


def _concepts(text: str) -> set[str]:
    return {h.concept for h in load_lexicon().hits(words(text))}


def test_the_lexicon_declares_italian_and_portuguese() -> None:
    import tomllib
    from importlib import resources

    raw = tomllib.loads(resources.files("tracklingo").joinpath("data", "lexicon.toml").read_text("utf-8"))
    assert {"it", "pt"} <= set(raw["meta"]["languages"])
    # every concept a language covers is said in both new languages too, where it is said at all
    it = {c["name"] for c in raw["concept"] if c.get("it")}
    pt = {c["name"] for c in raw["concept"] if c.get("pt")}
    assert {"customs", "delivered", "delivery", "attempt", "collect", "return", "sender"} <= it & pt


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("sdoganamento", {"customs"}),
        ("consegnata", {"delivered"}),
        ("tentativo di recapito", {"attempt", "delivery"}),
        ("destinatario assente", {"recipient_absent"}),
        ("ufficio postale", {"post_office"}),
        ("rispedito al mittente", {"return", "sender"}),
        ("alfândega", {"customs"}),
        ("entregue ao destinatário", {"delivered", "recipient"}),
        ("saiu para entrega", {"out_for_delivery"}),
        ("aguardando retirada", {"collect"}),
        ("disponível", {"ready"}),
        ("devolvido ao remetente", {"return", "sender"}),
    ],
)
def test_italian_and_portuguese_words_are_concepts(text: str, concepts: set[str]) -> None:
    assert concepts <= _concepts(text)


def test_italian_and_portuguese_function_words_give_no_word_feature() -> None:
    # "della", "presso", "objeto", "pelo" say nothing about the parcel
    features = analyse("Objeto recebido pelo centro della spedizione presso").features
    assert not {"w:della", "w:presso", "w:objeto", "w:pelo"} & features


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("Tentativo di recapito, destinatario assente", Stage.DELIVERY_ATTEMPTED),
        ("La spedizione è in consegna", Stage.OUT_FOR_DELIVERY),
        ("Spedizione consegnata", Stage.DELIVERED),
        ("Disponibile per il ritiro presso l'ufficio postale", Stage.AVAILABLE_FOR_PICKUP),
        ("Rispedito al mittente", Stage.RETURN_TO_SENDER),
        ("Invio danneggiato", Stage.EXCEPTION),
        ("Objeto saiu para entrega ao destinatário", Stage.OUT_FOR_DELIVERY),
        ("Objeto entregue ao destinatário", Stage.DELIVERED),
        ("Objeto aguardando retirada", Stage.AVAILABLE_FOR_PICKUP),
        ("Fiscalização aduaneira finalizada", Stage.CUSTOMS_CLEARED),
        ("A entrega não pode ser efetuada - Carteiro não atendido", Stage.DELIVERY_ATTEMPTED),
    ],
)
def test_italian_and_portuguese_texts_are_inferred(world: OpenWorld, text: str, stage: Stage) -> None:
    answer = world.resolve(text)
    assert answer is not None
    assert answer.match is MatchKind.INFERRED
    assert answer.stage is stage


def test_a_negated_italian_delivery_is_not_a_delivery(world: OpenWorld) -> None:
    # "non" qualifies what follows, as "not", "nicht", "pas" do
    features = analyse("Spedizione non consegnata").features
    assert "m:negation:delivered" in features and "c:delivered" not in features
    answer = world.resolve("Spedizione non consegnata")
    assert answer is not None and answer.stage is not Stage.DELIVERED


# -- stage priority and words that are not what they look like -------------------------------


@pytest.mark.parametrize("text", ["Incorrect return address", "The return address on the label is missing"])
def test_a_return_address_is_an_address_not_a_return(world: OpenWorld, text: str) -> None:
    # "return address" is one entry of `address`: the longer entry wins over the `return` frame
    assert "return" not in _concepts(text) and "address" in _concepts(text)
    answer = world.resolve(text)
    assert answer is not None
    assert answer.stage not in (Stage.RETURN_TO_SENDER, Stage.RETURNED)


def test_a_release_from_a_customs_hold_is_a_clearance(world: OpenWorld) -> None:
    # held and released together: the release is the later of the two
    text = "Shipment released from customs hold"
    assert {"customs", "held", "released"} <= _concepts(text)
    answer = world.resolve(text)
    assert answer is not None and answer.stage is Stage.CUSTOMS_CLEARED


def test_a_completed_clearance_is_a_clearance(world: OpenWorld) -> None:
    assert "complete" in _concepts("Completion of clearance")
    answer = world.resolve("Completion of clearance")
    assert answer is not None and answer.stage is Stage.CUSTOMS_CLEARED


@pytest.mark.parametrize("text", ["Address error", "Erreur d'adresse", "Error en la dirección"])
def test_an_address_error_is_an_exception(world: OpenWorld, text: str) -> None:
    assert {"address", "wrong"} <= _concepts(text)
    answer = world.resolve(text)
    assert answer is not None and answer.stage is Stage.EXCEPTION


# -- conditions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Parcel will be returned to sender if not collected within 7 days",
        "If not collected, the parcel will be returned to the sender",
        "Le colis sera retourné à l'expéditeur faute de retrait",
    ],
)
def test_a_return_on_condition_of_no_collection_is_a_parcel_waiting(world: OpenWorld, text: str) -> None:
    # "if not" is one entry: the collection is the condition, and the negation does not wander
    features = analyse(text).features
    assert any(f.startswith("m:conditional:") for f in features)
    assert not any(f.startswith("m:negation:") for f in features)
    answer = world.resolve(text)
    assert answer is not None and answer.stage is Stage.AVAILABLE_FOR_PICKUP


def test_a_collection_that_did_not_happen_is_still_a_return(world: OpenWorld) -> None:
    # no condition: not collected, and being returned
    text = "The parcel was not collected and is being returned to the sender"
    assert "m:negation:picked_up" in analyse(text).features
    answer = world.resolve(text)
    assert answer is not None and answer.stage is Stage.RETURN_TO_SENDER
