"""The fenced code blocks of the project's Markdown, and the console steps inside them.

A block's info string is its kind (``python``, ``console``, ``sh``...) and optional flags; the flag
``no-run`` marks a block that cannot run offline (it needs a carrier's API, a server, an index).
In a ``console`` block, a line starting with ``$ `` is a command (continued by a trailing ``\\``
or a ``<<'WORD'`` here-document); the lines after it are output it must print, in order
(``...`` stands for anything); ``# exits N`` on the command says its exit code (default 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^(```+)\s*([^`]*)$")


@dataclass
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    kind: str
    flags: frozenset[str]
    text: str

    @property
    def runs(self) -> bool:
        return "no-run" not in self.flags

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line}"


@dataclass
class Step:
    command: str
    line: int
    exit_code: int = 0
    expected: list[str] = field(default_factory=list)


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, in order."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        fence, info = m.group(1), m.group(2).split()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        kind = info[0].lower() if info else ""
        found.append(Block(path, start + 1, kind, frozenset(info[1:]), "\n".join(body) + "\n"))
        i += 1
    return found


def console_steps(block: Block) -> list[Step]:
    """The ``$`` commands of a console block, with the output each must print."""
    steps: list[Step] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            number = block.line + 1 + i
            command = line[2:]
            heredoc = re.search(r"<<-?'?(\w+)'?", command)
            while command.endswith("\\") or heredoc:
                i += 1
                command += "\n" + lines[i]
                if heredoc and lines[i] == heredoc.group(1):
                    heredoc = None
            code = re.search(r"#\s*exits (\d+)", command)
            steps.append(Step(command, number, int(code.group(1)) if code else 0))
        elif line.strip() and steps:
            steps[-1].expected.append(line)
        elif line.strip():
            raise ValueError(f"{block.path}:{block.line + 1 + i}: output before any `$ ` command")
        i += 1
    return steps


def _line_regex(expected: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in expected.strip().split("...")]
    return re.compile(".*".join(re.sub(r"(\\ )+", r"\\s+", p) for p in parts))


def missing_output(step: Step, output: str) -> str | None:
    """The first expected line `output` does not print in order, or None when all are there."""
    actual = output.splitlines()
    pos = 0
    for want in step.expected:
        if want.strip() == "...":
            continue
        regex = _line_regex(want)
        while pos < len(actual) and not regex.search(actual[pos]):
            pos += 1
        if pos == len(actual):
            return want
        pos += 1
    return None
