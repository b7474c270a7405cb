"""The adapter scaffold behind ``tracklingo new-adapter NAME``: a complete plugin package.

The templates live in ``tracklingo/scaffold/template/`` (files end in ``.tmpl`` so nothing treats
them as code). In paths, ``__package__`` becomes the import package, ``NAME`` the carrier name and a
``dot-`` prefix a leading dot; in contents, ``{{key}}`` placeholders are replaced (see
`adapter_values`). The result installs with ``pip install -e .`` and its tests pass as generated:
a test in the core installs and runs it, so the scaffold cannot rot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Final

from tracklingo.checkdigits import mod10_check_digit
from tracklingo.errors import InputError

__all__ = ["NAME_RE", "ScaffoldResult", "adapter_values", "render_adapter"]

#: A carrier name: lower case, starts with a letter, letters/digits/underscores, 2-40 long.
NAME_RE: Final = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PLACEHOLDER: Final = re.compile(r"\{\{(\w+)\}\}")
_EXAMPLE_SERIAL: Final = "123456789"


@dataclass(frozen=True, slots=True)
class ScaffoldResult:
    """What `render_adapter` wrote."""

    name: str
    root: Path
    files: tuple[Path, ...]


def adapter_values(name: str, display_name: str | None = None) -> dict[str, str]:
    """The placeholder values for carrier `name` (validated)."""
    if not NAME_RE.fullmatch(name):  # fullmatch: "$" alone would let a trailing newline through
        raise InputError(
            f"invalid adapter name {name!r}: use 2-40 lower-case letters, digits and underscores,"
            " starting with a letter, no spaces (e.g. canadapost, royal_mail)"
        )
    display = (display_name or name.replace("_", " ").title()).strip()
    if not display or not display.isprintable() or any(c in display for c in '"\\{}'):
        raise InputError(f"invalid display name {display_name!r}: plain text without quotes or braces")
    from tracklingo import __version__

    letters = "".join(c for c in name if c.isalpha()).upper()
    prefix = (letters + "XXX")[:3]
    check = mod10_check_digit(_EXAMPLE_SERIAL)
    example = f"{prefix}{_EXAMPLE_SERIAL}{check}"
    corrupted = f"{prefix}{_EXAMPLE_SERIAL}{(check + 1) % 10}"
    return {
        "name": name,
        "dist": "tracklingo-" + name.replace("_", "-"),
        "package": "tracklingo_" + name,
        "Class": "".join(part.capitalize() for part in name.split("_")),
        "display_name": display,
        "prefix": prefix,
        "example": example,
        "corrupted": corrupted,
        "tracklingo_version": __version__,
    }


def _templates(
    root: Traversable, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    for item in sorted(root.iterdir(), key=lambda t: t.name):
        if item.is_dir():
            if item.name != "__pycache__":
                yield from _templates(item, (*prefix, item.name))
        elif item.name.endswith(".tmpl"):
            yield (*prefix, item.name), item


def _target(parts: tuple[str, ...], values: dict[str, str]) -> Path:
    out = []
    for part in parts:
        part = part.removesuffix(".tmpl")
        part = part.replace("__package__", values["package"]).replace("NAME", values["name"])
        if part.startswith("dot-"):
            part = "." + part[4:]
        out.append(part)
    return Path(*out)


def _fill(text: str, values: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in values:
            raise KeyError(f"template {where}: unknown placeholder {{{{{key}}}}}")
        return values[key]

    return _PLACEHOLDER.sub(sub, text)


def render_adapter(
    name: str, directory: str | Path | None = None, *, display_name: str | None = None
) -> ScaffoldResult:
    """Write the adapter package for carrier `name` into `directory`
    (default ``./tracklingo-NAME``), which must not exist or be empty."""
    values = adapter_values(name, display_name)
    root = Path(directory) if directory is not None else Path.cwd() / values["dist"]
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise InputError(f"{root} already exists and is not empty: choose another --dir")
    template_root = resources.files("tracklingo.scaffold").joinpath("template")
    written = []
    for parts, template in _templates(template_root):
        target = root / _target(parts, values)
        text = _fill(template.read_text(encoding="utf-8"), values, "/".join(parts))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    if not written:  # pragma: no cover - a broken installation
        raise InputError("the scaffold templates are missing from this tracklingo installation")
    return ScaffoldResult(name, root, tuple(written))
