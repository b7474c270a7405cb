"""Honest measurement of the open-world layers (used by ``bench/leave_one_out.py`` and tests).

`leave_one_out` removes each phrase rule of each vocabulary in turn (or every rule citing one
source, with ``by="source"``), rebuilds the vocabularies, the cross-carrier index and the
classifier without it, and asks the layers for each removed phrase, as the carrier that lost it.
A phrase some other rule of the same carrier still matches is counted apart (`still_known`):
the open world is never asked about it. `evaluate_texts` runs labelled real texts through the
carrier's own rules first and then the layers, as the event builder will.
"""

from __future__ import annotations

import dataclasses
import json
import math
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracklingo.openworld.features import Analysis, analyse_all
from tracklingo.openworld.forms import load_forms
from tracklingo.openworld.infer import Example, StageClassifier, labelled_examples, needed_confidence
from tracklingo.openworld.lexicon import load_lexicon
from tracklingo.openworld.resolver import OpenWorld, OpenWorldAnswer
from tracklingo.taxonomy import MatchKind, Stage
from tracklingo.vocabulary import Rule, Vocabulary

__all__ = [
    "LabelConflict",
    "Outcome",
    "Tally",
    "at_threshold",
    "confusion",
    "content_key",
    "cross_validated",
    "curve",
    "evaluate_texts",
    "fit_calibration",
    "label_conflicts",
    "leave_one_out",
    "load_labelled",
    "source_keys",
    "tally",
]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One removed (or held-out) text and what the layers answered."""

    group: str  # carrier / vocabulary the text belongs to
    text: str
    expected: Stage
    stage: Stage
    match: MatchKind
    confidence: float | None
    evidence: tuple[str, ...] = ()
    #: the inference layer's confidence inputs (`infer.SIGNALS`), when it was asked
    signals: tuple[float, ...] = ()

    @property
    def answered(self) -> bool:
        return self.match is not MatchKind.UNMAPPED

    @property
    def correct(self) -> bool:
        return self.answered and self.stage is self.expected


@dataclass
class Tally:
    """Counts for a set of outcomes: answered share, precision, abstentions, by layer."""

    n: int = 0
    answered: int = 0
    correct: int = 0
    still_known: int = 0
    by_match: Counter[str] = field(default_factory=Counter)
    correct_by_match: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.n += 1
        if outcome.answered:
            self.answered += 1
            self.correct += outcome.correct
        self.by_match[outcome.match.value] += 1
        self.correct_by_match[outcome.match.value] += outcome.correct

    @property
    def answered_share(self) -> float:
        return self.answered / self.n if self.n else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.answered if self.answered else 0.0

    @property
    def abstained(self) -> int:
        return self.n - self.answered

    @property
    def wrong(self) -> int:
        return self.answered - self.correct

    def row(self, name: str) -> str:
        """One table line: name, n, answered %, precision %, abstained, wrong, per layer."""
        layers = ", ".join(
            f"{m} {self.correct_by_match[m]}/{c}" for m, c in sorted(self.by_match.items()) if m != "unmapped"
        )
        return (
            f"| {name} | {self.n} | {100 * self.answered_share:.1f} % | {100 * self.precision:.1f} % "
            f"| {self.abstained} ({100 * self.abstained / self.n if self.n else 0:.1f} %) "
            f"| {self.wrong} ({100 * self.wrong / self.n if self.n else 0:.1f} %) "
            f"| {self.still_known} | {layers} |"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "answered": self.answered,
            "correct": self.correct,
            "answered_share": round(self.answered_share, 4),
            "precision": round(self.precision, 4),
            "abstained": self.abstained,
            "wrong": self.wrong,
            "still_known": self.still_known,
            "by_match": dict(self.by_match),
        }


@dataclass(frozen=True, slots=True)
class LabelConflict:
    """Training phrases that read alike (the same `content_key`) but carry different stages."""

    #: the shared content: concepts (with their modifiers) and the other words' stems, sorted
    key: tuple[str, ...]
    #: (stage, origin, phrase) of each labelled text in the group, in journey order; the origin
    #: is the vocabulary and the first source its rule cites (``world:DPD_UK``)
    members: tuple[tuple[Stage, str, str], ...]

    @property
    def stages(self) -> frozenset[Stage]:
        """The distinct stages the group's phrases carry."""
        return frozenset(s for s, _, _ in self.members)

    @property
    def origins(self) -> frozenset[str]:
        """The vocabularies and sources the group's phrases come from."""
        return frozenset(o for _, o, _ in self.members)


def content_key(an: Analysis) -> tuple[str, ...]:
    """What a text says, for `label_conflicts`: its concepts (``c:``; ``m:`` when a modifier
    qualifies one) and its other content words' stems (``w:``), sorted, without the pairs, order
    and head features: word order, inflection, numbers, carrier names and stopwords drop out."""
    return tuple(sorted(f for f in an.features if f[:2] in ("c:", "m:", "w:")))


def label_conflicts(
    vocabularies: Sequence[Vocabulary],
    *,
    across: bool = True,
    analyses: Mapping[str, Analysis] | None = None,
) -> list[LabelConflict]:
    """Groups of the classifier's training phrases (`infer.labelled_examples`) with the same
    `content_key` but different stages: label noise, or a meaning the taxonomy leaves open.
    `across`: only groups whose phrases come from two or more origins (a source disagreeing
    with itself alone is left out). `analyses`: precomputed `features.analyse` results by text.
    Largest groups first, then by key."""
    examples = labelled_examples(vocabularies)
    found = dict(analyses or {})
    missing = [ex.text for ex in examples if ex.text not in found]
    if missing:
        found.update(analyse_all(missing, load_lexicon(), load_forms()))
    groups: dict[tuple[str, ...], set[tuple[Stage, str, str]]] = defaultdict(set)
    for ex in examples:
        key = content_key(found[ex.text])
        if key:
            keys = source_keys(ex.rule) if ex.rule is not None else []
            origin = f"{ex.vocabulary}:{keys[0]}" if keys else ex.vocabulary
            groups[key].add((ex.stage, origin, ex.text))
    out = []
    for key, members in groups.items():
        if len({s for s, _, _ in members}) < 2 or (across and len({o for _, o, _ in members}) < 2):
            continue
        ordered = tuple(sorted(members, key=lambda m: (m[0].rank, m[1], m[2])))
        out.append(LabelConflict(key, ordered))
    return sorted(out, key=lambda c: (-len(c.members), c.key))


def source_keys(rule: Rule) -> list[str]:
    """The source keys or references a rule cites (split on ``,`` and ``;``)."""
    return [p.strip() for p in rule.source.replace(";", ",").split(",") if p.strip()]


def _rebuild(vocab: Vocabulary, drop: set[int]) -> Vocabulary:
    rules = [r for r in vocab.rules if id(r) not in drop]
    if len(rules) == len(vocab.rules):
        return vocab
    return Vocabulary(vocab.carrier, rules, vocab.reasons, vocab.sources)


def leave_one_out(
    vocabularies: Sequence[Vocabulary],
    *,
    carriers: Iterable[str] | None = None,
    by: str = "rule",
    limit: int | None = None,
    world: Callable[[Sequence[Vocabulary], StageClassifier], OpenWorld] | None = None,
    threshold: float | None = None,
) -> tuple[dict[str, Tally], list[Outcome]]:
    """Leave each phrase rule (``by="rule"``) or each source (``by="source"``) out and ask.

    `vocabularies`: every vocabulary the layers know (installed carriers' and shared ones).
    `carriers`: limit to these vocabularies' own rules. `limit`: at most this many groups per
    vocabulary (for a quick test). `threshold`: the inference layer's (its default otherwise;
    0 answers whatever it can, for a curve). Returns the tally per vocabulary (and
    ``"overall"``) and every outcome."""
    base_examples = labelled_examples(vocabularies)
    base = StageClassifier(base_examples, forms=load_forms())
    by_rule: dict[int, list[Example]] = defaultdict(list)
    for ex in base_examples:
        if ex.rule is not None:
            by_rule[id(ex.rule)].append(ex)
    wanted = set(carriers) if carriers is not None else None
    tallies: dict[str, Tally] = defaultdict(Tally)
    outcomes: list[Outcome] = []
    names = {v.carrier for v in vocabularies}
    seen_rules: set[int] = set()
    for vocab in vocabularies:
        if wanted is not None and vocab.carrier not in wanted:
            continue
        own = [
            r
            for r in vocab.rules
            if r.vocabulary == vocab.carrier and r.phrase and not r.fallback and r.context is None
        ]
        own = [r for r in own if id(r) not in seen_rules]
        seen_rules.update(id(r) for r in own)
        groups: list[list[Rule]]
        if by == "source":
            keyed: dict[str, list[Rule]] = defaultdict(list)
            for r in own:
                for key in source_keys(r):
                    keyed[key].append(r)
            groups = [keyed[k] for k in sorted(keyed)]
        else:
            groups = [[r] for r in own]
        if limit is not None:
            groups = groups[:limit]
        for group in groups:
            drop = {id(r) for r in group}
            rebuilt = [_rebuild(v, drop) for v in vocabularies]
            asker = next(v for v in rebuilt if v.carrier == vocab.carrier)
            clf = base.without([ex for r in group for ex in by_rule.get(id(r), ())])
            if world is not None:
                ow = world(rebuilt, clf)
            elif threshold is not None:
                ow = OpenWorld(rebuilt, classifier=clf, threshold=threshold)
            else:
                ow = OpenWorld(rebuilt, classifier=clf)
            carrier_vocab = asker if vocab.carrier in names and _is_carrier(vocab, vocabularies) else None
            for rule in group:
                for phrase in rule.phrase:
                    if (
                        carrier_vocab is not None
                        and carrier_vocab.resolve(phrase).match is not MatchKind.UNMAPPED
                    ):
                        tallies[vocab.carrier].still_known += 1
                        tallies["overall"].still_known += 1
                        continue
                    answer = ow.resolve(phrase, None, carrier_vocab)
                    assert answer is not None
                    outcome = _outcome(vocab.carrier, phrase, rule.stage, answer)
                    outcomes.append(outcome)
                    tallies[vocab.carrier].add(outcome)
                    tallies["overall"].add(outcome)
    return dict(tallies), outcomes


def _is_carrier(vocab: Vocabulary, vocabularies: Sequence[Vocabulary]) -> bool:
    """A shared vocabulary (included by others, e.g. ``upu``) has no carrier of its own to ask
    as; its phrases are asked with no carrier rules at all."""
    return not any(
        other is not vocab and any(r.vocabulary == vocab.carrier for r in other.rules)
        for other in vocabularies
    )


def _outcome(group: str, text: str, expected: Stage, answer: OpenWorldAnswer) -> Outcome:
    return Outcome(
        group, text, expected, answer.stage, answer.match, answer.confidence, answer.evidence, answer.signals
    )


def load_labelled(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file of labelled texts (``text``, ``expected`` or ``stage``, ``carrier``,
    ``source``)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def evaluate_texts(
    rows: Iterable[Mapping[str, Any]],
    carrier_vocabularies: Mapping[str, Vocabulary],
    world: OpenWorld,
    *,
    infer: bool = True,
) -> tuple[dict[str, Tally], list[Outcome]]:
    """Each text through its carrier's own rules (when that carrier is installed), then the
    open-world layers; tallied per carrier and overall."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    outcomes: list[Outcome] = []
    for row in rows:
        text, expected = row["text"], Stage(row.get("expected") or row["stage"])
        carrier = str(row.get("carrier") or "")
        vocab = carrier_vocabularies.get(carrier)
        outcome: Outcome | None = None
        if vocab is not None:
            res = vocab.resolve(text)
            if res.match is not MatchKind.UNMAPPED:
                outcome = Outcome(carrier, text, expected, res.stage, res.match, None)
        if outcome is None:
            answer = world.resolve(text, None, vocab, infer=infer)
            assert answer is not None
            outcome = _outcome(carrier, text, expected, answer)
        outcomes.append(outcome)
        tallies[carrier].add(outcome)
        tallies["overall"].add(outcome)
    return dict(tallies), outcomes


def fit_calibration(outcomes: Iterable[Outcome], l2: float = 1e-3, rounds: int = 25) -> tuple[float, ...]:
    """Logistic regression of "the inferred stage is right" on the inference signals of the
    `inferred` outcomes (Newton's method, a small L2 penalty): the `infer.CALIBRATION`
    coefficients, intercept first. Deterministic."""
    data = [((1.0, *o.signals), 1.0 if o.correct else 0.0) for o in outcomes if o.match is MatchKind.INFERRED]
    if not data:
        raise ValueError("no inferred outcome to calibrate on")
    k = len(data[0][0])
    w = [0.0] * k
    for _ in range(rounds):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in data:
            z = sum(wi * xi for wi, xi in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g, h = p - y, p * (1.0 - p)
            for i in range(k):
                grad[i] += g * x[i]
                for j in range(k):
                    hess[i][j] += h * x[i] * x[j]
        for i in range(1, k):
            grad[i] += l2 * len(data) * w[i]
            hess[i][i] += l2 * len(data)
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(si) for si in step) < 1e-9:
            break
    return tuple(round(wi, 4) for wi in w)


def cross_validated(outcomes: Sequence[Outcome], folds: int = 5) -> list[Outcome]:
    """`outcomes` with each inferred confidence recomputed by a calibration fitted on the other
    folds (a text's fold is fixed by a CRC of its text): how the confidence ranks texts it was
    not fitted on. Deterministic."""
    fold_of = [zlib.crc32(o.text.encode("utf-8")) % folds for o in outcomes]
    out = list(outcomes)
    for k in range(folds):
        w = fit_calibration(o for o, f in zip(outcomes, fold_of, strict=True) if f != k)
        for i, (o, f) in enumerate(zip(outcomes, fold_of, strict=True)):
            if f == k and o.match is MatchKind.INFERRED and o.signals:
                z = w[0] + math.fsum(a * b for a, b in zip(w[1:], o.signals, strict=True))
                conf = round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 3)
                out[i] = dataclasses.replace(o, confidence=conf)
    return out


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a·x = b (Gaussian elimination with partial pivoting; `a` is positive definite)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def curve(
    outcomes: Sequence[Outcome], thresholds: Iterable[float] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
) -> list[tuple[float, float, float]]:
    """For each threshold: (threshold, share answered, precision of what is answered), the
    table layers' answers counted at any threshold and inferred ones at or above it."""
    rows = []
    n = len(outcomes) or 1
    for th in thresholds:
        answered = [
            o
            for o in outcomes
            if o.answered
            and (
                o.match is not MatchKind.INFERRED or (o.confidence or 0.0) >= needed_confidence(o.signals, th)
            )
        ]
        right = sum(o.correct for o in answered)
        rows.append((th, len(answered) / n, right / len(answered) if answered else 0.0))
    return rows


def at_threshold(outcomes: Iterable[Outcome], threshold: float) -> list[Outcome]:
    """The outcomes as a layer with `threshold` would give them: an inferred answer below it
    (below `infer.needed_confidence`: a split reading needs more) becomes ``unmapped`` (from a
    run at threshold 0, one curve needs one run)."""
    out = []
    for o in outcomes:
        if o.match is MatchKind.INFERRED and (o.confidence or 0.0) < needed_confidence(o.signals, threshold):
            o = Outcome(o.group, o.text, o.expected, Stage.UNKNOWN, MatchKind.UNMAPPED, None, (), o.signals)
        out.append(o)
    return out


def confusion(outcomes: Iterable[Outcome]) -> Counter[tuple[Stage, Stage]]:
    """The wrong answers counted by (expected stage, answered stage): where the layers confuse
    one stage for another (abstentions are not counted)."""
    return Counter((o.expected, o.stage) for o in outcomes if o.answered and not o.correct)


def tally(outcomes: Iterable[Outcome]) -> dict[str, Tally]:
    """Tallies per group and ``"overall"``."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for o in outcomes:
        tallies[o.group].add(o)
        tallies["overall"].add(o)
    return dict(tallies)
