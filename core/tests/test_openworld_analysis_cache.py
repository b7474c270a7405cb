"""The classifier's analysed examples kept across processes (`features.analyse_all`, through
`tracklingo.tomlcache.recall` / `remember`): the same analyses with or without the cache."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tracklingo import tomlcache
from tracklingo.openworld import features
from tracklingo.openworld.features import Analysis, analyse, analyse_all
from tracklingo.openworld.forms import load_forms
from tracklingo.openworld.infer import StageClassifier, labelled_examples
from tracklingo.openworld.lexicon import load_lexicon
from tracklingo.vocabulary import shared_vocabulary

TEXTS = (
    "Held in Customs",
    "Delivery attempted - no access to delivery location",
    "Die Sendung wurde nicht zugestellt",
    "Arrived at USPS Regional Facility MEMPHIS TN",
    "PostNL: your parcel was delivered to a neighbour",
    "Held in Customs",  # a repeat: one analysis
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", str(tmp_path))
    return tmp_path / "toml"


def _same(a: Analysis, b: Analysis) -> None:
    assert a == b
    assert list(a.features) == list(b.features)  # the classifier's counts follow this order
    assert list(a.shown.items()) == list(b.shown.items())


def _entries(folder: Path) -> list[Path]:
    """The cache's entries of analyses (parsed TOML files are entries too)."""
    import marshal

    out = []
    for path in sorted(folder.glob("*.marshal")) if folder.exists() else []:
        data = marshal.loads(path.read_bytes())
        if isinstance(data, dict) and str(data.get("kind", "")).startswith("openworld-analyses"):
            out.append(path)
    return out


def _no_analysis(*args: Any, **kwargs: Any) -> Analysis:
    raise AssertionError("analysed although the cache holds the text")


@pytest.mark.parametrize("with_forms", [True, False])
def test_cold_and_warm_give_the_analyses_of_analyse(
    cache: Path, monkeypatch: pytest.MonkeyPatch, with_forms: bool
) -> None:
    lex, forms = load_lexicon(), (load_forms() if with_forms else None)
    cold = analyse_all(TEXTS, lex, forms)
    assert list(cold) == list(dict.fromkeys(TEXTS))
    assert len(_entries(cache)) == 1
    monkeypatch.setattr(features, "analyse", _no_analysis)
    warm = analyse_all(TEXTS, lex, forms)
    monkeypatch.undo()
    for text in TEXTS:
        fresh = analyse(text, lex, forms)
        _same(cold[text], fresh)
        _same(warm[text], fresh)


def test_forms_and_no_forms_are_kept_apart(cache: Path) -> None:
    lex = load_lexicon()
    analyse_all(TEXTS, lex, load_forms())
    analyse_all(TEXTS, lex, None)
    assert len(_entries(cache)) == 2


def test_a_new_text_is_analysed_and_added(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lex = load_lexicon()
    analyse_all(TEXTS[:2], lex, None)
    both = analyse_all(TEXTS, lex, None)
    assert set(both) == set(TEXTS)
    monkeypatch.setattr(features, "analyse", _no_analysis)
    assert set(analyse_all(TEXTS, lex, None)) == set(TEXTS)


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01not marshal", None])
def test_a_broken_entry_falls_back_to_analysing(cache: Path, garbage: bytes | None) -> None:
    import marshal

    lex = load_lexicon()
    analyse_all(TEXTS, lex, None)
    (entry,) = _entries(cache)
    # truncated, foreign, or a table of the right kind holding values of the wrong shape
    entry.write_bytes(
        garbage
        if garbage is not None
        else marshal.dumps({"kind": "openworld-analyses 1", "analyses": {t: (1, 2) for t in TEXTS}})
    )
    again = analyse_all(TEXTS, lex, None)
    for text in TEXTS:
        _same(again[text], analyse(text, lex, None))


def test_another_lexicon_is_not_cached(cache: Path) -> None:
    other = copy.copy(load_lexicon())
    out = analyse_all(TEXTS, other, None)
    assert _entries(cache) == []
    _same(out[TEXTS[0]], analyse(TEXTS[0], other, None))


def test_cache_off_still_analyses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", "off")
    out = analyse_all(TEXTS, load_lexicon(), None)
    _same(out[TEXTS[1]], analyse(TEXTS[1], load_lexicon(), None))


def test_classifier_answers_the_same_from_the_cache(cache: Path) -> None:
    examples = labelled_examples([shared_vocabulary("upu")])
    asked = ["Item held by customs", "Item delivered to the recipient", "Item returned to sender"]
    cold = StageClassifier(examples, forms=load_forms())
    assert len(_entries(cache)) == 1
    warm = StageClassifier(examples, forms=load_forms())
    plain = StageClassifier(examples, forms=load_forms(), analyses={})
    for text in asked:
        assert cold.predict(text) == warm.predict(text) == plain.predict(text)


def test_recall_and_remember(cache: Path) -> None:
    assert tomlcache.recall("kind a", "key") is None
    tomlcache.remember("kind a", "key", {"x": (1, "y")})
    assert tomlcache.recall("kind a", "key") == {"x": (1, "y"), "kind": "kind a"}
    assert tomlcache.recall("kind b", "key") is None
    assert tomlcache.recall("kind a", "other key") is None


def test_the_experiment_knobs_are_part_of_the_key(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lex = load_lexicon()
    analyse_all(TEXTS, lex, None)
    monkeypatch.setattr(features, "STEM", False)
    unstemmed = analyse_all(TEXTS, lex, None)
    assert len(_entries(cache)) == 2
    _same(unstemmed[TEXTS[4]], analyse(TEXTS[4], lex, None))


# -- the trained tables (`infer._Counts`), kept as an entry of their own ------------------------


def _tables_entries(folder: Path) -> list[Path]:
    import marshal

    out = []
    for path in sorted(folder.glob("*.marshal")) if folder.exists() else []:
        data = marshal.loads(path.read_bytes())
        if isinstance(data, dict) and str(data.get("kind", "")).startswith("openworld-tables"):
            out.append(path)
    return out


def _table_bytes(classifier: StageClassifier) -> bytes:
    """The tables' bytes: marshal format 2 (no references between equal objects, so the bytes
    depend on the values and their order only, not on which objects are shared)."""
    import marshal

    return marshal.dumps(classifier._base.to_plain(), 2)


def _no_analyse_all(*args: Any, **kwargs: Any) -> dict[str, Analysis]:
    raise AssertionError("the examples were analysed although the cache holds the tables")


def test_cached_tables_are_byte_identical_to_fresh_ones(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracklingo.openworld import infer

    examples = labelled_examples([shared_vocabulary("upu"), shared_vocabulary("world")])
    cold = StageClassifier(examples, forms=load_forms())
    assert len(_tables_entries(cache)) == 1 and not cold._unanalysed
    monkeypatch.setattr(infer, "analyse_all", _no_analyse_all)
    warm = StageClassifier(examples, forms=load_forms())
    assert warm._unanalysed  # read back, nothing analysed
    monkeypatch.undo()
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", "off")
    fresh = StageClassifier(examples, forms=load_forms())
    assert _table_bytes(cold) == _table_bytes(warm) == _table_bytes(fresh)
    for text in ("Item held by customs", "Parcel handed to the neighbour", "Item returned to sender"):
        assert warm.predict(text) == fresh.predict(text)
        assert warm.neighbours(text, 5) == fresh.neighbours(text, 5)


def test_leave_one_out_from_cached_tables(cache: Path) -> None:
    examples = labelled_examples([shared_vocabulary("upu")])
    StageClassifier(examples, forms=load_forms())
    warm = StageClassifier(examples, forms=load_forms())
    fresh = StageClassifier(examples, forms=load_forms(), analyses={})
    drop = [e for e in examples if e.stage is examples[0].stage][:3]
    text = "Item delivered to the recipient"
    assert warm.without(drop).predict(text) == fresh.without(drop).predict(text)
    assert _table_bytes(warm.without(drop)) == _table_bytes(fresh.without(drop))


def test_tables_keyed_by_examples_and_knobs(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracklingo.openworld import infer

    examples = labelled_examples([shared_vocabulary("upu")])
    StageClassifier(examples, forms=load_forms())
    StageClassifier(examples[1:], forms=load_forms())  # other examples: another entry
    assert len(_tables_entries(cache)) == 2
    monkeypatch.setattr(infer, "HINT_WEIGHT", infer.HINT_WEIGHT + 1)
    hinted = StageClassifier(examples, forms=load_forms())
    assert len(_tables_entries(cache)) == 3
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", "off")
    assert _table_bytes(hinted) == _table_bytes(StageClassifier(examples, forms=load_forms()))


@pytest.mark.parametrize("garbage", [b"\x00\x01not marshal", None])
def test_a_broken_tables_entry_is_rebuilt(cache: Path, garbage: bytes | None) -> None:
    import marshal

    examples = labelled_examples([shared_vocabulary("upu")])
    cold = StageClassifier(examples, forms=load_forms())
    (entry,) = _tables_entries(cache)
    entry.write_bytes(
        garbage
        if garbage is not None
        else marshal.dumps({"kind": "openworld-tables 1", "counts": [(1, 2)], "features": []})
    )
    again = StageClassifier(examples, forms=load_forms())
    assert not again._unanalysed
    assert _table_bytes(again) == _table_bytes(cold)
