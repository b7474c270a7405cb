"""The declarative vocabulary engine: carrier codes and phrases → stage (and reason).

Rules are data (a TOML file per carrier, see docs/vocabulary-format.md). `Vocabulary` compiles them
once into exact-lookup dicts (code+phrase, code, normalised phrase, fallback code/phrase) and a short
list of patterns indexed by their first literal word. `resolve` is O(1) for exact rules and caches
every (code, text) it has seen, so a feed of a million events runs each distinct text through the
patterns at most once.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from tracklingo.errors import VocabularyError
from tracklingo.taxonomy import MatchKind, Reason, Stage

__all__ = [
    "LOCATION_GROUPS",
    "ReasonRule",
    "Resolution",
    "Rule",
    "Vocabulary",
    "normalize_phrase",
]

#: Named regex groups a pattern may capture; they fill the event's location.
LOCATION_GROUPS: Final = frozenset({"facility", "city", "region", "postal_code", "country"})

_NON_WORD: Final = re.compile(r"[^0-9a-z]+")
#: Apostrophes (dropped like ``'``) and letters that Unicode does not decompose into ASCII.
_TRANSLITERATE: Final = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "\u00df": "ss",
        "\u00e6": "ae",
        "\u00c6": "AE",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u00f8": "o",
        "\u00d8": "O",
        "\u0142": "l",
        "\u0141": "L",
        "\u0111": "d",
        "\u0110": "D",
        "\u00f0": "d",
        "\u00d0": "D",
        "\u00fe": "th",
        "\u00de": "TH",
        "\u0131": "i",
    }
)
_CACHE_LIMIT: Final = 200_000


def normalize_phrase(text: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive key for a carrier phrase.

    >>> normalize_phrase("Delivered, In/At  Mailbox.")
    'delivered in at mailbox'
    >>> normalize_phrase("Zustellung erfolgreich – Empfänger’s")
    'zustellung erfolgreich empfangers'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        # accents go; any other non-ASCII character (a dash, a bullet) separates words
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.encode("ascii", "replace").decode().replace("?", " ")
    text = text.lower().replace("&", " and ").replace("'", "")
    return _NON_WORD.sub(" ", text).strip()


def _normalize_code(code: str) -> str:
    return code.strip().upper()


def _as_tuple(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise VocabularyError(f"{what} must be a string or a list of strings, not {value!r}")


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


@dataclass(slots=True)  # not frozen: built per event, and frozen init costs ~3x
class Resolution:
    """The outcome of `Vocabulary.resolve` for one event."""

    stage: Stage
    match: MatchKind
    rule: Rule | None = None
    reason: Reason | None = None
    captured: Mapping[str, str] = field(default_factory=dict)
    needs_context: str | None = None


_UNMAPPED: Final = Resolution(Stage.UNKNOWN, MatchKind.UNMAPPED)
_NO_CAPTURE: Final[Mapping[str, str]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class _Hit:
    rule: Rule
    kind: MatchKind
    captured: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Pattern:
    rule: Rule
    regex: re.Pattern[str]
    first_word: str | None


# The literal first word of an anchored pattern, when the word certainly ends there (a space, a
# comma, ``\s`` or ``\b``): a group or class right after it (``^Deliver(?:ed|y)``, ``^Arrive\w*``)
# may continue the word, so such a pattern is tried on every text instead.
_FIRST_WORD: Final = re.compile(r"^\^([A-Za-z0-9]+)(?=[ ,]|\\[sb]|$)")


def _first_word(pattern: str) -> str | None:
    m = _FIRST_WORD.match(pattern)
    return m.group(1).lower() if m else None


class Vocabulary:
    """A compiled carrier vocabulary. Build it with `from_toml`, `from_dict` or `from_rules`."""

    def __init__(
        self,
        carrier: str,
        rules: Iterable[Rule],
        reasons: Iterable[ReasonRule] = (),
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self.carrier = carrier
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.reasons: tuple[ReasonRule, ...] = tuple(reasons)
        self.sources: Mapping[str, str] = MappingProxyType(dict(sources or {}))
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
        self._cache: dict[tuple[str | None, str | None, str | None], _Hit | None] = {}
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
        for rule in own_first:
            if rule.pattern is None:
                continue
            try:
                regex = re.compile(rule.pattern, re.IGNORECASE)
            except re.error as exc:
                raise VocabularyError(f"{self.carrier}: bad pattern {rule.pattern!r}: {exc}") from None
            unknown = set(regex.groupindex) - LOCATION_GROUPS
            if unknown:
                raise VocabularyError(
                    f"{self.carrier}: pattern {rule.pattern!r} captures {sorted(unknown)};"
                    f" allowed groups are {sorted(LOCATION_GROUPS)}"
                )
            compiled = _Pattern(rule, regex, _first_word(rule.pattern))
            if rule.fallback:
                self._fallback_patterns.append(compiled)
            elif compiled.first_word:
                self._patterns_by_word.setdefault(compiled.first_word, []).append(compiled)
            else:
                self._patterns_any.append(compiled)
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
        loaded with `from_toml`)."""
        meta = data.get("meta") or {}
        carrier = meta.get("carrier")
        if not isinstance(carrier, str) or not carrier:
            raise VocabularyError(f"{origin}: [meta] carrier is required")
        sources = dict(meta.get("sources") or {})
        rules: list[Rule] = []
        reasons: list[ReasonRule] = []
        extra_sources: dict[str, str] = {}
        for name in _as_tuple(meta.get("include"), f"{origin}: [meta] include"):
            shared = shared_vocabulary(name)
            rules.extend(shared.rules)
            reasons.extend(shared.reasons)
            extra_sources.update(shared.sources)
        unknown_keys = set(data) - {"meta", "rule", "reason"}
        if unknown_keys:
            raise VocabularyError(f"{origin}: unknown tables {sorted(unknown_keys)}")
        for part_origin, part in _parts(data, origin, base, carrier, sources):
            part_sources = {**sources, **dict(part.get("meta", {}).get("sources") or {})}
            for i, raw in enumerate(part.get("rule") or (), 1):
                rules.append(_rule_from_dict(raw, carrier, part_sources, f"{part_origin} rule #{i}"))
            for i, raw in enumerate(part.get("reason") or (), 1):
                reasons.append(_reason_from_dict(raw, carrier, part_sources, f"{part_origin} reason #{i}"))
        return cls(carrier, rules, reasons, {**extra_sources, **sources})

    @classmethod
    def from_toml(cls, path: str | Path) -> Vocabulary:
        """Load and compile a vocabulary TOML file (and the ``[meta] parts`` it names)."""
        p = Path(path)
        return cls.from_dict(_read_toml(p, str(p)), origin=str(p), base=p.parent)

    # -- matching ---------------------------------------------------------------------------

    def _lookup(self, code: str | None, text: str | None, fallback_code: str | None) -> _Hit | None:
        ncode = _normalize_code(code) if code else None
        ntext = normalize_phrase(text) if text else None
        if ncode and ntext:
            rule = self._code_phrase.get((ncode, ntext))
            if rule is not None:
                return _Hit(rule, MatchKind.CODE, _NO_CAPTURE)
        if ncode:
            rule = self._code.get(ncode)
            if rule is not None:
                return _Hit(rule, MatchKind.CODE, _NO_CAPTURE)
        if ntext:
            rule = self._phrase.get(ntext)
            if rule is not None:
                return _Hit(rule, MatchKind.PHRASE, _NO_CAPTURE)
            stripped = text.strip() if text else ""
            first = ntext.split(" ", 1)[0]
            for cand in (*self._patterns_by_word.get(first, ()), *self._patterns_any):
                m = cand.regex.search(stripped)
                if m is not None:
                    return _Hit(cand.rule, MatchKind.PATTERN, _captures(m))
            placed = self._phrase_with_place(stripped)
            if placed is not None:
                return placed
        nfallback = _normalize_code(fallback_code) if fallback_code else ncode
        if nfallback:
            rule = self._fallback_code.get(nfallback)
            if rule is not None:
                return _Hit(rule, MatchKind.FALLBACK, _NO_CAPTURE)
        if ntext:
            rule = self._fallback_phrase.get(ntext)
            if rule is not None:
                return _Hit(rule, MatchKind.FALLBACK, _NO_CAPTURE)
            for cand in self._fallback_patterns:
                m = cand.regex.search(text.strip() if text else "")
                if m is not None:
                    return _Hit(cand.rule, MatchKind.FALLBACK, _captures(m))
        return None

    def _phrase_with_place(self, text: str) -> _Hit | None:
        """A known mixed-case phrase followed by an UPPER-CASE place, e.g. "Arrived at FedEx
        location MEMPHIS, TN" or "Departed Facility in LEIPZIG - GERMANY": the phrase decides the
        stage and the place fills the location. Texts written wholly in capitals are not split
        (there the place cannot be told from the phrase)."""
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
        return _Hit(rule, MatchKind.PATTERN, _place_parts(place)) if place else None

    def resolve(
        self,
        text: str | None,
        code: str | None = None,
        context: Mapping[str, str] | None = None,
        fallback_code: str | None = None,
    ) -> Resolution:
        """Map one carrier event (its text and/or code) to a stage.

        Precedence: code+phrase, code, exact phrase, pattern, fallback; else `unknown` with
        ``match: unmapped``. A context rule uses `context` (e.g. ``{"direction": "inbound"}``).
        `fallback_code` is a coarse status code carried beside the event code (DHL `statusCode`,
        FedEx `derivedStatusCode`): it is looked up among the fallback rules only; without it the
        event `code` itself is tried there.
        """
        key = (code, text, fallback_code)
        try:
            hit = self._cache[key]
        except KeyError:
            hit = self._lookup(code, text, fallback_code)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = hit
        if hit is None:
            return _UNMAPPED
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


_PLACE_LINKS: Final = frozenset({"at", "in", "-", ",", ":", "–"})
_CITY_STATE: Final = re.compile(
    r"^(?P<city>[A-Z0-9 .'/-]+?),?\s+(?P<region>[A-Z]{2})(?:\s+(?P<postal_code>\d{5}(?:-\d{4})?))?$"
)
_CITY_COUNTRY: Final = re.compile(r"^(?P<city>.+?)\s+-\s+(?P<country>[A-Z][A-Z ,.'()]+)$")


def _has_lower(token: str) -> bool:
    return any(c.islower() for c in token)


def _place_parts(place: str) -> Mapping[str, str]:
    """Split a trailing place: ``CITY, ST [ZIP]`` (a US state), ``CITY - COUNTRY``, else facility."""
    from tracklingo.countries import US_STATES, country_code

    m = _CITY_STATE.match(place)
    if m is not None and m.group("region") in US_STATES:
        parts = {k: v for k, v in m.groupdict().items() if v}
        return MappingProxyType({**parts, "country": "US"})
    m = _CITY_COUNTRY.match(place)
    if m is not None and country_code(m.group("country")):
        return MappingProxyType({"city": m.group("city"), "country": m.group("country")})
    return MappingProxyType({"facility": place})


def _captures(m: re.Match[str]) -> Mapping[str, str]:
    groups = {k: v.strip() for k, v in m.groupdict().items() if v and v.strip()}
    return MappingProxyType(groups) if groups else _NO_CAPTURE


def _check_source(source: Any, known: Mapping[str, str], where: str) -> str:
    if not isinstance(source, str) or not source.strip():
        raise VocabularyError(f"{where}: every rule needs a `source`")
    for token in re.split(r"[;,]", source):
        token = token.strip()
        bare = token.split(" ", 1)[0].split("@", 1)[0]
        if token and " " not in token and "/" not in token and "." not in token and bare not in known:
            raise VocabularyError(f"{where}: source key {token!r} is not defined in [meta.sources]")
    return source.strip()


def _stage(value: Any, where: str) -> Stage:
    try:
        stage = Stage(value)
    except ValueError:
        raise VocabularyError(
            f"{where}: stage {value!r} does not exist; use one of "
            + ", ".join(s.value for s in Stage if s is not Stage.UNKNOWN)
        ) from None
    if stage is Stage.UNKNOWN:
        raise VocabularyError(f"{where}: `unknown` is the fallback, not a rule target")
    return stage


def _reason(value: Any, where: str) -> Reason | None:
    if value is None:
        return None
    try:
        return Reason(value)
    except ValueError:
        raise VocabularyError(
            f"{where}: reason {value!r} does not exist; use one of " + ", ".join(r.value for r in Reason)
        ) from None


_RULE_KEYS: Final = frozenset(
    {
        "code",
        "phrase",
        "pattern",
        "stage",
        "reason",
        "fallback",
        "context",
        "by_context",
        "source",
        "note",
    }
)
_REASON_KEYS: Final = frozenset({"code", "phrase", "reason", "stage", "source", "note"})


def _rule_from_dict(raw: Any, carrier: str, sources: Mapping[str, str], where: str) -> Rule:
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: a rule is a table")
    extra = set(raw) - _RULE_KEYS
    if extra:
        raise VocabularyError(f"{where}: unknown fields {sorted(extra)}")
    code = _as_tuple(raw.get("code"), f"{where}: code")
    phrase = _as_tuple(raw.get("phrase"), f"{where}: phrase")
    pattern = raw.get("pattern")
    if not (code or phrase or pattern):
        raise VocabularyError(f"{where}: a rule needs a code, a phrase or a pattern")
    if pattern is not None and not isinstance(pattern, str):
        raise VocabularyError(f"{where}: pattern must be a string")
    context = raw.get("context")
    by_context_raw = raw.get("by_context") or {}
    if not isinstance(by_context_raw, dict):
        raise VocabularyError(f'{where}: by_context must be a table such as {{ inbound = "..." }}')
    fallback = raw.get("fallback", False)
    if not isinstance(fallback, bool):
        raise VocabularyError(f"{where}: fallback must be true or false, not {fallback!r}")
    if bool(context) != bool(by_context_raw):
        raise VocabularyError(f"{where}: `context` and `by_context` go together")
    by_context = {str(k): _stage(v, where) for k, v in by_context_raw.items()}
    return Rule(
        stage=_stage(raw.get("stage"), where),
        source=_check_source(raw.get("source"), sources, where),
        vocabulary=carrier,
        code=code,
        phrase=phrase,
        pattern=pattern,
        reason=_reason(raw.get("reason"), where),
        fallback=fallback,
        context=context,
        by_context=MappingProxyType(by_context),
        note=raw.get("note"),
    )


def _reason_from_dict(raw: Any, carrier: str, sources: Mapping[str, str], where: str) -> ReasonRule:
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: a reason entry is a table")
    extra = set(raw) - _REASON_KEYS
    if extra:
        raise VocabularyError(f"{where}: unknown fields {sorted(extra)}")
    code = _as_tuple(raw.get("code"), f"{where}: code")
    phrase = _as_tuple(raw.get("phrase"), f"{where}: phrase")
    if not (code or phrase):
        raise VocabularyError(f"{where}: a reason entry needs a code or a phrase")
    reason = _reason(raw.get("reason"), where)
    if reason is None:
        raise VocabularyError(f"{where}: `reason` is required")
    stage = raw.get("stage")
    return ReasonRule(
        reason=reason,
        source=_check_source(raw.get("source"), sources, where),
        vocabulary=carrier,
        code=code,
        phrase=phrase,
        stage=_stage(stage, where) if stage is not None else None,
        note=raw.get("note"),
    )


def _read_toml(resource: Path | Traversable, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(resource.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VocabularyError(f"cannot read vocabulary {origin}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise VocabularyError(f"{origin}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{origin}: invalid TOML: {exc}") from None


def _parts(
    data: Mapping[str, Any],
    origin: str,
    base: Path | Traversable | None,
    carrier: str,
    sources: dict[str, str],
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The file's own tables, then each ``[meta] parts`` file: more rules of the same vocabulary,
    kept in files by family (a service, a language). A part has ``[meta] carrier`` (the same) and
    may define more ``[meta.sources]``; its keys join the vocabulary's sources."""
    yield origin, data
    names = _as_tuple((data.get("meta") or {}).get("parts"), f"{origin}: [meta] parts")
    if names and base is None:
        raise VocabularyError(f"{origin}: [meta] parts need a file location to be relative to")
    for name in names:
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise VocabularyError(f"{origin}: part {name!r} must be a path inside the vocabulary's folder")
        resource: Path | Traversable = base  # type: ignore[assignment]
        for piece in name.split("/"):
            resource = resource / piece
        part_origin = f"{origin} part {name}"
        part = _read_toml(resource, part_origin)
        meta = part.get("meta") or {}
        if meta.get("carrier") != carrier:
            raise VocabularyError(f"{part_origin}: [meta] carrier must be {carrier!r}")
        extra = set(meta) - {"carrier", "sources"}
        if extra or set(part) - {"meta", "rule", "reason"}:
            raise VocabularyError(
                f"{part_origin}: a part holds [meta] carrier/sources, [[rule]] and [[reason]] only"
            )
        for key, value in (meta.get("sources") or {}).items():
            if sources.get(key, value) != value:
                raise VocabularyError(f"{part_origin}: source key {key!r} is defined differently elsewhere")
            sources[key] = value
        yield part_origin, part


_SHARED: dict[str, Vocabulary] = {}


def shared_vocabulary(name: str) -> Vocabulary:
    """A vocabulary shipped with the core (e.g. ``upu``), for `include = [...]`."""
    if name not in _SHARED:
        resource = resources.files("tracklingo").joinpath("data", "vocab", f"{name}.toml")
        if not resource.is_file():
            raise VocabularyError(f"no shared vocabulary named {name!r}")
        origin = f"tracklingo/data/vocab/{name}.toml"
        data = _read_toml(resource, origin)
        _SHARED[name] = Vocabulary.from_dict(
            data, origin=origin, base=resources.files("tracklingo").joinpath("data", "vocab")
        )
    return _SHARED[name]
