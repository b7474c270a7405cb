"""Peer payloads as canonical events: AfterShip, 17TRACK, EasyPost and Shippo checkpoints through
the installed carrier's vocabulary first, the peer's own status only as the fallback.

`read_peer` is what the normalizer calls for a peer payload (sniffed, or named in the envelope
``{"peer": "aftership", "payload": {...}}``):

1. the payload is read (`tracklingo.interop.readers.read_peer_payload`): per checkpoint the
   carrier's own text, code, time and place as the peer copied them, the peer's status, and the
   installed carrier the peer's carrier identifier names (``data/interop/carriers.toml``);
2. each tracking number's checkpoints go through that carrier's event builder like a carrier
   response (`tracklingo.events`): its mapper with every layer it has (exact rules, coarse rules,
   the open-world layers when they are on), the time rules, the place splitting and the number
   cleaning. A carrier no installed adapter covers gets an empty vocabulary under the name
   ``<peer>:<identifier>`` (``aftership:royal-mail``), so its events say which carrier it was and
   that no vocabulary of ours read it;
3. an event the mapper left ``unmapped`` takes the peer's status through the peer's import map
   (``[import]`` / ``[import_tags]`` of ``data/interop/<peer>.toml``, `PeerMap.import_for`):
   `MatchKind.PEER`, with `evidence` naming the peer field and code. A peer status that says no
   more than "unknown" (AfterShip ``Pending``/``Expired``, 17TRACK ``NotFound``) leaves the event
   unmapped. The peers do not tell import from export customs: a customs status is read as
   import customs, and as export customs when the checkpoint lies in the shipment's origin
   country and the peer names a different destination.

Each number's events come out oldest first (undated ones last).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Final

from tracklingo.carrier import Carrier
from tracklingo.countries import country_code
from tracklingo.events import ParseResult, builder_for
from tracklingo.interop.peers import PeerMap, load_peer
from tracklingo.interop.readers import PeerCheckpoint, read_peer_payload
from tracklingo.model import TrackingEvent
from tracklingo.scans import Reading, Scan, Shipment
from tracklingo.taxonomy import STAGE_STATUS, MatchKind, Stage
from tracklingo.times import order_key

__all__ = ["UninstalledCarrier", "peer_event", "read_peer", "uninstalled_carrier"]

#: The fields each peer writes its fine and its coarse status in (for `evidence`).
STATUS_FIELDS: Final = {
    "aftership": ("subtag", "tag"),
    "17track": ("sub_status", "stage"),
    "easypost": ("status/status_detail", "status"),
    "shippo": ("status/substatus", "status"),
}

_SLUG_JUNK: Final = re.compile(r"[^a-z0-9_.-]+")
_MAX_UNINSTALLED: Final = 1024


class UninstalledCarrier(Carrier):
    """A carrier a peer names that no installed adapter covers: no vocabulary, no detection, no
    parser. Its events carry the peer's status only (`read_peer`)."""

    name: ClassVar[str] = "uninstalled"
    display_name: ClassVar[str] = "a carrier no installed adapter covers"

    def detect(self, tracking_number: str) -> float:
        """Never claims a number."""
        return 0.0


_UNINSTALLED: dict[str, Carrier] = {}


def uninstalled_carrier(name: str) -> Carrier:
    """The `UninstalledCarrier` called `name` (one instance per name, so its event builder and
    memo are kept between payloads)."""
    found = _UNINSTALLED.get(name)
    if found is None:
        if len(_UNINSTALLED) >= _MAX_UNINSTALLED:
            _UNINSTALLED.clear()  # names come from payloads: keep the cache bounded
        cls = type("UninstalledCarrier", (UninstalledCarrier,), {"name": name, "display_name": name})
        found = _UNINSTALLED[name] = cls()
    return found


def _uninstalled_name(peer: str, slug: str | None) -> str:
    key = _SLUG_JUNK.sub("-", (slug or "").strip().lower()).strip("-")
    return f"{peer}:{key}" if key else peer


def _country(value: Any) -> str | None:
    return country_code(value) if isinstance(value, str) else None


def peer_event(event: TrackingEvent, checkpoint: PeerCheckpoint, pmap: PeerMap) -> TrackingEvent:
    """`event` (built from `checkpoint`'s carrier text) with the peer's status as the fallback:
    unchanged unless the mapper left it unmapped and the peer's map knows the checkpoint's status
    (see the module docstring)."""
    if event.match is not MatchKind.UNMAPPED:
        return event
    found = pmap.import_for(checkpoint.peer_code, checkpoint.peer_tag)
    if found is None:
        return event
    rule, key = found
    stage = rule.stage
    if stage is Stage.UNKNOWN:
        return event
    if stage is Stage.IMPORT_CUSTOMS:
        here = event.location.country
        origin, destination = _country(checkpoint.origin), _country(checkpoint.destination)
        if here is not None and here == origin and destination is not None and destination != origin:
            stage = Stage.EXPORT_CUSTOMS
    fine, coarse = STATUS_FIELDS[pmap.peer]
    field = fine if key == checkpoint.peer_code else coarse
    return event.model_copy(
        update={
            "stage": stage,
            "status": STAGE_STATUS[stage],
            "reason": rule.reason if rule.reason is not None else event.reason,
            "match": MatchKind.PEER,
            "evidence": (f"{pmap.peer} {field} {key}",),
        }
    )


def _order(event: TrackingEvent) -> tuple[bool, datetime]:
    when = event.occurred_at
    return (when is None, order_key(when) if when is not None else _EPOCH)


_EPOCH: Final = order_key(datetime(1970, 1, 1))


def _scan(cp: PeerCheckpoint) -> Scan:
    return Scan(
        code=cp.code, text=cp.description, place=cp.place, time=cp.time, utc_time=cp.utc_time, raw=cp.raw
    )


def read_peer(payload: Any, carriers: Iterable[Carrier], peer: str | None = None) -> ParseResult:
    """The events of a peer payload (`peer` names the peer, else it is sniffed) over the
    installed `carriers`, and its per-number errors (numbers without checkpoints, numbers the
    peer rejected, checkpoints of the wrong type). `tracklingo.InputError` when the payload is
    not a peer's, or names no tracking number."""
    installed = {c.name: c for c in carriers}
    read = read_peer_payload(payload, installed, peer)
    pmap = load_peer(read.peer)
    result = ParseResult(errors=list(read.errors))
    groups: dict[tuple[str, str], list[PeerCheckpoint]] = {}
    for cp in read.checkpoints:
        name = cp.carrier if cp.carrier is not None else _uninstalled_name(cp.peer, cp.slug)
        groups.setdefault((name, str(cp.tracking_number)), []).append(cp)
    for (name, _), checkpoints in groups.items():
        carrier = installed.get(name) or uninstalled_carrier(name)
        first = checkpoints[0]
        shipment = Shipment(
            first.tracking_number,
            [_scan(cp) for cp in checkpoints],
            origin=_country(first.origin),
            destination=_country(first.destination),
        )
        built = builder_for(carrier).reading(Reading([shipment]))
        result.errors.extend(built.errors)
        if built.events:  # in checkpoint order: the builder neither sorts nor reverses them
            events = [peer_event(e, cp, pmap) for e, cp in zip(built.events, checkpoints, strict=True)]
            events.sort(key=_order)
            result.events.extend(events)
    return result
