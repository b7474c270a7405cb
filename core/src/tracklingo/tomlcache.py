"""Parsed TOML, cached on disk by the text's content: the one place the core parses its data files.

Every vocabulary, locale and data file the core and its plugins ship is TOML, and parsing them
(pure Python, `tomllib`) was the largest single cost of starting ``tracklingo explain``. `loads`
returns exactly what ``tomllib.loads(text)`` returns, but keeps the result in a user cache
directory under a name derived from a hash of the text (and the Python version, whose `tomllib`
did the parsing), so the next process reads it back with `marshal` instead of parsing again.

Why it cannot go stale: the key *is* the content. A changed file is a different key (a miss: it
is parsed and stored under its new name); nothing depends on file times. What the callers do with
the parsed data (validation, compilation, error messages) runs every time, unchanged.

It also remembers checks whose verdict depends only on a text (`is_verified`,
`remember_verified`): a vocabulary's set of patterns that compiled and passed, so the next load
compiles each pattern on first use instead of all of them up front; and derived tables keyed by a
hash of all their inputs (`recall`, `remember`; `code_hash` hashes the code computing them): the
open-world classifier's analysed examples, validated vocabulary tables and advisor models.

Where: ``TRACKLINGO_CACHE_DIR`` when set (``off`` turns the cache off), else
``$XDG_CACHE_HOME/tracklingo`` or ``~/.cache/tracklingo`` (``~/Library/Caches/tracklingo`` on
macOS, ``%LOCALAPPDATA%\\tracklingo\\cache`` on Windows). Any problem with the cache (no home, a
read-only or full disk, a truncated or foreign file) falls back to parsing, silently but for a
debug log line: the cache only ever saves time. Files are written atomically (a temporary file
renamed into place); the directory is pruned to the newest `MAX_ENTRIES` entries.
See docs/cache.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from tomllib import TOMLDecodeError

__all__ = [
    "MAX_ENTRIES",
    "TOMLDecodeError",
    "cache_dir",
    "code_hash",
    "is_verified",
    "loads",
    "recall",
    "remember",
    "remember_verified",
]

logger = logging.getLogger(__name__)

#: The most entries kept: storing one more removes the oldest (a few hundred KB in all).
MAX_ENTRIES: Final = 256
_ENV: Final = "TRACKLINGO_CACHE_DIR"
_OFF: Final = frozenset({"off", "0", "no", "false", "none"})
_SUFFIX: Final = ".marshal"
#: Bumped when the layout of an entry changes; with the Python version in every key.
_FORMAT: Final = 1
_SALT: Final = f"tracklingo-toml {_FORMAT} {sys.implementation.name} {sys.version} {marshal.version}\n"


def __getattr__(name: str) -> Any:
    """``TOMLDecodeError``: `tomllib`'s, imported on first use (PEP 562), so that a process whose
    TOML all comes from the cache never imports the parser. ``except tomlcache.TOMLDecodeError``
    looks it up only when an exception is raised."""
    if name == "TOMLDecodeError":
        import tomllib

        return tomllib.TOMLDecodeError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The directory parsed TOML is kept in, or None when the cache is off or there is no home."""
    env = os.environ if environ is None else environ
    configured = env.get(_ENV)
    if configured is not None:
        if not configured.strip() or configured.strip().lower() in _OFF:
            return None
        return Path(configured).expanduser() / "toml"
    try:
        if sys.platform == "win32":
            base = Path(env["LOCALAPPDATA"]) if env.get("LOCALAPPDATA") else Path.home() / "AppData" / "Local"
            return base / "tracklingo" / "cache" / "toml"
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "tracklingo" / "toml"
        xdg = env.get("XDG_CACHE_HOME")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    except (RuntimeError, KeyError, OSError):  # no home directory to be found
        return None
    return base / "tracklingo" / "toml"


def _key(text: str) -> str:
    digest = hashlib.blake2b(_SALT.encode(), digest_size=20)
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def loads(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, read from the cache when this text was parsed before.

    Raises what `tomllib.loads` raises (`tomllib.TOMLDecodeError` for invalid TOML); never
    anything because of the cache. The result is a fresh object on every call (callers may
    change it)."""
    folder = cache_dir()
    if folder is None:
        return _parse(text)
    path = folder / (_key(text) + _SUFFIX)
    data = _read(path)
    if data is None:
        data = _parse(text)
        _store(folder, path, data)
    return data


def is_verified(kind: str, text: str) -> bool:
    """True when `remember_verified` recorded that `text` passed the check `kind` (with this
    Python), in this process or an earlier one. A check whose verdict depends only on the text (and
    on the code doing it, which `kind` should then name, e.g. with a hash of the code) may be
    skipped when this says yes. False whenever the cache is off or unreadable."""
    folder = cache_dir()
    return folder is not None and _read(folder / (_key(f"\0{kind}\0{text}") + _SUFFIX)) == {"verified": kind}


def remember_verified(kind: str, text: str) -> None:
    """Record that `text` passed the check `kind` (see `is_verified`); silently nothing when the
    cache cannot be written."""
    folder = cache_dir()
    if folder is not None:
        _store(folder, folder / (_key(f"\0{kind}\0{text}") + _SUFFIX), {"verified": kind})


def recall(kind: str, key: str) -> dict[str, Any] | None:
    """The table `remember` stored under (`kind`, `key`), or None (never stored, the cache off or
    unreadable). For derived data that is a pure function of its inputs: `key` must be a hash of
    every one of them (texts, data files, the code computing it), so an entry cannot go stale."""
    folder = cache_dir()
    if folder is None:
        return None
    data = _read(folder / (_key(f"\1{kind}\1{key}") + _SUFFIX))
    return data if data is not None and data.get("kind") == kind else None


def remember(kind: str, key: str, data: dict[str, Any]) -> None:
    """Store `data` (plain values only: what `marshal` writes) under (`kind`, `key`) for `recall`;
    silently nothing when the cache cannot be written."""
    folder = cache_dir()
    if folder is not None:
        _store(folder, folder / (_key(f"\1{kind}\1{key}") + _SUFFIX), {**data, "kind": kind})


_CODE_HASHES: dict[tuple[tuple[str, ...], str], str | None] = {}


def code_hash(files: Iterable[str], salt: str = "") -> str | None:
    """A hash of the source `files` (the code computing something, for a `recall` key) and
    `salt` (e.g. a library's version), once per process; None when one cannot be read (then
    the caller caches nothing)."""
    names = (tuple(files), salt)
    if names not in _CODE_HASHES:
        digest = hashlib.blake2b(salt.encode(), digest_size=20)
        try:
            for name in names[0]:
                digest.update(b"\0" + Path(name).read_bytes())
        except OSError:
            _CODE_HASHES[names] = None
        else:
            _CODE_HASHES[names] = digest.hexdigest()
    return _CODE_HASHES[names]


def _read(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as f:
            data = marshal.loads(f.read())
        if isinstance(data, dict):
            return data
        logger.debug("ignoring the cache entry %s: not a table", path)
    except FileNotFoundError:
        pass
    except (OSError, EOFError, ValueError, TypeError) as exc:  # unreadable, truncated, foreign
        logger.debug("ignoring the cache entry %s: %s", path, exc)
    return None


def _parse(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


def _store(folder: Path, path: Path, data: dict[str, Any]) -> None:
    try:
        blob = marshal.dumps(data)
    except ValueError:  # a TOML date or time: marshal keeps plain values only; parse every time
        return
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError as exc:  # read-only, full, or no home: the cache is only a saving
        logger.debug("not caching parsed TOML in %s: %s", folder, exc)


def _prune(folder: Path) -> None:
    entries = [e for e in os.scandir(folder) if e.name.endswith(_SUFFIX)]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for entry in entries[: len(entries) - MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
