"""The mapper: the one place where a carrier's words become a stage.

An adapter hands over what a scan says (`tracklingo.scans.Scan`: code, text, alternative texts
and codes, a coarse status, a detail, reason keys); the mapper reads them through **layers**, in
order, until one answers, then **refines** the answer:

1. ``rules`` — the carrier's own exact rules (code+phrase, code, phrase, pattern, a known phrase
   with a place after it), with the precedence its vocabulary declares in ``[meta.options]``
   (a second code namespace such as DHL Parcel Germany's legacy codes; `Options.alt_codes`);
2. ``fallback`` — the carrier's coarse rules: a status code in its own namespace (FedEx
   ``derivedStatusCode``; `Options.status_codes`), its text, then the fallback codes, phrases and
   patterns, then that status text among the fallback phrases (USPS ``statusCategory``);
3. later layers (`Mapper.add_layer`): the open-world ones — other vocabularies
   (`MatchKind.CROSS_CARRIER`), sentence forms (`SENTENCE_FORM`), inference (`INFERRED`, with
   `confidence` and `evidence`) — each tried only when every layer before it had nothing, so an
   exact rule always wins. Every layer can be switched off (`Mapper.switch`).

Then the refinements, in order: a scan whose text alone says only "in transit" is matched again
with its facility appended when the vocabulary names such facilities (`Options.text_with_facility`:
USPS International Service Centers); a finer `detail` text refines "in transit" (FedEx
``exceptionDescription``); a direction-dependent rule is resolved by the shipment's direction (or
left with ``needs_context``); and the reason table (``[[reason]]``) sets the reason, and the stage
when its entry names one.

The answer (`Mapped`) depends on the words, the direction and that facility only: the event
builder (`tracklingo.events`) memoises it by exactly those.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, NamedTuple, Protocol

from tracklingo.fields import text_of
from tracklingo.taxonomy import STAGE_STATUS, MatchKind, Reason, Stage, Status
from tracklingo.vocabulary import Hit, Resolution, Rule, Vocabulary

__all__ = ["Layer", "Mapped", "Mapper", "Words"]

_NO_CAPTURE: Final[Mapping[str, str]] = MappingProxyType({})
_GENERIC_MATCHES: Final = frozenset({MatchKind.UNMAPPED, MatchKind.FALLBACK})
#: the later (open-world) layers' answers: never preferred to a rule a refinement finds
_GUESSES: Final = frozenset({MatchKind.CROSS_CARRIER, MatchKind.SENTENCE_FORM, MatchKind.INFERRED})
_RULE_MATCHES: Final = frozenset({MatchKind.CODE, MatchKind.PHRASE, MatchKind.PATTERN, MatchKind.CONTEXT})


class Words(NamedTuple):
    """What the stage is read from: a scan's first nine fields (`tracklingo.scans.WORD_FIELDS`),
    cleaned (stripped strings or None)."""

    code: str | None = None
    text: str | None = None
    alt_texts: tuple[str, ...] = ()
    alt_codes: tuple[str, ...] = ()
    status_code: str | None = None
    status_text: str | None = None
    detail: str | None = None
    reason_code: str | None = None
    reason_text: str | None = None

    @classmethod
    def clean(cls, raw: tuple[Any, ...]) -> Words:
        """Words from a scan's raw word fields; `tracklingo.fields.FieldError` for a value that
        is not text."""
        code, text, alt_texts, alt_codes, status_code, status_text, detail, reason_code, reason_text = raw
        # most fields are absent: None needs no call
        return cls(
            None if code is None else text_of(code, "code"),
            None if text is None else text_of(text, "text"),
            _texts(alt_texts, "alt_texts") if alt_texts else (),
            _texts(alt_codes, "alt_codes") if alt_codes else (),
            None if status_code is None else text_of(status_code, "status_code"),
            None if status_text is None else text_of(status_text, "status_text"),
            None if detail is None else text_of(detail, "detail"),
            None if reason_code is None else text_of(reason_code, "reason_code"),
            None if reason_text is None else text_of(reason_text, "reason_text"),
        )


def _texts(values: Any, field: str) -> tuple[str, ...]:
    if not values:
        return ()
    if isinstance(values, str):
        values = (values,)
    out = []
    for value in values:
        cleaned = text_of(value, field)
        if cleaned is not None and cleaned not in out:
            out.append(cleaned)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a layer found: the hit (for rules) or a stage of its own, and which words decided."""

    stage: Stage
    match: MatchKind
    rule: Rule | None = None
    reason: Reason | None = None
    captured: Mapping[str, str] = field(default_factory=lambda: _NO_CAPTURE)
    needs_context: str | None = None
    code: str | None = None  # the code that decided, when it is not the scan's own
    text: str | None = None  # the text that decided, when it is not the scan's own
    confidence: float | None = None
    evidence: tuple[str, ...] | None = None


class Layer(Protocol):
    """One resolution layer: `answer` gives an `Answer` for the words, or None to pass on.

    `name` identifies it (`Mapper.switch`)."""

    name: str

    def answer(self, words: Words, context: Mapping[str, str] | None) -> Answer | None: ...


def _from_hit(
    hit: Hit, context: Mapping[str, str] | None, *, code: str | None = None, text: str | None = None
) -> Answer:
    res: Resolution = Vocabulary.resolution(hit, context)
    return Answer(res.stage, res.match, res.rule, res.reason, res.captured, res.needs_context, code, text)


class CarrierRules:
    """Layer 1: the carrier's own exact rules, in its declared precedence."""

    name = "rules"

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.alt_first = vocabulary.options.alt_codes == "before_text"

    def answer(self, words: Words, context: Mapping[str, str] | None) -> Answer | None:
        v = self.vocabulary
        text = words.text
        for alt in words.alt_codes:  # a second-namespace code paired with the text
            rule = v.code_phrase(alt, text) if text else None
            if rule is None and self.alt_first:
                rule = v.code_only(alt)
            if rule is not None:
                return _from_hit(Hit(rule, MatchKind.CODE, _NO_CAPTURE), context, code=alt)
        hit = v.primary(words.code, text)
        if hit is not None:
            return _from_hit(hit, context)
        for alt_text in words.alt_texts:
            hit = v.primary(words.code, alt_text)
            if hit is not None:
                return _from_hit(hit, context, text=alt_text)
        for alt in words.alt_codes:  # a second-namespace code alone, after the text
            rule = v.code_only(alt)
            if rule is not None:
                return _from_hit(Hit(rule, MatchKind.CODE, _NO_CAPTURE), context, code=alt)
        return None


class CarrierFallback:
    """Layer 2: the carrier's coarse rules (status code and text, fallback codes and phrases)."""

    name = "fallback"

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.status_any = vocabulary.options.status_codes == "any"

    def answer(self, words: Words, context: Mapping[str, str] | None) -> Answer | None:
        v = self.vocabulary
        if words.status_code:
            hit = v.fallback(words.status_code, None)
            if hit is None and self.status_any:
                rule = v.code_only(words.status_code)
                hit = Hit(rule, MatchKind.FALLBACK, _NO_CAPTURE) if rule is not None else None
            if hit is not None:
                return _fallback(_from_hit(hit, context))
        if words.status_text:
            hit = v.primary(None, words.status_text)
            if hit is not None:
                return _fallback(_from_hit(hit, context))
        hit = v.fallback(words.code, words.text)
        if hit is not None:
            return _from_hit(hit, context)
        if words.status_text:  # a coarse status written as a fallback phrase (USPS statusCategory)
            hit = v.fallback(None, words.status_text)
            if hit is not None:
                return _fallback(_from_hit(hit, context))
        return None


def _fallback(answer: Answer) -> Answer:
    """A coarse status decided: the match says so, whatever rule kind answered."""
    return Answer(
        answer.stage,
        MatchKind.FALLBACK,
        answer.rule,
        answer.reason,
        _NO_CAPTURE,
        None,
        answer.code,
        answer.text,
    )


@dataclass(frozen=True, slots=True)
class Mapped:
    """The mapper's answer for one scan's words: everything of the event that the words decide."""

    stage: Stage
    status: Status
    match: MatchKind
    reason: Reason | None
    captured: Mapping[str, str]
    needs_context: str | None
    code: str | None
    description: str
    confidence: float | None = None
    evidence: tuple[str, ...] | None = None


_UNMAPPED: Final = Answer(Stage.UNKNOWN, MatchKind.UNMAPPED)
_REFINEMENTS: Final = frozenset({"facility", "detail", "reasons"})


class Mapper:
    """A carrier's mapper: its layers (see the module docstring) over its vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.layers: list[Layer] = [CarrierRules(vocabulary), CarrierFallback(vocabulary)]
        self.off: set[str] = set()
        self.facility_regex = vocabulary.facility_regex
        self._watchers: list[Callable[[], None]] = []

    def watch(self, changed: Callable[[], None]) -> None:
        """Call `changed` whenever a layer is added or switched (the event builder forgets its
        memoised answers then)."""
        self._watchers.append(changed)

    def _changed(self) -> None:
        for changed in self._watchers:
            changed()

    def add_layer(self, layer: Layer, *, before: str | None = None) -> None:
        """Add a layer after the others (or before the layer named `before`; the carrier's own
        ``rules`` stay first whatever `before` says, so an exact rule always wins). The core's
        last-resort layers (a layer whose ``last_resort`` attribute is true: the open-world
        ones, `tracklingo.openworld.layer`) stay after every other: a layer added without
        `before` goes before them."""
        names = [existing.name for existing in self.layers]
        if before is None and not getattr(layer, "last_resort", False):
            before = next((x.name for x in self.layers if getattr(x, "last_resort", False)), None)
        if layer.name in names:
            raise ValueError(f"a layer named {layer.name!r} is already there")
        if before == "rules":
            raise ValueError("no layer goes before the carrier's own rules")
        if before is not None and before not in names:
            raise ValueError(f"no layer named {before!r} (layers: {', '.join(names)})")
        self.layers.insert(names.index(before) if before is not None else len(self.layers), layer)
        self._changed()

    def switch(self, name: str, on: bool) -> None:
        """Switch the layer called `name` (or a refinement: ``facility``, ``detail``,
        ``reasons``) on or off."""
        if name not in {layer.name for layer in self.layers} | _REFINEMENTS:
            raise ValueError(f"no layer or refinement named {name!r}")
        if on:
            self.off.discard(name)
        else:
            self.off.add(name)
        self._changed()

    def _layers(self, words: Words, context: Mapping[str, str] | None) -> Answer:
        for layer in self.layers:
            if layer.name in self.off:
                continue
            found = layer.answer(words, context)
            if found is not None:
                return found
        return _UNMAPPED

    def map(self, words: Words, direction: str | None = None, facility: str | None = None) -> Mapped:
        """The stage (and all it decides) for `words` in a shipment going `direction`, at a
        `facility` that the vocabulary names in `Options.text_with_facility` (else None)."""
        context = {"direction": direction} if direction else None
        found = self._layers(words, context)
        text = words.text
        if facility is not None and text and "facility" not in self.off and _generic(found):
            combined = self._layers(Words(None, f"{text} {facility}"), context)
            if not _generic(combined):
                found = Answer(
                    combined.stage,
                    combined.match,
                    combined.rule,
                    combined.reason,
                    combined.captured,
                    combined.needs_context,
                )
        stage, match = found.stage, found.match
        needs_context = found.needs_context
        if (
            words.detail
            and (stage in (Stage.IN_TRANSIT, Stage.UNKNOWN) or match in _GUESSES)
            and "detail" not in self.off
        ):
            hit = self.vocabulary.lookup(None, words.detail)
            if hit is not None:
                refined = Vocabulary.resolution(hit, context)
                if refined.match in _RULE_MATCHES and refined.stage not in (Stage.IN_TRANSIT, stage):
                    stage, match, needs_context = refined.stage, refined.match, refined.needs_context
        reason = found.reason
        if "reasons" not in self.off and (words.reason_code or words.reason_text):
            entry, by_code = self._reason(words.reason_code, words.reason_text)
            if entry is not None:
                reason = entry.reason
                if entry.stage is not None:
                    stage, needs_context = entry.stage, None
                    if match is MatchKind.UNMAPPED or match in _GUESSES:
                        match = MatchKind.CODE if by_code else MatchKind.PHRASE
        guessed = match in _GUESSES  # a rule a refinement found replaced a later layer's guess
        return Mapped(
            stage,
            STAGE_STATUS[stage],
            match,
            reason,
            found.captured,
            needs_context,
            found.code if found.code is not None else words.code,
            (found.text if found.text is not None else text) or "",
            found.confidence if guessed else None,
            found.evidence if guessed else None,
        )

    def _reason(self, code: str | None, text: str | None) -> tuple[Any, bool]:
        v = self.vocabulary
        if code:
            entry = v.reason_for(code, None)
            if entry is not None:
                return entry, True
        if text:
            return v.reason_for(None, text), False
        return None, False


def _generic(answer: Answer) -> bool:
    """The answer says no more than "moving" (or nothing), or a later layer guessed it: worth
    trying the text with its place (whose rule, if any, wins)."""
    if answer.match in _GENERIC_MATCHES or answer.match in _GUESSES:
        return True
    return answer.stage is Stage.IN_TRANSIT and (answer.rule is None or answer.rule.context is None)
