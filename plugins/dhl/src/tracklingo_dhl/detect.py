"""Which tracking numbers are DHL's, as a confidence 0..1 (format first, check digit where one exists).

Formats and sources (summary in docs/sources.md#dhl-tracking-numbers):

- DHL Express waybill: 10 or 11 digits = 9-10 digit serial + (serial mod 7)
  (repo jkeen/tracking_number_data couriers/dhl.json, CHECKSUM_ALGORITHMS.md; the IATA air-waybill
  rule). A random 10-digit string passes with probability 1/10 and DHL Freight also has 10-digit
  numbers (https://dhl.com/cz-en/home/tracking/id-labels.html), so a pass is good, not certain,
  evidence.
- DHL Express piece IDs / DHL Parcel: ``JJD``/``JVGL`` + digits (id-labels page; jkeen
  ``J[A-Z]{2,3}`` + 9-10 digits), ``JD`` + 18 digits in Unified ``pieceIds`` [capture]. No check digit.
- DHL Parcel Germany: 20 digits ``00340...`` with MOD 10 (3,1)
  (https://www.paketda.de/firmenkunden/paket-pruefziffern.html); 12-digit Identcode with the
  Deutsche Post check digit, weights 4,9 from the left / (10 - sum mod 10) mod 10 (paketda
  leaves the weights open; confirmed here from two barcode libraries: repo
  tigew/zxing-cpp core/src/oned/ODDeutschePostReader.cpp and libzint backend/2of5_based.c
  ``dpident``); ``JJD`` + 13 digits (paketda, frankieren.de); ``3S`` + a 3-4 letter customer code
  + digits (repo ha-parcel-integrations/ha-dhl README.md; DHL Parcel NL API examples
  ``3SDEVC5672025``; a real ``3SQLW0036293283``); Deutsche Post S10 items ending ``DE`` [capture].
- DHL Freight: ``AA(A)-BB(B)-1234567`` (id-labels page; a real Unified freight reply for
  ``JKG-HI-0001643``), dashes dropped by the cleaner; no check digit, so only a possible match.
- DHL eCommerce: ``GM``/``LX``/``RX``/``UV``/``CN``/``SG``/``TH``/``IN``/``HK``/``MY`` + 10-39
  digits, no check digit (jkeen couriers/dhl.json); ``GM`` with letters among the digits (DHL:
  "typically GM, LX, RX or up to five letters; 10-39 characters"; a real Unified eCommerce reply
  for ``GMDBD8E9CCE94842E495B7``), scored lower; USPS IMpb numbers issued under DHL's Mailer ID
  ``109124`` and the ``94748``/``93612`` prefixes (repo mediocre/bloodhound
  carriers/dhlEcommerceSolutions.js, carriers/dhl.js).

Collisions are scored moderate, never certain: ``00340...`` also passes the USPS
20-digit and SSCC rules, DHL eCommerce IMpb numbers *are* USPS numbers (USPS tracks them too), a
12-digit Identcode has the length of a FedEx Express number, ``LX``/``RX``/``CN`` look like UPU
prefixes. A format whose check digit is wrong scores at most `WRONG_CHECK`; an all-zero number
(it passes mod 7, the Identcode and MOD 10 checks) is nobody's.

Deliberate ambiguity: an IMpb under DHL's own Mailer ID ``109124`` (bloodhound
``test/carriers/dhlEcommerceSolutions.js``: ``420726449361210912400330222910``) scores
`AMBIGUOUS_WITH_USPS`, within the core's ambiguity margin of the USPS plugin's IMpb score, so
`best_carrier` asks for ``carrier`` rather than silently picking USPS (which also tracks it). The
``94748``/``93612`` prefixes stay moderate: ``93612`` is any IMpb 93 with service type 612 (jkeen
``usps.json`` lists ``9361289878700317633795`` as USPS), so USPS ranks first there. A ``420``+ZIP
barcode of any other mailer (bloodhound's DHL accepts every ``420`` + 27 digits and falls back to
USPS) is not claimed. Checked against the public test numbers (jkeen ``couriers/dhl.json``, DHL's
documented and sandbox numbers): see ``tests/test_dhl_detect.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from tracklingo.adapter import clean_tracking_number as clean_number
from tracklingo.adapter import mod7_ok, mod10_ok, parse_s10

__all__ = ["AMBIGUOUS_WITH_USPS", "FORMATS", "WRONG_CHECK", "Format", "detect", "explain"]

#: The score of a number that has a DHL format but the wrong check digit.
WRONG_CHECK: Final = 0.05
#: A valid IMpb under DHL's Mailer ID 109124: DHL eCommerce *and* USPS. Within the core's
#: AMBIGUITY_MARGIN (0.15) of the USPS plugin's IMpb scores (0.95; 0.9 behind ``420``+ZIP) on purpose.
AMBIGUOUS_WITH_USPS: Final = 0.85


def _impb_ok(number: str) -> bool:
    """USPS IMpb check digit (MOD 10, weights 3,1 from the right); a ``420``+ZIP prefix is
    routing data and is not part of the checked number (bloodhound dhlEcommerceSolutions.js,
    util/checkDigit.js)."""
    candidates = [number]
    if number.startswith("420"):
        candidates += [number[8:], number[12:]]  # 420 + 5-digit or 9-digit ZIP
    return any(c.startswith(("92", "93", "94", "95")) and mod10_ok(c) for c in candidates)


def _identcode_ok(number: str) -> bool:
    return mod10_ok(number, (4, 9))


def _s10_de_ok(number: str) -> bool:
    s10 = parse_s10(number)
    return s10 is not None and s10.valid


@dataclass(frozen=True, slots=True)
class Format:
    """One DHL number format: a regex, an optional check, and the confidence when it holds."""

    name: str
    regex: re.Pattern[str]
    confidence: float
    check: Callable[[str], bool] | None = None
    note: str = ""


FORMATS: Final[tuple[Format, ...]] = (
    Format(
        "DHL Express waybill",
        re.compile(r"^\d{10,11}$"),
        0.7,
        mod7_ok,
        "mod 7 passes for 1 random number in 10; DHL Freight also uses 10 digits",
    ),
    Format(
        "DHL Express / Parcel JJD or JVGL",
        re.compile(r"^(?:JJD\d{2}|JVGL)\d{6,30}$"),
        0.85,
        None,
        "used by DHL Express pieces and DHL Parcel: send `service`",
    ),
    Format(
        "DHL Express piece ID",
        re.compile(r"^(?:JD\d{18}|J[A-Z]{2,3}\d{9,10})$"),
        0.75,
    ),
    Format(
        "DHL Paket 20-digit 00340",
        re.compile(r"^00340\d{15}$"),
        0.6,
        mod10_ok,
        "same length and check digit as USPS 20-digit and GS1 SSCC numbers",
    ),
    Format(
        "DHL Paket Identcode",
        re.compile(r"^\d{12}$"),
        0.4,
        _identcode_ok,
        "same length as FedEx Express 12-digit numbers",
    ),
    Format("DHL Parcel 3S", re.compile(r"^3S[A-Z]{3,4}\d{7,20}$"), 0.6),
    Format(
        "DHL eCommerce GM",
        re.compile(r"^GM\d{10,39}$"),
        0.85,
    ),
    Format(
        "DHL eCommerce GM (letters and digits)",
        re.compile(r"^GM(?=[A-Z]*\d)(?=\d*[A-Z])[A-Z0-9]{8,37}$"),
        0.6,
        None,
        "DHL: eCommerce numbers have 10-39 characters; letters after GM are seen in real replies",
    ),
    Format(
        "DHL Freight",
        re.compile(r"^[A-Z]{2,3}[A-Z]{2,3}\d{7}$"),
        0.45,
        None,
        "DHL's AA(A)-BB(B)-1234567, dashes dropped; no check digit",
    ),
    Format(
        "DHL eCommerce prefix",
        re.compile(r"^(?:LX|RX|UV|CN|SG|TH|IN|HK|MY)\d{10,39}$"),
        0.6,
        None,
        "two-letter prefixes also used by postal operators",
    ),
    Format(
        "DHL eCommerce USPS IMpb (Mailer ID 109124)",
        re.compile(r"^(?:420\d{5}(?:\d{4})?)?93\d{3}109124(?:\d{10}|\d{14})\d$"),
        AMBIGUOUS_WITH_USPS,
        _impb_ok,
        "a USPS number as well: USPS tracks it too (ambiguous on purpose; send `carrier`)",
    ),
    Format(
        "DHL eCommerce USPS IMpb (94748 / 93612)",
        re.compile(r"^(?:420\d{5}(?:\d{4})?)?(?:94748|93612)\d{17}$"),
        0.45,
        _impb_ok,
        "a USPS number: USPS tracks it too",
    ),
    Format(
        "Deutsche Post S10 item",
        re.compile(r"^[A-Z]{2}\d{9}DE$"),
        0.4,
        _s10_de_ok,
        "UPU S10 number issued in Germany; other posts' plugins may claim it as well",
    ),
)


def explain(tracking_number: str) -> list[tuple[Format, bool]]:
    """Every DHL format the number has, with whether its check digit holds."""
    number = clean_number(tracking_number)
    out = []
    for fmt in FORMATS:
        if fmt.regex.match(number):
            out.append((fmt, fmt.check(number) if fmt.check else True))
    return out


def detect(tracking_number: str) -> float:
    """Confidence 0..1 that `tracking_number` is a DHL number. Never raises."""
    if not isinstance(tracking_number, str):
        return 0.0
    if clean_number(tracking_number).strip("0") == "":
        return 0.0  # all zeros passes mod 7, MOD 10 and the Identcode check: nobody's number
    best = 0.0
    for fmt, ok in explain(tracking_number):
        best = max(best, fmt.confidence if ok else WRONG_CHECK)
    return best
