"""Check-digit algorithms and the UPU S10 item identifier, shared by every plugin's `detect`.

Sources: USPS MOD 10 (Publication 199; jkeen/tracking_number_data CHECKSUM_ALGORITHMS.md), DHL
Express mod 7 and FedEx mod 11 / mod 10 (same dataset; FedEx Ground label specification), UPU S10
(UPU standard S10; weights 8 6 4 2 3 5 9 7) -- facts and links in docs/sources.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "S10",
    "clean_number",
    "clean_tracking_number",
    "mod7_ok",
    "mod10_check_digit",
    "mod10_ok",
    "mod11_ok",
    "parse_s10",
    "s10_check_digit",
]

_SEPARATORS: Final = re.compile(r"[\s\-.]+")


def clean_tracking_number(number: str) -> str:
    """A tracking number as printed on labels: spaces, dashes and dots dropped, letters upper-cased.

    The one cleaner: the model, `Handoff`, detection, the API clients and the store use it, so
    "9400 1118 9922 …", "9400-1118-9922-…", "9400.1118.9922.…" and "cp202411052de" are the same
    parcels as "94001118…" and "CP202411052DE" everywhere.

    >>> clean_tracking_number("4801-234-561"), clean_tracking_number(" cp 2024.1105.2de ")
    ('4801234561', 'CP202411052DE')
    """
    if number.isascii():
        if number.isdigit():  # most numbers: nothing to clean
            return number
        if number.isalnum():  # letters and digits only: no separator to drop
            return number.upper()
    return _SEPARATORS.sub("", number).upper()


#: The same function under its older name.
clean_number = clean_tracking_number


def _digits(number: str) -> list[int] | None:
    return [ord(c) - 48 for c in number] if number.isascii() and number.isdigit() else None


def mod10_check_digit(payload: str, weights: Sequence[int] = (3, 1)) -> int:
    """MOD 10 check digit of `payload` with `weights` applied from the rightmost digit leftwards.

    USPS PIC / IMpb and FedEx Ground/SSCC use weights 3, 1 (rightmost digit weighted 3).
    """
    digits = _digits(payload)
    if digits is None:
        raise ValueError("payload must be digits")
    total = sum(d * weights[i % len(weights)] for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def mod10_ok(number: str, weights: Sequence[int] = (3, 1)) -> bool:
    """True when the last digit of `number` is the MOD 10 check digit of the rest."""
    if len(number) < 2 or _digits(number) is None:
        return False
    return mod10_check_digit(number[:-1], weights) == ord(number[-1]) - 48


def mod7_ok(number: str) -> bool:
    """DHL Express waybill: check digit = (digits before it, as a number) mod 7."""
    if len(number) < 2 or _digits(number) is None:
        return False
    return int(number[:-1]) % 7 == ord(number[-1]) - 48


def mod11_ok(number: str, weights: Sequence[int]) -> bool:
    """Weighted mod 11 with weights applied from the rightmost payload digit; 10 counts as 0.

    FedEx Express 12-digit numbers use weights 1, 3, 7 (repeating) over the first 11 digits.
    """
    digits = _digits(number)
    if digits is None or len(digits) < 2:
        return False
    payload = digits[:-1]
    total = sum(d * weights[i % len(weights)] for i, d in enumerate(reversed(payload)))
    return total % 11 % 10 == digits[-1]


_S10_WEIGHTS: Final = (8, 6, 4, 2, 3, 5, 9, 7)
_S10_RE: Final = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
#: Service-indicator first letters reserved by the UPU (not valid in an S10 number).
_S10_RESERVED: Final = frozenset("JK")


def s10_check_digit(serial: str) -> int:
    """The S10 check digit of an 8-digit serial (remainder 1 → 0, remainder 0 → 5)."""
    digits = _digits(serial)
    if digits is None or len(digits) != 8:
        raise ValueError("an S10 serial is 8 digits")
    c = 11 - sum(d * w for d, w in zip(digits, _S10_WEIGHTS, strict=True)) % 11
    return 0 if c == 10 else 5 if c == 11 else c


@dataclass(frozen=True, slots=True)
class S10:
    """A parsed UPU S10 item identifier. `country` is the *issuing* post's country (origin)."""

    service: str
    serial: str
    check: int
    country: str

    @property
    def number(self) -> str:
        return f"{self.service}{self.serial}{self.check}{self.country}"

    @property
    def valid(self) -> bool:
        """Check digit right and service indicator not reserved."""
        return self.service[0] not in _S10_RESERVED and s10_check_digit(self.serial) == self.check


def parse_s10(number: str) -> S10 | None:
    """Parse a UPU S10 number (spaces allowed); `None` when it is not S10-shaped.

    The check digit is not verified here: see `S10.valid`.
    """
    if number.isdigit():  # most numbers (IMpb, FedEx): an S10 number has letters
        return None
    m = _S10_RE.match(clean_number(number))
    if m is None:
        return None
    return S10(m.group(1), m.group(2), int(m.group(3)), m.group(4))
