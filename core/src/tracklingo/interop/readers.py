"""Peer payload readers: AfterShip, 17TRACK, EasyPost and Shippo payloads as per-checkpoint records.

Pure functions, no I/O: `read_peer_payload` recognises a payload (`sniff_peer`) or takes the peer's
name, and returns a `PeerPayload`: one `PeerCheckpoint` per checkpoint (the carrier's own text, code,
time and place as written, the peer's status for it, and the installed tracklingo carrier the
peer's carrier identifier names, `carrier_for_slug`), and a `NumberError` per number the payload
tracks without a checkpoint or the peer rejected. `tracklingo.interop.imports` turns it into events.

Shapes read (field names from each peer's published payload documentation):

- AfterShip: a webhook ``{"event", "event_id", "msg": <tracking>}``, a tracking object, or an API
  reply ``{"data": {"tracking": ...}}`` / ``{"data": <tracking>}``; ``checkpoints[]`` with
  ``message``, ``checkpoint_time``, ``city``/``state``/``zip``/``country_name``/``country_iso3``,
  ``location``, ``tag``, ``subtag``, ``raw_tag`` (the carrier's own code) and ``slug``.
- 17TRACK v2: a push ``{"event": "TRACKING_UPDATED", "data": {"number", "carrier", "track_info"}}``
  or a ``gettrackinfo`` reply ``{"code": 0, "data": {"accepted": [...]}}``; events under
  ``track_info.tracking.providers[].events[]`` with ``time_iso``, ``description``, ``location``,
  ``address{...}``, ``stage``, ``sub_status``; a reply's ``rejected[]`` numbers are errors.
- EasyPost: an ``Event`` (``"object": "Event"``, ``result`` = Tracker) or a ``Tracker``;
  ``tracking_details[]`` with ``message``, ``datetime``, ``status``, ``status_detail``,
  ``tracking_location{city, state, zip, country}``.
- Shippo: a ``track_updated`` webhook ``{"event", "data": <track>}`` or a track reply;
  ``tracking_history[]`` (else ``tracking_status``) with ``status``, ``status_details``,
  ``status_date``, ``substatus{code}``, ``location{...}``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from types import MappingProxyType
from typing import Any

from tracklingo import tomlcache
from tracklingo.errors import ConfigError, InputError
from tracklingo.scans import NumberError, Place

__all__ = [
    "PeerCheckpoint",
    "PeerPayload",
    "carrier_for_slug",
    "peer_carriers",
    "read_peer_payload",
    "sniff_peer",
]


@dataclass(frozen=True, slots=True)
class PeerCheckpoint:
    """One checkpoint of a peer payload, as the peer reported it (values as written: the core's
    event builder reads the time, place and number like a carrier's).

    `carrier` is the installed tracklingo carrier that `slug` names (None when none does, see
    `carrier_for_slug`); `peer_code` is the peer's finest status for the checkpoint (AfterShip
    subtag, 17TRACK sub-status, EasyPost ``status/status_detail``, Shippo ``status/substatus``)
    and `peer_tag` its coarse one (tag, stage or main status, status). `origin` and
    `destination` are the shipment's countries when the peer states them. `raw` is the checkpoint
    object itself.
    """

    peer: str
    slug: str | None
    carrier: str | None
    tracking_number: Any
    time: Any
    description: Any
    code: Any
    place: Place
    peer_code: str | None
    peer_tag: str | None
    raw: Any = None
    utc_time: Any = None
    origin: Any = None
    destination: Any = None


@dataclass(frozen=True, slots=True)
class PeerPayload:
    """What a peer payload holds: its checkpoints, the numbers it tracks without any checkpoint
    and the numbers the peer could not track (both as `NumberError`s)."""

    peer: str
    checkpoints: list[PeerCheckpoint]
    errors: list[NumberError]


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    """A peer's status or identifier as text (a status is never trusted to be anything else)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _utc(value: Any) -> Any:
    """A time the peer documents as UTC (Shippo's ``status_date``) as an aware datetime, so no
    carrier's rule for a trailing ``Z`` applies to it; anything else as written (the builder
    notes what it cannot read)."""
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return value


def _key(value: Any) -> str:
    return (_text(value) or "").lower()


@functools.cache
def peer_carriers() -> Mapping[str, Mapping[str, str]]:
    """Per peer, its carrier identifiers (lower case) -> tracklingo carrier name, read once from
    ``tracklingo/data/interop/carriers.toml`` (every identifier with its source there)."""
    text = resources.files("tracklingo").joinpath("data", "interop", "carriers.toml").read_bytes()
    data = tomlcache.loads(text.decode("utf-8"))
    out: dict[str, Mapping[str, str]] = {}
    for peer, table in data.items():
        carriers = table.get("carriers") if isinstance(table, dict) else None
        if not isinstance(carriers, dict) or not table.get("sources"):
            raise ConfigError(f"interop carriers.toml: [{peer}] needs sources and a carriers table")
        out[peer] = MappingProxyType({str(k).strip().lower(): str(v) for k, v in carriers.items()})
    return MappingProxyType(out)


def carrier_for_slug(peer: str, slug: Any, installed: Iterable[str]) -> str | None:
    """The installed carrier a peer's carrier identifier names: the peer's entry in the carrier
    table (`peer_carriers`), else an identifier that is exactly an installed carrier's name.
    None when neither names an installed carrier: the checkpoint keeps the peer's status only."""
    key = _key(slug)
    if not key:
        return None
    names = {n.lower() for n in installed}
    mapped = peer_carriers().get(peer, {}).get(key)
    if mapped is not None:
        return mapped if mapped in names else None
    return key if key in names else None


def _first_carrier(peer: str, candidates: Iterable[Any], installed: Iterable[str]) -> str | None:
    names = list(installed)
    for candidate in candidates:
        found = carrier_for_slug(peer, candidate, names)
        if found is not None:
            return found
    return None


# -- recognising a payload ---------------------------------------------------------------------


def _aftership_tracking(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if "msg" in payload and "event_id" in payload:
        return _map(payload.get("msg"))
    data = payload.get("data")
    if isinstance(data, Mapping):
        tracking = data.get("tracking")
        if isinstance(tracking, Mapping):
            return tracking
        if "checkpoints" in data and "slug" in data:
            return data
    if "checkpoints" in payload and "slug" in payload:
        return payload
    return None


def _17track_items(payload: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    data = payload.get("data")
    if isinstance(payload.get("event"), str) and payload["event"].startswith("TRACKING_"):
        return [_map(data)]
    if isinstance(data, Mapping) and isinstance(data.get("accepted"), list) and "code" in payload:
        return [_map(item) for item in data["accepted"]]
    return None


def _easypost_tracker(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if payload.get("object") == "Event":
        result = _map(payload.get("result"))
        return result if result.get("object") == "Tracker" else None
    return payload if payload.get("object") == "Tracker" else None


def _shippo_track(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    data = payload.get("data")
    if payload.get("event") == "track_updated" and isinstance(data, Mapping):
        return data
    if "tracking_status" in payload and "tracking_number" in payload and "carrier" in payload:
        return payload
    return None


def sniff_peer(payload: Any) -> str | None:
    """The peer whose payload this is (``aftership``, ``17track``, ``easypost``, ``shippo``), or
    None. Only shapes distinctive enough not to be mistaken for a carrier's response are claimed."""
    if not isinstance(payload, Mapping):
        return None
    if _easypost_tracker(payload) is not None:
        return "easypost"
    if _17track_items(payload) is not None:
        return "17track"
    if _shippo_track(payload) is not None:
        return "shippo"
    if _aftership_tracking(payload) is not None:
        return "aftership"
    return None


# -- reading -------------------------------------------------------------------------------------

_NAMES = {"aftership": "AfterShip", "17track": "17TRACK", "easypost": "EasyPost", "shippo": "Shippo"}


def _number(value: Any, what: str) -> Any:
    if _text(value) is None:
        raise InputError(f"{what} without a tracking number")
    return value


def _empty(peer: str, number: Any, status: str | None) -> NumberError:
    about = f" (status {status})" if status else ""
    return NumberError(_text(number), f"the {_NAMES[peer]} payload holds no checkpoints for it{about}")


def _aftership(payload: Mapping[str, Any], installed: list[str]) -> PeerPayload:
    tracking = _aftership_tracking(payload)
    if tracking is None:
        raise InputError("not an AfterShip tracking or webhook payload")
    number = _number(tracking.get("tracking_number"), "AfterShip tracking")
    slug = _text(tracking.get("slug"))
    origin = tracking.get("origin_country_iso3") or tracking.get("origin_country_region")
    destination = tracking.get("destination_country_iso3") or tracking.get("destination_country_region")
    out = []
    for cp in _list(tracking.get("checkpoints")):
        cp = _map(cp)
        cp_slug = _text(cp.get("slug")) or slug
        city = cp.get("city")
        place = Place(
            region=cp.get("state"),
            postal_code=cp.get("zip"),
            country=cp.get("country_iso3") or cp.get("country_region"),
            label=city,  # AfterShip copies the carrier's place, often a facility, into `city`
            locality=cp.get("location") if city is None else None,
            country_name=cp.get("country_name") or cp.get("country_region_name"),
        )
        out.append(
            PeerCheckpoint(
                "aftership",
                cp_slug,
                carrier_for_slug("aftership", cp_slug, installed),
                number,
                cp.get("checkpoint_time"),
                cp.get("message"),
                cp.get("raw_tag"),
                place,
                _text(cp.get("subtag")),
                _text(cp.get("tag")),
                cp,
                origin=origin,
                destination=destination,
            )
        )
    errors = [] if out else [_empty("aftership", number, _text(tracking.get("tag")))]
    return PeerPayload("aftership", out, errors)


def _17track(payload: Mapping[str, Any], installed: list[str]) -> PeerPayload:
    items = _17track_items(payload)
    if items is None:
        raise InputError("not a 17TRACK v2 push or track reply")
    out: list[PeerCheckpoint] = []
    errors: list[NumberError] = []
    for item in items:
        number = _number(item.get("number"), "17TRACK item")
        info = _map(item.get("track_info"))
        shipping = _map(info.get("shipping_info"))
        origin = _map(shipping.get("shipper_address")).get("country")
        destination = _map(shipping.get("recipient_address")).get("country")
        before = len(out)
        for provider in _list(_map(info.get("tracking")).get("providers")):
            provider = _map(provider)
            about = _map(provider.get("provider"))
            candidates = (about.get("key"), item.get("carrier"), about.get("name"))
            carrier = _first_carrier("17track", candidates, installed)
            slug = _text(about.get("name")) or _text(about.get("key")) or _text(item.get("carrier"))
            for ev in _list(provider.get("events")):
                ev = _map(ev)
                address = _map(ev.get("address"))
                city = address.get("city")
                place = Place(
                    region=address.get("state"),
                    postal_code=address.get("postal_code"),
                    country=address.get("country"),
                    label=city,
                    locality=ev.get("location") if city is None else None,
                )
                out.append(
                    PeerCheckpoint(
                        "17track",
                        slug,
                        carrier,
                        number,
                        ev.get("time_iso"),
                        ev.get("description"),
                        None,
                        place,
                        _text(ev.get("sub_status")),
                        _text(ev.get("stage")),
                        ev,
                        utc_time=ev.get("time_utc"),
                        origin=origin,
                        destination=destination,
                    )
                )
        if len(out) == before:
            latest = _map(info.get("latest_status"))
            errors.append(
                _empty("17track", number, _text(latest.get("sub_status")) or _text(latest.get("status")))
            )
    data = _map(payload.get("data"))
    for rejected in _list(data.get("rejected")):
        rejected = _map(rejected)
        error = _map(rejected.get("error"))
        message = _text(error.get("message")) or "rejected by 17TRACK"
        errors.append(NumberError(_text(rejected.get("number")), message, _text(error.get("code"))))
    return PeerPayload("17track", out, errors)


def _easypost(payload: Mapping[str, Any], installed: list[str]) -> PeerPayload:
    tracker = _easypost_tracker(payload)
    if tracker is None:
        raise InputError("not an EasyPost Tracker or Event")
    number = _number(tracker.get("tracking_code"), "EasyPost Tracker")
    slug = _text(tracker.get("carrier"))
    carrier = carrier_for_slug("easypost", slug, installed)
    detail_of = _map(tracker.get("carrier_detail"))
    origin = _map(detail_of.get("origin_tracking_location")).get("country")
    destination = _map(detail_of.get("destination_tracking_location")).get("country")
    out = []
    for detail in _list(tracker.get("tracking_details")):
        detail = _map(detail)
        where = _map(detail.get("tracking_location"))
        status, status_detail = _text(detail.get("status")), _text(detail.get("status_detail"))
        place = Place(
            region=where.get("state"),
            postal_code=where.get("zip"),
            country=where.get("country"),
            label=where.get("city"),
        )
        out.append(
            PeerCheckpoint(
                "easypost",
                slug,
                carrier,
                number,
                detail.get("datetime"),
                detail.get("message") or detail.get("description") or None,
                detail.get("carrier_code") or None,
                place,
                f"{status}/{status_detail}" if status and status_detail else None,
                status,
                detail,
                origin=origin,
                destination=destination,
            )
        )
    errors = [] if out else [_empty("easypost", number, _text(tracker.get("status")))]
    return PeerPayload("easypost", out, errors)


def _shippo(payload: Mapping[str, Any], installed: list[str]) -> PeerPayload:
    track = _shippo_track(payload)
    if track is None:
        raise InputError("not a Shippo track payload")
    number = _number(track.get("tracking_number"), "Shippo track")
    slug = _text(track.get("carrier"))
    carrier = carrier_for_slug("shippo", slug, installed)
    origin = _map(track.get("address_from")).get("country")
    destination = _map(track.get("address_to")).get("country")
    history = _list(track.get("tracking_history")) or [track.get("tracking_status")]
    out = []
    for status in history:
        status = _map(status)
        if not status:
            continue
        where = _map(status.get("location"))
        code, sub = _text(status.get("status")), _text(_map(status.get("substatus")).get("code"))
        place = Place(
            region=where.get("state"),
            postal_code=where.get("zip"),
            country=where.get("country"),
            label=where.get("city"),
        )
        out.append(
            PeerCheckpoint(
                "shippo",
                slug,
                carrier,
                number,
                _utc(status.get("status_date")),
                status.get("status_details"),
                None,
                place,
                f"{code}/{sub}" if code and sub else None,
                code,
                status,
                origin=origin,
                destination=destination,
            )
        )
    errors = [] if out else [_empty("shippo", number, None)]
    return PeerPayload("shippo", out, errors)


_READERS = {"aftership": _aftership, "17track": _17track, "easypost": _easypost, "shippo": _shippo}


def read_peer_payload(payload: Any, installed: Iterable[str], peer: str | None = None) -> PeerPayload:
    """Every checkpoint of a peer payload, and its per-number errors. `peer` names the peer (else
    it is sniffed); `installed` are the installed carrier names the peer's carrier identifiers are
    resolved against (`carrier_for_slug`). `InputError` when the payload is not the peer's (or no
    peer's), or names no tracking number."""
    if peer is not None and not isinstance(peer, str):
        raise InputError("field 'peer' must be a string")
    name = peer.strip().lower() if peer else sniff_peer(payload)
    if name is None:
        raise InputError("not a payload of any known peer (AfterShip, 17TRACK, EasyPost, Shippo)")
    reader = _READERS.get(name)
    if reader is None:
        raise InputError(f"unknown peer {peer!r} (known: {', '.join(_READERS)})")
    if not isinstance(payload, Mapping):
        raise InputError(f"a {_NAMES[name]} payload must be a JSON object")
    return reader(payload, list(installed))
