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
- Feeds: `read_records`, `Feed`, `Record`, `normalize`, `Normalizer`, `Reject`, `NormalizeStats`.
- Advice: `explain`, `Explanation`, `build_journeys`, `Journey`, `advise`, `Advice`.
- Detection and check digits: `detect_carriers`, `best_carrier`, `parse_s10`, `S10`, `mod10_ok`,
  `mod7_ok`, `mod11_ok`.
- Errors: `TracklingoError` and its subclasses.

Names are imported on first use, so importing the package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracklingo._lazy import export_lazily

__version__ = "0.1.0"

#: Where each public name lives. The package root imports nothing heavy: a name's module is imported
#: the first time the name is used (`__getattr__`), so ``tracklingo --help`` does not pay for
#: pydantic, the advisor, the store or the scaffold.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ("Advice", "EscalationStep", "Explanation", "advise", "explain", "load_advice"),
        "tracklingo.advisor",
    ),
    **dict.fromkeys(("Carrier", "Contact", "NumberError", "ParseResult"), "tracklingo.carrier"),
    **dict.fromkeys(
        ("S10", "clean_number", "mod7_ok", "mod10_ok", "mod11_ok", "parse_s10"),
        "tracklingo.checkdigits",
    ),
    **dict.fromkeys(("CoverageReport", "coverage_report"), "tracklingo.coverage"),
    **dict.fromkeys(("Detection", "best_carrier", "detect_carriers"), "tracklingo.detection"),
    **dict.fromkeys(
        (
            "CarrierAPIError",
            "ConfigError",
            "InputError",
            "ParseError",
            "PluginError",
            "QuotaExceededError",
            "TracklingoError",
            "UnknownCarrierError",
            "VocabularyError",
        ),
        "tracklingo.errors",
    ),
    **dict.fromkeys(("Feed", "Record", "read_records"), "tracklingo.feeds"),
    "hookimpl": "tracklingo.hookspecs",
    **dict.fromkeys(("Journey", "build_journeys"), "tracklingo.journeys"),
    **dict.fromkeys(
        ("EVENT_ADAPTER", "EVENTS_ADAPTER", "Handoff", "Location", "TrackingEvent", "event_to_json"),
        "tracklingo.model",
    ),
    **dict.fromkeys(
        ("FlatRecord", "Normalizer", "NormalizeStats", "Reject", "normalize"), "tracklingo.normalize"
    ),
    **dict.fromkeys(("Registry", "load_carriers"), "tracklingo.plugins"),
    "render_adapter": "tracklingo.scaffold",
    **dict.fromkeys(("IngestStats", "Store", "StoreError", "open_store"), "tracklingo.store"),
    **dict.fromkeys(("MatchKind", "Reason", "Stage", "Status"), "tracklingo.taxonomy"),
    **dict.fromkeys(("ResolvedTime", "resolve_time"), "tracklingo.times"),
    **dict.fromkeys(
        ("ReasonRule", "Rule", "Vocabulary", "normalize_phrase"), "tracklingo.vocabulary"
    ),
}


export_lazily(__name__, _LAZY)


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of `TrackingEvent` (what ``tracklingo schema`` prints)."""
    from tracklingo.model import TrackingEvent

    return TrackingEvent.model_json_schema()


if TYPE_CHECKING:  # what type checkers and IDEs see: the same names, imported eagerly
    from tracklingo.advisor import Advice, EscalationStep, Explanation, load_advice
    from tracklingo.advisor.advise import advise
    from tracklingo.advisor.explain import explain
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
    from tracklingo.feeds import Feed, Record, read_records
    from tracklingo.hookspecs import hookimpl
    from tracklingo.journeys import Journey, build_journeys
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
    "Feed",
    "FlatRecord",
    "Handoff",
    "IngestStats",
    "InputError",
    "Journey",
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
    "build_journeys",
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
