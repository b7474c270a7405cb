"""The concept lexicon: ordinary tracking words in several languages, grouped by what they mean.

`load_lexicon()` reads ``tracklingo/data/lexicon.toml`` once per process. `Lexicon.hits(tokens)`
finds the concepts in a folded token list (`words`); the inference layer uses them as features
that carry across languages ("Zoll", "douane", "aduana" and "cło" all give ``customs``).
`Lexicon.segment(tokens)` first cuts the runs of scripts written without spaces (Chinese,
Japanese, Korean word groups, Thai) into the lexicon's words ("快件已签收感谢使用" → 快件 · 已签收 ·
感谢使用), so a word is found inside an unspaced sentence.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from tracklingo import tomlcache
from tracklingo.countries import country_spellings
from tracklingo.errors import VocabularyError
from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import normalize_phrase

__all__ = ["Concept", "ConceptHit", "Hint", "Lexicon", "load_lexicon", "words"]

_APOSTROPHES: Final = str.maketrans({"'": " ", "\u2019": " ", "\u2018": " ", "\u02bc": " ", "`": " "})
_MIN_PREFIX: Final = 3
#: compound splitting (German, Dutch): a word at least this long may end with a known word of at
#: least `_MIN_PART` letters after a head of at least `_MIN_PREFIX` ("zustell|versuch")
_MIN_COMPOUND: Final = 8
_MIN_PART: Final = 4
#: a letter of a script written without spaces between words: Thai, kana, Han (CJK unified and
#: compatibility ideographs), Hangul syllables (Korean spaces word groups, not words: "배송을")
_UNSPACED: Final = re.compile(
    r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_THAI: Final = re.compile(r"[\u0e00-\u0e7f]")
#: the shortest lexicon word `Lexicon.segment` looks for inside a longer run (letters): a single
#: Han letter or Hangul syllable is too often part of another word; Thai spells a syllable with
#: several letters (vowel and tone signs are letters of their own)
_MIN_SEGMENT: Final = 2
_MIN_SEGMENT_THAI: Final = 3


def words(text: str) -> list[str]:
    """The folded words of `text`: `normalize_phrase` with apostrophes splitting words, so the
    French "l'adresse" gives ``l adresse`` rather than one unknown word."""
    return normalize_phrase(text.translate(_APOSTROPHES)).split()


@dataclass(frozen=True, slots=True)
class Concept:
    """One meaning (``customs``, ``held``, ...) and the reason its words give, if any.

    A concept with a `scope` is a modifier ("not", "will be"): it qualifies the first concept
    that starts within `scope` words after it ("not delivered", "wird morgen zugestellt"). A
    `frame` concept ("return") qualifies every other concept of the text. A `when` concept
    ("today", "tomorrow") says when, not what: a feature of its own that a modifier reaches
    across ("wird morgen zugestellt": the "wird" qualifies "zugestellt")."""

    name: str
    reason: Reason | None = None
    scope: int = 0
    frame: bool = False
    when: bool = False
    #: whether a long word may end with one of its words (German and Dutch compounds); a
    #: country's name inside a longer word is another word ("oman" in "...oman")
    compound: bool = True
    #: a modifier that reads as another when a time word is in the text: (the `when` concept,
    #: the modifier it becomes); "wird morgen zugestellt" is a future, "wird zugestellt" now
    shift: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ConceptHit:
    """A concept found in a text: which, the words that gave it, and where (token positions)."""

    concept: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Hint:
    """A stage definition said in concepts ("customs" + "held" → customs_hold): one extra
    labelled example for the classifier."""

    concepts: tuple[str, ...]
    stage: Stage


@dataclass(frozen=True, slots=True)
class _Entry:
    concept: int
    parts: tuple[tuple[str, bool], ...]  # (word, is_prefix)


def _entry_parts(raw: str, where: str) -> tuple[tuple[str, bool], ...]:
    parts: list[tuple[str, bool]] = []
    for piece in raw.split():
        prefix = piece.endswith("*")
        folded = words(piece.rstrip("*"))
        if not folded:
            raise VocabularyError(f"{where}: empty word in {raw!r}")
        for i, w in enumerate(folded):
            last = i == len(folded) - 1
            if prefix and last and len(w) < _MIN_PREFIX:
                raise VocabularyError(f"{where}: prefix {piece!r} is shorter than {_MIN_PREFIX} letters")
            parts.append((w, prefix and last))
    return tuple(parts)


class Lexicon:
    """A compiled concept lexicon. Build with `from_dict` or use `load_lexicon()`."""

    def __init__(
        self,
        concepts: Sequence[Concept],
        entries: Iterable[_Entry],
        stopwords: Iterable[str],
        reason_stages: Mapping[Reason, frozenset[Stage]],
        carriers: Mapping[str, tuple[str, ...]] | None = None,
        hints: Iterable[Hint] = (),
        boilerplate: Iterable[str] = (),
    ) -> None:
        self.concepts: tuple[Concept, ...] = tuple(concepts)
        self.stopwords: frozenset[str] = frozenset(stopwords)
        self.reason_stages: Mapping[Reason, frozenset[Stage]] = MappingProxyType(dict(reason_stages))
        self._exact: dict[str, list[_Entry]] = {}
        self._prefix: dict[str, list[_Entry]] = {}
        # one-word entries a compound may end with: exact words, and prefixes by their first letters
        self._part_exact: dict[str, set[int]] = {}
        self._part_prefix: dict[str, list[tuple[str, int]]] = {}
        unspaced: set[str] = set()  # the entries' words in unspaced scripts, for `segment`
        for entry in entries:
            unspaced.update(w for w, _ in entry.parts if _is_unspaced_word(w))
            word, is_prefix = entry.parts[0]
            if is_prefix:
                self._prefix.setdefault(word[:_MIN_PREFIX], []).append(entry)
            else:
                self._exact.setdefault(word, []).append(entry)
            if len(entry.parts) == 1 and len(word) >= _MIN_PART and concepts[entry.concept].compound:
                if is_prefix:
                    self._part_prefix.setdefault(word[:_MIN_PREFIX], []).append((word, entry.concept))
                else:
                    self._part_exact.setdefault(word, set()).add(entry.concept)
        self._index = {c.name: i for i, c in enumerate(self.concepts)}
        # one alternation over those words, longest first: at each place the longest word matches
        self._segmenter: re.Pattern[str] | None = (
            re.compile("|".join(map(re.escape, sorted(unspaced, key=lambda w: (-len(w), w)))))
            if unspaced
            else None
        )
        #: carrier names a text may mention: name -> folded spellings
        self.carriers: Mapping[str, tuple[str, ...]] = MappingProxyType(dict(carriers or {}))
        #: the carrier spellings as word sequences (a carrier's name says nothing of a status)
        self.carrier_words: tuple[tuple[str, ...], ...] = tuple(
            sorted({tuple(s.split()) for spellings in self.carriers.values() for s in spellings if s.strip()})
        )
        #: `carrier_words` by their first word (a text is searched at each of its words, not for
        #: every spelling)
        self.carrier_starts: Mapping[str, tuple[tuple[str, ...], ...]] = MappingProxyType(
            {
                first: tuple(w for w in self.carrier_words if w[0] == first)
                for first in {w[0] for w in self.carrier_words}
            }
        )
        self.hints: tuple[Hint, ...] = tuple(hints)
        #: word sequences of a sentence that says nothing of the parcel ("visit our website")
        self.boilerplate: tuple[tuple[str, ...], ...] = tuple(
            sorted({tuple(words(b)) for b in boilerplate if words(b)})
        )
        for c in self.concepts:
            if c.shift is not None and not all(n in self._index for n in c.shift):
                raise VocabularyError(f"lexicon concept {c.name!r} shifts to an unknown concept {c.shift}")
        for hint in self.hints:
            for name in hint.concepts:
                if name not in self._index:
                    raise VocabularyError(f"lexicon hint names unknown concept {name!r}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "<lexicon>") -> Lexicon:
        """Build from the parsed TOML (``meta``, ``stopwords``, ``concept``, ``reason`` tables)."""
        languages = tuple((data.get("meta") or {}).get("languages") or ())
        if not languages:
            raise VocabularyError(f"{origin}: [meta] languages is required")
        concepts: list[Concept] = []
        entries: list[_Entry] = []
        for i, raw in enumerate(data.get("concept") or (), 1):
            where = f"{origin} concept #{i}"
            name = raw.get("name")
            if not isinstance(name, str) or not name:
                raise VocabularyError(f"{where}: `name` is required")
            reason = Reason(raw["reason"]) if raw.get("reason") else None
            scope = raw.get("scope", 0)
            if not isinstance(scope, int) or isinstance(scope, bool) or not 0 <= scope <= 6:
                raise VocabularyError(f"{where}: `scope` is a number of words from 0 to 6")
            frame = raw.get("frame", False)
            if not isinstance(frame, bool):
                raise VocabularyError(f"{where}: `frame` is true or false")
            when = raw.get("when", False)
            if not isinstance(when, bool):
                raise VocabularyError(f"{where}: `when` is true or false")
            countries = raw.get("countries", False)
            if not isinstance(countries, bool):
                raise VocabularyError(f"{where}: `countries` is true or false")
            shift = raw.get("shift")
            if shift is not None and not (
                isinstance(shift, list) and len(shift) == 2 and all(isinstance(x, str) for x in shift)
            ):
                raise VocabularyError(f"{where}: `shift` is [when concept, modifier concept]")
            named_carriers = raw.get("carriers", False)
            if not isinstance(named_carriers, bool):
                raise VocabularyError(f"{where}: `carriers` is true or false")
            extra = set(raw) - {
                "name",
                "reason",
                "scope",
                "frame",
                "when",
                "countries",
                "carriers",
                "shift",
                *languages,
            }
            if extra:
                raise VocabularyError(f"{where}: unknown fields {sorted(extra)}")
            for lang in languages:
                for text in raw.get(lang) or ():
                    entries.append(_Entry(len(concepts), _entry_parts(text, f"{where} ({lang})")))
            if countries:
                # the country names of `tracklingo.countries` (IANA, carrier spellings, CLDR names
                # in the lexicon's languages): one table of countries in the core
                for spelling in sorted(country_spellings()):
                    entries.append(_Entry(len(concepts), _entry_parts(spelling, f"{where} (countries)")))
            if named_carriers:
                # the carriers a text may name: the [carriers] table below and the core's list of
                # well-known carriers (`tracklingo.known_carriers`)
                for spelling in sorted(_carrier_spellings(data)):
                    entries.append(_Entry(len(concepts), _entry_parts(spelling, f"{where} (carriers)")))
            concepts.append(
                Concept(
                    name,
                    reason,
                    scope,
                    frame,
                    when,
                    compound=not (countries or named_carriers),
                    shift=(shift[0], shift[1]) if shift else None,
                )
            )
        stop: set[str] = set()
        lists: list[tuple[str, Any]] = []
        for key, value in (data.get("stopwords") or {}).items():
            # a language's list, or a group of them ([stopwords.dates])
            lists.extend(value.items() if isinstance(value, dict) else [(key, value)])
        for lang, ws in lists:
            if lang not in languages:
                raise VocabularyError(f"{origin}: stopwords for undeclared language {lang!r}")
            for w in ws:
                stop.update(words(w))
        reason_stages = {
            Reason(r["name"]): frozenset(Stage(s) for s in r["stages"]) for r in data.get("reason") or ()
        }
        carriers = {
            str(name): tuple(" ".join(words(s)) for s in spellings)
            for name, spellings in (data.get("carriers") or {}).items()
        }
        hints = []
        for i, raw in enumerate(data.get("hint") or (), 1):
            names = raw.get("concepts")
            if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
                raise VocabularyError(f"{origin} hint #{i}: `concepts` must be a list of concept names")
            try:
                stage = Stage(raw.get("stage"))
            except ValueError:
                raise VocabularyError(f"{origin} hint #{i}: unknown stage {raw.get('stage')!r}") from None
            hints.append(Hint(tuple(names), stage))
        boilerplate: list[str] = []
        for lang, ws in (data.get("boilerplate") or {}).items():
            if lang not in languages:
                raise VocabularyError(f"{origin}: boilerplate for undeclared language {lang!r}")
            boilerplate.extend(ws)
        return cls(concepts, entries, stop, reason_stages, carriers, hints, boilerplate)

    def is_boilerplate(self, tokens: Sequence[str]) -> bool:
        """Whether the folded `tokens` hold one of the `boilerplate` sequences ("contact us",
        "visit our website"): a sentence about the service, not about the parcel."""
        n = len(tokens)
        for seq in self.boilerplate:
            k = len(seq)
            for i in range(n - k + 1):
                if tuple(tokens[i : i + k]) == seq:
                    return True
        return False

    def segment(self, tokens: Iterable[str]) -> list[str]:
        """`tokens` with each token in an unspaced script (Chinese, Japanese, Thai; Korean word
        groups) cut into the lexicon's words found in it, longest first from the left, and the
        runs between them ("已在转运中心进行卸车" → 已在 · 转运中心 · 进行卸车 when 转运中心 is a
        lexicon word). A token that is a lexicon word itself, holds none, or is in another
        script stays as it is."""
        pattern = self._segmenter
        out: list[str] = []
        for tok in tokens:
            if pattern is None or tok in self._exact or not _UNSPACED.search(tok):
                out.append(tok)
                continue
            pos = 0
            for m in pattern.finditer(tok):
                if m.start() > pos:
                    out.append(tok[pos : m.start()])
                out.append(m.group())
                pos = m.end()
            if pos < len(tok):
                out.append(tok[pos:])
        return out

    def concept(self, name: str) -> Concept:
        """The concept called `name` (KeyError when there is none)."""
        return self.concepts[self._index[name]]

    def hits(self, tokens: Sequence[str]) -> list[ConceptHit]:
        """Every concept entry matching somewhere in `tokens` (overlaps allowed), in text order."""
        found: dict[tuple[int, int], ConceptHit] = {}
        n = len(tokens)
        for i, tok in enumerate(tokens):
            cands = self._exact.get(tok, [])
            pref = self._prefix.get(tok[:_MIN_PREFIX])
            if pref:
                cands = cands + [e for e in pref if tok.startswith(e.parts[0][0])]
            for entry in cands:
                end = i + len(entry.parts)
                if end > n:
                    continue
                ok = True
                for (w, is_prefix), t in zip(entry.parts[1:], tokens[i + 1 : end], strict=True):
                    if not (t.startswith(w) if is_prefix else t == w):
                        ok = False
                        break
                if not ok:
                    continue
                key = (entry.concept, i)
                old = found.get(key)
                if old is None or old.end < end:  # the longest entry of a concept at a position
                    name = self.concepts[entry.concept].name
                    found[key] = ConceptHit(name, " ".join(tokens[i:end]), i, end)
            if len(tok) >= _MIN_COMPOUND:
                for concept in self._compound_parts(tok):
                    if (concept, i) not in found:
                        found[(concept, i)] = ConceptHit(self.concepts[concept].name, tok, i, i + 1)
        hits = sorted(found.values(), key=lambda h: (h.start, -h.end, self._index[h.concept]))
        # the longest entry wins: a word inside a longer entry of another concept is that entry's
        # ("pick up" in "pick up point", "delivery" in "out for delivery")
        return [
            h
            for h in hits
            if not any(
                o.start <= h.start and o.end >= h.end and (o.end - o.start) > (h.end - h.start) for o in hits
            )
        ]

    def _compound_parts(self, tok: str) -> list[int]:
        """The concepts of the known words a long word is made of after its head: German and
        Dutch compounds ("zustellversuch" → attempt, "sorteercentrum" → facility)."""
        out: list[int] = []
        for i in range(_MIN_PREFIX, len(tok) - _MIN_PART + 1):
            tail = tok[i:]
            out.extend(self._part_exact.get(tail, ()))
            for word, concept in self._part_prefix.get(tail[:_MIN_PREFIX], ()):
                if tail.startswith(word):
                    out.append(concept)
        return sorted(set(out))


def _is_unspaced_word(word: str) -> bool:
    """Whether `segment` looks for `word` inside longer tokens: every letter in an unspaced
    script, and long enough not to be part of most other words."""
    if not all(_UNSPACED.match(c) for c in word):
        return False
    return len(word) >= (_MIN_SEGMENT_THAI if _THAI.match(word) else _MIN_SEGMENT)


def _carrier_spellings(data: Mapping[str, Any]) -> set[str]:
    """Folded carrier names: the lexicon's ``[carriers]`` spellings and the names of
    `tracklingo.known_carriers` (the known list's short all-capital names match in any case once
    folded; a name of fewer than three letters is left out)."""
    from tracklingo.known_carriers import known_carriers

    out = {" ".join(words(s)) for spellings in (data.get("carriers") or {}).values() for s in spellings}
    out.update(" ".join(words(n)) for c in known_carriers() for n in c.names)
    return {s for s in out if len(s) >= 3}


@cache
def load_lexicon() -> Lexicon:
    """The core's concept lexicon (``tracklingo/data/lexicon.toml``), loaded once per process."""
    resource = resources.files("tracklingo").joinpath("data", "lexicon.toml")
    origin = "tracklingo/data/lexicon.toml"
    try:
        data = tomlcache.loads(resource.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{origin}: invalid TOML: {exc}") from None
    return Lexicon.from_dict(data, origin)
