"""Every example in README.md and docs/ runs as written.

Each Markdown file's ``python`` blocks run as scripts, its ``console`` steps as shell commands (with
the output and exit code the file shows) and its ``sh`` blocks as scripts, in the file's order,
from the repository root (a scratch copy of it: links to the checkout, so outputs such as
``events.jsonl`` land in the scratch directory), with this environment's ``tracklingo`` on PATH.
A block that cannot run offline is marked ``no-run`` in its info string; `NOT_RUN` is the ledger
of those, so no block is skipped without this file saying so. Blocks of other kinds (``toml``,
``text``, ``json``...) are data or output, not commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from docblocks import Block, blocks, console_steps, missing_output

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
CODE_KINDS = {"python", "console", "sh", "bash", "shell"}
DATA_KINDS = {"", "text", "toml", "json", "jsonl", "csv", "ini", "nginx", "diff"}

#: Blocks marked ``no-run``, per file: (kind, why). Change it together with the docs.
NOT_RUN: dict[str, list[tuple[str, str]]] = {
    "README.md": [("console", "`make test` is the suite this test belongs to")],
    "docs/batch.md": [
        ("sh", "pip install from an index"),
        ("python", "a Dask cluster (core/tests/test_dask.py runs one on a LocalCluster)"),
        ("python", "pyspark is not installed (core/tests/test_dask.py runs the recipe where it is)"),
    ],
    "docs/installing-adapters.md": [
        (
            "console",
            "another virtual environment, and an index for the dependencies (tests/test_dist.py"
            " does the same offline)",
        ),
        ("console", "an adapter in another virtual environment (tests/test_dist.py)"),
        ("console", "an adapter's wheel installed elsewhere (tests/test_dist.py)"),
    ],
    "docs/serve.md": [
        ("sh", "pip install from an index, then a long-running server"),
        ("sh", "the sqlite3 shell on a store the server has filled"),
    ],
    "docs/integrations/aftership.md": [("sh", "a server, curl and openssl")],
    "docs/integrations/dhl.md": [("sh", "a server and curl")],
    "docs/integrations/easypost.md": [("sh", "a server, curl and openssl")],
    "docs/integrations/fedex.md": [("sh", "a server, curl and openssl")],
    "docs/integrations/usps.md": [("sh", "a server, curl and openssl")],
}
#: Python fragments (names from the surrounding text) in files this branch must not mark, by text
#: they hold: compiled and counted, not run. An entry that matches no block skips nothing.
FRAGMENTS = {"docs/writing-an-adapter.md": ["memo = carrier.templates.lookup"]}
#: Console steps run by another test, in a fresh environment they need (file: that test).
RUN_ELSEWHERE = {"docs/writing-an-adapter.md": "tests/test_scaffold.py::test_every_guide_command_runs"}


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKLINGO_", "PYTEST_", "COV_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        TRACKLINGO_STRICT_PLUGINS="1",
        LC_ALL="C.UTF-8",
        LANG="C.UTF-8",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A directory that looks like the checkout's root: a link to each of its entries."""
    for entry in ROOT.iterdir():
        if entry.name not in {".git", "events.jsonl", "rejects.jsonl", "tracklingo.db"}:
            (tmp_path / entry.name).symlink_to(entry)
    yield tmp_path


def _run(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=_env(),
        input=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )


def _fragment(block: Block) -> bool:
    return block.kind == "python" and any(text in block.text for text in FRAGMENTS.get(_rel(block.path), []))


def _run_block(block: Block, cwd: Path) -> int:
    """Run one block; the number of commands it ran (1 for a script)."""
    where = block.where(ROOT)
    if block.kind == "python":
        r = _run([sys.executable, "-"], cwd, stdin=block.text)
        assert r.returncode == 0, f"{where}: the Python block failed:\n{r.stdout[-4000:]}"
        return 1
    if block.kind in {"sh", "bash", "shell"}:
        r = _run(["bash", "-euo", "pipefail", "-c", block.text], cwd)
        assert r.returncode == 0, f"{where}: the script failed:\n{r.stdout[-4000:]}"
        return 1
    steps = console_steps(block)
    assert steps, f"{where}: a console block without `$ ` commands"
    for step in steps:
        r = _run(["bash", "-c", step.command], cwd)
        assert r.returncode == step.exit_code, (
            f"{_rel(block.path)}:{step.line}: `{step.command}` exited {r.returncode},"
            f" expected {step.exit_code}:\n{r.stdout[-4000:]}"
        )
        missing = missing_output(step, r.stdout)
        assert missing is None, (
            f"{_rel(block.path)}:{step.line}: `{step.command}` did not print\n  {missing}\n"
            f"in order; it printed:\n{r.stdout[-4000:]}"
        )
    return len(steps)


@pytest.mark.parametrize("doc", DOCS, ids=_rel)
def test_every_example_runs(doc: Path, scratch: Path) -> None:
    ran = 0
    for block in blocks(doc):
        if block.kind not in CODE_KINDS or not block.runs or _fragment(block):
            continue
        if block.kind == "console" and _rel(doc) in RUN_ELSEWHERE:
            continue
        ran += _run_block(block, scratch)
    code = [b for b in blocks(doc) if b.kind in CODE_KINDS]
    if any(b.runs for b in code) and _rel(doc) not in RUN_ELSEWHERE:
        assert ran > 0


def test_no_block_is_skipped_silently() -> None:
    """Every block is code that runs, code marked no-run (and listed in NOT_RUN), code another test
    runs, or data; python blocks marked no-run still compile."""
    not_run: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for doc in DOCS:
        for block in blocks(doc):
            assert block.kind in CODE_KINDS | DATA_KINDS, (
                f"{block.where(ROOT)}: a ```{block.kind} block: add its kind to CODE_KINDS (and run it)"
                " or DATA_KINDS"
            )
            if block.kind in DATA_KINDS:
                counts["data"] += 1
            elif not block.runs:
                not_run.setdefault(_rel(doc), []).append(block.kind)
                counts["not run"] += 1
                if block.kind == "python":
                    compile(block.text, block.where(ROOT), "exec")
            elif _fragment(block):
                compile(block.text, block.where(ROOT), "exec")
                counts["python fragments compiled"] += 1
            elif block.kind == "console" and _rel(doc) in RUN_ELSEWHERE:
                steps = console_steps(block)
                assert steps, block.where(ROOT)
                counts["console steps run elsewhere"] += len(steps)
            else:
                counts[block.kind] += 1
    assert not_run == {doc: [kind for kind, _ in why] for doc, why in NOT_RUN.items()}
    assert counts["python"] >= 3 and counts["console"] >= 3
    print(dict(counts))


def test_run_elsewhere_is_real() -> None:
    for doc, test in RUN_ELSEWHERE.items():
        path, name = test.split("::")
        assert f"def {name}(" in (ROOT / path).read_text(), test
        assert (ROOT / doc).is_file()


def test_formats_page_names_every_field() -> None:
    """docs/formats.md is written from the code: every field the code defines is on it."""
    import dataclasses
    import re

    from pydantic import BaseModel

    from tracklingo import Advice, EscalationStep, Explanation, Handoff, Location, TrackingEvent
    from tracklingo.coverage import CarrierCoverage, CoverageReport
    from tracklingo.interop import ExportedEvent, ExportedJourney, PeerStatus
    from tracklingo.normalize import FlatRecord, Reject
    from tracklingo.taxonomy import MatchKind, Reason, Stage, Status

    page = (ROOT / "docs" / "formats.md").read_text()
    named = set(re.findall(r"`([a-z0-9_]+)`", page)) | set(re.findall(r"[{,]\s*([a-z_]+)", page))
    wanted: dict[str, set[str]] = {
        "flat record": {f.name for f in dataclasses.fields(FlatRecord)} - {"raw"} | {"state"},
        "reject": {f.name for f in dataclasses.fields(Reject)},
        "coverage": set(CoverageReport().to_dict()) | set(CarrierCoverage("x").to_dict()),
    }
    models: list[type[BaseModel]] = [
        TrackingEvent,
        Location,
        Handoff,
        Advice,
        Explanation,
        EscalationStep,
        ExportedJourney,
        ExportedEvent,
        PeerStatus,
    ]
    for model in models:
        wanted[model.__name__] = set(model.model_fields)
    for enum in (Stage, Status, Reason, MatchKind):
        wanted[enum.__name__] = {m.value for m in enum}
    missing = {what: sorted(names - named) for what, names in wanted.items() if names - named}
    assert not missing, f"docs/formats.md does not name: {missing}"
