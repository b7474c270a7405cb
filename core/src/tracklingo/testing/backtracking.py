"""How much work a regular expression does on an input, counted in steps, not seconds.

Python's `re` is a backtracking engine: a pattern with two greedy runs that can both take the same
characters (``\\s+.*\\bWeather\\b``) tries every way of sharing a long run between them before it
fails, and its work grows with the square of the input (or worse). A wall clock cannot tell that
reliably on a shared machine; this module can: `count_steps` runs a pattern with a small
backtracking matcher of the same semantics over the parsed pattern (`re._parser`), counting one
step per node tried at a position, and stops at a limit. Its count is an upper bound of the work
`re` does (which skips some attempts with its own optimisations), and it grows the same way.

`audit_pattern` feeds a pattern the inputs that make such patterns blow up: its own literal
prefix followed by long runs of spaces, tabs, words, digits and punctuation, with and without a
tail that makes the match fail; the conformance kit and the core's tests require the work to stay
linear in the input size.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Final

__all__ = ["TooMuchWork", "WorkReport", "adversarial_inputs", "audit_pattern", "count_steps", "search"]

#: Steps allowed per input character (plus a constant): a linear pattern stays below it.
STEPS_PER_CHAR: Final = 100
STEPS_CONSTANT: Final = 2000
#: How much more work twice the input may cost: about 2 for linear work, 4 for quadratic.
MAX_GROWTH: Final = 2.5


class TooMuchWork(Exception):
    """The step limit was reached."""


_Continuation = Callable[[int], bool]


class _Matcher:
    def __init__(self, text: str, flags: int, limit: int) -> None:
        self.text = text
        self.n = len(text)
        self.ignore_case = bool(flags & re.IGNORECASE)
        self.dotall = bool(flags & re.DOTALL)
        self.multiline = bool(flags & re.MULTILINE)
        self.steps = 0
        self.limit = limit

    # -- character tests -----------------------------------------------------------------------

    def _eq(self, ch: str, code: int) -> bool:
        if self.ignore_case:
            return ch.lower() == chr(code).lower()
        return ord(ch) == code

    def _category(self, category: Any, ch: str) -> bool:
        if category is c.CATEGORY_DIGIT:
            return ch.isdigit()
        if category is c.CATEGORY_NOT_DIGIT:
            return not ch.isdigit()
        if category is c.CATEGORY_SPACE:
            return ch.isspace()
        if category is c.CATEGORY_NOT_SPACE:
            return not ch.isspace()
        if category is c.CATEGORY_WORD:
            return ch.isalnum() or ch == "_"
        if category is c.CATEGORY_NOT_WORD:
            return not (ch.isalnum() or ch == "_")
        return False

    def _in(self, items: list[tuple[Any, Any]], ch: str) -> bool:
        negate = False
        hit = False
        for op, av in items:
            if op is c.NEGATE:
                negate = True
            elif op is c.LITERAL:
                hit = hit or self._eq(ch, av)
            elif op is c.RANGE:
                lo, hi = av
                code = ord(ch)
                hit = hit or lo <= code <= hi
                if self.ignore_case and not hit:
                    for other in (ord(ch.lower()), ord(ch.upper())):
                        hit = hit or lo <= other <= hi
            elif op is c.CATEGORY:
                hit = hit or self._category(av, ch)
        return hit != negate

    def _word_at(self, pos: int) -> bool:
        return 0 <= pos < self.n and (self.text[pos].isalnum() or self.text[pos] == "_")

    def _at(self, where: Any, pos: int) -> bool:
        if where in (c.AT_BEGINNING, c.AT_BEGINNING_STRING):
            return pos == 0 or (self.multiline and where is c.AT_BEGINNING and self.text[pos - 1] == "\n")
        if where is c.AT_END:
            return pos == self.n or (pos == self.n - 1 and self.text[pos] == "\n")
        if where is c.AT_END_STRING:
            return pos == self.n
        if where is c.AT_BOUNDARY:
            return self._word_at(pos - 1) != self._word_at(pos)
        if where is c.AT_NON_BOUNDARY:
            return self._word_at(pos - 1) == self._word_at(pos)
        return True

    # -- matching ------------------------------------------------------------------------------

    def seq(self, items: list[tuple[Any, Any]], idx: int, pos: int, k: _Continuation) -> bool:
        self.steps += 1
        if self.steps > self.limit:
            raise TooMuchWork
        if idx == len(items):
            return k(pos)
        op, av = items[idx]

        def nxt(p: int) -> bool:
            return self.seq(items, idx + 1, p, k)

        text, n = self.text, self.n
        if op is c.LITERAL:
            return pos < n and self._eq(text[pos], av) and nxt(pos + 1)
        if op is c.NOT_LITERAL:
            return pos < n and not self._eq(text[pos], av) and nxt(pos + 1)
        if op is c.ANY:
            return pos < n and (self.dotall or text[pos] != "\n") and nxt(pos + 1)
        if op is c.IN:
            return pos < n and self._in(av, text[pos]) and nxt(pos + 1)
        if op is c.AT:
            return self._at(av, pos) and nxt(pos)
        if op is c.SUBPATTERN:
            return self.seq(list(av[-1].data), 0, pos, nxt)
        if op is c.ATOMIC_GROUP:
            end = self._first_end(list(av.data), pos)
            return end is not None and nxt(end)
        if op is c.BRANCH:
            return any(self.seq(list(alt.data), 0, pos, nxt) for alt in av[1])
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, high, sub = av
            body = list(sub.data)
            if op is c.POSSESSIVE_REPEAT:
                return self._possessive(body, low, high, pos, nxt)
            return self._repeat(body, low, high, pos, nxt, greedy=op is c.MAX_REPEAT)
        if op is c.ASSERT or op is c.ASSERT_NOT:
            direction, sub = av
            if direction < 0:  # a lookbehind: tried at the positions it can start from
                body = list(sub.data)
                found = any(self._first_end(body, start) == pos for start in range(max(0, pos - 64), pos + 1))
            else:
                found = self._first_end(list(sub.data), pos) is not None
            return (found if op is c.ASSERT else not found) and nxt(pos)
        if op is c.GROUPREF:
            raise ValueError("back-references are not supported by the step counter")
        raise ValueError(f"unsupported regular expression construct {op}")

    def _first_end(self, items: list[tuple[Any, Any]], pos: int) -> int | None:
        ends: list[int] = []

        def done(p: int) -> bool:
            ends.append(p)
            return True

        return ends[0] if self.seq(items, 0, pos, done) else None

    def _repeat(
        self,
        body: list[tuple[Any, Any]],
        low: int,
        high: int,
        pos: int,
        nxt: _Continuation,
        *,
        greedy: bool,
    ) -> bool:
        maximum = high if high is not c.MAXREPEAT else sys.maxsize

        def rep(count: int, p: int) -> bool:
            self.steps += 1
            if self.steps > self.limit:
                raise TooMuchWork
            if not greedy and count >= low and nxt(p):
                return True
            if count < maximum and self.seq(body, 0, p, lambda q: q != p and rep(count + 1, q)):
                return True
            return greedy and count >= low and nxt(p)

        return rep(0, pos)

    def _possessive(
        self, body: list[tuple[Any, Any]], low: int, high: int, pos: int, nxt: _Continuation
    ) -> bool:
        maximum = high if high is not c.MAXREPEAT else sys.maxsize
        count, p = 0, pos
        while count < maximum:
            end = self._first_end(body, p)
            if end is None or end == p:
                break
            count, p = count + 1, end
        return count >= low and nxt(p)


@dataclass(frozen=True, slots=True)
class WorkReport:
    """The worst input found for a pattern, the steps it took, the linear bound it must stay
    under, and how much more the same kind of input twice as long cost (`growth`)."""

    pattern: str
    text: str
    steps: int
    limit: int
    growth: float

    @property
    def ok(self) -> bool:
        return self.steps <= self.limit and self.growth <= MAX_GROWTH

    def describe(self) -> str:
        return (
            f"/{self.pattern}/: {self.steps:,} steps on {len(self.text)} characters (bound"
            f" {self.limit:,}), x{self.growth:.1f} for twice the input, on {self.text[:40]!r}..."
        )


def count_steps(pattern: str, text: str, *, flags: int = re.IGNORECASE, limit: int = 10**7) -> int:
    """Steps a backtracking `re.search(pattern, text)` takes (see the module docstring).

    Raises `TooMuchWork` past `limit`."""
    return search(pattern, text, flags=flags, limit=limit)[1]


def search(pattern: str, text: str, *, flags: int = re.IGNORECASE, limit: int = 10**7) -> tuple[bool, int]:
    """(whether `re.search` would find a match, the steps the counting matcher took)."""
    parsed = _parser.parse(pattern, flags)
    matcher = _Matcher(text, flags | parsed.state.flags, limit)
    items = list(parsed.data)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20 * len(text) + 2000))
    found = False
    try:
        for start in range(len(text) + 1):  # re.search: every start position until one matches
            if matcher.seq(items, 0, start, lambda _p: True):
                found = True
                break
            if items and items[0] == (c.AT, c.AT_BEGINNING) and not matcher.multiline:
                break  # anchored: one start only (as re does)
    finally:
        sys.setrecursionlimit(old)
    return found, matcher.steps


def _literal_prefix(pattern: str, flags: int) -> str:
    out = []
    for op, av in _parser.parse(pattern, flags).data:
        if op is c.AT:
            continue
        if op is not c.LITERAL:
            break
        out.append(chr(av))
    return "".join(out)


_RUNS: Final = (" ", "\t", "a ", "ab", "1", ", ", " - ")


def adversarial_inputs(pattern: str, size: int, flags: int = re.IGNORECASE) -> Iterator[str]:
    """Inputs that make backtracking patterns do the most work: the pattern's literal prefix (so
    anchored patterns get past it) or nothing, a run of `size` characters of one filler, and a
    tail that makes the final part of the pattern fail or succeed."""
    prefix = _literal_prefix(pattern, flags)
    for head in dict.fromkeys(("", prefix, prefix + " ")):
        for run in _RUNS:
            body = (run * (size // len(run) + 1))[:size]
            for tail in ("", " x", "!"):
                yield head + body + tail


def _worst(pattern: str, size: int, flags: int, cap: int) -> tuple[int, str]:
    worst, text_of_worst = 0, ""
    for text in adversarial_inputs(pattern, size, flags):
        try:
            steps = count_steps(pattern, text, flags=flags, limit=cap)
        except TooMuchWork:
            steps = cap + 1
        if steps > worst:
            worst, text_of_worst = steps, text
    return worst, text_of_worst


def audit_pattern(pattern: str, size: int = 128, flags: int = re.IGNORECASE) -> WorkReport:
    """The adversarial input on which `pattern` works hardest at about `size` characters, with its
    step count, the linear bound it must stay under (`STEPS_PER_CHAR` per character plus
    `STEPS_CONSTANT`) and the growth of the worst count when the inputs are twice as long."""
    limit = STEPS_PER_CHAR * (size + len(_literal_prefix(pattern, flags)) + 3) + STEPS_CONSTANT
    cap = 20 * limit
    steps, text = _worst(pattern, size, flags, cap)
    double, _ = _worst(pattern, 2 * size, flags, 4 * cap)
    return WorkReport(pattern, text, steps, limit, double / max(steps, 1))
