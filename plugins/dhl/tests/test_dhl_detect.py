"""Detection tables: valid DHL numbers built with the documented algorithms, the same numbers with
a corrupted check digit, and other carriers' numbers.

The check digits are computed here, independently of `tracklingo.checkdigits`, from the rules in
docs/sources.md#dhl-tracking-numbers (and the Deutsche Post Identcode rule cited in detect.py).
"""

from __future__ import annotations

import pytest

from tracklingo.detection import AMBIGUITY_MARGIN
from tracklingo_dhl import DHLCarrier
from tracklingo_dhl.detect import AMBIGUOUS_WITH_USPS, WRONG_CHECK, detect, explain

CARRIER = DHLCarrier()


def mod7(serial: str) -> str:
    """DHL Express: check digit = serial mod 7 (repo jkeen/tracking_number_data CHECKSUM_ALGORITHMS.md)."""
    return serial + str(int(serial) % 7)


def mod10_31(payload: str) -> str:
    """MOD 10, weight 3 on the rightmost payload digit, then 1, 3... (paketda; bloodhound checkDigit.js)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return payload + str((10 - total % 10) % 10)


def identcode(payload: str) -> str:
    """Deutsche Post Identcode: weights 4, 9, 4... from the left over 11 digits."""
    total = sum(int(d) * (4 if i % 2 == 0 else 9) for i, d in enumerate(payload))
    return payload + str((10 - total % 10) % 10)


def s10(service: str, serial: str, country: str) -> str:
    """UPU S10 check digit, weights 8 6 4 2 3 5 9 7 (docs/sources.md#s10-item-identifiers)."""
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return f"{service}{serial}{0 if check == 10 else 5 if check == 11 else check}{country}"


def corrupt(number: str, position: int = -1) -> str:
    """The same number with a different digit at `position` (the check digit by default)."""
    chars = list(number)
    chars[position] = str((int(chars[position]) + 1) % 10)
    return "".join(chars)


# valid numbers, computed: (number, the format detect.py must report, minimum confidence)
VALID = [
    (mod7("480123456"), "DHL Express waybill", 0.6),  # docs/sources.md worked example
    (mod7("987654321"), "DHL Express waybill", 0.6),
    (mod7("731904825"), "DHL Express waybill", 0.6),  # the express fixture
    (mod7("7389105114"), "DHL Express waybill", 0.6),  # 11 digits (jkeen valid list)
    (mod10_31("0034012345678901234"), "DHL Paket 20-digit 00340", 0.5),
    (mod10_31("0034043412345678901"), "DHL Paket 20-digit 00340", 0.5),
    (identcode("56310243031"), "DHL Paket Identcode", 0.3),
    (mod10_31("936121091240000557788"), "DHL eCommerce USPS IMpb (Mailer ID 109124)", 0.4),
    ("42030301" + mod10_31("936121091240000123456"),
     "DHL eCommerce USPS IMpb (Mailer ID 109124)", 0.4),
    (mod10_31("947481234567890123456"), "DHL eCommerce USPS IMpb (94748 / 93612)", 0.4),
    (s10("RR", "12345678", "DE"), "Deutsche Post S10 item", 0.3),
]

# formats without a check digit (format-only confidence)
NO_CHECK = [
    ("JJD0099999999", 0.8),
    ("JJD0012345678901", 0.8),  # JJD + 13 digits (Parcel DE, paketda)
    ("JVGL0999999990", 0.8),
    ("JD014600007319048251", 0.7),
    ("GM2951173225174494", 0.8),
    ("GM6045000012345678", 0.8),
    ("LX1234567890123", 0.5),
    ("3SABCD1234567", 0.5),
]


@pytest.mark.parametrize(("number", "fmt", "minimum"), VALID)
def test_valid_numbers(number: str, fmt: str, minimum: float) -> None:
    assert fmt in [f.name for f, ok in explain(number) if ok]
    assert CARRIER.detect(number) >= minimum


@pytest.mark.parametrize(("number", "fmt", "minimum"), VALID)
def test_corrupted_check_digit_scores_low(number: str, fmt: str, minimum: float) -> None:
    if fmt == "Deutsche Post S10 item":
        bad = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    else:
        bad = corrupt(number)
    assert CARRIER.detect(bad) <= 0.1
    assert fmt in [f.name for f, ok in explain(bad) if not ok]


@pytest.mark.parametrize(("number", "minimum"), NO_CHECK)
def test_formats_without_check_digit(number: str, minimum: float) -> None:
    assert CARRIER.detect(number) >= minimum


def test_express_check_digits_7_to_9_are_never_valid() -> None:
    for last in "789":
        assert detect("480123456" + last) == WRONG_CHECK


def test_spaces_and_case_are_ignored() -> None:
    assert detect("gm 2 9 5 117 32 25 1 7 44 9 4") >= 0.8
    assert detect(" 4801 2345 61 ") >= 0.6


# -- collisions: moderate, never certain (docs/sources.md#dhl-tracking-numbers) ----------------------


@pytest.mark.parametrize(
    "number",
    [
        mod7("480123456"),  # any 10-digit numeric scheme passes mod 7 one time in ten
        mod10_31("0034012345678901234"),  # also passes USPS 20-digit and SSCC MOD 10
        identcode("56310243031"),  # FedEx Express numbers have 12 digits too
        mod10_31("947481234567890123456"),  # 94748 / 93612: any mailer's IMpb, USPS ranks first
        "LX1234567890123",  # two-letter prefix shared with postal operators
        s10("RR", "12345678", "DE"),
    ],
)
def test_collisions_are_moderate(number: str) -> None:
    assert 0.2 <= CARRIER.detect(number) <= 0.75


@pytest.mark.parametrize(
    "number",
    [
        mod10_31("936121091240000557788"),  # IMpb under DHL's Mailer ID 109124
        "42030301" + mod10_31("936121091240000123456"),  # the same behind 420 + ZIP
    ],
)
def test_dhl_mailer_id_impb_is_ambiguous_with_usps_on_purpose(number: str) -> None:
    # DHL eCommerce's own Mailer ID, but a USPS IMpb all the same (USPS tracks it): scored within the
    # core's ambiguity margin of the USPS plugin's IMpb scores (0.95 bare, 0.9 behind 420 + ZIP), so
    # that best_carrier asks for `carrier` rather than silently picking USPS
    assert CARRIER.detect(number) == AMBIGUOUS_WITH_USPS
    assert 0.95 - AMBIGUOUS_WITH_USPS < AMBIGUITY_MARGIN
    assert abs(0.9 - AMBIGUOUS_WITH_USPS) < AMBIGUITY_MARGIN


# -- public test numbers --------------------------------------------------------------------------

# (number, the format explain() must report as holding)
PUBLIC_VALID = [
    # repo jkeen/tracking_number_data, couriers/dhl.json: every "valid" test number ("DHL Express",
    # "DHL Express Air")
    ("3318810025", "DHL Express waybill"),
    ("8487135506", "DHL Express waybill"),
    ("3318810036", "DHL Express waybill"),
    (" 3 3 1 8 8 1 0 0 3 6 ", "DHL Express waybill"),
    ("3318810014", "DHL Express waybill"),
    ("73891051146", "DHL Express waybill"),
    (" 7 3 8 9 1 0 5 1 1 4 6 ", "DHL Express waybill"),
    # repo helloextend/tracking_number_data (a jkeen fork), couriers/dhl.json "DHL Express 2020"
    ("JVGL05886353495722", "DHL Express / Parcel JJD or JVGL"),
    # DHL Shipment Tracking - Unified API spec example (shipment 7777777770, its pieceIds), as vendored
    # in repo karrioapi/karrio modules/connectors/dhl_parcel_de/tests/dhl_parcel_de/test_tracking.py,
    # with that file's request number 00340434292135100124
    ("7777777770", "DHL Express waybill"),
    ("JD014600006281230704", "DHL Express piece ID"),
    ("JD014600002708681600", "DHL Express piece ID"),
    ("JD014600002266382340", "DHL Express piece ID"),
    ("00340434292135100124", "DHL Paket 20-digit 00340"),
    # DHL Parcel DE tracking sandbox numbers, repo vendidero/shiptastic-integration-for-dhl
    # src/Api/ParcelTracking.php ("Sandbox testing does only work for certain tracking ids")
    ("00340434161094042557", "DHL Paket 20-digit 00340"),
    ("00340434161094038253", "DHL Paket 20-digit 00340"),
    ("00340434161094032954", "DHL Paket 20-digit 00340"),
    ("00340434161094027318", "DHL Paket 20-digit 00340"),
    ("00340434161094022115", "DHL Paket 20-digit 00340"),
    ("00340434161094015902", "DHL Paket 20-digit 00340"),
    # repo mediocre/bloodhound, test/carriers/dhlEcommerceSolutions.js: 420 + ZIP + IMpb under
    # DHL's Mailer ID (a USPS number too: ambiguous on purpose, see above)
    ("420726449361210912400330222910", "DHL eCommerce USPS IMpb (Mailer ID 109124)"),
]

# repo jkeen/tracking_number_data, couriers/dhl.json: every "invalid" test number
JKEEN_INVALID = ["3318810010", "3318810034", "3318810011", "73891051149", "73891051147"]


@pytest.mark.parametrize(("number", "fmt"), PUBLIC_VALID)
def test_public_valid_numbers(number: str, fmt: str) -> None:
    assert fmt in [f.name for f, ok in explain(number) if ok]
    assert CARRIER.detect(number) >= 0.6


@pytest.mark.parametrize("number", JKEEN_INVALID)
def test_public_invalid_numbers(number: str) -> None:
    assert "DHL Express waybill" in [f.name for f, ok in explain(number) if not ok]
    assert CARRIER.detect(number) <= 0.1


@pytest.mark.parametrize(
    "number",
    [
        # repo jkeen/tracking_number_data, couriers/amazon.json: all-zero "invalid" numbers (the
        # 12 zeros passed the Identcode check before); 10 zeros passed mod 7, 20 the MOD 10
        "000000000000",
        "000000000000000",
        "0000000000",
        "00000000000000000000",
        # repo mediocre/bloodhound, test/carriers/dhl.js: invalidTrackingNumbers
        "9970 4895 0367 429",  # FedEx Ground
        "DT771613423732",  # FedEx door tag
        "9400 1118 9922 3818 2184 07",  # USPS IMpb 94
        # bloodhound's DHL "valid" 420 + ZIP + IMpb 926129…: its DHL rule takes any 420 + 27 digits
        # and falls back to USPS; the mailer is not DHL's, so it is left to USPS
        "420944019261299999877816190127",
    ],
)
def test_not_dhl_numbers_from_the_public_data(number: str) -> None:
    assert CARRIER.detect(number) < 0.2


# -- other carriers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "9400111899223197428497",  # USPS IMpb (not under DHL's Mailer ID)
        "1Z999AA10123456784",  # UPS
        "EZ123456785US",  # USPS-issued S10
        "CP123456785FR",  # La Poste S10
        "123456789012345",  # 15 digits: nothing of DHL's
        "",
        "DHL",
        "ÄÖÜ-123",
    ],
)
def test_other_carriers_are_not_dhl(number: str) -> None:
    assert CARRIER.detect(number) < 0.2


def test_fedex_12_digit_is_at_most_moderate() -> None:
    # a FedEx Express number (mod 11, weights 1,3,7) that happens to pass the Identcode check
    # would be ambiguous, which the core reports rather than guesses; DHL never claims certainty
    for n in ("123456789012", "797806677146", "111111111111"):
        assert CARRIER.detect(n) <= 0.4


def test_detect_never_raises() -> None:
    for value in ("\x00", "9" * 500, "J" * 40, "00340", "420"):
        assert 0.0 <= CARRIER.detect(value) <= 1.0
