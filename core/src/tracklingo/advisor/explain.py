"""`explain(text, registry)`: what a carrier status text means, through every installed vocabulary."""

from __future__ import annotations

from typing import Any

from tracklingo.advisor.content import (
    Act,
    AdviceBook,
    StageAdvice,
    carrier_overrides,
    load_advice,
    situation_entry,
)
from tracklingo.advisor.language import Language, language
from tracklingo.advisor.results import Explanation, Suggestion
from tracklingo.advisor.text import compose, step_values, synonyms_for, usual_dwell
from tracklingo.carrier import Carrier
from tracklingo.errors import InputError
from tracklingo.plugins import Registry
from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabulary import Resolution

# -- explain ------------------------------------------------------------------------------------


def _condition(carrier: Carrier, context: str, value: str, lang: Language) -> str:
    words = lang.catalog.words
    if context == "direction" and value in ("inbound", "outbound"):
        home = carrier.home_country
        if home:
            return (words.if_entering if value == "inbound" else words.if_leaving).format(country=home)
        return words.if_direction.format(direction=value)
    return words.if_context.format(context=context, value=value)


def _entry_texts(entry: StageAdvice, act: Act, action: str, steps: list[str]) -> dict[str, Any]:
    """The copy fields an `Explanation` takes from one stage entry."""
    return {
        "headline": entry.headline,
        "meaning": entry.meaning,
        "where": entry.where,
        "holder": entry.holder,
        "next": entry.next,
        "how_soon": entry.how_soon,
        "recipient_must_act": act,
        "recipient_action": action,
        "next_steps": steps,
    }


def explain(
    text: str,
    registry: Registry,
    carrier: str | None = None,
    *,
    code: str | None = None,
    book: AdviceBook | None = None,
    lang: str = "en",
    infer: bool = True,
) -> list[Explanation]:
    """Explain a carrier status text (and/or code) through the installed vocabularies, in
    language `lang` (a tag such as ``de`` or ``de-AT``; `UnknownLanguageError` if none serves it).

    With `carrier`, only that carrier's vocabulary is asked (`UnknownCarrierError` if it is not
    installed); otherwise every carrier's. Returns one `Explanation` per (stage, condition,
    reason), in journey order, listing the carriers that agree; a text none of them knows gives one
    explanation with ``known=False`` and the `unknown` stage's plain "not known" texts. A carrier's
    reason table (`Vocabulary.reason_for`) is read as its parser reads it: a reason it gives for
    the text or code is the explanation's reason, and a stage it gives replaces the rule's.

    A text no carrier's rules know goes to the open-world layers (`tracklingo.openworld`: another
    installed vocabulary's phrase, a sentence form, then inference unless `infer` is False): the
    explanation carries their reading (`Explanation.unseen`, with `match`, `confidence` and
    `evidence`), or, when they abstain, ``known=False`` with the nearest known wordings.
    """
    text = (text or "").strip()
    code = code.strip() if code else None
    if not text and not code:
        raise InputError("nothing to explain: give a status text (or --code)")
    book = book or load_advice()
    speech = language(lang)
    chosen = [registry.get(carrier)] if carrier else sorted(registry, key=lambda c: c.name)
    groups: dict[tuple[Stage, str | None, Reason | None], list[Carrier]] = {}
    for c in chosen:
        res: Resolution = c.vocabulary.resolve(text or None, code)
        why = c.vocabulary.reason_for(code, text or None)
        reason = why.reason if why is not None else res.reason
        if why is not None and why.stage is not None:
            groups.setdefault((why.stage, None, reason), []).append(c)
            continue
        if res.match is MatchKind.UNMAPPED:
            continue
        options: list[tuple[Stage, str | None]] = [(res.stage, None)]
        if res.needs_context and res.rule is not None and res.rule.context and res.rule.by_context:
            ctx = res.rule.context
            options = [(s, _condition(c, ctx, v, speech)) for v, s in res.rule.by_context.items()]
        for stage, condition in options:
            groups.setdefault((stage, condition, reason), []).append(c)
    searched = [c.name for c in chosen]
    if not groups:
        return [_unseen(text, code, chosen[0] if carrier else None, searched, book, speech, infer)]
    everyone = list(registry)
    out = []
    for (stage, condition, reason), carriers in sorted(
        groups.items(), key=lambda kv: (kv[0][0].rank, kv[0][1] or "", kv[0][2] or "")
    ):
        single = carriers[0] if len(carriers) == 1 else None
        override = carrier_overrides(single).get(stage) if single is not None else None
        entry = situation_entry(book, speech.catalog, stage, reason, override, speech.tag)
        act, action, steps = compose(entry, step_values(single, None, speech))
        out.append(
            Explanation(
                lang=speech.tag,
                text=text,
                code=code,
                known=True,
                stage=stage,
                status=stage.status,
                reason=reason,
                carriers=[c.name for c in carriers],
                searched=searched,
                condition=condition,
                **_entry_texts(entry, act, action, steps),
                usual_dwell=usual_dwell(entry, speech),
                synonyms=synonyms_for(stage, everyone, exclude=text or None),
            )
        )
    return out


def _unseen(
    text: str,
    code: str | None,
    carrier: Carrier | None,
    searched: list[str],
    book: AdviceBook,
    speech: Language,
    infer: bool,
) -> Explanation:
    """The explanation of a text no carrier's rules know: the open-world layers' reading, or the
    `unknown` stage's "not known" texts with the nearest known wordings."""
    from tracklingo.openworld.report import explain_unseen
    from tracklingo.openworld.resolver import shared_world

    answer = None
    if text:
        vocab = carrier.vocabulary if carrier is not None else None
        answer = shared_world().resolve(text, code, vocab, infer=infer)
    unseen = explain_unseen(answer, lang=speech.tag, inferred=infer) if answer is not None else None
    stage = answer.stage if answer is not None and answer.answered else Stage.UNKNOWN
    reason = answer.reason if answer is not None and answer.answered else None
    entry = situation_entry(book, speech.catalog, stage, reason)
    act, action, steps = compose(entry, step_values(carrier, None, speech))
    known = stage is not Stage.UNKNOWN
    extra: dict[str, Any] = {}
    if unseen is not None and answer is not None:
        extra = {
            "unseen": unseen.sentence,
            "match": answer.match,
            "confidence": answer.confidence,
            "evidence": list(answer.evidence),
            "suggestions": [
                Suggestion(text=n.text, stage=n.stage, vocabulary=n.vocabulary, similarity=n.similarity)
                for n in answer.suggestions
            ],
        }
    if known:
        extra["usual_dwell"] = usual_dwell(entry, speech)
    return Explanation(
        lang=speech.tag,
        text=text,
        code=code,
        known=known,
        stage=stage,
        status=stage.status,
        reason=reason,
        carriers=[answer.vocabulary] if known and answer is not None and answer.vocabulary else [],
        searched=searched,
        **_entry_texts(entry, act, action, steps),
        **extra,
    )
