"""The advisor's words in each language: one catalog per locale (``tracklingo/data/locales/<tag>.toml``),
keyed by the stage, reason and verdict ids of ``advice.toml``.

English (``en.toml``) is the source: every other locale defines exactly its keys, with the same
``{placeholders}`` in each text (`load_catalog` refuses a locale that does not, naming the key), so
no text ever falls back to English silently. The only fallback is from a regional variant to its
language: ``de-AT`` reads ``de-AT.toml`` when there is one, else ``de.toml`` (`language_chain`).

`resolve_language` picks the language the way the CLI does: an explicit value, else
``TRACKLINGO_LANG``, else the system locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, first one set);
an explicit or ``TRACKLINGO_LANG`` value that no locale serves is an error listing the available
ones, a system locale that none serves means English.
"""

# No ``from __future__ import annotations`` here: pydantic would then evaluate every field's
# annotation from its string when the class is created (a compile each, a few percent of
# ``tracklingo explain``). Annotations naming the class itself use ``Self``.
import os
import string
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tracklingo import tomlcache
from tracklingo.errors import ConfigError, InputError
from tracklingo.taxonomy import Reason, Stage

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
PluralCategory = Literal["zero", "one", "two", "few", "many", "other"]

#: The language every catalog is checked against, and the one used when nothing else is asked for.
SOURCE_LANGUAGE: Final = "en"

#: Placeholders the step texts (and a stage's own texts) may use.
STEP_FIELDS: Final = frozenset({"carrier", "carrier_link"})
#: Placeholders the escalation ladder's texts may use.
LADDER_FIELDS: Final = frozenset(
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
#: The texts a reason may replace besides the recipient's action and steps.
REASON_TEXT_FIELDS: Final = ("headline", "meaning", "where", "holder", "next", "how_soon")


class UnknownLanguageError(InputError):
    """No locale serves the language asked for."""


def placeholders(template: str) -> set[str]:
    """The ``{names}`` in `template` (`ValueError` on a malformed one)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(f"bad placeholder in {template!r}: {exc}") from None


def check_placeholders(texts: Iterable[str], allowed: frozenset[str]) -> None:
    """Raise `ValueError` when a text uses a placeholder outside `allowed`."""
    for text in texts:
        unknown = placeholders(text) - allowed
        if unknown:
            raise ValueError(
                f"unknown placeholder(s) {sorted(unknown)} in {text!r}; allowed: {sorted(allowed)}"
            )


def _has_other(table: dict[PluralCategory, str]) -> dict[PluralCategory, str]:
    if "other" not in table:
        raise ValueError("a plural table needs an `other` form")
    return table


#: Forms of one text by CLDR plural category (``one``, ``few``, ``many``, ``other``...).
Plural = Annotated[dict[PluralCategory, Text], AfterValidator(_has_other)]


class _Section(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")


class Meta(_Section):
    """The locale itself: its language's own name."""

    language: Text


class Ui(_Section):
    """The labels of the CLI's human output (`explain`, `advise`, `stuck`)."""

    not_known: Text
    not_known_detail: Text
    none_installed: Text
    several_meanings: Text
    explained: Text
    reason: Text
    what_it_means: Text
    where_it_is: Text
    who_has_it: Text
    what_happens_next: Text
    how_soon: Text
    stuck_after: Text
    per_lane: Text
    need_to_act: Text
    what_to_do: Text
    other_words: Text
    more_words: Text
    now: Text
    last_scan: Text
    no_text: Text
    scan_at: Text
    scan_by: Text
    undated: Text
    held_by: Text
    escalate: Text
    stuck: Text
    on_track: Text
    done: Text
    unknown: Text
    stuck_summary: Plural
    not_yet_scanned: Plural
    note: Text
    not_installed: Text
    none: Text
    unseen_elsewhere: Text
    unseen_form: Text
    unseen_inferred: Text
    unseen_abstained: Text
    nearest_known: Text
    unseen_no_infer: Text
    inferred_from: Text


class Words(_Section):
    """Small pieces the advisor puts into its sentences."""

    the_carrier: Text
    destination_country: Text
    unknown_time: Text
    local_time: Text
    contact: Text
    either: Text
    both: Text
    origin_carrier_abroad: Text
    delivery_carrier_in: Text
    if_entering: Text
    if_leaving: Text
    if_direction: Text
    if_context: Text


class Units(_Section):
    """Durations, by plural form; ``{n}`` is the number, formatted for the locale."""

    hours: Plural
    days: Plural
    business_hours: Plural
    business_days: Plural


class Lanes(_Section):
    """Lane names: the advisor's domestic / international, and the dwell history's lanes as seen
    by a carrier with a home country (`inbound`, `outbound`; `pooled` is every direction)."""

    domestic: Text
    international: Text
    assumed: Text
    inbound: Text
    outbound: Text
    pooled: Text


class VerdictCopy(_Section):
    """The verdict sentences (`judge`)."""

    labelled: Text
    stuck_label: Text
    on_track_label: Text
    stuck: Text
    on_track: Text
    business_spent: Text
    no_date: Text
    latest_status: Text
    last_known: Text
    last_known_on: Text
    later_scans: Plural


class HistoryCopy(_Section):
    """The dwell history's sentences (`tracklingo.history`): its verdict on a parcel and the
    likely delivery dates. `ordinal` is keyed by CLDR *ordinal* categories (English one / two /
    few / other: "1st", "2nd", "3rd", "4th"), the other tables by plural categories."""

    source: Text
    source_pooled: Text
    moved_on: Text
    beyond: Plural
    within: Plural
    ordinal: Plural
    too_few: Plural
    too_few_no_threshold: Plural
    window_label: Text
    window: Plural
    on_day: Text
    between: Text


class DwellCopy(_Section):
    """`tracklingo dwell`'s table headers and summary line."""

    carrier: Text
    stage: Text
    lane: Text
    hours: Text
    business_days: Text
    groups: Plural
    transitions: Plural
    summary: Text
    summary_carrier: Text


class LadderText(_Section):
    """The wording of one rung of the escalation ladder."""

    contact: Text | None = None
    detail: Text


class LadderCopy(_Section):
    carrier: LadderText
    carrier_unknown: LadderText
    carrier_not_installed: LadderText
    tracker: LadderText
    sender: LadderText

    @model_validator(mode="after")
    def _placeholders_known(self) -> Self:
        texts: list[str] = []
        for rung in (
            self.carrier,
            self.carrier_unknown,
            self.carrier_not_installed,
            self.tracker,
            self.sender,
        ):
            texts += [rung.detail, *([rung.contact] if rung.contact else [])]
        check_placeholders(texts, LADDER_FIELDS)
        return self


class ReasonCopy(_Section):
    """The copy for a reason: the recipient's action and steps, and the stage's texts it replaces."""

    headline: Text | None = None
    meaning: Text | None = None
    where: Text | None = None
    holder: Text | None = None
    next: Text | None = None
    how_soon: Text | None = None
    recipient_action: Text
    steps: list[Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _placeholders_known(self) -> Self:
        check_placeholders([self.recipient_action, *self.steps], STEP_FIELDS)
        check_placeholders([getattr(self, f) for f in REASON_TEXT_FIELDS if getattr(self, f)], frozenset())
        return self


class StageCopy(_Section):
    """One stage's copy: a short `name`, the texts, the steps, and why it is stuck (`when_stuck`)
    or never judged (`not_timed`); ``advice.toml`` says which of the two it has."""

    name: Text
    headline: Text
    meaning: Text
    where: Text
    holder: Text
    next: Text
    how_soon: Text
    recipient_action: Text
    steps: list[Text] = Field(min_length=1)
    when_stuck: Text | None = None
    not_timed: Text | None = None
    reasons: dict[Reason, ReasonCopy] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.when_stuck is None) == (self.not_timed is None):
            raise ValueError("a stage has either `when_stuck` or `not_timed`")
        texts = [self.headline, self.meaning, self.where, self.holder, self.next, self.how_soon]
        check_placeholders([*texts, self.recipient_action, *self.steps], STEP_FIELDS)
        return self


class Catalog(_Section):
    """One locale's words (see the module docstring). `code` is the locale file's tag."""

    code: str = ""
    meta: Meta
    ui: Ui
    words: Words
    units: Units
    lane: Lanes
    verdict: VerdictCopy
    history: HistoryCopy
    dwell: DwellCopy
    ladder: LadderCopy
    stage: dict[Stage, StageCopy]
    reason: dict[Reason, ReasonCopy] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = [s.value for s in Stage if s not in self.stage]
        if missing:
            raise ValueError(f"no entry for stage(s) {missing}")
        return self


# -- keys and placeholders ----------------------------------------------------------------------


def catalog_texts(catalog: Catalog | Mapping[str, Any]) -> dict[str, str]:
    """Every text of a catalog by its dotted key (``stage.customs_hold.steps.0``,
    ``units.days.one``), for comparing locales."""
    data = catalog.model_dump(mode="json", exclude={"code"}) if isinstance(catalog, Catalog) else catalog
    return dict(_flatten(data, ""))


def _flatten(value: Any, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _flatten(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _flatten(v, f"{key}.{i}")
    elif isinstance(value, str):
        yield key, value


def _plural_key(key: str) -> str | None:
    """The key of the plural table `key` is a form of, or `None`."""
    head, _, last = key.rpartition(".")
    return head if last in ("zero", "one", "two", "few", "many", "other") and head else None


def compare_to_source(catalog: Catalog, source: Catalog) -> list[str]:
    """What differs between `catalog` and the source catalog: missing and extra keys, and texts
    whose placeholders differ. Plural tables are compared as a whole (each locale has its own
    plural forms), their forms each against the source's ``other`` form."""
    mine, theirs = catalog_texts(catalog), catalog_texts(source)
    problems: list[str] = []

    def unit(key: str) -> str:
        return _plural_key(key) or key

    mine_units = {unit(k) for k in mine}
    theirs_units = {unit(k) for k in theirs}
    problems += [f"missing key {k}" for k in sorted(theirs_units - mine_units)]
    problems += [f"extra key {k}" for k in sorted(mine_units - theirs_units)]
    for key, text in sorted(mine.items()):
        table = _plural_key(key)
        ref = theirs.get(f"{table}.other") if table else theirs.get(key)
        if ref is None:
            continue
        if placeholders(text) != placeholders(ref):
            problems.append(
                f"{key}: placeholders {sorted(placeholders(text))} differ from {sorted(placeholders(ref))}"
            )
    return problems


# -- tags and files -----------------------------------------------------------------------------


def normalize_tag(tag: str) -> str:
    """A language tag as the locale files name it: ``de_AT.UTF-8`` → ``de-AT``, ``FR`` → ``fr``."""
    core = tag.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-")
    parts = [p for p in core.split("-") if p]
    if not parts:
        return ""
    return "-".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


def language_chain(tag: str) -> list[str]:
    """The locales to try for `tag`, most specific first: ``de-AT`` → ``["de-AT", "de"]``."""
    parts = normalize_tag(tag).split("-")
    return ["-".join(parts[:i]) for i in range(len(parts), 0, -1) if parts[0]]


def _locale_dir() -> Any:
    return resources.files("tracklingo").joinpath("data", "locales")


@cache
def available_languages() -> tuple[str, ...]:
    """The locales tracklingo ships, by tag."""
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in _locale_dir().iterdir() if p.name.endswith(".toml"))
    )


def serving_locale(tag: str) -> str | None:
    """The locale file that serves `tag` (`language_chain`), or `None`."""
    shipped = available_languages()
    return next((t for t in language_chain(tag) if t in shipped), None)


def _unknown(tag: str, origin: str) -> UnknownLanguageError:
    return UnknownLanguageError(
        f"unknown language {tag!r}{origin}; available: {', '.join(available_languages())}"
    )


def resolve_language(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak (a normalised tag a locale serves; see the module docstring).

    Raises `UnknownLanguageError` when `explicit` or ``TRACKLINGO_LANG`` names a language no
    locale serves."""
    env = os.environ if environ is None else environ
    for value, origin in ((explicit, ""), (env.get("TRACKLINGO_LANG"), " (from TRACKLINGO_LANG)")):
        if value and value.strip():
            tag = normalize_tag(value)
            if serving_locale(tag) is None:
                raise _unknown(value.strip(), origin)
            return tag
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            tag = normalize_tag(value)
            return tag if tag not in ("c", "posix") and serving_locale(tag) else SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def _read(text: str, origin: str, code: str) -> Catalog:
    """The catalog in `text`, validated (or, for a text validated before, from the cache:
    `_construct.cached_model`)."""
    from tracklingo import taxonomy
    from tracklingo._construct import cached_model

    return cached_model(
        Catalog, f"{code}\n{text}", lambda: _validate(text, origin, code), (__file__, taxonomy.__file__)
    )


def _validate(text: str, origin: str, code: str) -> Catalog:
    try:
        data = tomlcache.loads(text)
    except tomlcache.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: invalid TOML: {exc}") from None
    try:
        return Catalog.model_validate({**data, "code": code})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{origin}: {where}: {first['msg']} ({exc.error_count()} problem(s))") from None


def read_catalog(path: str | Path, source: Catalog | None = None) -> Catalog:
    """The catalog in the file at `path` (for translators and reviewers), checked against
    `source` (default: the shipped English one) like `load_catalog` checks the shipped ones."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {p}: {exc.strerror}") from None
    catalog = _read(text, str(p), normalize_tag(p.stem))
    _check_against(catalog, source or _shipped(SOURCE_LANGUAGE), str(p))
    return catalog


def _check_against(catalog: Catalog, source: Catalog, origin: str) -> None:
    if catalog is source:
        return
    problems = compare_to_source(catalog, source)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"{origin}: {problems[0]}{more}")


@cache
def _shipped(code: str) -> Catalog:
    origin = f"tracklingo/data/locales/{code}.toml"
    text = _locale_dir().joinpath(f"{code}.toml").read_text(encoding="utf-8")
    catalog = _read(text, origin, code)
    if code != SOURCE_LANGUAGE:
        _check_against(catalog, _shipped(SOURCE_LANGUAGE), origin)
    return catalog


def load_catalog(lang: str = SOURCE_LANGUAGE) -> Catalog:
    """The shipped catalog serving `lang` (``de-AT`` → ``de``), checked against English.

    Raises `UnknownLanguageError` when no locale serves it, `ConfigError` when the locale file
    is broken or its keys or placeholders differ from English's."""
    code = serving_locale(lang)
    if code is None:
        raise _unknown(lang, "")
    return _shipped(code)
