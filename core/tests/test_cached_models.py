"""Validated models kept in the on-disk cache (`tracklingo._construct.cached_model`, docs/cache.md):
the advisor's catalogs and advice book come back from it equal to the validated ones, field by
field and with the same fields set; a changed text, changed code or another pydantic version is
validated again, and an invalid text is an error every time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tracklingo import tomlcache
from tracklingo._construct import cached_model, plain, rebuild
from tracklingo.advisor import catalog as catalog_module
from tracklingo.advisor import content as content_module
from tracklingo.advisor.catalog import Catalog, available_languages
from tracklingo.advisor.content import AdviceBook
from tracklingo.errors import ConfigError
from tracklingo.taxonomy import Reason, Stage

_DATA = Path(catalog_module.__file__).parent.parent / "data"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", str(tmp_path))
    return tmp_path


def _same(a: Any, b: Any) -> None:
    """`a` and `b` equal, of the same types all the way down, with the same fields set."""
    assert type(a) is type(b)
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set
        for name in type(a).model_fields:
            _same(getattr(a, name), getattr(b, name))
    elif isinstance(a, dict):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    else:
        assert a == b


def _counting(validate: Callable[[], Any], calls: list[int]) -> Callable[[], Any]:
    def run() -> Any:
        calls.append(1)
        return validate()

    return run


@pytest.mark.parametrize("code", available_languages())
def test_a_cached_catalog_is_the_validated_catalog(code: str) -> None:
    text = (_DATA / "locales" / f"{code}.toml").read_text(encoding="utf-8")
    validated = catalog_module._validate(text, code, code)
    first = catalog_module._read(text, code, code)
    again = catalog_module._read(text, code, code)
    _same(first, validated)
    _same(again, validated)
    assert again is not first and again == validated
    assert all(type(s) is Stage for s in again.stage) and all(type(r) is Reason for r in again.reason)
    assert again.model_dump(mode="json") == validated.model_dump(mode="json")


def test_a_cached_advice_book_is_the_validated_book() -> None:
    text = (_DATA / "advice.toml").read_text(encoding="utf-8")
    validated = content_module._validate_book(text, "advice.toml")
    content_module._read_book(text, "advice.toml")
    again = content_module._read_book(text, "advice.toml")
    _same(again, validated)
    stage = again.entry(Stage.IN_TRANSIT)
    assert stage.dwell.timed and stage.dwell.domestic is not None and stage.dwell.domestic.hours > 0
    assert again.check_catalog(catalog_module.load_catalog("en")) == []


def test_the_second_read_of_a_text_validates_nothing_and_a_change_validates_again() -> None:
    text = (_DATA / "locales" / "en.toml").read_text(encoding="utf-8")
    calls: list[int] = []

    def read(t: str) -> Catalog:
        return cached_model(Catalog, t, _counting(lambda: catalog_module._validate(t, "en", "en"), calls), ())

    read(text)
    read(text)
    assert len(calls) == 1
    changed = read(text.replace("Delivered", "Handed over", 1))
    assert len(calls) == 2 and changed != read(text)
    assert len(calls) == 2


@pytest.mark.parametrize("change", ["code", "pydantic"])
def test_other_code_or_another_pydantic_validates_again(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (_DATA / "advice.toml").read_text(encoding="utf-8")
    code_file = tmp_path / "models.py"
    code_file.write_text("# the models\n")
    calls: list[int] = []

    def read() -> AdviceBook:
        validate = _counting(lambda: content_module._validate_book(text, "advice.toml"), calls)
        return cached_model(AdviceBook, text, validate, (str(code_file),))

    read()
    read()
    assert len(calls) == 1
    tomlcache._CODE_HASHES.clear()
    if change == "code":
        code_file.write_text("# the models, edited\n")
    else:
        monkeypatch.setattr("pydantic.version.VERSION", "0.0-other")
    try:
        read()
        assert len(calls) == 2
    finally:
        tomlcache._CODE_HASHES.clear()


def test_an_invalid_text_is_an_error_every_time() -> None:
    text = (
        (_DATA / "locales" / "en.toml")
        .read_text(encoding="utf-8")
        .replace("\n[ui]\n", "\n[ui]\nsurplus = 'x'\n", 1)
    )
    for _ in range(2):
        with pytest.raises(ConfigError, match="surplus"):
            catalog_module._read(text, "en.toml", "en")


def test_a_foreign_entry_is_validated_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (_DATA / "advice.toml").read_text(encoding="utf-8")
    monkeypatch.setattr(tomlcache, "recall", lambda kind, key: {"kind": kind, "model": ({"meta": {}}, ())})
    calls: list[int] = []
    book = cached_model(
        AdviceBook, text, _counting(lambda: content_module._validate_book(text, "a"), calls), ()
    )
    assert len(calls) == 1 and book.entry(Stage.DELIVERED).recipient_must_act == "no"


def test_plain_and_rebuild_round_trip_a_partly_set_model() -> None:
    text = (_DATA / "advice.toml").read_text(encoding="utf-8")
    book = content_module._validate_book(text, "advice.toml")
    tracker = book.trackers[0]
    _same(rebuild(type(tracker), plain(tracker)), tracker)
    assert tracker.model_fields_set != set(type(tracker).model_fields)  # defaults left unset


def test_a_stage_entry_is_what_validating_it_gives() -> None:
    """`stage_entry` builds `StageAdvice` without validation: each is the validated model."""
    book, words = content_module.load_advice(), catalog_module.load_catalog("de")
    for stage in Stage:
        entry = content_module.stage_entry(book, words, stage)
        validated = content_module.StageAdvice.model_validate(dict(entry))
        _same(entry, validated)
