"""The `Carrier` adapter base class that every plugin subclasses, and what its methods return.

A carrier provides: a name and display name, contact points for escalation, a tracking-page link, a
declarative vocabulary, `parse` for its API responses (pure), `sniff` to recognise them, `detect` for
its tracking numbers, and `client` for its API. `make_event` turns one carrier event into a canonical
`TrackingEvent` through the vocabulary and the time rules, so parsers stay short.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from tracklingo.checkdigits import parse_s10
from tracklingo.countries import country_code
from tracklingo.errors import ConfigError, ParseError
from tracklingo.model import Handoff, Location, TrackingEvent
from tracklingo.taxonomy import STAGE_STATUS, MatchKind, Reason, Stage
from tracklingo.templates import EventTemplates, construct
from tracklingo.times import ResolvedTime, resolve_time
from tracklingo.vocabulary import Vocabulary

if TYPE_CHECKING:
    from tracklingo.normalize import FlatRecord

__all__ = ["Carrier", "Contact", "NumberError", "ParseResult", "build_location"]


@dataclass(frozen=True, slots=True)
class Contact:
    """A way to reach a carrier: for the advisor's escalation ladder."""

    label: str
    phone: str | None = None
    url: str | None = None
    country: str | None = None  # ISO alpha-2 where this contact applies; None = everywhere
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NumberError:
    """A per-number failure inside an otherwise good API response (e.g. number not found)."""

    tracking_number: str | None
    message: str
    code: str | None = None


@dataclass(slots=True)
class ParseResult:
    """What `Carrier.parse` returns: the events it found and the numbers it could not track."""

    events: list[TrackingEvent] = field(default_factory=list)
    errors: list[NumberError] = field(default_factory=list)


class Carrier:
    """Base class for carrier adapters. Subclass it, set the class attributes, override methods.

    Class attributes:
        name: registered name, lower case (``"usps"``).
        display_name: what people call it (``"USPS"``).
        home_country: ISO code the carrier's direction-dependent rules are relative to, if any.
        contacts: escalation contact points.
        tracking_url: the public tracking page with ``{number}`` where the number goes.
        vocabulary_path: the carrier's ``vocabulary.toml``.
        trusts_z: ``False`` for carriers that write local wall-clock times with a ``Z``.
    """

    name: ClassVar[str]
    display_name: ClassVar[str]
    home_country: ClassVar[str | None] = None
    contacts: ClassVar[tuple[Contact, ...]] = ()
    tracking_url: ClassVar[str | None] = None
    vocabulary_path: ClassVar[Path | None] = None
    trusts_z: ClassVar[bool] = True

    # -- what a plugin provides ------------------------------------------------------------

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The compiled vocabulary (loaded once from `vocabulary_path`)."""
        if self.vocabulary_path is None:
            return Vocabulary(self.name, ())
        return Vocabulary.from_toml(self.vocabulary_path)

    @cached_property
    def templates(self) -> EventTemplates:
        """This carrier's event templates: the parsers' memo of what a scan's text, code and place
        map to (see `tracklingo.templates`). Set ``templates.enabled = False`` to bypass it."""
        return EventTemplates()

    def parse(self, payload: Any) -> ParseResult:
        """Turn one raw API response into events. Pure; raises only `ParseError`."""
        raise ParseError(self.name, "this carrier has no API response parser")

    def sniff(self, payload: Any) -> bool:
        """True when `payload` is one of this carrier's raw API responses."""
        return False

    def detect(self, tracking_number: str) -> float:
        """Confidence 0..1 that the number is this carrier's (check digits count most)."""
        return 0.0

    def client(self, **options: Any) -> Any:
        """An API client for this carrier (built on `tracklingo.http`)."""
        raise ConfigError(f"{self.name}: this carrier has no API client")

    def event_from_flat(self, rec: FlatRecord, *, include_raw: bool = False) -> TrackingEvent:
        """One validated flat feed record → event. Override to read extra columns."""
        from tracklingo.normalize import default_event_from_flat

        return default_event_from_flat(self, rec, include_raw=include_raw)

    def link(self, tracking_number: str) -> str | None:
        """The carrier's public tracking page for a number, if it has one."""
        return self.tracking_url.format(number=tracking_number) if self.tracking_url else None

    def contacts_for(self, country: str | None = None) -> tuple[Contact, ...]:
        """Contacts that apply in `country` (country-specific first, then general ones)."""
        specific = tuple(c for c in self.contacts if country and c.country == country)
        general = tuple(c for c in self.contacts if c.country is None)
        return specific + general or self.contacts

    # -- helpers for parsers ---------------------------------------------------------------

    def direction_of(self, tracking_number: str) -> str | None:
        """``inbound``/``outbound`` relative to `home_country` when the number makes it certain.

        A valid UPU S10 number names its issuing (origin) country: issued at home means leaving,
        issued abroad means entering.
        """
        if self.home_country is None:
            return None
        s10 = parse_s10(tracking_number)
        if s10 is None or not s10.valid:
            return None
        return "outbound" if s10.country == self.home_country else "inbound"

    def make_event(
        self,
        *,
        tracking_number: str,
        when: ResolvedTime | datetime | str | None,
        text: str | None,
        code: str | None = None,
        location: Location | Mapping[str, Any] | None = None,
        context: Mapping[str, str] | None = None,
        reason: Reason | None = None,
        stage: Stage | None = None,
        handoff: Handoff | None = None,
        raw: Any = None,
        match_text: str | None = None,
        fallback_code: str | None = None,
    ) -> TrackingEvent:
        """Build one canonical event: vocabulary lookup, captured location, time rules.

        `location` may be a `Location` or a mapping with ``city``, ``region``, ``postal_code``,
        ``country`` (a name or code) and ``facility``. `reason` / `stage` override what the
        vocabulary says (e.g. from an exception code's reason table). `match_text`, when given, is
        what the vocabulary matches instead of `text` (e.g. the text joined with a facility name);
        the event's `description` stays `text`, exactly as the carrier wrote it. `fallback_code` is
        a coarse status code looked up only among fallback rules (see `Vocabulary.resolve`).
        """
        res = self.vocabulary.resolve(
            match_text if match_text is not None else text, code, context, fallback_code
        )
        loc = _merge_location(location, res.captured)
        if isinstance(when, ResolvedTime):
            resolved = when
        else:
            resolved = resolve_time(when, country=loc.country, region=loc.region, trust_z=self.trusts_z)
        final_stage = stage or res.stage
        match = res.match
        if stage is not None and res.match is MatchKind.UNMAPPED:
            match = MatchKind.CODE
        # Only non-default values are passed: pydantic validates absent defaults for free.
        fields: dict[str, Any] = {
            "carrier": self.name,
            "tracking_number": tracking_number,
            "occurred_at": resolved.when,
            "stage": final_stage,
            "status": STAGE_STATUS[final_stage],
            "match": match,
            "description": text or "",
        }
        if resolved.is_local:
            fields["time_is_local"] = True
        if resolved.note is not None:
            fields["time_note"] = resolved.note
        final_reason = reason or res.reason
        if final_reason is not None:
            fields["reason"] = final_reason
        if not loc.is_empty():
            fields["location"] = loc
        if code is not None:
            fields["code"] = code
        if handoff is not None:
            fields["handoff"] = handoff
        if stage is None and res.needs_context is not None:
            fields["needs_context"] = res.needs_context
        if raw is not None:
            fields["raw"] = raw
        return _validate_event(fields)  # TrackingEvent(**fields) without the Python __init__ hop

    def __repr__(self) -> str:
        return f"<Carrier {self.name}>"


_LOCATION_FIELDS = ("city", "region", "postal_code", "country", "facility")


def build_location(parts: Mapping[str, Any]) -> Location:
    """A `Location` from ``city``/``region``/``postal_code``/``country`` (name or code)/``facility``
    parts, memoised: parsers that see the same places over and over build each once."""
    return _merge_location(parts, _NO_CAPTURE)


_NO_CAPTURE: Mapping[str, str] = MappingProxyType({})


def _merge_location(location: Location | Mapping[str, Any] | None, captured: Mapping[str, str]) -> Location:
    """The event's location: the payload's parts, completed by what a pattern captured."""
    if isinstance(location, Location):
        if not captured:
            return location
        location = location.model_dump(exclude_none=True)
    get = (location or {}).get
    if captured:
        grab = captured.get
        parts = tuple(get(key) or grab(key) for key in _LOCATION_FIELDS)
    else:
        parts = (get("city"), get("region"), get("postal_code"), get("country"), get("facility"))
    cached = _LOCATIONS.get(parts)
    if cached is not None:
        return cached
    values = [
        None if value is None else ((value if value.__class__ is str else str(value)).strip() or None)
        for value in parts
    ]
    if values[3] is not None:
        values[3] = country_code(values[3])  # ISO alpha-2 from the tables, or None
    built = _location(values)
    if len(_LOCATIONS) >= 8192:  # payloads repeat places; a small bounded memo is enough
        _LOCATIONS.clear()
    _LOCATIONS[parts] = built
    return built


def _location(values: list[str | None]) -> Location:
    """A `Location` from stripped, non-empty strings (or None) in field order. Every field is a
    plain string and the country comes from `country_code`'s ISO table, so the model's checks
    cannot fail: built without re-validation (`tracklingo.templates.construct`), except for a
    country that is not two capital letters, which the model rejects as usual."""
    country = values[3]
    if country is not None and not (len(country) == 2 and country.isascii() and country.isupper()):
        return _validate_location({k: v for k, v in zip(_LOCATION_FIELDS, values, strict=True) if v})
    return construct(Location, dict(zip(_LOCATION_FIELDS, values, strict=True)))


_LOCATIONS: dict[tuple[Any, ...], Location] = {}


# Full pydantic validation, called directly: the same as `Model(**fields)` minus the wrapper
# frame of `BaseModel.__init__` (measurable at one call per event).
def _validate_event(fields: dict[str, Any]) -> TrackingEvent:
    event: TrackingEvent = TrackingEvent.__pydantic_validator__.validate_python(fields)
    return event


def _validate_location(fields: dict[str, Any]) -> Location:
    location: Location = Location.__pydantic_validator__.validate_python(fields)
    return location
