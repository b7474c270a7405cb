"""FedEx tracking-number formats and check digits → a confidence between 0 and 1.

Formats and algorithms, with worked examples in docs/sources.md#fedex-tracking-numbers. Sources:
JKEEN = repo jkeen/tracking_number_data ``couriers/fedex.json``; GA-207899 =
http://answers.google.com/answers/threadview/id/207899.html; GRD-SPEC = FedEx Ground "Bar Code &
Label Layout Specification" (https://docslib.org/doc/1942261/bar-code-label-layout-specification);
DROGHER = repo jbittel/drogher ``drogher/shippers/fedex.py``; BH = repo mediocre/bloodhound
``carriers/fedEx.js``; SO-SP = https://www.generacodice.com/fr/articolo/7111084/how-to-calculate-a-fedex-smartpost-tracking-number-check-digit;
FDX-REF = FedEx API Reference Guide, https://developer.fedex.com/api/en-us/guides/api-reference.html:

- Express, 12 digits: weighted mod 11, weights 1, 3, 7 from the digit next to the check digit
  leftwards (= 3, 1, 7 from the left), remainder 10 → 0 (GA-207899; JKEEN; BH).
- Ground, 15 digits: mod 10, weight 3 on the rightmost payload digit (GRD-SPEC; JKEEN).
- Ground "96" barcode, 22 digits: the last 15 digits are a Ground number (DROGHER).
- 34-digit barcode (Express ``100…``, Ground GSN ``96…``): the last 14 digits are a zero-padded
  12-digit Express number (DROGHER; JKEEN).
- Ground Economy (formerly SmartPost), 20 digits or 22 with ``92``: USPS IMpb mod 10 after
  prefixing ``92`` (JKEEN; SO-SP). FedEx's own mock numbers ``0239465300…`` (FDX-REF) pass only with ``92``;
  older ``02…`` numbers (BH ``02931503799192766595``) only with ``91``: an ``02…`` number may pass
  either way, any other 20-digit one only with ``92`` (with ``91`` it would be a USPS legacy
  number, jkeen ``USPS 91``).
- A 22-digit ``92…`` number is also a valid USPS IMpb (it *is* one: USPS carries the last mile and
  tracks it), and so is an ``02…`` 20-digit number that passes with ``91`` (USPS legacy
  Delivery Confirmation, service type 02). The check digit cannot tell them apart. Deliberate
  ambiguity: the ``926129``/``927489`` numbers that FedEx publishes (JKEEN "FedEx SmartPost", BH;
  bloodhound lists ``9274899992136003821767`` under USPS as well) score `AMBIGUOUS_WITH_USPS`,
  within the core's ambiguity margin of USPS's IMpb score, so `best_carrier` asks for
  ``carrier`` instead of silently picking USPS; other ``92…`` numbers stay moderate (USPS wins).
- SSCC-18 (GS1 mod 10) is accepted by FedEx Ground but is a generic GS1 container code: low.
- Door tags ``DT`` + 12 digits: the Express mod 11 on the 12 digits (BH).
- Not FedEx: all-zero numbers (they pass every one of these checks; jkeen ``couriers/amazon.json``
  lists ``000000000000`` / ``000000000000000`` as invalid) and 34-digit ``420…`` barcodes (USPS
  ``420`` + ZIP+4 routing + IMpb, jkeen ``usps.json`` "USPS 34v2"; the FedEx 34-digit forms start
  ``100`` or ``96``).

A wrong check digit is never an exception: it gives a confidence of 0.05. Checked against the
public test numbers (jkeen ``couriers/fedex.json``, FedEx's published mock numbers, bloodhound's
``test/carriers/fedEx.js``): see ``tests/test_fedex_detect.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from tracklingo.adapter import clean_tracking_number as clean_number
from tracklingo.adapter import mod10_ok, mod11_ok

__all__ = ["AMBIGUOUS_WITH_USPS", "BAD_CHECK_DIGIT", "FormatMatch", "classify", "confidence"]

#: Confidence for a number with FedEx's shape but a wrong check digit.
BAD_CHECK_DIGIT: Final = 0.05

_EXPRESS_WEIGHTS: Final = (1, 3, 7)
_IMPB_WEIGHTS: Final = (3, 1)
#: Ground Economy number bodies that bloodhound accepts as FedEx without a checksum (BH).
_GROUND_ECONOMY_PREFIXES: Final = ("6129", "7489")
#: A 22-digit ``926129…``/``927489…`` number with a valid check digit: FedEx Ground Economy *and*
#: USPS IMpb. Within the core's AMBIGUITY_MARGIN (0.15) of USPS's IMpb score (0.95) on purpose.
AMBIGUOUS_WITH_USPS: Final = 0.85
_DOOR_TAG: Final = re.compile(r"^DT(\d{12})$")


@dataclass(frozen=True, slots=True)
class FormatMatch:
    """Which FedEx format a number has, whether its check digit holds, and the confidence."""

    format: str
    valid: bool
    confidence: float


def _express12(number: str) -> bool:
    # all zeros passes the arithmetic but proves nothing (e.g. a 34-digit barcode's zero tail)
    return number.strip("0") != "" and mod11_ok(number, weights=_EXPRESS_WEIGHTS)


def _ground15(number: str) -> bool:
    return number.strip("0") != "" and mod10_ok(number, weights=_IMPB_WEIGHTS)


def _impb(number: str, prefix: str = "") -> bool:
    """USPS IMpb MOD 10 of `prefix` + `number` (JKEEN "FedEx SmartPost")."""
    return mod10_ok(prefix + number, weights=_IMPB_WEIGHTS)


def _match(name: str, valid: bool, good: float) -> FormatMatch:
    return FormatMatch(name, valid, good if valid else BAD_CHECK_DIGIT)


def classify(number: str) -> FormatMatch | None:
    """The FedEx format of `number` (spaces and dashes allowed), or `None` for none of them."""
    n = clean_number(number)
    tag = _DOOR_TAG.match(n)
    if tag is not None:
        return _match("door tag", _express12(tag.group(1)), 0.8)
    if not (n.isascii() and n.isdigit()) or n.strip("0") == "":
        return None  # all zeros passes every check below: nobody's number
    size = len(n)
    if size == 12:
        return _match("express-12", _express12(n), 0.85)
    if size == 15:
        return _match("ground-15", _ground15(n), 0.85)
    if size == 18:
        return _match("sscc-18", mod10_ok(n, weights=_IMPB_WEIGHTS), 0.3)
    if size == 20:
        if _impb(n, "92"):  # JKEEN "FedEx SmartPost"; FDX-REF mocks 0239465300…, 6129…
            good = 0.8 if n.startswith(_GROUND_ECONOMY_PREFIXES) else 0.6
            return _match("ground-economy-20", True, good)
        # older 02… numbers check with a 91 prefix (BH, SO-SP); such a number is also a USPS
        # legacy 20-digit number (service type 02) and the USPS plugin scores it 0.7: ambiguous
        return _match("ground-economy-20", n.startswith("02") and _impb(n, "91"), 0.6)
    if size == 22:
        if n.startswith("96"):
            return _match("ground-96-22", _ground15(n[7:]), 0.9)
        if n.startswith("92"):
            # Same layout and check as a USPS IMpb: FedEx's published prefixes are made ambiguous
            # with USPS on purpose, other 92… numbers are left to USPS.
            fedex_prefix = n[2:].startswith(_GROUND_ECONOMY_PREFIXES)
            good = AMBIGUOUS_WITH_USPS if fedex_prefix else 0.45
            return _match("ground-economy-22", _impb(n), good)
        return None
    if size == 34:
        if n.startswith("420"):
            return None  # USPS 420 + ZIP+4 + IMpb barcode (jkeen usps.json "USPS 34v2")
        valid = _express12(n[-14:])
        if n.startswith("100"):
            return _match("express-34", valid, 0.9)
        if n.startswith("96"):
            return _match("ground-gsn-34", valid, 0.9)
        return _match("barcode-34", valid, 0.5)
    return None


def confidence(number: str) -> float:
    """Confidence 0..1 that `number` is a FedEx tracking number."""
    found = classify(number)
    return found.confidence if found is not None else 0.0
