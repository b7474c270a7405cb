"""The one place where tracklingo builds pydantic models without running their validators.

The event builder (`tracklingo.events`) makes every field of an event itself, from values that
already satisfy the model: enums from the taxonomy, a `Location` from this module, a tracking
number cleaned by `clean_tracking_number`, a time from the core's time rules, strings. Running
pydantic's validator on them again would cost more than everything else the builder does, so it
builds the instance the way pydantic's own ``model_construct`` and ``__copy__`` do: a new object
whose four slots (``__dict__``, ``__pydantic_fields_set__``, ``__pydantic_extra__``,
``__pydantic_private__``) are set directly, through the slots' descriptors.

That depends on pydantic's internals. `check_pydantic_internals` says whether they are still what
this module expects, and ``core/tests/test_construct.py`` fails loudly (naming this module) when a
pydantic upgrade changes them; nothing outside this module writes pydantic slots.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

from pydantic import BaseModel

from tracklingo.model import TrackingEvent

__all__ = ["SLOTS", "check_pydantic_internals", "construct", "new_event"]

#: The slots of `BaseModel` this module sets, in the order pydantic's ``__copy__`` sets them.
SLOTS: Final = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")

_M = TypeVar("_M", bound=BaseModel)


def _setter(name: str) -> Callable[[Any, Any], None]:
    descriptor = BaseModel.__dict__.get(name)
    setter = getattr(descriptor, "__set__", None)
    if setter is None:  # not a slot any more: the generic way (check_pydantic_internals says so)
        return lambda obj, value: object.__setattr__(obj, name, value)
    return cast(Callable[[Any, Any], None], setter)


_new = object.__new__
_set_dict, _set_fields_set, _set_extra, _set_private = (_setter(name) for name in SLOTS)
_FIELD_SETS: dict[type[BaseModel], set[str]] = {}
_EVENT_FIELDS: Final = set(TrackingEvent.model_fields)


def construct(cls: type[_M], values: dict[str, Any]) -> _M:
    """An instance of the pydantic model `cls` holding `values`, without validation.

    `values` must hold every field of `cls`, in declaration order, each of its declared type and
    passing its constraints; the caller states why. The instance counts every field as set (as if
    each was passed), and shares one fields-set object per class: pydantic copies it before it
    changes one (``model_copy``)."""
    fields_set = _FIELD_SETS.get(cls)
    if fields_set is None:
        fields_set = _FIELD_SETS[cls] = set(cls.model_fields)
    model: _M = _new(cls)
    _set_dict(model, values)
    _set_fields_set(model, fields_set)
    _set_extra(model, None)
    _set_private(model, None)
    return model


def new_event(values: dict[str, Any]) -> TrackingEvent:
    """`construct` for `TrackingEvent` (the event builder's, once per event): the same four slots
    set, without looking the class's fields-set up."""
    event: TrackingEvent = _new(TrackingEvent)
    _set_dict(event, values)
    _set_fields_set(event, _EVENT_FIELDS)
    _set_extra(event, None)
    _set_private(event, None)
    return event


def check_pydantic_internals() -> list[str]:
    """What no longer holds of the pydantic internals `construct` relies on (empty when all do)."""
    problems = []
    slots = getattr(BaseModel, "__slots__", ())
    for name in SLOTS:
        if name not in slots:
            problems.append(f"BaseModel.__slots__ has no {name!r}")
        if not hasattr(BaseModel.__dict__.get(name), "__set__"):
            problems.append(f"BaseModel.{name} is not a settable slot descriptor")
    return problems
