"""Start-up's lazy boundaries, checked by what a process imports or parses (nothing is timed).

Registering the carriers must not import the HTTP stack (httpx, tenacity): the plugins export
their API clients lazily (PEP 562 ``__getattr__``), so `tracklingo explain` does not pay for them.
A warm `tracklingo explain` parses no TOML: it reads the parsed-TOML cache (docs/cache.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_PLUGINS = [
    ("tracklingo_dhl", "DHLClient"),
    ("tracklingo_fedex", "FedExClient"),
    ("tracklingo_usps", "USPSClient"),
]


def _modules_after(code: str) -> dict[str, bool]:
    report = "import json, sys\nprint(json.dumps({m: m in sys.modules for m in ('httpx', 'tenacity')}))"
    probe = f"{code}\n{report}"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    result: dict[str, bool] = json.loads(out.splitlines()[-1])
    return result


def test_loading_the_carriers_imports_no_http_client() -> None:
    loaded = _modules_after("from tracklingo import load_carriers\nassert load_carriers().carriers")
    assert loaded == {"httpx": False, "tenacity": False}


@pytest.mark.parametrize(("package", "client"), _PLUGINS)
def test_importing_a_plugin_imports_no_http_client(package: str, client: str) -> None:
    assert _modules_after(f"import {package}") == {"httpx": False, "tenacity": False}


@pytest.mark.parametrize(("package", "client"), _PLUGINS)
def test_the_client_is_still_importable_from_the_plugin(package: str, client: str) -> None:
    loaded = _modules_after(
        f"from {package} import {client}\nimport {package}.client as c\nassert {client} is c.{client}"
    )
    assert loaded["httpx"]


@pytest.mark.parametrize(("package", "client"), _PLUGINS)
def test_an_unknown_name_is_still_an_attribute_error(package: str, client: str) -> None:
    module = __import__(package)
    assert client in module.__all__
    with pytest.raises(AttributeError):
        module.NoSuchName  # noqa: B018


_EXPLAIN = (
    "import sys\n"
    "sys.argv = ['tracklingo', 'explain', 'Delivered']\n"
    "from tracklingo.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exc:\n"
    "    assert not exc.code, exc.code\n"
)


def _explain_parsing(cache: str) -> tuple[list[str], str]:
    """Run `tracklingo explain Delivered` with `cache` as the cache directory: the TOML texts
    `tomllib` really parsed, and what the command printed."""
    probe = (
        "import json, sys, tomllib\n"
        "parsed = []\n"
        "_real = tomllib.loads\n"
        "def _counting(text, **kw):\n"
        "    parsed.append(text[:60])\n"
        "    return _real(text, **kw)\n"
        "tomllib.loads = _counting\n"
        "import atexit\n"
        "atexit.register(lambda: sys.stderr.write('PARSED ' + json.dumps(parsed) + '\\n'))\n"
        f"{_EXPLAIN}"
    )
    env = {**os.environ, "TRACKLINGO_CACHE_DIR": cache}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    line = next(x for x in done.stderr.splitlines() if x.startswith("PARSED "))
    parsed: list[str] = json.loads(line.removeprefix("PARSED "))
    return parsed, done.stdout


def test_a_warm_explain_parses_no_toml(tmp_path: Path) -> None:
    cold, cold_out = _explain_parsing(str(tmp_path))
    assert cold  # the first run parses the vocabularies, the catalog and the advice
    warm, warm_out = _explain_parsing(str(tmp_path))
    assert warm == []
    assert warm_out == cold_out
    off, off_out = _explain_parsing("off")
    assert len(off) == len(cold) and off_out == cold_out


_ADVISING = ("tracklingo.advisor", "tracklingo.history", "tracklingo.cli.advice")
_ONE_RECORD = (
    '{"carrier": "dhl", "tracking_number": "4801234561", "timestamp": "2026-11-09T15:01:00+08:00",'
    ' "code": "PU", "description": "Shipment picked up", "city": "SHENZHEN", "country": "CN"}\n'
)


def _command_imports(args: list[str]) -> list[str]:
    """Run `tracklingo ARGS` (succeeding) in a fresh process: which of the advising modules it imported."""
    probe = (
        "import json, sys\n"
        f"sys.argv = ['tracklingo', *{args!r}]\n"
        "from tracklingo.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print(json.dumps([m for m in {_ADVISING!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    loaded: list[str] = json.loads(out.splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "command",
    [
        ["ingest", "--db", "{tmp}/store.db"],
        ["normalize", "--output", "{tmp}/out.jsonl"],
        ["normalize", "--output", "{tmp}/out.parquet"],
    ],
)
def test_ingest_and_normalize_import_no_advisor(tmp_path: Path, command: list[str]) -> None:
    """`ingest` and `normalize` do not advise: `stuck` (beside `ingest`) imports the advisor on use."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text(_ONE_RECORD, encoding="utf-8")
    args = [arg.format(tmp=tmp_path) for arg in command]
    assert _command_imports([*args, "-q", str(feed)]) == []
    assert any(p.stat().st_size for p in tmp_path.iterdir() if p != feed)  # it did its work


def test_the_advising_probe_sees_the_advisor() -> None:
    assert _command_imports(["explain", "Delivered"])[:1] == ["tracklingo.advisor"]
