"""The ``tracklingo`` command line: a thin layer over the public Python API.

Each command group lives in its own module of this package and registers itself on `main`. A
command's module is imported only when that command runs (see `LazyGroup`): start-up pays for click
and for what the command uses, nothing else.

The convention every command follows: data on stdout, everything else (summary, progress, reject
lines, warnings) on stderr; ``--json`` wherever the output is data; ``-q`` means no summary and no
progress; exit codes 0 success, 1 a user error or a failed check (one line on stderr starting
``tracklingo: error:``, never a traceback), 2 usage errors (click's).
"""

from __future__ import annotations

import functools
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import import_module
from typing import IO, TYPE_CHECKING, Any, NamedTuple, TypeVar

import click

from tracklingo import __version__
from tracklingo.cli._progress import ProgressBar
from tracklingo.cli._terminal import printable
from tracklingo.errors import InputError, TracklingoError

if TYPE_CHECKING:
    from datetime import datetime

    from tracklingo.feeds import Record
    from tracklingo.normalize import Normalizer, Reject
    from tracklingo.plugins import Registry

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> None:
    click.echo(f"tracklingo: error: {printable(message, newlines=False)}", err=True)
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
        except OSError as exc:  # a full disk, a vanished file: the system's words, one line
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}")

    return wrapper  # type: ignore[return-value]


def _json_out(value: Any) -> None:
    import orjson

    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


@functools.cache
def _registry() -> Registry:
    """The command's carriers, loaded once; adopted as the process's registry, so the open-world
    classifier's vocabularies are these carriers' (compiled once), not a second load's."""
    from tracklingo.plugins import adopt, load_carriers

    registry = load_carriers()
    adopt(registry)
    return registry


def feed_normalizer(carrier: str | None, include_raw: bool, *, infer: bool = True) -> Normalizer:
    """The `Normalizer` for a feed command, with every carrier's vocabulary compiled (`infer`:
    False for ``--no-infer``).

    The CLI is an application, so it may tune the process: what exists once the carriers are
    loaded (modules, compiled vocabularies, schemas) lives as long as the process, so it is moved
    out of the garbage collector's sight (`gc.freeze`). Full collections during a long feed then
    scan only what the feed created (measured: ~7% more events/s on the 200k-event bench feed).
    The library itself never touches the collector.
    """
    import gc

    from tracklingo.normalize import Normalizer

    normalizer = Normalizer(_registry(), carrier=carrier, include_raw=include_raw, infer=infer)
    for loaded in normalizer.registry:
        loaded.vocabulary  # noqa: B018 - compiled now, before the freeze
    gc.freeze()
    return normalizer


class LazyGroup(click.Group):
    """A command group whose commands' modules are imported on first use.

    `lazy` maps a command name to its module and its one-line help (what ``tracklingo --help``
    lists without importing anything). A command module of this package that the table does not
    name still works: it is imported when the commands are listed or a name is not found (at a
    start-up cost; a test asks for the table entry).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str]] = {}

    def _unlisted_modules(self) -> list[str]:
        import pkgutil

        import tracklingo.cli as package

        listed = {module for module, _ in self.lazy.values()}
        found = (f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__))
        return [m for m in found if not m.rsplit(".", 1)[1].startswith("_") and m not in listed]

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in self._unlisted_modules():
            import_module(module)
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            import_module(self.lazy[cmd_name][0])
        if cmd_name not in self.commands:  # not in the table: it may live in any command module
            for module in [*self._unlisted_modules(), *(m for m, _ in self.lazy.values())]:
                import_module(module)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                stand_in = click.Command(name, help=self.lazy[name][1])
                rows.append((name, stand_in.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tracklingo")
def main() -> None:
    """tracklingo: one canonical event model for every parcel carrier's tracking vocabulary."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean a, b?)`` with the choices closest to `word` (by spelling or containing it),
    or an empty string."""
    import difflib

    options = list(choices)
    close = [c for c in options if word and word.lower() in c.lower()]
    close += [c for c in difflib.get_close_matches(word.lower(), options, n=3, cutoff=0.6) if c not in close]
    return f" (did you mean {', '.join(close[:4])}?)" if close else ""


class OneLineError(click.ClickException):
    """A user error found while click parses the command line: one ``tracklingo: error:`` line,
    exit 1 (like the errors the commands raise), not click's usage block."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"tracklingo: error: {printable(self.format_message(), newlines=False)}", err=True)


class StageName(click.ParamType):  # type: ignore[type-arg]
    """A stage of the taxonomy by name; an unknown name is one line with "did you mean"."""

    name = "stage"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[STAGE]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from tracklingo.taxonomy import Stage

        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        names = [s.value for s in Stage]
        if text in names:
            return text
        raise OneLineError(
            f"unknown stage {value!r}{did_you_mean(text, names)}; `tracklingo glossary --help` lists"
            " the stages"
        )


def stages_epilog() -> str:
    """The stage names, for a command's help (wrapped between names, never inside one)."""
    from tracklingo.taxonomy import Stage

    return "STAGE is one of: " + ", ".join(s.value for s in Stage) + "."


# -- shared pieces of the feed commands (normalize, advise, ingest, coverage) ------------------


def check_inputs(files: tuple[str, ...]) -> list[str]:
    """The input paths (``-`` = stdin when none): each must exist and not be a directory. Files,
    devices (``/dev/null``), FIFOs and ``<(...)`` pipes are all inputs."""
    paths = list(files) or ["-"]
    for p in paths:
        if p == "-":
            continue
        try:
            info = os.stat(p)
        except FileNotFoundError:
            raise InputError(f"{p}: no such file") from None
        except OSError as exc:
            raise InputError(f"{p}: {exc.strerror or exc}") from None
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{p}: is a directory, not a feed file")
    return paths


def _regular_file_id(path: str | int) -> tuple[int, int] | None:
    try:
        info = os.fstat(path) if isinstance(path, int) else os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


def refuse_outputs_that_are_inputs(
    inputs: list[str], outputs: Mapping[str, str | None], *, stdout: bool = True
) -> None:
    """`InputError` when an output (by option name: ``{"--rejects": path}``) is one of the inputs,
    the same file as another output, or when stdout (if `stdout`) is redirected into an input.
    Files are compared by device and inode, so links and other spellings of a path count."""
    sources: dict[tuple[int, int] | str, str] = {}
    for p in inputs:
        source = _regular_file_id(0 if p == "-" else p)
        if source is not None:
            sources.setdefault(source, "stdin" if p == "-" else p)
    written: dict[tuple[int, int] | str, str] = {}
    for option, path in outputs.items():
        if not path or path in ("-", ":memory:"):
            continue
        key: tuple[int, int] | str | None = _regular_file_id(path)
        if key is None:
            if os.path.exists(path):
                continue  # a device or a pipe: /dev/null may be given twice
            key = os.path.realpath(path)  # not there yet: it cannot be an input
        if key in sources:
            raise InputError(
                f"{option} {path} is also an input ({sources[key]}): refusing to overwrite it"
            )
        if key in written:
            raise InputError(f"{option} and {written[key]} are the same file ({path})")
        written[key] = option
    if stdout and (out := _regular_file_id(1)) is not None and out in sources:
        raise InputError(f"stdout is redirected to an input ({sources[out]}): refusing to write into it")


class MaxRejects(NamedTuple):
    """``--max-rejects N`` or ``P%``: the most rejected records a run may have and still succeed."""

    records: int | None = None
    percent: float | None = None

    def exceeded(self, rejected: int, records_in: int) -> bool:
        """Whether `rejected` of `records_in` records is more than allowed."""
        if self.records is not None:
            return rejected > self.records
        assert self.percent is not None
        return records_in > 0 and rejected * 100 > self.percent * records_in

    def __str__(self) -> str:
        return f"{self.percent:g}%" if self.percent is not None else str(self.records)


class MaxRejectsType(click.ParamType):  # type: ignore[type-arg]
    """Click type for ``--max-rejects``: a count (``10``) or a share of the records (``0.5%``)."""

    name = "N|P%"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> MaxRejects:
        if isinstance(value, MaxRejects):
            return value
        text = str(value).strip()
        try:
            if text.endswith("%"):
                percent = float(text[:-1])
                if not 0 <= percent <= 100:
                    raise ValueError
                return MaxRejects(percent=percent)
            count = int(text)
            if count < 0:
                raise ValueError
            return MaxRejects(records=count)
        except ValueError:
            self.fail(f"{value!r}: give a number of records (10) or a percentage (0.5%)", param, ctx)


def reject_json(reject: Reject) -> bytes:
    """One reject as a JSON line (a record that cannot be written back is described instead)."""
    import orjson

    out = reject.to_dict()
    try:
        return orjson.dumps(out, default=str) + b"\n"
    except TypeError:  # too deep or otherwise unserialisable: keep the rest of the reject
        out["record"] = "(not shown: the record cannot be written as JSON)"
        return orjson.dumps(out, default=str) + b"\n"


def reject_line(reject: Reject) -> str:
    """One reject as a line for a terminal (control characters escaped)."""
    where = f"{reject.source}:" if reject.source != "-" else "line "
    return printable(f"reject: {where}{reject.line}: {reject.reason}", newlines=False)


def emit_reject(reject: Reject, rejects_out: IO[bytes] | None) -> None:
    """One reject: a JSONL line in `rejects_out`, or one line on stderr when there is no file."""
    if rejects_out is not None:
        rejects_out.write(reject_json(reject))
    else:
        click.echo(reject_line(reject), err=True)


def open_output(path: str, what: str) -> IO[bytes]:
    """A file opened for writing, or an `InputError` that says why it cannot be."""
    try:
        return open(path, "wb")  # the caller closes it
    except OSError as exc:
        raise InputError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None


class FeedRun:
    """What every feed command does around its own work: check the inputs, refuse an output that
    is an input, write rejects (to ``--rejects FILE`` or one line each on stderr), show the progress
    bar, print the summary line and apply ``--max-rejects``.

    Use as a context manager; iterate `records` for the input, pass every reject to `reject`, and
    call `finish` with the summary at the end.
    """

    def __init__(
        self,
        files: tuple[str, ...],
        *,
        fmt: str,
        rejects: str | None,
        max_rejects: MaxRejects | None,
        quiet: bool,
        label: str,
        outputs: Mapping[str, str | None] | None = None,
        progress: bool = True,
    ) -> None:
        self.paths = check_inputs(files)
        refuse_outputs_that_are_inputs(self.paths, {**(outputs or {}), "--rejects": rejects})
        self.fmt = fmt
        self.rejects_path = rejects
        self.max_rejects = max_rejects
        self.quiet = quiet
        sizes = [_size(p) for p in self.paths]
        total = None if None in sizes else sum(s or 0 for s in sizes)
        self.bar = ProgressBar(progress and not quiet and _stderr_is_terminal(), label, total)
        self._rejects_out: IO[bytes] | None = None

    def __enter__(self) -> FeedRun:
        if self.rejects_path:
            self._rejects_out = open_output(self.rejects_path, "rejects")
        if "-" in self.paths and not self.quiet and _stdin_is_terminal():
            click.echo(
                "tracklingo: reading stdin... (end with Ctrl-D, or give FILES to read)", err=True
            )
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)
        if self._rejects_out is not None:
            self._rejects_out.close()
            self._rejects_out = None

    def records(self, normalizer: Normalizer) -> Iterator[Record]:
        """Every record of every input, in order; the bar follows `normalizer`'s counts."""
        from tracklingo.feeds import Feed

        done = 0
        stats = normalizer.stats
        show = self.bar.shown
        for path in self.paths:
            from tracklingo.cli import _batch

            if _batch.wants_batch([path], self.fmt, None, "auto"):  # Parquet / Arrow IPC rows
                for n, record in enumerate(_batch.records([path], self.fmt)):
                    yield record
                    if show and not n & 255:
                        self.bar.update(done, stats.events_out, stats.records_rejected)
                continue
            with Feed(path, self.fmt) as feed:  # type: ignore[arg-type]
                for n, record in enumerate(feed):
                    yield record
                    if show and not n & 255:
                        self.bar.update(done + feed.bytes_read, stats.events_out, stats.records_rejected)
                done += feed.size or 0
        self.bar.update(done, stats.events_out, stats.records_rejected, force=True)

    def reject(self, reject: Reject) -> None:
        if self._rejects_out is not None:
            self._rejects_out.write(reject_json(reject))
        else:
            self.bar.echo(reject_line(reject))

    def finish(self, summary: str | None, *, rejected: int, records_in: int) -> None:
        """End the run: close the bar and the rejects file, print `summary` on stderr (unless -q,
        or None), and fail (exit 1) when the rejects exceed ``--max-rejects``."""
        self.__exit__(None, None, None)
        if summary is not None and not self.quiet:
            click.echo(summary, err=True)
        if self.max_rejects is not None and self.max_rejects.exceeded(rejected, records_in):
            raise InputError(
                f"{rejected} of {records_in} records rejected, more than --max-rejects {self.max_rejects}"
            )


def _size(path: str) -> int | None:
    try:
        info = os.fstat(0) if path == "-" else os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def parse_now(value: str | None) -> datetime:
    """``--now``: an ISO 8601 time (no offset = UTC); the current time when absent."""
    from datetime import UTC, datetime

    from tracklingo.times import order_key

    if value is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"bad --now {value!r}: expected an ISO 8601 time such as 2026-11-20T14:00:00Z"
        ) from None
    return order_key(when)


#: ``--no-infer`` on normalize, ingest, coverage and explain: tables only, never a guess.
no_infer_option = click.option(
    "--no-infer",
    is_flag=True,
    help="Tables only: a text no vocabulary knows stays unknown instead of being read by the"
    " inference layer (other vocabularies' phrases and sentence forms still apply).",
)


#: ``--lang`` on explain, advise, stuck and dwell (here, not in `tracklingo.cli.advice`, so that
#: `tracklingo.cli.store` does not import the advisor for `ingest`).
lang_option = click.option(
    "--lang",
    "lang_text",
    metavar="TAG",
    help="Language of the explanations (de, es, fr, nl, pl...; default: TRACKLINGO_LANG, then the"
    " system locale, then English).",
)


def feed_options(func: F) -> F:
    """What every feed command shares: FILES (or stdin), ``--format``, ``--carrier``,
    ``--rejects FILE``, ``--max-rejects N|P%``, ``-q`` and ``--json``."""
    func = click.option(
        "--json", "as_json", is_flag=True, help="Machine-readable output (JSON on stdout)."
    )(func)
    func = click.option(
        "-q", "--quiet", is_flag=True, help="No summary and no progress on stderr."
    )(func)
    func = click.option(
        "--max-rejects",
        type=MaxRejectsType(),
        default=None,
        help="Exit 1 after the run when more records than this are rejected (a number, or a"
        " percentage of the records such as 0.5%).",
    )(func)
    func = click.option(
        "--rejects",
        type=click.Path(dir_okay=False),
        help="Write rejected records here as JSONL (default: one line each on stderr;"
        " /dev/null drops them).",
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(["auto", "jsonl", "json", "csv", "parquet", "arrow"]),
        default="auto",
        show_default=True,
        help="Input format (auto: from the name, else from the content). Parquet and Arrow IPC"
        " need the arrow extra.",
    )(func)
    func = click.option("--carrier", help="Carrier for records that do not name one (default: detect).")(func)
    return click.argument("files", nargs=-1, type=click.Path(dir_okay=True, allow_dash=True))(func)
