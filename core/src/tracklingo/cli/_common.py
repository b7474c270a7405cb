"""The ``tracklingo`` command line: a thin layer over the public Python API.

Each command group lives in its own module of this package and registers itself on `main`.

Exit codes: 0 success, 1 a user error (one line on stderr, no traceback), 2 usage errors.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import orjson

from tracklingo import __version__
from tracklingo.errors import TracklingoError
from tracklingo.plugins import Registry, load_carriers

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> None:
    click.echo(f"tracklingo: error: {message}", err=True)
    sys.exit(1)


def handle_errors(func: F) -> F:
    """Turn the API's typed errors into one line on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TracklingoError as exc:
            _fail(str(exc))
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            _fail("interrupted")

    return wrapper  # type: ignore[return-value]


def _json_out(value: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


@functools.cache
def _registry() -> Registry:
    return load_carriers()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracklingo")
def main() -> None:
    """tracklingo: one canonical event model for every parcel carrier's tracking vocabulary."""


