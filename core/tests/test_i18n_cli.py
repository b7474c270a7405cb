"""`--lang` on explain, advise and stuck, end to end: subprocesses, exit codes, output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_cli_advice import FEED, NOW, S10, SEED
from test_cli_store import NOW as STORE_NOW
from test_cli_store import stuck_feed
from test_i18n import _word_set, english_only_words


@pytest.fixture
def run(run_cli: Any) -> Any:
    return run_cli


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in FEED))
    return path


def _copy_lines(out: str) -> list[str]:
    """The lines of human output that are tracklingo's own words: not the quoted carrier text,
    not the other carriers' words (carrier texts, kept as written)."""
    keep: list[str] = []
    skipping = False
    for line in out.splitlines():
        if line.startswith(f'"{SEED}"'):
            continue
        if line.startswith("  ") and not line.startswith("    ") and ":" in line:
            skipping = line.strip().startswith("So nennen es andere Paketdienste")
        if not skipping:
            keep.append(re.sub(r"\b[a-z]+(_[a-z]+)+\b", "", line))  # stage and status ids
    return keep


def test_explain_in_german_reads_german_throughout(run: Any) -> None:
    r = run("explain", "--lang", "de", SEED)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Vom Zoll freigegeben: auf dem Weg zum Zusteller" in out
    for label in ("Was das bedeutet:", "Wo die Sendung ist:", "Wer sie hat:", "Wie es weitergeht:"):
        assert label in out
    assert "Übliche Höchstdauer in diesem Schritt: 5 Tage" in out
    assert "Müssen Sie etwas tun: Nein." in out
    assert 'So nennen es andere Paketdienste: "Item returned from customs (import)"' in out
    leaked = _word_set(_copy_lines(out)) & english_only_words("de")
    assert not leaked, f"English words in `explain --lang de`: {sorted(leaked)}"


def test_the_language_comes_from_the_option_then_the_environment(run: Any) -> None:
    french = run("explain", SEED, env={"TRACKLINGO_LANG": "fr"})
    assert french.returncode == 0, french.stderr
    assert "Dédouané\u00a0: en route vers le transporteur qui livre" in french.stdout
    spanish = run("explain", "--lang", "es", SEED, env={"TRACKLINGO_LANG": "fr"})
    assert "Liberado por la aduana" in spanish.stdout
    polish = run("explain", SEED, env={"TRACKLINGO_LANG": "", "LC_ALL": "", "LANG": "pl_PL.UTF-8"})
    assert "Zwolniona przez urząd celny" in polish.stdout and "Co to oznacza:" in polish.stdout
    unknown_system = run("explain", SEED, env={"TRACKLINGO_LANG": "", "LC_ALL": "ja_JP.UTF-8"})
    assert "Released by customs" in unknown_system.stdout


def test_explain_json_carries_the_language(run: Any) -> None:
    r = run("explain", "--lang", "nl-BE", SEED, "--json")
    assert r.returncode == 0, r.stderr
    [exp] = json.loads(r.stdout)
    assert exp["lang"] == "nl-BE"
    assert exp["headline"] == "Vrijgegeven door de douane: op weg naar de bezorger"
    assert exp["usual_dwell"] == {"domestic": "5 dagen", "international": "5 dagen"}


@pytest.mark.parametrize("command", ["explain", "advise", "stuck"])
def test_an_unknown_language_is_one_clear_error(run: Any, feed: Path, tmp_path: Path, command: str) -> None:
    args = {
        "explain": ["explain", SEED],
        "advise": ["advise", str(feed), "--now", NOW],
        "stuck": ["stuck", "--db", str(tmp_path / "none.db")],
    }[command]
    r = run(*args, "--lang", "xx")
    assert r.returncode == 1
    assert r.stderr == "tracklingo: error: unknown language 'xx'; available: de, en, es, fr, nl, pl\n"
    assert r.stdout == ""
    env = run(*args, env={"TRACKLINGO_LANG": "xx"})
    assert env.returncode == 1 and "(from TRACKLINGO_LANG)" in env.stderr and "Traceback" not in env.stderr


def test_advise_in_german(run: Any, feed: Path) -> None:
    r = run("advise", str(feed), "--now", NOW, "--lang", "de")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"acme:{S10}" in out and "(DE -> US, international)" in out
    assert "HÄNGT FEST: 6,7 Tage in diesem Schritt, länger als üblich" in out
    assert "Nachfragen, in dieser Reihenfolge:" in out
    assert "1. ACME Parcels: Fragen Sie ACME Parcels, wo die Sendung ist" in out
    assert f"https://t.17track.net/de#nums={S10}" in out
    assert f"https://parcelsapp.com/de/tracking/{S10}" in out
    assert "3. Der Absender:" in out
    assert "Im Plan:" in out
    assert f'Letzter Scan: "{SEED}" in US (acme, 13.11.2026, 14:03 GMT-05:00)' in out


def test_advise_json_in_polish_keeps_the_carriers_words(run: Any, feed: Path) -> None:
    r = run("advise", str(feed), "--now", NOW, "--lang", "pl", "--json")
    assert r.returncode == 0, r.stderr
    [first] = [a for a in json.loads(r.stdout) if a["tracking_number"] == S10]
    assert first["lang"] == "pl" and first["description"] == SEED
    assert first["verdict_text"].startswith("Utknęła: 6,7 dnia na tym etapie")
    assert first["escalation"][1]["link"] == f"https://t.17track.net/pl#nums={S10}"


def test_stuck_in_spanish(run: Any, tmp_path: Path) -> None:
    db = tmp_path / "stuck.db"
    assert run("ingest", str(stuck_feed(tmp_path / "feed.jsonl")), "--db", str(db)).returncode == 0
    r = run("stuck", "--db", str(db), "--now", STORE_NOW, "--lang", "es")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Último escaneo: " in out and "Atascado: " in out
    summary = "Atascados: 2 de 5 envíos (a fecha de 21 nov 2026, 00:00 GMT+00:00)"
    assert summary in (r.stdout + r.stderr).splitlines()  # the summary line (stderr by the CLI convention)
    english = run("stuck", "--db", str(db), "--now", STORE_NOW, "--json")
    spanish = run("stuck", "--db", str(db), "--now", STORE_NOW, "--json", "--lang", "es")
    en, es = json.loads(english.stdout), json.loads(spanish.stdout)
    assert en["verdicts"] == es["verdicts"]  # the verdict never depends on the language
    assert [s["shipment"] for s in en["stuck"]] == [s["shipment"] for s in es["stuck"]]
    assert {s["lang"] for s in es["stuck"]} == {"es"}
