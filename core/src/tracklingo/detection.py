"""Which carrier a tracking number belongs to: every installed plugin's `detect`, ranked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tracklingo.carrier import Carrier
from tracklingo.checkdigits import clean_number

__all__ = ["Detection", "best_carrier", "detect_carriers"]

#: Below this confidence a carrier is not listed as a candidate.
MIN_CONFIDENCE = 0.2
#: Two candidates closer than this are ambiguous: the normalizer rejects rather than guesses.
AMBIGUITY_MARGIN = 0.15


@dataclass(frozen=True, slots=True)
class Detection:
    """One candidate carrier for a number."""

    carrier: str
    confidence: float


def detect_carriers(number: str, carriers: Iterable[Carrier]) -> list[Detection]:
    """Candidates for `number`, best first (confidence ≥ `MIN_CONFIDENCE`)."""
    cleaned = clean_number(number)
    found = []
    for carrier in carriers:
        try:
            score = float(carrier.detect(cleaned))
        except Exception:  # a broken detector must not break detection for the others
            continue
        if score >= MIN_CONFIDENCE:
            found.append(Detection(carrier.name, round(min(score, 1.0), 3)))
    found.sort(key=lambda d: (-d.confidence, d.carrier))
    return found


def best_carrier(number: str, carriers: Iterable[Carrier]) -> tuple[str | None, str | None]:
    """(carrier name, None) when one candidate clearly wins; else (None, why not)."""
    found = detect_carriers(number, carriers)
    if not found:
        return None, f"no installed carrier recognises tracking number {number!r}"
    if len(found) > 1 and found[0].confidence - found[1].confidence < AMBIGUITY_MARGIN:
        close = [d for d in found if found[0].confidence - d.confidence < AMBIGUITY_MARGIN]
        names = ", ".join(f"{d.carrier} ({d.confidence:.2f})" for d in close)
        return None, f"ambiguous tracking number {number!r}: could be {names}; set `carrier`"
    return found[0].carrier, None
