"""Loading carrier plugins: entry points (group ``tracklingo``), pluggy, clashes and load errors.

Every plugin, built-in or third-party, is a distribution with an entry point in the ``tracklingo``
group. A plugin that fails to import, to register or to compile its vocabulary (one bad rule is
enough) is skipped and reported with its distribution, version and file (`Registry.problems`, and
a warning on the ``tracklingo.plugins`` logger); the other plugins work. Whatever a plugin raises
— ``SystemExit`` and ``KeyboardInterrupt`` included — is that plugin's error; only the user's
Ctrl-C stops the host.

Two plugins registering one carrier name is a clash: neither is used (nothing is guessed) until
the environment chooses. Environment:

- ``TRACKLINGO_STRICT_PLUGINS``: ``1``/``true``/``yes``/``on`` makes any problem fatal
  (`PluginError`); ``0``/``false``/``no``/``off`` or unset reports and skips.
- ``TRACKLINGO_LOAD_PLUGINS``: comma-separated plugins to load (entry-point or distribution
  names); a name that is not installed is an error.
- ``TRACKLINGO_DISABLE_PLUGINS``: plugins to skip (same names).
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import pluggy

from tracklingo import hookspecs
from tracklingo.carrier import Carrier
from tracklingo.errors import AdapterError, ConfigError, PluginError, UnknownCarrierError
from tracklingo.guard import describe, plugin_code

__all__ = [
    "LoadedCarrier",
    "PluginProblem",
    "Registry",
    "adopt",
    "adopted",
    "load_carriers",
]

ENTRY_POINT_GROUP = "tracklingo"

logger = logging.getLogger("tracklingo.plugins")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


# -- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedCarrier:
    """A registered carrier and the plugin it came from."""

    carrier: Carrier
    plugin: str
    distribution: str | None
    version: str | None


@dataclass(frozen=True, slots=True)
class PluginProblem:
    """A plugin that failed to load, register or compile its vocabulary, or a clash between two.

    `file` is where the problem is: the vocabulary file with the bad rule, the plugin's source
    file that raised, or the plugin's module.
    """

    plugin: str
    distribution: str | None
    version: str | None
    error: str
    kind: str = "error"  # "error" or "clash"
    file: str | None = None

    def describe(self) -> str:
        """One line: ``plugin 'x' (dist 1.0, /path/file): error``."""
        where = ", ".join(p for p in (f"{self.distribution or '?'} {self.version or '?'}", self.file) if p)
        return f"plugin {self.plugin!r} ({where}): {self.error}"


@dataclass
class Registry:
    """The carriers that loaded, and what went wrong with the rest."""

    carriers: dict[str, LoadedCarrier] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)
    plugin_manager: pluggy.PluginManager | None = None
    #: carrier names two plugins registered: unusable until the environment chooses
    clashed: dict[str, str] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.carriers

    def __iter__(self) -> Iterator[Carrier]:
        return (lc.carrier for lc in self.carriers.values())

    def __len__(self) -> int:
        return len(self.carriers)

    def get(self, name: str) -> Carrier:
        """The carrier registered as `name`; `UnknownCarrierError` when there is none (or when
        two plugins registered it: the error says which and how to choose)."""
        key = name.strip().lower()
        try:
            return self.carriers[key].carrier
        except KeyError:
            if key in self.clashed:
                raise UnknownCarrierError(self.clashed[key]) from None
            have = ", ".join(sorted(self.carriers)) or "none"
            raise UnknownCarrierError(f"unknown carrier {name!r} (installed: {have})") from None

    @property
    def errors(self) -> list[PluginProblem]:
        return [p for p in self.problems if p.kind == "error"]

    @property
    def clashes(self) -> list[PluginProblem]:
        return [p for p in self.problems if p.kind == "clash"]

    def register(
        self, carrier: Carrier, *, plugin: str, distribution: str | None, version: str | None
    ) -> None:
        """Add a carrier. A second carrier with the same name is a clash: neither is kept, and
        the problem names both plugins and their distributions."""
        if not isinstance(carrier, Carrier):
            raise TypeError(f"register() takes a tracklingo.Carrier, not {type(carrier).__name__}")
        name = getattr(carrier, "name", None)
        if not isinstance(name, str) or not name or name != name.lower():
            raise ValueError(f"carrier name must be a non-empty lower-case string, not {name!r}")
        existing = self.carriers.get(name)
        if existing is None and name not in self.clashed:
            self.carriers[name] = LoadedCarrier(carrier, plugin, distribution, version)
            return
        if existing is not None:
            del self.carriers[name]
            first = f"plugin {existing.plugin!r} ({existing.distribution or '?'} {existing.version or '?'})"
            choose = f"TRACKLINGO_DISABLE_PLUGINS={plugin} or ={existing.plugin}"
        else:
            first = "another plugin"
            choose = f"TRACKLINGO_DISABLE_PLUGINS={plugin}"
        second = f"plugin {plugin!r} ({distribution or '?'} {version or '?'})"
        message = (
            f"carrier {name!r} is registered by both {first} and {second}; neither is used:"
            f" choose one with {choose} (or list the plugins to load in TRACKLINGO_LOAD_PLUGINS)"
        )
        self.clashed[name] = message
        self.problems.append(PluginProblem(plugin, distribution, version, message, kind="clash"))


# -- the process's registry -------------------------------------------------------------------

_ADOPTED: list[Registry] = []  # at most one


def adopt(registry: Registry) -> None:
    """Make `registry` the process's registry: what the process-wide helpers that would otherwise
    load the plugins again use (`tracklingo.openworld.installed_vocabularies`, and so the shared
    open-world classifier). An application that loaded its carriers calls it once (the command
    line does); the carriers and their compiled vocabularies are then shared, not loaded twice."""
    _ADOPTED[:] = [registry]


def adopted() -> Registry | None:
    """The registry given to `adopt`, or None."""
    return _ADOPTED[0] if _ADOPTED else None


# -- loading -----------------------------------------------------------------------------------


def _env_names(name: str) -> set[str] | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return {v.strip().lower() for v in value.split(",") if v.strip()}


def _strict_default() -> bool:
    value = os.environ.get("TRACKLINGO_STRICT_PLUGINS", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(
        f"TRACKLINGO_STRICT_PLUGINS={value!r}: use 1/true/yes/on (problems are fatal) or"
        " 0/false/no/off (problems are reported and the plugin skipped)"
    )


def _dist_info(ep: EntryPoint) -> tuple[str | None, str | None]:
    dist = ep.dist
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def _module_file(module: str) -> str | None:
    try:
        spec = importlib.util.find_spec(module.split(":", 1)[0])
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.origin not in (None, "built-in", "frozen") else None


def _where(exc: BaseException, module_file: str | None) -> str | None:
    """The plugin's file where `exc` arose: a syntax error's file, else the innermost traceback
    frame inside the plugin's package, else the plugin's module."""
    if isinstance(exc, AdapterError):  # the guard's wrapper: where the plugin's own error arose
        exc = exc.original
    if isinstance(exc, SyntaxError) and exc.filename:
        return exc.filename
    root = Path(module_file).parent if module_file else None
    found = None
    current: BaseException | None = exc
    while current is not None:
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if root is not None and Path(name).is_relative_to(root):
                found = name
            tb = tb.tb_next
        current = current.__cause__
    return found or module_file


@dataclass
class _Candidate:
    name: str
    entry_point: EntryPoint | None
    distribution: str | None
    version: str | None
    module_file: str | None
    obj: Any = None


def load_carriers(
    *,
    strict: bool | None = None,
    only: set[str] | None = None,
    disable: set[str] | None = None,
    extra_plugins: list[ModuleType | object] | None = None,
    check_vocabularies: bool = True,
) -> Registry:
    """Discover plugins through entry points, call their register hooks, return the registry.

    Args:
        strict: raise `PluginError` on the first broken plugin or clash (default:
            ``TRACKLINGO_STRICT_PLUGINS``).
        only: plugins to load, by entry-point or distribution name (default:
            ``TRACKLINGO_LOAD_PLUGINS``; all when unset). A name that is not installed is a
            `ConfigError`.
        disable: plugins to skip, by the same names (default: ``TRACKLINGO_DISABLE_PLUGINS``).
        extra_plugins: plugin objects or modules to register in-process as well (tests, embedding).
        check_vocabularies: compile every carrier's vocabulary now and skip (report) a plugin
            whose vocabulary has a bad rule; False leaves that to the first use (the
            conformance kit checks vocabularies itself, to say what to fix).
    """
    strict = _strict_default() if strict is None else strict
    only_from_env = only is None
    only = _env_names("TRACKLINGO_LOAD_PLUGINS") if only is None else {n.lower() for n in only}
    disable = _env_names("TRACKLINGO_DISABLE_PLUGINS") if disable is None else {n.lower() for n in disable}
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    registry = Registry(plugin_manager=pm)

    def report(problem: PluginProblem) -> None:
        registry.problems.append(problem)
        if strict:
            raise PluginError(problem.describe())
        logger.warning("skipped %s", problem.describe())

    candidates = _entry_point_candidates(registry, strict, only, disable, only_from_env)
    for i, obj in enumerate(extra_plugins or ()):
        name = getattr(obj, "__name__", None) or f"extra-{i}"
        candidates.append(_Candidate(name, None, None, None, getattr(obj, "__file__", None), obj))

    loaded: list[_Candidate] = []
    for cand in candidates:
        try:
            with plugin_code(cand.name, "loading"):
                if cand.entry_point is not None:
                    cand.obj = cand.entry_point.load()
                pm.register(cand.obj, name=cand.name)
        except Exception as exc:
            where = _where(exc, cand.module_file)
            report(_problem(cand, f"failed to load: {describe(exc)}", where))
            continue
        loaded.append(cand)

    for cand in loaded:
        others = [c.obj for c in loaded if c is not cand]
        caller = pm.subset_hook_caller("tracklingo_register_carriers", remove_plugins=others)
        added: list[str] = []
        clashes_before = len(registry.clashes)

        def register(carrier: Carrier, _c: _Candidate = cand, _added: list[str] = added) -> None:
            registry.register(carrier, plugin=_c.name, distribution=_c.distribution, version=_c.version)
            name = getattr(carrier, "name", None)
            if isinstance(name, str) and name in registry.carriers:
                _added.append(name)

        try:
            with plugin_code(cand.name, "registering"):
                caller(register=register)
        except Exception as exc:
            for name in added:  # half-registered: nothing of this plugin is used
                registry.carriers.pop(name, None)
            where = _where(exc, cand.module_file)
            report(_problem(cand, f"failed to register: {describe(exc)}", where))
            continue
        if len(registry.clashes) > clashes_before:
            clash = registry.clashes[-1]
            if strict:
                raise PluginError(clash.describe())
            logger.warning("skipped %s", clash.describe())
        if check_vocabularies:
            _check_vocabularies(registry, cand, added, report)
    return registry


def _problem(cand: _Candidate, error: str, where: str | None) -> PluginProblem:
    return PluginProblem(cand.name, cand.distribution, cand.version, error, file=where)


def _check_vocabularies(
    registry: Registry,
    cand: _Candidate,
    added: list[str],
    report: Callable[[PluginProblem], None],
) -> None:
    """Compile each new carrier's vocabulary now: one bad rule makes the whole plugin a reported
    problem (its file named), and none of its carriers is used."""
    for name in added:
        loaded = registry.carriers.get(name)
        if loaded is None:
            continue
        try:
            with plugin_code(cand.name, "compiling its vocabulary"):
                loaded.carrier.vocabulary  # noqa: B018 - compiled once, kept by the carrier
        except Exception as exc:
            for other in added:
                registry.carriers.pop(other, None)
            path = getattr(loaded.carrier, "vocabulary_path", None)
            where = str(path) if path is not None else _where(exc, cand.module_file)
            report(_problem(cand, f"bad vocabulary for carrier {name!r}: {describe(exc)}", where))
            return


def _entry_point_candidates(
    registry: Registry,
    strict: bool,
    only: set[str] | None,
    disable: set[str] | None,
    only_from_env: bool,
) -> list[_Candidate]:
    """The entry points to load, in name order: the same distribution seen twice on sys.path
    counts once; two distributions with one entry-point name are a clash (neither is loaded)."""
    by_name: dict[str, list[_Candidate]] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist, version = _dist_info(ep)
        group = by_name.setdefault(ep.name, [])
        if any(c.distribution == dist for c in group):
            continue
        group.append(_Candidate(ep.name, ep, dist, version, _module_file(ep.value)))
    known = {n.lower() for n in by_name} | {
        c.distribution.lower() for g in by_name.values() for c in g if c.distribution
    }
    if only is not None and only - known:
        source = "TRACKLINGO_LOAD_PLUGINS" if only_from_env else "only="
        missing = ", ".join(sorted(only - known))
        installed = ", ".join(sorted(by_name)) or "none"
        raise ConfigError(f"{source} names {missing}, not installed (installed plugins: {installed})")

    def chosen(c: _Candidate) -> bool:
        names = {c.name.lower(), (c.distribution or "").lower()}
        if only is not None and not names & only:
            return False
        return not (disable and names & disable)

    out: list[_Candidate] = []
    for name, group in by_name.items():
        group = [c for c in group if chosen(c)]
        if len(group) > 1:
            dists = " and ".join(f"{c.distribution or '?'} {c.version or '?'}" for c in group)
            first = group[0]
            message = (
                f"entry point {name!r} is declared by both {dists}; neither is loaded: choose one"
                " with TRACKLINGO_DISABLE_PLUGINS=<distribution> or TRACKLINGO_LOAD_PLUGINS"
            )
            problem = PluginProblem(
                name, first.distribution, first.version, message, "clash", first.module_file
            )
            registry.problems.append(problem)
            if strict:
                raise PluginError(problem.describe())
            logger.warning("skipped %s", problem.describe())
            continue
        out.extend(group)
    return out
