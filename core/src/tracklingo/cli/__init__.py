"""The ``tracklingo`` command line (``main``). Exit codes: 0 ok, 1 user error, 2 usage error.

Commands are imported on first use: this table names each command's module and its one-line help
(what ``tracklingo --help`` shows without importing them; a test keeps it equal to the commands').
"""

from __future__ import annotations

from collections.abc import Sequence

from tracklingo.cli._common import LazyGroup, handle_errors, main

__all__ = ["handle_errors", "main", "run"]


def run(args: Sequence[str] | None = None) -> None:
    """The ``tracklingo`` console script: `main`, with pandas kept out of the process (pyarrow
    would import it, unused; see `tracklingo.cli._pandas`)."""
    from tracklingo.cli._pandas import block

    block()
    main(args)

_COMMANDS: dict[str, tuple[str, str]] = {
    "advise": (
        "tracklingo.cli.advice",
        "Advise on each shipment in FILES (or stdin), raw or canonical events from any carrier:"
        " current stage, time there, on track or stuck, and when stuck whom to contact, in order.",
    ),
    "carriers": (
        "tracklingo.cli.carriers",
        "List installed carrier plugins and their versions (stdout); plugins that failed to load or"
        " clash, with distribution, version and file (stderr; in the document with --json).",
    ),
    "coverage": (
        "tracklingo.cli.adapters",
        "Unmapped carrier texts and codes in a feed (FILES or stdin), most frequent first, per"
        " carrier, each with a suggested vocabulary rule stub; then the texts the open-world layers"
        " read (inferred, another vocabulary's phrase, a sentence form), most frequent first, with"
        " stage, confidence and a stub to confirm.",
    ),
    "dwell": (
        "tracklingo.cli.dwell",
        "How long parcels stay at each stage, per carrier, stage and lane, from the completed"
        " transitions in the store (read-only): n, p50 / p90 / p99 in hours and business days.",
    ),
    "detect": (
        "tracklingo.cli.carriers",
        "Rank carriers by confidence for each tracking NUMBER (check digits first).",
    ),
    "explain": (
        "tracklingo.cli.advice",
        "Explain what a carrier status TEXT means: stage, where the parcel is, what happens next,"
        " whether you need to act, and other carriers' words for the same stage.",
    ),
    "glossary": (
        "tracklingo.cli.carriers",
        "Every carrier's words for each stage, from the installed vocabularies.",
    ),
    "ingest": (
        "tracklingo.cli.store",
        "Add feeds (FILES or stdin: raw, flat or canonical events) to the store, idempotently.",
    ),
    "new-adapter": (
        "tracklingo.cli.adapters",
        "Write a complete carrier adapter package NAME: entry point, vocabulary, parser, tests.",
    ),
    "normalize": (
        "tracklingo.cli.normalize",
        "Normalize raw carrier events or API responses (FILES or stdin) to canonical JSONL"
        " (or Parquet / Arrow IPC).",
    ),
    "schema": ("tracklingo.cli.carriers", "Print the JSON Schema of a canonical TrackingEvent."),
    "stuck": (
        "tracklingo.cli.store",
        "List the stuck shipments in the store, longest at their stage first, each with the"
        " escalation ladder: whom to contact, in order.",
    ),
    "track": (
        "tracklingo.cli.track",
        "Track NUMBERs live through the carriers' APIs: one line per event on stdout (canonical"
        " events as JSONL with --json).",
    ),
    "export": (
        "tracklingo.cli.export",
        "Show each shipment in FILES (or stdin; raw or canonical events) in a peer's statuses:"
        " AfterShip tag/subtag, 17TRACK status/sub-status, EasyPost status/status_detail or Shippo"
        " status.",
    ),
    "serve": (
        "tracklingo.cli.serve",
        "Receive carriers' and peers' tracking webhooks at POST /webhooks/SOURCE (fedex, dhl, usps,"
        " aftership, easypost), store each delivery, then normalize it into the store.",
    ),
    "renormalize": (
        "tracklingo.cli.serve",
        "Replay the webhook deliveries stored by `tracklingo serve` through the normalizer into the"
        " store: those pending, partly or not normalized (or --all).",
    ),
}

assert isinstance(main, LazyGroup)
main.lazy.update(_COMMANDS)
