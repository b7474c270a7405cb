"""The advisor: what a status means, whether a shipment is stuck, and whom to contact.

Two calls answer what a worried recipient or a support agent asks:

- `explain(text, registry, carrier=None)` resolves a carrier's status text through the installed
  vocabularies and returns one `Explanation` per stage the carriers map it to (several when they
  disagree, or when the stage depends on the parcel's direction). A text no vocabulary knows gets
  one explanation with ``known=False`` and stage `unknown`: tracklingo never guesses a meaning.
- `advise(journey, registry, now)` returns an `Advice` for a shipment's current stage at `now`,
  seeing the journey as it stood then (later scans left out, and said so): the texts, the time at
  the stage (since the first event of the current run of that stage), the verdict (`on_track`,
  `stuck`, `done` for delivered/returned/cancelled, `unknown`), and when stuck the escalation
  ladder: the carrier holding the parcel now, a universal tracker, the sender.
- `judge(journey, registry, now)` is the verdict alone (`Judgement`), the one place it is
  decided; `advise` builds on it, and `tracklingo stuck` uses it to judge a whole store cheaply.
  Its one comparison is `is_stuck(elapsed_hours, limit_hours)` (at the limit is not stuck), for
  the fixed thresholds and the dwell history alike (`stage_verdict` turns the history's figures,
  `tracklingo.history.DwellFigures`, into its `StageVerdict`).

The texts, dwell thresholds and ladder wording are data: ``tracklingo/data/advice.toml`` (one
complete entry per stage, copy per reason; `load_advice` reads and checks it). Thresholds are
lane-aware (`journey_lane`: a cross-border stage makes a journey international even when its scans
name one country; an unknown lane counts as domestic and is said to be assumed) and count only
Monday-Friday hours where the entry says ``business_days = true`` (`business_hours`).

Carrier plugins adjust the advice for the parcels they hold through an optional attribute::

    class MyPost(Carrier):
        advice_overrides = {
            "customs_hold": {
                "steps": ["Pay duties at https://mypost.example/duties"],  # added after the core's
                "how_soon": "Released within a day of payment.",           # replaces a text
                "dwell": {"international": {"hours": 240, "business_days": True,
                                             "source": "MyPost customs FAQ"}},
            },
        }

Keys are stage names; each value may set ``headline``, ``meaning``, ``where``, ``holder``,
``next``, ``how_soon``, ``recipient_must_act`` (``yes``/``no``/``maybe``), ``recipient_action``
(replacing the core's text), ``steps`` (appended), ``replace_steps`` (replacing the core's) and
``dwell`` (``domestic``/``international`` thresholds, each with its ``source`` or a ``note``).
A malformed override raises `ConfigError` naming the carrier. Contact points come from
`Carrier.contacts` / `Carrier.contacts_for(country)` and tracking links from `Carrier.link`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracklingo._lazy import export_lazily

#: Where each name lives, imported on first use (PEP 562), so ``tracklingo explain`` does not
#: import what only ``advise`` needs (the judge, the lanes, the history).
_LAZY: dict[str, str] = {
    **dict.fromkeys(("advise", "advise_judged"), "tracklingo.advisor.advise"),
    **dict.fromkeys(
        (
            "Catalog",
            "UnknownLanguageError",
            "available_languages",
            "load_catalog",
            "read_catalog",
            "resolve_language",
        ),
        "tracklingo.advisor.catalog",
    ),
    **dict.fromkeys(
        ("AdviceBook", "StageAdvice", "Threshold", "carrier_overrides", "load_advice", "situation_entry"),
        "tracklingo.advisor.content",
    ),
    **dict.fromkeys(("explain",), "tracklingo.advisor.explain"),
    **dict.fromkeys(
        (
            "Judgement",
            "NotYetScannedError",
            "is_stuck",
            "journey_as_of",
            "judge",
            "lane_label",
            "stage_verdict",
            "verdict_prefix",
        ),
        "tracklingo.advisor.judge",
    ),
    **dict.fromkeys(("Lane", "journey_lane"), "tracklingo.advisor.lane"),
    **dict.fromkeys(("Language", "language"), "tracklingo.advisor.language"),
    **dict.fromkeys(("Advice", "EscalationStep", "Explanation"), "tracklingo.advisor.results"),
    **dict.fromkeys(("business_hours", "synonyms_for"), "tracklingo.advisor.text"),
}


export_lazily(__name__, _LAZY)

if TYPE_CHECKING:  # what type checkers and IDEs see: the same names, imported eagerly
    from tracklingo.advisor.advise import advise, advise_judged
    from tracklingo.advisor.catalog import (
        Catalog,
        UnknownLanguageError,
        available_languages,
        load_catalog,
        read_catalog,
        resolve_language,
    )
    from tracklingo.advisor.content import (
        AdviceBook,
        StageAdvice,
        Threshold,
        carrier_overrides,
        load_advice,
        situation_entry,
    )
    from tracklingo.advisor.explain import explain
    from tracklingo.advisor.judge import (
        Judgement,
        NotYetScannedError,
        is_stuck,
        journey_as_of,
        judge,
        lane_label,
        stage_verdict,
        verdict_prefix,
    )
    from tracklingo.advisor.lane import Lane, journey_lane
    from tracklingo.advisor.language import Language, language
    from tracklingo.advisor.results import Advice, EscalationStep, Explanation
    from tracklingo.advisor.text import business_hours, synonyms_for

__all__ = [
    "Advice",
    "AdviceBook",
    "Catalog",
    "EscalationStep",
    "Explanation",
    "Judgement",
    "Lane",
    "Language",
    "NotYetScannedError",
    "StageAdvice",
    "Threshold",
    "UnknownLanguageError",
    "advise",
    "advise_judged",
    "available_languages",
    "business_hours",
    "carrier_overrides",
    "explain",
    "is_stuck",
    "journey_as_of",
    "journey_lane",
    "judge",
    "lane_label",
    "language",
    "load_advice",
    "load_catalog",
    "read_catalog",
    "resolve_language",
    "situation_entry",
    "stage_verdict",
    "synonyms_for",
    "verdict_prefix",
]
