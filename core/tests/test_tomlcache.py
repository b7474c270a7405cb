"""The parsed-TOML cache (`tracklingo.tomlcache`): the same data as `tomllib`, never stale, and
never a failure of its own (a missing, read-only or corrupt cache only means parsing again)."""

from __future__ import annotations

import math
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tracklingo import tomlcache

TEXT = 'title = "x"\n[meta]\ncarrier = "acme"\n[[rule]]\nphrase = "Delivered"\nstage = "delivered"\n'


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "toml"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text `tomllib` really parses."""
    seen: list[str] = []
    real = tomllib.loads

    def counting(text: str, **kwargs: Any) -> dict[str, Any]:
        seen.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(tomllib, "loads", counting)
    return seen


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.marshal")) if folder.is_dir() else []


def test_a_second_load_reads_the_cache_not_the_parser(cache: Path, parses: list[str]) -> None:
    first = tomlcache.loads(TEXT)
    second = tomlcache.loads(TEXT)
    assert first == second == tomllib.loads(TEXT)
    assert parses.count(TEXT) == 2  # the first load, and the reference parse just above
    assert len(_entries(cache)) == 1


def test_each_load_returns_a_fresh_object(cache: Path) -> None:
    first = tomlcache.loads(TEXT)
    first["meta"]["carrier"] = "changed"
    assert tomlcache.loads(TEXT)["meta"]["carrier"] == "acme"


def test_a_changed_text_is_parsed_again(cache: Path, parses: list[str]) -> None:
    tomlcache.loads(TEXT)
    changed = TEXT.replace("Delivered", "Zugestellt")
    assert tomlcache.loads(changed)["rule"][0]["phrase"] == "Zugestellt"
    assert parses == [TEXT, changed]
    assert len(_entries(cache)) == 2


def test_values_round_trip_exactly(cache: Path) -> None:
    text = (
        'i = 12345678901234567890\nf = 0.1\nn = nan\ninf = -inf\nb = true\ns = "\\u00e9 \\t"\n'
        "a = [[1], {x = false}]\n"
    )
    tomlcache.loads(text)
    data = tomlcache.loads(text)  # from the cache
    assert data["i"] == 12345678901234567890 and data["f"] == 0.1 and math.isnan(data["n"])
    assert data["inf"] == -math.inf and data["b"] is True and data["s"] == "é \t"
    assert data["a"] == [[1], {"x": False}]


def test_dates_are_not_cached_but_still_parsed(cache: Path) -> None:
    text = "when = 2026-12-04T10:00:00Z\n"
    assert tomlcache.loads(text) == tomllib.loads(text)
    assert _entries(cache) == []


def test_invalid_toml_raises_as_tomllib_does_and_caches_nothing(cache: Path) -> None:
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomlcache.loads("a = ")
    with pytest.raises(tomllib.TOMLDecodeError) as expected:
        tomllib.loads("a = ")
    assert str(caught.value) == str(expected.value)
    assert _entries(cache) == []


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01garbage", b"\xe9" * 40])
def test_a_corrupt_entry_is_parsed_again_and_repaired(cache: Path, garbage: bytes) -> None:
    tomlcache.loads(TEXT)
    (entry,) = _entries(cache)
    entry.write_bytes(garbage)
    assert tomlcache.loads(TEXT) == tomllib.loads(TEXT)
    assert entry.read_bytes() != garbage


def test_an_entry_that_is_not_a_table_is_ignored(cache: Path) -> None:
    import marshal

    tomlcache.loads(TEXT)
    (entry,) = _entries(cache)
    entry.write_bytes(marshal.dumps(["not", "a", "table"]))
    assert tomlcache.loads(TEXT) == tomllib.loads(TEXT)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_cache_directory_only_means_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ro"
    root.mkdir()
    root.chmod(0o500)
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", str(root))
    try:
        assert tomlcache.loads(TEXT) == tomllib.loads(TEXT)
    finally:
        root.chmod(0o700)
    assert list(root.iterdir()) == []


def test_a_cache_path_that_cannot_be_a_directory_only_means_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", str(blocker))
    assert tomlcache.loads(TEXT) == tomllib.loads(TEXT)
    assert blocker.read_text() == "not a directory"


def test_no_home_directory_means_no_cache(monkeypatch: pytest.MonkeyPatch, parses: list[str]) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("TRACKLINGO_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert tomlcache.cache_dir() is None or sys.platform == "win32"
    assert tomlcache.loads(TEXT) == tomllib.loads(TEXT)


@pytest.mark.parametrize("value", ["off", "OFF", "0", ""])
def test_the_cache_can_be_turned_off(value: str, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKLINGO_CACHE_DIR", value)
    assert tomlcache.cache_dir() is None
    tomlcache.loads(TEXT)
    tomlcache.loads(TEXT)
    assert parses == [TEXT, TEXT]


def test_the_default_directory_follows_xdg(tmp_path: Path) -> None:
    if sys.platform in ("win32", "darwin"):
        pytest.skip("XDG_CACHE_HOME is the Linux and BSD convention")
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    assert tomlcache.cache_dir(env) == tmp_path / "tracklingo" / "toml"
    relative = tomlcache.cache_dir({"XDG_CACHE_HOME": "relative"})
    assert relative == Path.home() / ".cache" / "tracklingo" / "toml"


def test_the_directory_is_pruned_to_the_newest_entries(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tomlcache, "MAX_ENTRIES", 3)
    texts = [f"n = {i}\n" for i in range(5)]
    for i, text in enumerate(texts):
        tomlcache.loads(text)
        entry = cache / f"{tomlcache._key(text)}.marshal"
        os.utime(entry, ns=(i * 10**9, i * 10**9))  # written a second apart, oldest first
    kept = {p.name for p in _entries(cache)}
    assert kept == {f"{tomlcache._key(t)}.marshal" for t in texts[-3:]}
    assert not list(cache.glob("*.tmp"))
