"""Is this a USPS tracking number? A confidence from the number's format and its check digit.

Formats (summary in docs/sources.md#usps-tracking-numbers; sources in brackets):

- **IMpb / PIC** (Publication 199, "Intelligent Mail package barcode"; repo jkeen/tracking_number_data
  ``couriers/usps.json``): application identifier ``92`` / ``93`` (commercial mailer, 9- / 6-digit
  mailer ID), ``94`` (online and PC-postage labels), ``95`` (retail counter / kiosk), then a 3-digit
  service type code, the mailer ID, a serial and one MOD 10 check digit: 22 or 26 digits, up to
  30 for the "N" constructs with a 15-digit serial.
- **Legacy 22-digit** numbers start with the UCC/EAN application identifier ``91`` followed by a
  20-digit Delivery/Signature Confirmation number; labels often print those 20 digits alone
  (2-digit service type + 9-digit mailer ID + 8-digit package ID + check digit). jkeen's data
  validates a bare 20-digit number either as is or with the ``91`` put back in front, so both are
  accepted here, when the 2-digit service type is a known one.
- **Routing prefix**: a scanned barcode may start with ``420`` + destination ZIP (5 or 9 digits),
  which is not part of the tracking number and not covered by its check digit (jkeen
  ``USPS 34v2`` / ``USPS 91``); it is stripped (`strip_routing`) before checking.
- **MOD 10** (Pub. 199 "Calculating the MOD 10 Check Digit for the PIC"; jkeen
  ``CHECKSUM_ALGORITHMS.md``): weights 3, 1, 3, ... from the rightmost data digit; check digit
  = (10 - sum mod 10) mod 10. `tracklingo.checkdigits.mod10_ok` implements it.
- **UPU S10** (UPU standard S10; docs/sources.md#s10-item-identifiers): two letters, 8-digit serial,
  check digit
  (weights 8 6 4 2 3 5 9 7, mod 11), ISO country of the *issuing* post. Numbers ending ``US`` are
  USPS's own international items (e.g. ``CP...US`` Priority Mail International). S10 numbers
  issued by other posts are tracked by USPS on their US leg too, but the number belongs to the
  issuing post, so they are not claimed (pass ``carrier: usps`` / ``--carrier usps``).

A number of a USPS shape whose check digit is wrong scores `WRONG_CHECK_DIGIT` (below the core's
detection threshold): "not USPS", never an exception.

Shared numbers (deliberate ambiguity, decided by the other plugins' scores): consolidators print
USPS IMpb numbers, which USPS tracks, so FedEx Ground Economy ``926129…``/``927489…`` 22-digit
numbers and DHL eCommerce IMpb numbers under DHL's Mailer ID ``109124`` are scored by the FedEx /
DHL plugins within the core's ambiguity margin of the score given here; an ``02…`` 20-digit number
valid with ``91`` is both a legacy Delivery Confirmation number and an older FedEx SmartPost one.
A 20-digit FedEx Ground Economy number that checks only with ``92`` in front (``6129…``) is not
USPS (jkeen lists ``61299998820821171811`` as invalid for USPS). Checked against the public test
numbers (jkeen ``couriers/usps.json`` and ``couriers/s10.json``, bloodhound
``test/carriers/usps.js``): see ``tests/test_usps_detect.py``.
"""

from __future__ import annotations

from typing import Final

from tracklingo.adapter import clean_tracking_number as clean_number
from tracklingo.adapter import mod10_ok, parse_s10

__all__ = ["WRONG_CHECK_DIGIT", "confidence", "pic_candidates", "pic_score", "strip_routing"]

#: Score for a number that has a USPS layout but fails its check digit.
WRONG_CHECK_DIGIT: Final = 0.05

#: IMpb application identifiers (jkeen usps.json).
_IMPB_APP_IDS: Final = frozenset({"92", "93", "94", "95"})
_LEGACY_APP_ID: Final = "91"
#: 2-digit service types of 20-digit legacy numbers: 01-08 and 14 Delivery Confirmation, 21-26 and
#: 34 Signature Confirmation, 73 Insured, 82/83/85 Merchandise Return (jkeen usps.json); 71
#: Certified, 77 Registered, 81 Return Receipt for Merchandise (jkeen usps.json "USPS 20" lookup);
#: 70: repo mediocre/bloodhound test/carriers/usps.js lists the real ``70131710000012912087``, valid
#: as printed (older Certified Mail labels are numbered ``70…``: not confirmed by a USPS document).
_LEGACY_SERVICE_TYPES: Final = frozenset(
    [f"{i:02d}" for i in range(1, 9)]
    + ["14", "21", "22", "23", "24", "25", "26", "34"]
    + ["70", "71", "73", "77", "81", "82", "83", "85"]
)


def strip_routing(digits: str) -> list[str]:
    """The tracking numbers (PICs) a scanned barcode may hold: itself, and without a
    ``420`` + ZIP5 / ZIP+4 routing prefix when it has one."""
    out = [digits]
    if digits.startswith("420"):
        for cut in (8, 12):  # 420 + 5-digit ZIP, 420 + 9-digit ZIP+4
            if len(digits) - cut >= 20:
                out.append(digits[cut:])
    return out


def pic_candidates(number: str) -> list[str]:
    """Digit strings worth checking for `number` (cleaned), longest first."""
    cleaned = clean_number(number)
    if not (cleaned.isascii() and cleaned.isdigit()):
        return []
    return strip_routing(cleaned)


def pic_score(pic: str) -> float:
    """Confidence for one PIC candidate (no routing prefix)."""
    n = len(pic)
    if pic.strip("0") == "":
        return 0.0  # an all-zero number passes MOD 10 trivially; it is nobody's
    head = pic[:2]
    if n == 22 and head in _IMPB_APP_IDS:
        return 0.95 if mod10_ok(pic) else WRONG_CHECK_DIGIT
    if n == 22 and head == _LEGACY_APP_ID:
        return 0.9 if mod10_ok(pic) else WRONG_CHECK_DIGIT
    if n == 26 and head in _IMPB_APP_IDS:
        return 0.9 if mod10_ok(pic) else WRONG_CHECK_DIGIT
    if n == 30 and head in _IMPB_APP_IDS:
        # "N" construct: 9-digit MID with a 15-digit serial (jkeen usps.json)
        return 0.8 if mod10_ok(pic) else WRONG_CHECK_DIGIT
    if n == 20:
        # legacy Delivery/Signature Confirmation: valid as printed, or as 91 + these 20 digits
        if not (mod10_ok(pic) or mod10_ok(_LEGACY_APP_ID + pic)):
            return WRONG_CHECK_DIGIT
        # a known 2-digit service type; other 20-digit MOD 10 numbers (e.g. SSCC-18 with its
        # "00" application identifier) are not claimed
        return 0.7 if head in _LEGACY_SERVICE_TYPES else 0.15
    return 0.0


def confidence(number: str) -> float:
    """Confidence 0..1 that `number` is a USPS tracking number.

    >>> confidence("9261290000012300000427")     # IMpb, check digit right (worked example)
    0.95
    >>> confidence("9261290000012300000428")     # same digits, wrong check digit
    0.05
    >>> confidence("CP100000140US"), confidence("CP100000141US")
    (0.95, 0.05)
    """
    if not isinstance(number, str):
        return 0.0
    cleaned = clean_number(number)
    s10 = parse_s10(cleaned)
    if s10 is not None:
        if s10.country != "US":
            return 0.0
        return 0.95 if s10.valid else WRONG_CHECK_DIGIT
    candidates = pic_candidates(cleaned)
    if not candidates:
        return 0.0
    best = 0.0
    for pic in candidates:
        best = max(best, pic_score(pic))
    if best == 0.0:
        return 0.0
    # a 420+ZIP barcode is a touch less certain than a bare PIC (the prefix could be chance)
    if best > WRONG_CHECK_DIGIT and pic_score(candidates[0]) < best:
        best = round(best - 0.05, 3)
    return best
