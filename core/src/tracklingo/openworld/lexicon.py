"""The concept lexicon: ordinary tracking words in several languages, grouped by what they mean.

`load_lexicon()` reads ``tracklingo/data/lexicon.toml`` once per process. `Lexicon.hits(tokens)`
finds the concepts in a folded token list (`words`); the inference layer uses them as features
that carry across languages ("Zoll", "douane", "aduana" and "cło" all give ``customs``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from tracklingo.errors import VocabularyError
from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import normalize_phrase

__all__ = ["Concept", "ConceptHit", "Hint", "Lexicon", "load_lexicon", "words"]

_APOSTROPHES: Final = str.maketrans({"'": " ", "\u2019": " ", "\u2018": " ", "\u02bc": " ", "`": " "})
_MIN_PREFIX: Final = 3


def words(text: str) -> list[str]:
    """The folded words of `text`: `normalize_phrase` with apostrophes splitting words, so the
    French "l'adresse" gives ``l adresse`` rather than one unknown word."""
    return normalize_phrase(text.translate(_APOSTROPHES)).split()


@dataclass(frozen=True, slots=True)
class Concept:
    """One meaning (``customs``, ``held``, ...) and the reason its words give, if any."""

    name: str
    reason: Reason | None = None


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
    ) -> None:
        self.concepts: tuple[Concept, ...] = tuple(concepts)
        self.stopwords: frozenset[str] = frozenset(stopwords)
        self.reason_stages: Mapping[Reason, frozenset[Stage]] = MappingProxyType(dict(reason_stages))
        self._exact: dict[str, list[_Entry]] = {}
        self._prefix: dict[str, list[_Entry]] = {}
        for entry in entries:
            word, is_prefix = entry.parts[0]
            if is_prefix:
                self._prefix.setdefault(word[:_MIN_PREFIX], []).append(entry)
            else:
                self._exact.setdefault(word, []).append(entry)
        self._index = {c.name: i for i, c in enumerate(self.concepts)}
        #: carrier names a text may mention: name -> folded spellings
        self.carriers: Mapping[str, tuple[str, ...]] = MappingProxyType(dict(carriers or {}))
        self.hints: tuple[Hint, ...] = tuple(hints)
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
            extra = set(raw) - {"name", "reason", *languages}
            if extra:
                raise VocabularyError(f"{where}: unknown fields {sorted(extra)}")
            for lang in languages:
                for text in raw.get(lang) or ():
                    entries.append(_Entry(len(concepts), _entry_parts(text, f"{where} ({lang})")))
            concepts.append(Concept(name, reason))
        stop: set[str] = set()
        for lang, ws in (data.get("stopwords") or {}).items():
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
        return cls(concepts, entries, stop, reason_stages, carriers, hints)

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
        return sorted(found.values(), key=lambda h: (h.start, -h.end, self._index[h.concept]))


@cache
def load_lexicon() -> Lexicon:
    """The core's concept lexicon (``tracklingo/data/lexicon.toml``), loaded once per process."""
    resource = resources.files("tracklingo").joinpath("data", "lexicon.toml")
    origin = "tracklingo/data/lexicon.toml"
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{origin}: invalid TOML: {exc}") from None
    return Lexicon.from_dict(data, origin)
