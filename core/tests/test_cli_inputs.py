"""The feed commands' shared convention, end to end: inputs of every kind, outputs that are inputs,
--max-rejects, -q, summaries on stderr, escaped terminal output, the progress bar on a terminal."""

from __future__ import annotations

import json
import os
import pty
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import pytest

from toyplugins import ACME_PLUGIN, BETA_PLUGIN

FLAT = {
    "carrier": "acme",
    "tracking_number": "ACME1",
    "timestamp": "2026-11-20T14:03:00-05:00",
    "description": "In transit",
    "country": "US",
}
NOW = "2026-11-21T00:00:00Z"
BROKEN = "malformed JSON: unexpected end of data: line 1 column 20 (char 19)"  # the feed's line 1
ESC = "\x1b]0;pwned\x07\x1b[2J"


@pytest.fixture
def env(install_plugin: Any, plugin_dir: Path) -> dict[str, str]:
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("beta", BETA_PLUGIN)
    base = {k: v for k, v in os.environ.items() if k not in ("TRACKLINGO_DB", "COLUMNS")}
    return {
        **base,
        "PYTHONPATH": str(plugin_dir),
        "TRACKLINGO_LOAD_PLUGINS": "acme,beta",
        "TRACKLINGO_STRICT_PLUGINS": "1",
    }


@pytest.fixture
def run(env: dict[str, str], tmp_path: Path) -> Any:
    def _run(
        *args: str, stdin: str | None = None, stdout: Any = None, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tracklingo.cli", *args],
            input=stdin,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, **extra_env},
            cwd=tmp_path,
            timeout=120,
        )

    return _run


def write(path: Path, *records: Any) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """Three records, the first of them broken: records in 3 / rejected 1."""
    return write(
        tmp_path / "feed.jsonl", '{"carrier": "acme",', FLAT, {**FLAT, "description": "Out for delivery"}
    )


# -- item 1: a malformed first line costs that line, not the feed -------------------------------


def test_malformed_first_line_on_stdin_loses_no_good_record(run: Any) -> None:
    stdin = '{"carrier":"acme",\n' + json.dumps(FLAT) + "\n" + json.dumps(FLAT) + "\n"
    r = run("normalize", stdin=stdin)
    assert r.returncode == 0
    assert len(r.stdout.splitlines()) == 2
    assert r.stderr.splitlines()[-1].startswith("records in 3 / events out 2 / rejected 1")


# -- item 3: an output that is an input is refused before anything is written -------------------


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("normalize", "-o"),
        ("normalize", "--output"),
        ("normalize", "--rejects"),
        ("ingest", "--db"),
        ("ingest", "--rejects"),
        ("coverage", "--rejects"),
        ("advise", "--rejects"),
    ],
)
def test_an_output_that_is_an_input_is_refused(run: Any, feed: Path, command: str, option: str) -> None:
    before = feed.read_bytes()
    extra = ["--now", NOW] if command == "advise" else []
    r = run(command, str(feed), option, str(feed), *extra)
    assert (r.returncode, r.stdout) == (1, "")
    label = "-o/--output" if option in ("-o", "--output") else option
    assert r.stderr == (
        f"tracklingo: error: {label} {feed} is also an input ({feed}): refusing to overwrite it\n"
    )
    assert feed.read_bytes() == before


def test_a_hard_link_to_an_input_is_the_same_file(run: Any, feed: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.jsonl"
    os.link(feed, link)
    before = feed.read_bytes()
    r = run("normalize", str(feed), "-o", str(link))
    assert r.returncode == 1 and "is also an input" in r.stderr
    assert feed.read_bytes() == before


def test_stdout_appended_to_an_input_is_refused(run: Any, feed: Path) -> None:
    before = feed.read_bytes()
    with feed.open("a") as out:
        r = run("normalize", str(feed), stdout=out)
    assert r.returncode == 1
    assert r.stderr == (
        f"tracklingo: error: stdout is redirected to an input ({feed}): refusing to write into it\n"
    )
    assert feed.read_bytes() == before


def test_an_output_that_is_the_file_on_stdin_is_refused(
    env: dict[str, str], feed: Path, tmp_path: Path
) -> None:
    before = feed.read_bytes()
    with feed.open("rb") as stdin:
        r = subprocess.run(
            [sys.executable, "-m", "tracklingo.cli", "normalize", "-o", str(feed)],
            stdin=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
    assert r.returncode == 1 and "is also an input (stdin)" in r.stderr
    assert feed.read_bytes() == before


def test_output_and_rejects_naming_one_file_are_refused(run: Any, feed: Path, tmp_path: Path) -> None:
    target = tmp_path / "new.jsonl"
    r = run("normalize", str(feed), "-o", str(target), "--rejects", str(target))
    assert r.returncode == 1
    assert r.stderr == f"tracklingo: error: --rejects and -o/--output are the same file ({target})\n"
    assert not target.exists()


def test_dev_null_as_input_and_as_every_output_is_fine(run: Any) -> None:
    r = run("normalize", os.devnull, "-o", os.devnull, "--rejects", os.devnull)
    assert r.returncode == 0
    assert r.stderr == "records in 0 / events out 0 / rejected 0 / unmapped 0 (in = ok 0 + rejected 0)\n"


# -- inputs of every kind --------------------------------------------------------------------


def test_fifo_and_process_substitution_are_inputs(env: dict[str, str], feed: Path, tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is needed for <(...)")
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    script = (
        f"cat {feed} > {fifo} & "
        f"{sys.executable} -m tracklingo.cli normalize {fifo} <(cat {feed}) -o /dev/null"
    )
    r = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[-1].startswith("records in 6 / events out 4 / rejected 2")


@pytest.mark.parametrize("command", ["normalize", "advise", "coverage", "ingest"])
def test_empty_input_is_no_error(run: Any, command: str) -> None:
    args = ["--now", NOW] if command == "advise" else ["--db", "s.db"] if command == "ingest" else []
    r = run(command, os.devnull, *args)
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("records in 0 /")


def test_random_bytes_are_one_clear_error(run: Any, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 20)
    for command in ("normalize", "ingest", "coverage"):
        r = run(command, str(junk))
        assert r.returncode == 1
        assert r.stderr == (
            f"tracklingo: error: {junk}: not a feed in any format (binary data); tracklingo reads JSON"
            " Lines, a JSON document (an array of objects) or CSV with a header, optionally"
            " gzip-compressed\n"
        )


def test_csv_stray_quote_is_a_reject_with_its_line(run: Any) -> None:
    rows = ["tracking_number,timestamp,description"] + [
        f'ACME{i},2026-11-20T14:03:00Z,{"In transit" if i != 2 else chr(34) + "In transit"}' for i in range(5)
    ]
    r = run("normalize", "--carrier", "acme", "--format", "csv", stdin="\n".join(rows) + "\n")
    assert r.returncode == 0
    assert len(r.stdout.splitlines()) == 4
    assert r.stderr.splitlines() == [
        "reject: line 4: malformed CSV: a quote opens a field that does not close (stray quote?)",
        "records in 5 / events out 4 / rejected 1 / unmapped 0 (in = ok 4 + rejected 1)",
    ]


def test_csv_without_header_is_one_clear_error(run: Any) -> None:
    r = run("normalize", "--format", "csv", stdin="ACME1,2026-11-20T14:03:00Z,In transit\n")
    assert r.returncode == 1
    assert r.stderr.startswith("tracklingo: error: -: line 1: missing CSV header")
    assert len(r.stderr.splitlines()) == 1


# -- item 8: deep JSON is a reject, also with --rejects and --raw -------------------------------


def test_json_nested_300_deep_is_a_reject_with_rejects_and_raw(run: Any, tmp_path: Path) -> None:
    deep = '{"carrier": "acme", "x": ' + '{"a":' * 300 + "1" + "}" * 300 + "}"
    source = write(tmp_path / "deep.jsonl", deep, FLAT)
    rejects = tmp_path / "rejects.jsonl"
    r = run("normalize", str(source), "--raw", "--rejects", str(rejects))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stdout.splitlines()) == 1
    [reject] = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert reject["line"] == 1 and "nested deeper than" in reject["reason"]


# -- --max-rejects ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "code"), [("0", 1), ("1", 0), ("33%", 1), ("34%", 0), ("0%", 1), ("100%", 0)]
)
def test_max_rejects_fails_the_run_after_it_when_exceeded(
    run: Any, feed: Path, tmp_path: Path, limit: str, code: int
) -> None:
    out = tmp_path / "out.jsonl"
    r = run("normalize", str(feed), "-o", str(out), "--max-rejects", limit)
    assert r.returncode == code
    assert len(out.read_text().splitlines()) == 2  # the run completes; the check comes after it
    lines = r.stderr.splitlines()
    assert lines[1].startswith("records in 3 / events out 2 / rejected 1")
    if code:
        assert lines[2:] == [f"tracklingo: error: 1 of 3 records rejected, more than --max-rejects {limit}"]
    else:
        assert len(lines) == 2


@pytest.mark.parametrize("command", ["advise", "coverage", "ingest"])
def test_every_feed_command_has_max_rejects(run: Any, feed: Path, command: str) -> None:
    extra = ["--now", NOW] if command == "advise" else ["--db", "s.db"] if command == "ingest" else []
    r = run(command, str(feed), "--max-rejects", "0", *extra)
    assert r.returncode == 1
    last = r.stderr.splitlines()[-1]
    assert last == "tracklingo: error: 1 of 3 records rejected, more than --max-rejects 0"


@pytest.mark.parametrize("value", ["x", "-1", "101%", "1.5", "%"])
def test_bad_max_rejects_is_a_usage_error(run: Any, feed: Path, value: str) -> None:
    assert run("normalize", str(feed), "--max-rejects", value).returncode == 2


# -- -q, --json and where things go -------------------------------------------------------------


@pytest.mark.parametrize("command", ["normalize", "advise", "coverage", "ingest"])
def test_quiet_drops_the_summary_but_not_the_reject_lines(run: Any, feed: Path, command: str) -> None:
    extra = ["--now", NOW] if command == "advise" else ["--db", "s.db"] if command == "ingest" else []
    r = run(command, str(feed), "-q", *extra)
    assert r.returncode == 0, r.stderr
    assert r.stderr == f"reject: {feed}:1: {BROKEN}\n"
    r = run(command, str(feed), "-q", "--rejects", os.devnull, *extra)
    assert (r.returncode, r.stderr) == (0, "")


@pytest.mark.parametrize("command", ["normalize", "advise", "coverage", "ingest"])
def test_json_is_accepted_by_every_feed_command(run: Any, feed: Path, command: str) -> None:
    extra = ["--now", NOW] if command == "advise" else ["--db", "s.db"] if command == "ingest" else []
    r = run(command, str(feed), "--json", "--rejects", os.devnull, *extra)
    assert r.returncode == 0, r.stderr
    if command == "normalize":  # always JSON Lines
        assert [json.loads(x)["stage"] for x in r.stdout.splitlines()] == ["in_transit", "out_for_delivery"]
    else:
        json.loads(r.stdout)


def test_ingest_summary_goes_to_stderr_and_advise_summary_counts_shipments(run: Any, feed: Path) -> None:
    r = run("ingest", str(feed), "--db", "s.db", "--rejects", os.devnull)
    assert (r.stdout, r.stderr) == ("", "records in 3 / events added 2 / duplicates 0 / rejected 1\n")
    r = run("advise", str(feed), "--now", NOW, "--rejects", os.devnull)
    assert r.stderr == "records in 3 / events 2 / rejected 1 / shipments 1 (stuck 0)\n"


# -- item 16: escape sequences never reach the terminal; JSON stays exact ------------------------


def _no_escape(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b" in text


def test_human_output_escapes_control_characters(run: Any, tmp_path: Path) -> None:
    evil = write(
        tmp_path / "evil.jsonl",
        {**FLAT, "tracking_number": "ACME9", "description": f"Weird {ESC} status", "city": f"X{ESC}"},
        {**FLAT, "tracking_number": "ACME8", "timestamp": "2026-10-01T08:00:00Z", "city": f"Y{ESC}"},
    )
    r = run("advise", str(evil), "--now", NOW)
    assert r.returncode == 0, r.stderr
    _no_escape(r.stdout)
    r = run("coverage", str(evil))
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "\\x1b" in r.stdout or "\\u001b" in r.stdout
    assert run("ingest", str(evil), "--db", "s.db", "-q").returncode == 0
    r = run("stuck", "--db", "s.db", "--now", "2027-06-01T00:00:00Z")
    assert r.returncode == 0, r.stderr
    assert "acme:ACME8" in r.stdout  # in transit since October: stuck, and listed
    _no_escape(r.stdout)
    r = run("explain", f"In transit{ESC}")
    _no_escape(r.stdout)
    r = run("detect", f"ACME{ESC}42")
    _no_escape(r.stdout)
    r = run("normalize", "--carrier", "nosuch\x1b[2J")
    assert r.returncode == 1 and "\x1b" not in r.stderr


def test_json_output_keeps_the_exact_text(run: Any, tmp_path: Path) -> None:
    evil = write(tmp_path / "evil.jsonl", {**FLAT, "description": f"Weird {ESC} status"})
    [advice] = json.loads(run("advise", str(evil), "--now", NOW, "--json").stdout)
    assert advice["description"] == f"Weird {ESC} status"
    [found] = json.loads(run("explain", f"In transit{ESC}", "--json").stdout)
    assert found["text"] == f"In transit{ESC}"


def test_reject_lines_escape_control_characters(run: Any) -> None:
    r = run("normalize", "--carrier", "acme", stdin=json.dumps({**FLAT, "timestamp": f"soon{ESC}"}) + "\n")
    assert r.returncode == 0
    assert "\x1b" not in r.stderr and "\\x1b" in r.stderr


# -- terminals: the stdin hint and the progress bar ---------------------------------------------


def test_stdin_at_a_terminal_says_so_and_one_ctrl_d_ends_it(env: dict[str, str], tmp_path: Path) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracklingo.cli", "normalize"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    os.write(master, json.dumps(FLAT).encode() + b"\n\x04")
    out, err = proc.communicate(timeout=60)
    os.close(master)
    assert proc.returncode == 0, err
    hint = "tracklingo: reading stdin... (end with Ctrl-D, or give FILES to read)"
    assert err.decode().splitlines()[0] == hint
    assert json.loads(out)["stage"] == "in_transit"


def test_no_stdin_hint_when_stdin_is_not_a_terminal(run: Any) -> None:
    assert "reading stdin" not in run("normalize", stdin="").stderr


def _tty_stderr(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal; everything written to it, raw."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracklingo.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env={**env, "TERM": "xterm-256color", "COLUMNS": "150"},
        cwd=cwd,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode(errors="replace")


def test_progress_bar_on_a_terminal_shows_bytes_rate_and_eta(
    env: dict[str, str], feed: Path, tmp_path: Path
) -> None:
    code, screen = _tty_stderr(env, tmp_path, "normalize", str(feed), "-o", "out.jsonl")
    assert code == 0
    for part in ("normalize", "%", f"of {feed.stat().st_size} bytes", "events/s", "ETA"):
        assert part in screen, (part, screen)
    code, screen = _tty_stderr(env, tmp_path, "normalize", str(feed), "-o", "out.jsonl", "-q")
    assert "events/s" not in screen and "records in" not in screen


@pytest.mark.parametrize("command", ["advise", "coverage", "ingest"])
def test_every_long_command_has_the_bar(
    env: dict[str, str], feed: Path, tmp_path: Path, command: str
) -> None:
    extra = ["--now", NOW] if command == "advise" else ["--db", "s.db"] if command == "ingest" else []
    code, screen = _tty_stderr(env, tmp_path, command, str(feed), *extra)
    assert code == 0
    assert "events/s" in screen and "ETA" in screen
    if command == "advise":
        assert "shipments/s" in screen  # the advising stage has its own count


def test_progress_bar_is_cleared_before_reject_lines_in_a_real_terminal(
    env: dict[str, str], tmp_path: Path
) -> None:
    """tmux is a real terminal: after the run, the screen holds whole reject lines and the summary,
    and nothing of the bar."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    records: list[object] = [FLAT] * 3000
    for i in (10, 1500, 2999):
        records[i] = '{"carrier": "acme", "bro'
    source = write(tmp_path / "feed.jsonl", *records)
    session = f"tl{os.getpid()}"
    env_args = [f"{k}={v}" for k, v in env.items() if k.startswith(("TRACKLINGO_", "PYTHONPATH"))]
    command = (
        f"env {' '.join(env_args)} {sys.executable} -m tracklingo.cli normalize {source} -o /dev/null;"
        " echo __DONE__; sleep 60"
    )
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40", command], check=True)
    try:
        screen = ""
        for _ in range(600):  # wait for the command to end (not a timing assertion)
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if "__DONE__" in screen:
                break
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    lines = [x for x in screen.splitlines() if x.strip()]
    assert lines[:4] == [
        f"reject: {source}:11: malformed JSON: unexpected end of data: line 1 column 25 (char 24)",
        f"reject: {source}:1501: malformed JSON: unexpected end of data: line 1 column 25 (char 24)",
        f"reject: {source}:3000: malformed JSON: unexpected end of data: line 1 column 25 (char 24)",
        "records in 3000 / events out 2997 / rejected 3 / unmapped 0 (in = ok 2997 + rejected 3)",
    ]
    assert "━" not in screen and "events/s" not in screen


# -- explain, glossary, new-adapter ------------------------------------------------------------


def test_explain_says_when_the_text_names_a_carrier_that_is_not_installed(run: Any) -> None:
    r = run("explain", "Processing at UPS Facility")
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    assert "the text names UPS, and no tracklingo plugin for UPS is installed (installed: acme, beta)" in text
    # and it still answers: the core's shared vocabularies know the wording (open-world layers)
    assert "tracklingo's world vocabulary knows this wording: it reads as in transit" in text
    [found] = json.loads(run("explain", "Processing at UPS Facility", "--json").stdout)
    assert found["carriers_not_installed"] == [{"name": "ups", "display_name": "UPS"}]
    [found] = json.loads(run("explain", "In transit", "--json").stdout)
    assert found["carriers_not_installed"] == []


def test_glossary_help_never_breaks_a_stage_name(run: Any) -> None:
    from tracklingo.taxonomy import Stage

    for columns in ("50", "80", "120"):
        r = run("glossary", "--help", COLUMNS=columns)
        lines = r.stdout.splitlines()
        for stage in Stage:
            assert any(stage.value in line for line in lines), (columns, stage)


def test_glossary_unknown_stage_is_one_line_with_did_you_mean(run: Any) -> None:
    r = run("glossary", "customs")
    assert r.returncode == 1
    assert r.stderr == (
        "tracklingo: error: unknown stage 'customs' (did you mean export_customs, import_customs,"
        " customs_hold, customs_cleared?); `tracklingo glossary --help` lists the stages\n"
    )


@pytest.mark.parametrize("name", ["usps", "acme", "beta"])
def test_new_adapter_refuses_an_installed_carrier(run: Any, tmp_path: Path, name: str) -> None:
    r = run("new-adapter", name, "--dir", str(tmp_path / "out"))
    assert r.returncode == 1
    assert r.stderr.startswith(f"tracklingo: error: '{name}' is an installed carrier (")
    assert r.stderr.rstrip().endswith("an adapter of that name would replace it: choose another name")
    assert len(r.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["my carrier", "zeta\n", "ze\x1bta", "Zeta", "z", "zeta-post", " zeta"])
def test_new_adapter_refuses_invalid_names(run: Any, tmp_path: Path, name: str) -> None:
    r = run("new-adapter", name, "--dir", str(tmp_path / "out"))
    assert r.returncode == 1
    assert r.stderr.startswith("tracklingo: error: invalid adapter name ")
    assert len(r.stderr.splitlines()) == 1 and "\x1b" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_new_adapter_json_lists_what_it_wrote(run: Any, tmp_path: Path) -> None:
    r = run("new-adapter", "zeta", "--dir", str(tmp_path / "out"), "--json")
    assert r.returncode == 0, r.stderr
    written = json.loads(r.stdout)
    assert written["name"] == "zeta" and all(Path(f).exists() for f in written["files"])


# -- item 17: start-up imports only what the command uses -------------------------------------


def _modules_after(code: str, env: dict[str, str]) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


HEAVY = {"pydantic", "tracklingo.advisor", "tracklingo.coverage", "tracklingo.store", "tracklingo.scaffold"}


def test_importing_the_package_imports_nothing_heavy(env: dict[str, str]) -> None:
    loaded = _modules_after("import tracklingo", env)
    assert not HEAVY & loaded
    assert "tracklingo.model" not in loaded and "httpx" not in loaded


def test_help_imports_no_command_module(env: dict[str, str]) -> None:
    code = (
        "from tracklingo.cli import main\n"
        "try:\n    main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    loaded = _modules_after(code, env)
    assert not HEAVY & loaded and "rich" not in loaded
    assert not {m for m in loaded if m.startswith("tracklingo.cli.") and not m.startswith("tracklingo.cli._")}


def test_explain_imports_neither_store_nor_coverage_nor_scaffold(env: dict[str, str]) -> None:
    code = (
        "from tracklingo.cli import main\n"
        "try:\n    main(['explain', 'In transit'], standalone_mode=False)\nexcept SystemExit:\n    pass"
    )
    loaded = _modules_after(code, env)
    assert not {"tracklingo.store", "tracklingo.coverage", "tracklingo.scaffold", "rich"} & loaded
    assert "tracklingo.advisor" in loaded  # the probe ran the command


def test_the_lazy_command_table_matches_the_commands() -> None:
    import pkgutil
    from importlib import import_module

    import tracklingo.cli
    from tracklingo.cli import _COMMANDS, main

    for module in pkgutil.iter_modules(tracklingo.cli.__path__):  # every command module there is
        if not module.name.startswith("_"):
            import_module(f"tracklingo.cli.{module.name}")
    assert set(main.commands) == set(_COMMANDS)  # every command is in the table, and no other
    for name, (_, short) in _COMMANDS.items():
        assert main.commands[name].get_short_help_str(10_000) == short


def test_every_public_name_resolves_and_normalize_stays_the_function() -> None:
    import tracklingo
    import tracklingo.normalize as normalize_module  # binds the submodule on the package

    for name in tracklingo.__all__:
        assert getattr(tracklingo, name) is not None, name
    assert callable(tracklingo.normalize) and tracklingo.normalize.__module__ == "tracklingo.normalize"
    assert cast(object, normalize_module) is tracklingo.normalize
    assert set(tracklingo.__all__) <= set(dir(tracklingo))
    with pytest.raises(AttributeError):
        getattr(tracklingo, "no_such_name")  # noqa: B009 (a name type checkers rightly refuse)


def test_store_ingest_still_counts_exactly(run: Any, feed: Path, tmp_path: Path) -> None:
    r = run("ingest", str(feed), "--db", "s.db", "-q", "--rejects", os.devnull)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    with sqlite3.connect(tmp_path / "s.db") as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_one_line_not_a_traceback(run: Any, feed: Path) -> None:
    r = run("normalize", str(feed), "-o", "/dev/full", "-q", "--rejects", os.devnull)
    assert (r.returncode, r.stderr) == (1, "tracklingo: error: No space left on device\n")
