"""FedEx number detection: formats and check digits (shared/reference/fedex.md section 5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracklingo import detect_carriers, mod10_ok, mod11_ok
from tracklingo.checkdigits import mod10_check_digit
from tracklingo_fedex import FedExCarrier
from tracklingo_fedex.detect import BAD_CHECK_DIGIT, classify, confidence


def express_check(payload11: str) -> str:
    """Express mod 11 as fedex.md 5.2 states it: weights 3,1,7 from the left; 10 → 0."""
    weights = (3, 1, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(payload11))
    return str(total % 11 % 10)


def ground_check(payload14: str) -> str:
    """Ground mod 10 as fedex.md 5.3 states it: from the right, even positions ×3."""
    digits = [int(d) for d in reversed(payload14)]  # position 2, 3, 4... from the right
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits))
    return str((10 - total % 10) % 10)


def corrupt(number: str) -> str:
    """The same number with a different last digit."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# -- the core's algorithms against the reference's worked examples ----------------------------------


def test_core_mod11_matches_the_worked_examples() -> None:
    # fedex.md 5.2: 168 mod 11 = 3; 131 mod 11 = 10 → 0
    assert express_check("70123456789") == "3"
    assert express_check("30166131860") == "0"
    assert mod11_ok("701234567893", weights=(1, 3, 7))
    assert mod11_ok("301661318600", weights=(1, 3, 7))
    assert not mod11_ok("701234567894", weights=(1, 3, 7))


def test_core_mod10_matches_the_worked_examples() -> None:
    # fedex.md 5.3: 107 → 3; 5.5: 161 → 9; 5.6: 128 → 2
    assert ground_check("12345678901234") == "3"
    assert mod10_ok("123456789012343")
    assert mod10_check_digit("926129000012345678901") == 9
    assert mod10_check_digit("00123456789012345") == 2


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_express_algorithm_agrees_with_the_core(payload: str) -> None:
    number = payload + express_check(payload)
    assert classify(number) is not None
    assert confidence(number) >= 0.8
    assert mod11_ok(number, weights=(1, 3, 7))


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_ground_algorithm_agrees_with_the_core(payload: str) -> None:
    number = payload + ground_check(payload)
    assert confidence(number) >= 0.8
    assert confidence(corrupt(number)) <= 0.1


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_express_corrupted_check_digit(payload: str) -> None:
    good = payload + express_check(payload)
    for digit in "0123456789":
        if digit != good[-1]:
            assert confidence(payload + digit) <= 0.1


# -- tables --------------------------------------------------------------------------------------------

VALID = [
    # (number, format, minimum confidence); sources in the comment
    ("701234567893", "express-12", 0.8),  # fedex.md 5.2
    ("301661318600", "express-12", 0.8),  # fedex.md 5.2, remainder 10
    ("986578788855", "express-12", 0.8),  # JKEEN test numbers
    ("7905 3531 2317", "express-12", 0.8),  # spaces allowed
    ("123456789012343", "ground-15", 0.8),  # fedex.md 5.3
    ("0414 4176 0228 964", "ground-15", 0.8),  # JKEEN
    ("377101283611590", "ground-15", 0.8),  # FedEx mock number (HEIM capture)
    ("9612345123456789012343", "ground-96-22", 0.85),  # fedex.md 5.4
    ("9611020987654312345672", "ground-96-22", 0.85),  # JKEEN
    ("1001234567890123810100701234567893", "express-34", 0.85),  # fedex.md 5.7
    ("1001921334250001000300779017972697", "express-34", 0.85),  # JKEEN
    ("9622001560001234567100794808390594", "ground-gsn-34", 0.85),  # JKEEN GSN
    ("61290000123456789019", "ground-economy-20", 0.7),  # fedex.md 5.5
    ("61292701078443410536", "ground-economy-20", 0.7),  # FedEx mock number (HEIM)
    ("02931503799192766595", "ground-economy-20", 0.5),  # bloodhound: checks with 91
    ("001234567890123452", "sscc-18", 0.25),  # fedex.md 5.6
    ("DT582019374609", "door tag", 0.75),  # fedex.md 5.8
]


@pytest.mark.parametrize(("number", "fmt", "least"), VALID)
def test_valid_numbers(number: str, fmt: str, least: float) -> None:
    found = classify(number)
    assert found is not None
    assert (found.format, found.valid) == (fmt, True)
    assert least <= found.confidence <= 1.0


@pytest.mark.parametrize(("number", "fmt", "least"), VALID)
def test_corrupted_check_digit(number: str, fmt: str, least: float) -> None:
    bad = corrupt(number.replace(" ", ""))
    found = classify(bad)
    assert found is not None and found.format == fmt
    assert found.valid is False
    assert found.confidence == BAD_CHECK_DIGIT <= 0.1


def test_ground_economy_22_collides_with_usps_impb() -> None:
    """A 92… number passes the IMpb check whether FedEx or USPS issued it: moderate only."""
    fedex_looking = classify("9261290000123456789019")  # fedex.md 5.5
    jkeen = classify("9261292700768711948021")  # JKEEN FedEx SmartPost
    plain_usps = classify("9205590164917312751089")  # a USPS IMpb 92 with a valid check
    for found in (fedex_looking, jkeen, plain_usps):
        assert found is not None and found.valid
        assert 0.3 <= found.confidence <= 0.6
    assert fedex_looking is not None and plain_usps is not None
    assert fedex_looking.confidence > plain_usps.confidence  # 926129 / 927489: FedEx prefixes


@pytest.mark.parametrize(
    "number",
    [
        "1Z999AA10123456784",  # UPS
        "1234567890",  # DHL Express (10 digits)
        "JJD000390007776531002",  # DHL Parcel
        "EA123456785US",  # UPU S10
        "9400111899223197428497",  # USPS IMpb 94 (22 digits, not 92/96)
        "420221539101026837331000039521",  # USPS with ZIP routing (30 digits)
        "",
        "ABC",
        "12345",
        "70123456789",  # 11 digits
        "7012345678931",  # 13 digits
        "DT58201937460",  # door tag, 11 digits
    ],
)
def test_other_formats_are_not_fedex(number: str) -> None:
    assert classify(number) is None
    assert confidence(number) == 0.0


def test_detect_through_the_core() -> None:
    fedex = FedExCarrier()
    assert [d.carrier for d in detect_carriers("7012-3456-7893", [fedex])] == ["fedex"]
    assert detect_carriers("701234567894", [fedex]) == []  # 0.05 is below the core's minimum
    assert fedex.detect("701234567893") == confidence("701234567893")


@given(st.text(max_size=40))
def test_detect_never_raises(text: str) -> None:
    score = FedExCarrier().detect(text)
    assert 0.0 <= score <= 1.0
