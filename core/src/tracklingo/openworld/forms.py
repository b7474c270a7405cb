"""Sentence forms: strip the frame carriers wrap around one status, keep what it carries.

`load_forms()` reads ``tracklingo/data/forms.toml`` (see the comments there for the four kinds of
entries: frames, subjects, affixes, markers). `Forms.read(text)` returns a `Reading`: the kernels
to try, in order, and the text for inference with dates, places and markers taken out.

The steps, each producing a kernel when it changed something:

1. bracketed direction markers ("(Import)", "[Inbound]") are removed and remembered;
2. the first whole-text frame that matches gives its kernel template ("Your item departed our X
   origin facility ..." → "Departed USPS Regional Origin Facility") and its captures;
3. then, from the marker-free text, its first sentence (when there are several: USPS summaries
   add "The item is currently in transit to the destination.") and the head of
   "STATUS - EXPLANATION" (aggregators relay "Delivered, In/At Mailbox - Your item was ...");
4. on each of those: a subject opening ("Your item was", "Die Sendung wurde") is dropped, then
   dates, times and places written after the status are taken off, repeatedly.

Affixes that find a place by its capitals are skipped on a text written wholly in capitals
(there the resolver looks for a known phrase at the start instead). A place goes through
`tracklingo.openworld.places.place_parts` (``CITY, ST ZIP``, ``CITY - COUNTRY``, else a
facility); a date or time is kept as written in `Reading.when`. The work per text is bounded:
a text longer than ``max_length`` skips the forms, every pattern is refused at load time when it
nests quantifiers, and the affix loop runs at most `_MAX_PASSES` times.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from tracklingo import tomlcache
from tracklingo.errors import VocabularyError
from tracklingo.openworld.places import place_parts

__all__ = ["Form", "Forms", "Kernel", "Reading", "load_forms", "place_parts"]

_MAX_PASSES: Final = 6
_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})
_SENTENCE_END: Final = re.compile(r"(?<=[a-z0-9)][.!?]) (?=[A-Z])")
_DASH: Final = re.compile(r" [-\u2013] ")
_MACRO: Final = re.compile(r"\{([a-z_]+)\}")
# a group that contains a quantifier and is itself quantified: "(a+)+", "(?:x*y)*", "(a|b+){2,}"
_NESTED: Final = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")
_LOCATION_KEYS: Final = ("facility", "city", "region", "postal_code", "country")


@dataclass(frozen=True, slots=True)
class Form:
    """One compiled entry of the forms file."""

    kind: str  # "frame" | "subject" | "affix" | "marker"
    name: str
    regex: re.Pattern[str]
    source: str
    example: str
    kernel: str | None = None  # frames: the template
    at: str | None = None  # affixes: "start" | "end"
    direction: str | None = None  # markers
    #: subjects: whether a text after " - " opening with it explains the status before the dash
    explains: bool = True


@dataclass(frozen=True, slots=True)
class Kernel:
    """A candidate status text left after stripping frames, and the forms that made it."""

    text: str
    forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reading:
    """What the forms make of one text."""

    kernels: tuple[Kernel, ...]
    #: the text with dates, times and trailing places removed (all sentences kept), and its
    #: direction markers' words at the end ("Customs Released Import")
    inference_text: str
    #: location parts the forms captured (facility, city, region, postal_code, country)
    captured: Mapping[str, str] = field(default_factory=dict)
    #: date / time text the forms carried, as written
    when: Mapping[str, str] = field(default_factory=dict)
    #: ``inbound`` / ``outbound`` from a bracketed marker
    direction: str | None = None


class Forms:
    """The compiled sentence forms. Build with `from_dict` or use `load_forms()`."""

    def __init__(self, forms: Sequence[Form], max_length: int = 400) -> None:
        self.forms: tuple[Form, ...] = tuple(forms)
        self.max_length = max_length
        self._frames = [f for f in self.forms if f.kind == "frame"]
        self._subjects = [f for f in self.forms if f.kind == "subject"]
        # dates and times written before the status come off first, then what follows it
        self._affixes: list[Form] = [f for f in self.forms if f.kind == "affix" and f.at == "start"] + [
            f for f in self.forms if f.kind == "affix" and f.at == "end"
        ]
        # a place is told from the status by its capitals: such an affix is skipped on all-caps text
        self._affix_case = [(f, not f.regex.flags & re.IGNORECASE) for f in self._affixes]
        self._markers = [f for f in self.forms if f.kind == "marker"]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: str = "<forms>") -> Forms:
        """Compile the parsed TOML (``meta``, ``macros``, ``frame``, ``subject``, ``affix``,
        ``marker``); every entry needs a `source` (a key of ``[meta.sources]``, a URL or
        ``repo owner/name path``) and a real `example`."""
        meta = data.get("meta") or {}
        sources = dict(meta.get("sources") or {})
        macros = dict(data.get("macros") or {})
        unknown = set(data) - {"meta", "macros", "frame", "subject", "affix", "marker"}
        if unknown:
            raise VocabularyError(f"{origin}: unknown tables {sorted(unknown)}")
        forms: list[Form] = []
        for kind in ("frame", "subject", "affix", "marker"):
            for i, raw in enumerate(data.get(kind) or (), 1):
                forms.append(_form(kind, raw, macros, sources, f"{origin} {kind} #{i}"))
        return cls(forms, int(meta.get("max_length", 400)))

    # -- reading ------------------------------------------------------------------------------

    def read(self, text: str) -> Reading:
        """The kernels of `text` (in the order to try them) and its inference text."""
        t = " ".join(text.split())
        if not t or len(t) > self.max_length:
            return Reading((), t[: self.max_length])
        captured: dict[str, str] = {}
        when: dict[str, str] = {}
        direction: str | None = None
        kernels: dict[str, Kernel] = {}
        applied: list[str] = []

        def push(candidate: str, forms: Sequence[str]) -> None:
            c = candidate.strip(" ,;:-\u2013")
            if c and c != t and c not in kernels:
                kernels[c] = Kernel(c, tuple(forms))

        said: list[str] = []  # the markers' own words, kept for inference ("(Otb)" → "Otb")
        for marker in self._markers:
            said += [m.group(0).strip(" ()[]") for m in marker.regex.finditer(t)]
            stripped = marker.regex.sub("", t)
            if stripped != t:
                t, direction = " ".join(stripped.split()), marker.direction
                applied.append(marker.name)
        base = t
        if applied:
            kernels[t] = Kernel(t, tuple(applied))
        for frame in self._frames:
            m = frame.regex.search(t)
            if m is not None and frame.kernel is not None:
                groups = {k: v or "" for k, v in m.groupdict().items()}
                push(frame.kernel.format_map(groups), [*applied, frame.name])
                _capture(groups, captured, when)
                break
        starts = [(base, applied)]
        sentences = _SENTENCE_END.split(base, maxsplit=1)
        if len(sentences) > 1:
            first = sentences[0].rstrip(".!?")
            starts.append((first, [*applied, "first-sentence"]))
        head = _DASH.split(base, maxsplit=1)
        if len(head) == 2 and len(head[0].split()) >= 2 and self._explains(head[1]):
            starts.append((head[0], [*applied, "status-explanation"]))
        inference_text = base
        for i, (start, names) in enumerate(starts):
            current, done = start, list(names)
            if current != t:
                push(current, done)
            for subject in self._subjects:
                m = subject.regex.match(current)
                if m is not None and m.end() < len(current):
                    current = current[m.end() :]
                    done.append(subject.name)
                    push(current, done)
                    break
            current = self._strip_affixes(current, done, captured, when, push)
            if i == 0:
                inference_text = self._strip_affixes(base, [], {}, {}, None) or base
                inference_text = " ".join([inference_text, *said])
        return Reading(
            tuple(kernels.values()),
            inference_text,
            MappingProxyType(captured) if captured else _EMPTY,
            MappingProxyType(when) if when else _EMPTY,
            direction,
        )

    def _explains(self, tail: str) -> bool:
        """Whether the part after " - " is an explanation of the status before it (a sentence
        opening with a subject, as aggregators relay USPS summaries), not a second status."""
        return any(s.explains and s.regex.match(tail) for s in self._subjects)

    def _strip_affixes(
        self,
        current: str,
        done: list[str],
        captured: dict[str, str],
        when: dict[str, str],
        push: Any,
    ) -> str:
        for _ in range(_MAX_PASSES):
            changed = False
            caps = not any(c.islower() for c in current)
            for affix, by_case in self._affix_case:
                if by_case and caps:
                    continue  # a place is told from the status by its capitals: not in an all-caps text
                m = affix.regex.search(current)
                if m is None:
                    continue
                rest = current[: m.start()] if affix.at == "end" else current[m.end() :]
                if not rest.strip(" ,;:-\u2013"):
                    continue
                current = rest.rstrip(" ,;:-\u2013") if affix.at == "end" else rest.lstrip()
                caps = not any(c.islower() for c in current)
                _capture({k: v for k, v in m.groupdict().items() if v}, captured, when)
                done.append(affix.name)
                if push is not None:
                    push(current, done)
                changed = True
            if not changed:
                break
        return current


def _capture(groups: Mapping[str, str], captured: dict[str, str], when: dict[str, str]) -> None:
    for key in ("date", "time"):
        if groups.get(key):
            when.setdefault(key, groups[key].strip())
    place = groups.get("place")
    if place:
        for k, v in place_parts(place).items():
            captured.setdefault(k, v)
    for key in _LOCATION_KEYS:
        if groups.get(key):
            captured.setdefault(key, groups[key].strip())


def _expand(pattern: str, macros: Mapping[str, str], where: str) -> str:
    for _ in range(5):  # macros may use macros, a few levels deep
        if "{" not in pattern:
            break
        pattern = _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), pattern)
    return pattern


def _form(kind: str, raw: Any, macros: Mapping[str, str], sources: Mapping[str, str], where: str) -> Form:
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: an entry is a table")
    allowed = {"name", "pattern", "source", "example", "case"} | {
        "frame": {"kernel"},
        "affix": {"at"},
        "marker": {"direction"},
        "subject": {"explains"},
    }[kind]
    extra = set(raw) - allowed
    if extra:
        raise VocabularyError(f"{where}: unknown fields {sorted(extra)}")
    name, pattern, source, example = (raw.get(k) for k in ("name", "pattern", "source", "example"))
    for key, value in (("name", name), ("pattern", pattern), ("source", source), ("example", example)):
        if not isinstance(value, str) or not value.strip():
            raise VocabularyError(f"{where}: `{key}` is required")
    assert isinstance(pattern, str) and isinstance(source, str)
    for token in re.split(r"[;,]", source):
        token = token.strip()
        if token and " " not in token and "/" not in token and token not in sources:
            raise VocabularyError(f"{where}: source key {token!r} is not defined in [meta.sources]")
    expanded = _expand(pattern, macros, where)
    if _NESTED.search(expanded):
        raise VocabularyError(f"{where}: pattern {pattern!r} nests quantifiers (unbounded backtracking)")
    try:
        regex = re.compile(expanded, 0 if raw.get("case") else re.IGNORECASE)
    except re.error as exc:
        raise VocabularyError(f"{where}: bad pattern {pattern!r}: {exc}") from None
    at = raw.get("at")
    if kind == "affix" and at not in ("start", "end"):
        raise VocabularyError(f'{where}: `at` must be "start" or "end"')
    kernel = raw.get("kernel")
    if kind == "frame" and not isinstance(kernel, str):
        raise VocabularyError(f"{where}: a frame needs a `kernel` template")
    direction = raw.get("direction")
    if kind == "marker" and direction not in ("inbound", "outbound"):
        raise VocabularyError(f'{where}: `direction` must be "inbound" or "outbound"')
    explains = raw.get("explains", True)
    if not isinstance(explains, bool):
        raise VocabularyError(f"{where}: `explains` is true or false")
    return Form(kind, str(name), regex, source, str(example), kernel, at, direction, explains)


@cache
def load_forms() -> Forms:
    """The core's sentence forms (``tracklingo/data/forms.toml``), loaded once per process."""
    resource = resources.files("tracklingo").joinpath("data", "forms.toml")
    origin = "tracklingo/data/forms.toml"
    try:
        data = tomlcache.loads(resource.read_text(encoding="utf-8"))
    except tomlcache.TOMLDecodeError as exc:
        raise VocabularyError(f"{origin}: invalid TOML: {exc}") from None
    return Forms.from_dict(data, origin)
