"""Fixtures for the core's tests: test-only plugins installed through real entry points."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from toyplugins import ACME_PLUGIN, BETA_PLUGIN

InstallPlugin = Callable[[str, str], Path]


def write_plugin(root: Path, ep_name: str, source: str, version: str = "1.2.3") -> None:
    """Write a module and a .dist-info with a `tracklingo` entry point under `root`."""
    module = f"tracklingo_test_{ep_name.replace('-', '_')}"
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    dist = f"tracklingo_test_{ep_name.replace('-', '_')}"
    info = root / f"{dist}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: tracklingo-test-{ep_name}\nVersion: {version}\n"
    )
    (info / "entry_points.txt").write_text(f"[tracklingo]\n{ep_name} = {module}\n")


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path where tests install entry-point plugins."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    yield root
    for name in list(sys.modules):
        if name.startswith("tracklingo_test_"):
            del sys.modules[name]


@pytest.fixture
def install_plugin(plugin_dir: Path) -> InstallPlugin:
    def install(ep_name: str, source: str) -> Path:
        write_plugin(plugin_dir, ep_name, source)
        return plugin_dir

    return install


@pytest.fixture
def acme_registry(install_plugin: InstallPlugin):  # type: ignore[no-untyped-def]
    """A registry with only the ACME and Beta test carriers, loaded through entry points."""
    from tracklingo import load_carriers

    install_plugin("acme", ACME_PLUGIN)
    install_plugin("beta", BETA_PLUGIN)
    return load_carriers(only={"acme", "beta"}, strict=True)


@pytest.fixture
def run_cli(install_plugin: InstallPlugin, plugin_dir: Path) -> Callable[..., Any]:
    """Run ``python -m tracklingo.cli ARGS`` as a user would, with the ACME and Beta test
    carriers installed through entry points (and only the plugins named in `plugins` loaded)."""
    install_plugin("acme", ACME_PLUGIN)
    install_plugin("beta", BETA_PLUGIN)

    def run(
        *args: str,
        stdin: str | None = None,
        plugins: str = "acme,beta",
        strict: str = "1",
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "TRACKLINGO_LANG": "en",  # the tests' expected output is English, whatever the locale
            "PYTHONPATH": str(plugin_dir),
            "TRACKLINGO_LOAD_PLUGINS": plugins,
            "TRACKLINGO_STRICT_PLUGINS": strict,
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "tracklingo.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    return run
