"""`tracklingo.coverage` and `tracklingo coverage`: unmapped texts and codes ranked per carrier, each
with a rule stub that loads once its TODOs are filled in."""

from __future__ import annotations

import json
import tomllib
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tracklingo import MatchKind, Registry, Stage, Vocabulary, VocabularyError
from tracklingo.coverage import CoverageReport, coverage_report, suggest_stage
from tracklingo.events import mapper_for
from tracklingo.feeds import Record
from tracklingo.openworld.layer import tables_only
from tracklingo.vocabulary import shared_vocabulary


def flat(
    carrier: str | None, text: str, number: str = "ACME1", code: str | None = None, **kw: Any
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "tracking_number": number,
        "timestamp": "2026-11-20T14:03:00-05:00",
        "description": text,
        **kw,
    }
    if carrier:
        rec["carrier"] = carrier
    if code:
        rec["code"] = code
    return rec


FEED = [
    flat("acme", "In transit"),  # mapped
    flat("acme", "Weird scan", code="WS"),
    flat("acme", "Weird scan", number="ACME2", code="WS"),
    flat("acme", "WEIRD SCAN.", number="ACME3", code="WS"),  # same text, normalised
    flat("acme", "Parcel delivered to neighbour"),
    flat("acme", "Arrived at CHICAGO depot", city="CHICAGO"),
    flat("acme", "Arrived at DENVER depot", number="ACME4", city="DENVER"),
    flat("beta", "Departure from outward office of exchange", number="B1"),
    flat("beta", "Zzz", number="B2"),
    {"carrier": "acme", "description": "no number"},  # rejected
]


def stub_vocabulary(carrier: str, stub: str) -> Vocabulary:
    text = f'[meta]\ncarrier = "{carrier}"\n\n{stub}\n'
    return Vocabulary.from_dict(tomllib.loads(text))


@pytest.fixture
def report(acme_registry: Registry) -> CoverageReport:
    # the carriers' own vocabularies only: what no rule of theirs maps (the open-world layers'
    # readings are listed apart: test_open_world_readings_are_listed_apart)
    with ExitStack() as stack:
        for carrier in acme_registry:
            stack.enter_context(tables_only(mapper_for(carrier)))
        return coverage_report(FEED, registry=acme_registry)


def test_open_world_readings_are_listed_apart(acme_registry: Registry) -> None:
    report = coverage_report(FEED, registry=acme_registry)
    beta = report.carriers["beta"]
    assert [e.text for e in beta.ranked()] == ["Zzz"]  # nothing reads it
    [departure] = beta.ranked_inferred()
    assert (departure.text, departure.stage, departure.match) == (
        "Departure from outward office of exchange",
        Stage.DEPARTED_ORIGIN_COUNTRY,
        MatchKind.CROSS_CARRIER,
    )
    vocab = stub_vocabulary("beta", departure.stub)
    assert vocab.resolve(departure.text).stage is Stage.DEPARTED_ORIGIN_COUNTRY
    assert report.inferred == sum(c.inferred for c in report.carriers.values()) >= 1
    acme = report.carriers["acme"].ranked_inferred()
    assert [e.count for e in acme] == sorted((e.count for e in acme), reverse=True)
    tables = coverage_report(FEED, registry=acme_registry, infer=False)
    assert not any(
        e.match is MatchKind.INFERRED for c in tables.carriers.values() for e in c.ranked_inferred()
    )


def test_ranked_by_frequency_per_carrier(report: CoverageReport) -> None:
    assert report.records_in == 10 and report.records_rejected == 1
    assert report.events == 9 and report.unmapped == 8
    acme, beta = report.ranked_carriers()
    assert (acme.carrier, acme.events, acme.unmapped) == ("acme", 7, 6)
    assert (beta.carrier, beta.unmapped) == ("beta", 2)
    ranked = acme.ranked()
    assert [(e.code, e.count) for e in ranked[:2]] == [("WS", 3), (None, 2)]
    assert ranked[0].texts == {"Weird scan": 2, "WEIRD SCAN.": 1}
    assert ranked[0].examples == ["ACME1", "ACME2", "ACME3"]
    assert ranked[1].pattern == "^Arrived at (?P<city>.+?) depot$"
    assert acme.mapped_ratio == pytest.approx(1 / 7)


def test_stub_from_another_vocabulary_loads_and_maps(report: CoverageReport) -> None:
    beta = report.carriers["beta"]
    entry = next(e for e in beta.ranked() if e.text and e.text.startswith("Departure"))
    assert entry.suggested_stage is Stage.DEPARTED_ORIGIN_COUNTRY
    assert entry.suggested_because == "the upu vocabulary maps this text to departed_origin_country"
    stub = entry.stub()
    assert stub.splitlines()[0] == "[[rule]]"
    assert 'phrase = "Departure from outward office of exchange"' in stub
    assert 'source = "TODO: the page or document that says what this means"' in stub
    vocab = stub_vocabulary("beta", stub)
    assert vocab.resolve("Departure from outward office of exchange").stage is Stage.DEPARTED_ORIGIN_COUNTRY


def test_pattern_stub_matches_every_variant_and_captures_the_place(report: CoverageReport) -> None:
    entry = report.carriers["acme"].ranked()[1]
    assert entry.suggested_stage is Stage.IN_TRANSIT  # guessed from "arrived"
    vocab = stub_vocabulary("acme", entry.stub())
    res = vocab.resolve("Arrived at SALT LAKE CITY depot")
    assert res.stage is Stage.IN_TRANSIT and dict(res.captured) == {"city": "SALT LAKE CITY"}


def test_keyword_guess_and_todo_stage(report: CoverageReport) -> None:
    acme = report.carriers["acme"]
    neighbour = next(e for e in acme.ranked() if e.text == "Parcel delivered to neighbour")
    assert neighbour.suggested_stage is Stage.DELIVERED
    assert 'guessed from the word "delivered": check it' in neighbour.stub()
    weird = acme.ranked()[0]
    assert weird.suggested_stage is None
    stub = weird.stub()
    assert 'code = "WS"' in stub and 'phrase = "Weird scan"' in stub and 'stage = "TODO"' in stub
    with pytest.raises(VocabularyError, match="stage 'TODO' does not exist; use one of"):
        stub_vocabulary("acme", stub)  # a stub loads only once someone chose its stage


def test_suggest_stage_order() -> None:
    upu = shared_vocabulary("upu")
    assert suggest_stage("Item out for physical delivery", [upu])[0] is Stage.OUT_FOR_DELIVERY
    assert suggest_stage("Held by customs: duties owed")[0] is Stage.CUSTOMS_HOLD
    assert suggest_stage("Customs clearance started")[0] is Stage.IMPORT_CUSTOMS
    assert suggest_stage("Scanned")[0] is None
    assert suggest_stage(None) == (None, None)


def test_stub_quotes_awkward_text(acme_registry: Registry) -> None:
    feed = [flat("acme", 'He said "hi" \\ it\'s odd', code='Q"1')]
    entry = coverage_report(feed, registry=acme_registry).carriers["acme"].ranked()[0]
    rule = tomllib.loads(entry.stub().replace('"TODO"', '"exception"'))["rule"][0]
    assert rule["phrase"] == 'He said "hi" \\ it\'s odd' and rule["code"] == 'Q"1'


def test_carrier_option_assumes_and_filters(acme_registry: Registry) -> None:
    feed = [flat(None, "Mystery", number="ACME9"), flat("beta", "Zzz", number="B2")]
    report = coverage_report(
        (Record(i, r) for i, r in enumerate(feed, 1)), registry=acme_registry, carrier="acme"
    )
    assert list(report.carriers) == ["acme"]
    assert report.carriers["acme"].ranked()[0].text == "Mystery"


def test_to_dict_is_json(report: CoverageReport) -> None:
    data = json.loads(json.dumps(report.to_dict()))
    assert data["records_in"] == 10 and data["unmapped"] == 8
    first = data["carriers"][0]
    assert first["carrier"] == "acme"
    assert first["unmapped_texts"][0] | {"stub": None} == {
        "code": "WS",
        "text": "Weird scan",
        "pattern": None,
        "count": 3,
        "variants": 2,
        "examples": ["ACME1", "ACME2", "ACME3"],
        "suggested_stage": None,
        "suggested_because": None,
        "stub": None,
    }
    assert data["reject_reasons"] == {"missing field 'tracking_number'": 1}


def test_render_text(report: CoverageReport) -> None:
    text = report.render(limit=1)
    assert text.splitlines()[0] == (
        "10 records, 9 events, 8 unmapped; 1 records rejected (tracklingo normalize --rejects FILE says why)"
    )
    assert "acme: 7 events, 6 unmapped (14.3% mapped), 3 distinct unmapped texts" in text
    assert '      3x  code WS "Weird scan" (2 variants)  e.g. ACME1' in text
    assert "           [[rule]]" in text
    assert "  ... 2 more (--limit 0 shows all)" in text


# -- the command ---------------------------------------------------------------------------------


@pytest.fixture
def run(run_cli: Any) -> Any:
    return run_cli


def test_cli_text_and_json(run: Any, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in FEED) + "\n")
    r = run("coverage", str(feed))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("10 records, 9 events, ")
    assert "read by the open-world layers, to confirm" in r.stdout
    assert 'phrase = "Departure from outward office of exchange"' in r.stdout
    r = run("coverage", str(feed), "--carrier", "beta", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [c["carrier"] for c in data["carriers"]] == ["beta"]
    [beta] = data["carriers"]
    assert [e["text"] for e in beta["unmapped_texts"]] == ["Zzz"]
    [departure] = beta["inferred_texts"]
    assert (departure["text"], departure["stage"], departure["match"], departure["count"]) == (
        "Departure from outward office of exchange",
        "departed_origin_country",
        "cross_carrier",
        1,
    )


def test_cli_stdin_and_errors(run: Any, tmp_path: Path) -> None:
    r = run("coverage", "--json", stdin=json.dumps(flat("acme", "Odd")) + "\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["carriers"][0]["unmapped_texts"][0]["text"] == "Odd"
    r = run("coverage", str(tmp_path / "nope.jsonl"))
    assert r.returncode == 1
    assert r.stderr.strip() == f"tracklingo: error: {tmp_path / 'nope.jsonl'}: no such file"
    r = run("coverage", "--carrier", "nosuch", "-", stdin="")
    assert r.returncode == 1
    assert r.stderr.startswith("tracklingo: error: unknown carrier 'nosuch'")
    r = run("coverage", "--help")
    assert r.returncode == 0 and "suggested vocabulary rule stub" in r.stdout
