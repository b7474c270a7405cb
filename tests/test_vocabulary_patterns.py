"""Every vocabulary pattern, audited for catastrophic backtracking (issue 12 item 11): fed long runs
of spaces, tabs, words, digits and punctuation after its literal prefix, its work — counted in
steps by a backtracking matcher of `re`'s semantics, never timed — stays linear in the input; and
no pattern ever sees more than `PATTERN_TEXT_LIMIT` characters of a text.

The core's shared vocabularies are audited here; each carrier's own patterns by its conformance
kit (`test_patterns_do_not_backtrack`, which also runs for third-party adapters), so every pattern
of every installed vocabulary is audited once."""

from __future__ import annotations

import re

import pytest

from tracklingo import load_carriers
from tracklingo.testing.backtracking import (
    MAX_GROWTH,
    adversarial_inputs,
    audit_pattern,
    count_steps,
    search,
)
from tracklingo.vocabulary import PATTERN_TEXT_LIMIT, Vocabulary, _LazyRegex, shared_vocabulary

REGISTRY = load_carriers()
VOCABULARIES: list[Vocabulary] = [c.vocabulary for c in REGISTRY] + [shared_vocabulary("upu")]
PATTERNS = sorted(
    {
        (v.carrier if r.vocabulary == v.carrier else r.vocabulary, r.pattern)
        for v in VOCABULARIES
        for r in v.patterns()
        if r.pattern
    }
)
SHARED = [(name, pattern) for name, pattern in PATTERNS if name not in REGISTRY.carriers]


def test_there_are_patterns_to_audit() -> None:
    assert len(PATTERNS) >= 100
    assert {name for name, _ in PATTERNS} >= {"usps", "dhl", "fedex", "upu"}
    assert {name for name, _ in SHARED} == {"upu"}


@pytest.mark.parametrize(("vocabulary", "pattern"), SHARED, ids=[f"{n}:{p[:40]}" for n, p in SHARED])
def test_pattern_work_is_linear_in_its_input(vocabulary: str, pattern: str) -> None:
    report = audit_pattern(pattern)
    assert report.ok, f"{vocabulary}: {report.describe()}"


def test_the_step_counter_finds_quadratic_and_exponential_patterns() -> None:
    quadratic = audit_pattern(r"^Delivery Exception,?\s+.*\bWeather\b.*$")  # the one USPS had
    assert not quadratic.ok and quadratic.growth > MAX_GROWTH
    exponential = audit_pattern(r"^(\w+\s?)+$")
    assert not exponential.ok
    linear = audit_pattern(r"^Delivery Exception,?\s.*\bWeather\b.*$")  # its fix: the same texts
    assert linear.ok and linear.growth < 2.3


@pytest.mark.parametrize(("vocabulary", "pattern"), PATTERNS[::7])
def test_the_step_counter_matches_what_re_matches(vocabulary: str, pattern: str) -> None:
    for text in [*adversarial_inputs(pattern, 24), "Delivered", "Processed at LEIPZIG - GERMANY"]:
        assert search(pattern, text)[0] == (re.search(pattern, text, re.IGNORECASE) is not None), text


def test_the_old_and_the_fixed_weather_pattern_match_the_same_texts() -> None:
    old, new = r"^Delivery Exception,?\s+.*\bWeather\b.*$", r"^Delivery Exception,?\s.*\bWeather\b.*$"
    texts = [
        "Delivery Exception, Weather Delay",
        "Delivery Exception  Severe Weather",
        "Delivery Exception,Weather",
        "Delivery Exception Weathered",
        "Delivery Exception, Animal Interference",
        "Delivery Exception\tWeather",
    ]
    for text in texts:
        assert bool(re.search(old, text, re.I)) == bool(re.search(new, text, re.I)), text
    assert count_steps(new, "Delivery Exception" + " " * 2000) < count_steps(
        old, "Delivery Exception" + " " * 200
    )


def test_a_long_text_never_reaches_a_pattern() -> None:
    """Twenty 16 KB descriptions (the reported case) are matched by exact phrase only."""
    usps = REGISTRY.get("usps").vocabulary
    seen: list[int] = []

    class Spy:
        def __init__(self, regex: re.Pattern[str] | _LazyRegex) -> None:  # lazy: compiled on first use
            self.regex = regex

        def search(self, text: str) -> re.Match[str] | None:
            seen.append(len(text))
            return self.regex.search(text)

    compiled = [p for group in usps._patterns_by_word.values() for p in group] + usps._patterns_any
    originals = [p.regex for p in compiled]
    try:
        for p in compiled:
            object.__setattr__(p, "regex", Spy(p.regex))
        for i in range(20):
            text = "Delivery Exception, " + " " * 16_000 + f"x{i}"
            assert usps.primary(None, text) is None
        assert usps.primary(None, "Delivery Exception, Weather Delay") is not None
    finally:
        for p, regex in zip(compiled, originals, strict=True):
            object.__setattr__(p, "regex", regex)
    assert seen and max(seen) <= PATTERN_TEXT_LIMIT
