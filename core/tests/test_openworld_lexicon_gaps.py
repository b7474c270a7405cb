"""The lexicon and sentence-form entries added for the gaps measured on held-out real texts.

Checks, at the level of the lexicon, that each new family is found in every language it was added
in (and that a longer entry takes its words from a shorter one of another concept: "pending
release" is a hold, not a release; "przyjęcie przesyłki w oddziale" is an arrival, not an
acceptance); that DHL's long customs-clearance sentence is read through its sentence form; that
the open world reads the new families as their stage; and that the sixth held-out set of real
texts (``data/unseen_texts_batch6.jsonl``, collected after these entries and measured untouched)
is well formed and stays above its measured floor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracklingo.openworld import OpenWorld, installed_vocabularies
from tracklingo.openworld.forms import load_forms
from tracklingo.openworld.lexicon import load_lexicon, words
from tracklingo.openworld.measure import evaluate_texts, load_labelled
from tracklingo.plugins import load_carriers
from tracklingo.taxonomy import MatchKind, Stage

BATCH6 = Path(__file__).parent / "data" / "unseen_texts_batch6.jsonl"


def _concepts(text: str) -> set[str]:
    return {hit.concept for hit in load_lexicon().hits(words(text))}


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # cannot be delivered at all: an exception, in six languages
        ("Item is undeliverable", "undeliverable"),
        ("Shipment cannot be delivered", "undeliverable"),
        ("Sendung unzustellbar", "undeliverable"),
        ("Zending kan niet worden bezorgd", "undeliverable"),
        ("Colis non distribuable", "undeliverable"),
        ("El envío no se puede entregar", "undeliverable"),
        ("Przesyłka niedoręczalna", "undeliverable"),
        # Dutch customs verbs are customs as well as a release
        ("Zending is ingeklaard", "customs"),
        ("Zending is ingeklaard", "released"),
        ("Pakket wordt uitgeklaard", "customs"),
        ("pending release from a Government Agency", "customs"),
        # on the delivery vehicle
        ("Loading into delivery vehicle", "out_for_delivery"),
        ("Colis chargé dans le véhicule de livraison", "out_for_delivery"),
        ("Cargado en el vehículo de reparto", "out_for_delivery"),
        ("Wydanie przesyłki do doręczenia", "out_for_delivery"),
        # parcel machines and lockers
        ("Deposited in the parcel machine", "pickup_point"),
        ("Sendung liegt in der Poststation", "pickup_point"),
        ("Paczka w automacie paczkowym", "pickup_point"),
        # at the recipient's disposal: collect it
        ("A disposición del destinatario", "collect"),
        ("Colis à disposition du destinataire", "collect"),
        ("Available for collection", "collect"),
        # in preparation is a label, like "en préparation" and "en preparación" already were
        ("Shipment in preparation", "label"),
        ("Sendung in Vorbereitung", "label"),
        ("Zending in voorbereiding", "label"),
        # an origin country is a country (its departure is a border)
        ("Le colis a quitté le pays d'origine", "country"),
    ],
)
def test_a_new_family_is_found(text: str, concept: str) -> None:
    assert concept in _concepts(text)


@pytest.mark.parametrize(
    ("text", "gained", "lost"),
    [
        ("Pending release from a Government Agency", "held", "released"),
        ("Przyjęcie przesyłki w oddziale", "arrived", "accepted"),
        ("Przyjęta w sortowni", "arrived", "accepted"),
        ("Cannot be delivered", "undeliverable", "delivered"),
    ],
)
def test_the_longer_entry_takes_its_words(text: str, gained: str, lost: str) -> None:
    found = _concepts(text)
    assert gained in found
    assert lost not in found


DHL_COMPLETED = (
    "The customs clearance process for import into the destination country/region has been completed."
)


def test_dhl_customs_clearance_sentence_is_read_by_its_form() -> None:
    reading = load_forms().read(DHL_COMPLETED)
    assert [k.text for k in reading.kernels][:1] == ["Customs clearance process completed"]
    assert "dhl-customs-clearance-process" in reading.kernels[0].forms


@pytest.fixture(scope="module")
def world() -> OpenWorld:
    return OpenWorld(installed_vocabularies())


@pytest.mark.parametrize(
    ("text", "stage", "match"),
    [
        (DHL_COMPLETED, Stage.CUSTOMS_CLEARED, MatchKind.SENTENCE_FORM),
        ("Pending release from a Government Agency", Stage.CUSTOMS_HOLD, MatchKind.INFERRED),
        ("Item is undeliverable", Stage.EXCEPTION, MatchKind.INFERRED),
        ("Le colis ne peut pas être livré", Stage.EXCEPTION, MatchKind.INFERRED),
        ("Parcel loaded into the delivery vehicle", Stage.OUT_FOR_DELIVERY, MatchKind.INFERRED),
        ("Zending is ingeklaard", Stage.CUSTOMS_CLEARED, MatchKind.INFERRED),
        ("Deposited in the parcel machine", Stage.AVAILABLE_FOR_PICKUP, MatchKind.INFERRED),
        ("Przyjęcie przesyłki w sortowni", Stage.IN_TRANSIT, MatchKind.INFERRED),
    ],
)
def test_the_open_world_reads_the_new_families(
    world: OpenWorld, text: str, stage: Stage, match: MatchKind
) -> None:
    answer = world.resolve(text)
    assert answer is not None
    assert (answer.stage, answer.match) == (stage, match)


def test_batch6_is_well_formed_and_unused_as_vocabulary() -> None:
    rows = [json.loads(line) for line in BATCH6.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 30
    for row in rows:
        assert set(row) >= {"text", "stage", "carrier", "lang", "source"}, row
        Stage(row["stage"])
        assert row["lang"] in {"en", "de", "nl", "fr", "es", "pl"}
        assert "http" in row["source"] or "search-index file id" in row["source"], row
    assert len({r["text"] for r in rows}) == len(rows)


def test_batch6_through_all_layers() -> None:
    # a regression floor, not the target: measured untouched after the entries were written
    # (79.4 % right, 14.7 % wrong, 5.9 % unknown of 34); with the batch-11 parts and lexicon words
    # merged: 79.4 % right, 8.8 % wrong, 11.8 % unknown (two wrong readings now abstain); with the
    # label audit's address problems filed under exception (issue 15): 76.5 % right, 8.8 % wrong,
    # 14.7 % unknown (a courier without the access code "to access the address" now abstains:
    # its "address" leans to exception, its failed delivery to an attempt)
    registry = load_carriers()
    own = {c.name: c.vocabulary for c in registry}
    rows = [dict(r, expected=r["stage"]) for r in load_labelled(BATCH6)]
    tallies, outcomes = evaluate_texts(rows, own, OpenWorld(installed_vocabularies(registry)))
    overall = tallies["overall"]
    assert overall.n == len(outcomes) == len(rows)
    assert overall.correct / overall.n >= 0.75
    assert overall.wrong / overall.n <= 0.18
    assert overall.abstained / overall.n <= 0.15
