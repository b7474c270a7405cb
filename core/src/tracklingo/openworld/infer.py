"""Inference for texts no rule knows: a stage classifier learned from the installed vocabularies.

Training data are the vocabularies' own labelled texts: every exact phrase of a non-fallback,
non-context rule, and the literal opening of a pattern rule (``^The shipment could not be
delivered`` gives "The shipment could not be delivered"), plus the lexicon's hints (the stage
definitions said in concepts). A text is described by the features of
`tracklingo.openworld.features` (concepts and their modifiers, concept pairs, word stems).

The model is a naive Bayes over the set of features (Laplace-smoothed, present features only),
with class priors flattened (square root of the counts) so the many in-transit texts do not
outvote the rare stages, and each rule's phrases sharing one weight (a rule listing twenty
wordings of one status teaches one thing, not twenty). Its posterior, softened by a temperature,
is blended with the vote of the nearest known phrases (cosine over IDF-weighted features); the
result is the `confidence`. A text whose features the training data never saw gets no answer.
`evidence` names the words of the text that pulled hardest towards the chosen stage.

`StageClassifier.without` gives the same classifier minus some examples without retraining (the
counts are subtracted), for leave-one-out. Everything is deterministic: ties break by stage
order, and the training set is sorted before use.

The trained tables (the counts and the nearest-phrase index) are kept across processes in the
core's content-hash cache (`tracklingo.tomlcache.recall`), keyed by a hash of every input: the
analyses' key (the package's files, Babel and Python versions, the feature knobs), this module's
weighting knobs and each example's text, stage and weight. A later process reads them back and
analyses the examples only if it needs them (`without`); see docs/cache.md.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from tracklingo import tomlcache
from tracklingo.openworld.features import Analysis, analyse, analyse_all, analyses_key, describe
from tracklingo.openworld.forms import Forms
from tracklingo.openworld.lexicon import ConceptHit, Hint, Lexicon, load_lexicon
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
    "needed_confidence",
    "pattern_literal",
    "split_reading",
]

logger = logging.getLogger(__name__)

#: Laplace smoothing of the feature counts.
_ALPHA: Final = 0.5
#: Softening of the naive Bayes posterior (its features are not independent).
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
    #: the model's own probability of `stage` (naive Bayes blended with the nearest phrases)
    probability: float = 0.0
    #: what the `confidence` was computed from (`SIGNALS` names them)
    signals: tuple[float, ...] = ()
    #: whether a concept of the lexicon (not only a carrier's words) is among the known features:
    #: the resolver answers only then (on leave-one-out, words-only readings are right a third
    #: of the time)
    grounded: bool = False


_STAGE_ORDER: Final = {s: i for i, s in enumerate(Stage)}

#: how many times a feature counts: concepts and concept pairs say more than a single word
WEIGHTS: dict[str, float] = {"c": 2.0, "m": 2.0, "p": 2.0, "o": 2.0, "h": 1.0, "w": 1.0}
#: share of the nearest known phrases' vote in the stage probabilities (0: naive Bayes alone)
KNN_BLEND: float = 0.3
KNN_K: int = 5
#: a hint counts as this many labelled phrases
HINT_WEIGHT: float = 4.0
#: a rule with n phrases gives each of them the weight n ** -RULE_SHARE (0: every phrase counts 1)
RULE_SHARE: float = 0.5


def _weight(feature: str) -> float:
    return WEIGHTS[feature[0]]


#: what the confidence is computed from, in `Prediction.signals` order
SIGNALS: Final = (
    "log-odds of the model's probability",
    "margin over the runner-up",
    "similarity of the nearest known phrase",
    "the nearest known phrase agrees (1) or not (-1)",
    "share of the nearest phrases' similarity that agrees",
    "share of the text's features the training data knows",
    "a concept (not only words) is known",
    "naive Bayes alone and the nearest phrases' vote alone pick the same stage (1) or not (-1)",
    "share of the text's concepts that lean towards the stage (conflicting concepts lower it)",
    "a lexicon stage definition (hint) that fits the text's concepts names the stage (1) or not (0)",
)
#: logistic calibration of the confidence over `SIGNALS` (intercept first), fitted on the
#: leave-one-out outcomes, by rule and by whole source pooled
#: (``bench/leave_one_out.py --by both --calibrate --cv 5``): the confidence is the estimated
#: chance that the inferred stage is right for a wording no rule has
CALIBRATION: tuple[float, ...] = (
    -2.5772,
    0.108,
    1.4779,
    1.3201,
    0.0733,
    0.2956,
    0.4736,
    0.0,
    -0.0639,
    -0.2907,
    1.2455,
)


#: the position in `SIGNALS` of naive Bayes and the nearest phrases agreeing (1) or not (-1)
_SPLIT_SIGNAL: Final = next(i for i, name in enumerate(SIGNALS) if name.startswith("naive Bayes alone"))
#: A split reading (naive Bayes alone and the nearest known phrases alone pick different stages)
#: is answered only from this confidence on, whatever the lower threshold. On leave-one-out, by
#: rule and by source pooled (7,260 phrases), the split readings between 0.3 and 0.55 were wrong
#: 296 times and right 175 times; every other tried signal of a wrong answer (see
#: docs/open-world.md) lost more right answers than it removed wrong ones.
SPLIT_CONFIDENCE: float = 0.55


def split_reading(signals: Sequence[float]) -> bool:
    """Whether the classifier's two readers disagreed (naive Bayes alone against the nearest
    known phrases alone), from a prediction's `signals`."""
    return len(signals) > _SPLIT_SIGNAL and signals[_SPLIT_SIGNAL] < 0


def needed_confidence(signals: Sequence[float], threshold: float) -> float:
    """The confidence an inferred answer with these `signals` needs to be given at `threshold`:
    the threshold, raised to `SPLIT_CONFIDENCE` for a split reading. A threshold of 0 (answer
    whatever can be answered, for a curve) stays 0."""
    if threshold > 0 and split_reading(signals):
        return max(threshold, SPLIT_CONFIDENCE)
    return threshold


def calibrated(signals: Sequence[float]) -> float:
    """The confidence for `signals` (see `CALIBRATION`)."""
    z = CALIBRATION[0] + math.fsum(w * x for w, x in zip(CALIBRATION[1:], signals, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _signals(
    an: Analysis,
    rows: Mapping[str, Mapping[Stage, float]],
    probs: Mapping[Stage, float],
    ranked: Sequence[Stage],
    near: Sequence[Neighbour],
    *,
    nb_best: Stage | None = None,
    knn_best: Stage | None = None,
    leaning: float = 0.0,
    hinted: float = 0.0,
) -> tuple[float, ...]:
    best = ranked[0]
    both = 0.0 if nb_best is None or knn_best is None else (1.0 if nb_best is knn_best else -1.0)
    p = min(max(probs[best], 1e-4), 1 - 1e-4)
    second = probs[ranked[1]] if len(ranked) > 1 else 0.0
    s1 = near[0].similarity if near else 0.0
    agree = (1.0 if near[0].stage is best else -1.0) if near else 0.0
    total = math.fsum(n.similarity for n in near)
    share = math.fsum(n.similarity for n in near if n.stage is best) / total if total else 0.0
    known = len(rows) / len(an.features) if an.features else 0.0
    concept = 1.0 if any(f[0] in "cm" for f in rows) else 0.0
    return tuple(
        round(x, 4)
        for x in (
            math.log(p / (1 - p)),
            probs[best] - second,
            s1,
            agree,
            share,
            known,
            concept,
            both,
            leaning,
            hinted,
        )
    )


#: The cache's kind for trained tables (bumped when their layout changes).
_TABLES_KIND: Final = "openworld-tables 1"
_STAGES_BY_VALUE: Final = {s.value: s for s in Stage}


class _Counts:
    """The naive Bayes counts and the nearest-phrase index of one training set."""

    def __init__(
        self,
        analyses: Sequence[Analysis],
        stages: Sequence[Stage],
        weights: Sequence[float],
        hints: Sequence[tuple[Analysis, Stage, float]],
    ) -> None:
        self.counts: dict[str, dict[Stage, float]] = defaultdict(lambda: defaultdict(float))
        self.docs: dict[Stage, float] = defaultdict(float)
        self.mass: dict[Stage, float] = defaultdict(float)
        self.df: dict[str, int] = defaultdict(int)
        self.postings: dict[str, list[int]] = defaultdict(list)
        #: each example's features (for its norm in the nearest-phrase search)
        self.features: list[tuple[str, ...]] = []
        for i, (an, stage, w) in enumerate(zip(analyses, stages, weights, strict=True)):
            self.add(an, stage, w)
            self.features.append(tuple(an.features))
            for f in an.features:
                self.df[f] += 1
                self.postings[f].append(i)
        for an, stage, w in hints:
            self.add(an, stage, w)
        self.counts = {f: dict(c) for f, c in self.counts.items()}
        self.postings = dict(self.postings)

    def to_plain(self) -> dict[str, Any]:
        """The tables as plain values (for `tomlcache.remember`), in their order."""
        return {
            "counts": [(f, [(s.value, n) for s, n in row.items()]) for f, row in self.counts.items()],
            "docs": [(s.value, n) for s, n in self.docs.items()],
            "mass": [(s.value, n) for s, n in self.mass.items()],
            "df": list(self.df.items()),
            "postings": list(self.postings.items()),
            "features": self.features,
        }

    @classmethod
    def from_plain(cls, data: Mapping[str, Any], size: int) -> _Counts | None:
        """The tables `to_plain` wrote for `size` examples, or None for anything else."""
        stage = _STAGES_BY_VALUE
        try:
            out = object.__new__(cls)
            out.counts = {f: {stage[s]: n for s, n in row} for f, row in data["counts"]}
            out.docs = defaultdict(float, [(stage[s], n) for s, n in data["docs"]])
            out.mass = defaultdict(float, [(stage[s], n) for s, n in data["mass"]])
            out.df = defaultdict(int, data["df"])
            out.postings = dict(data["postings"])
            out.features = [tuple(f) for f in data["features"]]
        except (KeyError, TypeError, ValueError):
            logger.debug("ignoring a malformed cache entry of classifier tables")
            return None
        return out if len(out.features) == size else None

    def add(self, an: Analysis, stage: Stage, w: float, sign: float = 1.0) -> None:
        self.docs[stage] += sign * w
        for f in an.features:
            n = sign * w * _weight(f)
            self.counts[f][stage] += n
            self.mass[stage] += n


class StageClassifier:
    """Naive Bayes over concept / modifier / pair / stem features, blended with the nearest
    known phrases, trained on `examples` (and the lexicon's hints)."""

    def __init__(
        self,
        examples: Sequence[Example],
        lexicon: Lexicon | None = None,
        *,
        analyses: Mapping[str, Analysis] | None = None,
        alpha: float | None = None,
        temperature: float | None = None,
        forms: Forms | None = None,
    ) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.forms = forms
        self.examples: tuple[Example, ...] = tuple(examples)
        self.alpha = _ALPHA if alpha is None else alpha
        self.temperature = _TEMPERATURE if temperature is None else temperature
        self._analyses: dict[str, Analysis] = dict(analyses or {})
        self._all = self.examples
        per_rule: dict[int, int] = defaultdict(int)
        for ex in self._all:
            if ex.rule is not None:
                per_rule[id(ex.rule)] += 1
        self._weights = tuple(
            per_rule[id(ex.rule)] ** -RULE_SHARE if ex.rule is not None else 1.0 for ex in self._all
        )
        # the trained tables, kept across processes when every input is the core's own
        key = _tables_key(self._all, self._weights, self.lexicon, forms) if analyses is None else None
        stored = tomlcache.recall(_TABLES_KIND, key) if key is not None else None
        base = _Counts.from_plain(stored, len(self._all)) if stored is not None else None
        #: the tables came from the cache: the examples are analysed (from theirs) when needed
        self._unanalysed = base is not None
        if base is None:
            if analyses is None:  # the training phrases, analysed at once (kept across processes)
                self._analyses = analyse_all((ex.text for ex in self.examples), self.lexicon, forms)
            hints = [(_hint_analysis(h, self.lexicon), h.stage, HINT_WEIGHT) for h in self.lexicon.hints]
            base = _Counts(
                [self._analysis(ex.text) for ex in self._all],
                [ex.stage for ex in self._all],
                self._weights,
                hints,
            )
            if key is not None:
                tomlcache.remember(_TABLES_KIND, key, base.to_plain())
        self._base = base
        self._delta: _Counts | None = None
        self._dropped: frozenset[int] = frozenset()
        self._setup()

    def _setup(self) -> None:
        """Derived tables: the stages, flattened log priors, the feature space size."""
        docs = self._docs()
        self.stages: tuple[Stage, ...] = tuple(
            sorted((s for s, n in docs.items() if n > 1e-9), key=_STAGE_ORDER.__getitem__)
        )
        total = math.fsum(math.sqrt(docs[s]) for s in self.stages)
        self._log_prior = {s: math.log(math.sqrt(docs[s]) / total) for s in self.stages}
        # the feature space: every feature some remaining example (or hint) has
        self._size = len(self._base.counts)
        if self._delta is not None:
            self._size -= sum(1 for f in self._delta.counts if self._count(f) is None)
        self._mass = {
            s: self._base.mass[s] - (self._delta.mass.get(s, 0.0) if self._delta else 0.0)
            for s in self.stages
        }
        self._n = len(self._all) - len(self._dropped)
        self._norms: dict[int, float] = {}
        self._rows: dict[str, dict[Stage, float]] = {}

    def _docs(self) -> dict[Stage, float]:
        docs = dict(self._base.docs)
        if self._delta is not None:
            for s, n in self._delta.docs.items():
                docs[s] = docs.get(s, 0.0) - n
        return docs

    def _analysis(self, text: str) -> Analysis:
        an = self._analyses.get(text)
        if an is None and self._unanalysed:  # tables from the cache: the examples' analyses now
            self._unanalysed = False
            self._analyses.update(analyse_all((ex.text for ex in self._all), self.lexicon, self.forms))
            an = self._analyses.get(text)
        if an is None:
            an = self._analyses[text] = analyse(text, self.lexicon, self.forms)
        return an

    def without(self, drop: Iterable[Example]) -> StageClassifier:
        """The classifier trained on the same examples minus `drop` (for leave-one-out): the
        dropped examples' counts are subtracted, nothing is retrained, and the answers are those
        of a classifier trained without them (each phrase keeps its rule's weight, which is the
        same when a whole rule is dropped, as leave-one-out does)."""
        gone = {(e.text, e.stage, e.vocabulary) for e in drop}
        dropped = (
            frozenset(i for i, e in enumerate(self._all) if (e.text, e.stage, e.vocabulary) in gone)
            | self._dropped
        )
        view = object.__new__(StageClassifier)
        view.lexicon, view.forms = self.lexicon, self.forms
        view.alpha, view.temperature = self.alpha, self.temperature
        view._analyses, view._all, view._weights, view._base = (
            self._analyses,
            self._all,
            self._weights,
            self._base,
        )
        view._unanalysed = self._unanalysed
        view._dropped = dropped
        view.examples = tuple(e for i, e in enumerate(self._all) if i not in dropped)
        view._delta = _Counts(
            [view._analysis(self._all[i].text) for i in sorted(dropped)],
            [self._all[i].stage for i in sorted(dropped)],
            [self._weights[i] for i in sorted(dropped)],
            [],
        )
        view._setup()
        return view

    # -- naive Bayes ------------------------------------------------------------------------

    def _count(self, feature: str) -> dict[Stage, float] | None:
        """The feature's (weighted) count per stage, after any subtraction; None when unseen."""
        row = self._base.counts.get(feature)
        if row is None:
            return None
        if self._delta is not None and feature in self._delta.counts:
            sub = self._delta.counts[feature]
            row = {s: n - sub.get(s, 0.0) for s, n in row.items()}
            if all(n <= 1e-9 for n in row.values()):
                return None
        return row

    def _log_row(self, feature: str) -> dict[Stage, float] | None:
        row = self._rows.get(feature)
        if row is None:
            counts = self._count(feature)
            if counts is None:
                return None
            a, size = self.alpha, self._size
            row = self._rows[feature] = {
                s: math.log((max(counts.get(s, 0.0), 0.0) + a) / (self._mass[s] + a * size))
                for s in self.stages
            }
        return row

    def predict(self, text: str | Analysis, near: Sequence[Neighbour] | None = None) -> Prediction | None:
        """The most likely stage with its confidence, or None when no feature is known.

        `near`: the text's nearest known phrases when the caller has them already (at least
        `KNN_K` of them); they are computed otherwise."""
        an = text if isinstance(text, Analysis) else analyse(text, self.lexicon, self.forms)
        rows = {f: r for f in sorted(an.features) if (r := self._log_row(f)) is not None}
        if not rows or not self.stages:
            return None
        scores = {
            s: self._log_prior[s] + math.fsum(_weight(f) * r[s] for f, r in rows.items()) for s in self.stages
        }
        top = max(scores.values())
        z = math.fsum(math.exp((v - top) / self.temperature) for v in scores.values())
        probs = {s: math.exp((v - top) / self.temperature) / z for s, v in scores.items()}
        nb_best = min(self.stages, key=lambda s: (-probs[s], _STAGE_ORDER[s]))
        votes: dict[Stage, float] = defaultdict(float)
        near = list(near[:KNN_K]) if near is not None else self.neighbours(an, KNN_K)
        total = math.fsum(n.similarity for n in near)
        for n in near:
            votes[n.stage] += n.similarity / total if total else 0.0
        knn_best = min(votes, key=lambda s: (-votes[s], _STAGE_ORDER[s])) if votes else None
        if KNN_BLEND > 0:
            probs = {s: (1 - KNN_BLEND) * p + KNN_BLEND * votes.get(s, 0.0) for s, p in probs.items()}
        ranked = sorted(self.stages, key=lambda s: (-probs[s], _STAGE_ORDER[s]))
        best = ranked[0]
        signals = _signals(
            an,
            rows,
            probs,
            ranked,
            near,
            nb_best=nb_best,
            knn_best=knn_best,
            leaning=self._leaning(rows, best),
            hinted=self._hinted(an, best),
        )
        return Prediction(
            best,
            round(calibrated(signals), 3),
            self._evidence(an, rows, best),
            self._reason(an, best),
            ranked[1] if len(ranked) > 1 else None,
            len(rows),
            round(probs[best], 3),
            signals,
            any(f[0] in "cm" for f in rows),
        )

    def _leaning(self, rows: Mapping[str, Mapping[Stage, float]], stage: Stage) -> float:
        """Share of the text's concept features (``c:``/``m:``) whose own likeliest stage is
        `stage`: 1 when every concept points there, lower when concepts pull apart."""
        tops = [
            min(self.stages, key=lambda s: (-row[s], _STAGE_ORDER[s]))
            for f, row in rows.items()
            if f[0] in "cm"
        ]
        return sum(t is stage for t in tops) / len(tops) if tops else 0.0

    def _hinted(self, an: Analysis, stage: Stage) -> float:
        """Whether the lexicon's stage definitions agree: 1 when one of the most specific hints
        whose concepts the text all has names `stage`; 0 when none does or no hint fits (on
        leave-one-out both are as unreliable)."""
        names = an.concepts
        fitting = [h for h in self.lexicon.hints if h.concepts and set(h.concepts) <= names]
        if not fitting:
            return 0.0
        most = max(len(set(h.concepts)) for h in fitting)
        return 1.0 if any(h.stage is stage for h in fitting if len(set(h.concepts)) == most) else 0.0

    def _evidence(
        self, an: Analysis, rows: Mapping[str, Mapping[Stage, float]], stage: Stage
    ) -> tuple[str, ...]:
        """The words that pull hardest towards `stage` (against the average other stage)."""
        others = [s for s in self.stages if s is not stage]
        pull: list[tuple[float, str]] = []
        for f, row in rows.items():
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

    # -- nearest known phrases --------------------------------------------------------------

    def _idf(self, feature: str) -> float:
        df = self._base.df.get(feature, 0)
        if self._delta is not None:
            df -= self._delta.df.get(feature, 0)
        return math.log(1 + max(self._n, 1) / df) if df > 0 else 0.0

    def _fw(self, feature: str) -> float:
        # concepts carry meaning across wordings; words are a carrier's idiom
        return self._idf(feature) * (1.5 if feature[0] in "cm" else 1.0)

    def _norm(self, i: int) -> float:
        norm = self._norms.get(i)
        if norm is None:
            feats = self._base.features[i]
            norm = self._norms[i] = math.sqrt(math.fsum(self._fw(f) ** 2 for f in feats)) or 1.0
        return norm

    def neighbours(self, text: str | Analysis, k: int = 3) -> list[Neighbour]:
        """The `k` known phrases most like `text` (cosine over IDF-weighted features)."""
        an = text if isinstance(text, Analysis) else analyse(text, self.lexicon, self.forms)
        feats = sorted(f for f in an.features if f in self._base.postings and self._idf(f) > 0)
        if not feats:
            return []
        norm = math.sqrt(math.fsum(self._fw(f) ** 2 for f in feats)) or 1.0
        acc: dict[int, float] = defaultdict(float)
        dropped = self._dropped
        for f in feats:
            q = self._fw(f) ** 2 / norm
            for i in self._base.postings[f]:
                if i not in dropped:
                    acc[i] += q
        best = sorted(((i, v / self._norm(i)) for i, v in acc.items()), key=lambda t: (-t[1], t[0]))
        out: list[Neighbour] = []
        seen: set[str] = set()
        for i, sim in best:
            ex = self._all[i]
            key = normalize_phrase(ex.text)
            if key in seen:
                continue
            seen.add(key)
            out.append(Neighbour(ex.text, ex.stage, ex.vocabulary, round(min(sim, 1.0), 3)))
            if len(out) == k:
                break
        return out


def _tables_key(
    examples: Sequence[Example], weights: Sequence[float], lexicon: Lexicon, forms: Forms | None
) -> str | None:
    """The hash of every input of the trained tables, or None when the cache does not apply (a
    lexicon or forms other than the core's: `features.analyse_all` caches nothing for them)."""
    analyses = analyses_key(forms) if lexicon is load_lexicon() else None
    if analyses is None:
        return None
    knobs = (sorted(WEIGHTS.items()), HINT_WEIGHT, RULE_SHARE)  # set at run time by experiments
    digest = hashlib.blake2b(f"{analyses}\n{knobs!r}\n".encode(), digest_size=20)
    for ex, w in zip(examples, weights, strict=True):
        digest.update(f"{ex.text}\x1f{ex.stage.value}\x1f{w!r}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _hint_analysis(hint: Hint, lexicon: Lexicon) -> Analysis:
    """A hint as a text of concepts in its order (a modifier qualifies the concepts after it)."""
    hits = tuple(ConceptHit(name, name, i, i + 1) for i, name in enumerate(hint.concepts))
    analysed = describe((), hits, lexicon)
    return Analysis((), hits, frozenset(f for f in analysed.features if f[0] != "w"), analysed.shown)
