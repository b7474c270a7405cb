"""Golden files: the canonical events each fixture must parse to, compared and never rewritten
unless regeneration is asked for (``TRACKLINGO_REGEN_GOLDEN=1`` or ``pytest --regen-golden``)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from tracklingo.carrier import Carrier
from tracklingo.events import mapper_for
from tracklingo.openworld.layer import tables_only
from tracklingo.testing.checks._report import event_label, fail, short
from tracklingo.testing.checks.parsing import Outcome, run_parse
from tracklingo.testing.checks.samples import Sample

__all__ = ["REGEN_ENV", "check_golden", "diff_golden", "golden_data", "regen_requested"]

#: Set this environment variable to 1 to (re)write golden files instead of comparing with them.
REGEN_ENV: Final = "TRACKLINGO_REGEN_GOLDEN"
_REGEN_HINT: Final = (
    f"If the change is intended, regenerate the golden files deliberately ({REGEN_ENV}=1 pytest, or"
    " pytest -p tracklingo.testing.pytest_plugin --regen-golden), review the diff and commit it."
)


def regen_requested() -> bool:
    """True when ``TRACKLINGO_REGEN_GOLDEN`` asks for golden files to be rewritten."""
    return os.environ.get(REGEN_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def golden_data(outcome: Outcome) -> dict[str, Any]:
    """The golden (expected) form of an outcome: canonical events as JSON, without `raw`."""
    if outcome.error is not None:
        return {"parse_error": outcome.error.message}
    assert outcome.result is not None
    return {
        "events": [
            e.model_dump(mode="json", exclude={"raw"}, exclude_none=True) for e in outcome.result.events
        ],
        "errors": [
            {
                k: v
                for k, v in (("tracking_number", e.tracking_number), ("message", e.message), ("code", e.code))
                if v is not None
            }
            for e in outcome.result.errors
        ],
    }


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _diff_items(kind: str, expected: list[Any], actual: list[Any]) -> list[str]:
    out = []
    if len(expected) != len(actual):
        out.append(f"golden has {len(expected)} {kind}, parse() gave {len(actual)}")
    for i in range(min(len(expected), len(actual))):
        exp, act = expected[i], actual[i]
        if exp == act:
            continue
        label = event_label(act, i) if kind == "events" else f"error #{i + 1}"
        fields = sorted(set(exp) | set(act)) if isinstance(exp, dict) and isinstance(act, dict) else []
        changes = [
            f"{f}: golden {short(exp.get(f), 60)} -> now {short(act.get(f), 60)}"
            for f in fields
            if exp.get(f) != act.get(f)
        ] or [f"golden {short(exp)} -> now {short(act)}"]
        out.append(f"{label}: " + "; ".join(changes))
    if len(actual) > len(expected):
        out.extend(f"new {event_label(a, len(expected) + j)}" for j, a in enumerate(actual[len(expected) :]))
    return out


def diff_golden(expected: Any, actual: dict[str, Any]) -> list[str]:
    if not isinstance(expected, dict):
        return ["the golden file is not a JSON object"]
    if "parse_error" in expected or "parse_error" in actual:
        if expected.get("parse_error") == actual.get("parse_error"):
            return []
        if "parse_error" in expected and "parse_error" in actual:
            return [
                f"ParseError message: golden {short(expected['parse_error'])} -> now"
                f" {short(actual['parse_error'])}"
            ]
        if "parse_error" in expected:
            return [
                f"golden says parse() raises ParseError ({short(expected['parse_error'], 80)}),"
                f" now it gives {len(actual.get('events', []))} events"
            ]
        return [f"parse() now raises ParseError: {short(actual['parse_error'], 120)}"]
    return _diff_items("events", list(expected.get("events", [])), actual["events"]) + _diff_items(
        "errors", list(expected.get("errors", [])), actual["errors"]
    )


def check_golden(
    carrier: Carrier, samples: Sequence[Sample], golden_dir: str | Path, *, regen: bool = False
) -> list[Path]:
    """Every sample parses to its golden file ``golden_dir/<fixture name>``.

    With `regen` the golden files are (re)written instead, and the paths written are returned.
    The events are the carrier's own vocabulary's: the open-world layers (other installed
    vocabularies, inference) are off meanwhile, so the files do not depend on which other
    plugins are installed.
    """
    try:
        mapper = mapper_for(carrier)
    except Exception:  # a vocabulary that does not load: parsing reports it, as the adapter's bug
        return _check_golden(carrier, samples, golden_dir, regen=regen)
    with tables_only(mapper):
        return _check_golden(carrier, samples, golden_dir, regen=regen)


def _check_golden(
    carrier: Carrier, samples: Sequence[Sample], golden_dir: str | Path, *, regen: bool
) -> list[Path]:
    golden_root = Path(golden_dir)
    written: list[Path] = []
    problems: list[str] = []
    missing: list[str] = []
    for sample in samples:
        actual = golden_data(run_parse(carrier, sample))
        path = golden_root / sample.name
        text = _dump(actual)
        if regen:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                golden_root.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                written.append(path)
            continue
        if not path.is_file():
            missing.append(sample.name)
            continue
        try:
            expected = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            problems.append(f"{sample.name}: golden file {path} is unreadable: {exc}")
            continue
        diffs = diff_golden(expected, actual)
        problems.extend(f"{sample.name}: {d}" for d in diffs)
    if missing:
        raise fail(
            carrier.name,
            f"fixtures without a golden file in {golden_root}",
            missing,
            f"generate them deliberately: {REGEN_ENV}=1 pytest (or --regen-golden with"
            " -p tracklingo.testing.pytest_plugin), check each event's stage, time and place by"
            " hand, and commit the files",
        )
    fixture_names = {s.name for s in samples}
    stale = (
        sorted(p.name for p in golden_root.glob("*.json") if p.is_file() and p.name not in fixture_names)
        if golden_root.is_dir()
        else []
    )
    problems.extend(f"{name}: golden file without a fixture (delete it)" for name in stale)
    if problems:
        raise fail(
            carrier.name,
            "fixtures no longer parse to their golden canonical events",
            problems,
            "fix the parser or the vocabulary so the events are right again. " + _REGEN_HINT,
        )
    return written
