"""`tracklingo ingest` and `tracklingo stuck` end to end: subprocesses, exact counts, a SIGKILL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from toyplugins import ACME_PLUGIN, BETA_PLUGIN

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def env(install_plugin: Any, plugin_dir: Path) -> dict[str, str]:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("beta", BETA_PLUGIN)
    base = {k: v for k, v in os.environ.items() if k != "TRACKLINGO_DB"}
    return {
        **base,
        "TRACKLINGO_LANG": "en",  # the expected output is English, whatever the machine's locale
        "PYTHONPATH": str(plugin_dir),
        "TRACKLINGO_LOAD_PLUGINS": "acme,beta",
        "TRACKLINGO_STRICT_PLUGINS": "1",
    }


@pytest.fixture
def run(env: dict[str, str], tmp_path: Path) -> Any:
    def _run(
        *args: str, stdin: str | None = None, cwd: Path | None = None, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tracklingo.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**env, **extra_env},
            cwd=cwd or tmp_path,
            timeout=120,
        )

    return _run


def flat(number: str, when: datetime, text: str = "In transit", **kw: Any) -> dict[str, Any]:
    return {
        "carrier": "acme",
        "tracking_number": number,
        "timestamp": when.isoformat(),
        "description": text,
        "city": "DENVER",
        "state": "CO",
        "country": "US",
        **kw,
    }


def write_feed(path: Path, records: list[Any]) -> Path:
    with path.open("w") as f:
        for r in records:
            f.write(r if isinstance(r, str) else json.dumps(r))
            f.write("\n")
    return path


def generated(n: int, per_number: int = 5) -> list[dict[str, Any]]:
    """`n` distinct flat events of the toy carrier."""
    return [
        flat(
            f"ACME{i // per_number:08d}", T0 + timedelta(minutes=i), ("In transit", "Out for delivery")[i % 2]
        )
        for i in range(n)
    ]


def summary(n: int, added: int, dups: int, rejected: int) -> str:
    return f"records in {n} / events added {added} / duplicates {dups} / rejected {rejected}\n"


def db_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


# -- ingest -----------------------------------------------------------------------------------


def test_ingest_twice_adds_nothing_the_second_time(run: Any, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", generated(500))
    db = tmp_path / "s.db"
    first = run("ingest", str(feed), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert (first.stdout, first.stderr) == ("", summary(500, 500, 0, 0))
    second = run("ingest", str(feed), "--db", str(db))
    assert second.returncode == 0, second.stderr
    assert (second.stdout, second.stderr) == ("", summary(500, 0, 500, 0))
    assert db_count(db) == 500


def test_canonical_events_are_ingested_as_they_are(run: Any, tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "feed.jsonl",
        [*generated(20), flat("ACME5", T0, "Origin post is preparing", timestamp=None)],
    )
    # a record without a timestamp is a reject for the normalizer; add an undated canonical one
    normalized = run("normalize", str(feed), "-q")
    assert normalized.returncode == 0
    lines = normalized.stdout.splitlines()
    assert len(lines) == 20
    undated = {**json.loads(lines[0]), "description": "Undated"}
    undated.pop("occurred_at")
    canonical = write_feed(tmp_path / "canonical.jsonl", [*lines, json.dumps(undated)])
    db = tmp_path / "s.db"
    r = run("ingest", str(canonical), "--db", str(db))
    assert (r.stdout, r.stderr) == ("", summary(21, 21, 0, 0))
    # the same events from the flat feed are duplicates of the canonical ones
    r = run("ingest", str(feed), "--db", str(db))
    assert r.stdout == ""
    assert r.stderr == f"reject: {feed}:21: missing field 'timestamp'\n" + summary(21, 0, 20, 1)


def test_one_percent_corrupt_lines_are_accounted_for(run: Any, tmp_path: Path) -> None:
    records: list[Any] = generated(1000)
    canonical_bad = {
        "carrier": "acme",
        "tracking_number": "ACME1",
        "occurred_at": T0.isoformat(),
        "stage": "teleported",
        "match": "phrase",
        "description": "x",
    }
    corrupt: list[Any] = [
        "{not json",
        '["a", "list"]',
        json.dumps({k: v for k, v in flat("ACME1", T0).items() if k != "timestamp"}),
        json.dumps(flat("ACME1", T0, timestamp="yesterday-ish")),
        json.dumps(flat("ACME1", T0, carrier="nosuch")),
        json.dumps(flat("AMBI123", T0, carrier=None)),
        json.dumps(canonical_bad),
        json.dumps({"acmeShipment": {"number": "ACME42", "error": "not found"}}),
        json.dumps({"hello": "world"}),
        '{"carrier": "acme", "tracking_number": "ACME1", "timest',
    ]
    for i, bad in enumerate(corrupt):
        records[i * 100 + 50] = bad
    feed = write_feed(tmp_path / "feed.jsonl", records)
    rejects = tmp_path / "rejects.jsonl"
    r = run("ingest", str(feed), "--db", str(tmp_path / "s.db"), "--rejects", str(rejects), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["records_in"] == 1000
    assert out["rejected"] == 10 and out["records_ok"] == 990
    assert out["records_in"] == out["records_ok"] + out["rejected"]
    assert (out["added"], out["duplicates"], out["events_in_store"]) == (990, 0, 990)
    lines = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert [x["line"] for x in lines] == [i * 100 + 51 for i in range(10)]
    reasons = [x["reason"] for x in lines]
    assert reasons[0].startswith("malformed JSON")
    assert reasons[6].startswith("invalid canonical event: stage: Input should be")
    assert "ambiguous" in reasons[5] or "AMBI" in reasons[5]
    assert "not found" in reasons[7]
    assert r.stderr == ""


def test_ingest_json_summary_shape(run: Any, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", generated(7))
    r = run("ingest", str(feed), "--db", "here.db", "--json")
    assert json.loads(r.stdout) == {
        "db": "here.db",
        "records_in": 7,
        "records_ok": 7,
        "rejected": 0,
        "events": 7,
        "added": 7,
        "duplicates": 0,
        "inferred": 0,
        "borrowed": 0,
        "events_in_store": 7,
    }
    assert (tmp_path / "here.db").exists()


def test_default_db_is_in_the_cwd_or_from_the_environment(run: Any, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", generated(3))
    work = tmp_path / "work"
    work.mkdir()
    assert run("ingest", str(feed), "-q", cwd=work).returncode == 0
    assert db_count(work / "tracklingo.db") == 3
    env_db = tmp_path / "env.db"
    r = run("ingest", str(feed), cwd=work, TRACKLINGO_DB=str(env_db))
    assert (r.stdout, r.stderr) == ("", summary(3, 3, 0, 0))
    assert db_count(env_db) == 3


def test_stdin_csv_and_carrier_option(run: Any, tmp_path: Path) -> None:
    csv = "tracking_number,timestamp,description\nACME1,2026-11-01T08:00:00Z,In transit\n"
    r = run("ingest", "--carrier", "acme", "--db", "s.db", stdin=csv)
    assert (r.stdout, r.stderr) == ("", summary(1, 1, 0, 0))


def test_ingest_errors_are_one_line_exit_1(run: Any, tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "feed.jsonl", generated(3))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100)
    cases = [
        (
            ("ingest", str(feed), "--db", "/no/such/dir/s.db"),
            "tracklingo: error: cannot open store /no/such/dir/s.db: directory /no/such/dir does not exist",
        ),
        (
            ("ingest", str(feed), "--db", str(tmp_path)),
            f"tracklingo: error: cannot open store {tmp_path}: it is a directory",
        ),
        (
            ("ingest", str(feed), "--db", str(feed)),
            f"tracklingo: error: --db {feed} is also an input ({feed}): refusing to overwrite it",
        ),
        (
            ("ingest", str(feed), "--db", str(notes)),
            f"tracklingo: error: {notes} is not a tracklingo store (not an SQLite database)",
        ),
        (
            ("ingest", str(feed), "--db", "s.db", "--carrier", "nosuch"),
            "tracklingo: error: unknown carrier 'nosuch' (installed: acme, beta)",
        ),
        (("ingest", "/no/such/feed.jsonl"), "tracklingo: error: /no/such/feed.jsonl: no such file"),
        (
            ("ingest", str(feed), "--db", "s.db", "--rejects", "/no/such/dir/r.jsonl"),
            "tracklingo: error: cannot write rejects to /no/such/dir/r.jsonl: No such file or directory",
        ),
    ]
    for args, message in cases:
        r = run(*args)
        assert r.returncode == 1, (args, r.stderr)
        assert r.stderr.strip() == message
        assert r.stdout == ""
    assert run("ingest", "--batch-size", "0").returncode == 2


def test_killed_ingest_loses_nothing_committed_and_a_rerun_completes_it(
    env: dict[str, str], run: Any, tmp_path: Path
) -> None:
    total, batch = 200_000, 5_000
    feed = tmp_path / "big.jsonl"
    with feed.open("w") as f:
        for i in range(total):
            f.write(
                f'{{"carrier":"acme","tracking_number":"ACME{i // 4:08d}",'
                f'"timestamp":"2026-11-01T08:00:00Z","code":"C{i % 4}","description":"In transit",'
                f'"city":"DENVER","state":"CO","country":"US","seq":{i}}}\n'
            )
    db = tmp_path / "big.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracklingo.cli", "ingest", str(feed), "--db", str(db), "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    committed = 0
    deadline = time.monotonic() + 60
    try:
        while committed < 2 * batch:  # let it commit a few batches ...
            assert proc.poll() is None, "ingest finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                        committed = conn.execute("SELECT count(*) FROM events").fetchone()[0]
                except sqlite3.OperationalError:  # schema not created yet
                    committed = 0
    finally:
        proc.send_signal(signal.SIGKILL)  # ... and kill it mid-run, no chance to clean up
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    survived = db_count(db)
    assert 2 * batch <= survived < total
    assert survived % batch == 0  # whole batches: the one in flight is lost whole, not in part

    rerun = run("ingest", str(feed), "--db", str(db))
    assert rerun.returncode == 0, rerun.stderr
    assert (rerun.stdout, rerun.stderr) == ("", summary(total, total - survived, survived, 0))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == total
        distinct = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT tracking_number, code FROM events)"
        ).fetchone()[0]
        assert distinct == total
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- stuck ------------------------------------------------------------------------------------

NOW = "2026-11-21T00:00:00Z"


def stuck_feed(path: Path) -> Path:
    day = timedelta(days=1)
    return write_feed(
        path,
        [
            flat("ACME1", T0, "In transit"),  # 19.7 days in transit: stuck
            flat("ACME2", datetime(2026, 11, 20, 20, 0, tzinfo=UTC), "In transit"),  # 4 hours: fine
            flat("ACME3", T0, "In transit"),
            flat("ACME3", T0 + 2 * day, "Delivered", code="DL"),  # done
            flat("ACME4", T0, "Teleported to the moon"),  # unknown stage: cannot tell
            flat("ACME5", T0 + 14 * day, "In transit"),
            flat("ACME5", T0 + 15 * day, "Out for delivery"),  # out since Monday: stuck
        ],
    )


@pytest.fixture
def stuck_db(run: Any, tmp_path: Path) -> Path:
    db = tmp_path / "stuck.db"
    r = run("ingest", str(stuck_feed(tmp_path / "feed.jsonl")), "--db", str(db))
    assert (r.stdout, r.stderr) == ("", summary(7, 7, 0, 0))
    return db


def test_stuck_json_shape(run: Any, stuck_db: Path) -> None:
    r = run("stuck", "--db", str(stuck_db), "--now", NOW, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"db", "now", "shipments", "verdicts", "not_yet_scanned", "history", "stuck"}
    assert out["now"] == "2026-11-21T00:00:00+00:00" and out["not_yet_scanned"] == 0
    assert out["shipments"] == 5
    assert out["verdicts"] == {"stuck": 2, "on_track": 1, "unknown": 1, "done": 1}
    first, second = out["stuck"]  # longest at its stage first
    assert (first["shipment"], first["stage"], first["verdict"]) == ("acme:ACME1", "in_transit", "stuck")
    assert first["since"] == "2026-11-01T08:00:00Z" and first["calendar_hours"] == 472.0
    assert (second["shipment"], second["stage"]) == ("acme:ACME5", "out_for_delivery")
    ladder = first["escalation"]
    assert [s["kind"] for s in ladder] == ["carrier", "tracker", "sender"]
    assert ladder[0]["contact"] == "ACME Parcels" and ladder[0]["phone"] == "+1 555 0100"
    assert ladder[0]["link"] == "https://acme.example/track?n=ACME1"


def test_stuck_text_lists_the_ladder(run: Any, stuck_db: Path) -> None:
    r = run("stuck", "--db", str(stuck_db), "--now", "2026-11-21T00:00:00")  # naive = UTC
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "acme:ACME1  ACME1  [in_transit]"
    assert lines[1] == '  Last scan: "In transit" at DENVER, CO, US (acme, 2026-11-01 08:00+00:00)'
    assert lines[2].startswith("  Stuck: 19.7 days at this stage, longer than the usual 5 days")
    ladder = [x for x in lines if x.startswith("    ")]
    assert ladder[0].startswith("    1. ACME Parcels: Ask ACME Parcels where the parcel is")
    assert "       https://acme.example/track?n=ACME1" in lines
    assert any(x.startswith("    2. 17TRACK or ParcelsApp: ") for x in ladder)
    assert any(x.startswith("    3. The sender: ") for x in ladder)
    assert max(len(x) for x in lines) <= 100
    assert "acme:ACME5  ACME5  [out_for_delivery]" in lines
    assert r.stderr == "2 stuck of 5 shipments (as of 2026-11-21T00:00+00:00)\n"


def test_stuck_judges_the_store_as_it_stood_at_now(run: Any, tmp_path: Path) -> None:
    day = timedelta(days=1)
    feed = write_feed(
        tmp_path / "feed.jsonl",
        [
            flat("ACME1", T0, "In transit"),
            flat("ACME1", T0 + 30 * day, "Delivered", code="DL"),  # delivered only after --now
            flat("ACME2", T0 + 30 * day, "In transit"),  # not scanned yet at --now
            flat("ACME3", T0, "In transit"),
            flat("ACME3", T0 + day, "Delivered", code="DL"),  # done
        ],
    )
    db = tmp_path / "s.db"
    assert run("ingest", str(feed), "--db", str(db)).returncode == 0
    r = run("stuck", "--db", str(db), "--now", NOW, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["verdicts"] == {"stuck": 1, "on_track": 0, "unknown": 0, "done": 1}
    assert out["not_yet_scanned"] == 1 and out["shipments"] == 2
    [item] = out["stuck"]
    assert item["shipment"] == "acme:ACME1" and item["later_scans"] == 1
    assert "1 later scan not counted" in item["verdict_text"]
    text = run("stuck", "--db", str(db), "--now", NOW).stderr
    assert text.splitlines()[-1] == (
        "1 stuck of 2 shipments (as of 2026-11-21T00:00+00:00; 1 more with no scan yet)"
    )


def test_stuck_counts_are_the_advisors_verdicts(run: Any, stuck_db: Path, tmp_path: Path) -> None:
    """`stuck` has no verdict of its own: what it counts is `judge` over every journey (finished
    ones found by query, the rest judged), and its items are `advise`'s answers."""
    from collections import Counter

    from tracklingo import load_carriers
    from tracklingo.advisor import NotYetScannedError, advise, judge
    from tracklingo.cli import store as cli_store
    from tracklingo.history import History, homes_of
    from tracklingo.store import Store

    assert not hasattr(cli_store, "_fallback") and not hasattr(cli_store, "FALLBACK_DWELL_HOURS")
    extra = write_feed(
        tmp_path / "more.jsonl",
        [
            flat("ACME6", T0, "In transit"),
            flat("ACME6", T0 + timedelta(days=3), "Delivered", code="DL"),
            flat("ACME7", T0 + timedelta(days=40), "In transit"),
        ],
    )
    assert run("ingest", str(extra), "--db", str(stuck_db)).returncode == 0
    now = datetime(2026, 11, 21, tzinfo=UTC)
    acme_registry = load_carriers(only={"acme", "beta"}, strict=True)  # what the CLI loads here
    history = History.from_store(stuck_db, homes=homes_of(acme_registry), as_of=now)
    for flags, used in (((), history), (("--no-history",), None)):
        expected: Counter[str] = Counter()
        advice = {}
        with Store(stuck_db, readonly=True) as store:
            for journey in store.journeys(acme_registry):
                try:
                    expected[judge(journey, acme_registry, now, history=used).verdict] += 1
                except NotYetScannedError:
                    expected["not_yet"] += 1
                    continue
                found = advise(journey, acme_registry, now, history=used)
                advice[journey.key] = found.model_dump(mode="json")
        out = json.loads(run("stuck", "--db", str(stuck_db), "--now", NOW, "--json", *flags).stdout)
        assert out["verdicts"] == {v: expected[v] for v in ("stuck", "on_track", "unknown", "done")}
        assert out["not_yet_scanned"] == expected["not_yet"] == 1
        assert out["verdicts"]["done"] == 2
        assert [i["shipment"] for i in out["stuck"]] == ["acme:ACME1", "acme:ACME5"]
        assert all(item == advice[item["shipment"]] for item in out["stuck"])
        assert {i["judged_by"] for i in out["stuck"]} == {"threshold"}  # a handful of parcels: too few
        assert all((i["history"] is None) == (used is None) for i in out["stuck"])


def test_stuck_json_is_written_as_one_document(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    from tracklingo.cli._common import _json_out
    from tracklingo.cli.store import _json_stream

    head = {"db": "x.db", "verdicts": {"stuck": 2}}
    cases: list[list[dict[str, Any]]] = [[], [{"a": 1}], [{"a": 1, "b": [1, {"c": "d\ne"}]}, {"e": []}]]
    for items in cases:
        _json_out({**head, "stuck": items})
        whole = capsysbinary.readouterr().out
        _json_stream(head, "stuck", iter(items))
        assert capsysbinary.readouterr().out == whole


def test_stuck_on_an_empty_file_writes_nothing(run: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    r = run("stuck", "--db", str(empty))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f"tracklingo: error: {empty} is empty: not a tracklingo store yet (add events with `ingest`)"
    )
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".db") or "-" in p.name) == [
        "empty.db"
    ]


def test_stuck_reads_a_store_in_a_read_only_directory() -> None:
    """A real read-only directory: SQLite cannot create the WAL's -shm file next to the store."""
    import shutil
    import tempfile

    from tracklingo.store import Store

    from factories import ev

    root = Path(tempfile.mkdtemp(prefix="tracklingo-ro-"))  # under /tmp: any user can reach it
    db = root / "s.db"
    try:
        with Store(db) as store:
            store.ingest(
                [
                    ev("usps", "9400111899223197428490", T0, "in_transit", "In Transit to Next Facility"),
                    ev("usps", "9400111899223197428506", T0, "delivered", "Delivered"),
                ]
            )
        root.chmod(0o555)
        db.chmod(0o444)
        drop: list[str] = []
        if os.geteuid() == 0:  # root writes anywhere: run as nobody instead
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv: cannot make the directory read-only")
            drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        env = {k: v for k, v in os.environ.items() if k != "TRACKLINGO_DB"}

        def as_user(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*drop, sys.executable, *args], capture_output=True, text=True, cwd=root, env=env, timeout=120
            )

        # the directory really is read-only for this user: a writable open fails
        write = as_user("-c", f"from tracklingo.store import Store; Store({str(db)!r})")
        assert write.returncode != 0 and "readonly database" in write.stderr
        r = as_user("-m", "tracklingo.cli", "stuck", "--db", str(db), "--now", NOW, "--json")
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert out["shipments"] == 2 and out["verdicts"]["done"] == 1 and out["verdicts"]["stuck"] == 1
        assert sorted(p.name for p in root.iterdir()) == ["s.db"]
    finally:
        root.chmod(0o755)
        shutil.rmtree(root)


def test_stuck_errors_are_one_line_exit_1(run: Any, stuck_db: Path, tmp_path: Path) -> None:
    cases = [
        (
            ("stuck", "--db", str(stuck_db), "--now", "soon"),
            "tracklingo: error: bad --now 'soon': expected an ISO 8601 time such as 2026-11-20T14:00:00Z",
        ),
        (("stuck",), "tracklingo: error: no store at tracklingo.db (add events with `tracklingo ingest`)"),
        (
            ("stuck", "--db", "/no/such/dir/s.db"),
            "tracklingo: error: cannot open store /no/such/dir/s.db: directory /no/such/dir does not exist",
        ),
    ]
    for args, message in cases:
        r = run(*args)
        assert r.returncode == 1, (args, r.stderr)
        assert r.stderr.strip() == message
    assert not (tmp_path / "tracklingo.db").exists()  # `stuck` never creates a store


def test_killed_while_a_batch_is_half_read_keeps_exactly_the_committed_batches(
    env: dict[str, str], run: Any, tmp_path: Path
) -> None:
    # Deterministic variant: the feed arrives on a pipe; after 2.5 batches the writer pauses, so
    # the ingest has committed exactly two batches and holds half of the third when it is killed.
    records = [json.dumps(r) + "\n" for r in generated(20_000)]
    db = tmp_path / "pipe.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracklingo.cli", "ingest", "--db", str(db), "--batch-size", "4000"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write("".join(records[:10_000]).encode())
        proc.stdin.flush()
        deadline = time.monotonic() + 60
        committed = 0
        while committed < 8_000:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                        committed = conn.execute("SELECT count(*) FROM events").fetchone()[0]
                except sqlite3.OperationalError:
                    committed = 0
        time.sleep(0.3)  # nothing more can commit: the third batch is waiting for input
    finally:
        proc.kill()
        proc.wait()
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
    assert db_count(db) == 8_000
    feed = write_feed(tmp_path / "feed.jsonl", [r.rstrip("\n") for r in records])
    r = run("ingest", str(feed), "--db", str(db))
    assert (r.stdout, r.stderr) == ("", summary(20_000, 12_000, 8_000, 0))
    assert db_count(db) == 20_000
