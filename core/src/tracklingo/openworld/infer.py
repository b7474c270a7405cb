"""Inference for texts no rule knows: a stage classifier learned from the installed vocabularies.

Training data are the vocabularies' own labelled texts: every exact phrase of a non-fallback,
non-context rule, and the literal opening of a pattern rule (``^The shipment could not be
delivered`` gives "The shipment could not be delivered"). A text is described by features:

* ``c:<concept>``: a concept of the lexicon (`tracklingo.openworld.lexicon`), the bridge between
  languages and wordings ("held", "detained", "zatrzymana" are all ``c:held``);
* ``p:<a>+<b>``: a pair of concepts in the same text (``customs`` with ``held`` is a hold,
  ``customs`` with ``released`` a release; ``negation`` with ``delivered`` an attempt);
* ``w:<word>``: a content word (stopwords dropped), for a carrier's own idiom.

The model is a naive Bayes over the set of features (Laplace-smoothed, present features only), with
class priors flattened (square root of the counts) so the many in-transit texts do not outvote the
rare stages. Its posterior, sharpened or softened by a temperature, is the `confidence`; a text
whose features the training data never saw gets no answer. `evidence` names the words of the text
that pulled hardest towards the chosen stage. Everything is deterministic: ties break by stage
order, and the training set is sorted before use.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Final

from tracklingo.openworld.lexicon import ConceptHit, Hint, Lexicon, load_lexicon, words
from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import Rule, Vocabulary, normalize_phrase

__all__ = [
    "Analysis",
    "Example",
    "Neighbour",
    "Prediction",
    "StageClassifier",
    "analyse",
    "labelled_examples",
    "pattern_literal",
]

#: Features that only say "there is a word here" are ignored when no stage ever saw them.
_ALPHA: Final = 0.5
_TEMPERATURE: Final = 2.0


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled carrier text from a vocabulary (its phrase or a pattern's literal opening)."""

    text: str
    stage: Stage
    vocabulary: str
    reason: Reason | None = None
    rule: Rule | None = field(default=None, compare=False, hash=False)
    from_pattern: bool = False


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text as the classifier sees it: folded words, concept hits and the feature set."""

    tokens: tuple[str, ...]
    hits: tuple[ConceptHit, ...]
    features: frozenset[str]
    #: for each feature, the words of the text that gave it (for `evidence`)
    shown: Mapping[str, str]

    @property
    def concepts(self) -> frozenset[str]:
        """The concept names found."""
        return frozenset(h.concept for h in self.hits)


def analyse(text: str, lexicon: Lexicon | None = None) -> Analysis:
    """Fold `text` and describe it by concept, concept-pair and content-word features."""
    lex = lexicon or load_lexicon()
    tokens = tuple(words(text))
    hits = tuple(lex.hits(tokens))
    return _describe(tokens, hits, lex)


def _hint_analysis(hint: Hint) -> Analysis:
    hits = tuple(ConceptHit(name, name, i, i + 1) for i, name in enumerate(hint.concepts))
    return _describe((), hits, None)


def _describe(tokens: tuple[str, ...], hits: tuple[ConceptHit, ...], lex: Lexicon | None) -> Analysis:
    shown: dict[str, str] = {}
    for h in hits:
        shown.setdefault("c:" + h.concept, h.text)
    if hits:
        # the first concept says what the text is about ("Return shipment out for delivery")
        shown["h:" + hits[0].concept] = hits[0].text
    names = sorted({h.concept for h in hits})
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shown["p:" + a + "+" + b] = shown["c:" + a] + "|" + shown["c:" + b]
    # consecutive concepts in text order: "delivered to an access point" is not "picked up at
    # the post office, delivered"
    for prev, nxt in pairwise(hits):
        if prev.concept != nxt.concept and nxt.start >= prev.end:
            shown.setdefault("o:" + prev.concept + ">" + nxt.concept, prev.text + "|" + nxt.text)
    for tok in tokens:
        if lex is not None and tok not in lex.stopwords and not tok.isdigit() and len(tok) > 1:
            shown.setdefault("w:" + tok, tok)
    return Analysis(tokens, hits, frozenset(shown), shown)


_META: Final = re.compile(r"[\\()\[\]{}.*+?|$^]")


def pattern_literal(pattern: str) -> str | None:
    """The literal opening of an anchored pattern, in whole words, or None when it is shorter
    than two words (``^Delivery Attempted\\b.*$`` → "Delivery Attempted")."""
    if not pattern.startswith("^"):
        return None
    out: list[str] = []
    i, n = 1, len(pattern)
    complete = False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "s":
                out.append(" ")
                i += 2
                if i < n and pattern[i] in "+*":
                    i += 1
                continue
            if nxt in ".-,:;/&'":
                out.append(nxt)
                i += 2
                continue
            complete = nxt == "b"
            break
        if _META.match(ch):
            if ch == "(":
                complete = pattern.startswith(("(?:\\s", "(?:,", "(?:\\b", "(?!", "(?:$"), i)
            else:
                complete = ch == "$"
                if ch in "?*{" and out:
                    dropped = out.pop()  # the last character is optional
                    complete = not dropped.isalnum()  # an optional comma ends a word; a letter not
            break
        out.append(ch)
        i += 1
    else:
        complete = True
    literal = "".join(out)
    if not complete and literal and not literal[-1].isspace() and literal[-1] not in ",:;":
        literal = literal.rsplit(None, 1)[0] if " " in literal.strip() else ""
    literal = literal.strip(" ,:;-")
    return literal if len(literal.split()) >= 2 else None


def labelled_examples(vocabularies: Iterable[Vocabulary]) -> list[Example]:
    """Every labelled text the vocabularies hold, once per (folded text, stage), sorted.

    Context rules (their stage depends on the direction) and fallback rules (coarse codes and
    words) are left out; so are code-only rules, which have no text."""
    seen: dict[tuple[str, Stage], Example] = {}
    rules_seen: set[int] = set()
    for vocab in vocabularies:
        for rule in vocab.rules:
            if id(rule) in rules_seen or rule.context is not None or rule.fallback:
                continue
            rules_seen.add(id(rule))
            texts = [(p, False) for p in rule.phrase]
            if rule.pattern and not rule.phrase:
                lit = pattern_literal(rule.pattern)
                if lit is not None:
                    texts.append((lit, True))
            for text, from_pattern in texts:
                key = (normalize_phrase(text), rule.stage)
                if key[0] and key not in seen:
                    seen[key] = Example(text, rule.stage, rule.vocabulary, rule.reason, rule, from_pattern)
    return sorted(seen.values(), key=lambda e: (normalize_phrase(e.text), e.stage.value, e.vocabulary))


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A known phrase near a text: what it says, its stage, its vocabulary, how near (0..1)."""

    text: str
    stage: Stage
    vocabulary: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Prediction:
    """The classifier's reading of one text."""

    stage: Stage
    confidence: float
    evidence: tuple[str, ...]
    reason: Reason | None
    runner_up: Stage | None
    #: how many of the text's features the training data knows
    known_features: int


_STAGE_ORDER: Final = {s: i for i, s in enumerate(Stage)}


class StageClassifier:
    """Naive Bayes over concept / pair / word features, trained on `examples`."""

    def __init__(
        self,
        examples: Sequence[Example],
        lexicon: Lexicon | None = None,
        *,
        analyses: Mapping[str, Analysis] | None = None,
        alpha: float = _ALPHA,
        temperature: float = _TEMPERATURE,
    ) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.examples: tuple[Example, ...] = tuple(examples)
        self.alpha = alpha
        self.temperature = temperature
        self._analyses: dict[str, Analysis] = dict(analyses or {})
        docs = Counter[Stage]()
        counts: dict[str, defaultdict[Stage, float]] = defaultdict(lambda: defaultdict(float))
        training = [(self._analysis(ex.text), ex.stage, 1.0) for ex in self.examples]
        training += [(_hint_analysis(h), h.stage, HINT_WEIGHT) for h in self.lexicon.hints]
        for an, stage, weight in training:
            docs[stage] += 1
            for f in an.features:
                counts[f][stage] += weight * _weight(f)
        self.stages: tuple[Stage, ...] = tuple(sorted(docs, key=_STAGE_ORDER.__getitem__))
        self._docs = docs
        total = math.fsum(math.sqrt(n) for n in docs.values())
        self._log_prior = {s: math.log(math.sqrt(docs[s]) / total) for s in self.stages}
        self._counts = dict(counts)
        # multinomial likelihoods: a stage's feature mass is spread over the whole feature space,
        # so a feature a small stage never saw costs it as much as it costs a large one
        mass: defaultdict[Stage, float] = defaultdict(float)
        for c in counts.values():
            for s, n in c.items():
                mass[s] += n
        size = len(counts)
        self._log_present: dict[str, dict[Stage, float]] = {
            f: {s: math.log((c.get(s, 0) + alpha) / (mass[s] + alpha * size)) for s in self.stages}
            for f, c in counts.items()
        }
        # nearest-phrase index: feature -> [(example index, weight)], IDF-weighted, unit length
        n = len(self.examples) or 1
        idf = {f: math.log(1 + n / sum(c.values())) for f, c in counts.items()}
        self._idf = idf
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, ex in enumerate(self.examples):
            feats = self._analysis(ex.text).features
            norm = math.sqrt(math.fsum(_feature_weight(f, idf) ** 2 for f in feats)) or 1.0
            for f in feats:
                self._postings[f].append((i, _feature_weight(f, idf) / norm))

    def _analysis(self, text: str) -> Analysis:
        an = self._analyses.get(text)
        if an is None:
            an = self._analyses[text] = analyse(text, self.lexicon)
        return an

    def without(self, drop: Iterable[Example]) -> StageClassifier:
        """A classifier trained on the same examples minus `drop` (for leave-one-out)."""
        gone = {(e.text, e.stage, e.vocabulary) for e in drop}
        kept = [e for e in self.examples if (e.text, e.stage, e.vocabulary) not in gone]
        return StageClassifier(
            kept, self.lexicon, analyses=self._analyses, alpha=self.alpha, temperature=self.temperature
        )

    def predict(self, text: str | Analysis, near: Sequence[Neighbour] | None = None) -> Prediction | None:
        """The most likely stage with its confidence, or None when no feature is known.

        `near`: the text's nearest known phrases when the caller has them already (at least
        `KNN_K` of them); they are computed otherwise."""
        an = text if isinstance(text, Analysis) else analyse(text, self.lexicon)
        known = [f for f in an.features if f in self._log_present]
        if not known or not self.stages:
            return None
        scores = {}
        for s in self.stages:
            scores[s] = self._log_prior[s] + math.fsum(_weight(f) * self._log_present[f][s] for f in known)
        top = max(scores.values())
        z = math.fsum(math.exp((v - top) / self.temperature) for v in scores.values())
        probs = {s: math.exp((v - top) / self.temperature) / z for s, v in scores.items()}
        if KNN_BLEND > 0:
            votes: dict[Stage, float] = defaultdict(float)
            near = list(near[:KNN_K]) if near is not None else self.neighbours(an, KNN_K)
            total = math.fsum(n.similarity for n in near)
            for n in near:
                votes[n.stage] += n.similarity / total if total else 0.0
            probs = {s: (1 - KNN_BLEND) * p + KNN_BLEND * votes.get(s, 0.0) for s, p in probs.items()}
        ranked = sorted(self.stages, key=lambda s: (-probs[s], _STAGE_ORDER[s]))
        best = ranked[0]
        confidence = probs[best]
        runner = ranked[1] if len(ranked) > 1 else None
        return Prediction(
            best,
            round(confidence, 3),
            self._evidence(an, known, best),
            self._reason(an, best),
            runner,
            len(known),
        )

    def _evidence(self, an: Analysis, known: Sequence[str], stage: Stage) -> tuple[str, ...]:
        """The words that pull hardest towards `stage` (against the average other stage)."""
        others = [s for s in self.stages if s is not stage]
        pull: list[tuple[float, str]] = []
        for f in known:
            row = self._log_present[f]
            rest = math.fsum(row[s] for s in others) / len(others) if others else 0.0
            gain = row[stage] - rest
            if gain > 0.5:
                pull.append((gain, f))
        pull.sort(key=lambda t: (-t[0], t[1]))
        out: list[str] = []
        for _, f in pull:
            if f[0] in "ho" and f[1] == ":":
                continue
            for piece in an.shown[f].split("|"):
                if piece not in out and not any(piece in o.split() or o in piece.split() for o in out):
                    out.append(piece)
            if len(out) >= 3:
                break
        return tuple(out[:3])

    def _reason(self, an: Analysis, stage: Stage) -> Reason | None:
        for hit in an.hits:
            reason = self.lexicon.concept(hit.concept).reason
            if reason is not None and stage in self.lexicon.reason_stages.get(reason, ()):
                return reason
        return None

    def neighbours(self, text: str | Analysis, k: int = 3) -> list[Neighbour]:
        """The `k` known phrases most like `text` (cosine over IDF-weighted features)."""
        an = text if isinstance(text, Analysis) else analyse(text, self.lexicon)
        feats = [f for f in an.features if f in self._postings]
        if not feats:
            return []
        norm = math.sqrt(math.fsum(_feature_weight(f, self._idf) ** 2 for f in feats)) or 1.0
        acc: dict[int, float] = defaultdict(float)
        for f in feats:
            q = _feature_weight(f, self._idf) / norm
            for i, w in self._postings[f]:
                acc[i] += q * w
        best = sorted(acc.items(), key=lambda t: (-t[1], t[0]))
        out: list[Neighbour] = []
        seen: set[str] = set()
        for i, sim in best:
            ex = self.examples[i]
            key = normalize_phrase(ex.text)
            if key in seen:
                continue
            seen.add(key)
            out.append(Neighbour(ex.text, ex.stage, ex.vocabulary, round(min(sim, 1.0), 3)))
            if len(out) == k:
                break
        return out


#: how many times a feature counts: concepts and concept pairs say more than a single word
WEIGHTS: dict[str, float] = {"c": 2.0, "p": 2.0, "o": 2.0, "h": 1.0, "w": 1.0}
#: share of the nearest known phrases' vote in the stage probabilities (0: naive Bayes alone)
KNN_BLEND: float = 0.3
KNN_K: int = 5
#: a hint counts as this many labelled phrases
HINT_WEIGHT: float = 2.0


def _weight(feature: str) -> float:
    return WEIGHTS[feature[0]]


def _feature_weight(feature: str, idf: Mapping[str, float]) -> float:
    # concepts carry meaning across wordings; words are a carrier's idiom
    base = idf.get(feature, 1.0)
    return base * (1.5 if feature.startswith("c:") else 1.0)
