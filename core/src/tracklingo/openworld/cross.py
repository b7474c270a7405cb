"""Cross-carrier knowledge: a text one carrier's rules do not know, looked up in every other
vocabulary installed (and the core's shared ones).

The index holds each non-fallback phrase rule under its folded phrase (`normalize_phrase`),
with the vocabulary it belongs to. A lookup excludes the asking carrier's own rules (they were
tried already) and decides among the others:

* all agree (same stage, or the same context rule): that stage, confidence 0.95;
* they disagree: the stage of the most vocabularies wins when it has a strict majority, with
  confidence 0.95 × its share of the votes (so 2 of 3 gives 0.63); a tie abstains (`None`)
  and leaves the text to the next layers, which see the conflict in their evidence.

Context rules stay context rules: the answer carries `needs_context` and the rule's `by_context`
stages, and the default stage; it never picks a direction, because another carrier's direction
is relative to that carrier's home country, not the asking one's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, normalize_phrase

__all__ = ["CROSS_CONFIDENCE", "CrossHit", "CrossIndex"]

#: Confidence of a unanimous cross-carrier hit: the same words in another carrier's vocabulary
#: nearly always mean the same, but each carrier's rules were written for its own network.
CROSS_CONFIDENCE: Final = 0.95


@dataclass(frozen=True, slots=True)
class CrossHit:
    """An exact phrase found in other vocabularies."""

    stage: Stage
    rule: Rule
    vocabularies: tuple[str, ...]
    confidence: float
    reason: Reason | None = None
    needs_context: str | None = None
    by_context: Mapping[str, Stage] = field(default_factory=dict)
    #: every (vocabulary, stage) that voted, agreeing or not
    votes: tuple[tuple[str, Stage], ...] = ()

    @property
    def vocabulary(self) -> str:
        """The vocabulary named as the source (the first that holds the winning rule)."""
        return self.vocabularies[0]


class CrossIndex:
    """Folded phrase → the phrase rules of every vocabulary given, by vocabulary name."""

    def __init__(self, vocabularies: Iterable[Vocabulary]) -> None:
        self._by_phrase: dict[str, list[Rule]] = {}
        self.vocabularies: tuple[str, ...] = ()
        seen: set[int] = set()
        names: dict[str, None] = {}
        for vocab in vocabularies:
            names.setdefault(vocab.carrier, None)
            for rule in vocab.rules:
                if rule.fallback or not rule.phrase or id(rule) in seen:
                    continue
                seen.add(id(rule))
                names.setdefault(rule.vocabulary, None)
                for phrase in rule.phrase:
                    key = normalize_phrase(phrase)
                    if key:
                        self._by_phrase.setdefault(key, []).append(rule)
        self.vocabularies = tuple(names)

    def __contains__(self, text: str) -> bool:
        return normalize_phrase(text) in self._by_phrase

    def phrases(self) -> Mapping[str, tuple[Rule, ...]]:
        """The whole index (folded phrase → rules), read-only."""
        return MappingProxyType({k: tuple(v) for k, v in self._by_phrase.items()})

    def lookup(
        self, text: str, *, exclude: Vocabulary | None = None, folded: bool = False
    ) -> CrossHit | None:
        """The stage other vocabularies give `text`, or None (unknown there, or a tie).

        `exclude` is the asking carrier's vocabulary: its rules (its own and those it includes)
        are skipped, since they were tried first. `folded`: `text` is already `normalize_phrase`d.
        """
        key = text if folded else normalize_phrase(text)
        rules = self._by_phrase.get(key)
        if not rules:
            return None
        skip = {id(r) for r in exclude.rules} if exclude is not None else set()
        by_vocab: dict[str, Rule] = {}
        for rule in rules:
            if id(rule) not in skip:
                by_vocab.setdefault(rule.vocabulary, rule)
        if not by_vocab:
            return None
        votes = tuple(sorted((v, _verdict(r)) for v, r in by_vocab.items()))
        tally = Counter(stage for _, stage in votes)
        (top, n), *rest = sorted(tally.items(), key=lambda t: (-t[1], t[0].value))
        if rest and rest[0][1] == n:
            return None
        winners = tuple(v for v, stage in votes if stage is top)
        rule = by_vocab[winners[0]]
        confidence = round(CROSS_CONFIDENCE * n / len(votes), 3)
        return CrossHit(
            stage=rule.stage,
            rule=rule,
            vocabularies=winners,
            confidence=confidence,
            reason=rule.reason,
            needs_context=rule.context,
            by_context=rule.by_context,
            votes=votes,
        )


def _verdict(rule: Rule) -> Stage:
    # a context rule votes with its default stage; the context decides later, never here
    return rule.stage
