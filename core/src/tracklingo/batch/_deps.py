"""The optional libraries of the batch path, with one clear error when they are missing."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from tracklingo.errors import ConfigError

#: The extra that installs each optional library.
EXTRAS = {"pyarrow": "arrow", "numpy": "arrow", "dask": "dask", "distributed": "dask"}


def require(module: str, what: str = "the batch path (Parquet / Arrow IPC)") -> ModuleType:
    """Import `module`, or raise `ConfigError` naming the extra that installs it."""
    try:
        return import_module(module)
    except ImportError:
        top = module.split(".")[0]
        extra = EXTRAS.get(top, "arrow")
        raise ConfigError(
            f"{what} needs {top}, which is not installed: pip install 'tracklingo[{extra}]'"
        ) from None
