"""A vocabulary's patterns are checked (compiled) when it loads, unless this very set of patterns
passed the same check before (`tracklingo.tomlcache.is_verified`): then each is compiled on its
first search. Either way the lookups answer alike, and a bad pattern is always an error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tracklingo import MatchKind, Stage, Vocabulary, VocabularyError, tomlcache
from tracklingo import vocabulary as vocabulary_module

SOURCES = {"site": "https://example.com/tracking-statuses"}


def _vocab(*patterns: str) -> Vocabulary:
    rules: list[dict[str, Any]] = [{"pattern": p, "stage": "in_transit", "source": "site"} for p in patterns]
    rules.append({"phrase": "Delivered", "stage": "delivered", "source": "site"})
    rules.append(
        {"pattern": "^Held at (?P<facility>.+)$", "stage": "exception", "fallback": True, "source": "site"}
    )
    return Vocabulary.from_dict({"meta": {"carrier": "acme", "sources": SOURCES}, "rule": rules})


def _regexes(v: Vocabulary) -> list[Any]:
    by_word = [p.regex for group in v._patterns_by_word.values() for p in group]
    return by_word + [p.regex for p in v._patterns_any] + [p.regex for p in v._fallback_patterns]


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", str(tmp_path))
    return tmp_path


PATTERNS = (r"^Arrived at (?P<city>[A-Z ]+)$", r"Departed\s+(?P<country>\w+)")


def test_the_first_load_checks_every_pattern_and_the_next_compiles_on_use() -> None:
    first = _vocab(*PATTERNS)
    assert all(isinstance(r, re.Pattern) for r in _regexes(first))
    second = _vocab(*PATTERNS)
    lazy = _regexes(second)
    assert lazy and not any(isinstance(r, re.Pattern) for r in lazy)
    for text in ("Arrived at MEMPHIS", "Item Departed Germany", "Held at LEIPZIG", "Delivered", "nothing"):
        a, b = first.lookup(None, text), second.lookup(None, text)
        assert (a and (a.rule, a.kind, dict(a.captured))) == (b and (b.rule, b.kind, dict(b.captured)))
    hit = second.lookup(None, "Arrived at MEMPHIS")
    assert hit is not None and hit.kind is MatchKind.PATTERN and hit.rule.stage is Stage.IN_TRANSIT
    compiled = [r for r in _regexes(second) if isinstance(r, re.Pattern)]
    assert compiled  # the patterns searched are compiled now, in place
    assert {r.pattern for r in compiled} <= {*PATTERNS, "^Held at (?P<facility>.+)$"}


def test_a_changed_pattern_set_is_checked_again() -> None:
    _vocab(*PATTERNS)
    again = _vocab(*PATTERNS, r"^Out for delivery")
    assert all(isinstance(r, re.Pattern) for r in _regexes(again))


@pytest.mark.parametrize(
    ("bad", "message"),
    [("^(unclosed", "bad pattern"), (r"^At (?P<street>.+)$", "captures ['street']")],
)
def test_a_bad_pattern_is_an_error_on_every_load(bad: str, message: str) -> None:
    _vocab(*PATTERNS)
    for _ in range(2):
        with pytest.raises(VocabularyError, match=re.escape(message)):
            _vocab(*PATTERNS, bad)


def test_a_changed_check_is_never_skipped_on_an_old_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    _vocab(*PATTERNS)
    real = vocabulary_module._pattern_check_kind()
    monkeypatch.setattr(vocabulary_module, "_pattern_check_kind", lambda: real + " changed")
    assert all(isinstance(r, re.Pattern) for r in _regexes(_vocab(*PATTERNS)))


def test_without_a_cache_every_load_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", "off")
    _vocab(*PATTERNS)
    assert not tomlcache.is_verified(vocabulary_module._pattern_check_kind(), "\n".join(sorted(PATTERNS)))
    assert all(isinstance(r, re.Pattern) for r in _regexes(_vocab(*PATTERNS)))
