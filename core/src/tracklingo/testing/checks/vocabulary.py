"""Checks on the carrier's identity and its vocabulary: it loads, every rule answers for itself
with a stage and a source, and no pattern can backtrack its way into a long wait."""

from __future__ import annotations

import re
from typing import Final

from tracklingo.carrier import Carrier
from tracklingo.errors import VocabularyError
from tracklingo.taxonomy import Reason, Stage
from tracklingo.testing.backtracking import audit_pattern
from tracklingo.testing.checks._report import fail, short
from tracklingo.testing.checks._report import where as where_raised
from tracklingo.vocabulary import ReasonRule, Rule, Vocabulary

__all__ = [
    "check_identity",
    "check_patterns",
    "check_rule_sources",
    "check_rule_targets",
    "check_vocabulary_loads",
]


def check_identity(carrier: Carrier, expected_name: str | None = None) -> None:
    """Name, display name and escalation contacts are set."""
    problems = []
    name = getattr(carrier, "name", None)
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_-]*", name or ""):
        problems.append(f"name {name!r} is not a lower-case identifier")
    if expected_name is not None and name != expected_name:
        problems.append(f"registered as {name!r}, the test expects {expected_name!r}")
    display = getattr(carrier, "display_name", None)
    if not isinstance(display, str) or not display.strip():
        problems.append("display_name is not set")
    if not carrier.contacts:
        problems.append("no contacts: the advisor's escalation ladder needs at least one")
    if carrier.tracking_url is not None and "{number}" not in carrier.tracking_url:
        problems.append(f"tracking_url {carrier.tracking_url!r} has no {{number}} placeholder")
    if problems:
        raise fail(
            str(name),
            "the carrier's identity is incomplete",
            problems,
            "set the class attributes name, display_name, contacts=(Contact(...),) and"
            " tracking_url on your Carrier subclass",
        )


def check_vocabulary_loads(carrier: Carrier) -> Vocabulary:
    """The vocabulary loads (valid TOML, known stages and reasons, sources) and is not empty."""
    where = str(carrier.vocabulary_path) if carrier.vocabulary_path else "the carrier's vocabulary"
    try:
        vocab = carrier.vocabulary
    except VocabularyError as exc:
        raise fail(
            carrier.name,
            "the vocabulary does not load",
            [str(exc)],
            f"edit {where}: every [[rule]] needs a `stage` that exists (see tracklingo.Stage or"
            " docs/vocabulary-format.md), an optional `reason` from tracklingo.Reason, a code,"
            " phrase or pattern, and a `source`",
        ) from None
    except Exception as exc:
        raise fail(
            carrier.name,
            "the vocabulary does not load",
            [f"{type(exc).__name__}: {exc}{where_raised(exc)}"],
            f"check vocabulary_path ({where}) and that the file is shipped as package data",
        ) from None
    if not isinstance(vocab, Vocabulary) or len(vocab) == 0:
        raise fail(
            carrier.name,
            "the vocabulary is empty",
            [f"{where} has no rules"],
            "add [[rule]] entries mapping the carrier's codes and texts to stages",
        )
    return vocab


def _rule_label(rule: Rule | ReasonRule) -> str:
    if isinstance(rule, ReasonRule):
        what = ["code " + "|".join(rule.code)] if rule.code else []
        what += [" | ".join(short(p, 50) for p in rule.phrase)] if rule.phrase else []
        return "[[reason]] " + " ".join(what)
    return "[[rule]] " + rule.describe()


def check_rule_targets(carrier: Carrier) -> None:
    """Every own rule resolves to a valid stage (and reason); no rule is shadowed by another."""
    vocab = check_vocabulary_loads(carrier)
    problems: list[str] = []
    valid_stages = {s for s in Stage if s is not Stage.UNKNOWN}
    for rule in vocab.own_rules():
        label = _rule_label(rule)
        for stage in rule.stages:
            if stage not in valid_stages:
                problems.append(f"{label}: stage {stage!r} is not a rule target")
        if rule.reason is not None and not isinstance(rule.reason, Reason):
            problems.append(f"{label}: reason {rule.reason!r} is not a tracklingo.Reason")
        problems.extend(f"{label}: {p}" for p in _probe(vocab, rule))
    for rrule in vocab.reasons:
        if rrule.vocabulary != vocab.carrier:
            continue
        if not isinstance(rrule.reason, Reason):
            problems.append(f"{_rule_label(rrule)}: reason {rrule.reason!r} is not a Reason")
        if rrule.stage is not None and rrule.stage not in valid_stages:
            problems.append(f"{_rule_label(rrule)}: stage {rrule.stage!r} is not a rule target")
    if problems:
        raise fail(
            carrier.name,
            "vocabulary rules that do not resolve to what they say",
            problems,
            "give each rule a stage from tracklingo.Stage (not `unknown`) and a reason from"
            " tracklingo.Reason; when two rules claim the same code or text, keep one (or make"
            " the general one `fallback = true`)",
        )


def _probe(vocab: Vocabulary, rule: Rule) -> list[str]:
    """Resolve the rule's own codes/phrases: it must be the rule that answers (or an equivalent)."""
    probes: list[tuple[str | None, str | None]] = []
    if rule.code and rule.phrase:
        probes = [(p, c) for c in rule.code for p in rule.phrase]
    elif rule.code:
        probes = [(None, c) for c in rule.code]
    elif rule.phrase:
        probes = [(p, None) for p in rule.phrase]
    out = []
    for text, code in probes:
        res = vocab.resolve(text, code)
        hit = res.rule
        if hit is rule:
            continue
        if hit is not None and hit.stages == rule.stages and hit.reason == rule.reason:
            continue
        what = f"code {code}" if text is None else short(text, 60)
        if hit is None:
            out.append(f"{what} resolves to nothing (unknown)")
        else:
            out.append(
                f"{what} is answered by another rule first ({hit.describe()}), so this rule is never used"
            )
    return out


_PLACEHOLDER: Final = re.compile(r"^\s*(TODO|FIXME|TBD|XXX)\b", re.IGNORECASE)


def check_rule_sources(carrier: Carrier) -> None:
    """Every own rule and reason entry names a source, with every source key defined."""
    vocab = check_vocabulary_loads(carrier)
    problems: list[str] = []
    entries: list[Rule | ReasonRule] = [*vocab.own_rules()]
    entries += [r for r in vocab.reasons if r.vocabulary == vocab.carrier]
    for entry in entries:
        label = _rule_label(entry)
        source = (entry.source or "").strip()
        if not source:
            problems.append(f"{label}: no source")
            continue
        for token in (t.strip() for t in re.split(r"[;,]", source)):
            if not token:
                continue
            if _PLACEHOLDER.match(token):
                problems.append(f"{label}: placeholder source {token!r}")
            elif (
                " " not in token
                and "/" not in token
                and "." not in token
                and token.split("@", 1)[0] not in vocab.sources
            ):
                problems.append(f"{label}: source key {token!r} is not in [meta.sources]")
    if problems:
        raise fail(
            carrier.name,
            "vocabulary rules without a usable source",
            problems,
            "every rule says where its fact comes from: a key of [meta.sources], a URL, or"
            " 'repo owner/name path'. Replace TODO sources with the page or document you read",
        )


def check_patterns(carrier: Carrier) -> None:
    """No pattern of the carrier's own rules backtracks catastrophically: on long runs of spaces,
    tabs, words, digits and punctuation after its literal prefix, the work (counted in steps by
    `tracklingo.testing.backtracking`, not timed) stays linear in the input size."""
    vocab = check_vocabulary_loads(carrier)
    problems = [
        f"{_rule_label(rule)}: {report.describe()}"
        for rule in vocab.own_rules()
        if rule.pattern is not None and not (report := audit_pattern(rule.pattern)).ok
    ]
    if problems:
        raise fail(
            carrier.name,
            "vocabulary patterns whose work grows faster than their input (catastrophic backtracking)",
            problems,
            "do not let two greedy parts take the same characters (``\\s+.*``, ``.*\\b...\\b.*``,"
            " nested repeats such as ``(\\w+\\s?)+``): use one of them, a character class that"
            " excludes what follows, or an anchor; the core also never shows a pattern more than"
            " tracklingo.vocabulary.PATTERN_TEXT_LIMIT characters",
        )
