"""The scaffold never rots: `tracklingo new-adapter` output installs with a real ``pip install``, its
tests pass as generated, and `tracklingo carriers` lists it; and every command of
docs/writing-an-adapter.md runs, in order, with the output the guide shows.

The slow tests use a fresh virtual environment that reuses this one's packages through a ``.pth``
file (so nothing is installed into the shared venv), and delete it afterwards. Installing a
package builds it with pip's usual build isolation, which needs the index (or pip's cache) for
setuptools.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tracklingo import Carrier, InputError, Vocabulary
from tracklingo.scaffold import adapter_values, render_adapter
from tracklingo.testing import checks, corrupt_check_digit, fuzz

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "writing-an-adapter.md"


# -- rendering (fast) -------------------------------------------------------------------------------


def test_render_writes_a_complete_package(tmp_path: Path) -> None:
    result = render_adapter("royal_mail", tmp_path / "rm", display_name="Royal Mail")
    root = result.root
    names = sorted(str(p.relative_to(root)) for p in result.files)
    assert names == [
        ".gitignore",
        "README.md",
        "pyproject.toml",
        "src/tracklingo_royal_mail/__init__.py",
        "src/tracklingo_royal_mail/carrier.py",
        "src/tracklingo_royal_mail/parser.py",
        "src/tracklingo_royal_mail/py.typed",
        "src/tracklingo_royal_mail/vocabulary.toml",
        "tests/fixtures/sample.json",
        "tests/golden/sample.json",
        "tests/test_royal_mail_conformance.py",
    ]
    for path in result.files:
        assert "{{" not in path.read_text(), path
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert project["project"]["name"] == "tracklingo-royal-mail"
    assert project["project"]["entry-points"]["tracklingo"] == {"royal_mail": "tracklingo_royal_mail"}
    assert (
        "class TestRoyalMailConformance(CarrierConformance):"
        in (root / "tests/test_royal_mail_conformance.py").read_text()
    )
    vocab = Vocabulary.from_toml(root / "src/tracklingo_royal_mail/vocabulary.toml")
    assert len(vocab) == 2 and all(rule.source for rule in vocab)
    for path in root.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")


def test_adapter_values() -> None:
    values = adapter_values("canadapost")
    assert values["display_name"] == "Canadapost" and values["Class"] == "Canadapost"
    assert values["example"] == "CAN1234567895"
    assert values["corrupted"] == corrupt_check_digit(values["example"])
    assert adapter_values("x9")["prefix"] == "XXX"
    for bad in ("CanadaPost", "9post", "canada-post", "a", "x" * 41, "royal mail"):
        with pytest.raises(InputError, match="invalid adapter name"):
            adapter_values(bad)
    with pytest.raises(InputError, match="invalid display name"):
        adapter_values("ok", 'say "hi"')


def test_render_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("mine")
    with pytest.raises(InputError, match="already exists and is not empty"):
        render_adapter("canadapost", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_generated_adapter_passes_the_kit_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check on the generated code without installing it (fast feedback on the templates)."""
    root = render_adapter("scaffoldcheck", tmp_path / "pkg").root
    monkeypatch.syspath_prepend(str(root / "src"))
    try:
        module = importlib.import_module("tracklingo_scaffoldcheck")
        carrier: Carrier = module.ScaffoldcheckCarrier()
        samples = checks.load_samples(root / "tests" / "fixtures")
        values = adapter_values("scaffoldcheck")
        checks.check_identity(carrier, "scaffoldcheck")
        checks.check_rule_targets(carrier)
        checks.check_rule_sources(carrier)
        checks.check_golden(carrier, samples, root / "tests" / "golden")
        checks.check_parse_pure(carrier, samples)
        checks.check_oldest_first(carrier, samples)
        checks.check_timestamps(carrier, samples)
        checks.check_patterns(carrier)
        checks.check_adapter_imports(carrier)
        checks.check_sniff_own(carrier, samples)
        checks.check_sniff_foreign(carrier, {})
        checks.check_detection_examples(carrier, [values["example"]])
        checks.check_corrupted_rejected(carrier, [values["corrupted"]])
        fuzz.check_fuzz_arbitrary(carrier, samples, examples=100, seed=0)
        fuzz.check_fuzz_mutated(carrier, samples, examples=200, seed=0)
        fuzz.check_memo_changes_nothing(carrier, samples, examples=50, seed=0)
        hook = module.tracklingo_register_carriers
        got: list[Carrier] = []
        hook(register=got.append)
        assert [c.name for c in got] == ["scaffoldcheck"]
    finally:
        for name in list(sys.modules):
            if name.startswith("tracklingo_scaffoldcheck"):
                del sys.modules[name]


def test_cli_new_adapter_errors(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "tracklingo.cli", "new-adapter", "Bad-Name", "--dir", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert r.stderr.startswith("tracklingo: error: invalid adapter name 'Bad-Name'")
    assert "Traceback" not in r.stderr


# -- installing for real (slow) ---------------------------------------------------------------------


@dataclass
class FreshVenv:
    """A new virtual environment that sees this one's packages and has its own ``tracklingo``."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKLINGO_", "PYTEST_"))}
        env.update(
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
            VIRTUAL_ENV=str(self.root),
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            PIP_NO_INPUT="1",
            TRACKLINGO_STRICT_PLUGINS="1",
        )
        env.pop("PYTHONPATH", None)
        return env

    def run(self, command: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )


def make_venv(root: Path) -> FreshVenv:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(root), "platbase": str(root)}))
    ours = [p for p in site.getsitepackages() if Path(p).is_dir()]
    # addsitedir (not a bare path) so the editable installs' own .pth files are processed too
    (purelib / "_tracklingo_parent_env.pth").write_text(
        "import site; " + "; ".join(f"site.addsitedir({p!r})" for p in ours) + "\n"
    )
    script = root / "bin" / "tracklingo"
    script.write_text(f"#!{root / 'bin' / 'python'}\nfrom tracklingo.cli import main\nmain()\n")
    script.chmod(0o755)
    return FreshVenv(root)


@pytest.fixture
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FreshVenv, Path]]:
    base = tmp_path_factory.mktemp("scaffold")
    venv = make_venv(base / "venv")
    work = base / "work"
    work.mkdir()
    try:
        yield venv, work
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _ok(result: subprocess.CompletedProcess[str], what: str) -> str:
    assert result.returncode == 0, f"{what} failed ({result.returncode}):\n{result.stdout[-4000:]}"
    return result.stdout


@pytest.mark.slow
def test_generated_package_installs_and_its_tests_pass(workspace: tuple[FreshVenv, Path]) -> None:
    venv, work = workspace
    _ok(venv.run("tracklingo new-adapter sampleco --dir sampleco", work), "new-adapter")
    project = work / "sampleco"
    _ok(venv.run("python -m pip install --no-deps -e .", project), "pip install")
    out = _ok(venv.run("python -m pytest -q -p no:cacheprovider", project), "the generated tests")
    assert re.search(r"^19 passed, 5 skipped in ", out, re.MULTILINE), out
    listed = json.loads(_ok(venv.run("tracklingo carriers --json", work), "tracklingo carriers"))
    row = next(c for c in listed["carriers"] if c["name"] == "sampleco")
    assert (row["distribution"], row["version"], row["rules"]) == ("tracklingo-sampleco", "0.1.0", 2)
    assert listed["problems"] == []
    assert "sampleco" in _ok(venv.run("tracklingo carriers", work), "tracklingo carriers")
    # the shared environment is untouched: the adapter exists only in the fresh one
    from tracklingo import load_carriers

    assert "sampleco" not in load_carriers(strict=False)


# -- the guide ----------------------------------------------------------------------------------------


@dataclass
class Step:
    command: str
    expected: list[str]
    exit_code: int
    line: int


def guide_steps(text: str) -> list[Step]:
    """Every ``$ command`` of the guide's ```console blocks, with the output lines shown after it
    (``...`` = anything) and its expected exit code (``# exits N`` on the command line, else 0)."""
    steps: list[Step] = []
    lines = text.splitlines()
    i = 0
    in_block = False
    while i < len(lines):
        line = lines[i]
        if line.strip() == "```console":
            in_block = True
        elif line.strip() == "```":
            in_block = False
        elif in_block and line.startswith("$ "):
            start = i + 1
            command = line[2:]
            m = re.search(r"<<'(\w+)'", command)
            while command.endswith("\\") or m:
                i += 1
                command += "\n" + lines[i]
                if m and lines[i] == m.group(1):
                    m = None
            code = re.search(r"#\s*exits (\d+)", command)
            steps.append(Step(command, [], int(code.group(1)) if code else 0, start))
        elif in_block and steps and line.strip():
            steps[-1].expected.append(line)
        i += 1
    return steps


def _line_regex(expected: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in expected.strip().split("...")]
    pattern = ".*".join(re.sub(r"(\\ )+", r"\\s+", p) for p in parts)
    return re.compile(pattern)


def check_output(step: Step, output: str) -> None:
    actual = output.splitlines()
    pos = 0
    for want in step.expected:
        if want.strip() == "...":
            continue
        regex = _line_regex(want)
        while pos < len(actual) and not regex.search(actual[pos]):
            pos += 1
        assert pos < len(actual), (
            f"docs/writing-an-adapter.md line {step.line}: `{step.command}` did not print\n  {want}\n"
            f"in order; it printed:\n{output[-4000:]}"
        )
        pos += 1


def test_guide_steps_are_parsed() -> None:
    steps = guide_steps(GUIDE.read_text())
    commands = [s.command.split("\n")[0] for s in steps]
    assert commands[0] == 'tracklingo new-adapter canadapost --display-name "Canada Post"'
    assert "cd tracklingo-canadapost" in commands
    heredoc = next(s for s in steps if "<<'EOF'" in s.command)
    assert heredoc.command.endswith("\nEOF") and 'code = "EMD"' in heredoc.command
    assert [s.exit_code for s in steps].count(1) == 1
    assert len(steps) >= 15


def test_guide_python_blocks_compile() -> None:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert blocks
    for block in blocks:
        compile(block, str(GUIDE), "exec")


@pytest.mark.slow
def test_every_guide_command_runs(workspace: tuple[FreshVenv, Path]) -> None:
    venv, work = workspace
    cwd = work
    steps = guide_steps(GUIDE.read_text())
    for step in steps:
        if step.command.startswith("cd "):
            cwd = (cwd / step.command[3:].strip()).resolve()
            assert cwd.is_dir(), step.command
            continue
        result = venv.run(step.command, cwd)
        assert result.returncode == step.exit_code, (
            f"docs/writing-an-adapter.md line {step.line}: `{step.command}` exited"
            f" {result.returncode}, expected {step.exit_code}:\n{result.stdout[-4000:]}"
        )
        check_output(step, result.stdout)
