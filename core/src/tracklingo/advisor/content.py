"""The advice content: the data file's models (`AdviceBook`, `StageAdvice`, `Threshold`), its
loading and checking (`load_advice`), and carrier plugins' `advice_overrides`."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
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

from tracklingo.carrier import Carrier
from tracklingo.errors import ConfigError
from tracklingo.taxonomy import Reason, Stage

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
DESTINATION_SIDE: Final = frozenset(
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
    """What changes when the event carries a reason (e.g. duties due on a customs hold).

    `recipient_must_act` and `recipient_action` replace the stage's; the optional texts replace
    the stage's when set; `steps` come first, followed by the stage's own steps unless
    ``stage_steps = false`` (when they do not fit the situation, e.g. "cannot find it?" on a
    parcel delivered damaged)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    headline: Text | None = None
    meaning: Text | None = None
    where: Text | None = None
    holder: Text | None = None
    next: Text | None = None
    how_soon: Text | None = None
    recipient_must_act: Act
    recipient_action: Text
    steps: list[Text] = Field(min_length=1)
    stage_steps: bool = True
    source: Text | None = None


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
    source: Text | None = None

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
        _check_placeholders(texts, _STEP_FIELDS)
        for r in self.reasons.values():
            _check_reason_placeholders(r)
        return self


def _check_reason_placeholders(r: ReasonAdvice) -> None:
    _check_placeholders([r.recipient_action, *r.steps], _STEP_FIELDS)
    _check_placeholders([getattr(r, f) for f in REASON_TEXT_FIELDS if getattr(r, f)], frozenset())


#: The texts a reason may replace besides the recipient's action and steps.
REASON_TEXT_FIELDS: Final = ("headline", "meaning", "where", "holder", "next", "how_soon")


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
    reason: dict[Reason, ReasonAdvice] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> AdviceBook:
        missing = [s.value for s in Stage if s not in self.stage]
        if missing:
            raise ValueError(f"no entry for stage(s) {missing}")
        for reason, special in self.reason.items():
            _check_reason_placeholders(special)
            self._check_sources(special.source, f"reason.{reason.value}")
        for stage, entry in self.stage.items():
            self._check_sources(entry.source, stage.value)
            for reason, special in entry.reasons.items():
                self._check_sources(special.source, f"{stage.value}.reasons.{reason.value}")
            never = stage.is_terminal or stage is Stage.UNKNOWN
            if never and entry.dwell.timed:
                raise ValueError(f"{stage.value}: this stage is never stuck; use `not_timed`")
            if not never and not entry.dwell.timed:
                raise ValueError(f"{stage.value}: needs domestic and international thresholds")
            for lane in ("domestic", "international"):
                threshold: Threshold | None = getattr(entry.dwell, lane)
                if threshold is not None:
                    self._check_sources(threshold.source, f"{stage.value}.{lane}")
        return self

    def _check_sources(self, source: str | None, where: str) -> None:
        for key in _source_keys(source or ""):
            if key not in self.sources:
                raise ValueError(f"{where}: source {key!r} is not in [sources]")

    def entry(self, stage: Stage) -> StageAdvice:
        """The entry for `stage`."""
        return self.stage[stage]

    def reason_advice(self, stage: Stage, reason: Reason | None) -> ReasonAdvice | None:
        """The copy for `reason` at `stage`: the stage's own ``reasons`` entry, else the shared
        ``[reason.<reason>]`` one; `None` when there is no reason or no copy for it (`other`)."""
        if reason is None:
            return None
        return self.stage[stage].reasons.get(reason) or self.reason.get(reason)

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


def apply_override(entry: StageAdvice, override: StageOverride | None) -> StageAdvice:
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


def situation_entry(
    book: AdviceBook,
    stage: Stage,
    reason: Reason | None = None,
    override: StageOverride | None = None,
) -> StageAdvice:
    """The copy for one situation: the stage's entry, then the carrier's override, then the
    reason's copy (`AdviceBook.reason_advice`) on top, which is the most specific."""
    entry = apply_override(book.entry(stage), override)
    special = book.reason_advice(stage, reason)
    if special is None:
        return entry
    update: dict[str, Any] = {f: getattr(special, f) for f in REASON_TEXT_FIELDS if getattr(special, f)}
    update["recipient_must_act"] = special.recipient_must_act
    update["recipient_action"] = special.recipient_action
    rest = [s for s in entry.steps if s not in special.steps] if special.stage_steps else []
    update["steps"] = [*special.steps, *rest]
    return entry.model_copy(update=update)
