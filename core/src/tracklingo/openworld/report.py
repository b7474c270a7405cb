"""What `explain` and `coverage` say about open-world answers (data, rendered by the CLI).

`explain_unseen(answer, lang=...)` gives the sentence for a wording tracklingo has not seen
("tracklingo has not seen this exact wording; from 'held' and 'customs' it reads as held by
customs (confidence 0.8)"), in any language the advisor speaks, with the nearest known wordings
(printed as suggestions when the layers abstained) and the carriers the text names that are not
installed. `rule_stub(answer)` is the ``[[rule]]`` `tracklingo.coverage` offers to confirm a
reading into the carrier's vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracklingo.openworld.infer import Neighbour
from tracklingo.openworld.resolver import OpenWorldAnswer
from tracklingo.taxonomy import MatchKind, Stage

__all__ = ["UnseenExplanation", "explain_unseen", "rule_stub", "stage_label"]


def stage_label(stage: Stage, lang: str = "en") -> str:
    """A short reading of a stage for a sentence ("held by customs"): the advisor's name for it
    in language `lang`."""
    from tracklingo.advisor.language import language

    return language(lang).catalog.stage[stage].name


@dataclass(frozen=True, slots=True)
class UnseenExplanation:
    """The open-world part of `explain` for one text."""

    text: str
    #: False when the text was not an exact rule of any vocabulary (the layers read it)
    seen: bool
    sentence: str
    stage: Stage
    match: MatchKind
    confidence: float | None
    evidence: tuple[str, ...]
    suggestions: tuple[Neighbour, ...]
    #: carriers named in the text that are not installed
    mentions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "seen": self.seen,
            "sentence": self.sentence,
            "stage": self.stage.value,
            "match": self.match.value,
            "confidence": self.confidence,
            "evidence": list(self.evidence),
            "suggestions": [
                {
                    "text": s.text,
                    "stage": s.stage.value,
                    "vocabulary": s.vocabulary,
                    "similarity": s.similarity,
                }
                for s in self.suggestions
            ],
            "mentions": list(self.mentions),
        }


def explain_unseen(
    answer: OpenWorldAnswer,
    *,
    lang: str = "en",
    label: Callable[[Stage], str] | None = None,
    inferred: bool = True,
) -> UnseenExplanation:
    """The sentence `explain` prints before its usual explanation of the stage, in language
    `lang` (the stage named by `label`, by default the advisor's name for it in that language).
    `inferred`: whether the inference layer was asked (an abstention says which it was)."""
    from tracklingo.advisor.language import language

    speech = language(lang)
    ui = speech.catalog.ui
    name = label(answer.stage) if label is not None else speech.catalog.stage[answer.stage].name
    rounded = round(answer.confidence or 0.0, 2)
    confidence = f"{rounded:g}" if speech.english else speech.number(rounded, 2)
    if answer.match is MatchKind.CROSS_CARRIER:
        sentence = ui.unseen_elsewhere.format(vocabulary=answer.vocabulary, stage=name, confidence=confidence)
    elif answer.match is MatchKind.SENTENCE_FORM:
        sentence = ui.unseen_form.format(kernel=answer.kernel, stage=name, confidence=confidence)
    elif answer.match is MatchKind.INFERRED:
        words = [e for e in answer.evidence if not e.startswith(("reads like", "disagreeing"))]
        quoted = [w if w.startswith('"') else f"'{w}'" for w in words[:3]]
        sentence = ui.unseen_inferred.format(evidence=speech.both(quoted), stage=name, confidence=confidence)
    else:
        sentence = ui.unseen_abstained if inferred else ui.unseen_no_infer
    return UnseenExplanation(
        answer.text,
        False,
        sentence,
        answer.stage,
        answer.match,
        answer.confidence,
        answer.evidence,
        answer.suggestions,
        answer.mentions,
    )


def rule_stub(answer: OpenWorldAnswer) -> str:
    """A ``[[rule]]`` to paste into the carrier's vocabulary once someone confirmed the reading.

    The stage is the layers' answer, marked as such; the source is left for the confirmer."""
    phrase = answer.kernel or answer.text
    lines = ["[[rule]]", f"phrase = {json.dumps(phrase, ensure_ascii=False)}"]
    if answer.answered:
        why = f"{answer.match.value}, confidence {answer.confidence}"
        if answer.evidence:
            why += ", from " + ", ".join(answer.evidence[:3])
        lines.append(f'stage = "{answer.stage.value}"  # {why}: confirm')
        if answer.reason is not None:
            lines.append(f'reason = "{answer.reason.value}"')
    else:
        lines.append('stage = "TODO"  # one of tracklingo.Stage: see docs/vocabulary-format.md')
    lines.append('source = "TODO: the page or document that says what this means"')
    return "\n".join(lines)
