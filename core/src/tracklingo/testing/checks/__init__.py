"""The conformance checks as plain functions, by topic: each one passes silently or raises
`ConformanceError` with a message that names the carrier, lists what is wrong and says how to fix
it. `CarrierConformance` (the pytest base class) calls these; call them directly to check an adapter
from a script or from your own tests.

- `samples`: the adapter's fixtures; `golden`: the canonical events each must parse to;
- `parsing`: purity, oldest-first order, the time rules;
- `vocabulary`: identity, the vocabulary loads, rules answer for themselves, sources, patterns;
- `sniffing`, `detection`: recognising responses and numbers;
- `imports`: the adapter uses the core only through `tracklingo.adapter`.
"""

from __future__ import annotations

from tracklingo.testing.checks._report import ConformanceError, adapter_bug, event_label, fail, short, where
from tracklingo.testing.checks.detection import (
    check_corrupted_rejected,
    check_detection_examples,
    corrupt_check_digit,
)
from tracklingo.testing.checks.golden import (
    REGEN_ENV,
    check_golden,
    diff_golden,
    golden_data,
    regen_requested,
)
from tracklingo.testing.checks.imports import check_adapter_imports
from tracklingo.testing.checks.parsing import (
    Outcome,
    check_oldest_first,
    check_parse_pure,
    check_timestamps,
    run_parse,
)
from tracklingo.testing.checks.samples import Sample, default_fixtures_dir, load_samples
from tracklingo.testing.checks.sniffing import (
    GENERIC_PAYLOADS,
    check_other_carriers_do_not_claim,
    check_sniff_foreign,
    check_sniff_own,
)
from tracklingo.testing.checks.vocabulary import (
    check_identity,
    check_patterns,
    check_rule_sources,
    check_rule_targets,
    check_vocabulary_loads,
)

# The names the kit's other modules (and older callers) use.
_fail = fail
_short = short
_where = where
_diff_golden = diff_golden

__all__ = [
    "GENERIC_PAYLOADS",
    "REGEN_ENV",
    "ConformanceError",
    "Outcome",
    "Sample",
    "adapter_bug",
    "check_adapter_imports",
    "check_corrupted_rejected",
    "check_detection_examples",
    "check_golden",
    "check_identity",
    "check_oldest_first",
    "check_other_carriers_do_not_claim",
    "check_parse_pure",
    "check_patterns",
    "check_rule_sources",
    "check_rule_targets",
    "check_sniff_foreign",
    "check_sniff_own",
    "check_timestamps",
    "check_vocabulary_loads",
    "corrupt_check_digit",
    "default_fixtures_dir",
    "diff_golden",
    "event_label",
    "fail",
    "golden_data",
    "load_samples",
    "regen_requested",
    "run_parse",
    "short",
    "where",
]
