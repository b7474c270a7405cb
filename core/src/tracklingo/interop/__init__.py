"""Interop with hosted trackers: export canonical events as AfterShip / 17TRACK / EasyPost / Shippo
statuses, and read those peers' payloads as per-checkpoint records.

- Export: `peer_status` (a stage and reason), `export_event`, `export_journeys`; the maps are data
  (`load_peer`, ``tracklingo/data/interop/<peer>.toml``).
- Import: peer payloads are feed records (`tracklingo.Normalizer` sniffs them, or reads the
  envelope ``{"peer": ..., "payload": ...}``) through `read_peer`: each checkpoint's carrier text
  through the installed carrier's mapper first, the peer's status (`PeerMap.import_for`) only for
  text no vocabulary knows (match ``peer``). `sniff_peer` and `read_peer_payload` (->
  `PeerPayload` of `PeerCheckpoint`s) read a payload as the peer wrote it; `carrier_for_slug`
  resolves a peer's carrier identifier (`peer_carriers`, ``data/interop/carriers.toml``).
"""

from __future__ import annotations

from tracklingo.interop.export import (
    ExportedEvent,
    ExportedJourney,
    PeerStatus,
    export_event,
    export_journeys,
    peer_status,
)
from tracklingo.interop.imports import read_peer
from tracklingo.interop.peers import PEERS, ImportRule, PeerCode, PeerMap, load_peer
from tracklingo.interop.readers import (
    PeerCheckpoint,
    PeerPayload,
    carrier_for_slug,
    peer_carriers,
    read_peer_payload,
    sniff_peer,
)

__all__ = [
    "PEERS",
    "ExportedEvent",
    "ExportedJourney",
    "ImportRule",
    "PeerCheckpoint",
    "PeerCode",
    "PeerMap",
    "PeerPayload",
    "PeerStatus",
    "carrier_for_slug",
    "export_event",
    "export_journeys",
    "load_peer",
    "peer_carriers",
    "peer_status",
    "read_peer",
    "read_peer_payload",
    "sniff_peer",
]
