"""The vocabulary file format: the TOML schema (pydantic models), includes and parts.

A vocabulary file (docs/vocabulary-format.md) holds ``[meta]`` (``carrier``, ``include``,
``parts``, ``[meta.sources]``, ``[meta.options]``), ``[[rule]]`` and ``[[reason]]`` tables. This
module validates them into `RuleSpec` / `ReasonSpec` / `Options` and reads the ``[meta] parts``
files; `tracklingo.vocabulary.Vocabulary` compiles the result. Every error is a
`VocabularyError` that names the file, the table and what to fix.
"""

# No ``from __future__ import annotations`` here: pydantic would then evaluate every field's
# annotation from its string when the class is created (a compile each, a few percent of
# ``tracklingo explain``). Annotations naming the class itself use ``Self``.
import re
from collections.abc import Iterator, Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator, model_validator

from tracklingo import tomlcache
from tracklingo.errors import VocabularyError
from tracklingo.taxonomy import Reason, Stage

__all__ = ["Options", "ReasonSpec", "RuleSpec", "check_source", "parts_of", "read_toml", "validated"]


def _as_tuple(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"{what} must be a string or a list of strings, not {value!r}")


def check_source(source: Any, known: Mapping[str, str]) -> str:
    """A rule's source: non-empty, and every bare key defined in ``[meta.sources]``."""
    if not isinstance(source, str) or not source.strip():
        raise ValueError("every rule needs a `source`")
    for token in re.split(r"[;,]", source):
        token = token.strip()
        bare = token.split(" ", 1)[0].split("@", 1)[0]
        if token and " " not in token and "/" not in token and "." not in token and bare not in known:
            raise ValueError(f"source key {token!r} is not defined in [meta.sources]")
    return source.strip()


def _stage(value: Any) -> Stage:
    try:
        stage = Stage(value)
    except ValueError:
        raise ValueError(
            f"stage {value!r} does not exist; use one of "
            + ", ".join(s.value for s in Stage if s is not Stage.UNKNOWN)
        ) from None
    if stage is Stage.UNKNOWN:
        raise ValueError("`unknown` is the fallback, not a rule target")
    return stage


def _reason(value: Any) -> Reason | None:
    if value is None:
        return None
    try:
        return Reason(value)
    except ValueError:
        raise ValueError(
            f"reason {value!r} does not exist; use one of " + ", ".join(r.value for r in Reason)
        ) from None


class _Table(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, arbitrary_types_allowed=True)

    @field_validator("code", "phrase", mode="before", check_fields=False)
    @classmethod
    def _strings(cls, value: Any, info: ValidationInfo) -> tuple[str, ...]:
        return _as_tuple(value, str(info.field_name))

    @field_validator("source", mode="before", check_fields=False)
    @classmethod
    def _source(cls, value: Any, info: ValidationInfo) -> str:
        return check_source(value, (info.context or {}).get("sources", {}))

    @field_validator("reason", mode="before", check_fields=False)
    @classmethod
    def _reason(cls, value: Any) -> Reason | None:
        return _reason(value)


class RuleSpec(_Table):
    """One ``[[rule]]`` table (see docs/vocabulary-format.md)."""

    code: tuple[str, ...] = ()
    phrase: tuple[str, ...] = ()
    pattern: str | None = None
    stage: Stage
    reason: Reason | None = None
    fallback: bool = False
    context: str | None = None
    by_context: dict[str, Stage] = {}
    source: str
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("a rule is a table")
        extra = set(data) - set(cls.model_fields)
        if extra:
            raise ValueError(f"unknown fields {sorted(extra)}")
        if not (data.get("code") or data.get("phrase") or data.get("pattern")):
            raise ValueError("a rule needs a code, a phrase or a pattern")
        if data.get("pattern") is not None and not isinstance(data["pattern"], str):
            raise ValueError("pattern must be a string")
        by_context = data.get("by_context") or {}
        if not isinstance(by_context, dict):
            raise ValueError('by_context must be a table such as { inbound = "..." }')
        fallback = data.get("fallback", False)
        if not isinstance(fallback, bool):
            raise ValueError(f"fallback must be true or false, not {fallback!r}")
        if bool(data.get("context")) != bool(by_context):
            raise ValueError("`context` and `by_context` go together")
        if "source" not in data:
            raise ValueError("every rule needs a `source`")
        return data

    @field_validator("stage", mode="before")
    @classmethod
    def _target(cls, value: Any) -> Stage:
        return _stage(value)

    @field_validator("by_context", mode="before")
    @classmethod
    def _targets(cls, value: Any) -> dict[str, Stage]:
        return {str(k): _stage(v) for k, v in (value or {}).items()}


class ReasonSpec(_Table):
    """One ``[[reason]]`` table: a code or phrase that says why, with an optional stage."""

    code: tuple[str, ...] = ()
    phrase: tuple[str, ...] = ()
    reason: Reason
    stage: Stage | None = None
    source: str
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("a reason entry is a table")
        extra = set(data) - set(cls.model_fields)
        if extra:
            raise ValueError(f"unknown fields {sorted(extra)}")
        if not (data.get("code") or data.get("phrase")):
            raise ValueError("a reason entry needs a code or a phrase")
        if data.get("reason") is None:
            raise ValueError("`reason` is required")
        if "source" not in data:
            raise ValueError("every rule needs a `source`")
        return data

    @field_validator("stage", mode="before")
    @classmethod
    def _target(cls, value: Any) -> Stage | None:
        return None if value is None else _stage(value)


class Options(BaseModel):
    """``[meta.options]``: how this carrier's own rules take precedence (docs/vocabulary-format.md).

    Attributes:
        alt_codes: where a second code namespace (`Scan.alt_codes`, e.g. DHL Parcel Germany's
            legacy event codes) stands: ``after_text`` (a code+phrase rule with it beats the
            text; a rule for the code alone comes after the text's rules) or ``before_text`` (any
            rule for it beats the text).
        status_codes: which rules read a coarse status code (`Scan.status_code`, e.g. FedEx
            ``derivedStatusCode``): ``fallback_only`` (its own namespace: only fallback code
            rules) or ``any`` (every code rule).
        text_with_facility: a regular expression for facility names that say more than the text
            (USPS International Service Centers): when a scan's text alone says no more than "in
            transit" and its facility matches, the text with the facility appended is matched
            too, and wins when it finds a more specific rule. The event keeps its own text.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    alt_codes: Literal["after_text", "before_text"] = "after_text"
    status_codes: Literal["fallback_only", "any"] = "fallback_only"
    text_with_facility: str | None = None

    @field_validator("text_with_facility")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"text_with_facility is not a regular expression: {exc}") from None
        return value


DEFAULT_OPTIONS: Final = Options.model_construct()  # == Options(), without building the validator


def validated(model: type[_Table] | type[Options], raw: Any, where: str, sources: Mapping[str, str]) -> Any:
    """`raw` validated as `model`; a `VocabularyError` that says where and what otherwise."""
    try:
        return model.model_validate(raw, context={"sources": sources})
    except ValidationError as exc:
        raise VocabularyError(f"{where}: {_first_message(exc)}") from None


def _first_message(exc: ValidationError) -> str:
    errors = exc.errors()
    extra = [str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden"]
    if extra:
        return f"unknown fields {sorted(extra)}"
    first = errors[0]
    error = (first.get("ctx") or {}).get("error")
    if isinstance(error, ValueError):
        return str(error)
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def read_toml(resource: Path | Traversable, origin: str) -> dict[str, Any]:
    """A vocabulary file's TOML, or a `VocabularyError` naming what is wrong with it."""
    try:
        return tomlcache.loads(resource.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VocabularyError(f"cannot read vocabulary {origin}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise VocabularyError(f"{origin}: not UTF-8 text") from None
    except tomlcache.TOMLDecodeError as exc:
        raise VocabularyError(f"{origin}: invalid TOML: {exc}") from None


def as_tuple(value: Any, what: str) -> tuple[str, ...]:
    """A string or a list of strings as a tuple; a `VocabularyError` for anything else."""
    try:
        return _as_tuple(value, what)
    except ValueError as exc:
        raise VocabularyError(str(exc)) from None


def parts_of(
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
    names = as_tuple((data.get("meta") or {}).get("parts"), f"{origin}: [meta] parts")
    if names and base is None:
        raise VocabularyError(f"{origin}: [meta] parts need a file location to be relative to")
    for name in names:
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise VocabularyError(f"{origin}: part {name!r} must be a path inside the vocabulary's folder")
        resource: Path | Traversable = base  # type: ignore[assignment]
        for piece in name.split("/"):
            resource = resource / piece
        part_origin = f"{origin} part {name}"
        part = read_toml(resource, part_origin)
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
