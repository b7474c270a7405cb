"""Interop with hosted trackers: export canonical events as AfterShip / 17TRACK / EasyPost / Shippo
statuses, and read those peers' payloads as per-checkpoint records.

- Export: `peer_status` (a stage and reason), `export_event`, `export_journeys`; the maps are data
  (`load_peer`, ``tracklingo/data/interop/<peer>.toml``).
- Import: `sniff_peer`, `read_peer_payload` -> `PeerCheckpoint` records (carrier text, time,
  place, the peer's status); `PeerCheckpoint.flat_record` feeds one to `tracklingo.Normalizer`;
  `PeerMap.import_rule` is the peer-status fallback for text no vocabulary knows.
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
from tracklingo.interop.peers import PEERS, ImportRule, PeerCode, PeerMap, load_peer
from tracklingo.interop.readers import PeerCheckpoint, carrier_for_slug, read_peer_payload, sniff_peer

__all__ = [
    "PEERS",
    "ExportedEvent",
    "ExportedJourney",
    "ImportRule",
    "PeerCheckpoint",
    "PeerCode",
    "PeerMap",
    "PeerStatus",
    "carrier_for_slug",
    "export_event",
    "export_journeys",
    "load_peer",
    "peer_status",
    "read_peer_payload",
    "sniff_peer",
]
