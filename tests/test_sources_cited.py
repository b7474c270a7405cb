"""The project stands alone: every fact cites its original source (a URL, a public repository and
path) or one of the project's own pages, never notes that are not in the repository.

Forbidden in every tracked file: the design contract's file name, paths into a ``shared`` notes
folder, the names of those notes (``usps.md``, ``dhl.md``... when no such file sits next to the
file that names it) and the vocabulary source keys that pointed at them. Links into
docs/sources.md must name a section that exists.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = {".py", ".toml", ".md", ".json", ".jsonl", ".tmpl", ".txt", ".cfg", ".ini", ".yaml", ".yml"}
NAMES = {"Makefile"}

#: The notes' file names, written without a directory (a page of our own is linked with its path or
#: sits next to the page that names it).
NOTE_NAME = re.compile(r"(?<![\w/.-])(usps|dhl|fedex|postal-upu|peers|interop|scale|i18n)\.md\b")
FORBIDDEN = [
    re.compile(r"DESIGN\.md"),
    re.compile(r"shared/(reference|DESIGN)"),
    re.compile(r"/work/shared\b"),
    re.compile(r"shared reference", re.IGNORECASE),
    re.compile(r"\b(USPS|UPU|FEDEX|DHL)REF\b"),
]
#: A vocabulary source key named after the design contract.
DESIGN_KEY = re.compile(r"^DESIGN\s*=|source\s*=\s*\"[^\"]*\bDESIGN\b", re.MULTILINE)
SOURCES_LINK = re.compile(r"docs/sources\.md#([a-z0-9-]+)")


def tracked_files() -> list[Path]:
    """The repository's tracked text files (`git ls-files`, or a walk when git is unavailable)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
        ).stdout
        paths = [ROOT / p for p in out.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "node_modules", "build", "dist", "__pycache__"}
        paths = [p for p in ROOT.rglob("*") if not skip.intersection(p.relative_to(ROOT).parts)]
    me = Path(__file__).resolve()
    return [
        p
        for p in paths
        if p.is_file() and p.resolve() != me and (p.suffix in SUFFIXES or p.name in NAMES)
    ]


def offences(path: Path, text: str) -> list[str]:
    """Each forbidden mention in `text` (the content of `path`), as ``line: match``."""
    found: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        for pattern in FORBIDDEN:
            found += [f"{lineno}: {m.group(0)}" for m in pattern.finditer(line)]
        for m in NOTE_NAME.finditer(line):
            if not (path.parent / m.group(0)).is_file():
                found.append(f"{lineno}: {m.group(0)}")
    if path.suffix == ".toml":
        found += [f"key or source: {m.group(0)}" for m in DESIGN_KEY.finditer(text)]
    return found


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


FILES = tracked_files()


def test_the_scan_covers_the_repository() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert len(FILES) > 100
    for expected in (
        "core/src/tracklingo/data/advice.toml",
        "core/src/tracklingo/data/vocab/upu.toml",
        "plugins/usps/src/tracklingo_usps/vocabulary.toml",
        "plugins/dhl/src/tracklingo_dhl/vocabulary.toml",
        "plugins/fedex/src/tracklingo_fedex/vocabulary.toml",
        "docs/sources.md",
    ):
        assert expected in names


def test_no_file_cites_notes_outside_the_repository() -> None:
    bad = {}
    for path in FILES:
        found = offences(path, path.read_text(encoding="utf-8", errors="replace"))
        if found:
            bad[path.relative_to(ROOT).as_posix()] = found[:5]
    assert not bad, bad


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("plugins/x/detect.py", "Formats (see usps.md section 6)"),
        ("plugins/x/vocabulary.toml", 'USPSREF = "notes"'),
        # the forbidden names are assembled, so this file does not cite them itself
        ("core/x.py", '"""A record (see ' + "DESIGN" + '.md)."""'),
        ("plugins/x/README.md", "The facts are in `" + "/".join(("shared", "reference", "dhl.md")) + "`."),
        ("plugins/x/vocabulary.toml", 'source = "BHIE; DESIGN"'),
        ("docs/x.md", "as postal-upu.md 2.3 says"),
    ],
)
def test_the_check_catches_a_citation(where: str, text: str) -> None:
    assert offences(ROOT / where, text)


def test_own_pages_may_be_named() -> None:
    assert not offences(ROOT / "README.md", "See [docs/i18n.md](docs/i18n.md).")
    assert not offences(ROOT / "docs" / "formats.md", "see [i18n](i18n.md)")
    assert not offences(ROOT / "tests" / "x.py", '"docs/integrations/usps.md": []')


def test_links_into_the_sources_page_name_a_section() -> None:
    page = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    anchors = {slug(line.lstrip("#")) for line in page.splitlines() if line.startswith("#")}
    links = {
        (path.relative_to(ROOT).as_posix(), anchor)
        for path in FILES
        for anchor in SOURCES_LINK.findall(path.read_text(encoding="utf-8", errors="replace"))
    }
    assert len(links) > 10
    assert not {(where, a) for where, a in links if a not in anchors}
