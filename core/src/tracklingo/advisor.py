"""The advisor: what a status means, whether a shipment is stuck, and whom to contact.

Two calls answer what a worried recipient or a support agent asks:

- `explain(text, registry, carrier=None)` resolves a carrier's status text through the installed
  vocabularies and returns one `Explanation` per stage the carriers map it to (several when they
  disagree, or when the stage depends on the parcel's direction). A text no vocabulary knows gets
  one explanation with ``known=False`` and stage `unknown`: tracklingo never guesses a meaning.
- `advise(journey, registry, now)` returns an `Advice` for a shipment's current stage: the texts,
  the time at the stage (since the first event of the current run of that stage), the verdict
  (`on_track`, `stuck`, `done` for delivered/returned/cancelled, `unknown`), and when stuck the
  escalation ladder: the carrier holding the parcel now, a universal tracker, the sender.

The texts, dwell thresholds and ladder wording are data: ``tracklingo/data/advice.toml`` (one
complete entry per stage; `load_advice` reads and checks it). Thresholds are lane-aware (domestic
vs international, from `Journey.is_international`; an unknown lane counts as domestic) and count
only Monday-Friday hours where the entry says ``business_days = true`` (`business_hours`).

Carrier plugins adjust the advice for the parcels they hold through an optional attribute::

    class MyPost(Carrier):
        advice_overrides = {
            "customs_hold": {
                "steps": ["Pay duties at https://mypost.example/duties"],  # added after the core's
                "how_soon": "Released within a day of payment.",           # replaces a text
                "dwell": {"international": {"hours": 240, "business_days": True,
                                             "source": "MyPost customs FAQ"}},
            },
        }

Keys are stage names; each value may set ``headline``, ``meaning``, ``where``, ``holder``,
``next``, ``how_soon``, ``recipient_must_act`` (``yes``/``no``/``maybe``), ``recipient_action``
(replacing the core's text), ``steps`` (appended), ``replace_steps`` (replacing the core's) and
``dwell`` (``domestic``/``international`` thresholds, each with its ``source`` or a ``note``).
A malformed override raises `ConfigError` naming the carrier. Contact points come from
`Carrier.contacts` / `Carrier.contacts_for(country)` and tracking links from `Carrier.link`.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final, Literal
from urllib.parse import quote

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from tracklingo.carrier import Carrier, Contact
from tracklingo.errors import ConfigError, InputError, UnknownCarrierError
from tracklingo.journeys import Journey
from tracklingo.model import TrackingEvent
from tracklingo.plugins import Registry
from tracklingo.taxonomy import MatchKind, Reason, Stage, Status
from tracklingo.vocabulary import Resolution, normalize_phrase

__all__ = [
    "Advice",
    "AdviceBook",
    "EscalationStep",
    "Explanation",
    "StageAdvice",
    "Threshold",
    "advise",
    "business_hours",
    "explain",
    "load_advice",
    "synonyms_for",
]

Act = Literal["yes", "no", "maybe"]
LadderKind = Literal["carrier", "tracker", "sender"]
Verdict = Literal["on_track", "stuck", "done", "unknown"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_DEFAULT_LADDER: Final[tuple[LadderKind, ...]] = ("carrier", "tracker", "sender")
_STEP_FIELDS: Final = frozenset({"carrier", "carrier_link"})
_LADDER_FIELDS: Final = frozenset(
    {
        "carrier",
        "number",
        "numbers",
        "since",
        "headline",
        "last_status",
        "stage",
        "destination",
        "origin_carrier",
    }
)
_JUDGEMENT: Final = "tracklingo judgement"

#: Stages at which the parcel is in the destination country, held by its carrier or customs.
_DESTINATION_SIDE: Final = frozenset(
    {
        Stage.ARRIVED_DESTINATION_COUNTRY,
        Stage.IMPORT_CUSTOMS,
        Stage.CUSTOMS_HOLD,
        Stage.CUSTOMS_CLEARED,
        Stage.HANDED_TO_LAST_MILE,
        Stage.AT_DESTINATION_FACILITY,
        Stage.OUT_FOR_DELIVERY,
        Stage.DELIVERY_ATTEMPTED,
        Stage.AVAILABLE_FOR_PICKUP,
    }
)


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(f"bad placeholder in {template!r}: {exc}") from None


def _check_placeholders(texts: Iterable[str], allowed: frozenset[str]) -> None:
    for text in texts:
        unknown = _placeholders(text) - allowed
        if unknown:
            raise ValueError(
                f"unknown placeholder(s) {sorted(unknown)} in {text!r}; allowed: {sorted(allowed)}"
            )


# -- the data file ------------------------------------------------------------------------------


class Threshold(BaseModel):
    """How long a parcel usually sits at a stage on one lane, and where that figure comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hours: float = Field(gt=0)
    business_days: bool = False
    source: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Threshold:
        if self.source is None and not (self.note and self.note.startswith(_JUDGEMENT)):
            raise ValueError(f"a threshold needs a `source`, or a `note` starting with {_JUDGEMENT!r}")
        return self


class Dwell(BaseModel):
    """Either `not_timed` (never judged stuck) or a threshold per lane and the likely cause."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    not_timed: Text | None = None
    when_stuck: Text | None = None
    domestic: Threshold | None = None
    international: Threshold | None = None

    @model_validator(mode="after")
    def _complete(self) -> Dwell:
        timed = (self.when_stuck, self.domestic, self.international)
        if self.not_timed is not None:
            if any(t is not None for t in timed):
                raise ValueError("`not_timed` excludes when_stuck/domestic/international")
        elif any(t is None for t in timed):
            raise ValueError("a timed dwell needs when_stuck, domestic and international")
        return self

    @property
    def timed(self) -> bool:
        return self.not_timed is None

    def threshold(self, international: bool) -> Threshold | None:
        """The threshold for the lane (`None` when the stage is never timed)."""
        return self.international if international else self.domestic


class ReasonAdvice(BaseModel):
    """What changes when the event carries a reason (e.g. duties due on a customs hold)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipient_must_act: Act
    recipient_action: Text
    steps: list[Text] = Field(default_factory=list)


class StageAdvice(BaseModel):
    """One stage's entry in advice.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    headline: Text
    meaning: Text
    where: Text
    holder: Text
    next: Text
    how_soon: Text
    recipient_must_act: Act
    recipient_action: Text
    steps: list[Text] = Field(min_length=1)
    ladder: tuple[LadderKind, ...] = _DEFAULT_LADDER
    dwell: Dwell
    reasons: dict[Reason, ReasonAdvice] = Field(default_factory=dict)

    @field_validator("ladder")
    @classmethod
    def _ladder_once_each(cls, value: tuple[LadderKind, ...]) -> tuple[LadderKind, ...]:
        if sorted(value) != sorted(_DEFAULT_LADDER):
            raise ValueError(f"ladder must list each of {list(_DEFAULT_LADDER)} exactly once")
        return value

    @model_validator(mode="after")
    def _placeholders_known(self) -> StageAdvice:
        texts = [
            self.headline,
            self.meaning,
            self.where,
            self.holder,
            self.next,
            self.how_soon,
            self.recipient_action,
            *self.steps,
        ]
        for r in self.reasons.values():
            texts += [r.recipient_action, *r.steps]
        _check_placeholders(texts, _STEP_FIELDS)
        return self


class LadderText(BaseModel):
    """The wording of one rung of the escalation ladder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    contact: Text | None = None
    detail: Text


class Ladder(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    carrier: LadderText
    carrier_unknown: LadderText
    carrier_not_installed: LadderText
    tracker: LadderText
    sender: LadderText

    @model_validator(mode="after")
    def _placeholders_known(self) -> Ladder:
        texts: list[str] = []
        for rung in (
            self.carrier,
            self.carrier_unknown,
            self.carrier_not_installed,
            self.tracker,
            self.sender,
        ):
            texts += [rung.detail, *([rung.contact] if rung.contact else [])]
        _check_placeholders(texts, _LADDER_FIELDS)
        return self


class Tracker(BaseModel):
    """A universal tracker: its name and its page with ``{number}`` where the number goes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text
    url: Text
    several_numbers: bool = False
    note: Text | None = None

    @field_validator("url")
    @classmethod
    def _has_number(cls, value: str) -> str:
        if _placeholders(value) != {"number"} or not value.startswith("https://"):
            raise ValueError(f"tracker url must be https:// with a {{number}} placeholder: {value!r}")
        return value

    def link(self, numbers: list[str]) -> str:
        """The page for `numbers` (several comma-separated when the tracker takes them)."""
        chosen = numbers if self.several_numbers else numbers[:1]
        value = ",".join(quote(n, safe="") for n in chosen)
        return self.url.format(number=value)


class AdviceBook(BaseModel):
    """The parsed, checked advice.toml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    meta: dict[str, Any] = Field(default_factory=dict)
    sources: dict[str, Text] = Field(default_factory=dict)
    ladder: Ladder
    trackers: list[Tracker] = Field(min_length=1)
    stage: dict[Stage, StageAdvice]

    @model_validator(mode="after")
    def _complete(self) -> AdviceBook:
        missing = [s.value for s in Stage if s not in self.stage]
        if missing:
            raise ValueError(f"no entry for stage(s) {missing}")
        for stage, entry in self.stage.items():
            never = stage.is_terminal or stage is Stage.UNKNOWN
            if never and entry.dwell.timed:
                raise ValueError(f"{stage.value}: this stage is never stuck; use `not_timed`")
            if not never and not entry.dwell.timed:
                raise ValueError(f"{stage.value}: needs domestic and international thresholds")
            for lane in ("domestic", "international"):
                threshold: Threshold | None = getattr(entry.dwell, lane)
                if threshold is not None and threshold.source:
                    for key in _source_keys(threshold.source):
                        if key not in self.sources:
                            raise ValueError(f"{stage.value}.{lane}: source {key!r} is not in [sources]")
        return self

    def entry(self, stage: Stage) -> StageAdvice:
        """The entry for `stage`."""
        return self.stage[stage]

    def source_text(self, threshold: Threshold) -> str:
        """Where a threshold comes from: its sources (keys expanded from [sources]; a carrier's own
        free-text source kept as it is), then its note."""
        parts = [self.sources.get(k, k) for k in _source_keys(threshold.source or "")]
        if threshold.note:
            parts.append(threshold.note)
        return "; ".join(parts)


def _source_keys(source: str) -> list[str]:
    return [k.strip() for k in source.split(";") if k.strip()]


def _read_book(text: str, origin: str) -> AdviceBook:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: invalid TOML: {exc}") from None
    try:
        return AdviceBook.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{origin}: {where}: {first['msg']} ({exc.error_count()} problem(s))") from None


@cache
def _default_book() -> AdviceBook:
    resource = resources.files("tracklingo").joinpath("data", "advice.toml")
    return _read_book(resource.read_text(encoding="utf-8"), "tracklingo/data/advice.toml")


def load_advice(path: str | Path | None = None) -> AdviceBook:
    """The advice data: the core's ``data/advice.toml``, or the file at `path` (for reviewers)."""
    if path is None:
        return _default_book()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc.strerror}") from None
    return _read_book(text, str(p))


# -- carrier overrides --------------------------------------------------------------------------


class StageOverride(BaseModel):
    """One stage of a carrier's `advice_overrides` (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    headline: Text | None = None
    meaning: Text | None = None
    where: Text | None = None
    holder: Text | None = None
    next: Text | None = None
    how_soon: Text | None = None
    recipient_must_act: Act | None = None
    recipient_action: Text | None = None
    steps: list[Text] = Field(default_factory=list)
    replace_steps: list[Text] | None = None
    dwell: dict[Literal["domestic", "international"], Threshold] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _placeholders_known(self) -> StageOverride:
        texts = [getattr(self, f) for f in _TEXT_FIELDS if getattr(self, f)]
        _check_placeholders([*texts, *self.steps, *(self.replace_steps or ())], _STEP_FIELDS)
        return self


_TEXT_FIELDS: Final = (
    "headline",
    "meaning",
    "where",
    "holder",
    "next",
    "how_soon",
    "recipient_action",
)


def carrier_overrides(carrier: Carrier) -> dict[Stage, StageOverride]:
    """The carrier's validated `advice_overrides` (empty when it has none)."""
    raw = getattr(carrier, "advice_overrides", None) or {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{carrier.name}: advice_overrides must be a mapping of stage → table")
    out: dict[Stage, StageOverride] = {}
    for key, value in raw.items():
        try:
            stage = Stage(key)
        except ValueError:
            raise ConfigError(f"{carrier.name}: advice_overrides: {key!r} is not a stage") from None
        try:
            out[stage] = StageOverride.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(
                f"{carrier.name}: advice_overrides[{stage.value!r}]: {where}: {first['msg']}"
            ) from None
    return out


def _apply(entry: StageAdvice, override: StageOverride | None) -> StageAdvice:
    if override is None:
        return entry
    update: dict[str, Any] = {f: getattr(override, f) for f in _TEXT_FIELDS if getattr(override, f)}
    if override.recipient_must_act is not None:
        update["recipient_must_act"] = override.recipient_must_act
    steps = list(override.replace_steps) if override.replace_steps is not None else list(entry.steps)
    update["steps"] = steps + [s for s in override.steps if s not in steps]
    if override.dwell and entry.dwell.timed:
        lanes: dict[str, Any] = {lane: t for lane, t in override.dwell.items()}
        update["dwell"] = entry.dwell.model_copy(update=lanes)
    return entry.model_copy(update=update)


# -- results ------------------------------------------------------------------------------------


class EscalationStep(BaseModel):
    """One rung of the escalation ladder: whom to contact, what to tell them, a link to paste."""

    model_config = ConfigDict(frozen=True)

    step: int
    contact: str
    detail: str
    link: str | None = None
    more_links: list[str] = Field(default_factory=list)
    phone: str | None = None
    kind: LadderKind


class Explanation(BaseModel):
    """What one status text means, for one stage the installed vocabularies map it to."""

    model_config = ConfigDict(frozen=True)

    text: str
    code: str | None = None
    known: bool
    stage: Stage
    status: Status
    reason: Reason | None = None
    carriers: list[str] = Field(default_factory=list)
    searched: list[str] = Field(default_factory=list)
    condition: str | None = None
    headline: str
    meaning: str
    where: str
    holder: str
    next: str
    how_soon: str
    recipient_must_act: Act
    recipient_action: str
    next_steps: list[str]
    usual_dwell: dict[str, str] = Field(default_factory=dict)
    synonyms: list[str] = Field(default_factory=list)


class Advice(BaseModel):
    """The advisor's answer for one shipment, at time `now`."""

    model_config = ConfigDict(frozen=True)

    shipment: str
    tracking_numbers: list[str]
    carrier: str
    tracking_number: str
    stage: Stage
    status: Status
    reason: Reason | None = None
    description: str
    occurred_at: datetime | None
    location: str | None = None
    since: datetime | None
    now: datetime
    origin_country: str | None = None
    destination_country: str | None = None
    lane: Literal["domestic", "international"]
    lane_known: bool
    headline: str
    meaning: str
    where: str
    holder: str
    next: str
    how_soon: str
    recipient_must_act: Act
    recipient_action: str
    next_steps: list[str]
    verdict: Verdict
    stuck: bool
    verdict_text: str
    dwell_hours: float | None
    calendar_hours: float | None
    expected_dwell_hours: float | None
    business_days: bool
    threshold_source: str | None
    responsible_carrier: str | None
    responsible_display_name: str | None
    escalation: list[EscalationStep]
    synonyms: list[str]


# -- helpers ------------------------------------------------------------------------------------


def _fill(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(values)


def _step_values(carrier: Carrier | None, number: str | None) -> dict[str, str]:
    link = carrier.link(number) if carrier is not None and number else None
    return {
        "carrier": carrier.display_name if carrier is not None else "the carrier",
        "carrier_link": f" ({link})" if link else "",
    }


def _compose(
    entry: StageAdvice, reason: Reason | None, values: Mapping[str, str]
) -> tuple[Act, str, list[str]]:
    act, action, steps = entry.recipient_must_act, entry.recipient_action, list(entry.steps)
    special = entry.reasons.get(reason) if reason is not None else None
    if special is not None:
        act, action = special.recipient_must_act, special.recipient_action
        steps = [*special.steps, *(s for s in steps if s not in special.steps)]
    return act, _fill(action, values), [_fill(s, values) for s in steps]


def _fmt_hours(hours: float, business: bool = False) -> str:
    unit = "business " if business else ""
    if hours >= 24 and abs(hours / 24 - round(hours / 24)) < 1e-9:
        days = round(hours / 24)
        return f"{days} {unit}day{'s' if days != 1 else ''}"
    if hours < 48:
        whole = round(hours)
        return f"{whole} {unit}hour{'s' if whole != 1 else ''}"
    return f"{hours / 24:.1f} {unit}days"


def _fmt_time(when: datetime) -> str:
    text = when.isoformat(sep=" ", timespec="minutes")
    return text if when.tzinfo is not None else f"{text} (carrier local time)"


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def business_hours(start: datetime, end: datetime) -> float:
    """Hours between `start` and `end` that fall on Monday-Friday, in `start`'s local time.

    Naive times are taken as UTC. Returns 0 when `end` is not after `start`.
    """
    start = _aware(start)
    tz = start.tzinfo
    end = _aware(end).astimezone(tz)
    if end <= start:
        return 0.0
    total = 0.0
    cursor = start
    whole_weeks = (end - cursor).days // 7
    if whole_weeks > 1:  # skip whole weeks: each holds exactly five working days
        total += (whole_weeks - 1) * 5 * 24.0
        cursor = cursor + timedelta(weeks=whole_weeks - 1)
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), tz)
        segment_end = min(end, midnight)
        if cursor.weekday() < 5:
            total += (segment_end.astimezone(UTC) - cursor.astimezone(UTC)).total_seconds() / 3600
        cursor = segment_end
    return total


def synonyms_for(stage: Stage, registry: Iterable[Carrier], exclude: str | None = None) -> list[str]:
    """Every installed carrier's phrases for `stage` (carrier-specific ones first, then shared
    ones), unique by normalised form, without `exclude`. Direction-dependent phrases and fallback
    rules are left out: they do not always mean this stage."""
    if stage is Stage.UNKNOWN:
        return []
    skip = normalize_phrase(exclude) if exclude else None
    carriers = tuple(sorted(registry, key=lambda c: c.name))
    return [phrase for key, phrase in _stage_phrases(stage, carriers) if key != skip]


@lru_cache(maxsize=256)
def _stage_phrases(stage: Stage, carriers: tuple[Carrier, ...]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for own_pass in (True, False):
        for carrier in carriers:
            vocab = carrier.vocabulary
            for rule in vocab.rules:
                if rule.fallback or rule.context or rule.stage is not stage:
                    continue
                if own_pass and rule.vocabulary != vocab.carrier:
                    continue
                for phrase in rule.phrase:
                    key = normalize_phrase(phrase)
                    if key:
                        seen.setdefault(key, phrase)
    return tuple(seen.items())


def _usual_dwell(entry: StageAdvice) -> dict[str, str]:
    if not entry.dwell.timed:
        return {}
    out: dict[str, str] = {}
    for lane in ("domestic", "international"):
        t: Threshold | None = getattr(entry.dwell, lane)
        if t is not None:
            out[lane] = _fmt_hours(t.hours, t.business_days)
    return out


# -- explain ------------------------------------------------------------------------------------


def _condition(carrier: Carrier, context: str, value: str) -> str:
    if context == "direction" and value in ("inbound", "outbound"):
        home = carrier.home_country
        verb = "entering" if value == "inbound" else "leaving"
        return f"if the parcel is {verb} {home}" if home else f"if the parcel is {value}"
    return f"if {context} is {value}"


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
) -> list[Explanation]:
    """Explain a carrier status text (and/or code) through the installed vocabularies.

    With `carrier`, only that carrier's vocabulary is asked (`UnknownCarrierError` if it is not
    installed); otherwise every carrier's. Returns one `Explanation` per (stage, condition,
    reason), in journey order, listing the carriers that agree; a text none of them knows gives one
    explanation with ``known=False`` and the `unknown` stage's plain "not known" texts.
    """
    text = (text or "").strip()
    code = code.strip() if code else None
    if not text and not code:
        raise InputError("nothing to explain: give a status text (or --code)")
    book = book or load_advice()
    chosen = [registry.get(carrier)] if carrier else sorted(registry, key=lambda c: c.name)
    groups: dict[tuple[Stage, str | None, Reason | None], list[Carrier]] = {}
    for c in chosen:
        res: Resolution = c.vocabulary.resolve(text or None, code)
        if res.match is MatchKind.UNMAPPED:
            continue
        options: list[tuple[Stage, str | None]] = [(res.stage, None)]
        if res.needs_context and res.rule is not None and res.rule.context and res.rule.by_context:
            ctx = res.rule.context
            options = [(s, _condition(c, ctx, v)) for v, s in res.rule.by_context.items()]
        for stage, condition in options:
            groups.setdefault((stage, condition, res.reason), []).append(c)
    searched = [c.name for c in chosen]
    if not groups:
        entry = book.entry(Stage.UNKNOWN)
        values = _step_values(None, None)
        act, action, steps = _compose(entry, None, values)
        return [
            Explanation(
                text=text,
                code=code,
                known=False,
                stage=Stage.UNKNOWN,
                status=Stage.UNKNOWN.status,
                searched=searched,
                **_entry_texts(entry, act, action, steps),
            )
        ]
    everyone = list(registry)
    out = []
    for (stage, condition, reason), carriers in sorted(
        groups.items(), key=lambda kv: (kv[0][0].rank, kv[0][1] or "", kv[0][2] or "")
    ):
        single = carriers[0] if len(carriers) == 1 else None
        override = carrier_overrides(single).get(stage) if single is not None else None
        entry = _apply(book.entry(stage), override)
        act, action, steps = _compose(entry, reason, _step_values(single, None))
        out.append(
            Explanation(
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
                usual_dwell=_usual_dwell(entry),
                synonyms=synonyms_for(stage, everyone, exclude=text or None),
            )
        )
    return out


# -- advise -------------------------------------------------------------------------------------


def _find(registry: Registry, name: str) -> Carrier | None:
    try:
        return registry.get(name)
    except UnknownCarrierError:
        return None


def _home(registry: Registry, name: str) -> str | None:
    found = _find(registry, name)
    return found.home_country if found is not None else None


@dataclass(frozen=True, slots=True)
class _Holder:
    """Who holds the parcel now: a carrier name and its number, or an unknown destination carrier."""

    name: str | None
    number: str
    carrier: Carrier | None


def _holder(journey: Journey, registry: Registry, current: TrackingEvent) -> _Holder:
    name, number = current.carrier, current.tracking_number
    if current.handoff is not None:
        name = current.handoff.carrier.lower()
        number = current.handoff.tracking_number or next(
            (leg.tracking_number for leg in journey.legs if leg.carrier == name), number
        )
    elif current.stage is Stage.HANDED_TO_LAST_MILE:
        names = [leg.carrier for leg in journey.legs]
        if current.carrier in names:
            later = [
                leg
                for leg in journey.legs[names.index(current.carrier) + 1 :]
                if leg.carrier != current.carrier
            ]
            if later:
                name, number = later[-1].carrier, later[-1].tracking_number
    destination = journey.destination_country
    abroad = (
        journey.is_international
        and destination is not None
        and current.stage in _DESTINATION_SIDE
        and _home(registry, name) != destination
    )
    if abroad:
        local = [leg for leg in journey.legs if _home(registry, leg.carrier) == destination]
        if local:
            name, number = local[-1].carrier, local[-1].tracking_number
        elif _home(registry, name) is not None:
            # the named carrier is from another country: never send people to the origin one
            return _Holder(None, number, None)
    return _Holder(name, number, _find(registry, name))


def _contact_text(contacts: Iterable[Contact]) -> tuple[str, str | None]:
    parts: list[str] = []
    phone: str | None = None
    for c in list(contacts)[:2]:
        bits = ", ".join(b for b in (c.phone, c.url) if b)
        if c.note:
            bits += f" ({c.note})" if bits else c.note
        if phone is None and c.phone:
            phone = c.phone
        parts.append(f"{c.label}: {bits}" if bits else c.label)
    return ("Contact: " + "; ".join(parts) + ".") if parts else "", phone


def _ladder(
    book: AdviceBook,
    entry: StageAdvice,
    journey: Journey,
    registry: Registry,
    holder: _Holder,
    country: str | None,
    values: dict[str, str],
) -> list[EscalationStep]:
    steps: list[EscalationStep] = []
    numbers = journey.tracking_numbers
    for kind in entry.ladder:
        n = len(steps) + 1
        if kind == "carrier":
            if holder.name is None:
                rung = book.ladder.carrier_unknown
                steps.append(
                    EscalationStep(
                        step=n,
                        kind=kind,
                        contact=_fill(rung.contact or "{destination}", values),
                        detail=_fill(rung.detail, values),
                    )
                )
            elif holder.carrier is None:
                rung = book.ladder.carrier_not_installed
                steps.append(
                    EscalationStep(step=n, kind=kind, contact=holder.name, detail=_fill(rung.detail, values))
                )
            else:
                c = holder.carrier
                extra, phone = _contact_text(c.contacts_for(country))
                detail = _fill(book.ladder.carrier.detail, values)
                steps.append(
                    EscalationStep(
                        step=n,
                        kind=kind,
                        contact=c.display_name,
                        detail=f"{detail} {extra}".strip(),
                        link=c.link(holder.number),
                        phone=phone,
                    )
                )
        elif kind == "tracker":
            ordered = [holder.number, *(x for x in numbers if x != holder.number)]
            links = [t.link(ordered) for t in book.trackers]
            steps.append(
                EscalationStep(
                    step=n,
                    kind=kind,
                    contact=" or ".join(t.name for t in book.trackers),
                    detail=_fill(book.ladder.tracker.detail, values),
                    link=links[0],
                    more_links=links[1:],
                )
            )
        else:
            rung = book.ladder.sender
            steps.append(
                EscalationStep(
                    step=n,
                    kind=kind,
                    contact=_fill(rung.contact or "The sender", values),
                    detail=_fill(rung.detail, values),
                )
            )
    return steps


def _run_start(events: list[TrackingEvent]) -> int:
    stage = events[-1].stage
    i = len(events) - 1
    while i > 0 and events[i - 1].stage is stage:
        i -= 1
    return i


def _last_known(events: list[TrackingEvent]) -> TrackingEvent | None:
    for event in reversed(events):
        if event.stage is not Stage.UNKNOWN:
            return event
    return None


def advise(
    journey: Journey,
    registry: Registry,
    now: datetime | None = None,
    *,
    book: AdviceBook | None = None,
) -> Advice:
    """Advice for `journey`'s current stage at `now` (default: the current time; naive = UTC).

    Time at the stage runs from the first event of the current run of that stage. The lane is
    international when `Journey.is_international` says so, else domestic. Delivered, returned and
    cancelled are never stuck; an `unknown` current stage says plainly that it cannot tell.
    """
    current = journey.current
    if current is None:
        raise InputError(f"shipment {journey.key} has no events")
    book = book or load_advice()
    now = _aware(now) if now is not None else datetime.now(UTC)
    stage = current.stage
    holder = _holder(journey, registry, current)
    override = carrier_overrides(holder.carrier).get(stage) if holder.carrier else None
    entry = _apply(book.entry(stage), override)
    values = _step_values(holder.carrier, holder.number)
    act, action, steps = _compose(entry, current.reason, values)

    run = journey.events[_run_start(journey.events) :]
    dated = [e.occurred_at for e in run if e.occurred_at is not None]
    since = min(dated, key=_aware) if dated else None
    lane_flag = journey.is_international
    international = bool(lane_flag)
    threshold = entry.dwell.threshold(international)
    lane_label = "international" if international else "domestic"
    if lane_flag is None:
        lane_label += ", assumed"

    calendar = dwell = None
    stuck = False
    if not entry.dwell.timed or threshold is None or stage.is_terminal:
        verdict: Verdict = "done" if stage.is_terminal else "unknown"
        verdict_text = entry.dwell.not_timed or ""
        if stage is Stage.UNKNOWN:
            known = _last_known(journey.events)
            verdict_text += f' The latest status is "{current.description or current.code}".'
            if known is not None:
                when = f" on {_fmt_time(known.occurred_at)}" if known.occurred_at else ""
                verdict_text += f" The last status it knows was {known.stage.value}{when}."
        threshold = None
    elif since is None:
        verdict = "unknown"
        verdict_text = "The latest events carry no date, so the time at this stage is not known."
    else:
        calendar = max(0.0, (now - _aware(since)).total_seconds() / 3600)
        dwell = business_hours(since, now) if threshold.business_days else calendar
        stuck = dwell > threshold.hours
        usual = _fmt_hours(threshold.hours, threshold.business_days)
        spent = _fmt_hours(calendar)
        if threshold.business_days:
            spent += f" ({_fmt_hours(dwell, True)})"
        if stuck:
            verdict = "stuck"
            verdict_text = (
                f"Stuck: {spent} at this stage, longer than the usual {usual} ({lane_label})."
                f" {entry.dwell.when_stuck}"
            )
        else:
            verdict = "on_track"
            verdict_text = (
                f"On track: {spent} at this stage; it usually moves on within {usual} ({lane_label})."
            )

    destination = journey.destination_country
    origin_leg = journey.legs[0]
    origin_carrier = _find(registry, origin_leg.carrier)
    origin_name = origin_carrier.display_name if origin_carrier else origin_leg.carrier
    origin = journey.origin_country
    if origin and origin_carrier and origin_carrier.home_country not in (None, origin):
        # the feed starts with a foreign carrier's leg: the sender shipped with someone else
        origin_name = f"the carrier they shipped with in {origin}"
    ladder_values = {
        **values,
        "carrier": holder.carrier.display_name if holder.carrier else (holder.name or ""),
        "number": holder.number,
        "numbers": ", ".join(journey.tracking_numbers),
        "since": _fmt_time(since) if since else "an unknown time",
        "headline": entry.headline,
        "last_status": current.description or current.code or entry.headline,
        "stage": stage.value,
        "destination": destination or "the destination country",
        "origin_carrier": origin_name,
    }
    country = destination if stage in _DESTINATION_SIDE else current.location.country
    escalation = _ladder(book, entry, journey, registry, holder, country, ladder_values) if stuck else []
    return Advice(
        shipment=journey.key,
        tracking_numbers=journey.tracking_numbers,
        carrier=current.carrier,
        tracking_number=current.tracking_number,
        stage=stage,
        status=current.status,
        reason=current.reason,
        description=current.description,
        occurred_at=current.occurred_at,
        location=current.location.label() or None,
        since=since,
        now=now,
        origin_country=journey.origin_country,
        destination_country=destination,
        lane="international" if international else "domestic",
        lane_known=lane_flag is not None,
        headline=entry.headline,
        meaning=entry.meaning,
        where=entry.where,
        holder=entry.holder,
        next=entry.next,
        how_soon=entry.how_soon,
        recipient_must_act=act,
        recipient_action=action,
        next_steps=steps,
        verdict=verdict,
        stuck=stuck,
        verdict_text=verdict_text.strip(),
        dwell_hours=round(dwell, 1) if dwell is not None else None,
        calendar_hours=round(calendar, 1) if calendar is not None else None,
        expected_dwell_hours=threshold.hours if threshold is not None else None,
        business_days=threshold.business_days if threshold is not None else False,
        threshold_source=book.source_text(threshold) if threshold is not None else None,
        responsible_carrier=holder.name,
        responsible_display_name=(
            holder.carrier.display_name
            if holder.carrier
            else holder.name or f"the delivery carrier in {destination or 'the destination country'}"
        ),
        escalation=escalation,
        synonyms=synonyms_for(stage, registry, exclude=current.description or None),
    )
