"""The progress bar of the feed commands: bytes read of the known size, events, events/s and ETA;
then, for commands with a second stage (advise), that stage's count, rate and ETA.

Shown on stderr only when it is a terminal (the caller decides: not with ``-q``). While it is shown,
lines for stderr (reject lines) go through `ProgressBar.echo`, which clears the bar, prints the line
and draws the bar again below it, so a line never lands inside the bar. rich is imported only when a
bar is shown.
"""

from __future__ import annotations

import time
from typing import Any

import click

__all__ = ["ProgressBar"]

_REFRESH_SECONDS = 0.1


class ProgressBar:
    """A transient progress bar on stderr; does nothing when not `enabled`."""

    def __init__(self, enabled: bool, label: str, total_bytes: int | None) -> None:
        self.enabled = enabled
        self.label = label
        self.total_bytes = total_bytes
        self._progress: Any = None
        self._task: Any = None
        self._last = 0.0

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            self._progress = _make_progress()
            self._progress.start()
            self._task = self._progress.add_task(
                self.label, total=self.total_bytes, events=0, rejected=0
            )
        return self

    @property
    def shown(self) -> bool:
        """Whether a bar is on screen."""
        return self._progress is not None

    def update(self, done_bytes: int, events: int, rejected: int, *, force: bool = False) -> None:
        """Bytes read so far (of all inputs), events out and records rejected so far."""
        if self._progress is None:
            return
        now = time.monotonic()
        if not force and now - self._last < _REFRESH_SECONDS:
            return
        self._last = now
        self._progress.update(self._task, completed=done_bytes, events=events, rejected=rejected)

    def phase(self, label: str, total: int | None, unit: str) -> None:
        """Start the next stage of the work (e.g. advising the shipments read): a new bar that
        counts `unit` up to `total` (None: unknown, the bar pulses; no `unit`: no count shown)."""
        if self._progress is None:
            return
        self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(label, total=total, unit=unit)
        self._last = 0.0

    def advance(self, done: int, *, force: bool = False) -> None:
        """How many `unit`s of the current phase are done."""
        if self._progress is None:
            return
        now = time.monotonic()
        if not force and now - self._last < _REFRESH_SECONDS:
            return
        self._last = now
        self._progress.update(self._task, completed=done)

    def echo(self, line: str) -> None:
        """Print one line on stderr, above the bar when it is shown."""
        if self._progress is None:
            click.echo(line, err=True)
        else:
            self._progress.console.print(
                line, markup=False, highlight=False, emoji=False, soft_wrap=True
            )

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _make_progress() -> Any:
    from rich.console import Console
    from rich.filesize import decimal
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        Task,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class AmountColumn(ProgressColumn):
        """Bytes read of the size (reading), or items done of the total (a later phase)."""

        def render(self, task: Task) -> Text:
            unit = task.fields.get("unit", "bytes")
            done = int(task.completed)
            if not unit:  # a stage without a count
                return Text("")
            if unit == "bytes":
                total = decimal(int(task.total)) if task.total is not None else "?"
                return Text(f"{decimal(done)} of {total}")
            total_items = f"{int(task.total):,}" if task.total is not None else "?"
            return Text(f"{done:,} of {total_items} {unit}")

    class RateColumn(ProgressColumn):
        """Events so far, events per second and rejected records (reading); items per second."""

        def render(self, task: Task) -> Text:
            elapsed = task.elapsed or 0.0
            unit = task.fields.get("unit", "bytes")
            if not unit:
                return Text("")
            if unit != "bytes":
                rate = f"{task.completed / elapsed:,.0f}" if elapsed > 0 else "-"
                return Text(f"{rate} {unit}/s")
            events = task.fields.get("events", 0)
            rate = f"{events / elapsed:,.0f}" if elapsed > 0 else "-"
            rejected = task.fields.get("rejected", 0)
            return Text(f"{events:,} events  {rate} events/s  {rejected:,} rejected")

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        AmountColumn(),
        RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
        refresh_per_second=8,
    )
