"""`make dist` wheels install anywhere: a scaffolded adapter goes into a fresh virtual environment
from the built wheels alone, with no package index and no editable checkout, and runs there.

The fresh environment gets tracklingo, a plugin and the adapter only as wheels from the ``dist``
directory (``pip install --no-index --find-links``, pip's configuration files ignored). The
third-party packages they depend on (pydantic, httpx, click...) are not rebuilt: pip cannot make
wheels of installed packages without an index, so the fresh environment sees this one's
site-packages through a directory of links that leaves out everything of tracklingo's (its
editable installs, their ``.pth`` files and metadata). pip then finds those dependencies installed
and tracklingo missing, which is what the test needs to prove.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAMP = ROOT / ".venv" / ".installed"

pytestmark = pytest.mark.slow

#: Entries of this environment's site-packages the fresh one must not see: tracklingo's own
#: (installed editable from this checkout) and path hooks that would bring them back.
_OURS = ("tracklingo", "_tracklingo", "__editable__")


def _deps_view(target: Path) -> Path:
    """A directory linking every third-party package of this environment, none of tracklingo's."""
    target.mkdir()
    for sp in site.getsitepackages():
        for entry in sorted(Path(sp).iterdir()) if Path(sp).is_dir() else []:
            name = entry.name.lower()
            if name.startswith(_OURS) or name.endswith(".pth") or name == "__pycache__":
                continue
            if not (target / entry.name).exists():
                (target / entry.name).symlink_to(entry)
    return target


class Env:
    """A fresh virtual environment (no pip of its own: the linked one runs inside it)."""

    def __init__(self, root: Path, deps: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=120)
        purelib = Path(sysconfig.get_path("purelib", vars={"base": str(root), "platbase": str(root)}))
        (purelib / "_deps_view.pth").write_text(f"{deps}\n")  # a plain path: no .pth inside it runs
        self.root = root
        self.python = root / "bin" / "python"

    def run(self, *args: str, cwd: Path) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKLINGO_", "PIP_", "PYTEST_"))}
        env.update(
            PATH=f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            VIRTUAL_ENV=str(self.root),
            PIP_CONFIG_FILE=os.devnull,  # no configured index or find-links: dist/ alone
            PIP_NO_INDEX="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            PIP_NO_INPUT="1",
            TRACKLINGO_STRICT_PLUGINS="1",
        )
        env.pop("PYTHONPATH", None)
        r = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, (
            f"{' '.join(args)} exited {r.returncode}:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        )
        return r.stdout


@pytest.fixture
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("dist")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_make_dist_wheels_install_a_scaffolded_adapter_without_an_index(base: Path) -> None:
    dist = base / "dist"
    # the repository's own `make dist`, told not to re-run `make install` (the suite runs inside it)
    made = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-s",
            "-o",
            str(STAMP),
            "dist",
            f"DIST={dist}",
            f"PY={sys.executable}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    plugins = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").is_file())
    wheels = sorted(w.name.split("-")[0] for w in dist.glob("*.whl"))
    assert wheels == sorted(["tracklingo", *(f"tracklingo_{p}" for p in plugins)])

    env = Env(base / "venv", _deps_view(base / "deps"))
    work = base / "work"
    work.mkdir()
    pip = (str(env.python), "-m", "pip")
    env.run(*pip, "install", "--find-links", str(dist), "tracklingo", "tracklingo-usps", cwd=work)
    where = env.run(str(env.python), "-c", "import tracklingo; print(tracklingo.__file__)", cwd=work)
    assert Path(where.strip()).is_relative_to(env.root), where  # the wheel's copy, not the checkout

    # the adapter: scaffolded by the wheel's own CLI, built to a wheel, installed from dist/ alone
    steps = env.run("tracklingo", "new-adapter", "sampleco", "--dir", "sampleco", cwd=work)
    # its next steps and README say how to install where no index has tracklingo
    assert "--find-links" in steps and "make dist" in steps, steps
    assert "--find-links" in (work / "sampleco" / "README.md").read_text()
    env.run(
        *pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(dist), "./sampleco", cwd=work
    )
    env.run(*pip, "install", "--find-links", str(dist), "tracklingo-sampleco", cwd=work)
    installed = {d["name"]: d for d in json.loads(env.run(*pip, "list", "--format", "json", "-v", cwd=work))}
    for name in ("tracklingo", "tracklingo-usps", "tracklingo-sampleco"):
        assert "editable_project_location" not in installed[name], installed[name]
        assert Path(installed[name]["location"]).is_relative_to(env.root), installed[name]

    shutil.copy(work / "sampleco/tests/fixtures/sample.json", work / "sample.json")
    golden = json.loads((work / "sampleco/tests/golden/sample.json").read_text())["events"]
    shutil.rmtree(work / "sampleco")  # nothing of the adapter's source is left to import from
    script = (
        "import json, tracklingo, tracklingo_sampleco\n"
        "registry = tracklingo.load_carriers(strict=True)\n"
        "print(json.dumps({'carriers': sorted(c.name for c in registry),\n"
        "    'module': tracklingo_sampleco.__file__, 'class': type(registry.get('sampleco')).__name__}))\n"
    )
    out = json.loads(env.run(str(env.python), "-c", script, cwd=work))
    assert out["carriers"] == ["sampleco", "usps"], out
    assert Path(out["module"]).is_relative_to(env.root), out
    events = [
        json.loads(line) for line in env.run("tracklingo", "normalize", "sample.json", cwd=work).splitlines()
    ]
    # the adapter's own golden events, from its installed wheel; a text its own vocabulary leaves
    # unmapped (the golden files are the carrier's vocabulary alone) the open-world layers read
    assert len(events) == len(golden)
    read = ("stage", "status", "match", "confidence", "evidence")
    for got, want in zip(events, golden, strict=True):
        if got["match"] in ("cross_carrier", "sentence_form", "inferred"):
            assert want["match"] == "unmapped" and got["confidence"] is not None, (got, want)
            got = {k: v for k, v in got.items() if k not in read}
            want = {k: v for k, v in want.items() if k not in read}
        assert got == want
    assert events[-1]["carrier"] == "sampleco" and events[-1]["stage"] == "delivered"
