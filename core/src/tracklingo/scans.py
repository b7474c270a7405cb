"""What an adapter reads from a carrier's response and hands to the core: `Reading`, `Shipment`,
`Scan`, `Place`.

An adapter's `Carrier.read` walks one API response and returns what it says, field by field, as
the carrier wrote it: no stage, no time zone, no place splitting, no number cleaning. The core's
event builder (`tracklingo.events`) does the rest, the same way for every carrier: it maps the
words through the vocabulary (`tracklingo.mapping`), resolves the time (`tracklingo.times`), turns
the place into a `Location` (`tracklingo.places`), cleans the number and builds the events.

Values are taken as written: a string (stripped by the core), a number where the carrier sends
one (read as its decimal text; a tracking number must be a string or an integer), or None. A
value of any other type makes its shipment a `NumberError` naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, NamedTuple, TypeAlias

from tracklingo.model import Handoff

__all__ = ["WORD_FIELDS", "NumberError", "Place", "PlaceTuple", "Reading", "Scan", "ScanTuple", "Shipment"]


@dataclass(frozen=True, slots=True)
class NumberError:
    """A per-number failure inside an otherwise good API response (e.g. number not found)."""

    tracking_number: str | None
    message: str
    code: str | None = None


class Place(NamedTuple):
    """Where a scan happened, in the carrier's words. Every part is optional.

    Attributes:
        city, region, postal_code, facility: as written.
        country: an ISO code or a country name ("GERMANY", "Korea, Republic of").
        country_name: a second spelling of the country, used when `country` is not recognised.
        label: a place written in a city field: a city, or a postal facility with its city and
            state ("OAK CREEK WI DISTRIBUTION CENTER", "ISC NEW YORK NY(USPS)", "TOKYO INT"); the
            core splits it (`tracklingo.places.split_label`).
        locality: a locality line: "LEIPZIG - GERMANY", "WILMINGTON, OH - USA", "Atlanta, GA,
            US", "Deutschland" (`tracklingo.places.split_locality`).

    Parts given explicitly win over what a label or locality says.
    """

    city: Any = None
    region: Any = None
    postal_code: Any = None
    country: Any = None
    facility: Any = None
    label: Any = None
    locality: Any = None
    country_name: Any = None


class Scan(NamedTuple):
    """One carrier event as the response states it.

    The first nine fields are what the stage is read from (`WORD_FIELDS`); the builder's memo is
    keyed by exactly those (with the shipment's direction), so nothing an adapter writes can make
    it answer wrongly.

    Attributes:
        code: the carrier's event code; kept on the event.
        text: the carrier's event text; kept on the event as its description.
        alt_texts: other texts of the event, tried in order when `text` matches no rule; the one
            that matches becomes the description (DHL sends a phrase in ``status`` when it has no
            ``description``).
        alt_codes: a second code namespace (DHL Parcel Germany's legacy event codes): a rule
            pairing one of them with the text beats the text alone, and a rule for one of them
            alone comes after the text's own rules. A code that decides becomes the event's code.
        status_code: a coarse status code in its own namespace (FedEx ``derivedStatusCode``),
            looked up among the vocabulary's fallback code rules only.
        status_text: the coarse status's text (FedEx ``derivedStatus``), tried after
            `status_code`.
        detail: a finer text (FedEx ``exceptionDescription``): when the stage found is only "in
            transit" (or nothing), a rule for this text with a more specific stage refines it.
        reason_code, reason_text: the keys of the vocabulary's reason table (``[[reason]]``): a
            hit sets the event's reason and, when the entry names one, its stage.
        place: where (`Place`).
        time: the timestamp as written (ISO 8601, with or without an offset), or a datetime.
        utc_offset: a UTC offset the carrier writes beside a local `time` (USPS ``GMTOffset``).
        utc_time: the same moment in UTC, written by the carrier beside `time` (USPS
            ``GMTTimestamp``): a cross-check, and the time when `time` is missing or unreadable.
        time_note: why there is no time, when `time` is None (else the core's own note).
        handoff: the next leg named by this scan itself (a flat record's handoff columns).
        raw: the carrier's own record, kept on the event (never copied).
    """

    code: Any = None
    text: Any = None
    alt_texts: tuple[str, ...] = ()
    alt_codes: tuple[str, ...] = ()
    status_code: Any = None
    status_text: Any = None
    detail: Any = None
    reason_code: Any = None
    reason_text: Any = None
    place: Place | tuple[Any, ...] | None = None  # a Place, or its fields as a plain tuple
    time: str | datetime | Any | None = None
    utc_offset: Any = None
    utc_time: Any = None
    time_note: str | None = None
    handoff: Handoff | None = None
    raw: Any = None


#: The `Scan` fields the stage is read from: the mapper's input, and its memo key.
WORD_FIELDS = Scan._fields[:9]

#: A `Scan`'s sixteen fields in order as a plain tuple: ``(code, text, alt_texts, alt_codes,
#: status_code, status_text, detail, reason_code, reason_text, place, time, utc_offset, utc_time,
#: time_note, handoff, raw)``. The core takes it wherever it takes a `Scan` (a `Scan` is exactly
#: that tuple, with names): a parser's loop over millions of events builds it without the cost of
#: a named tuple. Write it only in such a loop, with the field order beside it.
ScanTuple: TypeAlias = tuple[Any, ...]
#: A `Place`'s eight fields in order as a plain tuple: ``(city, region, postal_code, country,
#: facility, label, locality, country_name)``; taken wherever a `Place` is.
PlaceTuple: TypeAlias = tuple[Any, ...]
SCAN_SIZE: Final = len(Scan._fields)
PLACE_SIZE: Final = len(Place._fields)


@dataclass(slots=True, init=False)
class Shipment:
    """One tracking number's scans in a response, and what the response says about the shipment.

    Attributes:
        number: the tracking number as written (a string, or an integer some APIs send).
        scans: its scans, oldest first (the contract), or newest first with `newest_first`.
        newest_first: the response lists the scans newest first; the core reverses them.
        sort_by_time: the order in the response is not reliable (FedEx); the core sorts the
            events by time, oldest first, undated ones last (a stable sort, after any reversal).
        direction: ``inbound`` / ``outbound`` relative to the carrier's `home_country` when the
            response says it outright (USPS ``mailType``); else the core works it out from the
            number, `origin` / `destination` and the events' countries.
        origin, destination: where the shipment starts and ends, as the response states them: a
            country (ISO code or name) or a `Place`. A shipment that starts and ends in one country places
            its events without a country there for their time zone; otherwise a scan whose place is
            only a name of an end's city (a `Place` locality "SHARJAH - UNITED ARAB EMIRATES") takes
            that end's country.
        handoff: the next leg (another carrier's number): put on the events whose stage is
            `handed_to_last_mile`.
        choice: shipments with the same `choice` key are alternative records of one parcel (a
            number the carrier reused); the core keeps one (`tracklingo.events.pick`).
        empty_message: the `NumberError` text when the shipment yields no events (None: no error).
    """

    number: Any
    scans: Sequence[Scan | ScanTuple]
    newest_first: bool
    sort_by_time: bool
    direction: str | None
    origin: Any
    destination: Any
    handoff: Handoff | None
    choice: str | None
    empty_message: str | None

    def __init__(  # written out: a response makes one per number, and keyword defaults are costly
        self,
        number: Any,
        scans: Sequence[Scan | ScanTuple] = (),
        newest_first: bool = False,
        sort_by_time: bool = False,
        direction: str | None = None,
        origin: Any = None,
        destination: Any = None,
        handoff: Handoff | None = None,
        choice: str | None = None,
        empty_message: str | None = None,
    ) -> None:
        self.number = number
        self.scans = scans
        self.newest_first = newest_first
        self.sort_by_time = sort_by_time
        self.direction = direction
        self.origin = origin
        self.destination = destination
        self.handoff = handoff
        self.choice = choice
        self.empty_message = empty_message


@dataclass(slots=True, init=False)
class Reading:
    """What `Carrier.read` returns: the shipments of one response and its per-number errors."""

    shipments: list[Shipment]
    errors: list[NumberError]

    def __init__(
        self, shipments: list[Shipment] | None = None, errors: list[NumberError] | None = None
    ) -> None:
        self.shipments = shipments if shipments is not None else []
        self.errors = errors if errors is not None else []
