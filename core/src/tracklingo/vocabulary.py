"""The vocabulary engine: a carrier's rules compiled for lookup.

Rules are data (a TOML file per carrier, docs/vocabulary-format.md; the file format and its
validation live in `tracklingo.vocabfile`, phrase folding in `tracklingo.phrases`). `Vocabulary`
compiles them once into exact-lookup dicts (code+phrase, code, folded phrase, fallback code and
phrase) and a short list of patterns indexed by their first literal word. Exact lookups are O(1);
patterns see at most `PATTERN_TEXT_LIMIT` characters of a text, so no text can make them slow
(every pattern is also checked for backtracking by the tests and the conformance kit).

The lookups here answer one question each (`primary`, `fallback`, `code_phrase`, `code_only`,
`reason_for`); the precedence between them is the mapper's (`tracklingo.mapping`), the one place
that turns a carrier's words into a stage. `resolve` is the classic one-call lookup (code+phrase
→ code → phrase → pattern → fallback), cached per (code, text, fallback code), for explanations,
coverage reports and glossaries.
"""

from __future__ import annotations

import hashlib
import marshal
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from tracklingo import tomlcache
from tracklingo.errors import VocabularyError
from tracklingo.phrases import normalize_phrase
from tracklingo.places import split_trailing
from tracklingo.taxonomy import MatchKind, Reason, Stage
from tracklingo.vocabfile import (
    DEFAULT_OPTIONS,
    Options,
    ReasonSpec,
    RuleSpec,
    as_tuple,
    parts_of,
    read_toml,
    validated,
)

__all__ = [
    "LOCATION_GROUPS",
    "PATTERN_TEXT_LIMIT",
    "Hit",
    "Options",
    "ReasonRule",
    "Resolution",
    "Rule",
    "Vocabulary",
    "normalize_phrase",
    "shared_vocabulary",
]

#: Named regex groups a pattern may capture; they fill the event's location.
LOCATION_GROUPS: Final = frozenset({"facility", "city", "region", "postal_code", "country"})
#: Patterns never see more than this many characters: a longer text is matched by its exact
#: phrase only. Carrier event texts are far shorter (the longest in the fixtures is about 150).
PATTERN_TEXT_LIMIT: Final = 256
_CACHE_LIMIT: Final = 100_000


def _normalize_code(code: str) -> str:
    return code.strip().upper()


@dataclass(frozen=True, slots=True)
class Rule:
    """One vocabulary rule. See docs/vocabulary-format.md for the fields."""

    stage: Stage
    source: str
    vocabulary: str
    code: tuple[str, ...] = ()
    phrase: tuple[str, ...] = ()
    pattern: str | None = None
    reason: Reason | None = None
    fallback: bool = False
    context: str | None = None
    by_context: Mapping[str, Stage] = field(default_factory=dict)
    note: str | None = None

    @property
    def kind(self) -> MatchKind:
        """How this rule matches (code, phrase, pattern, or fallback)."""
        if self.fallback:
            return MatchKind.FALLBACK
        if self.code:
            return MatchKind.CODE
        if self.phrase:
            return MatchKind.PHRASE
        return MatchKind.PATTERN

    @property
    def stages(self) -> tuple[Stage, ...]:
        """Every stage the rule can produce (its default and its context stages)."""
        return (self.stage, *(s for s in self.by_context.values() if s is not self.stage))

    def describe(self) -> str:
        """A one-line rendering such as ``code OF / "Out for Delivery" → out_for_delivery``."""
        what = []
        if self.code:
            what.append("code " + "|".join(self.code))
        if self.phrase:
            what.append(" | ".join(f'"{p}"' for p in self.phrase))
        if self.pattern:
            what.append(f"/{self.pattern}/")
        target = self.stage.value
        if self.by_context:
            target += " (" + ", ".join(f"{k}: {v.value}" for k, v in self.by_context.items()) + ")"
        return f"{' / '.join(what)} → {target}"


@dataclass(frozen=True, slots=True)
class ReasonRule:
    """A code or phrase that says why (e.g. a FedEx `exceptionCode`), with an optional stage."""

    reason: Reason
    source: str
    vocabulary: str
    code: tuple[str, ...] = ()
    phrase: tuple[str, ...] = ()
    stage: Stage | None = None
    note: str | None = None


@dataclass(slots=True)  # not frozen: built per lookup, and frozen init costs ~3x
class Resolution:
    """The outcome of `Vocabulary.resolve` (and of the mapper) for one event."""

    stage: Stage
    match: MatchKind
    rule: Rule | None = None
    reason: Reason | None = None
    captured: Mapping[str, str] = field(default_factory=dict)
    needs_context: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that answered a lookup, how it matched, and the place parts a pattern captured."""

    rule: Rule
    kind: MatchKind
    captured: Mapping[str, str]


_UNMAPPED: Final = Resolution(Stage.UNKNOWN, MatchKind.UNMAPPED)
_NO_CAPTURE: Final[Mapping[str, str]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class _Pattern:
    rule: Rule
    regex: re.Pattern[str] | _LazyRegex
    first_word: str | None


class _LazyRegex:
    """A pattern already known to pass `_checked_regex` (`tomlcache.is_verified`), compiled on
    its first search, which then puts the compiled regex in its `_Pattern`'s place."""

    __slots__ = ("owner", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.owner: _Pattern | None = None

    def search(self, text: str) -> re.Match[str] | None:
        regex = re.compile(self.pattern, re.IGNORECASE)
        if self.owner is not None and self.owner.regex is self:
            object.__setattr__(self.owner, "regex", regex)
        return regex.search(text)


def _checked_regex(carrier: str, pattern: str) -> re.Pattern[str]:
    """`pattern` compiled, or a `VocabularyError` when it does not compile or captures a group
    other than `LOCATION_GROUPS`."""
    try:
        regex = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise VocabularyError(f"{carrier}: bad pattern {pattern!r}: {exc}") from None
    unknown = set(regex.groupindex) - LOCATION_GROUPS
    if unknown:
        raise VocabularyError(
            f"{carrier}: pattern {pattern!r} captures {sorted(unknown)};"
            f" allowed groups are {sorted(LOCATION_GROUPS)}"
        )
    return regex


def _pattern_check_kind() -> str:
    """What names the pattern check in the cache: the checking code itself (its bytecode, constants
    and names) and the allowed groups, so a changed check is never skipped on an old verdict."""
    code = _checked_regex.__code__
    digest = hashlib.blake2b(code.co_code, digest_size=16)
    digest.update(repr((code.co_consts, code.co_names, sorted(LOCATION_GROUPS))).encode())
    return f"vocabulary patterns {digest.hexdigest()}"


# The literal first word of an anchored pattern, when the word certainly ends there (a space, a
# comma, ``\s`` or ``\b``): a group or class right after it (``^Deliver(?:ed|y)``, ``^Arrive\w*``)
# may continue the word, so such a pattern is tried on every text instead.
_FIRST_WORD: Final = re.compile(r"^\^([A-Za-z0-9]+)(?=[ ,]|\\[sb]|$)")
_PLACE_LINKS: Final = frozenset({"at", "in", "-", ",", ":", "–"})


def _first_word(pattern: str) -> str | None:
    m = _FIRST_WORD.match(pattern)
    return m.group(1).lower() if m else None


def _has_lower(token: str) -> bool:
    return any(c.islower() for c in token)


def _captures(m: re.Match[str]) -> Mapping[str, str]:
    groups = {k: v.strip() for k, v in m.groupdict().items() if v and v.strip()}
    return MappingProxyType(groups) if groups else _NO_CAPTURE


class Vocabulary:
    """A compiled carrier vocabulary. Build it with `from_toml`, `from_dict` or `from_rules`."""

    def __init__(
        self,
        carrier: str,
        rules: Iterable[Rule],
        reasons: Iterable[ReasonRule] = (),
        sources: Mapping[str, str] | None = None,
        options: Options = DEFAULT_OPTIONS,
    ) -> None:
        self.carrier = carrier
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.reasons: tuple[ReasonRule, ...] = tuple(reasons)
        self.sources: Mapping[str, str] = MappingProxyType(dict(sources or {}))
        self.options = options
        self.facility_regex = (
            re.compile(options.text_with_facility) if options.text_with_facility is not None else None
        )
        self._code_phrase: dict[tuple[str, str], Rule] = {}
        self._code: dict[str, Rule] = {}
        self._phrase: dict[str, Rule] = {}
        self._fallback_code: dict[str, Rule] = {}
        self._fallback_phrase: dict[str, Rule] = {}
        self._patterns_by_word: dict[str, list[_Pattern]] = {}
        self._patterns_any: list[_Pattern] = []
        self._fallback_patterns: list[_Pattern] = []
        self._reason_code: dict[str, ReasonRule] = {}
        self._reason_phrase: dict[str, ReasonRule] = {}
        self._cache: dict[tuple[str | None, str | None, str | None], Hit | None] = {}
        self._reason_cache: dict[tuple[str | None, str | None], ReasonRule | None] = {}
        self._compile()

    # -- building ---------------------------------------------------------------------------

    def _put(self, table: dict[Any, Rule], key: Any, rule: Rule, what: str) -> None:
        old = table.get(key)
        if old is None:
            table[key] = rule
        elif old.vocabulary == rule.vocabulary:
            if old.stages != rule.stages:
                raise VocabularyError(
                    f"{rule.vocabulary}: {what} {key!r} maps to both {old.stage.value} and {rule.stage.value}"
                )
        elif rule.vocabulary == self.carrier:
            table[key] = rule  # the carrier's own rules win over included ones

    def _compile(self) -> None:
        # included vocabularies first, so the carrier's own rules override them
        ordered = sorted(self.rules, key=lambda r: r.vocabulary == self.carrier)
        for rule in ordered:
            codes = [_normalize_code(c) for c in rule.code]
            phrases = [normalize_phrase(p) for p in rule.phrase]
            if rule.fallback:
                for c in codes:
                    self._put(self._fallback_code, c, rule, "fallback code")
                for p in phrases:
                    self._put(self._fallback_phrase, p, rule, "fallback phrase")
            elif codes and phrases:
                for c in codes:
                    for p in phrases:
                        self._put(self._code_phrase, (c, p), rule, "code+phrase")
            else:
                for c in codes:
                    self._put(self._code, c, rule, "code")
                for p in phrases:
                    self._put(self._phrase, p, rule, "phrase")
        own_first = sorted(self.rules, key=lambda r: r.vocabulary != self.carrier)
        # Checking a pattern means compiling it, the most of a vocabulary's load: a set of patterns
        # that passed before (same texts, same check, same Python: `tomlcache.is_verified`) is
        # compiled on first use instead; any other set is checked, and remembered, now.
        texts = "\n".join(sorted({r.pattern for r in own_first if r.pattern is not None}))
        kind = _pattern_check_kind() if texts else ""
        lazy = bool(texts) and tomlcache.is_verified(kind, texts)
        for rule in own_first:
            if rule.pattern is None:
                continue
            regex: re.Pattern[str] | _LazyRegex
            regex = _LazyRegex(rule.pattern) if lazy else _checked_regex(self.carrier, rule.pattern)
            compiled = _Pattern(rule, regex, _first_word(rule.pattern))
            if isinstance(regex, _LazyRegex):
                regex.owner = compiled
            if rule.fallback:
                self._fallback_patterns.append(compiled)
            elif compiled.first_word:
                self._patterns_by_word.setdefault(compiled.first_word, []).append(compiled)
            else:
                self._patterns_any.append(compiled)
        if texts and not lazy:
            tomlcache.remember_verified(kind, texts)
        for rrule in sorted(self.reasons, key=lambda r: r.vocabulary == self.carrier):
            for c in rrule.code:
                self._reason_code[_normalize_code(c)] = rrule
            for p in rrule.phrase:
                self._reason_phrase[normalize_phrase(p)] = rrule

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, origin: str = "<dict>", base: Path | Traversable | None = None
    ) -> Vocabulary:
        """Build from the parsed TOML structure (``meta``, ``rule``, ``reason``).

        `base` is the folder that ``[meta] parts`` are relative to (the file's own folder when
        loaded with `from_toml`). Each file's validated tables are kept in the on-disk cache
        (`_ValidTables`), so a later load of the same content skips pydantic."""
        meta = data.get("meta") or {}
        carrier = meta.get("carrier")
        if not isinstance(carrier, str) or not carrier:
            raise VocabularyError(f"{origin}: [meta] carrier is required")
        sources = dict(meta.get("sources") or {})
        raw_options = meta.get("options") or {}
        own = _ValidTables.recall(carrier, data, dict(sources), raw_options)
        options = (
            own.options
            if own.options is not None
            else validated(Options, raw_options, f"{origin}: [meta.options]", sources)
        )
        rules: list[Rule] = []
        reasons: list[ReasonRule] = []
        extra_sources: dict[str, str] = {}
        for name in as_tuple(meta.get("include"), f"{origin}: [meta] include"):
            shared = shared_vocabulary(name)
            rules.extend(shared.rules)
            reasons.extend(shared.reasons)
            extra_sources.update(shared.sources)
        unknown_keys = set(data) - {"meta", "rule", "reason"}
        if unknown_keys:
            raise VocabularyError(f"{origin}: unknown tables {sorted(unknown_keys)}")
        for part_origin, part in parts_of(data, origin, base, carrier, sources):
            part_sources = {**sources, **dict(part.get("meta", {}).get("sources") or {})}
            tables = own if part is data else _ValidTables.recall(carrier, part, part_sources)
            part_rules, part_reasons = tables.validated(part_origin, part, part_sources, options)
            rules.extend(part_rules)
            reasons.extend(part_reasons)
        return cls(carrier, rules, reasons, {**extra_sources, **sources}, options)

    @classmethod
    def from_toml(cls, path: str | Path) -> Vocabulary:
        """Load and compile a vocabulary TOML file (and the ``[meta] parts`` it names)."""
        p = Path(path)
        return cls.from_dict(read_toml(p, str(p)), origin=str(p), base=p.parent)

    # -- lookups (the mapper's building blocks) ---------------------------------------------

    def code_phrase(self, code: str, text: str) -> Rule | None:
        """The rule for exactly this code with exactly this (folded) text."""
        return self._code_phrase.get((_normalize_code(code), normalize_phrase(text)))

    def code_only(self, code: str) -> Rule | None:
        """The (non-fallback) rule for this code alone."""
        return self._code.get(_normalize_code(code))

    def primary(self, code: str | None, text: str | None) -> Hit | None:
        """The carrier's exact rules: code+phrase, code, phrase, pattern, then a known phrase
        followed by a place (`_phrase_with_place`); None when none answers."""
        ncode = _normalize_code(code) if code else None
        ntext = normalize_phrase(text) if text else None
        if ncode and ntext:
            rule = self._code_phrase.get((ncode, ntext))
            if rule is not None:
                return Hit(rule, MatchKind.CODE, _NO_CAPTURE)
        if ncode:
            rule = self._code.get(ncode)
            if rule is not None:
                return Hit(rule, MatchKind.CODE, _NO_CAPTURE)
        if ntext and text:
            rule = self._phrase.get(ntext)
            if rule is not None:
                return Hit(rule, MatchKind.PHRASE, _NO_CAPTURE)
            stripped = text.strip()
            if len(stripped) <= PATTERN_TEXT_LIMIT:
                first = ntext.split(" ", 1)[0]
                for cand in (*self._patterns_by_word.get(first, ()), *self._patterns_any):
                    m = cand.regex.search(stripped)
                    if m is not None:
                        return Hit(cand.rule, MatchKind.PATTERN, _captures(m))
                return self._phrase_with_place(stripped)
        return None

    def fallback(self, code: str | None, text: str | None) -> Hit | None:
        """The carrier's fallback rules: the code among fallback codes, then the text among
        fallback phrases and patterns."""
        if code:
            rule = self._fallback_code.get(_normalize_code(code))
            if rule is not None:
                return Hit(rule, MatchKind.FALLBACK, _NO_CAPTURE)
        if text:
            rule = self._fallback_phrase.get(normalize_phrase(text))
            if rule is not None:
                return Hit(rule, MatchKind.FALLBACK, _NO_CAPTURE)
            stripped = text.strip()
            if len(stripped) <= PATTERN_TEXT_LIMIT:
                for cand in self._fallback_patterns:
                    m = cand.regex.search(stripped)
                    if m is not None:
                        return Hit(cand.rule, MatchKind.FALLBACK, _captures(m))
        return None

    def _phrase_with_place(self, text: str) -> Hit | None:
        """A known mixed-case phrase followed by an UPPER-CASE place, e.g. "Arrived at FedEx
        location MEMPHIS, TN" or "Departed Facility in LEIPZIG - GERMANY": the phrase decides the
        stage and the place fills the location (`tracklingo.places.split_trailing`). Texts
        written wholly in capitals are not split (there the place cannot be told from the
        phrase)."""
        tokens = text.split()
        cut = len(tokens)
        while cut > 0 and not _has_lower(tokens[cut - 1]):
            cut -= 1
        if cut < 2 or cut == len(tokens):
            return None
        head = tokens[:cut]
        rule = self._phrase.get(normalize_phrase(" ".join(head)))
        while rule is None and head and head[-1].lower() in _PLACE_LINKS:
            head = head[:-1]
            rule = self._phrase.get(normalize_phrase(" ".join(head)))
        if rule is None or len(head) < 2:
            return None
        place = " ".join(tokens[cut:]).strip(" -,:;")
        return Hit(rule, MatchKind.PATTERN, split_trailing(place)) if place else None

    def lookup(self, code: str | None, text: str | None, fallback_code: str | None = None) -> Hit | None:
        """`primary`, then `fallback` (with `fallback_code`, else the code itself); cached."""
        key = (code, text, fallback_code)
        try:
            return self._cache[key]
        except KeyError:
            pass
        hit = self.primary(code, text) or self.fallback(fallback_code or code, text)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = hit
        return hit

    def resolve(
        self,
        text: str | None,
        code: str | None = None,
        context: Mapping[str, str] | None = None,
        fallback_code: str | None = None,
    ) -> Resolution:
        """Map one carrier event (its text and/or code) to a stage with this vocabulary alone.

        Precedence: code+phrase, code, exact phrase, pattern, fallback; else `unknown` with
        ``match: unmapped``. A context rule uses `context` (e.g. ``{"direction": "inbound"}``).
        `fallback_code` is a coarse status code carried beside the event code: it is looked up
        among the fallback rules only; without it the event `code` itself is tried there. Events
        are built by the mapper (`tracklingo.mapping`), which adds the carrier's precedence
        options; this is the lookup explanations and reports use.
        """
        hit = self.lookup(code, text, fallback_code)
        if hit is None:
            return _UNMAPPED
        return self.resolution(hit, context)

    @staticmethod
    def resolution(hit: Hit, context: Mapping[str, str] | None) -> Resolution:
        """The `Resolution` of a hit: a context rule resolved by `context` (e.g. ``{"direction":
        "inbound"}``) when it can be, else flagged ``needs_context``."""
        rule = hit.rule
        if rule.context is None:
            return Resolution(rule.stage, hit.kind, rule, rule.reason, hit.captured)
        value = context.get(rule.context) if context else None
        if value is not None and value in rule.by_context:
            return Resolution(rule.by_context[value], MatchKind.CONTEXT, rule, rule.reason, hit.captured)
        return Resolution(rule.stage, hit.kind, rule, rule.reason, hit.captured, rule.context)

    def reason_for(self, code: str | None = None, text: str | None = None) -> ReasonRule | None:
        """Look up a reason table entry by code first, then by phrase (cached per pair)."""
        key = (code, text)
        try:
            return self._reason_cache[key]
        except KeyError:
            pass
        found = self._reason_code.get(_normalize_code(code)) if code else None
        if found is None and text:
            found = self._reason_phrase.get(normalize_phrase(text))
        if len(self._reason_cache) >= _CACHE_LIMIT:
            self._reason_cache.clear()
        self._reason_cache[key] = found
        return found

    def patterns(self) -> Iterator[Rule]:
        """Every rule with a pattern (own and included)."""
        return (r for r in self.rules if r.pattern is not None)

    # -- introspection ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def own_rules(self) -> tuple[Rule, ...]:
        """Rules written for this carrier (not merged from a shared vocabulary)."""
        return tuple(r for r in self.rules if r.vocabulary == self.carrier)

    def phrases_for(self, stage: Stage) -> list[str]:
        """Every phrase (exact text) this vocabulary maps to `stage`, in file order, unique."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            if stage in rule.stages and not rule.fallback:
                for p in rule.phrase:
                    seen.setdefault(p, None)
        return list(seen)

    def source_text(self, rule: Rule | ReasonRule) -> str:
        """The rule's source with its keys expanded from ``[meta.sources]``."""
        parts = [p.strip() for p in re.split(r"[;,]\s*(?![^()]*\))", rule.source) if p.strip()]
        return "; ".join(self.sources.get(p, p) for p in parts)


_TABLES: Final = "vocabulary tables"


def _validation_code() -> str | None:
    """A hash of the code that validates a vocabulary's tables and builds its rules (this module,
    `tracklingo.vocabfile`, the taxonomy) and of pydantic's version; None when a source file
    cannot be read (then nothing is cached)."""
    from pydantic.version import VERSION

    from tracklingo import taxonomy, vocabfile

    return tomlcache.code_hash((__file__, vocabfile.__file__, taxonomy.__file__), salt=VERSION)


class _ValidTables:
    """One vocabulary file's (or part's) validated ``[[rule]]`` and ``[[reason]]`` tables and, for
    the vocabulary's own file, its ``[meta.options]``: what `from_dict` gets from pydantic.

    They are kept in the on-disk cache (`tomlcache.recall`, docs/cache.md) under a hash of
    everything the validation reads (the carrier, the tables, the sources they may cite, the
    options) and of the code doing it (`_validation_code`), so an entry cannot go stale. A later
    load of the same content builds its rules from the entry without pydantic; anything else is
    validated, every error reported as before, and stored once it passes."""

    __slots__ = ("carrier", "key", "options", "reasons", "rules")

    def __init__(self, carrier: str, key: str | None) -> None:
        self.carrier = carrier
        self.key = key
        self.options: Options | None = None
        self.rules: list[Rule] | None = None
        self.reasons: list[ReasonRule] | None = None

    @classmethod
    def recall(
        cls, carrier: str, part: Mapping[str, Any], sources: Mapping[str, str], options: Any = None
    ) -> _ValidTables:
        """The tables of `part` as validated before (`rules` None when they never were); pass the
        raw `options` for the vocabulary's own file."""
        code = _validation_code()
        key = None
        if code is not None:
            try:  # marshal's version 0 writes equal values alike (no references, no interning)
                inputs = marshal.dumps(
                    (carrier, dict(sources), options, part.get("rule"), part.get("reason")), 0
                )
            except ValueError:  # not plain TOML values (a date, an object): validated every time
                inputs = None
            if inputs is not None:
                key = hashlib.blake2b(code.encode() + b"\n" + inputs, digest_size=20).hexdigest()
        tables = cls(carrier, key)
        entry = tomlcache.recall(_TABLES, key) if key is not None else None
        if entry is not None:
            try:
                tables._load(entry, own=options is not None)
            except (KeyError, TypeError, ValueError, IndexError):  # not an entry this code wrote
                tables.options = tables.rules = tables.reasons = None
        return tables

    def validated(
        self, origin: str, part: Mapping[str, Any], sources: Mapping[str, str], options: Options
    ) -> tuple[list[Rule], list[ReasonRule]]:
        """The part's rules and reasons: from the cache entry, else validated and stored."""
        if self.rules is not None and self.reasons is not None:
            return self.rules, self.reasons
        rules, reasons = [], []
        for i, raw in enumerate(part.get("rule") or (), 1):
            spec: RuleSpec = validated(RuleSpec, raw, f"{origin} rule #{i}", sources)
            rules.append(
                Rule(
                    stage=spec.stage,
                    source=spec.source,
                    vocabulary=self.carrier,
                    code=spec.code,
                    phrase=spec.phrase,
                    pattern=spec.pattern,
                    reason=spec.reason,
                    fallback=spec.fallback,
                    context=spec.context,
                    by_context=MappingProxyType(dict(spec.by_context)),
                    note=spec.note,
                )
            )
        for i, raw in enumerate(part.get("reason") or (), 1):
            rspec: ReasonSpec = validated(ReasonSpec, raw, f"{origin} reason #{i}", sources)
            reasons.append(
                ReasonRule(
                    reason=rspec.reason,
                    source=rspec.source,
                    vocabulary=self.carrier,
                    code=rspec.code,
                    phrase=rspec.phrase,
                    stage=rspec.stage,
                    note=rspec.note,
                )
            )
        self.rules, self.reasons = rules, reasons
        if self.key is not None:
            tomlcache.remember(_TABLES, self.key, self._dump(options))
        return rules, reasons

    def _dump(self, options: Options) -> dict[str, Any]:
        def value(v: Reason | Stage | None) -> str | None:
            return None if v is None else v.value

        return {
            "options": {name: getattr(options, name) for name in sorted(options.model_fields_set)},
            "rules": [
                (
                    r.stage.value,
                    r.source,
                    r.code,
                    r.phrase,
                    r.pattern,
                    value(r.reason),
                    r.fallback,
                    r.context,
                    {k: s.value for k, s in r.by_context.items()},
                    r.note,
                )
                for r in self.rules or ()
            ],
            "reasons": [
                (r.reason.value, r.source, r.code, r.phrase, value(r.stage), r.note)
                for r in self.reasons or ()
            ],
        }

    def _load(self, entry: Mapping[str, Any], *, own: bool) -> None:
        carrier = self.carrier
        self.rules = [
            Rule(
                stage=Stage(stage),
                source=source,
                vocabulary=carrier,
                code=tuple(code),
                phrase=tuple(phrase),
                pattern=pattern,
                reason=None if reason is None else Reason(reason),
                fallback=fallback,
                context=context,
                by_context=MappingProxyType({k: Stage(v) for k, v in by_context.items()}),
                note=note,
            )
            for stage, source, code, phrase, pattern, reason, fallback, context, by_context, note in entry[
                "rules"
            ]
        ]
        self.reasons = [
            ReasonRule(
                reason=Reason(reason),
                source=source,
                vocabulary=carrier,
                code=tuple(code),
                phrase=tuple(phrase),
                stage=None if stage is None else Stage(stage),
                note=note,
            )
            for reason, source, code, phrase, stage, note in entry["reasons"]
        ]
        if own:  # the same validation `from_dict` runs on [meta.options], already passed
            self.options = Options.model_construct(**entry["options"])


_SHARED: dict[str, Vocabulary] = {}


def shared_vocabulary(name: str) -> Vocabulary:
    """A vocabulary shipped with the core (e.g. ``upu``), for `include = [...]`."""
    if name not in _SHARED:
        resource = resources.files("tracklingo").joinpath("data", "vocab", f"{name}.toml")
        if not resource.is_file():
            raise VocabularyError(f"no shared vocabulary named {name!r}")
        origin = f"tracklingo/data/vocab/{name}.toml"
        data = read_toml(resource, origin)
        _SHARED[name] = Vocabulary.from_dict(
            data, origin=origin, base=resources.files("tracklingo").joinpath("data", "vocab")
        )
    return _SHARED[name]
