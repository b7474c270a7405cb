"""The carrier adapter contract: `Carrier`, the abstract base class every plugin subclasses.

An adapter teaches tracklingo one carrier. It declares who the carrier is (class attributes) and
implements the hooks below; everything else is the core's. The hooks are documented where they are
declared, the way pytest documents its hookspecs: what the core calls, when, with what, and what it
expects back.

What an adapter does **not** do: map words to stages, resolve times, split places, clean numbers,
order events or catch its own exceptions. Its `read` walks the carrier's response and hands the core
what it says (`tracklingo.scans`); `Carrier.parse`, the core's template method, guards that walk
(`tracklingo.guard`: only `ParseError` leaves it) and builds the events (`tracklingo.events`).
Everything a plugin may import from the core is in `tracklingo.adapter`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final

from tracklingo.checkdigits import parse_s10
from tracklingo.errors import ConfigError, ParseError
from tracklingo.events import ParseResult, builder_for
from tracklingo.guard import run_adapter
from tracklingo.model import Handoff, Location, TrackingEvent
from tracklingo.scans import NumberError, Place, Reading, Scan, Shipment
from tracklingo.taxonomy import STAGE_STATUS, MatchKind, Reason, Stage
from tracklingo.times import MidnightRule
from tracklingo.vocabulary import Vocabulary

if TYPE_CHECKING:
    from tracklingo.http.protocol import TrackingClient
    from tracklingo.normalize import FlatRecord

__all__ = ["Carrier", "Contact", "NumberError", "ParseResult"]

#: Methods of `Carrier` that belong to the core: an adapter implements the hooks instead.
CORE_METHODS: Final = ("parse", "event_from_flat")


@dataclass(frozen=True, slots=True)
class Contact:
    """A way to reach a carrier: for the advisor's escalation ladder."""

    label: str
    phone: str | None = None
    url: str | None = None
    country: str | None = None  # ISO alpha-2 where this contact applies; None = everywhere
    note: str | None = None


class Carrier(ABC):
    """Base class of carrier adapters. Subclass it, set the class attributes, implement the hooks.

    Identity (class attributes):
        name: the registered name, lower case (``"usps"``).
        display_name: what people call it (``"USPS"``); notes about its times use it too.
        contacts: escalation contact points (`Contact`), for the advisor.
        tracking_url: its public tracking page, with ``{number}`` where the number goes.
        vocabulary_path: its ``vocabulary.toml`` (docs/vocabulary-format.md).
        home_country: the ISO code its direction-dependent rules are relative to ("US" for
            USPS: inbound = entering the US), or None.
        advice_overrides: advice copy or dwell thresholds that differ for this carrier, by stage
            (the tables of ``data/advice.toml``; read by the advisor).

    Time options (class attributes; the rules themselves are the core's, `tracklingo.times`):
        trusts_z: False when the carrier writes local wall-clock times with a ``Z``.
        midnight: a `tracklingo.times.MidnightRule` when its midnight can be a date placeholder.
        time_names: what the carrier calls its time and its UTC time (for notes).

    Hooks (methods to implement): `detect` (required), `read` and `sniff` (for API responses),
    `read_flat` (to read extra flat-record columns), `client` (an API client).
    """

    name: ClassVar[str]
    display_name: ClassVar[str]
    home_country: ClassVar[str | None] = None
    contacts: ClassVar[tuple[Contact, ...]] = ()
    tracking_url: ClassVar[str | None] = None
    vocabulary_path: ClassVar[Path | None] = None
    advice_overrides: ClassVar[Mapping[str, Mapping[str, Any]]] = MappingProxyType({})
    trusts_z: ClassVar[bool] = True
    midnight: ClassVar[MidnightRule | None] = None
    time_names: ClassVar[tuple[str, str]] = ("timestamp", "UTC time")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = [m for m in CORE_METHODS if m in cls.__dict__]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides Carrier.{overridden[0]}, which belongs to the core;"
                " implement read() (and read_flat()) instead: they return what the payload says"
                " (tracklingo.adapter.Reading / Shipment / Scan) and the core builds the events"
            )

    # -- the hooks an adapter implements --------------------------------------------------------

    @abstractmethod
    def detect(self, tracking_number: str) -> float:
        """How sure (0..1) the adapter is that a tracking number is this carrier's.

        Called with the number already cleaned (no spaces, dashes or dots; upper case). Check
        digits count most: a format with a check digit gives a high confidence only when the digit
        is right, and a low one (below `tracklingo.detection.MIN_CONFIDENCE`) when it is wrong.
        A format shared with other carriers, or only a generic pattern (N digits and a common check
        digit), stays below `tracklingo.detection.ASSIGN_CONFIDENCE`: the core then calls the number
        "possible" and never assigns a record to it unasked. Must not raise (the core guards it).
        """

    def read(self, payload: Any) -> Reading:
        """Walk one API response and return what it says (`Reading`): per tracking number a
        `Shipment` whose `Scan`s hold the carrier's words, place parts and time exactly as written,
        and per-number errors (`NumberError`: "not found", with the carrier's own text).

        Called by `Carrier.parse` with a decoded JSON value (or the raw text). Pure: no I/O, no
        clock, no state kept between calls; never modify the payload. List a shipment's scans
        oldest first, or say how the response orders them (`Shipment.newest_first`,
        `Shipment.sort_by_time`): every shipment's events leave the core oldest first. Raise
        `ParseError` for a payload that is not this carrier's response; anything else a read
        raises is turned into a `ParseError` by the core (and the conformance kit reports it).
        The default: this carrier has no API response parser.
        """
        raise ParseError(self.name, "this carrier has no API response parser")

    def sniff(self, payload: Any) -> bool:
        """True when `payload` (a decoded JSON value) is one of this carrier's API responses.

        Called for records that name no carrier; test keys only this API has. Must not raise.
        """
        return False

    def read_flat(self, record: FlatRecord) -> Shipment:
        """One flat feed record (the standard columns, validated) as a `Shipment` of one `Scan`.

        Override to read the carrier's extra columns (``record.raw`` holds the whole record) or to
        say how the carrier writes a column (a place label in ``city``); call this default and
        ``Scan._replace`` what differs. The core sets the scan's `raw` itself.
        """
        # positional, in field order (see `Scan` and `Place`): this runs once per feed line
        place = Place(record.city, record.region, record.postal_code, record.country, record.facility)
        scan = Scan(
            record.code, record.description, (), (), None, None, None, None, None,
            place, record.timestamp, record.utc_offset, None, None, record.handoff(),
        )  # fmt: skip
        return Shipment(record.tracking_number, [scan])

    def client(self, **options: Any) -> TrackingClient:
        """An API client for this carrier: a `TrackingClient` (``track(numbers)``, ``batch_size``,
        ``close()``), usually a subclass of the core's httpx base (`tracklingo.adapter.CarrierClient`).
        `options` are the client's own (``sleep=`` for tests, base URL, timeouts...). The default:
        this carrier has no API client (`ConfigError`).
        """
        raise ConfigError(f"{self.name}: this carrier has no API client")

    # -- the core's side ---------------------------------------------------------------------------

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The compiled vocabulary (loaded once from `vocabulary_path`)."""
        if self.vocabulary_path is None:
            return Vocabulary(self.name, ())
        return Vocabulary.from_toml(self.vocabulary_path)

    def parse(self, payload: Any) -> ParseResult:
        """Events and per-number errors of one raw API response. Raises only `ParseError`.

        The core's template method: `read` (guarded: whatever it raises becomes a `ParseError`),
        then the event builder (`tracklingo.events`). Every shipment's events come out oldest
        first. Not to be overridden."""
        builder = builder_for(self)  # outside the guard: a broken vocabulary is not the payload's fault
        reading = run_adapter(self.name, "read()", self.read, payload)
        return builder.reading(reading)

    def event_from_flat(self, rec: FlatRecord, *, include_raw: bool = False) -> TrackingEvent:
        """One validated flat feed record → its event (`read_flat`, guarded, then the builder).
        `InputError` when the record cannot be read (a bad timestamp: a reject)."""
        builder = builder_for(self)
        shipment = run_adapter(self.name, "read_flat()", self.read_flat, rec)
        if shipment.__class__ is not Shipment or len(shipment.scans) != 1:
            raise ParseError(self.name, "the adapter's read_flat() must return a Shipment of one Scan")
        return builder.flat(shipment, rec.raw_copy(include_raw))

    def make_event(
        self,
        *,
        tracking_number: str,
        when: str | datetime | None,
        text: str | None,
        code: str | None = None,
        location: Mapping[str, Any] | Location | None = None,
        context: Mapping[str, str] | None = None,
        stage: Stage | None = None,
        reason: Reason | None = None,
        handoff: Handoff | None = None,
        raw: Any = None,
    ) -> TrackingEvent:
        """One event from keyword parts, through the core's event builder: for tools and tests
        (an adapter's `read` hands its scans over instead). `location` holds place parts (a
        country may be a name); ``context={"direction": ...}`` is the shipment's direction;
        `stage` / `reason` replace what the mapping found. `InputError` for unusable parts."""
        if isinstance(location, Location):
            location = location.model_dump(exclude_none=True)
        parts = dict(location or {})
        place = Place(
            city=parts.get("city"),
            region=parts.get("region"),
            postal_code=parts.get("postal_code"),
            country=parts.get("country"),
            facility=parts.get("facility"),
        )
        scan = Scan(code=code, text=text, place=place, time=when, handoff=handoff, raw=raw)
        direction = (context or {}).get("direction")
        event = builder_for(self).one(Shipment(tracking_number, [scan], direction=direction))
        update: dict[str, Any] = {}
        if stage is not None and stage is not event.stage:
            update.update(stage=stage, status=STAGE_STATUS[stage], needs_context=None)
            if event.match is MatchKind.UNMAPPED:
                update["match"] = MatchKind.CODE
        if reason is not None:
            update["reason"] = reason
        return event.model_copy(update=update) if update else event

    def link(self, tracking_number: str) -> str | None:
        """The carrier's public tracking page for a number, if it has one."""
        return self.tracking_url.format(number=tracking_number) if self.tracking_url else None

    def contacts_for(self, country: str | None = None) -> tuple[Contact, ...]:
        """Contacts that apply in `country` (country-specific first, then general ones)."""
        specific = tuple(c for c in self.contacts if country and c.country == country)
        general = tuple(c for c in self.contacts if c.country is None)
        return specific + general or self.contacts

    def direction_of(self, tracking_number: str) -> str | None:
        """``inbound``/``outbound`` relative to `home_country` when the number makes it certain:
        a valid UPU S10 number names its issuing (origin) country."""
        if self.home_country is None:
            return None
        s10 = parse_s10(tracking_number)
        if s10 is None or not s10.valid:
            return None
        return "outbound" if s10.country == self.home_country else "inbound"

    def __repr__(self) -> str:
        return f"<Carrier {self.name}>"
