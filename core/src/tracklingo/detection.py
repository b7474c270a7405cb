"""Which carrier a tracking number belongs to: every installed plugin's `detect`, ranked, and a
verdict that never guesses.

Each carrier's `Carrier.detect` gives a confidence (0..1; check digits count most). A number is:

- **assigned** to the best candidate when its confidence is at least `ASSIGN_CONFIDENCE` and no
  other candidate comes within `AMBIGUITY_MARGIN` of it;
- **ambiguous** when two candidates are that close (the record is rejected: send ``carrier``);
- **possible** when the best candidate is below `ASSIGN_CONFIDENCE`: a weak match (a format other
  carriers share, or only a generic check-digit pattern — a 12-digit number passes DHL Paket's
  Identcode check one time in ten) is shown, never assigned;
- **unknown** when no carrier reaches `MIN_CONFIDENCE`.

The normalizer assigns a carrier-less record only when the verdict is "assigned"; `detect` (the
library call behind ``tracklingo detect``) says why in every case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from tracklingo.checkdigits import clean_tracking_number
from tracklingo.errors import ParseError
from tracklingo.guard import run_adapter

if TYPE_CHECKING:
    from tracklingo.carrier import Carrier

__all__ = [
    "AMBIGUITY_MARGIN",
    "ASSIGN_CONFIDENCE",
    "MIN_CONFIDENCE",
    "Detection",
    "NumberVerdict",
    "best_carrier",
    "detect",
    "detect_carriers",
]

#: Below this confidence a carrier is not listed as a candidate.
MIN_CONFIDENCE: Final = 0.2
#: A record without ``carrier`` is assigned only to a candidate at least this sure.
ASSIGN_CONFIDENCE: Final = 0.5
#: Two candidates closer than this are ambiguous: the normalizer rejects rather than guesses.
AMBIGUITY_MARGIN: Final = 0.15

Verdict = Literal["assigned", "ambiguous", "possible", "unknown"]


@dataclass(frozen=True, slots=True)
class Detection:
    """One candidate carrier for a number."""

    carrier: str
    confidence: float


@dataclass(frozen=True, slots=True)
class NumberVerdict:
    """What detection makes of one number: the candidates (best first), the carrier it is
    assigned to (only when the verdict is ``assigned``), and why, in one line."""

    number: str
    candidates: tuple[Detection, ...]
    verdict: Verdict
    reason: str
    carrier: str | None = None


def detect_carriers(number: str, carriers: Iterable[Carrier]) -> list[Detection]:
    """Candidates for `number`, best first (confidence ≥ `MIN_CONFIDENCE`)."""
    cleaned = clean_tracking_number(number)
    found = []
    for carrier in carriers:
        try:
            score = float(run_adapter(carrier.name, "detect()", carrier.detect, cleaned))
        except (ParseError, TypeError, ValueError):  # a broken detector costs its own answer only
            continue
        if score >= MIN_CONFIDENCE:
            found.append(Detection(carrier.name, round(min(score, 1.0), 3)))
    found.sort(key=lambda d: (-d.confidence, d.carrier))
    return found


def _listed(candidates: Iterable[Detection]) -> str:
    return ", ".join(f"{d.carrier} ({d.confidence:.2f})" for d in candidates)


def detect(number: str, carriers: Iterable[Carrier]) -> NumberVerdict:
    """The verdict on `number` (see the module docstring)."""
    found = tuple(detect_carriers(number, carriers))
    if not found:
        return NumberVerdict(
            number, found, "unknown", f"no installed carrier recognises tracking number {number!r}"
        )
    best = found[0]
    close = [d for d in found if best.confidence - d.confidence < AMBIGUITY_MARGIN]
    if len(close) > 1:
        return NumberVerdict(
            number,
            found,
            "ambiguous",
            f"ambiguous tracking number {number!r}: could be {_listed(close)}; set `carrier`",
        )
    if best.confidence < ASSIGN_CONFIDENCE:
        return NumberVerdict(
            number,
            found,
            "possible",
            f"tracking number {number!r} is only possibly {_listed([best])}: a weak match (below"
            f" {ASSIGN_CONFIDENCE:.2f}; a shared or generic format) is not assigned; set `carrier`",
        )
    return NumberVerdict(
        number,
        found,
        "assigned",
        f"{best.carrier} ({best.confidence:.2f})"
        + (f", ahead of {_listed(found[1:])}" if len(found) > 1 else ""),
        best.carrier,
    )


def best_carrier(number: str, carriers: Iterable[Carrier]) -> tuple[str | None, str | None]:
    """(carrier name, None) when the number is assigned; else (None, why not)."""
    verdict = detect(number, carriers)
    return (verdict.carrier, None) if verdict.carrier is not None else (None, verdict.reason)
