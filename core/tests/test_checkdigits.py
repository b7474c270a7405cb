from __future__ import annotations

import pytest

from tracklingo import mod7_ok, mod10_ok, parse_s10
from tracklingo.checkdigits import clean_number, mod10_check_digit, s10_check_digit


# Worked examples from docs/sources.md#s10-item-identifiers.
@pytest.mark.parametrize(
    ("serial", "check"),
    [
        ("20241105", 2),
        ("20250614", 9),
        ("10000014", 0),
        ("10000002", 5),
        ("00000000", 5),
        ("20000001", 0),
    ],
)
def test_s10_check_digit(serial: str, check: int) -> None:
    assert s10_check_digit(serial) == check


def test_parse_s10() -> None:
    s10 = parse_s10("CP 202 411 052 DE")
    assert s10 is not None and s10.valid and s10.country == "DE" and s10.service == "CP"
    bad = parse_s10("CP202411055DE")
    assert bad is not None and not bad.valid
    assert parse_s10("9400111899223197428497") is None
    reserved = parse_s10("JA202411052DE")
    assert reserved is not None and not reserved.valid


def test_usps_mod10_worked_example() -> None:
    # docs/sources.md#usps-tracking-numbers: data digits 926129000001230000042 → check digit 7
    assert mod10_check_digit("926129000001230000042") == 7
    assert mod10_ok("9261290000012300000427")
    assert not mod10_ok("9261290000012300000428")
    assert not mod10_ok("92612900000123000004A7")


def test_mod7() -> None:
    # DHL Express: check digit = first nine digits mod 7
    assert mod7_ok("1234567890") is (123456789 % 7 == 0)
    number = "123456789" + str(123456789 % 7)
    assert mod7_ok(number)
    assert not mod7_ok(number[:-1] + str((int(number[-1]) + 1) % 10))


def test_clean_number() -> None:
    assert clean_number(" cp-202.411 052de ") == "CP202411052DE"
