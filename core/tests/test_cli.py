"""The CLI end to end, as a user runs it: a subprocess, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from toyplugins import BROKEN_IMPORT_PLUGIN


@pytest.fixture
def run(run_cli: Any, install_plugin: Any) -> Any:
    install_plugin("broken-import", BROKEN_IMPORT_PLUGIN)

    def _run(*args: str, strict: str = "0", **kw: Any) -> Any:
        return run_cli(*args, strict=strict, **kw)

    return _run


FLAT = {
    "carrier": "acme",
    "tracking_number": "ACME1",
    "timestamp": "2026-11-20T14:03:00-05:00",
    "description": "In transit",
    "country": "US",
}


def test_normalize_stdin_to_stdout_with_summary(run: Any) -> None:
    feed = "\n".join([json.dumps(FLAT), "{oops", json.dumps({**FLAT, "description": "Weird"})])
    r = run("normalize", stdin=feed)
    assert r.returncode == 0
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["stage"] for x in lines] == ["in_transit", "unknown"]
    assert "reject: line 2: malformed JSON" in r.stderr
    assert "records in 3 / events out 2 / rejected 1 / unmapped 1" in r.stderr
    assert "Traceback" not in r.stderr


def test_normalize_output_and_rejects_files(run: Any, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(FLAT) + "\n" + json.dumps({**FLAT, "timestamp": "soon"}) + "\n")
    out, rej = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    r = run("normalize", str(feed), "-o", str(out), "--rejects", str(rej))
    assert r.returncode == 0, r.stderr
    assert len(out.read_text().splitlines()) == 1
    [reject] = [json.loads(x) for x in rej.read_text().splitlines()]
    assert reject["line"] == 2 and "bad timestamp" in reject["reason"]
    assert reject["record"]["timestamp"] == "soon"


def test_missing_file_is_one_line_exit_1(run: Any) -> None:
    r = run("normalize", "/no/such/feed.jsonl")
    assert r.returncode == 1
    assert r.stderr.strip() == "tracklingo: error: /no/such/feed.jsonl: no such file"


def test_unknown_carrier_option_exit_1(run: Any) -> None:
    r = run("normalize", "--carrier", "ups", stdin="")
    assert r.returncode == 1
    assert r.stderr.strip().startswith("tracklingo: error: unknown carrier 'ups'")


def test_usage_errors_exit_2(run: Any) -> None:
    assert run("normalize", "--format", "xml").returncode == 2
    assert run("no-such-command").returncode == 2
    assert run("detect").returncode == 2


def test_carriers_lists_versions_and_load_errors(run: Any) -> None:
    r = run("carriers", "--json", plugins="acme,beta,broken-import")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    acme = next(c for c in data["carriers"] if c["name"] == "acme")
    assert acme["distribution"] == "tracklingo-test-acme" and acme["version"] == "1.2.3"
    assert acme["rules"] > 9
    [problem] = data["problems"]
    assert problem["plugin"] == "broken-import" and "boom at import" in problem["error"]
    text = run("carriers", plugins="acme,broken-import")
    assert "ERROR plugin 'broken-import'" in text.stderr


def test_strict_plugins_make_cli_fail_cleanly(run: Any) -> None:
    r = run("carriers", plugins="broken-import", strict="1")
    assert r.returncode == 1
    assert r.stderr.startswith("tracklingo: error: plugin 'broken-import'")
    assert "Traceback" not in r.stderr


def test_detect_json(run: Any) -> None:
    r = run("detect", "ACME42", "AMBI1", "nothing", "--json")
    data = json.loads(r.stdout)
    assert data[0]["candidates"] == [{"carrier": "acme", "confidence": 0.9}]
    assert {c["carrier"] for c in data[1]["candidates"]} == {"acme", "beta"}
    assert data[2]["candidates"] == []


def test_schema_is_json_schema(run: Any) -> None:
    r = run("schema")
    schema = json.loads(r.stdout)
    assert schema["title"] == "TrackingEvent" and "stage" in schema["properties"]
    assert run("schema", "--json").stdout == r.stdout  # always JSON: --json accepted, changes nothing


def test_glossary_lists_carrier_words(run: Any) -> None:
    r = run("glossary", "customs_cleared", "--json", plugins="acme")
    data = json.loads(r.stdout)
    assert "Item returned from import Customs" in data["customs_cleared"]["carriers"]["acme"]
    r = run("glossary", "nowhere")  # an unknown name is one line, exit 1 (like --carrier)
    assert (r.returncode, r.stderr) == (
        1,
        "tracklingo: error: unknown stage 'nowhere'; `tracklingo glossary --help` lists the stages\n",
    )


@pytest.mark.parametrize("option", ["-o", "--rejects"])
def test_normalize_unwritable_output_file_is_a_one_line_error(
    run: Any, tmp_path: Path, option: str
) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(FLAT) + "\n")
    r = run("normalize", str(feed), option, str(tmp_path / "missing-dir" / "out.jsonl"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("tracklingo: error: cannot write")
    assert len(r.stderr.strip().splitlines()) == 1


def test_normalize_truncated_gzip_feed_is_a_one_line_error(run: Any, tmp_path: Path) -> None:
    import gzip

    feed = tmp_path / "feed.jsonl.gz"
    feed.write_bytes(gzip.compress((json.dumps(FLAT) + "\n").encode() * 300)[:80])
    r = run("normalize", str(feed))
    assert r.returncode == 1
    assert "Aborted" not in r.stderr and "Traceback" not in r.stderr
    assert "gzip" in r.stderr
