from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tracklingo import MatchKind, Reason, Stage, Vocabulary, VocabularyError, normalize_phrase
from tracklingo.vocabulary import shared_vocabulary

SRC = {"T": "core test data"}


def vocab(
    *rules: dict[str, Any],
    reasons: tuple[dict[str, Any], ...] = (),
    include: list[str] | None = None,
) -> Vocabulary:
    meta: dict[str, Any] = {"carrier": "acme", "sources": SRC}
    if include:
        meta["include"] = include
    return Vocabulary.from_dict(
        {
            "meta": meta,
            "rule": [{"source": "T", **r} for r in rules],
            "reason": [{"source": "T", **r} for r in reasons],
        }
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Delivered, In/At Mailbox", "delivered in at mailbox"),
        ("  DELIVERED   IN/AT MAILBOX. ", "delivered in at mailbox"),
        ("Delivered - in at mailbox!", "delivered in at mailbox"),
        ("Zugestellt an Empfänger", "zugestellt an empfanger"),
        ("Recipient’s address", "recipients address"),
        ("Recipient's address", "recipients address"),
        ("Pick-up & drop", "pick up and drop"),
        ("Straße", "strasse"),
    ],
)
def test_normalize_phrase(text: str, key: str) -> None:
    assert normalize_phrase(text) == key


def test_precedence_code_phrase_then_code_then_phrase_then_pattern_then_fallback() -> None:
    v = vocab(
        {"code": "DL", "phrase": "Delivered to sender", "stage": "returned"},
        {"code": "DL", "stage": "delivered"},
        {"phrase": "Delivered", "stage": "delivered"},
        {"phrase": "Arrived at hub", "stage": "in_transit"},
        {"pattern": "^Arrived at (?P<facility>.+)$", "stage": "at_destination_facility"},
        {"code": "transit", "fallback": True, "stage": "in_transit"},
        {"phrase": "On its way", "fallback": True, "stage": "in_transit"},
    )
    assert v.resolve("Delivered to sender", "DL").stage is Stage.RETURNED
    assert v.resolve("Delivered to sender", "DL").match is MatchKind.CODE
    assert v.resolve("anything", "DL").stage is Stage.DELIVERED
    assert v.resolve("DELIVERED", None).match is MatchKind.PHRASE
    # exact phrase beats the pattern that would also match
    assert v.resolve("arrived at HUB", None).stage is Stage.IN_TRANSIT
    res = v.resolve("Arrived at Denver Station", "transit")
    assert res.stage is Stage.AT_DESTINATION_FACILITY and res.match is MatchKind.PATTERN
    assert res.captured == {"facility": "Denver Station"}
    # a fallback code only when nothing finer matched
    fb = v.resolve("Something new", "transit")
    assert fb.stage is Stage.IN_TRANSIT and fb.match is MatchKind.FALLBACK
    assert v.resolve("on its way", None).match is MatchKind.FALLBACK
    unknown = v.resolve("Teleported", "ZZ")
    assert unknown.stage is Stage.UNKNOWN and unknown.match is MatchKind.UNMAPPED


def test_codes_are_case_and_space_insensitive() -> None:
    v = vocab({"code": "OD", "stage": "out_for_delivery"})
    assert v.resolve(None, " od ").stage is Stage.OUT_FOR_DELIVERY


def test_context_rule_resolved_and_unresolved() -> None:
    v = vocab(
        {
            "pattern": r"^Processed Through Facility,? (?P<facility>ISC .+)$",
            "stage": "in_transit",
            "context": "direction",
            "by_context": {
                "inbound": "arrived_destination_country",
                "outbound": "departed_origin_country",
            },
        }
    )
    text = "Processed Through Facility ISC NEW YORK NY(USPS)"
    inbound = v.resolve(text, context={"direction": "inbound"})
    assert inbound.stage is Stage.ARRIVED_DESTINATION_COUNTRY
    assert inbound.match is MatchKind.CONTEXT
    assert inbound.captured["facility"] == "ISC NEW YORK NY(USPS)"
    assert v.resolve(text, context={"direction": "outbound"}).stage is (Stage.DEPARTED_ORIGIN_COUNTRY)
    unresolved = v.resolve(text)
    assert unresolved.stage is Stage.IN_TRANSIT and unresolved.needs_context == "direction"
    assert unresolved.match is MatchKind.PATTERN


def test_reason_carried_and_reason_table() -> None:
    v = vocab(
        {
            "phrase": "Notice Left (No Authorized Recipient Available)",
            "stage": "delivery_attempted",
            "reason": "recipient_unavailable",
        },
        reasons=(
            {"code": "08", "reason": "recipient_unavailable", "stage": "delivery_attempted"},
            {"phrase": "Incorrect address", "reason": "address_problem"},
        ),
    )
    assert v.resolve("notice left (no authorized recipient available)").reason is (
        Reason.RECIPIENT_UNAVAILABLE
    )
    entry = v.reason_for(code="08")
    assert entry is not None and entry.stage is Stage.DELIVERY_ATTEMPTED
    by_text = v.reason_for(text="INCORRECT ADDRESS")
    assert by_text is not None and by_text.reason is Reason.ADDRESS_PROBLEM
    assert v.reason_for(code="99") is None


def test_include_upu_and_own_rules_win() -> None:
    v = vocab({"phrase": "Final delivery", "stage": "out_for_delivery"}, include=["upu"])
    assert v.resolve("Item returned from import Customs").stage is Stage.CUSTOMS_CLEARED
    assert v.resolve(None, "EDC").stage is Stage.CUSTOMS_CLEARED
    assert v.resolve("Final delivery").stage is Stage.OUT_FOR_DELIVERY  # own rule overrides
    assert len(v.own_rules()) == 1 and len(v) > 20


def test_upu_never_maps_returned_from_customs_to_a_return() -> None:
    upu = shared_vocabulary("upu")
    for text in ("ITEM RETURNED FROM IMPORT CUSTOMS", "Item returned from import Customs"):
        assert upu.resolve(text).stage is Stage.CUSTOMS_CLEARED
    assert upu.resolve(None, "EXC").stage is Stage.EXPORT_CUSTOMS
    assert upu.resolve(None, "EMI").stage is Stage.DELIVERED


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"phrase": "x", "stage": "teleported"}, "stage 'teleported' does not exist; use one of"),
        ({"phrase": "x", "stage": "unknown"}, "`unknown` is the fallback"),
        ({"phrase": "x", "stage": "exception", "reason": "aliens"}, "reason 'aliens'"),
        ({"stage": "delivered"}, "needs a code, a phrase or a pattern"),
        ({"pattern": "^(?P<street>.+)$", "stage": "delivered"}, "allowed groups"),
        ({"pattern": "^(unclosed", "stage": "delivered"}, "bad pattern"),
        ({"phrase": "x", "stage": "delivered", "colour": "red"}, "unknown fields"),
        ({"phrase": "x", "stage": "delivered", "context": "direction"}, "go together"),
    ],
)
def test_invalid_rules_say_what_to_fix(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=message.replace("(", r"\(").replace("?", r"\?")):
        vocab(rule)


def test_source_is_required_and_keys_must_exist() -> None:
    with pytest.raises(VocabularyError, match="needs a `source`"):
        Vocabulary.from_dict({"meta": {"carrier": "a"}, "rule": [{"phrase": "x", "stage": "delivered"}]})
    with pytest.raises(VocabularyError, match="'NOPE' is not defined"):
        Vocabulary.from_dict(
            {
                "meta": {"carrier": "a"},
                "rule": [{"phrase": "x", "stage": "delivered", "source": "NOPE"}],
            }
        )
    ok = Vocabulary.from_dict(
        {
            "meta": {"carrier": "a"},
            "rule": [
                {"phrase": "x", "stage": "delivered", "source": "https://example.org/codes"},
                {"phrase": "y", "stage": "delivered", "source": "repo owner/name path/file.py"},
            ],
        }
    )
    assert len(ok) == 2


def test_same_phrase_two_stages_is_an_error() -> None:
    with pytest.raises(VocabularyError, match="maps to both"):
        vocab(
            {"phrase": "Delivered", "stage": "delivered"},
            {"phrase": "DELIVERED.", "stage": "returned"},
        )


def test_from_toml_and_source_text(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(
        '[meta]\ncarrier = "acme"\n[meta.sources]\nPERL = "repo x/y Codes.pm"\n'
        '[[rule]]\ncode = "OF"\nstage = "out_for_delivery"\nsource = "PERL, https://e.org"\n'
    )
    v = Vocabulary.from_toml(path)
    assert v.source_text(v.rules[0]) == "repo x/y Codes.pm; https://e.org"
    bad = tmp_path / "bad.toml"
    bad.write_text("[meta\n")
    with pytest.raises(VocabularyError, match="invalid TOML"):
        Vocabulary.from_toml(bad)
    with pytest.raises(VocabularyError, match="cannot read"):
        Vocabulary.from_toml(tmp_path / "missing.toml")


def test_phrases_for_stage_lists_glossary() -> None:
    v = vocab(
        {
            "phrase": ["Out for Delivery", "On FedEx vehicle for delivery"],
            "stage": "out_for_delivery",
        },
        {"code": "OD", "stage": "out_for_delivery"},
    )
    assert v.phrases_for(Stage.OUT_FOR_DELIVERY) == [
        "Out for Delivery",
        "On FedEx vehicle for delivery",
    ]


def test_patterns_are_indexed_by_first_word_and_results_cached() -> None:
    v = vocab(
        {"pattern": "^Arrived at (?P<facility>.+)$", "stage": "in_transit"},
        {"pattern": "^Departed (?P<facility>.+)$", "stage": "in_transit"},
    )
    assert set(v._patterns_by_word) == {"arrived", "departed"}
    v.resolve("Arrived at X")
    v.resolve("Arrived at X")
    assert ("Arrived at X" in {k[1] for k in v._cache}) and len(v._cache) == 1


def test_known_phrase_followed_by_a_capitalised_place() -> None:
    v = vocab(
        {"phrase": "Arrived at FedEx location", "stage": "in_transit"},
        {"phrase": "Delivered", "stage": "delivered"},
        {"phrase": "Departed Facility in", "stage": "in_transit"},
    )
    res = v.resolve("Arrived at FedEx location MEMPHIS, TN 38118")
    assert res.stage is Stage.IN_TRANSIT and res.match is MatchKind.PATTERN
    assert dict(res.captured) == {"city": "MEMPHIS", "region": "TN", "postal_code": "38118", "country": "US"}
    dhl = v.resolve("Departed Facility in LEIPZIG - GERMANY")
    assert dict(dhl.captured) == {"city": "LEIPZIG", "country": "GERMANY"}
    plant = v.resolve("Arrived at FedEx location OAK CREEK WI DISTRIBUTION CENTER")
    assert dict(plant.captured) == {"facility": "OAK CREEK WI DISTRIBUTION CENTER"}
    # one-word phrases, all-caps texts and mixed-case continuations are not split
    assert v.resolve("Delivered BOSTON").stage is Stage.UNKNOWN
    assert v.resolve("ARRIVED AT FEDEX LOCATION MEMPHIS, TN").stage is Stage.UNKNOWN
    assert v.resolve("Arrived at FedEx location late MEMPHIS").stage is Stage.UNKNOWN


@pytest.mark.parametrize(
    ("text", "ascii_text"),
    [
        ("Delivered—Front Door", "Delivered-Front Door"),  # em dash
        ("Delivered–Front Door", "Delivered-Front Door"),  # en dash
        ("Delivered•Mailbox", "Delivered Mailbox"),
        ("Item‘s returned", "Item's returned"),
        ("Empfänger’s Paket", "Empfanger's Paket"),
    ],
)
def test_non_ascii_punctuation_separates_words_like_ascii_punctuation(text: str, ascii_text: str) -> None:
    assert normalize_phrase(text) == normalize_phrase(ascii_text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Ærø", "aero"), ("Øresund", "oresund"), ("Łódź", "lodz"), ("Œuvre", "oeuvre")],
)
def test_letters_without_a_decomposition_are_transliterated_not_dropped(text: str, expected: str) -> None:
    assert normalize_phrase(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("已签收", "已签收"),  # Chinese
        ("配送完了（東京）", "配送完了 東京"),  # Japanese, full-width brackets separate words
        ("配達が完了", "配達が完了"),  # the voicing mark of が stays: が is not か
        ("배송완료", "배송완료"),  # Hangul stays as syllables
        ("จัดส่งสำเร็จ", "จัดส่งสําเร็จ"),  # Thai vowel and tone marks stay inside the word
        ("ग्राहक को सौंपा गया", "ग्राहक को सौंपा गया"),  # Devanagari vowel signs stay
        ("تم التسليم.", "تم التسليم"),  # Arabic
        ("ДОСТАВЛЕНО", "доставлено"),  # Cyrillic is lower-cased
    ],
)
def test_letters_of_every_script_are_kept(text: str, expected: str) -> None:
    assert normalize_phrase(text) == expected


def test_a_rule_in_a_non_latin_script_matches_its_text() -> None:
    v = vocab(
        {"phrase": "已签收", "stage": "delivered"},
        {"phrase": "배송출발", "stage": "out_for_delivery"},
    )
    assert v.resolve(text="已签收").stage is Stage.DELIVERED
    assert v.resolve(text=" 배송출발. ").stage is Stage.OUT_FOR_DELIVERY
    # a different word of the same script is not the rule's phrase
    assert v.resolve(text="未签收").stage is Stage.UNKNOWN


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"^Deliver(?:ed|y) attempted", "Delivery attempted"),
        (r"^Arrive\w* at hub", "Arrived at hub"),
        (r"^Arrive[ds]? at hub", "Arrived at hub"),
    ],
)
def test_pattern_whose_first_word_continues_past_its_literal_prefix_still_matches(
    pattern: str, text: str
) -> None:
    v = vocab({"pattern": pattern, "stage": "in_transit", "source": "T"})
    r = v.resolve(text)
    assert r.stage is Stage.IN_TRANSIT and r.match is MatchKind.PATTERN


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"phrase": "x", "stage": "delivered", "fallback": "false"}, "fallback must be true or false"),
        (
            {"phrase": "x", "stage": "delivered", "context": "direction", "by_context": "inbound"},
            "by_context must be a table",
        ),
    ],
)
def test_malformed_rule_fields_say_what_to_fix(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        vocab(rule)


def test_include_as_a_single_string_is_one_vocabulary() -> None:
    v = Vocabulary.from_dict({"meta": {"carrier": "a", "include": "upu"}, "rule": []})
    assert v.resolve(None, "EDC").stage is Stage.CUSTOMS_CLEARED


def test_vocabulary_file_that_is_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "v.toml"
    bad.write_bytes(b'[meta]\ncarrier = "\xff"\n')
    with pytest.raises(VocabularyError, match="not UTF-8"):
        Vocabulary.from_toml(bad)


def test_parts_add_rules_and_sources_from_files_beside_the_vocabulary(tmp_path: Path) -> None:
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocabulary.toml").write_text(
        '[meta]\ncarrier = "acme"\nparts = ["vocab/nl.toml"]\n[meta.sources]\nA = "a source"\n'
        '[[rule]]\nphrase = "Delivered"\nstage = "delivered"\nsource = "A"\n',
        encoding="utf-8",
    )
    (tmp_path / "vocab" / "nl.toml").write_text(
        '[meta]\ncarrier = "acme"\n[meta.sources]\nNL = "a Dutch source"\n'
        '[[rule]]\nphrase = "Bezorgd"\nstage = "delivered"\nsource = "NL"\n'
        '[[rule]]\nphrase = "Onderweg"\nstage = "in_transit"\nsource = "A"\n',
        encoding="utf-8",
    )
    v = Vocabulary.from_toml(tmp_path / "vocabulary.toml")
    assert v.resolve("Bezorgd").stage is Stage.DELIVERED
    assert v.resolve("Onderweg").stage is Stage.IN_TRANSIT
    assert {r.vocabulary for r in v.rules} == {"acme"}  # a part is the carrier's own, not an include
    assert v.source_text(v.resolve("Bezorgd").rule) == "a Dutch source"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("part", "error"),
    [
        ('[meta]\ncarrier = "other"\n', "carrier must be 'acme'"),
        ('[meta]\ncarrier = "acme"\nparts = ["x.toml"]\n', "holds [meta] carrier/sources"),
        ('[meta]\ncarrier = "acme"\n[meta.sources]\nA = "different"\n', "defined differently"),
        (
            '[meta]\ncarrier = "acme"\n[[rule]]\nphrase = "x"\nstage = "nope"\nsource = "A"\n',
            "nl.toml rule #1",
        ),
    ],
)
def test_bad_parts_are_clear_errors(tmp_path: Path, part: str, error: str) -> None:
    (tmp_path / "vocabulary.toml").write_text(
        '[meta]\ncarrier = "acme"\nparts = ["nl.toml"]\n[meta.sources]\nA = "a source"\n', encoding="utf-8"
    )
    (tmp_path / "nl.toml").write_text(part, encoding="utf-8")
    with pytest.raises(VocabularyError, match=re.escape(error)):
        Vocabulary.from_toml(tmp_path / "vocabulary.toml")


@pytest.mark.parametrize("name", ["../x.toml", "/etc/x.toml", "missing.toml"])
def test_parts_outside_the_folder_or_missing_are_refused(tmp_path: Path, name: str) -> None:
    text = f'[meta]\ncarrier = "acme"\nparts = ["{name}"]\n'
    (tmp_path / "vocabulary.toml").write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyError):
        Vocabulary.from_toml(tmp_path / "vocabulary.toml")
