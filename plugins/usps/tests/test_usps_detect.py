"""USPS number detection: valid numbers built with the documented algorithms, the same numbers with
a corrupted check digit, and other carriers' formats."""

from __future__ import annotations

import pytest

from tracklingo import best_carrier, detect_carriers
from tracklingo.detection import MIN_CONFIDENCE
from tracklingo_usps import USPSCarrier
from tracklingo_usps.client import api_number
from tracklingo_usps.detect import WRONG_CHECK_DIGIT

CARRIER = USPSCarrier()


def mod10(data: str) -> str:
    """USPS PIC check digit, as jkeen / Pub. 199 spell it out: weights 3, 1, 3, ... from the rightmost
    data digit; check = (10 - sum mod 10) mod 10."""
    total = 0
    for i, ch in enumerate(reversed(data)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return data + str((10 - total % 10) % 10)


def s10(service: str, serial: str, country: str) -> str:
    """UPU S10, as jkeen / the S10 standard spell it out: weights 8 6 4 2 3 5 9 7; c = 11 - sum mod 11;
    10 → 0, 11 → 5."""
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    c = 11 - total % 11
    check = 0 if c == 10 else 5 if c == 11 else c
    return f"{service}{serial}{check}{country}"


def corrupt(number: str) -> str:
    """The same number with its check digit changed."""
    if number[-2:].isalpha():  # S10: the digit before the country
        d = int(number[-3])
        return number[:-3] + str((d + 1) % 10) + number[-2:]
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# Numbers built from their documented layouts (docs/sources.md#usps-tracking-numbers):
# app ID + STC + MID + serial + check.
VALID = {
    "worked example (Pub. 199 MOD 10)": mod10("926129000001230000042"),
    "IMpb 92, 9-digit MID, 22": mod10("92" + "612" + "900000123" + "0000042"),
    "IMpb 93, 6-digit MID, 22": mod10("93" + "022" + "812345" + "0000000777"),
    "IMpb 94 online label, 22": mod10("94" + "001" + "118992" + "2319742849"),
    "IMpb 95 retail, 22": mod10("95" + "055" + "110696" + "0504860062"),
    "IMpb 92, 9-digit MID, 26": mod10("92" + "612" + "900000123" + "00000000042"),
    "IMpb 93, 6-digit MID, 26": mod10("93" + "612" + "812345" + "00000000000042"),
    "IMpb N construct, 30": mod10("92" + "612" + "900000123" + "000000000000042"),
    "legacy 91 + 20, 22": mod10("91" + "03" + "123456789" + "00000001"),
    "legacy 20 as printed": mod10("03" + "123456789" + "00000001"),
    "S10 CP...US (check 0)": s10("CP", "10000014", "US"),
    "S10 CP...US (check 5)": s10("CP", "10000002", "US"),
    "S10 EC...US": s10("EC", "12345678", "US"),
}


def test_worked_examples_from_the_reference() -> None:
    assert VALID["worked example (Pub. 199 MOD 10)"] == "9261290000012300000427"
    assert VALID["S10 CP...US (check 0)"] == "CP100000140US"
    assert VALID["S10 CP...US (check 5)"] == "CP100000025US"


@pytest.mark.parametrize("number", VALID.values(), ids=VALID.keys())
def test_valid_numbers_score_high(number: str) -> None:
    assert CARRIER.detect(number) >= 0.7


@pytest.mark.parametrize("number", VALID.values(), ids=VALID.keys())
def test_corrupted_check_digit_scores_low(number: str) -> None:
    bad = corrupt(number)
    assert bad != number
    score = CARRIER.detect(bad)
    assert score <= 0.1
    assert score < MIN_CONFIDENCE  # below the core's candidate threshold: not USPS


# -- public test numbers ------------------------------------------------------------------------------

# repo jkeen/tracking_number_data, couriers/usps.json: every "valid" test number of its three formats
JKEEN_VALID = [
    # "USPS 20": valid as printed
    "0307 1790 0005 2348 3741",
    " 0 3 0 7   1 7 9 0   0 0 0 5   2 3 4 8   3 7 4 1 ",
    "7112 3456 7891 2345 6787",
    # "USPS 34v2": 420 + ZIP+4 + PIC
    "4201002334249200190132607600833457",
    "4201028200009261290113185417468510",
    " 4 2 0 1 0 2 8 2 0 0 0 0 9 2 6 1 2 9 0 1 1 3 1 8 5 4 1 7 4 6 8 5 1 0 ",
    # "USPS 91": IMpb / 91 + 20 digits, optionally behind 420 + ZIP5
    "420 22153 9101026837331000039521",
    "7196 9010 7560 0307 7385",  # 20 digits, valid once its "91" is put back
    "9505 5110 6960 5048 6006 24",
    "9101 1234 5678 9000 0000 13",
    "92748931507708513018050063",
    "9400 1112 0108 0805 4830 16",
    "9361 2898 7870 0317 6337 95",
    " 9 3 6 1   2 8 9 8   7 8 7 0   0 3 1 7   6 3 3 7   9 5 ",
    "9405803699300124287899",
]

# repo jkeen/tracking_number_data, couriers/usps.json and couriers/s10.json: "invalid" test numbers.
# (61299998820821171811 is there because it is a FedEx Ground Economy number, valid only with "92"
# in front: see the FedEx plugin.)
JKEEN_INVALID = [
    "0307 1790 0005 2348 3742",  # USPS 20
    "4201028200009261290113185417468511",  # USPS 34v2
    "61299998820821171811",  # USPS 91
    "9200000000000000000000",
    "420000000000000000000000000000",
    "420000009200000000000000000000",
    "RB123456786US",  # S10: wrong check digit
    "RB123456785XX",  # S10: no such country
]

# repo jkeen/tracking_number_data, couriers/s10.json: the valid S10 test numbers. Only the one
# issued by USPS (ending US) is USPS's; the others belong to their issuing posts.
JKEEN_S10_USPS = ["RB123456785US"]
JKEEN_S10_OTHER_POSTS = ["RB123456785GB", "RB123456785CV", "RB123456785CF", " R B 1 2 3 4 5 6 7 8 5 C F "]

# repo mediocre/bloodhound, test/carriers/usps.js: validTrackingNumbers (real labels)
BLOODHOUND_VALID = [
    "9400111899223818218407",
    "9400 1118 9922 3818 2184 07",
    "9400 1118 9956 1482 6100 74",
    "9400 1118 9922 3837 8204 90",
    "9400 1118 9922 3837 8611 41",
    "9400111699000271800200",
    "9405511699000273008898",
    "9400111899223830191139",
    "9400111899223830191054",
    "9400111899223830191368",
    "9405511899223830661741",
    "9405503699300049053172",
    "9400109699938860246573",
    "94 0010 9699 9388 6024 6573",
    "420921559505500020714300000128",
    "420 92155 95 0550 0020 7143 0000 0128",
    "4209215512349505500020714300000128",
    "420 92155 1234 95 0550 0020 7143 0000 0128",
    "EC207920162US",
    "EC 207 920 162 US",
    "ec 207 920 162 us",
    "9274899992136003821767",  # also in bloodhound's FedEx list: see the FedEx plugin
    "92 7489 9992 1360 0382 1767",
    "92023901003036542400961407",
    "92748999997295513123034457",
    "92748901377803583000610270",
    "4205690192023901019233001401555746",
    "4206810692612927005269000028978091",
    "70131710000012912087",  # service type 70 (failed before: 70 was not a known type)
]
# repo mediocre/bloodhound, test/carriers/usps.js: invalidTrackingNumbers
BLOODHOUND_INVALID = ["4206810692612927005269000028978090"]


@pytest.mark.parametrize("number", JKEEN_VALID + JKEEN_S10_USPS + BLOODHOUND_VALID)
def test_public_dataset_valid_numbers(number: str) -> None:
    assert CARRIER.detect(number) >= 0.7


@pytest.mark.parametrize("number", JKEEN_INVALID + BLOODHOUND_INVALID)
def test_public_dataset_invalid_numbers(number: str) -> None:
    assert CARRIER.detect(number) <= 0.1


@pytest.mark.parametrize("number", JKEEN_S10_OTHER_POSTS)
def test_s10_numbers_of_other_posts_are_not_claimed(number: str) -> None:
    assert CARRIER.detect(number) == 0.0


def test_legacy_service_type_70() -> None:
    # bloodhound's real 70… number, valid as printed; a 20-digit number of another, unknown
    # service type stays below the detection threshold
    assert CARRIER.detect("70131710000012912087") == 0.7
    assert CARRIER.detect(mod10("69" + "131710000012912087"[:17])) < MIN_CONFIDENCE


@pytest.mark.parametrize(
    ("number", "what"),
    [
        ("1Z999AA10123456784", "UPS 1Z"),
        ("449044304137821", "FedEx 15-digit Ground"),
        ("123456789012", "FedEx 12-digit Express"),
        ("1234567890", "DHL Express 10-digit"),
        ("JJD0002250044220462", "DHL Parcel JJD"),
        ("00340434161094042557", "SSCC-18 with AI 00 (20 digits, starts 00)"),
        ("9612019059803563050071", "FedEx Ground 96 (22 digits)"),
        (s10("RR", "12345678", "DE"), "S10 issued by Deutsche Post"),
        (s10("CP", "20250614", "DE"), "S10 CP...DE"),
        ("LZ123456785CN", "S10 from China Post"),
        ("", "empty"),
        ("hello world", "text"),
        ("92612900000123000004", "20 digits, no valid reading"),
    ],
)
def test_other_formats_are_not_usps(number: str, what: str) -> None:
    assert CARRIER.detect(number) < MIN_CONFIDENCE, what


def test_reserved_s10_service_letter_is_not_valid() -> None:
    # first letters J and K are reserved by the UPU (core S10.valid)
    assert CARRIER.detect(s10("JA", "10000014", "US")) <= 0.1


def test_detect_never_raises_on_odd_input() -> None:
    for value in ["   ", "9" * 200, "CP\u0661\u0662345678US", "٩٤٠٠١١١٢٠١٠٨٠٨٠٥٤٨٣٠١٦"]:
        assert 0.0 <= CARRIER.detect(value) <= 1.0


def test_core_detection_picks_usps() -> None:
    number = VALID["IMpb 94 online label, 22"]
    found = detect_carriers(number, [CARRIER])
    assert [d.carrier for d in found] == ["usps"]
    assert best_carrier(number, [CARRIER]) == ("usps", None)
    assert detect_carriers(corrupt(number), [CARRIER]) == []


def test_api_number_strips_the_routing_prefix() -> None:
    assert api_number("420 22153 9101026837331000039521") == "9101026837331000039521"
    assert api_number("4201002334249200190132607600833457") == "9200190132607600833457"
    assert api_number("9400 1112 0108 0805 4830 16") == "9400111201080805483016"
    assert api_number("cp100000140us") == "CP100000140US"
    # a 420... string whose rest is not a valid number is left alone
    assert api_number("420000009200000000000000000000") == "420000009200000000000000000000"


def test_wrong_check_digit_constant_is_low() -> None:
    assert WRONG_CHECK_DIGIT <= 0.1
