"""Peer payload readers: AfterShip, 17TRACK, EasyPost and Shippo payloads as per-checkpoint records.

Pure functions, no I/O: `read_peer_payload` recognises a payload (`sniff_peer`) or takes the peer's
name, and returns one `PeerCheckpoint` per checkpoint: the carrier's own text, code, time and place,
the peer's status for it, and the installed tracklingo carrier the peer's carrier slug names.

Shapes read (field names from each peer's published payload documentation):

- AfterShip: a webhook ``{"event", "event_id", "msg": <tracking>}``, a tracking object, or an API
  reply ``{"data": {"tracking": ...}}`` / ``{"data": <tracking>}``; ``checkpoints[]`` with
  ``message``, ``checkpoint_time``, ``city``/``state``/``zip``/``country_name``/``country_iso3``,
  ``location``, ``tag``, ``subtag``, ``raw_tag`` (the carrier's own code) and ``slug``.
- 17TRACK v2: a push ``{"event": "TRACKING_UPDATED", "data": {"number", "carrier", "track_info"}}``
  or a ``gettrackinfo`` reply ``{"code": 0, "data": {"accepted": [...]}}``; events under
  ``track_info.tracking.providers[].events[]`` with ``time_iso``, ``description``, ``location``,
  ``address{...}``, ``stage``, ``sub_status``.
- EasyPost: an ``Event`` (``"object": "Event"``, ``result`` = Tracker) or a ``Tracker``;
  ``tracking_details[]`` with ``message``, ``datetime``, ``status``, ``status_detail``,
  ``tracking_location{city, state, zip, country}``.
- Shippo: a ``track_updated`` webhook ``{"event", "data": <track>}`` or a track reply;
  ``tracking_history[]`` (else ``tracking_status``) with ``status``, ``status_details``,
  ``status_date``, ``substatus{code}``, ``location{...}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tracklingo.countries import country_code
from tracklingo.errors import InputError

__all__ = ["PeerCheckpoint", "carrier_for_slug", "read_peer_payload", "sniff_peer"]


@dataclass(frozen=True, slots=True)
class PeerCheckpoint:
    """One checkpoint of a peer payload, as the peer reported it.

    `carrier` is the installed tracklingo carrier that `slug` names (None when none does);
    `peer_code` is the peer's finest status for the checkpoint (AfterShip subtag, 17TRACK
    sub-status, EasyPost ``status/status_detail``, Shippo ``status/substatus``) and `peer_tag` its
    coarse one (tag, main status, status). `raw` is the checkpoint object itself.
    """

    peer: str
    slug: str | None
    carrier: str | None
    tracking_number: str
    time: str | None
    description: str | None
    code: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    peer_code: str | None
    peer_tag: str | None
    raw: Any = None

    def flat_record(self) -> dict[str, Any]:
        """The checkpoint as a flat feed record (the normalizer's flat event shape), so the
        carrier text goes through the installed carrier's vocabulary."""
        record: dict[str, Any] = {
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "timestamp": self.time,
            "code": self.code,
            "description": self.description,
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "country": self.country,
        }
        return {k: v for k, v in record.items() if v is not None}


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _country(*candidates: Any) -> str | None:
    """The first candidate that is a known country name or code, as ISO alpha-2."""
    for value in candidates:
        text = _text(value)
        if text and country_code(text):
            return country_code(text)
    return None


_SLUG_SPLIT = re.compile(r"[^a-z0-9]+")


def carrier_for_slug(slug: str | None, installed: Iterable[str]) -> str | None:
    """The installed carrier a peer's carrier slug names: the slug itself (case and punctuation
    aside: ``"USPS"``, ``"FedEx"``), else its first word (``"dhl-express"``, ``"fedex_uk"``,
    ``"DHL eCommerce"`` -> ``dhl``). None when neither is installed."""
    if not slug:
        return None
    names = {n.lower() for n in installed}
    lower = slug.strip().lower()
    joined = _SLUG_SPLIT.sub("", lower)
    if joined in names:
        return joined
    first = next((w for w in _SLUG_SPLIT.split(lower) if w), "")
    return first if first in names else None


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


def _aftership(payload: Mapping[str, Any], installed: Iterable[str]) -> list[PeerCheckpoint]:
    tracking = _aftership_tracking(payload)
    if tracking is None:
        raise InputError("not an AfterShip tracking or webhook payload")
    number = _text(tracking.get("tracking_number"))
    if not number:
        raise InputError("AfterShip payload without a tracking_number")
    names = list(installed)
    slug = _text(tracking.get("slug"))
    out = []
    for cp in _list(tracking.get("checkpoints")):
        cp = _map(cp)
        cp_slug = _text(cp.get("slug")) or slug
        out.append(
            PeerCheckpoint(
                peer="aftership",
                slug=cp_slug,
                carrier=carrier_for_slug(cp_slug, names),
                tracking_number=number,
                time=_text(cp.get("checkpoint_time")),
                description=_text(cp.get("message")),
                code=_text(cp.get("raw_tag")),
                city=_text(cp.get("city")),
                region=_text(cp.get("state")),
                postal_code=_text(cp.get("zip")),
                country=_country(cp.get("country_name"), cp.get("country_iso3")),
                peer_code=_text(cp.get("subtag")),
                peer_tag=_text(cp.get("tag")),
                raw=cp,
            )
        )
    return out


def _17track(payload: Mapping[str, Any], installed: Iterable[str]) -> list[PeerCheckpoint]:
    items = _17track_items(payload)
    if items is None:
        raise InputError("not a 17TRACK v2 push or track reply")
    names = list(installed)
    out = []
    for item in items:
        number = _text(item.get("number"))
        if not number:
            raise InputError("17TRACK payload without a number")
        info = _map(item.get("track_info"))
        for provider in _list(_map(info.get("tracking")).get("providers")):
            provider = _map(provider)
            about = _map(provider.get("provider"))
            slug = _text(about.get("name")) or _text(about.get("key")) or _text(item.get("carrier"))
            for ev in _list(provider.get("events")):
                ev = _map(ev)
                address = _map(ev.get("address"))
                out.append(
                    PeerCheckpoint(
                        peer="17track",
                        slug=slug,
                        carrier=carrier_for_slug(slug, names),
                        tracking_number=number,
                        time=_text(ev.get("time_iso")) or _text(ev.get("time_utc")),
                        description=_text(ev.get("description")),
                        code=None,
                        city=_text(address.get("city")) or _text(ev.get("location")),
                        region=_text(address.get("state")),
                        postal_code=_text(address.get("postal_code")),
                        country=_country(address.get("country")),
                        peer_code=_text(ev.get("sub_status")),
                        peer_tag=_text(ev.get("stage")),
                        raw=ev,
                    )
                )
    return out


def _easypost(payload: Mapping[str, Any], installed: Iterable[str]) -> list[PeerCheckpoint]:
    tracker = _easypost_tracker(payload)
    if tracker is None:
        raise InputError("not an EasyPost Tracker or Event")
    number = _text(tracker.get("tracking_code"))
    if not number:
        raise InputError("EasyPost Tracker without a tracking_code")
    slug = _text(tracker.get("carrier"))
    carrier = carrier_for_slug(slug, installed)
    out = []
    for detail in _list(tracker.get("tracking_details")):
        detail = _map(detail)
        place = _map(detail.get("tracking_location"))
        status, status_detail = _text(detail.get("status")), _text(detail.get("status_detail"))
        out.append(
            PeerCheckpoint(
                peer="easypost",
                slug=slug,
                carrier=carrier,
                tracking_number=number,
                time=_text(detail.get("datetime")),
                description=_text(detail.get("message")) or _text(detail.get("description")),
                code=_text(detail.get("carrier_code")),
                city=_text(place.get("city")),
                region=_text(place.get("state")),
                postal_code=_text(place.get("zip")),
                country=_country(place.get("country")),
                peer_code=f"{status}/{status_detail}" if status and status_detail else None,
                peer_tag=status,
                raw=detail,
            )
        )
    return out


def _shippo(payload: Mapping[str, Any], installed: Iterable[str]) -> list[PeerCheckpoint]:
    track = _shippo_track(payload)
    if track is None:
        raise InputError("not a Shippo track payload")
    number = _text(track.get("tracking_number"))
    if not number:
        raise InputError("Shippo payload without a tracking_number")
    slug = _text(track.get("carrier"))
    carrier = carrier_for_slug(slug, installed)
    history = _list(track.get("tracking_history")) or [track.get("tracking_status")]
    out = []
    for status in history:
        status = _map(status)
        if not status:
            continue
        place = _map(status.get("location"))
        code, sub = _text(status.get("status")), _text(_map(status.get("substatus")).get("code"))
        out.append(
            PeerCheckpoint(
                peer="shippo",
                slug=slug,
                carrier=carrier,
                tracking_number=number,
                time=_text(status.get("status_date")),
                description=_text(status.get("status_details")),
                code=None,
                city=_text(place.get("city")),
                region=_text(place.get("state")),
                postal_code=_text(place.get("zip")),
                country=_country(place.get("country")),
                peer_code=f"{code}/{sub}" if code and sub else None,
                peer_tag=code,
                raw=status,
            )
        )
    return out


_READERS = {"aftership": _aftership, "17track": _17track, "easypost": _easypost, "shippo": _shippo}


def read_peer_payload(
    payload: Any, installed: Iterable[str], peer: str | None = None
) -> list[PeerCheckpoint]:
    """Every checkpoint of a peer payload. `peer` names the peer (else it is sniffed);
    `installed` are the installed carrier names the peer's carrier slugs are resolved against.
    `InputError` when the payload is not the peer's (or no peer's)."""
    name = peer.strip().lower() if peer else sniff_peer(payload)
    if name is None:
        raise InputError("not a payload of any known peer (AfterShip, 17TRACK, EasyPost, Shippo)")
    reader = _READERS.get(name)
    if reader is None:
        raise InputError(f"unknown peer {peer!r} (known: {', '.join(_READERS)})")
    if not isinstance(payload, Mapping):
        raise InputError(f"a {name} payload must be a JSON object")
    return reader(payload, installed)
