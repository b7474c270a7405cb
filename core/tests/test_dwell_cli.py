"""`tracklingo dwell` end to end: a subprocess on a store built through the public API."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tracklingo import Location, Store

from factories import ev

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
US, DE = Location(country="US"), Location(country="DE")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Three ACME parcels (home US): two domestic, one from Germany; one Beta parcel."""
    path = tmp_path / "t.db"
    events = []
    for i, hours in enumerate((6, 30)):
        number = f"A{i}"
        events += [
            ev("acme", number, T0, "accepted", location=US),
            ev("acme", number, T0 + timedelta(hours=hours), "in_transit", location=US),
            ev("acme", number, T0 + timedelta(hours=hours + 20), "delivered", location=US),
        ]
    events += [
        ev("acme", "I1", T0, "accepted", location=DE),
        ev("acme", "I1", T0 + timedelta(hours=100), "customs_cleared", location=US),
        ev("beta", "B1", T0, "accepted"),
        ev("beta", "B1", T0 + timedelta(hours=3), "in_transit"),
        ev("evil\x1b[2J", "E1", T0, "accepted"),
        ev("evil\x1b[2J", "E1", T0 + timedelta(hours=1), "in_transit"),
    ]
    with Store(path) as s:
        s.ingest(events)
    return path


def test_dwell_table(run_cli: Any, store: Path) -> None:
    result = run_cli("dwell", "--db", str(store))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["carrier", "stage", "lane", "n", "p50", "h", "p90", "h", "p99", "h",
                                "p50", "bd", "p90", "bd", "p99", "bd"]
    assert lines[1].split() == ["acme", "accepted", "domestic", "2", "6.0", "30.0", "30.0", "0.25", "1.25",
                                "1.25"]
    assert re.match(r"acme +accepted +international inbound +1 +100\.0 ", lines[2])
    assert re.match(r"acme +accepted +international \(all\) +1 +100\.0 ", lines[3])
    assert lines[4].split()[:4] == ["acme", "in_transit", "domestic", "2"]
    assert lines[5].split()[:4] == ["beta", "accepted", "domestic", "1"]
    assert "\x1b" not in result.stdout and lines[6].startswith("evil\\x1b[2J  accepted")
    assert len(lines) == 7
    assert result.stderr.startswith("6 carrier/stage/lane groups, 7 completed transitions in ")


def test_dwell_json(run_cli: Any, store: Path) -> None:
    result = run_cli("dwell", "--db", str(store), "--json", "--carrier", "ACME")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["transitions"] == 5
    groups = {(g["stage"], g["lane"]): g for g in out["groups"]}
    assert set(groups) == {
        ("accepted", "domestic"),
        ("accepted", "inbound"),
        ("accepted", "international"),
        ("in_transit", "domestic"),
    }
    accepted = groups[("accepted", "domestic")]
    assert accepted["n"] == 2 and accepted["hours"] == {"p50": 6.0, "p90": 30.0, "p99": 30.0}
    assert accepted["to_delivered"] == {"n": 2, "hours": {"p10": 26.0, "p50": 26.0, "p90": 50.0}}
    assert groups[("accepted", "inbound")]["business_days"]["p50"] == round(100 / 24, 2)  # Mon-Fri
    assert groups[("in_transit", "domestic")]["to_delivered"]["hours"]["p50"] == 20.0


def test_quiet_and_a_carrier_with_nothing(run_cli: Any, store: Path) -> None:
    result = run_cli("dwell", "--db", str(store), "--carrier", "nobody", "--json", "-q")
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["groups"] == []


def test_empty_store_is_not_an_error(run_cli: Any, tmp_path: Path) -> None:
    with Store(tmp_path / "empty.db"):
        pass
    result = run_cli("dwell", "--db", str(tmp_path / "empty.db"))
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.startswith("0 carrier/stage/lane groups, 0 completed transitions")


def test_bad_stores_fail_with_one_line(run_cli: Any, tmp_path: Path) -> None:
    missing = run_cli("dwell", "--db", str(tmp_path / "nope.db"))
    assert missing.returncode == 1
    assert missing.stderr.startswith("tracklingo: error: no store at") and missing.stderr.count("\n") == 1
    assert not (tmp_path / "nope.db").exists()
    other = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    result = run_cli("dwell", "--db", str(other))
    assert result.returncode == 1 and "not a tracklingo store" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_dwell_speaks_the_language_asked_for(run_cli: Any, store: Path) -> None:
    de = run_cli("dwell", "--db", str(store), "--lang", "de")
    assert de.returncode == 0, de.stderr
    lines = de.stdout.splitlines()
    assert lines[0].split() == ["Paketdienst", "Schritt", "Strecke", "n", "p50", "h", "p90", "h", "p99", "h",
                                "p50", "WT", "p90", "WT", "p99", "WT"]
    assert lines[1].split() == ["acme", "accepted", "national", "2", "6,0", "30,0", "30,0", "0,25", "1,25",
                                "1,25"]
    assert re.match(r"acme +accepted +international eingehend +1 +100,0 ", lines[2])
    assert re.match(r"acme +accepted +international \(alle Richtungen\) +1 +100,0 ", lines[3])
    assert de.stderr.startswith("6 Gruppen Paketdienst/Schritt/Strecke, 7 abgeschlossene Übergänge aus ")
    pl = run_cli("dwell", "--db", str(store), "--lang", "pl", "--carrier", "acme")
    assert pl.returncode == 0, pl.stderr
    assert "międzynarodowa przychodząca" in pl.stdout and "przewoźnik" in pl.stdout.splitlines()[0]
    summary = "4 grupy przewoźnik/etap/relacja, 5 zakończonych przejść przewoźnika acme z bazy "
    assert pl.stderr.startswith(summary)
    unknown = run_cli("dwell", "--db", str(store), "--lang", "xx")
    assert unknown.returncode == 1 and unknown.stderr.startswith("tracklingo: error: unknown language 'xx'")
