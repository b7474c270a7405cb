"""The advisor with a dwell history: `advise`/`judge` with `history=`, and `advise --db` /
`stuck` (`--no-history`) end to end, on a store of seeded synthetic ACME journeys."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_history import load_bench

from tracklingo import Location, Stage, Store
from tracklingo.advisor import advise, judge
from tracklingo.history import History, HistorySettings
from tracklingo.journeys import build_journeys
from tracklingo.model import event_to_json

from factories import ev

US = Location(country="US")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 domestic ACME journeys before NOW: in transit ~20 hours (p90 about 29), out for
    delivery ~5; a few taken to a pickup point."""
    journeygen = load_bench("journeygen")
    s = journeygen._s
    profile = journeygen.Profile(
        "acme-domestic", "acme", "domestic", 1.0, ("US",), ("US",), "fedex",
        (s(Stage.ACCEPTED, "origin", 6, 0.4), s(Stage.IN_TRANSIT, "origin", 20, 0.3),
         s(Stage.OUT_FOR_DELIVERY, "destination", 5, 0.2)),
    )
    path = tmp_path_factory.mktemp("acme") / "acme.db"
    journeygen.build_store(path, 400, seed=3, start=NOW - timedelta(days=70), days=60,
                           profiles=(profile,), stuck_share=0.0, lost_share=0.0)
    return path


def _parcel(hours_in_transit: float) -> list[Any]:
    since = NOW - timedelta(hours=hours_in_transit)
    return [
        ev("acme", "ACME900", since - timedelta(hours=8), "accepted", "Picked up", location=US),
        ev("acme", "ACME900", since, "in_transit", "Departed facility", location=US),
    ]


@pytest.fixture
def registry(acme_registry: Any) -> Any:
    return acme_registry


def test_history_decides_where_it_has_enough_parcels(store: Path, registry: Any) -> None:
    history = History.from_store(store, homes={"acme": "US"}, as_of=NOW)
    (journey,) = build_journeys(_parcel(60), registry)  # 60 h in transit: fixed threshold 120 h
    plain = advise(journey, registry, NOW)
    assert (plain.judged_by, plain.stuck, plain.history, plain.delivery_window) == (
        "threshold", False, None, None)
    learned = advise(journey, registry, NOW, history=history)
    assert (learned.judged_by, learned.stuck, learned.verdict) == ("history", True, "stuck")
    assert learned.history is not None and learned.history.samples >= 390
    assert learned.history.limit_hours is not None and 20 < learned.history.limit_hours < 40
    like = "Parcels like this one (ACME Parcels, in transit, domestic) moved on after"
    assert like in learned.verdict_text
    assert "slower than 100 %" in learned.verdict_text
    assert learned.escalation  # stuck: whom to contact
    window = learned.delivery_window  # given 60 hours already: among the slowest delivered
    assert window is None or NOW <= window.earliest <= window.latest

    fresh = advise(build_journeys(_parcel(10), registry)[0], registry, NOW, history=history)
    assert (fresh.judged_by, fresh.stuck) == ("history", False)
    assert fresh.delivery_window is not None
    assert NOW < fresh.delivery_window.earliest < fresh.delivery_window.latest < NOW + timedelta(days=2)


def test_thin_history_leaves_the_threshold_to_decide_and_says_so(store: Path, registry: Any) -> None:
    strict = History.from_store(store, homes={"acme": "US"}, as_of=NOW,
                                settings=HistorySettings(min_samples=1000))
    (journey,) = build_journeys(_parcel(60), registry)
    found = judge(journey, registry, NOW, history=strict)
    assert (found.verdict, found.history is not None) == ("on_track", True)
    assert found.history is not None and found.history.basis == "threshold"
    assert found.verdict_text.startswith("On track: 2.5 days at this stage")
    note = "in your history (1,000 needed): judged by the fixed threshold of 5 days instead."
    assert note in found.verdict_text
    assert advise(journey, registry, NOW, history=strict).judged_by == "threshold"


def _feed(path: Path, hours: float) -> Path:
    path.write_bytes(b"".join(event_to_json(e) + b"\n" for e in _parcel(hours)))
    return path


def test_advise_db_and_no_history(run_cli: Any, store: Path, tmp_path: Path) -> None:
    feed = _feed(tmp_path / "parcel.jsonl", 10)
    now = NOW.isoformat()
    r = run_cli("advise", str(feed), "--now", now, "--db", str(store), "--json")
    assert r.returncode == 0, r.stderr
    (item,) = json.loads(r.stdout)
    assert item["judged_by"] == "history" and item["history"]["samples"] >= 390
    assert item["delivery_window"]["text"].startswith("Likely delivered: ")
    human = run_cli("advise", str(feed), "--now", now, "--db", str(store)).stdout
    assert "Likely delivered: " in human and "in your history" in human
    (plain,) = json.loads(run_cli("advise", str(feed), "--now", now, "--db", str(store), "--json",
                                  "--no-history").stdout)
    (without,) = json.loads(run_cli("advise", str(feed), "--now", now, "--json").stdout)
    assert plain == without
    assert (plain["judged_by"], plain["history"], plain["delivery_window"]) == ("threshold", None, None)
    missing = run_cli("advise", str(feed), "--db", str(tmp_path / "nope.db"))
    assert missing.returncode == 1 and missing.stderr.startswith("tracklingo: error: no store at")


def test_stuck_uses_the_history_unless_told_not_to(run_cli: Any, store: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(store.read_bytes())
    with Store(db) as s:
        s.ingest(_parcel(60))
    now = NOW.isoformat()
    out = json.loads(run_cli("stuck", "--db", str(db), "--now", now, "--json").stdout)
    assert [i["shipment"] for i in out["stuck"]] == ["acme:ACME900"]
    assert out["stuck"][0]["judged_by"] == "history"
    assert out["history"]["transitions"] > 1000 and out["history"]["stuck_percentile"] == 90
    plain = json.loads(run_cli("stuck", "--db", str(db), "--now", now, "--json", "--no-history").stdout)
    assert plain["stuck"] == [] and plain["history"] is None
    loose = json.loads(run_cli("stuck", "--db", str(db), "--now", now, "--json",
                               "--stuck-percentile", "99.9999").stdout)
    assert loose["history"]["stuck_percentile"] == 99.9999
    text = run_cli("stuck", "--db", str(db), "--now", now)
    assert "slower than 100 %" in text.stdout and text.returncode == 0
    bad = run_cli("stuck", "--db", str(db), "--stuck-percentile", "100")
    assert bad.returncode == 2


def test_advise_db_speaks_german_history_and_dates(run_cli: Any, store: Path, tmp_path: Path) -> None:
    feed = _feed(tmp_path / "parcel.jsonl", 60)  # stuck by the history
    fresh = _feed(tmp_path / "fresh.jsonl", 10)  # on track, with a delivery window
    now = NOW.isoformat()
    args = ("--now", now, "--db", str(store), "--lang", "de")
    (item,) = json.loads(run_cli("advise", str(feed), *args, "--json").stdout)
    assert (item["lang"], item["judged_by"], item["verdict"]) == ("de", "history", "stuck")
    assert item["verdict_text"].startswith("Vergleichbare Sendungen (ACME Parcels, unterwegs, national)")
    assert "in Ihren Sendungsdaten im Median " in item["verdict_text"]
    assert re.search(r"Über dem 90\. Perzentil von \d{3} Sendungen: hängt fest\.", item["verdict_text"])
    assert item["history"]["text"] in item["verdict_text"]

    shown = run_cli("advise", str(fresh), *args)
    assert shown.returncode == 0, shown.stderr
    human = " ".join(shown.stdout.split())  # unwrapped
    (window,) = json.loads(run_cli("advise", str(fresh), *args, "--json").stdout)
    assert window["delivery_window"]["text"].startswith("Voraussichtliche Zustellung: ")
    first = datetime.fromisoformat(window["delivery_window"]["earliest"])
    last = datetime.fromisoformat(window["delivery_window"]["latest"])
    german = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
    day = f"{german[last.weekday()]}., {last.day}. Nov."  # NOW is 20 November, the window within 2 days
    if first.date() == last.date():
        dates = f"am {day}"
    else:
        dates = f"zwischen {german[first.weekday()]}., {first.day}. und {day}"
    assert f"Voraussichtliche Zustellung: {dates} (80 % von " in human
    assert "vergleichbaren Sendungen in Ihren Sendungsdaten)." in human
    assert "Im Plan: Vergleichbare Sendungen (ACME Parcels, unterwegs, national)" in human
    for english in ("Likely", "in your history", "Parcels like", "percentile", "Nov "):
        assert english not in human


def test_stuck_speaks_the_history_in_each_language(run_cli: Any, store: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(store.read_bytes())
    with Store(db) as s:
        s.ingest(_parcel(60))
    said = {
        "fr": "Au-delà du 90e centile de ",
        "es": "Por encima del percentil 90 de ",
        "nl": "Boven het 90e percentiel van ",
        "pl": "Powyżej 90. percentyla (próba: ",
    }
    for lang, text in said.items():
        out = run_cli("stuck", "--db", str(db), "--now", NOW.isoformat(), "--lang", lang)
        assert out.returncode == 0, out.stderr
        assert text in " ".join(out.stdout.split()), (lang, out.stdout)
