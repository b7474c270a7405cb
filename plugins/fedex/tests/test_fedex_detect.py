"""FedEx number detection: formats and check digits (docs/sources.md#fedex-tracking-numbers)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tracklingo import detect_carriers, mod10_ok, mod11_ok
from tracklingo.checkdigits import mod10_check_digit
from tracklingo.detection import AMBIGUITY_MARGIN, MIN_CONFIDENCE
from tracklingo_fedex import FedExCarrier
from tracklingo_fedex.detect import AMBIGUOUS_WITH_USPS, BAD_CHECK_DIGIT, classify, confidence


def express_check(payload11: str) -> str:
    """Express mod 11 as jkeen / GA-207899 state it: weights 3,1,7 from the left; 10 → 0."""
    weights = (3, 1, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(payload11))
    return str(total % 11 % 10)


def ground_check(payload14: str) -> str:
    """Ground mod 10 as the FedEx Ground label spec states it: from the right, even positions ×3."""
    digits = [int(d) for d in reversed(payload14)]  # position 2, 3, 4... from the right
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits))
    return str((10 - total % 10) % 10)


def corrupt(number: str) -> str:
    """The same number with a different last digit."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# -- the core's algorithms against the reference's worked examples ----------------------------------


def test_core_mod11_matches_the_worked_examples() -> None:
    # worked examples: 168 mod 11 = 3; 131 mod 11 = 10 → 0
    assert express_check("70123456789") == "3"
    assert express_check("30166131860") == "0"
    assert mod11_ok("701234567893", weights=(1, 3, 7))
    assert mod11_ok("301661318600", weights=(1, 3, 7))
    assert not mod11_ok("701234567894", weights=(1, 3, 7))


def test_core_mod10_matches_the_worked_examples() -> None:
    # worked examples: Ground 107 → 3; Ground Economy 161 → 9; SSCC 128 → 2
    assert ground_check("12345678901234") == "3"
    assert mod10_ok("123456789012343")
    assert mod10_check_digit("926129000012345678901") == 9
    assert mod10_check_digit("00123456789012345") == 2


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_express_algorithm_agrees_with_the_core(payload: str) -> None:
    assume(payload.strip("0"))  # all zeros is nobody's number (see test_all_zero_numbers)
    number = payload + express_check(payload)
    assert classify(number) is not None
    assert confidence(number) >= 0.8
    assert mod11_ok(number, weights=(1, 3, 7))


@given(st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_ground_algorithm_agrees_with_the_core(payload: str) -> None:
    assume(payload.strip("0"))
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
    ("701234567893", "express-12", 0.8),  # worked example (docs/sources.md)
    ("301661318600", "express-12", 0.8),  # worked example, remainder 10
    ("986578788855", "express-12", 0.8),  # JKEEN test numbers
    ("7905 3531 2317", "express-12", 0.8),  # spaces allowed
    ("123456789012343", "ground-15", 0.8),  # worked example (docs/sources.md)
    ("0414 4176 0228 964", "ground-15", 0.8),  # JKEEN
    ("377101283611590", "ground-15", 0.8),  # FedEx mock number (HEIM capture)
    ("9612345123456789012343", "ground-96-22", 0.85),  # worked example (docs/sources.md)
    ("9611020987654312345672", "ground-96-22", 0.85),  # JKEEN
    ("1001234567890123810100701234567893", "express-34", 0.85),  # worked example (docs/sources.md)
    ("1001921334250001000300779017972697", "express-34", 0.85),  # JKEEN
    ("9622001560001234567100794808390594", "ground-gsn-34", 0.85),  # JKEEN GSN
    ("61290000123456789019", "ground-economy-20", 0.7),  # worked example (docs/sources.md)
    ("61292701078443410536", "ground-economy-20", 0.7),  # FedEx mock number (HEIM)
    ("02931503799192766595", "ground-economy-20", 0.5),  # bloodhound: checks with 91
    ("001234567890123452", "sscc-18", 0.25),  # worked example (docs/sources.md)
    ("DT582019374609", "door tag", 0.75),  # worked example (docs/sources.md)
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
    """A 92… number passes the IMpb check whether FedEx or USPS issued it. FedEx's published
    prefixes 926129 / 927489 are scored within the core's ambiguity margin of a USPS IMpb (0.95),
    on purpose: the normaliser then asks for `carrier`; any other 92… number is left to USPS."""
    fedex_looking = classify("9261290000123456789019")  # worked example (docs/sources.md)
    jkeen = classify("9261292700768711948021")  # JKEEN FedEx SmartPost
    plain_usps = classify("9205590164917312751089")  # a USPS IMpb 92 with a valid check
    for found in (fedex_looking, jkeen):
        assert found is not None and found.valid
        assert found.confidence == AMBIGUOUS_WITH_USPS
    assert 0.95 - AMBIGUOUS_WITH_USPS < AMBIGUITY_MARGIN  # USPS plugin: 0.95 for a 22-digit IMpb
    assert plain_usps is not None and plain_usps.valid
    assert MIN_CONFIDENCE <= plain_usps.confidence <= 0.95 - AMBIGUITY_MARGIN - 0.1


# -- public test numbers ---------------------------------------------------------------------------------

# repo jkeen/tracking_number_data, couriers/fedex.json: every "valid" test number, with the format
# classify() must report (its formats: Express (12), Express (34), SmartPost, Ground, SSCC-18,
# Ground 96 (22), Ground GSN)
JKEEN_VALID = [
    ("986578788855", "express-12"),
    ("477179081230", "express-12"),
    ("799531274483", "express-12"),
    ("790535312317", "express-12"),
    (" 7 9 0 5 3 5 3 1 2 3 1 7 ", "express-12"),
    ("974367662710", "express-12"),
    ("1001921334250001000300779017972697", "express-34"),
    ("1001921380360001000300639585804382", "express-34"),
    ("1001901781990001000300617767839437", "express-34"),
    (" 1 0 0 1 9 0 1 7 8 1 9 9 0 0 0 1 0 0 0 3 0 0 6 1 7 7 6 7 8 3 9 4 3 7 ", "express-34"),
    ("1002297871540001000300790695517286", "express-34"),
    ("61299998820821171811", "ground-economy-20"),
    (" 6 1 2 9 9 9 9 8 8 2 0 8 2 1 1 7 1 8 1 1 ", "ground-economy-20"),
    ("9261292700768711948021", "ground-economy-22"),  # also a USPS IMpb: ambiguous on purpose
    ("0414 4176 0228 964", "ground-15"),
    ("5682 8361 0012 000", "ground-15"),
    (" 5 6 8 2   8 3 6 1   0 0 1 2   0 0 0 ", "ground-15"),
    ("5682 8361 0012 734", "ground-15"),
    ("00 0123 4500 0000 0027", "sscc-18"),
    (" 0 0   0 1 2 3   4 5 0 0   0 0 0 0   0 0 2 7 ", "sscc-18"),
    ("9611020987654312345672", "ground-96-22"),
    (" 9 6 1 1 0 2 0 9 8 7 6 5 4 3 1 2 3 4 5 6 7 2 ", "ground-96-22"),
    ("9622001900000000000000776632517510", "ground-gsn-34"),
    ("9622001560000000000000794808390594", "ground-gsn-34"),
    ("9622001560001234567100794808390594", "ground-gsn-34"),
    (" 9 6 2 2 0 0 1 5 6 0 0 0 1 2 3 4 5 6 7 1 0 0 7 9 4 8 0 8 3 9 0 5 9 4 ", "ground-gsn-34"),
    ("9632001560123456789900794808390594", "ground-gsn-34"),
]

# repo jkeen/tracking_number_data, couriers/fedex.json: every "invalid" test number
JKEEN_INVALID = [
    ("996578788855", "express-12"),
    ("1001901781990001000300617767839438", "express-34"),
    ("9261292700768711948020", "ground-economy-22"),
    ("5682 8361 0012 732", "ground-15"),
    ("000000000000000001", "sscc-18"),
    ("9600000000000000000001", "ground-96-22"),
    ("9622001560001234567100794808390595", "ground-gsn-34"),
    ("9622001560001234567100794808390597", "ground-gsn-34"),
]

# FedEx's published sandbox mock numbers: FedEx API Reference Guide (FDX-REF,
# https://developer.fedex.com/api/en-us/guides/api-reference.html),
# "Mock Tracking Numbers for FedEx Express and FedEx Ground" and
# "Mock Tracking Numbers for FedEx Ground Economy (Formerly known as FedEx SmartPost)"
FEDEX_MOCKS = [
    ("449044304137821", "ground-15"),  # shipment information sent to FedEx
    ("149331877648230", "ground-15"),  # tendered
    ("020207021381215", "ground-15"),  # picked up
    ("403934084723025", "ground-15"),  # arrived at FedEx location
    ("920241085725456", "ground-15"),  # at local FedEx facility
    ("568838414941", "express-12"),  # at destination sort facility
    ("039813852990618", "ground-15"),  # departed FedEx location
    ("231300687629630", "ground-15"),  # on FedEx vehicle for delivery
    ("797806677146", "express-12"),  # international shipment release
    ("377101283611590", "ground-15"),  # delivery exception 007
    ("852426136339213", "ground-15"),  # delivery exception 083
    ("797615467620", "express-12"),  # delivery exception 03
    ("957794015041323", "ground-15"),  # shipment exception 099
    ("076288115212522", "ground-15"),  # returned to sender
    ("581190049992", "express-12"),  # clearance delay
    ("122816215025810", "ground-15"),  # delivered
    ("843119172384577", "ground-15"),  # hold at location
    ("070358180009382", "ground-15"),  # shipment canceled
    ("713062653486", "express-12"),  # duplicate tracking number
    # Ground Economy: 0239465300… checks only with "92" in front (failed before: "02…" numbers
    # were checked with "91" only)
    ("02394653001023698293", "ground-economy-20"),
    ("61292701078443410536", "ground-economy-20"),
    ("61292700726653585070", "ground-economy-20"),
    ("02394653018047202719", "ground-economy-20"),
]

# repo mediocre/bloodhound, test/carriers/fedEx.js: validTrackingNumbers (from FedEx's 2018 web
# services mock-number appendix)
BLOODHOUND_VALID = [
    ("02931503799192766595", "ground-economy-20"),  # checks with "91": also USPS legacy, ambiguous
    ("41999998135520738841", "ground-economy-20"),
    ("61299998620341515252", "ground-economy-20"),
    ("74899992242124855076", "ground-economy-20"),
    ("771613423732", "express-12"),
    ("7716 1342 3732", "express-12"),
    ("9261293148703201595357", "ground-economy-22"),  # also a USPS IMpb: ambiguous on purpose
    ("9274899992136003821767", "ground-economy-22"),  # bloodhound lists it under USPS as well
    ("9611804010639001854878", "ground-96-22"),
    ("9611804512604749366900", "ground-96-22"),
    ("997048950367429", "ground-15"),
    ("9970 4895 0367 429", "ground-15"),
    ("DT771613423732", "door tag"),
]

PUBLIC_VALID = JKEEN_VALID + FEDEX_MOCKS + BLOODHOUND_VALID


@pytest.mark.parametrize(("number", "fmt"), PUBLIC_VALID)
def test_public_valid_numbers(number: str, fmt: str) -> None:
    found = classify(number)
    assert found is not None
    assert (found.format, found.valid) == (fmt, True)
    assert found.confidence >= (0.3 if fmt == "sscc-18" else 0.6)


@pytest.mark.parametrize(("number", "fmt"), PUBLIC_VALID)
def test_public_valid_numbers_with_another_check_digit(number: str, fmt: str) -> None:
    # +5, not +1: a Ground Economy "02…" number valid with "92" is valid with "91" at check + 1
    cleaned = number.replace(" ", "")
    bad = cleaned[:-1] + str((int(cleaned[-1]) + 5) % 10)
    assert confidence(bad) <= 0.1


@pytest.mark.parametrize(("number", "fmt"), JKEEN_INVALID)
def test_public_invalid_numbers(number: str, fmt: str) -> None:
    found = classify(number)
    assert found is not None and (found.format, found.valid) == (fmt, False)
    assert confidence(number) <= 0.1


@pytest.mark.parametrize(
    "number",
    [
        # repo jkeen/tracking_number_data, couriers/amazon.json: "invalid" (all-zero) numbers, which
        # passed the Express and Ground checks before
        "000000000000",
        "000000000000000",
        "DT000000000000",
        "00000000000000000000",
        "1000000000000000000000000000000000",  # Express 34 with an all-zero 12-digit number
        # repo jkeen/tracking_number_data, couriers/usps.json "USPS 34v2": 420 + ZIP+4 + IMpb
        "4201002334249200190132607600833457",
        "4201028200009261290113185417468510",  # scored 0.5 as a "barcode-34" before
    ],
)
def test_not_fedex_numbers_from_the_public_data(number: str) -> None:
    assert confidence(number) <= 0.1


def test_ground_economy_20_tries_92_then_91() -> None:
    # FedEx's current mocks check with 92, bloodhound's older 02… number with 91 (jkeen; bloodhound)
    assert mod10_ok("92" + "02394653001023698293") and not mod10_ok("91" + "02394653001023698293")
    assert mod10_ok("91" + "02931503799192766595") and not mod10_ok("92" + "02931503799192766595")
    # "91" is tried for 02… numbers only: other 20-digit numbers valid with 91 are USPS legacy ones
    usps_legacy = "71969010756003077385"  # jkeen usps.json "USPS 91"
    assert mod10_ok("91" + usps_legacy)
    assert confidence(usps_legacy) <= 0.1


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
