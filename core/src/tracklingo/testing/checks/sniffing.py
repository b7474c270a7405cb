"""Checks on `sniff`: it claims the carrier's own responses and nothing else."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from tracklingo.carrier import Carrier
from tracklingo.testing.checks._report import fail, where
from tracklingo.testing.checks.parsing import run_parse
from tracklingo.testing.checks.samples import Sample

__all__ = ["GENERIC_PAYLOADS", "check_other_carriers_do_not_claim", "check_sniff_foreign", "check_sniff_own"]


#: Payloads no carrier may claim: empty values and a flat feed record.
GENERIC_PAYLOADS: Final[tuple[tuple[str, Any], ...]] = (
    ("an empty object {}", {}),
    ("an empty list []", []),
    ("null", None),
    ("a string", "tracking"),
    ("a number", 42),
    (
        "a flat feed record",
        {
            "carrier": "other",
            "tracking_number": "X123",
            "timestamp": "2026-01-01T00:00:00Z",
            "description": "Delivered",
        },
    ),
    ("an envelope with an empty payload", {"carrier": "other", "payload": {}}),
)


def _sniff(carrier: Carrier, payload: Any) -> bool | BaseException:
    try:
        return bool(carrier.sniff(payload))  # the adapter's own hook, unguarded: its bugs show
    except Exception as exc:
        return exc


def check_sniff_own(carrier: Carrier, samples: Sequence[Sample], exempt: Iterable[str] = ()) -> None:
    """`sniff` recognises every own fixture that has events (error bodies may go unclaimed)."""
    skip = set(exempt)
    problems = []
    for sample in samples:
        if sample.name in skip:
            continue
        outcome = run_parse(carrier, sample)
        if outcome.result is None or not outcome.result.events:
            continue
        got = _sniff(carrier, sample.payload)
        if isinstance(got, BaseException):
            problems.append(f"{sample.name}: sniff() raised {type(got).__name__}: {got}")
        elif not got:
            problems.append(f"{sample.name}: not recognised")
    if problems:
        raise fail(
            carrier.name,
            "sniff() does not recognise the carrier's own API responses",
            problems,
            "the normalizer routes a bare API response to the carrier whose sniff() claims it:"
            " return True for the keys every response of this API has (or list the fixture in"
            " sniff_exempt if it is not an API response)",
        )


def check_sniff_foreign(carrier: Carrier, foreign: Mapping[str, Sequence[Sample]]) -> None:
    """`sniff` claims no other carrier's fixture and none of the generic payloads, and never
    raises."""
    problems = []
    cases: list[tuple[str, Any]] = list(GENERIC_PAYLOADS)
    for other, samples in sorted(foreign.items()):
        cases += [(f"{other}'s fixture {s.name}", s.payload) for s in samples]
    for label, payload in cases:
        got = _sniff(carrier, copy.deepcopy(payload))
        if isinstance(got, BaseException):
            problems.append(f"{label}: sniff() raised {type(got).__name__}: {got}{where(got)}")
        elif got:
            problems.append(f"{label}: claimed")
    if problems:
        raise fail(
            carrier.name,
            "sniff() claims payloads that are not this carrier's",
            problems,
            "sniff() must return False (never raise) for anything that is not this carrier's"
            " response: test for keys or values only this API uses, not generic ones like"
            " 'events' or 'status'. Two carriers claiming one response make the normalizer reject"
            " it",
        )


def check_other_carriers_do_not_claim(
    carrier: Carrier, samples: Sequence[Sample], others: Sequence[Carrier]
) -> None:
    """No other installed carrier's `sniff` claims this carrier's fixtures."""
    problems = []
    for other in others:
        if other.name == carrier.name:
            continue
        for sample in samples:
            got = _sniff(other, copy.deepcopy(sample.payload))
            if got is True:
                problems.append(f"{other.name} claims {sample.name}")
    if problems:
        raise fail(
            carrier.name,
            "other installed carriers claim this carrier's API responses",
            problems,
            "the named carrier's sniff() is too broad (fix it there), or this carrier's responses"
            " look like that carrier's: the normalizer rejects a response that two carriers claim",
        )
