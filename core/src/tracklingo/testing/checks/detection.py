"""Checks on `detect`: documented numbers are recognised, corrupted check digits are not."""

from __future__ import annotations

from collections.abc import Sequence

from tracklingo.carrier import Carrier
from tracklingo.checkdigits import clean_tracking_number
from tracklingo.detection import MIN_CONFIDENCE
from tracklingo.testing.checks._report import fail

__all__ = ["check_corrupted_rejected", "check_detection_examples", "corrupt_check_digit"]


def corrupt_check_digit(number: str) -> str:
    """`number` with its check digit changed: the last digit in it (the check digit of USPS,
    FedEx, DHL Express and UPU S10 numbers alike) plus one, modulo 10."""
    cleaned = clean_tracking_number(number)
    for i in range(len(cleaned) - 1, -1, -1):
        if cleaned[i].isdigit():
            digit = (int(cleaned[i]) + 1) % 10
            return f"{cleaned[:i]}{digit}{cleaned[i + 1 :]}"
    raise ValueError(f"{number!r} has no digit to corrupt")


def _detect(carrier: Carrier, number: str) -> float | BaseException:
    try:
        return float(carrier.detect(clean_tracking_number(number)))
    except Exception as exc:
        return exc


def check_detection_examples(carrier: Carrier, examples: Sequence[str], min_confidence: float = 0.5) -> None:
    """Every documented example number is detected with at least `min_confidence`."""
    problems = []
    for number in examples:
        got = _detect(carrier, number)
        if isinstance(got, BaseException):
            problems.append(f"{number}: detect() raised {type(got).__name__}: {got}")
        elif got < min_confidence:
            problems.append(f"{number}: confidence {got:.2f} < {min_confidence:.2f}")
    if problems:
        raise fail(
            carrier.name,
            "detect() misses documented tracking numbers",
            problems,
            "make detect() recognise each documented format (length, prefix) and give a high"
            " confidence when its check digit is right; if an example is wrong, fix the example",
        )


def check_corrupted_rejected(carrier: Carrier, corrupted: Sequence[str]) -> None:
    """Numbers with a wrong check digit score below the detection threshold."""
    problems = []
    for number in corrupted:
        got = _detect(carrier, number)
        if isinstance(got, BaseException):
            problems.append(f"{number}: detect() raised {type(got).__name__}: {got}")
        elif got >= MIN_CONFIDENCE:
            problems.append(f"{number}: confidence {got:.2f} (must be < {MIN_CONFIDENCE})")
    if problems:
        raise fail(
            carrier.name,
            "detect() accepts tracking numbers whose check digit is wrong",
            problems,
            "verify the check digit (tracklingo.mod10_ok, mod7_ok, mod11_ok, parse_s10(...).valid)"
            " and give a number that fails it a confidence below"
            f" tracklingo.detection.MIN_CONFIDENCE ({MIN_CONFIDENCE}); if the format has no check"
            " digit, leave it out of corrupted_examples",
        )
