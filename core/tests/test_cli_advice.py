"""`tracklingo explain` and `tracklingo advise` end to end: a subprocess, exit codes, output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SEED = "Item Returned From Import Customs"
S10 = "RR123456785DE"
NOW = "2026-11-20T12:00:00Z"


@pytest.fixture
def run(run_cli: Any) -> Any:
    return run_cli


def _flat(when: str, code: str, text: str, country: str, number: str = S10) -> dict[str, Any]:
    return {
        "carrier": "acme",
        "tracking_number": number,
        "timestamp": when,
        "code": code,
        "description": text,
        "country": country,
    }


#: A DE → US postal parcel released by US import customs on 13 November and not scanned since,
#: and a domestic ACME parcel that is on track.
FEED = [
    _flat("2026-11-02T10:00:00+01:00", "EMA", "Posting/Collection", "DE"),
    _flat("2026-11-04T18:00:00+01:00", "EMC", "Departure from outward office of exchange", "DE"),
    _flat("2026-11-10T06:00:00-05:00", "EMD", "Arrival at inward office of exchange", "US"),
    _flat("2026-11-11T09:00:00-05:00", "EDB", "Item presented to import Customs", "US"),
    _flat("2026-11-13T14:03:00-05:00", "EDC", SEED, "US"),
    {
        "carrier": "acme",
        "tracking_number": "ACME100",
        "timestamp": "2026-11-20T05:00:00-05:00",
        "description": "In transit",
        "country": "US",
    },
]


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in FEED))
    return path


# -- explain -------------------------------------------------------------------------------------


def test_explain_seed_text(run: Any) -> None:
    r = run("explain", SEED)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "customs_cleared (in_transit) - from acme" in out
    assert "Released by customs" in out and "not going back to the sender" in out
    assert "Where it is:" in out and "Who has it:" in out and "How soon:" in out
    assert "Do you need to act: No." in out
    assert 'Other carriers\' words: "Item returned from customs (import)"' in out


def test_explain_json(run: Any) -> None:
    r = run("explain", SEED, "--carrier", "acme", "--json")
    assert r.returncode == 0, r.stderr
    [exp] = json.loads(r.stdout)
    assert exp["stage"] == "customs_cleared" and exp["status"] == "in_transit"
    assert exp["known"] is True and exp["carriers"] == ["acme"]
    for key in ("headline", "meaning", "where", "holder", "next", "how_soon", "next_steps"):
        assert exp[key]
    assert "Item returned from customs (import)" in exp["synonyms"]


def test_explain_by_code(run: Any) -> None:
    r = run("explain", "--code", "EME", "--json")
    [exp] = json.loads(r.stdout)
    assert exp["stage"] == "customs_hold" and exp["recipient_must_act"] == "maybe"


def test_explain_unknown_text(run: Any) -> None:
    r = run("explain", "Parcel has been teleported")
    assert r.returncode == 0
    assert r.stdout.startswith('"Parcel has been teleported" is not a status tracklingo knows.')
    assert "will not guess" in r.stdout and "tracklingo coverage" in r.stdout
    data = json.loads(run("explain", "Parcel has been teleported", "--json").stdout)
    assert data[0]["known"] is False and data[0]["stage"] == "unknown"
    assert data[0]["synonyms"] == []


def test_explain_errors(run: Any) -> None:
    r = run("explain", SEED, "--carrier", "ups")
    assert r.returncode == 1
    assert r.stderr.strip().startswith("tracklingo: error: unknown carrier 'ups'")
    assert len(r.stderr.strip().splitlines()) == 1
    assert run("explain").returncode == 2
    assert run("explain", SEED, "--bogus").returncode == 2


# -- advise --------------------------------------------------------------------------------------


def test_advise_json_stuck_after_customs_release(run: Any, feed: Path) -> None:
    r = run("advise", str(feed), "--now", NOW, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    by_key = {a["shipment"]: a for a in data}
    stuck = by_key[f"acme:{S10}"]
    assert stuck["stage"] == "customs_cleared" and stuck["stuck"] is True
    assert stuck["lane"] == "international" and stuck["expected_dwell_hours"] == 120
    assert stuck["dwell_hours"] > 160
    assert stuck["responsible_carrier"] == "acme"
    assert [s["step"] for s in stuck["escalation"]] == [1, 2, 3]
    first = stuck["escalation"][0]
    assert first["contact"] == "ACME Parcels"
    assert first["link"] == f"https://acme.example/track?n={S10}"
    assert stuck["escalation"][1]["link"] == f"https://t.17track.net/en#nums={S10}"
    assert stuck["escalation"][2]["contact"] == "The sender"
    for key in ("status", "headline", "meaning", "next_steps", "synonyms"):
        assert key in stuck
    ok = by_key["acme:ACME100"]
    assert ok["stuck"] is False and ok["verdict"] == "on_track" and ok["escalation"] == []


def test_advise_text_shows_the_ladder(run: Any, feed: Path) -> None:
    r = run("advise", str(feed), "--now", NOW)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"acme:{S10}" in out and "(DE -> US, international)" in out
    assert "STUCK: 6.7 days at this stage, longer than the usual 5 days (international)." in out
    assert "Escalate, in this order:" in out
    assert "1. ACME Parcels: Ask ACME Parcels where the parcel is" in out
    assert f"https://parcelsapp.com/en/tracking/{S10}" in out
    assert "3. The sender:" in out
    assert "On track:" in out


def test_advise_reads_canonical_and_raw_events(run: Any, feed: Path, tmp_path: Path) -> None:
    canonical = tmp_path / "events.jsonl"
    r = run("normalize", str(feed), "-o", str(canonical), "-q")
    assert r.returncode == 0, r.stderr
    lines = canonical.read_text().splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(lines[:3]) + "\n" + feed.read_text().split("\n", 3)[3])
    results = []
    for path in (canonical, mixed):
        r = run("advise", str(path), "--now", NOW, "--json")
        assert r.returncode == 0, r.stderr
        results.append(json.loads(r.stdout))
    direct = json.loads(run("advise", str(feed), "--now", NOW, "--json").stdout)
    assert results[0] == results[1] == direct


def test_advise_stdin_and_rejects(run: Any) -> None:
    feed = json.dumps(FEED[-1]) + "\n{oops\n"
    r = run("advise", "--now", NOW, "--json", stdin=feed)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) == 1
    assert "reject: line 2: malformed JSON" in r.stderr


def test_advise_errors(run: Any, feed: Path) -> None:
    r = run("advise", "/no/such/feed.jsonl", "--now", NOW)
    assert r.returncode == 1
    assert r.stderr.strip() == "tracklingo: error: /no/such/feed.jsonl: no such file"
    r = run("advise", str(feed), "--now", "next tuesday")
    assert r.returncode == 1
    assert r.stderr.strip().startswith("tracklingo: error: bad --now 'next tuesday'")
    assert len(r.stderr.strip().splitlines()) == 1
    r = run("advise", "--now", NOW, stdin="{oops\n")  # no events is no error: the summary says it
    assert (r.returncode, r.stdout) == (0, "")
    assert r.stderr.splitlines() == [
        "reject: line 1: malformed JSON: unexpected character, expected a string key: line 1 column 2"
        " (char 1)",
        "records in 1 / events 0 / rejected 1 / shipments 0 (stuck 0)",
    ]
    assert run("advise", str(feed), "--format", "xml").returncode == 2
    assert run("advise", str(feed), "--now").returncode == 2


def test_advise_now_without_offset_is_utc(run: Any, feed: Path) -> None:
    a = json.loads(run("advise", str(feed), "--now", "2026-11-20T12:00:00", "--json").stdout)
    b = json.loads(run("advise", str(feed), "--now", NOW, "--json").stdout)
    assert a == b


# -- the demo's story ------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def _demo_now() -> str:
    makefile = (REPO / "Makefile").read_text()
    [line] = [x for x in makefile.splitlines() if x.startswith("DEMO_NOW :=")]
    demo = makefile[makefile.index("\ndemo:") :]
    assert "--now $(DEMO_NOW)" in demo  # the advice and the store listing both use it
    return line.split(":=", 1)[1].strip()


def test_the_demo_now_fits_the_example_feeds() -> None:
    """`make demo` tells a believable story: every example scan happened before its --now, no
    shipment has sat at a stage for months, and the answers differ (done, on track, act, stuck)."""
    from datetime import datetime, timedelta

    for name in ("tracklingo_usps", "tracklingo_dhl", "tracklingo_fedex"):
        pytest.importorskip(name)
    from tracklingo import Normalizer, TrackingEvent, load_carriers, read_records
    from tracklingo.advisor import advise
    from tracklingo.journeys import build_journeys

    now = datetime.fromisoformat(_demo_now())
    registry = load_carriers()
    normalizer = Normalizer(registry)
    events: list[TrackingEvent] = []
    feeds = sorted([*REPO.glob("examples/*.jsonl"), *REPO.glob("examples/*.json")])
    assert len(feeds) >= 9
    for feed in feeds:
        for record in read_records(str(feed)):
            found, rejects = normalizer.process(record)
            assert not rejects, (feed.name, rejects)
            events += found
    journeys = build_journeys(events, registry)
    assert len(journeys) >= 10
    answers = [advise(j, registry, now) for j in journeys]
    for a in answers:
        assert a.later_scans == 0, a.shipment  # nothing happens after the demo's "now"
        assert a.occurred_at is not None and a.occurred_at.tzinfo is not None
        assert now - a.occurred_at < timedelta(days=21), (a.shipment, a.occurred_at)
        assert a.calendar_hours is None or a.calendar_hours < 21 * 24, a.shipment
    verdicts = {a.verdict for a in answers}
    assert {"done", "on_track", "stuck"} <= verdicts
    assert any(a.verdict != "done" and a.recipient_must_act == "yes" for a in answers)
