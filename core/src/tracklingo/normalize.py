"""The normalizer: feed records in, canonical events (or rejects) out, every record accounted for.

A record is a flat event (the design's JSON shape, or a CSV row with the same columns), an envelope
``{"carrier": ..., "payload": <raw API response>}``, a bare API response recognised by a plugin's
`sniff`, a hosted tracker's payload (AfterShip, 17TRACK, EasyPost, Shippo: recognised by its
shape, or named in ``{"peer": ..., "payload": ...}``; `tracklingo.interop.imports`), or a
canonical event (a record with `stage` and `match`, e.g. `normalize` output), which is validated
and passed through. Use `Normalizer` (or the `normalize` shortcut) from Python; the CLI is a
thin layer on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError

from tracklingo.carrier import Carrier
from tracklingo.checkdigits import clean_tracking_number
from tracklingo.detection import best_carrier
from tracklingo.errors import InputError, ParseError, TracklingoError
from tracklingo.events import mapper_for
from tracklingo.feeds import Record
from tracklingo.fields import FieldError, number_of
from tracklingo.guard import run_adapter
from tracklingo.model import Handoff, TrackingEvent
from tracklingo.openworld.layer import set_inference, settings_version
from tracklingo.plugins import Registry, load_carriers
from tracklingo.taxonomy import MatchKind

__all__ = [
    "FlatRecord",
    "NormalizeStats",
    "Normalizer",
    "Reject",
    "event_from_flat",
    "flat_record",
    "normalize",
]


@dataclass(frozen=True, slots=True)
class Reject:
    """An input record (or one number inside it) that produced no events, and why."""

    line: int
    reason: str
    record: Any = None
    source: str = "-"
    tracking_number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "reason": self.reason, "record": self.record}
        if self.source != "-":
            out["source"] = self.source
        if self.tracking_number:
            out["tracking_number"] = self.tracking_number
        return out


@dataclass
class NormalizeStats:
    """Counters for one run. Invariant: ``records_in == records_ok + records_rejected``.

    Events are counted apart by how their stage was found: `unmapped` (no rule and no layer had
    an answer: stage `unknown`), `inferred` (the inference layer read it from the words, with a
    confidence) and `borrowed` (another vocabulary's phrase, or a sentence form around a known
    status); the rest matched a rule of the carrier's own."""

    records_in: int = 0
    records_ok: int = 0
    records_rejected: int = 0
    events_out: int = 0
    unmapped: int = 0
    number_errors: int = 0
    unmapped_by_carrier: Counter[str] = field(default_factory=Counter)
    events_by_carrier: Counter[str] = field(default_factory=Counter)
    inferred: int = 0
    borrowed: int = 0
    inferred_by_carrier: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line for stderr (inferred and borrowed events when there are any)."""
        line = (
            f"records in {self.records_in} / events out {self.events_out} / rejected "
            f"{self.records_rejected} / unmapped {self.unmapped}"
        )
        if self.inferred:
            line += f" / inferred {self.inferred}"
        if self.borrowed:
            line += f" / borrowed {self.borrowed}"
        if self.number_errors:
            line += f" / number errors {self.number_errors}"
        ok = self.records_in == self.records_ok + self.records_rejected
        return line + (
            f" (in = ok {self.records_ok} + rejected {self.records_rejected})"
            if ok
            else " (ACCOUNTING MISMATCH)"
        )


_FLAT_KEYS = frozenset({"tracking_number", "timestamp", "description", "code"})


@dataclass(slots=True)  # not frozen: built per event, and frozen init costs ~3x
class FlatRecord:
    """A validated flat event record (fields: docs/formats.md)."""

    carrier: str
    tracking_number: str
    timestamp: str
    code: str | None
    description: str | None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    facility: str | None = None
    utc_offset: str | None = None
    handoff_carrier: str | None = None
    handoff_tracking_number: str | None = None
    raw: Mapping[str, Any] | None = None

    def handoff(self) -> Handoff | None:
        """The next leg named by the ``handoff_carrier`` / ``handoff_tracking_number`` columns."""
        if not self.handoff_carrier:
            return None
        return Handoff(carrier=self.handoff_carrier, tracking_number=self.handoff_tracking_number)

    def raw_copy(self, include_raw: bool) -> dict[str, Any] | None:
        """The record itself for the event's `raw`, when asked for."""
        return dict(self.raw) if include_raw and self.raw is not None else None


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value.__class__ is str:  # the common case, kept fast
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    raise InputError(f"field {key!r} must be a string")


def _number(data: Mapping[str, Any], key: str) -> str | None:
    try:
        return number_of(data.get(key), f"field {key!r}")
    except FieldError as exc:
        raise InputError(str(exc)) from None


def flat_record(data: Mapping[str, Any], carrier: str) -> FlatRecord:
    """Validate a flat record's fields; `InputError` says what is wrong."""
    get = data.get
    # the usual record: strings (stripped here, `number_of`'s and `_text`'s first case)
    number = get("tracking_number")
    number = (number.strip() or None) if number.__class__ is str else _number(data, "tracking_number")
    if not number:
        raise InputError("missing field 'tracking_number'")
    timestamp = get("timestamp")
    if timestamp is None or timestamp == "":
        raise InputError("missing field 'timestamp'")
    if not isinstance(timestamp, str):
        raise InputError("field 'timestamp' must be an ISO 8601 string")
    code = get("code")
    code = (code.strip() or None) if code.__class__ is str else _text(data, "code")
    said = get("description")
    description = (said.strip() or None) if said.__class__ is str else _text(data, "description")
    if code is None and description is None:
        raise InputError("record has neither 'code' nor 'description'")
    # the optional columns: a string or absent, mostly (`_text` reads anything else); a plain
    # loop, cheaper per record than a generator resumed once per column
    optional: list[str | None] = []
    append = optional.append
    for key in _OPTIONAL:
        value = get(key)
        if value is None:
            append(None)
        elif value.__class__ is str:
            append(value.strip() or None)
        else:
            append(_text(data, key))
    city, state, region, postal, country, facility, offset, handoff = optional
    handoff_number = get("handoff_tracking_number")
    return FlatRecord(  # positional, in field order: this runs once per feed line
        carrier,
        number,
        timestamp,
        code,
        description,
        city,
        state or region,
        postal,
        country,
        facility,
        offset,
        handoff,
        None if handoff_number is None else _number(data, "handoff_tracking_number"),
        data,
    )


_OPTIONAL: Final = (
    "city", "state", "region", "postal_code", "country", "facility", "utc_offset", "handoff_carrier",
)  # fmt: skip


def event_from_flat(carrier: Carrier, rec: FlatRecord, *, include_raw: bool = False) -> TrackingEvent:
    """Map one validated flat record to a canonical event (`Carrier.event_from_flat`: the
    adapter's `read_flat`, then the core's event builder)."""
    return carrier.event_from_flat(rec, include_raw=include_raw)


class Normalizer:
    """Turns records into events and rejects, keeping `stats`.

    Args:
        registry: the loaded carriers (default: `load_carriers()`).
        carrier: the carrier to assume for records that do not name one (default: detect it from
            the tracking number, and reject ambiguous numbers).
        include_raw: keep each flat record in its event's `raw` field. Events parsed from API
            responses always reference the carrier's own event object in `raw` (no copy is made);
            whether `raw` is written out is decided when serialising (`event_to_json`).
        infer: read a stage from the words of a text no vocabulary knows (the inference layer,
            `tracklingo.openworld`); False keeps tables only: such a text stays `unknown`. The
            setting is the carriers' mappers' (process-wide): each normalizer applies its own
            before a record whenever another changed it.
    """

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        carrier: str | None = None,
        include_raw: bool = False,
        infer: bool = True,
    ) -> None:
        self.registry = registry if registry is not None else load_carriers()
        self.infer = infer
        # the settings version this normalizer last applied (`sync_inference`): none yet, unless
        # nothing was ever switched and it wants the default (inference on)
        self._settings = 0 if infer and settings_version() == 0 else -1
        self.default_carrier = carrier.lower() if carrier else None
        if self.default_carrier:
            self.registry.get(self.default_carrier)  # fail early on an unknown --carrier
        self.include_raw = include_raw
        self.stats = NormalizeStats()
        self._carriers = list(self.registry)

    def sync_inference(self) -> bool:
        """Apply this normalizer's `infer` setting to every carrier's mapper if another normalizer
        (or `tracklingo.openworld.layer.set_inference`) changed it since; True when it did
        (`process` calls it; a caller that maps through the carriers' builders itself, as the
        batch path does, calls it before a batch)."""
        if self._settings == settings_version():
            return False
        for carrier in self._carriers:
            set_inference(mapper_for(carrier), self.infer)
        self._settings = settings_version()
        return True

    # -- one record ---------------------------------------------------------------------------

    def _carrier_for(self, data: Mapping[str, Any]) -> Carrier:
        name = data.get("carrier") or self.default_carrier
        if name:
            if not isinstance(name, str):
                raise InputError("field 'carrier' must be a string")
            return self.registry.get(name)
        number = _number(data, "tracking_number")
        number = clean_tracking_number(number) if number else None
        if not number:
            raise InputError("no 'carrier' and no 'tracking_number' to detect it from")
        found, why = best_carrier(number, self._carriers)
        if found is None:
            raise InputError(why or "carrier not detected")
        return self.registry.get(found)

    def _from_payload(
        self, payload: Any, carrier: Carrier | None
    ) -> tuple[Carrier, list[TrackingEvent], list[Any]]:
        if carrier is None:
            claims = [c for c in self._carriers if _safe_sniff(c, payload)]
            if not claims:
                raise InputError(
                    "not a flat event (no 'tracking_number') and no installed carrier recognises"
                    " it as an API response"
                )
            if len(claims) > 1:
                names = ", ".join(c.name for c in claims)
                raise InputError(f"API response claimed by several carriers ({names}); set 'carrier'")
            carrier = claims[0]
        try:
            result = carrier.parse(payload)  # guarded by the core: only ParseError leaves it
        except ParseError as exc:
            raise InputError(str(exc)) from None
        return carrier, result.events, list(result.errors)

    def process(self, record: Record) -> tuple[list[TrackingEvent], list[Reject]]:
        """Events and rejects for one record; updates `stats`."""
        if self._settings != settings_version():
            self.sync_inference()
        stats = self.stats
        stats.records_in += 1
        if record.data is None:
            stats.records_rejected += 1
            return [], [Reject(record.line, record.error or "unreadable record", record.raw, record.source)]
        data = record.data
        try:
            events, number_errors = self._events_for(data)
        except TracklingoError as exc:
            stats.records_rejected += 1
            return [], [Reject(record.line, str(exc), data, record.source)]
        except Exception as exc:  # a plugin bug must cost one record, not the feed
            stats.records_rejected += 1
            where = data.get("carrier") or self.default_carrier or "carrier"
            reason = f"{where} adapter failed on this record: {type(exc).__name__}: {exc}"
            return [], [Reject(record.line, reason, data, record.source)]
        rejects = [
            Reject(
                record.line,
                f"{e.message}" + (f" [{e.code}]" if e.code else ""),
                None,
                record.source,
                e.tracking_number,
            )
            for e in number_errors
        ]
        if not events:
            stats.records_rejected += 1
            if not rejects:
                rejects = [Reject(record.line, "the response holds no tracking events", data, record.source)]
            else:
                rejects = [Reject(r.line, r.reason, data, r.source, r.tracking_number) for r in rejects]
            return [], rejects
        stats.records_ok += 1
        stats.number_errors += len(rejects)
        stats.events_out += len(events)
        for event in events:
            stats.events_by_carrier[event.carrier] += 1
            match = event.match
            if match is MatchKind.UNMAPPED:
                stats.unmapped += 1
                stats.unmapped_by_carrier[event.carrier] += 1
            elif match is MatchKind.INFERRED:
                stats.inferred += 1
                stats.inferred_by_carrier[event.carrier] += 1
            elif match is MatchKind.CROSS_CARRIER or match is MatchKind.SENTENCE_FORM:
                stats.borrowed += 1
        return events, rejects

    def _events_for(self, data: Mapping[str, Any]) -> tuple[list[TrackingEvent], list[Any]]:
        if "stage" in data and "match" in data:  # already canonical (e.g. `normalize` output)
            try:
                return [TrackingEvent.model_validate(data)], []
            except ValidationError as exc:
                raise InputError(invalid_canonical(exc)) from None
        if "payload" in data:
            if "peer" in data:  # {"peer": "aftership", "payload": ...}
                return self._from_peer(data["payload"], data["peer"])
            named = data.get("carrier") or None
            if not named and _peer_of(data["payload"]) is not None:
                return self._from_peer(data["payload"], None)
            named = named or self.default_carrier
            carrier = self.registry.get(named) if isinstance(named, str) and named else None
            _, events, errors = self._from_payload(data["payload"], carrier)
            return events, errors
        if _FLAT_KEYS.isdisjoint(data.keys()):  # no set built per record
            if _peer_of(data) is not None:  # its own `carrier` field (EasyPost, Shippo) names no plugin
                return self._from_peer(data, None)
            named = data.get("carrier") or None
            carrier = self.registry.get(named) if isinstance(named, str) and named else None
            _, events, errors = self._from_payload(data, carrier)
            return events, errors
        if "timestamp" not in data and _peer_of(data) is not None:  # a bare tracking object
            return self._from_peer(data, None)
        carrier = self._carrier_for(data)
        rec = flat_record(data, carrier.name)
        # `event_from_flat(carrier, rec)` without its wrapper call: this runs once per feed line
        return [carrier.event_from_flat(rec, include_raw=self.include_raw)], []

    def _from_peer(self, payload: Any, peer: Any) -> tuple[list[TrackingEvent], list[Any]]:
        """A hosted tracker's payload (`tracklingo.interop.imports.read_peer`)."""
        from tracklingo.interop.imports import read_peer  # the interop package loads on first use

        if peer is not None and not isinstance(peer, str):
            raise InputError("field 'peer' must be a string")
        result = read_peer(payload, self._carriers, peer)
        return result.events, list(result.errors)

    # -- many records -------------------------------------------------------------------------

    def run(self, records: Iterable[Record]) -> Iterator[TrackingEvent | Reject]:
        """Yield events and rejects for every record, in input order."""
        for record in records:
            events, rejects = self.process(record)
            yield from events
            yield from rejects


def invalid_canonical(exc: ValidationError) -> str:
    """One line for a record that looks canonical but does not validate."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"invalid canonical event: {where}: {first['msg']}{more}"


def _peer_of(payload: Any) -> str | None:
    """The hosted tracker whose payload this is (`tracklingo.interop.sniff_peer`), or None."""
    from tracklingo.interop.readers import sniff_peer  # the interop package loads on first use

    return sniff_peer(payload)


def _safe_sniff(carrier: Carrier, payload: Any) -> bool:
    try:
        return bool(run_adapter(carrier.name, "sniff()", carrier.sniff, payload))
    except (ParseError, TypeError, ValueError):  # a broken sniff claims nothing
        return False


def normalize(
    records: Iterable[Record | Mapping[str, Any]],
    *,
    registry: Registry | None = None,
    carrier: str | None = None,
    include_raw: bool = False,
) -> Iterator[TrackingEvent | Reject]:
    """Stream canonical events and rejects for `records` (dicts or `feeds.Record`s).

    >>> from tracklingo import normalize, read_records          # doctest: +SKIP
    >>> for item in normalize(read_records("feed.jsonl")): ...  # doctest: +SKIP
    """
    normalizer = Normalizer(registry, carrier=carrier, include_raw=include_raw)
    for i, rec in enumerate(records, 1):
        record = rec if isinstance(rec, Record) else Record(i, dict(rec))
        events, rejects = normalizer.process(record)
        yield from events
        yield from rejects
