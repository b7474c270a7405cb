"""The conformance checks as plain functions: each one passes silently or raises `ConformanceError`
with a message that names the carrier, lists what is wrong and says how to fix it.

`CarrierConformance` (the pytest base class) calls these; call them directly to check an adapter
from a script or from your own tests.
"""

from __future__ import annotations

import builtins
import copy
import io
import json
import os
import re
import socket
import subprocess
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from tracklingo.carrier import Carrier, ParseResult
from tracklingo.checkdigits import clean_number
from tracklingo.detection import MIN_CONFIDENCE
from tracklingo.errors import ParseError, VocabularyError
from tracklingo.model import TrackingEvent
from tracklingo.taxonomy import Reason, Stage
from tracklingo.vocabulary import ReasonRule, Rule, Vocabulary

__all__ = [
    "REGEN_ENV",
    "ConformanceError",
    "Outcome",
    "Sample",
    "check_corrupted_rejected",
    "check_detection_examples",
    "check_golden",
    "check_identity",
    "check_other_carriers_do_not_claim",
    "check_parse_pure",
    "check_rule_sources",
    "check_rule_targets",
    "check_sniff_foreign",
    "check_sniff_own",
    "check_timestamps",
    "check_vocabulary_loads",
    "corrupt_check_digit",
    "default_fixtures_dir",
    "golden_data",
    "load_samples",
    "regen_requested",
    "run_parse",
]

#: Set this environment variable to 1 to (re)write golden files instead of comparing with them.
REGEN_ENV: Final = "TRACKLINGO_REGEN_GOLDEN"

_MAX_LISTED: Final = 12
_REGEN_HINT: Final = (
    f"If the change is intended, regenerate the golden files deliberately ({REGEN_ENV}=1 pytest, or"
    " pytest -p tracklingo.testing.pytest_plugin --regen-golden), review the diff and commit it."
)


class ConformanceError(AssertionError):
    """A conformance check failed. The message says what is wrong and what to fix."""


def _fail(carrier: str, title: str, problems: Sequence[str], fix: str) -> ConformanceError:
    shown = [f"  - {p}" for p in problems[:_MAX_LISTED]]
    if len(problems) > _MAX_LISTED:
        shown.append(f"  ... and {len(problems) - _MAX_LISTED} more")
    body = "\n".join(shown)
    return ConformanceError(f"{carrier}: {title}\n{body}\nHow to fix: {fix}")


def regen_requested() -> bool:
    """True when ``TRACKLINGO_REGEN_GOLDEN`` asks for golden files to be rewritten."""
    return os.environ.get(REGEN_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _short(value: Any, limit: int = 160) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"


def _event_label(event: TrackingEvent | Mapping[str, Any], index: int) -> str:
    code: Any
    text: Any
    if isinstance(event, TrackingEvent):
        code, text = event.code, event.description
    else:
        code, text = event.get("code"), event.get("description")
    parts = [f"event #{index + 1}"]
    if code:
        parts.append(f"code {code}")
    if text:
        parts.append(_short(text, 70))
    return " ".join(parts)


# -- samples (the adapter's tests/fixtures) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    """One sample payload: a real (or realistic) API response from the adapter's fixtures."""

    name: str
    path: Path
    payload: Any


def load_samples(directory: str | Path, pattern: str = "*.json") -> list[Sample]:
    """Every JSON fixture in `directory` (sorted by name). Unreadable files fail the check."""
    root = Path(directory)
    samples = []
    problems = []
    for path in sorted(root.glob(pattern)):
        if not path.is_file():
            continue
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        samples.append(Sample(path.name, path, payload))
    if problems:
        raise _fail(
            root.name,
            f"fixtures in {root} that are not valid JSON",
            problems,
            "a fixture is one API response saved as UTF-8 JSON; fix or remove the file",
        )
    return samples


def default_fixtures_dir(carrier: Carrier) -> Path | None:
    """Where an adapter keeps its fixtures when it is installed from a source tree (editable):
    the ``tests/fixtures`` directory of the first project root (a directory with a
    ``pyproject.toml``, ``setup.cfg`` or ``setup.py``) above the module that defines the carrier."""
    import sys

    module = sys.modules.get(type(carrier).__module__)
    file = getattr(module, "__file__", None)
    if not file:
        return None
    here = Path(file).resolve().parent
    for parent in (here, *list(here.parents)[:3]):
        if any((parent / marker).is_file() for marker in ("pyproject.toml", "setup.cfg", "setup.py")):
            candidate = parent / "tests" / "fixtures"
            return candidate if candidate.is_dir() else None
    return None


# -- parsing -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What parsing one sample gave: a result, or the `ParseError` the parser raised."""

    sample: Sample
    result: ParseResult | None
    error: ParseError | None


def _unexpected(carrier: Carrier, what: str, exc: BaseException) -> ConformanceError:
    if isinstance(exc, VocabularyError):
        return _fail(
            carrier.name,
            f"parse() cannot work {what}: the vocabulary does not load",
            [str(exc)],
            "fix the vocabulary first (test_vocabulary_loads says how)",
        )
    return _fail(
        carrier.name,
        f"parse() raised {type(exc).__name__} {what}",
        [f"{type(exc).__name__}: {exc}{_where(exc)}"],
        "a parser raises nothing but tracklingo.ParseError: catch the error for a missing or"
        " malformed field (KeyError, TypeError, ValueError, IndexError, tracklingo.InputError) and"
        " `raise ParseError(carrier.name, 'what is missing or wrong') from None`, or skip the"
        " malformed event",
    )


def run_parse(carrier: Carrier, sample: Sample) -> Outcome:
    """Parse one sample; a `ParseError` is an outcome, anything else fails with what to fix."""
    try:
        result = carrier.parse(sample.payload)
    except ParseError as exc:
        return Outcome(sample, None, exc)
    except Exception as exc:
        raise _unexpected(carrier, f"on fixture {sample.name}", exc) from exc
    if not isinstance(result, ParseResult):
        raise _fail(
            carrier.name,
            f"parse() returned {type(result).__name__} for fixture {sample.name}",
            [f"got {_short(result)}"],
            "return tracklingo.ParseResult(events=[...], errors=[...])",
        )
    bad = [e for e in result.events if not isinstance(e, TrackingEvent)]
    if bad:
        raise _fail(
            carrier.name,
            f"parse() returned events that are not TrackingEvent for fixture {sample.name}",
            [_short(repr(b)) for b in bad],
            "build events with carrier.make_event(...)",
        )
    return Outcome(sample, result, None)


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
        label = _event_label(act, i) if kind == "events" else f"error #{i + 1}"
        fields = sorted(set(exp) | set(act)) if isinstance(exp, dict) and isinstance(act, dict) else []
        changes = [
            f"{f}: golden {_short(exp.get(f), 60)} -> now {_short(act.get(f), 60)}"
            for f in fields
            if exp.get(f) != act.get(f)
        ] or [f"golden {_short(exp)} -> now {_short(act)}"]
        out.append(f"{label}: " + "; ".join(changes))
    if len(actual) > len(expected):
        out.extend(f"new {_event_label(a, len(expected) + j)}" for j, a in enumerate(actual[len(expected) :]))
    return out


def _diff_golden(expected: Any, actual: dict[str, Any]) -> list[str]:
    if not isinstance(expected, dict):
        return ["the golden file is not a JSON object"]
    if "parse_error" in expected or "parse_error" in actual:
        if expected.get("parse_error") == actual.get("parse_error"):
            return []
        if "parse_error" in expected and "parse_error" in actual:
            return [
                f"ParseError message: golden {_short(expected['parse_error'])} -> now"
                f" {_short(actual['parse_error'])}"
            ]
        if "parse_error" in expected:
            return [
                f"golden says parse() raises ParseError ({_short(expected['parse_error'], 80)}),"
                f" now it gives {len(actual.get('events', []))} events"
            ]
        return [f"parse() now raises ParseError: {_short(actual['parse_error'], 120)}"]
    return _diff_items("events", list(expected.get("events", [])), actual["events"]) + _diff_items(
        "errors", list(expected.get("errors", [])), actual["errors"]
    )


def check_golden(
    carrier: Carrier, samples: Sequence[Sample], golden_dir: str | Path, *, regen: bool = False
) -> list[Path]:
    """Every sample parses to its golden file ``golden_dir/<fixture name>``.

    With `regen` the golden files are (re)written instead, and the paths written are returned.
    """
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
        diffs = _diff_golden(expected, actual)
        problems.extend(f"{sample.name}: {d}" for d in diffs)
    if missing:
        raise _fail(
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
        raise _fail(
            carrier.name,
            "fixtures no longer parse to their golden canonical events",
            problems,
            "fix the parser or the vocabulary so the events are right again. " + _REGEN_HINT,
        )
    return written


# -- purity ------------------------------------------------------------------------------------------


class _ImpureCall(Exception):
    pass


@contextmanager
def _no_io() -> Iterator[list[str]]:
    """Block network, subprocesses and file writes; record attempts (parse must be pure)."""
    seen: list[str] = []

    def blocked(what: str) -> Callable[..., Any]:
        def deny(*args: Any, **kwargs: Any) -> Any:
            seen.append(what)
            raise _ImpureCall(f"parse() must be pure, but it tried to {what}")

        return deny

    real_open = builtins.open

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(m in mode for m in "wax+"):
            seen.append(f"open {file!s} for writing")
            raise _ImpureCall(f"parse() must be pure, but it opened {file!s} for writing")
        return real_open(file, mode, *args, **kwargs)

    patches: list[tuple[Any, str, Any]] = [
        (socket.socket, "connect", blocked("open a network connection")),
        (socket, "create_connection", blocked("open a network connection")),
        (socket, "getaddrinfo", blocked("resolve a host name")),
        (subprocess, "Popen", blocked("start a process")),
        (builtins, "open", guarded_open),
        (io, "open", guarded_open),
    ]
    saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
    try:
        for obj, name, value in patches:
            setattr(obj, name, value)
        yield seen
    finally:
        for obj, name, value in saved:
            setattr(obj, name, value)


def check_parse_pure(carrier: Carrier, samples: Sequence[Sample]) -> None:
    """`parse` is pure and idempotent: the same input twice gives equal output, the input is not
    changed, and it does no I/O (network, processes, file writes)."""
    problems: list[str] = []
    for sample in samples:
        before = copy.deepcopy(sample.payload)
        first = run_parse(carrier, sample)  # warms lazy caches (vocabulary, time zones)
        with _no_io() as seen:
            try:
                second = run_parse(carrier, sample)
                third = run_parse(carrier, Sample(sample.name, sample.path, copy.deepcopy(before)))
            except ConformanceError as exc:
                if seen:
                    problems.append(f"{sample.name}: {seen[0]}")
                    continue
                raise exc from None
        if seen:
            problems.append(f"{sample.name}: parse() tried to {seen[0]}")
            continue
        if sample.payload != before:
            problems.append(
                f"{sample.name}: parse() changed its input payload (work on copies, never edit"
                " the caller's dicts or lists)"
            )
        for label, other in (("the same payload", second), ("an equal copy", third)):
            if _comparable(first) != _comparable(other):
                diffs = _diff_golden(golden_data(first), golden_data(other)) or ["the events differ in `raw`"]
                problems.append(f"{sample.name}: parsing {label} again gave a different result: {diffs[0]}")
    if problems:
        raise _fail(
            carrier.name,
            "parse() is not pure and idempotent",
            problems,
            "parse must depend only on its payload: no clock (datetime.now), no randomness, no"
            " state kept between calls, no I/O, and it must not modify the payload",
        )


def _comparable(outcome: Outcome) -> Any:
    if outcome.error is not None:
        return ("error", outcome.error.message)
    assert outcome.result is not None
    return (list(outcome.result.events), list(outcome.result.errors))


# -- time --------------------------------------------------------------------------------------------


def check_timestamps(carrier: Carrier, samples: Sequence[Sample]) -> None:
    """Every event's time is aware, or naive and flagged (`time_is_local` + `time_note`), or None
    with a `time_note` saying why."""
    problems: list[str] = []
    for sample in samples:
        outcome = run_parse(carrier, sample)
        if outcome.result is None:
            continue
        for i, event in enumerate(outcome.result.events):
            when = event.occurred_at
            label = f"{sample.name} {_event_label(event, i)}"
            if when is None:
                if not event.time_note:
                    problems.append(f"{label}: occurred_at is None and time_note does not say why")
            elif when.tzinfo is None or when.utcoffset() is None:
                if not event.time_is_local or not event.time_note:
                    problems.append(
                        f"{label}: occurred_at {when.isoformat()} has no offset but is not flagged"
                        " (time_is_local with a time_note)"
                    )
            elif event.time_is_local:
                problems.append(
                    f"{label}: occurred_at {when.isoformat()} has an offset but time_is_local is set"
                )
    if problems:
        raise _fail(
            carrier.name,
            "event times break the time rules",
            problems,
            "pass the carrier's timestamp and the event's place to carrier.make_event(when=...,"
            " location=...) or tracklingo.resolve_time(): they keep a given offset, resolve a"
            " naive local time only where the zone is certain, and otherwise flag it; never"
            " shift or invent an offset",
        )


# -- vocabulary --------------------------------------------------------------------------------------


def check_identity(carrier: Carrier, expected_name: str | None = None) -> None:
    """Name, display name and escalation contacts are set."""
    problems = []
    name = getattr(carrier, "name", None)
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_-]*", name or ""):
        problems.append(f"name {name!r} is not a lower-case identifier")
    if expected_name is not None and name != expected_name:
        problems.append(f"registered as {name!r}, the test expects {expected_name!r}")
    display = getattr(carrier, "display_name", None)
    if not isinstance(display, str) or not display.strip():
        problems.append("display_name is not set")
    if not carrier.contacts:
        problems.append("no contacts: the advisor's escalation ladder needs at least one")
    if carrier.tracking_url is not None and "{number}" not in carrier.tracking_url:
        problems.append(f"tracking_url {carrier.tracking_url!r} has no {{number}} placeholder")
    if problems:
        raise _fail(
            str(name),
            "the carrier's identity is incomplete",
            problems,
            "set the class attributes name, display_name, contacts=(Contact(...),) and"
            " tracking_url on your Carrier subclass",
        )


def check_vocabulary_loads(carrier: Carrier) -> Vocabulary:
    """The vocabulary loads (valid TOML, known stages and reasons, sources) and is not empty."""
    where = str(carrier.vocabulary_path) if carrier.vocabulary_path else "the carrier's vocabulary"
    try:
        vocab = carrier.vocabulary
    except VocabularyError as exc:
        raise _fail(
            carrier.name,
            "the vocabulary does not load",
            [str(exc)],
            f"edit {where}: every [[rule]] needs a `stage` that exists (see tracklingo.Stage or"
            " docs/vocabulary-format.md), an optional `reason` from tracklingo.Reason, a code,"
            " phrase or pattern, and a `source`",
        ) from None
    except Exception as exc:
        raise _fail(
            carrier.name,
            "the vocabulary does not load",
            [f"{type(exc).__name__}: {exc}{_where(exc)}"],
            f"check vocabulary_path ({where}) and that the file is shipped as package data",
        ) from None
    if not isinstance(vocab, Vocabulary) or len(vocab) == 0:
        raise _fail(
            carrier.name,
            "the vocabulary is empty",
            [f"{where} has no rules"],
            "add [[rule]] entries mapping the carrier's codes and texts to stages",
        )
    return vocab


def _rule_label(rule: Rule | ReasonRule) -> str:
    if isinstance(rule, ReasonRule):
        what = ["code " + "|".join(rule.code)] if rule.code else []
        what += [" | ".join(_short(p, 50) for p in rule.phrase)] if rule.phrase else []
        return "[[reason]] " + " ".join(what)
    return "[[rule]] " + rule.describe()


def check_rule_targets(carrier: Carrier) -> None:
    """Every own rule resolves to a valid stage (and reason); no rule is shadowed by another."""
    vocab = check_vocabulary_loads(carrier)
    problems: list[str] = []
    valid_stages = {s for s in Stage if s is not Stage.UNKNOWN}
    for rule in vocab.own_rules():
        label = _rule_label(rule)
        for stage in rule.stages:
            if stage not in valid_stages:
                problems.append(f"{label}: stage {stage!r} is not a rule target")
        if rule.reason is not None and not isinstance(rule.reason, Reason):
            problems.append(f"{label}: reason {rule.reason!r} is not a tracklingo.Reason")
        problems.extend(f"{label}: {p}" for p in _probe(vocab, rule))
    for rrule in vocab.reasons:
        if rrule.vocabulary != vocab.carrier:
            continue
        if not isinstance(rrule.reason, Reason):
            problems.append(f"{_rule_label(rrule)}: reason {rrule.reason!r} is not a Reason")
        if rrule.stage is not None and rrule.stage not in valid_stages:
            problems.append(f"{_rule_label(rrule)}: stage {rrule.stage!r} is not a rule target")
    if problems:
        raise _fail(
            carrier.name,
            "vocabulary rules that do not resolve to what they say",
            problems,
            "give each rule a stage from tracklingo.Stage (not `unknown`) and a reason from"
            " tracklingo.Reason; when two rules claim the same code or text, keep one (or make"
            " the general one `fallback = true`)",
        )


def _probe(vocab: Vocabulary, rule: Rule) -> list[str]:
    """Resolve the rule's own codes/phrases: it must be the rule that answers (or an equivalent)."""
    probes: list[tuple[str | None, str | None]] = []
    if rule.code and rule.phrase:
        probes = [(p, c) for c in rule.code for p in rule.phrase]
    elif rule.code:
        probes = [(None, c) for c in rule.code]
    elif rule.phrase:
        probes = [(p, None) for p in rule.phrase]
    out = []
    for text, code in probes:
        res = vocab.resolve(text, code)
        hit = res.rule
        if hit is rule:
            continue
        if hit is not None and hit.stages == rule.stages and hit.reason == rule.reason:
            continue
        what = f"code {code}" if text is None else _short(text, 60)
        if hit is None:
            out.append(f"{what} resolves to nothing (unknown)")
        else:
            out.append(
                f"{what} is answered by another rule first ({hit.describe()}), so this rule is never used"
            )
    return out


_PLACEHOLDER: Final = re.compile(r"^\s*(TODO|FIXME|TBD|XXX)\b", re.IGNORECASE)


def check_rule_sources(carrier: Carrier) -> None:
    """Every own rule and reason entry names a source, with every source key defined."""
    vocab = check_vocabulary_loads(carrier)
    problems: list[str] = []
    entries: list[Rule | ReasonRule] = [*vocab.own_rules()]
    entries += [r for r in vocab.reasons if r.vocabulary == vocab.carrier]
    for entry in entries:
        label = _rule_label(entry)
        source = (entry.source or "").strip()
        if not source:
            problems.append(f"{label}: no source")
            continue
        for token in (t.strip() for t in re.split(r"[;,]", source)):
            if not token:
                continue
            if _PLACEHOLDER.match(token):
                problems.append(f"{label}: placeholder source {token!r}")
            elif (
                " " not in token
                and "/" not in token
                and "." not in token
                and token.split("@", 1)[0] not in vocab.sources
            ):
                problems.append(f"{label}: source key {token!r} is not in [meta.sources]")
    if problems:
        raise _fail(
            carrier.name,
            "vocabulary rules without a usable source",
            problems,
            "every rule says where its fact comes from: a key of [meta.sources], a URL, or"
            " 'repo owner/name path'. Replace TODO sources with the page or document you read",
        )


# -- sniff ---------------------------------------------------------------------------------------------

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
        return bool(carrier.sniff(payload))
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
        raise _fail(
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
            problems.append(f"{label}: sniff() raised {type(got).__name__}: {got}{_where(got)}")
        elif got:
            problems.append(f"{label}: claimed")
    if problems:
        raise _fail(
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
        raise _fail(
            carrier.name,
            "other installed carriers claim this carrier's API responses",
            problems,
            "the named carrier's sniff() is too broad (fix it there), or this carrier's responses"
            " look like that carrier's: the normalizer rejects a response that two carriers claim",
        )


# -- detection ------------------------------------------------------------------------------------------


def corrupt_check_digit(number: str) -> str:
    """`number` with its check digit changed: the last digit in it (the check digit of USPS,
    FedEx, DHL Express and UPU S10 numbers alike) plus one, modulo 10."""
    cleaned = clean_number(number)
    for i in range(len(cleaned) - 1, -1, -1):
        if cleaned[i].isdigit():
            digit = (int(cleaned[i]) + 1) % 10
            return f"{cleaned[:i]}{digit}{cleaned[i + 1 :]}"
    raise ValueError(f"{number!r} has no digit to corrupt")


def _detect(carrier: Carrier, number: str) -> float | BaseException:
    try:
        return float(carrier.detect(clean_number(number)))
    except Exception as exc:
        return exc


def check_detection_examples(carrier: Carrier, examples: Sequence[str], min_confidence: float = 0.5) -> None:
    """Every documented example number is detected with at least `min_confidence`."""
    problems = []
    for number in examples:
        got = _detect(carrier, number)
        if isinstance(got, BaseException):
            problems.append(f"{number}: detect() raised {type(got).__name__}: {got}")
        elif got < min_confidence:
            problems.append(f"{number}: confidence {got:.2f} < {min_confidence:.2f}")
    if problems:
        raise _fail(
            carrier.name,
            "detect() misses documented tracking numbers",
            problems,
            "make detect() recognise each documented format (length, prefix) and give a high"
            " confidence when its check digit is right; if an example is wrong, fix the example",
        )


def check_corrupted_rejected(carrier: Carrier, corrupted: Sequence[str]) -> None:
    """Numbers with a wrong check digit score below the detection threshold."""
    problems = []
    for number in corrupted:
        got = _detect(carrier, number)
        if isinstance(got, BaseException):
            problems.append(f"{number}: detect() raised {type(got).__name__}: {got}")
        elif got >= MIN_CONFIDENCE:
            problems.append(f"{number}: confidence {got:.2f} (must be < {MIN_CONFIDENCE})")
    if problems:
        raise _fail(
            carrier.name,
            "detect() accepts tracking numbers whose check digit is wrong",
            problems,
            "verify the check digit (tracklingo.mod10_ok, mod7_ok, mod11_ok, parse_s10(...).valid)"
            " and give a number that fails it a confidence below"
            f" tracklingo.detection.MIN_CONFIDENCE ({MIN_CONFIDENCE}); if the format has no check"
            " digit, leave it out of corrupted_examples",
        )


def check_templates_used(carrier: Carrier, samples: Sequence[Sample]) -> None:
    """A parser that keeps event templates fills them on the first pass over the fixtures and
    only stamps on the second (no template is added)."""
    templates = carrier.templates
    templates.clear()
    try:
        for sample in samples:
            run_parse(carrier, sample)
        filled = len(templates)
        for sample in samples:
            run_parse(carrier, sample)
        again = len(templates)
    finally:
        templates.clear()
    if filled == 0 or again != filled:
        raise _fail(
            carrier.name,
            "the parser does not use its event templates as declared (uses_templates = True)",
            [f"templates after one pass over the fixtures: {filled}; after a second: {again}"],
            "store a template for every key the parser looks up (carrier.templates.put) and look"
            " it up before building an event; or set uses_templates = False",
        )
