"""`normalize_batch` over the partitions of a Dask DataFrame: feeds that outgrow one machine.

Needs the ``dask`` extra (``pip install 'tracklingo[dask]'``). Each partition is normalized on a
worker by one `BatchNormalizer` per worker process (its carriers loaded and its memo kept across the
partitions that worker runs); events and rejects are written as Parquet, one file per partition, and
the accounting is exact: for every partition, records in = events' records + rejected records.

>>> from tracklingo.dask import normalize_parquet                    # doctest: +SKIP
>>> result = normalize_parquet("feed/*.parquet", "out/events", "out/rejects")  # doctest: +SKIP
>>> result.records_in == result.records_ok + result.records_rejected  # doctest: +SKIP
True

Workers need tracklingo, its carrier plugins and the extra installed (the same environment as the
client). Rows are numbered per partition (``line`` in a reject is the row in its partition, with
the partition in ``source``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tracklingo.batch._deps import require

require("dask", "tracklingo.dask")
require("distributed", "tracklingo.dask")

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from dask.delayed import delayed  # noqa: E402

from tracklingo.batch import BatchNormalizer  # noqa: E402

__all__ = ["PartitionCounts", "RunCounts", "normalize_parquet", "normalize_partition"]


@dataclass(frozen=True, slots=True)
class PartitionCounts:
    """What one partition gave."""

    partition: int
    records_in: int
    records_ok: int
    records_rejected: int
    events_out: int
    unmapped: int


@dataclass(slots=True)
class RunCounts:
    """The sums over the partitions, and each partition's counts."""

    partitions: list[PartitionCounts] = field(default_factory=list)

    @property
    def records_in(self) -> int:
        return sum(p.records_in for p in self.partitions)

    @property
    def records_ok(self) -> int:
        return sum(p.records_ok for p in self.partitions)

    @property
    def records_rejected(self) -> int:
        return sum(p.records_rejected for p in self.partitions)

    @property
    def events_out(self) -> int:
        return sum(p.events_out for p in self.partitions)

    @property
    def unmapped(self) -> int:
        return sum(p.unmapped for p in self.partitions)

    def balanced(self) -> bool:
        """records in = ok + rejected, in every partition."""
        return all(p.records_in == p.records_ok + p.records_rejected for p in self.partitions)


@cache
def _normalizer(carrier: str | None, include_raw: bool) -> BatchNormalizer:
    """One per worker process: carriers loaded once, the memo shared by its partitions."""
    return BatchNormalizer(carrier=carrier, include_raw=include_raw)


def normalize_partition(
    table: pa.Table,
    partition: int,
    events_dir: str,
    rejects_dir: str,
    *,
    carrier: str | None = None,
    include_raw: bool = False,
) -> PartitionCounts:
    """Normalize one partition's records and write ``part-NNNNN.parquet`` in both directories."""
    normalizer = _normalizer(carrier, include_raw)
    before = (
        normalizer.stats.records_in,
        normalizer.stats.records_ok,
        normalizer.stats.records_rejected,
        normalizer.stats.events_out,
        normalizer.stats.unmapped,
    )
    lines = np.arange(1, table.num_rows + 1, dtype=np.int64)  # rows count from 1 in each partition
    events, rejects = normalizer.normalize(table, lines=lines, source=f"partition {partition}")
    name = f"part-{partition:05d}.parquet"
    pq.write_table(events, str(Path(events_dir) / name), compression="zstd")
    pq.write_table(rejects, str(Path(rejects_dir) / name), compression="zstd")
    s = normalizer.stats
    return PartitionCounts(
        partition,
        s.records_in - before[0],
        s.records_ok - before[1],
        s.records_rejected - before[2],
        s.events_out - before[3],
        s.unmapped - before[4],
    )


def normalize_parquet(
    source: Any,
    events_dir: str | Path,
    rejects_dir: str | Path,
    *,
    carrier: str | None = None,
    include_raw: bool = False,
    compute: bool = True,
) -> Any:
    """Normalize a Dask DataFrame of records (or Parquet files to read as one: a path, glob or
    list) on the current Dask scheduler (a `distributed.Client` when one is active). Returns the
    `RunCounts`, or the delayed computation of it when `compute` is False."""
    import dask.dataframe as dd

    frame = source if isinstance(source, dd.DataFrame) else dd.read_parquet(source, dtype_backend="pyarrow")
    Path(events_dir).mkdir(parents=True, exist_ok=True)
    Path(rejects_dir).mkdir(parents=True, exist_ok=True)
    parts = []
    for i, part in enumerate(frame.to_delayed()):
        table = delayed(_to_arrow)(part)
        parts.append(
            delayed(normalize_partition)(
                table, i, str(events_dir), str(rejects_dir), carrier=carrier, include_raw=include_raw
            )
        )
    total = delayed(_sum)(parts)
    return total.compute() if compute else total


def _to_arrow(frame: Any) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return table


def _sum(parts: list[PartitionCounts]) -> RunCounts:
    return RunCounts(sorted(parts, key=lambda p: p.partition))
