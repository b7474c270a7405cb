"""Arbitrary records through every installed carrier: only events or rejects, never an exception,
and every record accounted for."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklingo import Normalizer, Record, Reject, TrackingEvent, load_carriers

REGISTRY = load_carriers()
CARRIERS = sorted(REGISTRY.carriers)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "carrier",
    "tracking_number",
    "timestamp",
    "code",
    "description",
    "city",
    "state",
    "postal_code",
    "country",
    "facility",
    "utc_offset",
    "handoff_carrier",
    "handoff_tracking_number",
    "payload",
    "stage",
    "match",
]
flat_like = st.fixed_dictionaries(
    {"tracking_number": st.text(max_size=30), "timestamp": st.text(max_size=30)},
    optional={key: json_values for key in FIELDS if key not in ("tracking_number", "timestamp")},
)
records = st.one_of(flat_like, st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, min_size=1, max_size=5), st.sampled_from([None, *CARRIERS]))
def test_any_record_ends_as_events_or_one_reject(batch: list[dict[str, Any]], carrier: str | None) -> None:
    normalizer = Normalizer(REGISTRY, carrier=carrier)
    for i, data in enumerate(batch, 1):
        events, rejects = normalizer.process(Record(i, data))
        assert all(isinstance(e, TrackingEvent) for e in events)
        assert all(isinstance(r, Reject) and r.line == i and r.reason for r in rejects)
        assert events or rejects
    stats = normalizer.stats
    assert stats.records_in == len(batch) == stats.records_ok + stats.records_rejected
