"""A vocabulary's validated tables are kept in the on-disk cache (docs/cache.md), keyed by their
content, the code validating them and pydantic's version: a second load of the same content runs
no pydantic validation and builds the same rules; any change is validated (and its errors
reported) again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tracklingo import Stage, Vocabulary, VocabularyError, tomlcache
from tracklingo import vocabulary as vocabulary_module
from tracklingo.vocabfile import validated as real_validated

SOURCES = {"site": "https://example.com/tracking-statuses"}


def _data(phrase: str = "Delivered", options: dict[str, Any] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"carrier": "acme", "sources": SOURCES}
    if options is not None:
        meta["options"] = options
    return {
        "meta": meta,
        "rule": [
            {"code": ["OK", "DL"], "phrase": phrase, "stage": "delivered", "source": "site"},
            {"pattern": "^Arrived at (?P<city>.+)$", "stage": "in_transit", "source": "site"},
            {
                "phrase": "At hub",
                "context": "direction",
                "by_context": {"in": "at_destination_facility"},
                "stage": "in_transit",
                "source": "site",
                "note": "either way",
            },
            {"code": "X", "stage": "exception", "fallback": True, "source": "site"},
        ],
        "reason": [{"code": "WX", "reason": "weather", "stage": "delayed", "source": "site"}],
    }


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables pydantic validates (their models' names), from now on."""
    seen: list[str] = []

    def counting(model: type[Any], raw: Any, where: str, sources: Any) -> Any:
        seen.append(model.__name__)
        return real_validated(model, raw, where, sources)

    monkeypatch.setattr(vocabulary_module, "validated", counting)
    return seen


def _same(a: Vocabulary, b: Vocabulary) -> None:
    assert a.rules == b.rules and a.reasons == b.reasons
    assert a.options == b.options and a.options.model_fields_set == b.options.model_fields_set
    assert dict(a.sources) == dict(b.sources)


def test_a_second_load_of_the_same_tables_validates_nothing(validations: list[str]) -> None:
    first = Vocabulary.from_dict(_data(options={"alt_codes": "before_text"}))
    assert validations.count("RuleSpec") == 4 and validations.count("ReasonSpec") == 1
    validations.clear()
    second = Vocabulary.from_dict(_data(options={"alt_codes": "before_text"}))
    assert validations == []
    _same(first, second)
    assert second.options.alt_codes == "before_text"
    assert isinstance(second.rules[0].stage, Stage) and second.rules[2].by_context == {
        "in": Stage.AT_DESTINATION_FACILITY
    }
    hit = second.lookup("DL", "Delivered")
    assert hit is not None and hit.rule.stage is Stage.DELIVERED


def test_changed_tables_are_validated_again(validations: list[str]) -> None:
    Vocabulary.from_dict(_data())
    validations.clear()
    changed = Vocabulary.from_dict(_data(phrase="Shipment delivered"))
    assert validations.count("RuleSpec") == 4
    assert changed.lookup("OK", "Shipment delivered") is not None
    validations.clear()
    Vocabulary.from_dict(_data(options={"status_codes": "any"}))  # other options: the file again
    assert "Options" in validations and validations.count("RuleSpec") == 4


@pytest.mark.parametrize("change", ["pydantic", "code"])
def test_another_pydantic_or_validating_code_validates_again(
    change: str, validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    Vocabulary.from_dict(_data())
    validations.clear()
    tomlcache._CODE_HASHES.clear()
    if change == "pydantic":
        monkeypatch.setattr("pydantic.version.VERSION", "0.0-other")
    else:
        real: Callable[[], str | None] = vocabulary_module._validation_code
        monkeypatch.setattr(vocabulary_module, "_validation_code", lambda: f"{real()}-edited")
    try:
        Vocabulary.from_dict(_data())
        assert validations.count("RuleSpec") == 4
    finally:
        tomlcache._CODE_HASHES.clear()


def test_an_invalid_table_is_an_error_on_every_load() -> None:
    bad = _data()
    bad["rule"][0]["stage"] = "teleported"
    for _ in range(2):
        with pytest.raises(VocabularyError, match="stage 'teleported' does not exist"):
            Vocabulary.from_dict(bad)


def test_a_foreign_entry_is_ignored(validations: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    first = Vocabulary.from_dict(_data())
    monkeypatch.setattr(tomlcache, "recall", lambda kind, key: {"kind": kind, "rules": [("nowhere",)]})
    validations.clear()
    again = Vocabulary.from_dict(_data())
    assert validations.count("RuleSpec") == 4
    _same(first, again)


def test_without_a_cache_every_load_validates(
    validations: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", "off")
    first = Vocabulary.from_dict(_data())
    second = Vocabulary.from_dict(_data())
    assert validations.count("RuleSpec") == 8
    _same(first, second)
