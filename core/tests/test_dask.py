"""`tracklingo.dask` on a real multi-process Dask cluster gives the single-process batch results."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from tracklingo import load_carriers  # noqa: E402
from tracklingo.batch import normalize_batch, table_events  # noqa: E402
from tracklingo.dask import normalize_parquet  # noqa: E402
from tracklingo.model import event_to_json  # noqa: E402

ROWS = [
    ("usps", "9400111899223344556677", "2026-11-20T10:00:00", "Delivered", "DENVER", "CO", "US"),
    ("usps", "9400111899223344556677", "2026-11-19T08:00:00Z", "Out for Delivery", "DENVER", "CO", "US"),
    ("fedex", "794612345678", "2026-11-20T10:15:00-05:00", "Picked up", "MEMPHIS", "TN", "US"),
    (
        "dhl",
        "JD014600003828820001",
        "2026-11-18T09:00:00+01:00",
        "Arrived at DHL Sort Facility LEIPZIG - GERMANY",
        None,
        None,
        "DE",
    ),
    ("usps", "", "2026-11-20T10:00:00", "Delivered", None, None, None),  # a reject: no number
    ("fedex", "794612345678", "yesterday", "Delivered", None, None, "US"),  # a reject: bad time
    ("usps", "9400111899223344556677", "2026-03-08T02:30:00", "Arrival at Unit", "CHICAGO", "IL", "US"),
]


def _feed(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    folder.mkdir()
    names = ("carrier", "tracking_number", "timestamp", "description", "city", "state", "country")
    for part in range(3):  # three files: three partitions
        rows = [dict(zip(names, r, strict=True)) for r in ROWS]
        for i, row in enumerate(rows):
            row["postal_code"] = f"{part}{i:04d}"
        pq.write_table(pa.Table.from_pylist(rows), folder / f"part-{part}.parquet")
    return folder


def _events(folder: Path) -> list[bytes]:
    out: list[bytes] = []
    for path in sorted(folder.glob("*.parquet")):
        out.extend(event_to_json(e) for e in table_events(pq.read_table(path)))
    return out


def test_a_local_cluster_of_processes_gives_the_single_process_results(tmp_path: Path) -> None:
    feed = _feed(tmp_path)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit="768MiB",
            dashboard_address=None,
            death_timeout=30,
        ) as cluster,
        distributed.Client(cluster, timeout=30) as client,
    ):
        counts = normalize_parquet(str(feed / "*.parquet"), tmp_path / "events", tmp_path / "rejects")
        workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2  # two worker processes took part
    assert len(counts.partitions) == 3 and counts.balanced()
    assert counts.records_in == 3 * len(ROWS)
    assert counts.records_rejected == 3 * 2

    registry = load_carriers()
    expected: list[bytes] = []
    rejected = 0
    for path in sorted((feed).glob("*.parquet")):
        events, rejects = normalize_batch(pq.read_table(path), registry=registry)
        expected.extend(event_to_json(e) for e in table_events(events))
        rejected += rejects.num_rows
    assert _events(tmp_path / "events") == expected
    assert counts.events_out == len(expected) and counts.records_rejected == rejected
    reject_rows = pa.concat_tables(
        [pq.read_table(p) for p in sorted((tmp_path / "rejects").glob("*.parquet"))]
    )
    assert sorted(set(reject_rows.column("line").to_pylist())) == [5, 6]


def test_the_spark_recipe_function_maps_batches_like_normalize_batch(tmp_path: Path) -> None:
    from tracklingo.batch.engines import map_batches, output_schema

    table = pq.read_table(_feed(tmp_path) / "part-0.parquet")
    batches = table.to_batches(max_chunksize=3)
    events = pa.Table.from_batches(list(map_batches(iter(batches))), schema=output_schema())
    rejects = pa.Table.from_batches(
        list(map_batches(iter(batches), kind="rejects")), schema=output_schema("rejects")
    )
    ref_events, ref_rejects = normalize_batch(table, registry=load_carriers())
    assert [event_to_json(e) for e in table_events(events)] == [
        event_to_json(e) for e in table_events(ref_events)
    ]
    assert rejects.column("line").to_pylist() == ref_rejects.column("line").to_pylist() == [5, 6]


def test_spark_map_in_arrow_runs_the_recipe(tmp_path: Path) -> None:
    pyspark_sql = pytest.importorskip("pyspark.sql")  # not a dependency: tested where installed
    from tracklingo.batch.engines import map_batches, output_schema

    table = pq.read_table(_feed(tmp_path) / "part-0.parquet")
    spark = pyspark_sql.SparkSession.builder.master("local[2]").getOrCreate()
    try:
        frame = spark.createDataFrame(table.to_pandas())
        from pyspark.sql.pandas.types import from_arrow_schema

        out = frame.mapInArrow(map_batches, from_arrow_schema(output_schema())).toPandas()
    finally:
        spark.stop()
    ref_events, _ = normalize_batch(table, registry=load_carriers())
    assert len(out) == ref_events.num_rows
