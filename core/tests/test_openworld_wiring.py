"""The open-world layers in the event builder: every carrier's events get them, after its own rules.

Checks that an exact rule always beats inference and a code rule is never second-guessed, that the
answers are deterministic and cached per distinct text, that `Normalizer(infer=False)` and
``--no-infer`` keep tables only, that the stats and the summary count inferred events apart, that
canonical events written before still load, and a CLI run over a feed of unseen wordings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tracklingo import MatchKind, Normalizer, Stage, TrackingEvent, load_carriers
from tracklingo.events import mapper_for
from tracklingo.feeds import Record
from tracklingo.openworld import OpenWorld, installed_vocabularies, shared_world
from tracklingo.openworld.layer import INFERENCE, OPEN_WORLD, inference_on, set_inference

# Wordings of statuses no installed vocabulary holds exactly (checked below), in several languages.
UNSEEN = [
    "Your package is held by customs awaiting payment of duties",
    "Przesyłka zatrzymana przez urząd celny",
    "Ihr Paket wurde vom Zoll freigegeben",
    "Le colis a été livré à votre voisin",
]


def _flat(carrier: str, text: str, code: str | None = None, n: int = 1) -> dict[str, Any]:
    return {
        "carrier": carrier,
        "tracking_number": f"TEST{n:08d}",
        "timestamp": "2026-11-20T14:03:00-05:00",
        "description": text,
        "code": code,
        "country": "US",
    }


def _events(normalizer: Normalizer, records: list[dict[str, Any]]) -> list[TrackingEvent]:
    out: list[TrackingEvent] = []
    for i, rec in enumerate(records, 1):
        events, rejects = normalizer.process(Record(i, rec))
        assert not rejects, rejects
        out += events
    return out


@pytest.fixture(scope="module")
def registry() -> Any:
    return load_carriers()


def test_the_unseen_wordings_are_unseen() -> None:
    for vocab in installed_vocabularies():
        for text in UNSEEN:
            assert vocab.resolve(text).match is MatchKind.UNMAPPED, (vocab.carrier, text)


def test_unseen_wordings_get_a_stage_with_confidence_and_evidence(registry: Any) -> None:
    events = _events(Normalizer(registry), [_flat("usps", t, n=i) for i, t in enumerate(UNSEEN)])
    inferred = [e for e in events if e.match is MatchKind.INFERRED]
    assert inferred, [e.match for e in events]
    for e in inferred:
        assert e.confidence is not None and 0.0 < e.confidence <= 1.0
        assert e.evidence and e.stage is not Stage.UNKNOWN
    by_text = {e.description: e for e in events}
    assert by_text[UNSEEN[0]].stage is Stage.CUSTOMS_HOLD
    assert by_text[UNSEEN[1]].stage is Stage.CUSTOMS_HOLD


def test_an_exact_rule_always_beats_inference(registry: Any) -> None:
    # phrases of the carrier's own whose words alone the classifier reads as another stage: the
    # event must still follow the rule, as a phrase match with no confidence
    world = shared_world()
    carrier = registry.get("usps")
    contested = []
    for rule in carrier.vocabulary.rules:
        if rule.fallback or rule.context or rule.code or not rule.phrase or rule.vocabulary != "usps":
            continue
        for phrase in rule.phrase:
            pred = world.classifier.predict(phrase)
            if pred is not None and pred.stage is not rule.stage:
                contested.append((phrase, rule.stage))
    assert contested  # the check below means something only if the classifier disagrees somewhere
    events = _events(Normalizer(registry), [_flat("usps", p, n=i) for i, (p, _) in enumerate(contested)])
    for event, (phrase, stage) in zip(events, contested, strict=True):
        assert event.description == phrase
        assert event.stage is stage and event.match is not MatchKind.INFERRED and event.confidence is None


def test_inference_never_overrides_a_code_rule(registry: Any) -> None:
    fedex = registry.get("fedex")
    rule = next(
        r for r in fedex.vocabulary.rules if r.code and not r.phrase and not r.fallback and not r.context
    )
    code = rule.code[0]
    [event] = _events(Normalizer(registry), [_flat("fedex", UNSEEN[0], code=code)])
    assert event.match is MatchKind.CODE and event.stage is rule.stage
    assert event.confidence is None and event.evidence is None


def test_no_infer_keeps_tables_only(registry: Any) -> None:
    records = [_flat("dhl", t, n=i) for i, t in enumerate(UNSEEN)]
    tables = Normalizer(registry, infer=False)
    events = _events(tables, records)
    assert not any(e.match is MatchKind.INFERRED for e in events)
    assert tables.stats.inferred == 0 and tables.stats.unmapped >= 1
    inferring = Normalizer(registry)
    again = _events(inferring, records)
    assert inferring.stats.inferred >= 1 and any(e.match is MatchKind.INFERRED for e in again)
    # each normalizer applies its own setting, whichever was made last
    assert not any(e.match is MatchKind.INFERRED for e in _events(tables, records))


def test_the_summary_counts_inferred_apart(registry: Any) -> None:
    normalizer = Normalizer(registry)
    _events(normalizer, [_flat("usps", t, n=i) for i, t in enumerate(UNSEEN)] + [_flat("usps", "Delivered")])
    stats = normalizer.stats
    assert stats.inferred >= 1 and stats.events_out == len(UNSEEN) + 1
    assert f"/ inferred {stats.inferred}" in stats.summary()
    assert stats.inferred_by_carrier["usps"] == stats.inferred


def test_answers_are_deterministic() -> None:
    a, b = OpenWorld(installed_vocabularies()), OpenWorld(installed_vocabularies())
    for text in UNSEEN:
        assert a.resolve(text) == b.resolve(text)


def test_each_distinct_text_is_read_once(registry: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world = shared_world()
    calls: list[str] = []
    real = world.classifier.predict

    def counting(text: Any, near: Any = None) -> Any:
        calls.append(getattr(text, "tokens", text))
        return real(text, near)

    monkeypatch.setattr(world.classifier, "predict", counting)
    texts = [f"Paket beim Zoll festgehalten, Vorgang {i % 3}" for i in range(60)]  # 3 distinct texts
    normalizer = Normalizer(registry)
    for carrier in registry:
        mapper_for(carrier).switch(INFERENCE, True)  # a fresh builder memo: every text reaches the layer
    events = _events(normalizer, [_flat("dhl", t, n=i) for i, t in enumerate(texts)])
    assert len(events) == 60
    assert 1 <= len(calls) <= 3


def test_a_mapper_switch_is_applied_only_when_it_changes(registry: Any) -> None:
    mapper = mapper_for(registry.get("usps"))
    set_inference(mapper, True)
    assert inference_on(mapper) and {OPEN_WORLD, INFERENCE} <= {layer.name for layer in mapper.layers}
    assert [layer.name for layer in mapper.layers][:2] == ["rules", "fallback"]  # they come last
    set_inference(mapper, False)
    assert not inference_on(mapper)
    set_inference(mapper, True)
    assert inference_on(mapper)


def test_canonical_events_written_before_still_load() -> None:
    old = {
        "carrier": "usps",
        "tracking_number": "9400100000000000000000",
        "occurred_at": "2026-11-20T14:03:00-05:00",
        "stage": "delivered",
        "status": "delivered",
        "description": "Delivered",
        "match": "phrase",
    }
    event = TrackingEvent.model_validate(old)
    assert event.confidence is None and event.evidence is None
    schema = TrackingEvent.model_json_schema()
    assert {"confidence", "evidence"} <= set(schema["properties"])
    assert "inferred" in json.dumps(schema)


def test_cli_over_a_feed_of_unseen_wordings(run_cli: Any, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    # the test carriers ACME and Beta (installed alone): the layers know the installed plugins'
    # vocabularies and the core's shared ones
    lines = [json.dumps(_flat("acme", t, n=i)) for i, t in enumerate(UNSEEN * 3)]
    feed.write_text("\n".join(lines) + "\n")
    r = run_cli("normalize", str(feed))
    assert r.returncode == 0, r.stderr
    events = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(events) == len(lines)
    inferred = [e for e in events if e["match"] == "inferred"]
    assert inferred and all(0 < e["confidence"] <= 1 and e["evidence"] for e in inferred)
    assert f"/ inferred {len(inferred)}" in r.stderr
    r = run_cli("normalize", str(feed), "--no-infer")
    assert r.returncode == 0, r.stderr
    assert not any(json.loads(x)["match"] == "inferred" for x in r.stdout.splitlines())
    cov = run_cli("coverage", str(feed), "--json")
    assert cov.returncode == 0, cov.stderr
    [acme] = json.loads(cov.stdout)["carriers"]
    rows = acme["inferred_texts"]
    assert rows and rows[0]["count"] == 3 and "[[rule]]" in rows[0]["stub"]
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)


def test_a_reading_from_a_carriers_idiom_alone_is_not_given() -> None:
    # "new" is a word some vocabularies use, but no concept of the lexicon: no answer from it
    answer = shared_world().resolve("NEW THING")
    assert answer is not None and answer.match is MatchKind.UNMAPPED and answer.stage is Stage.UNKNOWN
    pred = shared_world().classifier.predict("NEW THING")
    assert pred is not None and not pred.grounded  # the classifier had a guess; it is not given


def test_explain_reads_an_unseen_wording_and_abstains_with_suggestions(run_cli: Any) -> None:
    r = run_cli("explain", UNSEEN[0])
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "tracklingo has not seen this exact wording; from 'customs'" in text
    assert "it reads as held by customs (confidence 0." in text
    [found] = json.loads(run_cli("explain", UNSEEN[0], "--json").stdout)
    assert (found["known"], found["stage"], found["match"]) == (True, "customs_hold", "inferred")
    assert 0 < found["confidence"] <= 1 and found["evidence"]
    r = run_cli("explain", UNSEEN[0], "--no-infer", "--json")
    [tables] = json.loads(r.stdout)
    assert (tables["known"], tables["stage"], tables["match"]) == (False, "unknown", "unmapped")
    assert tables["suggestions"] and {"text", "stage", "vocabulary", "similarity"} <= set(
        tables["suggestions"][0]
    )


def test_the_batch_path_reads_and_counts_as_the_per_record_path(registry: Any) -> None:
    pa = pytest.importorskip("pyarrow")  # the arrow extra
    from tracklingo.batch import BatchNormalizer

    records = [_flat("usps", t, n=i) for i, t in enumerate(UNSEEN * 2)]
    for infer in (True, False):
        batch = BatchNormalizer(registry, infer=infer)
        events, rejects = batch.normalize(pa.Table.from_pylist(records))
        assert rejects.num_rows == 0
        per = Normalizer(registry, infer=infer)
        expected = _events(per, records)
        assert events.column("match").to_pylist() == [e.match.value for e in expected]
        assert events.column("stage").to_pylist() == [e.stage.value for e in expected]
        assert (batch.stats.inferred, batch.stats.borrowed) == (per.stats.inferred, per.stats.borrowed)
        assert (batch.stats.inferred > 0) is infer
