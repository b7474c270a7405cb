"""Registering the carriers must not import the HTTP stack (httpx, tenacity): the plugins export
their API clients lazily (PEP 562 ``__getattr__``), so `tracklingo explain` does not pay for them."""

from __future__ import annotations

import json
import subprocess
import sys

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
