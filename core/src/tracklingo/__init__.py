"""tracklingo: every parcel carrier's tracking vocabulary as one canonical event model.

The public API (everything the CLI does is one of these calls):

>>> import tracklingo
>>> registry = tracklingo.load_carriers()                       # doctest: +SKIP
>>> for item in tracklingo.normalize(tracklingo.read_records("feed.jsonl")):  # doctest: +SKIP
...     print(item)                                             # TrackingEvent or Reject

- Model: `TrackingEvent`, `Location`, `Handoff`, `Stage`, `Status`, `Reason`, `MatchKind`,
  `EVENT_ADAPTER`, `EVENTS_ADAPTER`, `event_to_json`, `event_json_schema`.
- Vocabulary: `Vocabulary`, `Rule`, `ReasonRule`, `normalize_phrase`.
- Plugins: `Carrier`, `Contact`, `ParseResult`, `NumberError`, `hookimpl`, `load_carriers`, `Registry`.
- Feeds: `read_records`, `Record`, `normalize`, `Normalizer`, `Reject`, `NormalizeStats`.
- Detection and check digits: `detect_carriers`, `best_carrier`, `parse_s10`, `S10`, `mod10_ok`,
  `mod7_ok`, `mod11_ok`.
- Errors: `TracklingoError` and its subclasses.
"""

from __future__ import annotations

from typing import Any

from tracklingo.advisor import Advice, EscalationStep, Explanation, advise, explain, load_advice
from tracklingo.carrier import Carrier, Contact, NumberError, ParseResult
from tracklingo.checkdigits import S10, clean_number, mod7_ok, mod10_ok, mod11_ok, parse_s10
from tracklingo.coverage import CoverageReport, coverage_report
from tracklingo.detection import Detection, best_carrier, detect_carriers
from tracklingo.errors import (
    CarrierAPIError,
    ConfigError,
    InputError,
    ParseError,
    PluginError,
    QuotaExceededError,
    TracklingoError,
    UnknownCarrierError,
    VocabularyError,
)
from tracklingo.feeds import Record, read_records
from tracklingo.hookspecs import hookimpl
from tracklingo.model import (
    EVENT_ADAPTER,
    EVENTS_ADAPTER,
    Handoff,
    Location,
    TrackingEvent,
    event_to_json,
)
from tracklingo.normalize import FlatRecord, Normalizer, NormalizeStats, Reject, normalize
from tracklingo.plugins import Registry, load_carriers
from tracklingo.scaffold import render_adapter
from tracklingo.store import IngestStats, Store, StoreError, open_store
from tracklingo.taxonomy import MatchKind, Reason, Stage, Status
from tracklingo.times import ResolvedTime, resolve_time
from tracklingo.vocabulary import ReasonRule, Rule, Vocabulary, normalize_phrase

__version__ = "0.1.0"


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of `TrackingEvent` (what ``tracklingo schema`` prints)."""
    return TrackingEvent.model_json_schema()


__all__ = [
    "EVENTS_ADAPTER",
    "EVENT_ADAPTER",
    "S10",
    "Advice",
    "Carrier",
    "CarrierAPIError",
    "ConfigError",
    "Contact",
    "CoverageReport",
    "Detection",
    "EscalationStep",
    "Explanation",
    "FlatRecord",
    "Handoff",
    "IngestStats",
    "InputError",
    "Location",
    "MatchKind",
    "NormalizeStats",
    "Normalizer",
    "NumberError",
    "ParseError",
    "ParseResult",
    "PluginError",
    "QuotaExceededError",
    "Reason",
    "ReasonRule",
    "Record",
    "Registry",
    "Reject",
    "ResolvedTime",
    "Rule",
    "Stage",
    "Status",
    "Store",
    "StoreError",
    "TrackingEvent",
    "TracklingoError",
    "UnknownCarrierError",
    "Vocabulary",
    "VocabularyError",
    "__version__",
    "advise",
    "best_carrier",
    "clean_number",
    "coverage_report",
    "detect_carriers",
    "event_json_schema",
    "event_to_json",
    "explain",
    "hookimpl",
    "load_advice",
    "load_carriers",
    "mod7_ok",
    "mod10_ok",
    "mod11_ok",
    "normalize",
    "normalize_phrase",
    "open_store",
    "parse_s10",
    "read_records",
    "render_adapter",
    "resolve_time",
]
