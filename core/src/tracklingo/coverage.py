"""Vocabulary coverage: which carrier texts and codes in a feed no rule maps yet, ranked by how often
they occur, per carrier, each with a suggested rule stub (TOML) to paste into the vocabulary.

This is what an adapter author adds next. ``tracklingo coverage FILE...`` is a thin layer on it:

>>> from tracklingo import read_records                         # doctest: +SKIP
>>> from tracklingo.coverage import coverage_report              # doctest: +SKIP
>>> report = coverage_report(read_records("feed.jsonl"))         # doctest: +SKIP
>>> print(report.render())                                       # doctest: +SKIP

Texts the open-world layers answered (another vocabulary's phrase, a sentence form, or an
inferred stage: `tracklingo.openworld`) are listed apart, most frequent first, each with its
stage, confidence and a stub to confirm it. For a text nothing answered, stage suggestions come
first from the other installed vocabularies (and the shared UPU one): a
text another carrier already maps is probably the same fact. Failing that, a few plain keywords
("delivered", "customs", "out for delivery"...) give a guess marked as such; otherwise the stub
says ``stage = "TODO"``, which does not load until someone chooses a stage. The stub's `source`
is always a TODO: the author names the document that says what the text means.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from tracklingo.feeds import Record
from tracklingo.model import TrackingEvent
from tracklingo.normalize import Normalizer, Reject
from tracklingo.plugins import Registry, load_carriers
from tracklingo.taxonomy import MatchKind, Stage
from tracklingo.vocabulary import Vocabulary, normalize_phrase, shared_vocabulary

__all__ = [
    "OPEN_WORLD_MATCHES",
    "CarrierCoverage",
    "CoverageCollector",
    "CoverageReport",
    "InferredEntry",
    "UnmappedEntry",
    "coverage_report",
    "suggest_stage",
]

_MAX_EXAMPLES: Final = 3
#: the match kinds of the open-world layers: answered, but by no rule of the carrier's own
OPEN_WORLD_MATCHES: Final = frozenset({MatchKind.CROSS_CARRIER, MatchKind.SENTENCE_FORM, MatchKind.INFERRED})

#: Keyword guesses, tried in order on the normalised text (first match wins).
_KEYWORDS: Final[tuple[tuple[tuple[str, ...], Stage], ...]] = (
    (("out for delivery", "on vehicle for delivery", "with delivery courier"), Stage.OUT_FOR_DELIVERY),
    (
        ("delivery attempt", "attempted delivery", "notice left", "unsuccessful delivery"),
        Stage.DELIVERY_ATTEMPTED,
    ),
    (
        ("ready for pickup", "available for pickup", "ready for collection", "awaiting collection"),
        Stage.AVAILABLE_FOR_PICKUP,
    ),
    (
        ("return to sender", "returned to sender", "returning to sender", "being returned"),
        Stage.RETURN_TO_SENDER,
    ),
    (("delivered",), Stage.DELIVERED),
    (
        ("customs released", "customs cleared", "clearance complete", "released by customs"),
        Stage.CUSTOMS_CLEARED,
    ),
    (("held by customs", "customs hold", "duties", "duty payment"), Stage.CUSTOMS_HOLD),
    (("customs", "clearance"), Stage.IMPORT_CUSTOMS),
    (
        ("label created", "shipment information received", "electronic information", "pre shipment"),
        Stage.LABEL_CREATED,
    ),
    (("picked up", "accepted", "acceptance", "posted", "collected"), Stage.ACCEPTED),
    (("delay", "late", "weather"), Stage.DELAYED),
    (("cancelled", "canceled", "voided"), Stage.CANCELLED),
    (("damaged", "address", "refused", "lost", "exception"), Stage.EXCEPTION),
    (
        (
            "arrived",
            "departed",
            "departure",
            "arrival",
            "processed",
            "in transit",
            "sorted",
            "sorting",
            "hub",
            "facility",
            "depot",
        ),
        Stage.IN_TRANSIT,
    ),
)
_META: Final = re.compile(r"([.^$*+?{}\[\]\\|()])")


def _regex_escape(text: str) -> str:
    """Escape regex metacharacters only (spaces stay readable in a TOML pattern)."""
    return _META.sub(r"\\\1", text)


def _toml_str(value: str) -> str:
    """A TOML string: a literal '...' when possible (patterns stay readable), else basic."""
    if "'" not in value and "\n" not in value and value.isprintable():
        return f"'{value}'" if "\\" in value else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


def suggest_stage(
    text: str | None, vocabularies: Sequence[Vocabulary] = ()
) -> tuple[Stage | None, str | None]:
    """A likely stage for an unmapped text, and why: another vocabulary's rule, or a keyword."""
    if text:
        for vocab in vocabularies:
            res = vocab.resolve(text)
            if res.match not in (MatchKind.UNMAPPED, MatchKind.FALLBACK) and res.rule is not None:
                return res.stage, f"the {vocab.carrier} vocabulary maps this text to {res.stage.value}"
        key = f" {normalize_phrase(text)} "
        for words, stage in _KEYWORDS:
            for word in words:
                if f" {word} " in key:
                    return stage, f'guessed from the word "{word}": check it'
    return None, None


def _place_in(text: str, event: TrackingEvent) -> tuple[str, str] | None:
    """(group name, value) of a location part that appears inside the text, if any."""
    loc = event.location
    for group, value in (("facility", loc.facility), ("city", loc.city)):
        if value and len(value) >= 3 and value.lower() in text.lower():
            return group, value
    return None


def _pattern_for(text: str, group: str, value: str) -> str:
    start = text.lower().index(value.lower())
    before, after = text[:start].strip(), text[start + len(value) :].strip()
    parts = ["^"]
    if before:
        parts.append(_regex_escape(before) + " ")
    parts.append(f"(?P<{group}>.+?)" if after else f"(?P<{group}>.+)")
    if after:
        parts.append(" " + _regex_escape(after))
    parts.append("$")
    return "".join(parts)


@dataclass
class UnmappedEntry:
    """One unmapped carrier text/code (or family of texts differing only in a place)."""

    carrier: str
    code: str | None
    text: str | None
    pattern: str | None = None
    count: int = 0
    texts: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    suggested_stage: Stage | None = None
    suggested_because: str | None = None

    def stub(self) -> str:
        """A ``[[rule]]`` to paste into the carrier's vocabulary.toml (fill in the TODOs)."""
        lines = ["[[rule]]"]
        text = self.texts.most_common(1)[0][0] if self.texts else self.text
        if self.pattern is not None:
            lines.append(f"pattern = {_toml_str(self.pattern)}")
            if self.code:
                lines.append(f"# seen with code {self.code}")
        else:
            if self.code:
                lines.append(f"code = {_toml_str(self.code)}")
            if text:
                lines.append(f"phrase = {_toml_str(text)}")
        if self.suggested_stage is not None:
            lines.append(f'stage = "{self.suggested_stage.value}"  # {self.suggested_because}')
        else:
            lines.append('stage = "TODO"  # one of tracklingo.Stage: see docs/vocabulary-format.md')
        lines.append('source = "TODO: the page or document that says what this means"')
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.texts.most_common(1)[0][0] if self.texts else self.text,
            "pattern": self.pattern,
            "count": self.count,
            "variants": len(self.texts),
            "examples": list(self.examples),
            "suggested_stage": self.suggested_stage.value if self.suggested_stage else None,
            "suggested_because": self.suggested_because,
            "stub": self.stub(),
        }


@dataclass
class InferredEntry:
    """One text the open-world layers answered for a carrier (`OPEN_WORLD_MATCHES`): worth a
    rule of the carrier's own once someone confirmed the reading."""

    carrier: str
    text: str
    stage: Stage
    match: MatchKind
    confidence: float | None
    evidence: tuple[str, ...]
    stub: str
    count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "count": self.count,
            "stage": self.stage.value,
            "match": self.match.value,
            "confidence": self.confidence,
            "evidence": list(self.evidence),
            "stub": self.stub,
        }


@dataclass
class CarrierCoverage:
    """One carrier's share of the feed: events, unmapped ones, the ones the open-world layers
    answered (`inferred`, whatever layer), and what to add."""

    carrier: str
    events: int = 0
    unmapped: int = 0
    needs_context: int = 0
    entries: dict[tuple[str, str], UnmappedEntry] = field(default_factory=dict)
    inferred: int = 0
    inferred_entries: dict[str, InferredEntry] = field(default_factory=dict)

    @property
    def mapped_ratio(self) -> float:
        return 1.0 if self.events == 0 else (self.events - self.unmapped) / self.events

    def ranked(self) -> list[UnmappedEntry]:
        """Unmapped entries, most frequent first."""
        return sorted(self.entries.values(), key=lambda e: (-e.count, e.code or "", e.text or ""))

    def ranked_inferred(self) -> list[InferredEntry]:
        """Texts the open-world layers answered, most frequent first."""
        return sorted(self.inferred_entries.values(), key=lambda e: (-e.count, e.text))

    def to_dict(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "events": self.events,
            "unmapped": self.unmapped,
            "inferred": self.inferred,
            "needs_context": self.needs_context,
            "mapped_ratio": round(self.mapped_ratio, 4),
            "unmapped_texts": [e.to_dict() for e in self.ranked()],
            "inferred_texts": [e.to_dict() for e in self.ranked_inferred()],
        }


@dataclass
class CoverageReport:
    """The whole report: per-carrier coverage plus the feed's record counts."""

    carriers: dict[str, CarrierCoverage] = field(default_factory=dict)
    records_in: int = 0
    records_rejected: int = 0
    reject_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def events(self) -> int:
        return sum(c.events for c in self.carriers.values())

    @property
    def unmapped(self) -> int:
        return sum(c.unmapped for c in self.carriers.values())

    @property
    def inferred(self) -> int:
        """Events the open-world layers answered (`OPEN_WORLD_MATCHES`)."""
        return sum(c.inferred for c in self.carriers.values())

    def ranked_carriers(self) -> list[CarrierCoverage]:
        return sorted(self.carriers.values(), key=lambda c: (-c.unmapped, c.carrier))

    def to_dict(self) -> dict[str, Any]:
        return {
            "records_in": self.records_in,
            "records_rejected": self.records_rejected,
            "events": self.events,
            "unmapped": self.unmapped,
            "inferred": self.inferred,
            "carriers": [c.to_dict() for c in self.ranked_carriers()],
            "reject_reasons": dict(self.reject_reasons.most_common(10)),
        }

    def render(self, *, limit: int | None = None) -> str:
        """The human-readable report (`limit` entries per carrier at most)."""
        out = [
            f"{self.records_in} records, {self.events} events, {self.unmapped} unmapped"
            + (f", {self.inferred} inferred" if self.inferred else "")
            + f"; {self.records_rejected} records rejected"
            + (" (tracklingo normalize --rejects FILE says why)" if self.records_rejected else "")
        ]
        for cov in self.ranked_carriers():
            ranked = cov.ranked()
            out.append("")
            out.append(
                f"{cov.carrier}: {cov.events} events, {cov.unmapped} unmapped"
                f" ({cov.mapped_ratio:.1%} mapped), {len(ranked)} distinct unmapped"
                f" text{'s' if len(ranked) != 1 else ''}"
                + (f", {cov.inferred} inferred" if cov.inferred else "")
            )
            if cov.needs_context:
                out.append(f"  {cov.needs_context} events need direction context (resolved in journeys)")
            shown = ranked if limit is None else ranked[:limit]
            for entry in shown:
                what = []
                if entry.code:
                    what.append(f"code {entry.code}")
                label = entry.pattern or (entry.texts.most_common(1)[0][0] if entry.texts else None)
                if label:
                    what.append(json.dumps(label, ensure_ascii=False))
                if len(entry.texts) > 1:
                    what.append(f"({len(entry.texts)} variants)")
                example = f"  e.g. {entry.examples[0]}" if entry.examples else ""
                out.append(f"  {entry.count:>5}x  {' '.join(what)}{example}")
                out.extend("           " + line for line in entry.stub().splitlines())
            if limit is not None and len(ranked) > limit:
                out.append(f"  ... {len(ranked) - limit} more (--limit 0 shows all)")
            inferred = cov.ranked_inferred()
            if inferred:
                out.append(
                    f"  read by the open-world layers, to confirm ({len(inferred)} distinct"
                    f" text{'s' if len(inferred) != 1 else ''}):"
                )
            for item in inferred if limit is None else inferred[:limit]:
                sure = f", confidence {item.confidence}" if item.confidence is not None else ""
                out.append(
                    f"  {item.count:>5}x  {json.dumps(item.text, ensure_ascii=False)}"
                    f"  {item.stage.value} ({item.match.value}{sure})"
                )
                out.extend("           " + line for line in item.stub.splitlines())
            if limit is not None and len(inferred) > limit:
                out.append(f"  ... {len(inferred) - limit} more (--limit 0 shows all)")
        return "\n".join(out)


class CoverageCollector:
    """Feeds events in one by one (`add`); `report` holds the result."""

    def __init__(self, vocabularies: Sequence[Vocabulary] = (), only: str | None = None) -> None:
        self.vocabularies = list(vocabularies)
        self.only = only
        self.report = CoverageReport()

    def _others(self, carrier: str) -> list[Vocabulary]:
        return [v for v in self.vocabularies if v.carrier != carrier]

    def add(self, event: TrackingEvent) -> None:
        if self.only is not None and event.carrier != self.only:
            return
        cov = self.report.carriers.get(event.carrier)
        if cov is None:
            cov = self.report.carriers[event.carrier] = CarrierCoverage(event.carrier)
        cov.events += 1
        if event.needs_context:
            cov.needs_context += 1
        if event.match in OPEN_WORLD_MATCHES:
            self._inferred(cov, event)
            return
        if not event.is_unmapped:
            return
        cov.unmapped += 1
        text = event.description.strip() or None
        code = event.code.strip() if event.code else None
        place = _place_in(text, event) if text else None
        pattern = _pattern_for(text, *place) if text and place else None
        key = ((code or "").upper(), pattern or normalize_phrase(text or ""))
        entry = cov.entries.get(key)
        if entry is None:
            stage, because = suggest_stage(text, self._others(event.carrier))
            entry = cov.entries[key] = UnmappedEntry(
                event.carrier, code, text, pattern, suggested_stage=stage, suggested_because=because
            )
        entry.count += 1
        if text:
            entry.texts[text] += 1
        if len(entry.examples) < _MAX_EXAMPLES and event.tracking_number not in entry.examples:
            entry.examples.append(event.tracking_number)

    def _inferred(self, cov: CarrierCoverage, event: TrackingEvent) -> None:
        cov.inferred += 1
        text = event.description
        entry = cov.inferred_entries.get(text)
        if entry is None:
            entry = cov.inferred_entries[text] = InferredEntry(
                event.carrier,
                text,
                event.stage,
                event.match,
                event.confidence,
                tuple(event.evidence or ()),
                self._stub(event),
            )
        entry.count += 1

    def _stub(self, event: TrackingEvent) -> str:
        """The open-world layers' own stub for the text (the kernel of a sentence form, the
        reason), else one from the event."""
        from tracklingo.openworld.report import rule_stub
        from tracklingo.openworld.resolver import shared_world

        own = next((v for v in self.vocabularies if v.carrier == event.carrier), None)
        answer = shared_world().resolve(event.description, event.code, own)
        if answer is not None and answer.answered and answer.stage is event.stage:
            return rule_stub(answer)
        why = f"{event.match.value}" + (f", confidence {event.confidence}" if event.confidence else "")
        return "\n".join(
            [
                "[[rule]]",
                f"phrase = {_toml_str(event.description)}",
                f'stage = "{event.stage.value}"  # {why}: confirm',
                'source = "TODO: the page or document that says what this means"',
            ]
        )

    def add_reject(self, reject: Reject) -> None:
        self.report.reject_reasons[reject.reason.split(":", 1)[0][:80]] += 1


def _vocabularies(registry: Registry) -> list[Vocabulary]:
    vocabs: list[Vocabulary] = []
    with contextlib.suppress(Exception):  # the core ships it; never fail a report over it
        vocabs.append(shared_vocabulary("upu"))
    for carrier in registry:
        try:
            vocabs.append(carrier.vocabulary)
        except Exception:
            continue  # a broken vocabulary is reported by `tracklingo carriers`
    return vocabs


def coverage_report(
    records: Iterable[Record | Mapping[str, Any]],
    *,
    registry: Registry | None = None,
    carrier: str | None = None,
    normalizer: Normalizer | None = None,
    on_reject: Callable[[Reject], None] | None = None,
    infer: bool = True,
) -> CoverageReport:
    """Normalize `records` and report the unmapped texts and codes per carrier.

    `carrier` is assumed for records that do not name one (as in ``normalize --carrier``) and
    limits the report to that carrier. `normalizer` (default: a new one on `registry` and
    `carrier`) does the work, so a caller can follow its `stats` while the report is built;
    `on_reject` receives every reject as it comes. `infer` (for a new normalizer): False keeps
    tables only, as ``--no-infer``.
    """
    if normalizer is None:
        registry = registry if registry is not None else load_carriers()
        normalizer = Normalizer(registry, carrier=carrier, infer=infer)
    else:
        registry = normalizer.registry
    collector = CoverageCollector(_vocabularies(registry), only=carrier.lower() if carrier else None)
    for i, rec in enumerate(records, 1):
        record = rec if isinstance(rec, Record) else Record(i, dict(rec))
        events, rejects = normalizer.process(record)
        for event in events:
            collector.add(event)
        if not events:
            for reject in rejects[:1]:
                collector.add_reject(reject)
        if on_reject is not None:
            for reject in rejects:
                on_reject(reject)
    report = collector.report
    report.records_in = normalizer.stats.records_in
    report.records_rejected = normalizer.stats.records_rejected
    return report
