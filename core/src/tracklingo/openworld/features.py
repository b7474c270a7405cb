"""How the inference layer reads a text: folded words, concepts with their modifiers, features.

`analyse(text)` folds the text (`tracklingo.openworld.lexicon.words`), cuts the runs of unspaced
scripts into the lexicon's words (`Lexicon.segment`: "快件已签收" → 快件 · 已签收), drops what carries no
status (numbers, dates, times, codes: any word with a digit), finds the lexicon's concepts (with
German and Dutch compounds split, "Zustellversuch" → delivery + attempt), applies the modifier
concepts to the concepts that follow them ("not delivered", "wird morgen zugestellt", "n'a pas
pu être livré"), and describes the text by features:

* ``c:<concept>``: a concept that no modifier qualifies (``c:customs``, ``c:held``);
* ``m:<modifier>:<concept>``: a qualified concept (``m:negation:delivered``,
  ``m:expected:delivered``); the bare ``c:delivered`` is then left out, since a parcel that "will
  be delivered" or was "not delivered" is not delivered;
* ``p:<a>+<b>``: two of those in the same text, in either order (customs with held is a hold,
  customs with released a release);
* ``o:<a>><b>``: two in a row ("delivered to an access point" is not "picked up at the post
  office, delivered"); ``h:<a>``: the first (what the text is about);
* ``w:<stem>``: a content word (stopwords and carrier names dropped), cut to its stem
  (`stem`), for a carrier's own idiom.

With `forms`, the text is first read through the sentence forms (`Forms.read`): dates, times
and trailing places come off, a direction marker's word stays ("Customs Released Import"). The
classifier reads its training phrases and the texts it is asked about the same way.

`Analysis.shown` keeps, for each feature, the words of the text that gave it (the `evidence`).

`analyse_all` analyses many texts with the core's own lexicon and forms (the classifier's
thousands of training phrases) and keeps the results in the user's cache (`tracklingo.tomlcache`)
under a hash of every input: each file of the tracklingo package (code and data: the lexicon, the
forms, the country and carrier lists), Babel's version (country names) and the Python version. The
next process reads them back instead of analysing again; the analyses are the same either way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Final

from tracklingo import tomlcache
from tracklingo.openworld.forms import Forms
from tracklingo.openworld.lexicon import ConceptHit, Lexicon, load_lexicon, words

__all__ = ["Analysis", "analyse", "analyse_all", "describe", "status_sentences", "stem"]

#: endings cut off a word before it becomes a ``w:`` feature, longest first; a stem keeps at
#: least `_MIN_STEM` letters. The endings are inflections of the six languages the lexicon
#: covers (plural, past participle, gender); the concepts carry the meaning, stems only make
#: "sortiert"/"sortierte" or "gescand"/"gescande" one idiom.
_ENDINGS: Final = tuple(
    sorted(
        {
            "ations",
            "ation",
            "ings",
            "ing",
            "ed",
            "es",
            "s",
            "ungen",
            "ung",
            "en",
            "er",
            "e",
            "te",
            "ten",
            "t",
            "ees",
            "ee",
            "ements",
            "ement",
            "ados",
            "adas",
            "ado",
            "ada",
            "idos",
            "idas",
            "ido",
            "ida",
            "os",
            "as",
            "o",
            "a",
            "ych",
            "ymi",
            "ami",
            "ach",
            "ow",
            "ego",
            "emu",
            "ej",
            "y",
            "i",
            "ie",
        },
        key=lambda e: (-len(e), e),
    )
)
_MIN_STEM: Final = 4
#: experiment knobs
PAIRS = True
ORDERED = True
HEAD = True
UNCOVERED_WORDS = True
STEM = True


def stem(word: str) -> str:
    """`word` (folded) without its longest known inflection ending, keeping at least four
    letters: "sorted", "sorting" → "sort"; "zugestellt" → "zugestell"; "entregado" → "entreg"."""
    if len(word) <= _MIN_STEM:
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text as the classifier sees it: folded words, concept hits and the feature set."""

    tokens: tuple[str, ...]
    hits: tuple[ConceptHit, ...]
    features: frozenset[str]
    #: for each feature, the words of the text that gave it (for `evidence`)
    shown: Mapping[str, str]

    @property
    def concepts(self) -> frozenset[str]:
        """The concept names found (modifiers included)."""
        return frozenset(h.concept for h in self.hits)


def analyse(text: str, lexicon: Lexicon | None = None, forms: Forms | None = None) -> Analysis:
    """Fold `text` (read through `forms` first, when given) and describe it by its features
    (see the module docstring)."""
    lex = lexicon or load_lexicon()
    text = status_sentences(text, lex)
    if forms is not None:
        text = forms.read(text).inference_text or text
    tokens = tuple(t for t in lex.segment(words(text)) if not any(c.isdigit() for c in t))
    return describe(tokens, tuple(lex.hits(tokens)), lex)


logger = logging.getLogger(__name__)

#: the `tracklingo.tomlcache` kind of the analyses `analyse_all` keeps (bumped with their layout)
_CACHE_KIND: Final = "openworld-analyses 1"


def analyse_all(texts: Iterable[str], lexicon: Lexicon, forms: Forms | None) -> dict[str, Analysis]:
    """`analyse(text, lexicon, forms)` for each text, read from the cache when `lexicon` is the
    core's own (`load_lexicon`) and `forms` the core's or None (see the module docstring); a text
    the cache lacks is analysed, and the cache rewritten with it."""
    wanted = list(dict.fromkeys(texts))
    key = analyses_key(forms) if lexicon is load_lexicon() else None
    if key is None:
        return {t: analyse(t, lexicon, forms) for t in wanted}
    stored = tomlcache.recall(_CACHE_KIND, key)
    kept: dict[str, Any] = {}
    if stored is not None:
        try:
            kept = dict(stored["analyses"])
        except (KeyError, TypeError, ValueError):
            logger.debug("ignoring a malformed cache entry of analyses")
    out: dict[str, Analysis] = {}
    missing = False
    for text in wanted:
        an = _from_plain(kept.get(text))
        if an is None:
            an = analyse(text, lexicon, forms)
            kept[text] = _to_plain(an)
            missing = True
        out[text] = an
    if missing:
        tomlcache.remember(_CACHE_KIND, key, {"analyses": kept})
    return out


def analyses_key(forms: Forms | None) -> str | None:
    """The hash of every input of an analysis (None: the cache does not apply to these forms)."""
    from tracklingo.openworld.forms import load_forms

    if forms is not None and forms is not load_forms():
        return None
    inputs = _package_fingerprint()
    knobs = (PAIRS, ORDERED, HEAD, UNCOVERED_WORDS, STEM)  # set at run time by experiments
    return None if inputs is None else f"{inputs} forms={forms is not None} knobs={knobs}"


@cache
def _package_fingerprint() -> str | None:
    """A hash of every file of the tracklingo package and of Babel's version
    (`tomlcache.code_hash`); None when the package is not plain files (a zip)."""
    import babel

    root = Path(__file__).resolve().parent.parent
    try:
        files = sorted(
            str(p)
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        )
    except OSError as exc:
        logger.debug("no cache for analyses: %s", exc)
        return None
    return tomlcache.code_hash(files, salt=f"babel {babel.__version__}") if files else None


def _to_plain(an: Analysis) -> tuple[Any, ...]:
    return (
        an.tokens,
        tuple((h.concept, h.text, h.start, h.end) for h in an.hits),
        tuple(an.shown.items()),
    )


def _from_plain(value: Any) -> Analysis | None:
    """The `Analysis` `_to_plain` wrote, or None for anything else (an entry is only ever
    written by `_to_plain`: its shape is checked, not every value)."""
    try:
        tokens, hits, shown_items = value
        shown = dict(shown_items)
        found = tuple([ConceptHit(*h) for h in hits])
    except (TypeError, ValueError):
        return None
    return Analysis(tokens, found, frozenset(shown), shown) if tokens.__class__ is tuple else None


#: where a text splits into sentences: after ".", "!" or "?" and a space
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+")


def status_sentences(text: str, lexicon: Lexicon | None = None) -> str:
    """`text` without its boilerplate sentences ("Your item is being sent internationally. We
    will aim to show tracking updates as they become available, or visit the local delivery
    provider website for updates." → its first sentence): a long carrier text reads by the
    sentences about the parcel, not by its "contact us" or "visit our website". A text of one
    sentence, or whose every sentence is boilerplate, is returned as it is."""
    if ". " not in text and "! " not in text and "? " not in text:
        return text
    lex = lexicon or load_lexicon()
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) < 2:
        return text
    kept = [s for s in sentences if not lex.is_boilerplate(words(s))]
    if not kept or len(kept) == len(sentences):
        return text
    return " ".join(kept)


def describe(tokens: tuple[str, ...], hits: tuple[ConceptHit, ...], lex: Lexicon | None) -> Analysis:
    """The features of concept `hits` found in `tokens` (`lex` gives the modifiers' scopes and
    the stopwords; without it, no word features and no modifiers)."""
    shown: dict[str, str] = {}
    names: list[tuple[str, ConceptHit]] = []  # (feature name of the concept, hit), text order
    modified = _modified(hits, lex, tokens) if lex is not None else {}
    for h in hits:
        if id(h) in modified:
            name, words_ = modified[id(h)]
        else:
            name, words_ = h.concept, h.text
        names.append((name, h))
        shown.setdefault(("m:" if ":" in name else "c:") + name, words_)
    if names and HEAD:
        first = names[0][0]
        shown["h:" + first] = shown[("m:" if ":" in first else "c:") + first]
    distinct = sorted({n for n, _ in names}) if PAIRS else []
    for i, a in enumerate(distinct):
        for b in distinct[i + 1 :]:
            shown["p:" + a + "+" + b] = _shown_of(shown, a) + "|" + _shown_of(shown, b)
    for (a, ha), (b, hb) in pairwise(names if ORDERED else []):
        if a != b and hb.start >= ha.end:
            shown.setdefault("o:" + a + ">" + b, _shown_of(shown, a) + "|" + _shown_of(shown, b))
    if lex is not None:
        covered = {i for h in hits for i in range(h.start, h.end)} if UNCOVERED_WORDS else set()
        covered |= _carrier_positions(tokens, lex)
        for i, tok in enumerate(tokens):
            if tok not in lex.stopwords and len(tok) > 1 and i not in covered:
                shown.setdefault("w:" + (stem(tok) if STEM else tok), tok)
    return Analysis(tokens, hits, frozenset(shown), shown)


def _carrier_positions(tokens: tuple[str, ...], lex: Lexicon) -> set[int]:
    """Positions of words that spell a carrier's name ("PostNL", "Royal Mail"): a name says
    which network, not what happened, so it gives no word feature."""
    out: set[int] = set()
    starts = lex.carrier_starts
    for i, token in enumerate(tokens):
        for spelling in starts.get(token, ()):
            n = len(spelling)
            if tokens[i : i + n] == spelling:
                out.update(range(i, i + n))
    return out


def _shown_of(shown: Mapping[str, str], name: str) -> str:
    return shown[("m:" if ":" in name else "c:") + name]


def _modified(
    hits: tuple[ConceptHit, ...], lex: Lexicon, tokens: tuple[str, ...] = ()
) -> dict[int, tuple[str, str]]:
    """For each hit a modifier or a frame qualifies: its feature name (``negation:delivered``,
    ``return:depart``) and the words shown for it ("nicht zugestellt").

    A modifier qualifies the first plain concept that starts from its own first word up to
    `scope` words after its last one, stopwords not counted ("no ha podido ser entregado"),
    and any other concept starting at that same word; a modifier word inside a longer concept
    entry ("no one" in "no one home") qualifies nothing. A frame then qualifies every plain
    concept of the text not qualified already."""
    # position of each word counting only the words that are not stopwords (auxiliaries, articles)
    rank: list[int] = []
    n = 0
    for tok in tokens:
        rank.append(n)
        n += tok not in lex.stopwords
    out: dict[int, tuple[str, str]] = {}
    plain = [
        h
        for h in hits
        if not (lex.concept(h.concept).scope or lex.concept(h.concept).frame or lex.concept(h.concept).when)
    ]
    for m in hits:
        scope = lex.concept(m.concept).scope
        if not scope or any(
            o is not m and o.start <= m.start and o.end >= m.end and (o.end - o.start) > (m.end - m.start)
            for o in hits
        ):
            continue
        targets = [h for h in plain if id(h) not in out and m.start <= h.start and _gap(m, h, rank) < scope]
        if targets:
            first = min(h.start for h in targets)
            for h in targets:
                if h.start == first:
                    shown = m.text + " " + h.text if h.start >= m.end else m.text
                    out[id(h)] = (_shifted(m.concept, hits, lex) + ":" + h.concept, shown)
    for f in hits:
        if lex.concept(f.concept).frame:
            for h in plain:
                if id(h) not in out and not (h.start >= f.start and h.end <= f.end):
                    out[id(h)] = (f.concept + ":" + h.concept, f.text + " … " + h.text)
    return out


def _shifted(name: str, hits: tuple[ConceptHit, ...], lex: Lexicon) -> str:
    """The modifier `name` reads as, given the text's other concepts: a present "wird
    zugestellt" with "morgen" in the text is a future ("expected")."""
    shift = lex.concept(name).shift
    if shift is not None and any(h.concept == shift[0] for h in hits):
        return shift[1]
    return name


def _gap(m: ConceptHit, h: ConceptHit, rank: list[int]) -> int:
    """How many words lie between the end of `m` and the start of `h`, stopwords not counted
    (all words counted when the text's words are not known, as for a hint)."""
    if h.start <= m.end:
        return 0
    if rank and h.start < len(rank):
        return rank[h.start] - rank[m.end]
    return h.start - m.end
