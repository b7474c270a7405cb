"""The open-world resolver: what the layers say about a text the carrier's own rules do not know.

Call it only after the carrier's own rules returned ``unmapped`` (exact rules always win; a code
rule is never second-guessed). Layers, in order, the first answer wins:

1. `cross_carrier`: the folded text is an exact phrase of another installed or shared vocabulary
   (`tracklingo.openworld.cross`);
2. `sentence_form`: a frame stripped (`tracklingo.openworld.forms`) leaves a kernel that the
   carrier's own rules, or another vocabulary's phrases, know; or a known phrase starts the
   text and a place follows it;
3. `inferred`: the classifier (`tracklingo.openworld.infer`) reads a stage from the words, with
   a confidence at or above the threshold (at or above `infer.SPLIT_CONFIDENCE` when its naive
   Bayes and its nearest phrases pick different stages) and at least one concept of the
   lexicon among the words it knows (a reading from a carrier's idiom alone is a guess);
4. otherwise ``unmapped`` (stage `unknown`) with the nearest known phrases as suggestions.

Every answer is cached per (carrier, text): a feed of millions pays once per distinct text, and
a repeated text costs one dict lookup. Everything is deterministic.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from tracklingo.openworld.cross import CrossHit, CrossIndex
from tracklingo.openworld.forms import Forms, Kernel, Reading, load_forms, place_parts
from tracklingo.openworld.infer import (
    KNN_K,
    Analysis,
    Neighbour,
    StageClassifier,
    analyse,
    labelled_examples,
    needed_confidence,
)
from tracklingo.openworld.lexicon import Lexicon, load_lexicon, words
from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Resolution, Rule, Vocabulary, normalize_phrase

__all__ = [
    "DEFAULT_THRESHOLD",
    "FORM_CONFIDENCE",
    "OpenWorld",
    "OpenWorldAnswer",
    "installed_vocabularies",
    "layered_resolve",
    "open_world_for",
    "resolve_open_world",
    "shared_world",
    "shared_world_built",
]

#: Below this confidence the inference layer abstains (`unknown` with suggestions). The confidence
#: is calibrated on leave-one-out, by rule and by whole source pooled: the chance of being right
#: for a wording whose whole rule (or source) is gone, which underrates real feeds, where most
#: wordings have near-twins. On that pooled leave-one-out (5-fold cross-validated) 0.3 answers
#: 88 % of removed phrases, 76 % of them right (0.4: 82 %, 80 %; 90 % precision only
#: from 0.8, 47 % answered). 0.3 stays: on the real carrier texts the layers were tuned on
#: (core/tests/data/unseen_texts.jsonl batches 1, 2, 4) the answers between 0.3 and 0.4 are
#: right far more often than leave-one-out's 40 %, so a higher threshold there only adds
#: unknowns (3.5 % at 0.3, 6.4 % at 0.4, wrong 6.4 % at both). A caller who prefers abstaining
#: passes a higher `threshold`. ``bench/leave_one_out.py --by both --calibrate --cv 5`` prints
#: the curve.
DEFAULT_THRESHOLD: Final = 0.3
#: Confidence of a kernel the carrier's own rules know once a sentence frame is stripped.
FORM_CONFIDENCE: Final = 0.9
#: A nearest known phrase at least this similar, and agreeing, is named in the evidence.
_READS_LIKE: Final = 0.6
_CACHE_LIMIT: Final = 200_000
_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})
_PLACE_LINKS: Final = frozenset({"in", "at", "to", "-", "\u2013", ",", ":", "from"})
#: concepts a place name may contain ("CHICAGO IL NETWORK DISTRIBUTION CENTER")
#: (a pickup point or post office is not one: "ARRIVED AT PICKUP POINT" says where it waits)
_PLACE_CONCEPTS: Final = frozenset({"facility", "country", "local", "destination", "origin"})


@dataclass(frozen=True, slots=True)
class OpenWorldAnswer:
    """What the open-world layers make of one text.

    `match` is `cross_carrier`, `sentence_form`, `inferred`, or `unmapped` when every layer
    abstained (then `stage` is `unknown` and `suggestions` holds the nearest known phrases).
    `confidence` is in [0, 1]; `evidence` names the words or known phrases the answer rests on.
    """

    text: str
    stage: Stage
    match: MatchKind
    confidence: float | None
    evidence: tuple[str, ...] = ()
    reason: Reason | None = None
    #: the vocabulary a cross-carrier or sentence-form hit came from
    vocabulary: str | None = None
    rule: Rule | None = None
    needs_context: str | None = None
    by_context: Mapping[str, Stage] = field(default_factory=dict)
    #: location parts the text carried (a form's place, or a captured pattern group)
    captured: Mapping[str, str] = field(default_factory=dict)
    #: date / time text a sentence form carried, as written
    when: Mapping[str, str] = field(default_factory=dict)
    kernel: str | None = None
    forms: tuple[str, ...] = ()
    suggestions: tuple[Neighbour, ...] = ()
    #: carriers the text names that are not installed ("Processing at UPS Facility")
    mentions: tuple[str, ...] = ()
    #: every (vocabulary, stage) a cross-carrier lookup saw, agreeing or not
    votes: tuple[tuple[str, Stage], ...] = ()
    #: what an inferred answer's confidence was computed from (`infer.SIGNALS`), also when the
    #: layers abstained below the threshold
    signals: tuple[float, ...] = ()

    @property
    def answered(self) -> bool:
        """True unless every layer abstained."""
        return self.match is not MatchKind.UNMAPPED


class _Abstained(NamedTuple):
    """What the table layers read of a text they had no answer for: all the inference needs."""

    reading: Reading
    analysis: Analysis
    nearest: list[Neighbour]
    mentions: tuple[str, ...]


class OpenWorld:
    """The open-world layers compiled over a set of vocabularies (installed + shared ones).

    Build once per process (the classifier trains on every labelled phrase at construction; the
    phrases' analyses are kept across processes, `features.analyse_all`); `resolve` is then
    cached per (carrier, text).
    """

    def __init__(
        self,
        vocabularies: Iterable[Vocabulary],
        *,
        forms: Forms | None = None,
        lexicon: Lexicon | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        classifier: StageClassifier | None = None,
    ) -> None:
        self.vocabularies: tuple[Vocabulary, ...] = tuple(vocabularies)
        self.forms = forms or load_forms()
        self.lexicon = lexicon or load_lexicon()
        self.threshold = threshold
        self.cross = CrossIndex(self.vocabularies)
        self.classifier = classifier or StageClassifier(
            labelled_examples(self.vocabularies), self.lexicon, forms=self.forms
        )
        self._names = frozenset(self.cross.vocabularies)
        #: folded carrier names a text may give (installed vocabularies and the lexicon's list)
        self._carrier_names = frozenset(
            {" ".join(words(n.replace("_", " "))) for n in self._names}
            | {s for spellings in self.lexicon.carriers.values() for s in spellings}
        ) - {""}
        self._own_phrases: dict[int, tuple[Vocabulary, dict[str, Rule]]] = {}
        self._cache: dict[tuple[str | None, str, bool], OpenWorldAnswer] = {}
        #: the last text the table layers abstained on, with what they read (`_answer`): the
        #: mapper's inference layer asks about the same text right after the table layer
        self._last: tuple[Vocabulary | None, str, _Abstained] | None = None

    # -- public -------------------------------------------------------------------------------

    def resolve(
        self,
        text: str | None,
        code: str | None = None,
        carrier_vocab: Vocabulary | None = None,
        context: Mapping[str, str] | None = None,
        *,
        infer: bool = True,
    ) -> OpenWorldAnswer | None:
        """The open-world answer for a text the carrier's rules left unmapped; None for no text.

        `code` does not change the answer (a code no rule knows says nothing about the words);
        it is accepted so the call mirrors `Vocabulary.resolve`. `context` resolves a context
        rule of the carrier's own vocabulary reached through a sentence form; another
        vocabulary's context rule keeps `needs_context`. `infer=False` keeps the table layers
        (cross-carrier, sentence forms) and never guesses.
        """
        if not text or not text.strip():
            return None
        key = (carrier_vocab.carrier if carrier_vocab is not None else None, text, infer)
        answer = self._cache.get(key)
        if answer is None:
            answer = self._answer(text, carrier_vocab, infer)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = answer
        if answer.needs_context is not None and answer.rule is not None and carrier_vocab is not None:
            return _with_context(answer, carrier_vocab, context)
        return answer

    def cache_size(self) -> int:
        """How many distinct (carrier, text) answers are cached."""
        return len(self._cache)

    # -- layers -------------------------------------------------------------------------------

    def _answer(self, text: str, vocab: Vocabulary | None, infer: bool) -> OpenWorldAnswer:
        last = self._last  # the table layers' pass over this text, if the one before abstained
        if infer and last is not None and last[0] is vocab and last[1] == text:
            tables: OpenWorldAnswer | _Abstained = last[2]
        else:
            tables = self._tables(text, vocab)
        if isinstance(tables, OpenWorldAnswer):
            return tables
        if not infer:  # the mapper's inference layer asks next, for the same text
            self._last = (vocab, text, tables)
        return self._inferred(text, tables, infer)

    def _tables(self, text: str, vocab: Vocabulary | None) -> OpenWorldAnswer | _Abstained:
        """The table layers (cross-carrier, sentence forms): their answer, or what the inference
        reads when they abstain (the same whether it then infers or not)."""
        mentions = self._mentions(text)
        hit = self.cross.lookup(text, exclude=vocab)
        if hit is not None:
            return _cross_answer(text, hit, MatchKind.CROSS_CARRIER, mentions=mentions)
        reading = self.forms.read(text)
        for kernel in reading.kernels:
            found = self._kernel(text, kernel, vocab, reading.captured, reading.when, mentions)
            if found is not None:
                return _marked(found, reading.direction)
        for candidate in (text, *(k.text for k in reading.kernels)):
            found = self._known_start(text, candidate, vocab, reading.captured, reading.when, mentions)
            if found is not None:
                return _marked(found, reading.direction)
        an = analyse(reading.inference_text or text, self.lexicon)
        return _Abstained(reading, an, self.classifier.neighbours(an, max(KNN_K, 3)), mentions)

    def _inferred(self, text: str, tables: _Abstained, infer: bool) -> OpenWorldAnswer:
        """The classifier's answer (`infer`) once the table layers abstained, else ``unmapped``
        with the nearest known phrases."""
        reading, an, nearest, mentions = tables
        neighbours = tuple(nearest[:3])
        signals: tuple[float, ...] = ()
        if infer:
            pred = self.classifier.predict(an, nearest)
            if pred is not None:
                signals = pred.signals
                evidence = list(pred.evidence)
                near = neighbours[0] if neighbours else None
                if near is not None and near.similarity >= _READS_LIKE and near.stage is pred.stage:
                    evidence.append(f'reads like "{near.text}" ({near.vocabulary})')
                if pred.confidence >= needed_confidence(pred.signals, self.threshold) and pred.grounded:
                    return OpenWorldAnswer(
                        text,
                        pred.stage,
                        MatchKind.INFERRED,
                        pred.confidence,
                        tuple(evidence),
                        pred.reason,
                        captured=reading.captured,
                        when=reading.when,
                        forms=tuple(dict.fromkeys(f for k in reading.kernels for f in k.forms)),
                        suggestions=neighbours,
                        mentions=mentions,
                        signals=signals,
                    )
        return OpenWorldAnswer(
            text,
            Stage.UNKNOWN,
            MatchKind.UNMAPPED,
            None,
            (),
            captured=reading.captured,
            when=reading.when,
            suggestions=neighbours,
            mentions=mentions,
            signals=signals,
        )

    def _kernel(
        self,
        text: str,
        kernel: Kernel,
        vocab: Vocabulary | None,
        captured: Mapping[str, str],
        when: Mapping[str, str],
        mentions: tuple[str, ...],
    ) -> OpenWorldAnswer | None:
        if vocab is not None:
            res = vocab.resolve(kernel.text)
            if res.rule is not None and res.match not in (MatchKind.UNMAPPED, MatchKind.FALLBACK):
                rule = res.rule
                return OpenWorldAnswer(
                    text,
                    rule.stage,
                    MatchKind.SENTENCE_FORM,
                    FORM_CONFIDENCE,
                    (f'"{kernel.text}"', *kernel.forms),
                    rule.reason,
                    vocabulary=vocab.carrier,
                    rule=rule,
                    needs_context=rule.context,
                    by_context=rule.by_context,
                    captured=_merge(captured, res.captured),
                    when=when,
                    kernel=kernel.text,
                    forms=kernel.forms,
                    mentions=mentions,
                )
        hit = self.cross.lookup(kernel.text, exclude=vocab)
        if hit is not None:
            answer = _cross_answer(
                text, hit, MatchKind.SENTENCE_FORM, mentions=mentions, looked_up=kernel.text
            )
            return dataclasses.replace(
                answer,
                confidence=round(FORM_CONFIDENCE * (hit.confidence or 1.0), 3),
                evidence=(*answer.evidence, *kernel.forms),
                captured=captured,
                when=when,
                kernel=kernel.text,
                forms=kernel.forms,
            )
        return None

    def _known_start(
        self,
        text: str,
        candidate: str,
        vocab: Vocabulary | None,
        form_captured: Mapping[str, str],
        when: Mapping[str, str],
        mentions: tuple[str, ...],
    ) -> OpenWorldAnswer | None:
        """A known phrase at the start of `candidate` with a place after it: "ARRIVED AT
        FACILITY CHICAGO IL", "delivered in or at the mailbox". A one-word phrase counts only
        when a link word ("in", "at", a comma) follows it."""
        tokens = candidate.split()
        if len(tokens) < 2:
            return None
        own = self._own_index(vocab)
        all_caps = not any(c.islower() for c in candidate)
        for cut in range(len(tokens) - 1, 0, -1):
            head, rest = tokens[:cut], tokens[cut:]
            if not self._place_like(rest, all_caps) or (cut == 1 and rest[0].lower() not in _PLACE_LINKS):
                continue
            folded = normalize_phrase(" ".join(head))
            if not folded:
                continue
            rule = own.get(folded)
            vocabulary = vocab.carrier if (rule is not None and vocab is not None) else None
            hit: CrossHit | None = None
            if rule is None:
                hit = self.cross.lookup(folded, exclude=vocab, folded=True)
                if hit is None:
                    continue
                rule, vocabulary = hit.rule, hit.vocabulary
            place = " ".join(rest).strip(" ,:;-\u2013")
            while place.split(" ", 1)[0].lower() in _PLACE_LINKS and " " in place:
                place = place.split(" ", 1)[1]
            captured = _merge(form_captured, place_parts(place) if place and place.isupper() else _EMPTY)
            confidence = FORM_CONFIDENCE if hit is None else round(FORM_CONFIDENCE * hit.confidence, 3)
            return OpenWorldAnswer(
                text,
                rule.stage,
                MatchKind.SENTENCE_FORM,
                confidence,
                (f'"{" ".join(head)}"', "known-phrase-then-place"),
                rule.reason,
                vocabulary=vocabulary,
                rule=rule,
                needs_context=rule.context,
                by_context=rule.by_context,
                captured=captured,
                when=when,
                kernel=" ".join(head),
                forms=("known-phrase-then-place",),
                mentions=mentions,
                votes=hit.votes if hit is not None else (),
            )
        return None

    def _place_like(self, rest: Sequence[str], all_caps: bool) -> bool:
        """Whether the words after a known phrase read as a place: in a mixed-case text, words
        in capitals (after a link word); in an all-caps text, words naming no status concept.
        A carrier's name is not a place ("TENDERED TO USPS" is a hand-over)."""
        words_ = [w for w in rest if w.lower() not in _PLACE_LINKS]
        if not words_:
            return False
        if not all_caps:
            placed = all(not any(c.islower() for c in w) for w in words_)
        else:
            hits = self.lexicon.hits(words(" ".join(words_)))
            covered = {i for h in hits if h.concept in _PLACE_CONCEPTS for i in range(h.start, h.end)}
            placed = all(
                h.concept in _PLACE_CONCEPTS or all(i in covered for i in range(h.start, h.end)) for h in hits
            )
        if not placed:
            return False
        folded = " " + " ".join(words(" ".join(words_))) + " "
        return not any(f" {n} " in folded for n in self._carrier_names)

    def _own_index(self, vocab: Vocabulary | None) -> Mapping[str, Rule]:
        """The carrier's own non-fallback phrases (folded), built once per vocabulary."""
        if vocab is None:
            return _EMPTY_RULES
        entry = self._own_phrases.get(id(vocab))
        if entry is None or entry[0] is not vocab:
            table: dict[str, Rule] = {}
            for rule in sorted(vocab.rules, key=lambda r: r.vocabulary != vocab.carrier):
                if rule.fallback:
                    continue
                for phrase in rule.phrase:
                    table.setdefault(normalize_phrase(phrase), rule)
            entry = self._own_phrases[id(vocab)] = (vocab, table)
        return entry[1]

    def _mentions(self, text: str) -> tuple[str, ...]:
        tokens = " " + " ".join(words(text)) + " "
        found = []
        for name, spellings in self.lexicon.carriers.items():
            if name in self._names:
                continue
            if any(f" {s} " in tokens for s in spellings):
                found.append(name)
        return tuple(found)


_EMPTY_RULES: Final[Mapping[str, Rule]] = MappingProxyType({})


def _merge(a: Mapping[str, str], b: Mapping[str, str]) -> Mapping[str, str]:
    if not b:
        return a
    if not a:
        return b
    return MappingProxyType({**b, **a})


def _cross_answer(
    text: str, hit: CrossHit, match: MatchKind, *, mentions: tuple[str, ...], looked_up: str | None = None
) -> OpenWorldAnswer:
    key = normalize_phrase(looked_up if looked_up is not None else text)
    phrase = next((p for p in hit.rule.phrase if normalize_phrase(p) == key), None) or next(
        iter(hit.rule.phrase), text
    )
    evidence = [f'"{phrase}" ({", ".join(hit.vocabularies)})']
    dissent = sorted({f"{v}: {s.value}" for v, s in hit.votes if s is not hit.stage})
    if dissent:
        evidence.append("disagreeing: " + "; ".join(dissent))
    return OpenWorldAnswer(
        text,
        hit.stage,
        match,
        hit.confidence,
        tuple(evidence),
        hit.reason,
        vocabulary=hit.vocabulary,
        rule=hit.rule,
        needs_context=hit.needs_context,
        by_context=hit.by_context,
        mentions=mentions,
        votes=hit.votes,
    )


def _marked(answer: OpenWorldAnswer, direction: str | None) -> OpenWorldAnswer:
    """A direction rule reached through a form whose marker said the direction ("Receive item
    at office of exchange (Inb)"): the text itself tells inward from outward, so the rule's
    stage for that direction applies, whichever vocabulary the rule came from."""
    if direction is None or answer.needs_context != "direction" or direction not in answer.by_context:
        return answer
    return dataclasses.replace(
        answer,
        stage=answer.by_context[direction],
        needs_context=None,
        evidence=(*answer.evidence, f"marker: {direction}"),
    )


def _with_context(
    answer: OpenWorldAnswer, vocab: Vocabulary, context: Mapping[str, str] | None
) -> OpenWorldAnswer:
    """Resolve a context rule of the carrier's own vocabulary (reached through a form) from
    `context`; another vocabulary's context rule keeps `needs_context`."""
    rule = answer.rule
    if rule is None or answer.match is not MatchKind.SENTENCE_FORM or answer.vocabulary != vocab.carrier:
        return answer
    value = context.get(rule.context or "") if context else None
    if value is None or value not in rule.by_context:
        return answer
    return dataclasses.replace(answer, stage=rule.by_context[value], needs_context=None)


# -- process-wide convenience ----------------------------------------------------------------

_WORLDS: dict[tuple[int, ...], tuple[tuple[Vocabulary, ...], OpenWorld]] = {}


def open_world_for(vocabularies: Sequence[Vocabulary]) -> OpenWorld:
    """The `OpenWorld` for these vocabularies, built once per process and reused."""
    key = tuple(id(v) for v in vocabularies)
    entry = _WORLDS.get(key)
    if entry is None or any(a is not b for a, b in zip(entry[0], vocabularies, strict=True)):
        entry = _WORLDS[key] = (tuple(vocabularies), OpenWorld(vocabularies))
    return entry[1]


_SHARED: list[OpenWorld] = []  # at most one: the process's
_SHARED_LOCK: Final = threading.Lock()


def shared_world() -> OpenWorld:
    """The process's `OpenWorld` over every installed vocabulary and the core's shared ones,
    compiled the first time it is asked for (the mapper's open-world layers ask only when a
    text reaches them, so a feed whose every text a rule knows never compiles it)."""
    if not _SHARED:
        with _SHARED_LOCK:
            if not _SHARED:
                _SHARED.append(OpenWorld(installed_vocabularies()))
    return _SHARED[0]


def shared_world_built() -> bool:
    """Whether the process's `OpenWorld` has been compiled."""
    return bool(_SHARED)


def installed_vocabularies(registry: Any = None) -> list[Vocabulary]:
    """Every installed carrier's vocabulary plus the core's shared ones (``upu``...), for
    `OpenWorld`: the carriers of `registry`, else of the process's registry (`plugins.adopt`), else
    freshly loaded. A carrier whose vocabulary fails to load is skipped (the registry reports it)."""
    from importlib import resources

    from tracklingo.plugins import adopted, load_carriers
    from tracklingo.vocabulary import shared_vocabulary

    vocabs: list[Vocabulary] = []
    folder = resources.files("tracklingo").joinpath("data", "vocab")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            with contextlib.suppress(Exception):
                vocabs.append(shared_vocabulary(entry.name[: -len(".toml")]))
    if registry is None:
        registry = adopted()
    if registry is None:
        registry = load_carriers()
    for carrier in registry:
        try:
            vocabs.append(carrier.vocabulary)
        except Exception:
            continue
    return vocabs


def resolve_open_world(
    text: str | None,
    code: str | None,
    carrier_vocab: Vocabulary | None,
    all_vocabs: Sequence[Vocabulary],
    *,
    context: Mapping[str, str] | None = None,
    infer: bool = True,
) -> OpenWorldAnswer | None:
    """`OpenWorld.resolve` over `all_vocabs` (compiled once per process for that set).

    Call it only when `carrier_vocab.resolve(text, code)` returned ``unmapped``."""
    return open_world_for(all_vocabs).resolve(text, code, carrier_vocab, context, infer=infer)


def layered_resolve(
    world: OpenWorld,
    vocab: Vocabulary,
    text: str | None,
    code: str | None = None,
    context: Mapping[str, str] | None = None,
    fallback_code: str | None = None,
    *,
    infer: bool = True,
) -> Resolution | OpenWorldAnswer:
    """The whole precedence in one call: the carrier's own rules (`Vocabulary.resolve`: code,
    phrase, pattern, context, fallback), and only when they return ``unmapped``, the open-world
    layers. A rule match is returned as the engine's `Resolution`, untouched; so an exact rule
    always beats inference and a code rule is never second-guessed."""
    res = vocab.resolve(text, code, context, fallback_code)
    if res.match is not MatchKind.UNMAPPED:
        return res
    answer = world.resolve(text, code, vocab, context, infer=infer)
    return answer if answer is not None else res
