"""What a batch command pays once, whatever the feed's size (issue 18): the behaviours behind the
savings, not their timings. The console script keeps pandas out of the process, with pyarrow
still right; the open-world vocabularies reuse the command's registry (`plugins.adopt`); an ingest
checkpoints the WAL at `INGEST_WAL_CHECKPOINT` and skips the stored-key lookups into an empty
store, with the same counts and rows. (The classifier's cached tables: test_openworld_analysis_cache.)
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from tracklingo import TrackingEvent, load_carriers, plugins  # noqa: E402
from tracklingo import store as store_mod  # noqa: E402
from tracklingo.batch import events_table  # noqa: E402
from tracklingo.store import INGEST_WAL_CHECKPOINT, IngestStats, Store  # noqa: E402

from factories import ev  # noqa: E402

ROOT = Path(__file__).parents[2]
FEED = ROOT / "examples" / "usps.jsonl"

# Runs the console script's function, then says on stderr whether pandas was imported.
PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('PANDAS', 'pandas' in sys.modules, file=sys.stderr))\n"
    "from tracklingo.cli import {entry}\n"
    "{entry}(sys.argv[1:])"
)


def _cli(entry: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = PROBE.format(entry=entry)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)


def _pandas_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("pandas") is not None


# -- pandas kept out of the command line --------------------------------------------------------


def test_the_console_script_is_run() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "core" / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["tracklingo"] == "tracklingo.cli:run"
    assert (ROOT / "core/src/tracklingo/cli/__main__.py").read_text().count("run()") == 1


@pytest.mark.skipif(not _pandas_installed(), reason="pandas is not installed: nothing to keep out")
def test_run_keeps_pandas_out_and_writes_what_main_writes(tmp_path: Path) -> None:
    outputs = {}
    for entry in ("run", "main"):
        out = tmp_path / f"{entry}.parquet"
        done = _cli(entry, "normalize", str(FEED), "-o", str(out), "-q")
        assert done.returncode == 0, done.stderr
        # main (as a library program would) lets pyarrow import pandas; run does not
        assert f"PANDAS {entry == 'main'}" in done.stderr
        outputs[entry] = pq.read_table(out)
    assert outputs["run"].num_rows > 0
    assert outputs["run"].equals(outputs["main"])
    # and back: Parquet in, JSON Lines out, without pandas
    back = _cli("run", "normalize", str(tmp_path / "run.parquet"), "-o", "-", "-q")
    assert back.returncode == 0 and "PANDAS False" in back.stderr
    assert len(back.stdout.splitlines()) == outputs["run"].num_rows


def test_block_refuses_pandas_and_its_submodules_in_a_fresh_process() -> None:
    code = (
        "import sys\n"
        "from tracklingo.cli._pandas import block\n"
        "block(); block()\n"
        "import pyarrow as pa, pyarrow.compute as pc\n"
        "assert pc.equal(pa.array(['a', '']), '').to_pylist() == [False, True]\n"
        "assert pa.scalar('x').as_py() == 'x' and not pa.lib._pandas_api.have_pandas\n"
        "for name in ('pandas', 'pandas.core'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ModuleNotFoundError as exc:\n"
        "        assert exc.name == 'pandas', exc.name\n"
        "    else:\n"
        "        raise SystemExit(name + ' imported')\n"
        "print(sum(type(f).__name__ == '_NoPandas' for f in sys.meta_path))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"  # installed once


# -- one registry per process -------------------------------------------------------------------


@pytest.fixture
def no_adopted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "_ADOPTED", [])


@pytest.mark.usefixtures("no_adopted")
def test_installed_vocabularies_use_the_adopted_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracklingo.openworld import installed_vocabularies

    assert plugins.adopted() is None
    registry = load_carriers()
    plugins.adopt(registry)
    assert plugins.adopted() is registry

    def no_loading(**kwargs: Any) -> Any:
        raise AssertionError("the plugins were loaded again")

    monkeypatch.setattr(plugins, "load_carriers", no_loading)
    vocabs = installed_vocabularies()
    carriers = [c.vocabulary for c in registry]
    assert carriers and all(any(v is c for v in vocabs) for c in carriers)  # the same objects


@pytest.mark.usefixtures("no_adopted")
def test_an_adopted_empty_registry_is_still_the_one_used() -> None:
    from tracklingo.openworld import installed_vocabularies

    full = {v.carrier for v in installed_vocabularies()}
    plugins.adopt(load_carriers(only=set(), disable={c.name for c in load_carriers()}))
    shared_only = {v.carrier for v in installed_vocabularies()}
    assert shared_only < full and not shared_only & {c.name for c in load_carriers()}


@pytest.mark.usefixtures("no_adopted")
def test_the_command_line_adopts_its_registry() -> None:
    from tracklingo.cli._common import _registry

    _registry.cache_clear()
    try:
        registry = _registry()
        assert plugins.adopted() is registry
    finally:
        _registry.cache_clear()


# -- the store during an ingest -----------------------------------------------------------------


def _events(n: int, number: str = "9400100000000000000001") -> list[TrackingEvent]:
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    return [ev("usps", number, start + timedelta(minutes=i), "in_transit", code=f"C{i}") for i in range(n)]


def _tables(events: list[TrackingEvent], size: int) -> Iterator[Any]:
    it = iter(events)
    while chunk := list(islice(it, size)):
        yield events_table(chunk)


def _checkpoints(store: Store) -> int:
    return int(store._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0])


@pytest.mark.parametrize("tables", [False, True], ids=["ingest", "ingest_tables"])
def test_the_wal_checkpoints_at_64_mib_during_an_ingest_only(tmp_path: Path, tables: bool) -> None:
    seen: list[int] = []
    with Store(tmp_path / "s.db") as store:
        before = _checkpoints(store)
        page = int(store._conn.execute("PRAGMA page_size").fetchone()[0])

        def on_batch(stats: IngestStats) -> None:
            seen.append(_checkpoints(store))

        events = _events(10)
        if tables:
            store.ingest_tables(_tables(events, 4), batch_size=4, on_batch=on_batch)
        else:
            store.ingest(events, batch_size=4, on_batch=on_batch)
        assert seen == [INGEST_WAL_CHECKPOINT // page] * 3
        assert _checkpoints(store) == before == 1000  # SQLite's default, restored


def test_a_failing_ingest_restores_the_checkpoint_size(tmp_path: Path) -> None:
    def failing() -> Iterator[TrackingEvent]:
        yield from _events(3)
        raise RuntimeError("the feed broke")

    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError):
            store.ingest(failing(), batch_size=2)
        assert _checkpoints(store) == 1000 and len(store) == 2


class _Lookups:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = Store._stored_key_texts

        def counted(store: Store, numbers: list[str]) -> list[str]:
            self.calls += 1
            return original(store, numbers)

        monkeypatch.setattr(Store, "_stored_key_texts", counted)


def test_no_key_lookup_into_an_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lookups = _Lookups(monkeypatch)
    events = _events(12)
    with Store(tmp_path / "s.db") as store:
        stats = store.ingest_tables(_tables(events, 5), batch_size=5)
        assert (stats.added, stats.duplicates, stats.batches) == (12, 0, 3)
        assert lookups.calls == 0
        again = store.ingest_tables(_tables(events, 5), batch_size=5)  # not empty now: looked up
        assert (again.added, again.duplicates) == (0, 12) and lookups.calls == 3


def test_a_feed_repeating_itself_into_an_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first repeat is found by the insert (and counted); later batches look keys up again."""
    lookups = _Lookups(monkeypatch)
    events = _events(6)
    feed = events + events + events  # 18 events, 6 distinct
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        fast = a.ingest_tables(_tables(feed, 4), batch_size=4)
        plain = b.ingest(feed, batch_size=4)
    assert (fast.added, fast.duplicates, fast.batches) == (plain.added, plain.duplicates, plain.batches)
    assert fast.added == 6 and fast.duplicates == 12
    assert 0 < lookups.calls < fast.batches  # batches 1-2 without a lookup, the rest with one
    query = "SELECT carrier, tracking_number, occurred_at, code, description, event FROM events ORDER BY id"
    with sqlite3.connect(tmp_path / "a.db") as ca, sqlite3.connect(tmp_path / "b.db") as cb:
        assert ca.execute(query).fetchall() == cb.execute(query).fetchall()


def test_cli_ingest_counts_into_an_empty_and_a_full_store(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    first = _cli("run", "ingest", str(FEED), str(FEED), "--db", db, "--json", "-q")
    second = _cli("run", "ingest", str(FEED), "--db", db, "--json", "-q")
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert one["added"] == two["duplicates"] == one["events"] // 2 > 0
    assert one["duplicates"] == one["added"] and two["added"] == 0
    assert store_mod.INGEST_WAL_CHECKPOINT == 64 * 1024 * 1024
