"""Adapters for engines that hand a function Arrow record batches: Spark's ``mapInArrow``, Ray
Data's ``map_batches(batch_format="pyarrow")``, a process pool over Parquet row groups. Each calls
the same `BatchNormalizer`, one per worker process (carriers loaded once, memo kept)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Literal

import numpy as np
import pyarrow as pa

from tracklingo.batch.engine import BatchNormalizer
from tracklingo.batch.schema import REJECT_SCHEMA, event_schema

__all__ = ["map_batches", "output_schema"]


@cache
def _normalizer(carrier: str | None, include_raw: bool) -> BatchNormalizer:
    return BatchNormalizer(carrier=carrier, include_raw=include_raw)


def output_schema(kind: Literal["events", "rejects"] = "events", *, include_raw: bool = False) -> pa.Schema:
    """The schema `map_batches` yields (for Spark: ``mapInArrow(func, schema)``)."""
    return event_schema(include_raw) if kind == "events" else REJECT_SCHEMA


def map_batches(
    batches: Iterable[pa.RecordBatch],
    *,
    kind: Literal["events", "rejects"] = "events",
    carrier: str | None = None,
    include_raw: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Canonical events (or the rejects) of each record batch, batch for batch. Rows are numbered
    within each call (a Spark task: one partition)."""
    normalizer = _normalizer(carrier, include_raw)
    line = 1
    for batch in batches:
        n = batch.num_rows
        events, rejects = normalizer.normalize(batch, lines=np.arange(line, line + n, dtype=np.int64))
        line += n
        table = events if kind == "events" else rejects
        yield from table.to_batches()
