"""The one place where tracklingo builds pydantic models without running their validators.

The event builder (`tracklingo.events`) makes every field of an event itself, from values that
already satisfy the model: enums from the taxonomy, a `Location` from this module, a tracking
number cleaned by `clean_tracking_number`, a time from the core's time rules, strings. Running
pydantic's validator on them again would cost more than everything else the builder does, so it
builds the instance the way pydantic's own ``model_construct`` and ``__copy__`` do: a new object
whose four slots (``__dict__``, ``__pydantic_fields_set__``, ``__pydantic_extra__``,
``__pydantic_private__``) are set directly, through the slots' descriptors.

It also keeps validated models in the on-disk cache (`cached_model`): `plain` turns a validated
model into plain values (`marshal` stores them), `rebuild` turns those back into the same model
with `construct`, led by the classes' field annotations. The advisor's catalogs and advice book
load this way, so a warm start validates neither.

That depends on pydantic's internals. `check_pydantic_internals` says whether they are still what
this module expects, and ``core/tests/test_construct.py`` fails loudly (naming this module) when a
pydantic upgrade changes them; nothing outside this module writes pydantic slots.
"""

from __future__ import annotations

import hashlib
import types
import typing
from collections.abc import Callable, Collection
from enum import Enum
from typing import Any, Final, TypeVar, cast

from pydantic import BaseModel

from tracklingo import tomlcache
from tracklingo.model import TrackingEvent

__all__ = ["SLOTS", "cached_model", "check_pydantic_internals", "construct", "new_event", "plain", "rebuild"]

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


def construct(cls: type[_M], values: dict[str, Any], fields_set: set[str] | None = None) -> _M:
    """An instance of the pydantic model `cls` holding `values`, without validation.

    `values` must hold every field of `cls`, in declaration order, each of its declared type and
    passing its constraints; the caller states why. The instance counts every field as set (as if
    each was passed), sharing one fields-set object per class (pydantic copies it before it
    changes one, ``model_copy``), unless `fields_set` says which were."""
    if fields_set is None:
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


# -- validated models in the on-disk cache --------------------------------------------------------


def plain(value: Any) -> Any:
    """`value` (a validated model, or anything inside one) as plain values for `rebuild`: a model
    as ``(fields, names of the fields set)``, an enum as its value, containers alike."""
    if isinstance(value, BaseModel):
        fields = {name: plain(getattr(value, name)) for name in type(value).model_fields}
        return fields, tuple(sorted(value.model_fields_set))
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value


_Convert = Callable[[Any], Any]
_PLAIN_TYPES: Final = (str, int, float, bool, type(None))
_PLANS: dict[type[BaseModel], list[tuple[str, _Convert | None]]] = {}


def _converter(tp: Any) -> _Convert | None:
    """What turns `plain`'s value for annotation `tp` back into the value; None when it is the
    value itself."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _converter(args[0])
    if tp is Any or origin is typing.Literal or tp in _PLAIN_TYPES:
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _model(tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = _converter(options[0]) if len(options) == 1 else None
        if len(options) == 1 and inner is None:
            return None
        if inner is not None:
            return _optional(inner)
    elif origin in (list, tuple) and args and (origin is list or (len(args) == 2 and args[1] is ...)):
        item = _converter(args[0])
        return None if item is None else _sequence(origin, item)
    elif origin is dict and len(args) == 2:
        key, val = _converter(args[0]), _converter(args[1])
        if key is None and val is None:
            return None
        k, w = key or (lambda x: x), val or (lambda x: x)
        return lambda v: {k(a): w(b) for a, b in v.items()}
    raise TypeError(f"tracklingo._construct cannot rebuild a field of type {tp!r}")


def _model(cls: type[BaseModel]) -> _Convert:
    return lambda v: rebuild(cls, v)


def _optional(inner: _Convert) -> _Convert:
    return lambda v: None if v is None else inner(v)


def _sequence(kind: type[list[Any]] | type[tuple[Any, ...]], item: _Convert) -> _Convert:
    return lambda v: kind(item(x) for x in v)


def _plan(cls: type[BaseModel]) -> list[tuple[str, _Convert | None]]:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = [(name, _converter(f.annotation)) for name, f in cls.model_fields.items()]
    return plan


def rebuild(cls: type[_M], data: Any) -> _M:
    """The model `plain` made `data` from, built with `construct` (no validation): only for data
    that `plain` made from a validated `cls` of the same code (`cached_model` keys it so)."""
    fields, fields_set = data
    values = {}
    for name, convert in _plan(cls):
        value = fields[name]
        values[name] = value if convert is None else convert(value)
    return construct(cls, values, set(fields_set))


def cached_model(cls: type[_M], text: str, validate: Callable[[], _M], code: Collection[str]) -> _M:
    """``validate()``, the model `cls` validated from `text` (and nothing else), or the model it
    gave before for the same `text`, the same code (`code`: the source files of the models and
    validators, hashed with this module's and pydantic's version) and the same Python, rebuilt
    from the on-disk cache (`tomlcache.recall`, docs/cache.md) without validation. Errors are
    never cached: a text that fails is validated, and fails, every time."""
    from pydantic.version import VERSION

    code_hash = tomlcache.code_hash((*code, __file__), salt=VERSION)
    if code_hash is None:
        return validate()
    kind = f"validated {cls.__module__}.{cls.__qualname__}"
    key = hashlib.blake2b(f"{code_hash}\n{text}".encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
    entry = tomlcache.recall(kind, key)
    if entry is not None:
        try:
            return rebuild(cls, entry["model"])
        except (KeyError, TypeError, ValueError, IndexError):  # not an entry this code wrote
            pass
    model = validate()
    tomlcache.remember(kind, key, {"model": plain(model)})
    return model
