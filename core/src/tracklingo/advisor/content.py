"""The advice content: the facts of ``advice.toml`` (`AdviceBook`, `Threshold`), their loading and
checking (`load_advice`), carrier plugins' `advice_overrides`, and the advice for one situation in
one language (`situation_entry`: facts, the locale's words, override and reason together)."""

# No ``from __future__ import annotations`` here: pydantic would then evaluate every field's
# annotation from its string when the class is created (a compile each, a few percent of
# ``tracklingo explain``). Annotations naming the class itself use ``Self``.
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self
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

from tracklingo import tomlcache
from tracklingo.advisor.catalog import (
    REASON_TEXT_FIELDS,
    SOURCE_LANGUAGE,
    STEP_FIELDS,
    Catalog,
    check_placeholders,
    language_chain,
    load_catalog,
    normalize_tag,
    placeholders,
)
from tracklingo.carrier import Carrier
from tracklingo.errors import ConfigError
from tracklingo.taxonomy import Reason, Stage

Act = Literal["yes", "no", "maybe"]
LadderKind = Literal["carrier", "tracker", "sender"]
Verdict = Literal["on_track", "stuck", "done", "unknown"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_DEFAULT_LADDER: Final[tuple[LadderKind, ...]] = ("carrier", "tracker", "sender")
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


# -- the data file ------------------------------------------------------------------------------


class Threshold(BaseModel):
    """How long a parcel usually sits at a stage on one lane, and where that figure comes from."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    hours: float = Field(gt=0)
    business_days: bool = False
    source: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Self:
        if self.source is None and not (self.note and self.note.startswith(_JUDGEMENT)):
            raise ValueError(f"a threshold needs a `source`, or a `note` starting with {_JUDGEMENT!r}")
        return self


class Dwell(BaseModel):
    """Either `not_timed` (never judged stuck) or a threshold per lane."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    not_timed: bool = False
    domestic: Threshold | None = None
    international: Threshold | None = None

    @model_validator(mode="after")
    def _complete(self) -> Self:
        lanes = (self.domestic, self.international)
        if self.not_timed:
            if any(t is not None for t in lanes):
                raise ValueError("`not_timed` excludes domestic/international")
        elif any(t is None for t in lanes):
            raise ValueError("a timed dwell needs domestic and international thresholds")
        return self

    @property
    def timed(self) -> bool:
        return not self.not_timed

    def threshold(self, international: bool) -> Threshold | None:
        """The threshold for the lane (`None` when the stage is never timed)."""
        return self.international if international else self.domestic


class ReasonFacts(BaseModel):
    """What changes when the event carries a reason (e.g. duties due on a customs hold): whether
    the recipient must act, and whether the stage's own steps still follow the reason's
    (``stage_steps = false`` when they do not fit, e.g. "cannot find it?" on a parcel delivered
    damaged). Its words are the locale's (`ReasonCopy`)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    recipient_must_act: Act
    stage_steps: bool = True
    source: Text | None = None


class StageFacts(BaseModel):
    """One stage's entry in advice.toml (its words are the locale's `StageCopy`)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    recipient_must_act: Act
    ladder: tuple[LadderKind, ...] = _DEFAULT_LADDER
    dwell: Dwell
    reasons: dict[Reason, ReasonFacts] = Field(default_factory=dict)
    source: Text | None = None

    @field_validator("ladder")
    @classmethod
    def _ladder_once_each(cls, value: tuple[LadderKind, ...]) -> tuple[LadderKind, ...]:
        if sorted(value) != sorted(_DEFAULT_LADDER):
            raise ValueError(f"ladder must list each of {list(_DEFAULT_LADDER)} exactly once")
        return value


class Tracker(BaseModel):
    """A universal tracker: its name, and its page with ``{number}`` where the number goes and
    ``{lang}`` where the page's language goes (one of `languages`, else `default_language`)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    name: Text
    url: Text
    languages: list[Text] = Field(default_factory=list)
    default_language: Text = "en"
    several_numbers: bool = False
    note: Text | None = None

    @field_validator("url")
    @classmethod
    def _has_number(cls, value: str) -> str:
        if not placeholders(value) <= {"number", "lang"} or "number" not in placeholders(value):
            raise ValueError(
                f"tracker url must have a {{number}} placeholder (and may have {{lang}}): {value!r}"
            )
        if not value.startswith("https://"):
            raise ValueError(f"tracker url must be https://: {value!r}")
        return value

    def page_language(self, lang: str) -> str:
        """The site's language for tag `lang`: ``de-AT`` → ``de`` when the site has German."""
        return next((t for t in language_chain(lang) if t in self.languages), self.default_language)

    def link(self, numbers: list[str], lang: str = "en") -> str:
        """The page for `numbers` (several comma-separated when the tracker takes them), in the
        site's language for `lang`."""
        chosen = numbers if self.several_numbers else numbers[:1]
        value = ",".join(quote(n, safe="") for n in chosen)
        return self.url.format_map({"number": value, "lang": self.page_language(lang)})


class AdviceBook(BaseModel):
    """The parsed, checked advice.toml: the facts behind the copy, the same in every language."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    meta: dict[str, Any] = Field(default_factory=dict)
    sources: dict[str, Text] = Field(default_factory=dict)
    trackers: list[Tracker] = Field(min_length=1)
    stage: dict[Stage, StageFacts]
    reason: dict[Reason, ReasonFacts] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = [s.value for s in Stage if s not in self.stage]
        if missing:
            raise ValueError(f"no entry for stage(s) {missing}")
        for reason, special in self.reason.items():
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

    def entry(self, stage: Stage) -> StageFacts:
        """The facts for `stage`."""
        return self.stage[stage]

    def reason_facts(self, stage: Stage, reason: Reason | None) -> ReasonFacts | None:
        """The facts for `reason` at `stage`: the stage's own ``reasons`` entry, else the shared
        ``[reason.<reason>]`` one; `None` when there is no reason or no entry for it (`other`)."""
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

    def check_catalog(self, catalog: Catalog) -> list[str]:
        """Where `catalog` does not fit this book: a stage or reason entry one has and the other
        has not, or a stage's `when_stuck` / `not_timed` that does not match its dwell."""
        problems: list[str] = []
        for stage, facts in self.stage.items():
            words = catalog.stage[stage]
            if facts.dwell.timed and words.when_stuck is None:
                problems.append(f"stage.{stage.value}: a timed stage needs `when_stuck`")
            if not facts.dwell.timed and words.not_timed is None:
                problems.append(f"stage.{stage.value}: a stage never timed needs `not_timed`")
            for r in sorted(set(facts.reasons) ^ set(words.reasons)):
                side = "advice.toml" if r in facts.reasons else "the locale"
                problems.append(f"stage.{stage.value}.reasons.{r.value}: only in {side}")
        for r in sorted(set(self.reason) ^ set(catalog.reason)):
            side = "advice.toml" if r in self.reason else "the locale"
            problems.append(f"reason.{r.value}: only in {side}")
        return problems


def _source_keys(source: str) -> list[str]:
    return [k.strip() for k in source.split(";") if k.strip()]


def _read_book(text: str, origin: str) -> AdviceBook:
    """The advice book in `text`, validated (or, for a text validated before, from the cache:
    `_construct.cached_model`)."""
    from tracklingo import taxonomy
    from tracklingo._construct import cached_model
    from tracklingo.advisor import catalog

    code = (__file__, catalog.__file__, taxonomy.__file__)
    return cached_model(AdviceBook, text, lambda: _validate_book(text, origin), code)


def _validate_book(text: str, origin: str) -> AdviceBook:
    try:
        data = tomlcache.loads(text)
    except tomlcache.TOMLDecodeError as exc:
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
    book = _read_book(resource.read_text(encoding="utf-8"), "tracklingo/data/advice.toml")
    problems = book.check_catalog(load_catalog(SOURCE_LANGUAGE))
    if problems:
        raise ConfigError(f"tracklingo/data/advice.toml and locales/en.toml: {problems[0]}")
    return book


def load_advice(path: str | Path | None = None) -> AdviceBook:
    """The advice facts: the core's ``data/advice.toml``, or the file at `path` (for reviewers)."""
    if path is None:
        return _default_book()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc.strerror}") from None
    return _read_book(text, str(p))


# -- carrier overrides --------------------------------------------------------------------------

_TEXT_FIELDS: Final = (
    "headline",
    "meaning",
    "where",
    "holder",
    "next",
    "how_soon",
    "recipient_action",
)


class OverrideCopy(BaseModel):
    """A carrier override's words in one language (``translations``)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    headline: Text | None = None
    meaning: Text | None = None
    where: Text | None = None
    holder: Text | None = None
    next: Text | None = None
    how_soon: Text | None = None
    recipient_action: Text | None = None
    steps: list[Text] = Field(default_factory=list)
    replace_steps: list[Text] | None = None

    @model_validator(mode="after")
    def _placeholders_known(self) -> Self:
        texts = [getattr(self, f) for f in _TEXT_FIELDS if getattr(self, f)]
        check_placeholders([*texts, *self.steps, *(self.replace_steps or ())], STEP_FIELDS)
        return self


class StageOverride(OverrideCopy):
    """One stage of a carrier's `advice_overrides` (see the package docstring): words in the
    carrier's `language` (default English) and, per language tag, their `translations`."""

    recipient_must_act: Act | None = None
    dwell: dict[Literal["domestic", "international"], Threshold] = Field(default_factory=dict)
    language: Text = SOURCE_LANGUAGE
    translations: dict[str, OverrideCopy] = Field(default_factory=dict)

    def words(self, lang: str) -> OverrideCopy:
        """The override's words for tag `lang`: its translation (``de-AT``, then ``de``), else its
        own words: a carrier's specific instruction is kept even where it is not translated."""
        chain = language_chain(lang)
        if normalize_tag(self.language) in chain:
            return self
        found = {normalize_tag(k): v for k, v in self.translations.items()}
        return next((found[t] for t in chain if t in found), self)


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


# -- one situation, in one language -------------------------------------------------------------


class StageAdvice(BaseModel):
    """The advice for one situation in one language: the stage's facts and words, with the
    holding carrier's override and the event's reason applied (`situation_entry`)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    stage: Stage
    name: str
    headline: str
    meaning: str
    where: str
    holder: str
    next: str
    how_soon: str
    recipient_must_act: Act
    recipient_action: str
    steps: list[str]
    ladder: tuple[LadderKind, ...]
    dwell: Dwell
    when_stuck: str | None = None
    not_timed: str | None = None


def stage_entry(
    book: AdviceBook, catalog: Catalog, stage: Stage, override: StageOverride | None = None, lang: str = ""
) -> StageAdvice:
    """The stage's facts and words, then the carrier's override (its words for `lang`)."""
    from tracklingo._construct import construct

    facts, words = book.entry(stage), catalog.stage[stage]
    # Built without validation (`construct`): every value comes from the validated book and
    # catalog, of the very types StageAdvice declares, and in its field order.
    entry = construct(
        StageAdvice,
        {
            "stage": stage,
            "name": words.name,
            "headline": words.headline,
            "meaning": words.meaning,
            "where": words.where,
            "holder": words.holder,
            "next": words.next,
            "how_soon": words.how_soon,
            "recipient_must_act": facts.recipient_must_act,
            "recipient_action": words.recipient_action,
            "steps": list(words.steps),
            "ladder": facts.ladder,
            "dwell": facts.dwell,
            "when_stuck": words.when_stuck,
            "not_timed": words.not_timed,
        },
    )
    if override is None:
        return entry
    said = override.words(lang or catalog.code)
    update: dict[str, Any] = {f: getattr(said, f) for f in _TEXT_FIELDS if getattr(said, f)}
    if override.recipient_must_act is not None:
        update["recipient_must_act"] = override.recipient_must_act
    steps = list(said.replace_steps) if said.replace_steps is not None else list(entry.steps)
    update["steps"] = steps + [s for s in said.steps if s not in steps]
    if override.dwell and entry.dwell.timed:
        lanes: dict[str, Any] = {lane: t for lane, t in override.dwell.items()}
        update["dwell"] = entry.dwell.model_copy(update=lanes)
    return entry.model_copy(update=update)


def situation_entry(
    book: AdviceBook,
    catalog: Catalog,
    stage: Stage,
    reason: Reason | None = None,
    override: StageOverride | None = None,
    lang: str = "",
) -> StageAdvice:
    """The copy for one situation: the stage's entry, then the carrier's override, then the
    reason's copy on top (the stage's own ``reasons`` entry, else the shared one), which is the
    most specific."""
    entry = stage_entry(book, catalog, stage, override, lang)
    facts = book.reason_facts(stage, reason)
    if facts is None or reason is None:
        return entry
    words = catalog.stage[stage].reasons.get(reason) if reason in book.entry(stage).reasons else None
    words = words or catalog.reason[reason]
    update: dict[str, Any] = {f: getattr(words, f) for f in REASON_TEXT_FIELDS if getattr(words, f)}
    update["recipient_must_act"] = facts.recipient_must_act
    update["recipient_action"] = words.recipient_action
    rest = [s for s in entry.steps if s not in words.steps] if facts.stage_steps else []
    update["steps"] = [*words.steps, *rest]
    return entry.model_copy(update=update)
