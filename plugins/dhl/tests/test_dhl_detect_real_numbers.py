"""Real DHL numbers from replies and public code (sources beside each), through detection.

DHL's own summary (https://dhl.com/cz-en/home/tracking/id-labels.html): eCommerce numbers are
"typically GM, LX, RX or up to five letters; 10-39 characters", DHL Parcel numbers start with
``3S``, ``JVGL`` or ``JJD``, and DHL Freight writes ``AA(A)-BB(B)-1234567``.
"""

from __future__ import annotations

import pytest

from tracklingo.detection import ASSIGN_CONFIDENCE, MIN_CONFIDENCE
from tracklingo_dhl.detect import detect


@pytest.mark.parametrize(
    ("number", "source"),
    [
        # Unified ecommerce reply (US -> GB, January 2023) in a public C# console program
        ("GMDBD8E9CCE94842E495B7", "ecommerce id with letters after GM"),
        # DHL Parcel NL barcode in a public DHL NL tracker's test (sender Brandpreventiewinkel)
        ("3SQLW0036293283", "3S + three letters + ten digits"),
        # DHL Parcel NL API examples (3S + customer code DEVC)
        ("3SDEVC5672025", "3S + four letters + seven digits"),
        # Unified parcel-nl reply quoted in a public mail-assistant prompt (April 2026)
        ("JVGL06218507000372709959", "JVGL + twenty digits"),
    ],
)
def test_real_dhl_numbers_are_assigned(number: str, source: str) -> None:
    assert detect(number) >= ASSIGN_CONFIDENCE, source


def test_freight_number_is_possible_not_assigned() -> None:
    # Unified freight reply (Sweden -> Finland, 2026): no check digit, so only a possible match
    score = detect("JKG-HI-0001643")
    assert MIN_CONFIDENCE <= score < ASSIGN_CONFIDENCE


@pytest.mark.parametrize("number", ["GMABCDEFGHIJKL", "GM12", "3SQLW12", "JKGHI000164"])
def test_near_misses_are_not_dhl(number: str) -> None:
    assert detect(number) < MIN_CONFIDENCE


@pytest.mark.parametrize(
    ("number", "source"),
    [
        # MyDHL API tracking responses (search-index file ids 21155589863 and 49324386697)
        ("9356579890", "Express waybill, Mexico 2023 (mod 7 check digit 0)"),
        ("1727636691", "Express waybill, Geneva -> Zurich 2024"),
        # MyDHL sandbox shipments and their piece IDs in the same front-end file (21155589863)
        ("1494896465", "Express waybill, MyDHL sandbox 2023"),
        ("JD014600004790042206", "Express piece ID: JD + 18 digits"),
        ("JD014600004790042207", "Express piece ID of the same waybill's second piece"),
    ],
)
def test_real_mydhl_numbers_are_assigned(number: str, source: str) -> None:
    assert detect(number) >= ASSIGN_CONFIDENCE, source


def test_a_mydhl_waybill_with_a_wrong_check_digit_is_not_assigned() -> None:
    # 9356579890 with its last digit changed: the mod 7 check fails
    assert detect("9356579891") < MIN_CONFIDENCE
