"""Event templates: the parsers' per-scan fast path.

A carrier's feed repeats itself: the same scan texts at the same facilities, thousands of times a
day. What a scan's text, code and place make of it (stage, status, reason, location, match) does not
depend on its tracking number or time, so a parser can build that once, as a fully validated event,
and stamp each later scan with the same text, code and place with its own number, time and raw
record (`stamp`). The key is what the parser read the mapping from, exactly
as the payload wrote it (never a time or a tracking number); the value is the template event.

Rules for a parser that uses them:

- the key holds every input the mapping depends on (text, code, place fields, direction, handoff…),
  and only str / None values (nested tuples allowed; `plain_key` says), so equal keys mean equal
  input;
- a miss builds the event the ordinary way and stores it; a hit stamps it;
- a test compares the fast path with ``carrier.templates.enabled = False`` on the carrier's fixtures
  and on fuzzed scans: the events must be equal.

The memo is bounded (cleared when full) and belongs to one carrier instance, so it always matches
that carrier's compiled vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, TypeVar, cast

from pydantic import BaseModel

from tracklingo.model import TrackingEvent, clean_tracking_number
from tracklingo.times import ResolvedTime

__all__ = ["EventTemplates", "construct", "plain_key", "stamp", "stamp_resolved"]

DEFAULT_SIZE: Final = 16384
_NOTHING: Final[Mapping[Hashable, Any]] = MappingProxyType({})


class EventTemplates:
    """A bounded memo from a parser's scan key to a template event (or a tuple holding one).

    ``enabled = False`` makes `get` always miss and `put` store nothing: the slow path only.
    """

    __slots__ = ("_memo", "enabled", "maxsize")

    def __init__(self, maxsize: int = DEFAULT_SIZE) -> None:
        self._memo: dict[Hashable, Any] = {}
        self.maxsize = maxsize
        self.enabled = True

    @property
    def lookup(self) -> Mapping[Hashable, Any]:
        """The memo itself, for a parser loop's direct ``.get`` (empty when disabled). Read it
        once per response, not per scan; write through `put`."""
        return self._memo if self.enabled else _NOTHING

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value` under `key` (the memo is emptied first when it is full)."""
        if not self.enabled:
            return
        if len(self._memo) >= self.maxsize:
            self._memo.clear()  # feeds repeat a few thousand scans; a full reset is rare and cheap
        self._memo[key] = value

    def clear(self) -> None:
        """Forget every template."""
        self._memo.clear()

    def __len__(self) -> int:
        return len(self._memo)


def plain_key(key: tuple[Any, ...]) -> bool:
    """True when `key` holds only str / None values (in nested tuples too): such keys are equal
    only for equal input, so a parser may store a template under it."""
    for value in key:
        if value.__class__ is tuple:
            if not plain_key(value):
                return False
        elif value is not None and value.__class__ is not str:
            return False
    return True


def _slot_setter(name: str) -> Callable[[Any, Any], None]:
    """The setter of one of `BaseModel`'s slots: what pydantic's ``__copy__`` sets with
    ``object.__setattr__``, called through the slot's descriptor (half the cost)."""
    descriptor = BaseModel.__dict__.get(name)
    setter = getattr(descriptor, "__set__", None)
    if setter is None:  # a pydantic without these slots: the generic way still works
        return lambda obj, value: object.__setattr__(obj, name, value)
    return cast(Callable[[Any, Any], None], setter)


_new = object.__new__
_set_dict = _slot_setter("__dict__")
_set_fields_set = _slot_setter("__pydantic_fields_set__")
_set_extra = _slot_setter("__pydantic_extra__")
_set_private = _slot_setter("__pydantic_private__")
#: A stamped event counts every field as set (as if all were passed); shared, never mutated:
#: pydantic copies the set before it changes one (``model_copy``).
_ALL_FIELDS: Final = set(TrackingEvent.model_fields)


_M = TypeVar("_M", bound=BaseModel)
_FIELD_SETS: dict[type[BaseModel], set[str]] = {}


def construct(cls: type[_M], values: dict[str, Any]) -> _M:
    """An instance of the pydantic model `cls` from `values` that already satisfy it: every field,
    in declaration order, each of its declared type and passing its constraints.

    The one place besides `stamp` where tracklingo builds a model without running its validator
    (pydantic's ``model_construct`` does the same, slower); callers state why their values are
    valid. The instance counts every field as set."""
    fields_set = _FIELD_SETS.get(cls)
    if fields_set is None:
        fields_set = _FIELD_SETS[cls] = set(cls.model_fields)
    model: _M = _new(cls)
    _set_dict(model, values)
    _set_fields_set(model, fields_set)
    _set_extra(model, None)
    _set_private(model, None)
    return model


def stamp(
    template: TrackingEvent,
    tracking_number: str,
    occurred_at: datetime | None,
    time_is_local: bool,
    time_note: str | None,
    raw: Any,
) -> TrackingEvent:
    """A copy of the validated `template` with one scan's number, time and raw record.

    `occurred_at` / `time_is_local` / `time_note` come from the time rules (`ResolvedTime`); a
    tracking number that is not a non-empty string goes through full validation (and fails it).

    What a scan's text, code and place make of it was validated once, in the template; the
    stamped fields are the number (cleaned here exactly as the model's validator cleans it), a
    time the core's time rules built (aware, or naive with `time_is_local`), and the raw record,
    which the model takes as is. No other field changes, so no check is skipped that could fail:
    the result equals ``TrackingEvent(**{**template_fields, **stamped_fields})``. Built the way
    pydantic's own ``__copy__`` builds a copy, at about a third of a validation's cost.
    """
    fields = template.__dict__.copy()
    fields["occurred_at"] = occurred_at
    fields["time_is_local"] = time_is_local
    fields["time_note"] = time_note
    fields["raw"] = raw
    if tracking_number.__class__ is not str:
        number = ""
    elif tracking_number.isdigit():  # most numbers: nothing to clean (clean_tracking_number)
        number = tracking_number
    else:
        number = clean_tracking_number(tracking_number)
    if not number:  # not a usable number: the model says why, exactly as it would have
        fields["tracking_number"] = tracking_number
        validated: TrackingEvent = TrackingEvent.__pydantic_validator__.validate_python(fields)
        return validated
    fields["tracking_number"] = number
    # `construct`'s four lines, inlined: one call less is 1.5% of a USPS scan (callgrind)
    event: TrackingEvent = _new(TrackingEvent)
    _set_dict(event, fields)
    _set_fields_set(event, _ALL_FIELDS)
    _set_extra(event, None)
    _set_private(event, None)
    return event


def stamp_resolved(
    template: TrackingEvent, tracking_number: str, when: ResolvedTime, raw: Any
) -> TrackingEvent:
    """`stamp` with a `ResolvedTime` from the time rules."""
    return stamp(template, tracking_number, when.when, when.is_local, when.note, raw)
