"""The canonical model: `Location`, `Handoff`, `TrackingEvent` (pydantic v2, frozen).

JSON goes in and out through `TrackingEvent.model_validate_json` / `event_to_json`, or the module-level
`EVENT_ADAPTER` / `EVENTS_ADAPTER` type adapters.
"""

# No ``from __future__ import annotations`` here: pydantic would then evaluate every field's
# annotation from its string when the class is created (a compile each, a few percent of
# ``tracklingo explain``). Annotations naming the class itself use ``Self``.
import contextlib
from datetime import UTC, datetime
from typing import Any, Final, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from tracklingo.checkdigits import clean_tracking_number
from tracklingo.taxonomy import STAGE_STATUS, MatchKind, Reason, Stage, Status
from tracklingo.times import check_time

__all__ = [
    "EVENTS_ADAPTER",
    "EVENT_ADAPTER",
    "Handoff",
    "Location",
    "TrackingEvent",
    "clean_tracking_number",
    "event_to_json",
]


class Location(BaseModel):
    """Where an event happened. Every part is optional; `country` is ISO 3166-1 alpha-2."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    facility: str | None = None

    def is_empty(self) -> bool:
        """True when no part is known."""
        return not (self.city or self.region or self.postal_code or self.country or self.facility)

    def label(self) -> str:
        """A short human label such as ``ISC NEW YORK NY(USPS), US`` or ``DENVER, CO 80203, US``."""
        parts = [p for p in (self.facility, self.city) if p]
        tail = " ".join(p for p in (self.region, self.postal_code) if p)
        if tail:
            parts.append(tail)
        if self.country:
            parts.append(self.country)
        return ", ".join(dict.fromkeys(parts))


class Handoff(BaseModel):
    """The next leg of a shipment: another carrier and the number it tracks the parcel under."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    carrier: str
    tracking_number: str | None = None

    @field_validator("carrier")
    @classmethod
    def _carrier_name(cls, value: str) -> str:
        return value.strip().lower()  # registered carrier names are lower case

    @field_validator("tracking_number")
    @classmethod
    def _strip_number(cls, value: str | None) -> str | None:
        return (clean_tracking_number(value) or None) if value is not None else None


_EMPTY_LOCATION: Final = Location.model_construct()  # == Location(), without building the validator


class TrackingEvent(BaseModel):
    """One carrier scan or status, mapped onto the taxonomy.

    `code` and `description` are exactly what the carrier sent; `match` says how the stage was
    found. `occurred_at` is timezone-aware when the carrier gave an offset or the location makes the
    zone certain; otherwise it is the carrier's naive local time with `time_is_local` set and
    `time_note` naming the assumption. It is `None` for the rare undated carrier event.
    `confidence` (0..1) and `evidence` (the words or known phrases it rests on) are set when the
    stage was inferred or borrowed by an open-world layer rather than read from the carrier's own
    rules; an exact rule leaves them unset.
    """

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    carrier: str = Field(min_length=1)
    tracking_number: str = Field(min_length=1)
    occurred_at: datetime | None = None
    time_is_local: bool = False
    time_note: str | None = None
    stage: Stage
    status: Status
    reason: Reason | None = None
    location: Location = _EMPTY_LOCATION
    code: str | None = None
    description: str = ""
    handoff: Handoff | None = None
    match: MatchKind
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    evidence: tuple[str, ...] | None = None
    needs_context: str | None = None
    raw: Any = None

    @model_validator(mode="before")
    @classmethod
    def _fill_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("status") is None and "stage" in data:
            with contextlib.suppress(ValueError):  # the field validator reports a bad stage
                data = {**data, "status": STAGE_STATUS[Stage(data["stage"])]}
        return data

    @model_validator(mode="after")
    def _check_status(self) -> Self:
        if STAGE_STATUS[self.stage] is not self.status:
            raise ValueError(
                f"status {self.status.value!r} does not belong to stage {self.stage.value!r}"
                f" (expected {STAGE_STATUS[self.stage].value!r})"
            )
        return self

    @field_validator("tracking_number")
    @classmethod
    def _strip_number(cls, value: str) -> str:
        return clean_tracking_number(value)

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _offset_with_seconds(cls, value: Any) -> Any:
        # pydantic reads offsets to the minute only; ours keep seconds ("+05:30:45", event_to_json)
        if value.__class__ is str and len(value) > 9 and value[-9] in "+-" and value[-6] == ":":
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                return value
        return value

    @field_validator("occurred_at")
    @classmethod
    def _plausible_time(cls, value: datetime | None) -> datetime | None:
        return check_time(value) if value is not None else None

    @property
    def dedup_key(self) -> tuple[str, str, str, str, str]:
        """(carrier, number, time, code, text): the same event from two feeds has the same key.

        An aware time counts as its instant (UTC), so one scan written with two offsets is one
        event; a naive local time stays as written (it is never equal to a UTC instant)."""
        when = self.occurred_at
        if when is None:
            stamp = ""
        elif when.tzinfo is None:
            stamp = when.isoformat()
        else:
            stamp = when.astimezone(UTC).isoformat()
        return (self.carrier, self.tracking_number, stamp, self.code or "", self.description)

    @property
    def is_unmapped(self) -> bool:
        """True when no vocabulary rule matched."""
        return self.match is MatchKind.UNMAPPED


EVENT_ADAPTER: Final = TypeAdapter(TrackingEvent)
#: Deferred like the models (`defer_build`): its validator is built on its first use.
EVENTS_ADAPTER: Final = TypeAdapter(list[TrackingEvent], config=ConfigDict(defer_build=True))


def event_to_json(event: TrackingEvent, *, include_raw: bool = False) -> bytes:
    """Serialise one event as compact JSON (no `None` fields; `raw` only when asked).

    A UTC offset with seconds is written exactly (``+05:30:45``): pydantic alone would cut it to
    the minute and move the instant."""
    exclude = None if include_raw else {"raw"}
    data: bytes = event.__pydantic_serializer__.to_json(event, exclude=exclude, exclude_none=True)
    when = event.occurred_at
    if when is not None and when.tzinfo is not None:
        offset = when.utcoffset()
        if offset is not None and offset.seconds % 60:
            cut = _DATETIME.dump_json(when)  # what pydantic wrote
            exact = b'"' + when.isoformat().encode() + b'"'
            data = data.replace(b'"occurred_at":' + cut, b'"occurred_at":' + exact, 1)
    return data


_DATETIME: Final = TypeAdapter(datetime, config=ConfigDict(defer_build=True))
