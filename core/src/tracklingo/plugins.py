"""Loading carrier plugins: entry points (group ``tracklingo``), pluggy, clashes and load errors.

Every plugin, built-in or third-party, is a distribution with an entry point in the ``tracklingo``
group. A plugin that fails to import or register is skipped and its error recorded (see
`Registry.errors`); ``TRACKLINGO_STRICT_PLUGINS=1`` makes that fatal. ``TRACKLINGO_LOAD_PLUGINS``
(comma-separated entry-point names) loads only those; ``TRACKLINGO_DISABLE_PLUGINS`` skips those.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from tracklingo import hookspecs
from tracklingo.carrier import Carrier
from tracklingo.errors import PluginError, UnknownCarrierError

__all__ = ["LoadedCarrier", "PluginProblem", "Registry", "load_carriers"]

ENTRY_POINT_GROUP = "tracklingo"


@dataclass(frozen=True, slots=True)
class LoadedCarrier:
    """A registered carrier and the plugin it came from."""

    carrier: Carrier
    plugin: str
    distribution: str | None
    version: str | None


@dataclass(frozen=True, slots=True)
class PluginProblem:
    """A plugin that failed to load/register, or a clash between two plugins."""

    plugin: str
    distribution: str | None
    version: str | None
    error: str
    kind: str = "error"  # "error" or "clash"


@dataclass
class Registry:
    """The carriers that loaded, and what went wrong with the rest."""

    carriers: dict[str, LoadedCarrier] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)
    plugin_manager: pluggy.PluginManager | None = None

    def __contains__(self, name: object) -> bool:
        return name in self.carriers

    def __iter__(self) -> Iterator[Carrier]:
        return (lc.carrier for lc in self.carriers.values())

    def __len__(self) -> int:
        return len(self.carriers)

    def get(self, name: str) -> Carrier:
        """The carrier registered as `name`; `UnknownCarrierError` when there is none."""
        try:
            return self.carriers[name.strip().lower()].carrier
        except KeyError:
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
        """Add a carrier; a second carrier with the same name is recorded as a clash."""
        if not isinstance(carrier, Carrier):
            raise TypeError(f"register() takes a tracklingo.Carrier, not {type(carrier).__name__}")
        name = getattr(carrier, "name", None)
        if not isinstance(name, str) or not name or name != name.lower():
            raise ValueError(f"carrier name must be a non-empty lower-case string, not {name!r}")
        existing = self.carriers.get(name)
        if existing is not None:
            self.problems.append(
                PluginProblem(
                    plugin,
                    distribution,
                    version,
                    f"carrier {name!r} is already registered by plugin {existing.plugin!r}"
                    f" ({existing.distribution} {existing.version}); this one is ignored",
                    kind="clash",
                )
            )
            return
        self.carriers[name] = LoadedCarrier(carrier, plugin, distribution, version)


def _env_list(name: str) -> set[str] | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return {v.strip() for v in value.split(",") if v.strip()}


def _strict_default() -> bool:
    return os.environ.get("TRACKLINGO_STRICT_PLUGINS", "").strip() not in ("", "0", "false", "no")


def _dist_info(ep: EntryPoint) -> tuple[str | None, str | None]:
    dist = ep.dist
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def _one_line(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def load_carriers(
    *,
    strict: bool | None = None,
    only: set[str] | None = None,
    disable: set[str] | None = None,
    extra_plugins: list[ModuleType | object] | None = None,
) -> Registry:
    """Discover plugins through entry points, call their register hooks, return the registry.

    Args:
        strict: raise `PluginError` on the first broken plugin or clash (default:
            ``TRACKLINGO_STRICT_PLUGINS``).
        only: entry-point names to load (default: ``TRACKLINGO_LOAD_PLUGINS``; all when unset).
        disable: entry-point names to skip (default: ``TRACKLINGO_DISABLE_PLUGINS``).
        extra_plugins: plugin objects or modules to register in-process as well (tests, embedding).
    """
    strict = _strict_default() if strict is None else strict
    only = _env_list("TRACKLINGO_LOAD_PLUGINS") if only is None else only
    disable = _env_list("TRACKLINGO_DISABLE_PLUGINS") if disable is None else disable
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    registry = Registry(plugin_manager=pm)

    def fail(plugin: str, dist: str | None, version: str | None, message: str) -> None:
        registry.problems.append(PluginProblem(plugin, dist, version, message))
        if strict:
            raise PluginError(f"plugin {plugin!r} ({dist or '?'} {version or '?'}): {message}")

    loaded: list[tuple[str, str | None, str | None, Any]] = []
    seen: set[str] = set()
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in seen:
            continue  # the same distribution visible twice on sys.path
        seen.add(ep.name)
        if only is not None and ep.name not in only:
            continue
        if disable and ep.name in disable:
            continue
        dist, version = _dist_info(ep)
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
        except Exception as exc:
            fail(ep.name, dist, version, f"failed to load: {_one_line(exc)}")
            continue
        loaded.append((ep.name, dist, version, module))
    for i, obj in enumerate(extra_plugins or ()):
        name = getattr(obj, "__name__", None) or f"extra-{i}"
        try:
            pm.register(obj, name=name)
        except Exception as exc:
            fail(name, None, None, f"failed to load: {_one_line(exc)}")
            continue
        loaded.append((name, None, None, obj))

    for name, dist, version, _module in loaded:
        others = [m for n, _, _, m in loaded if n != name]
        caller = pm.subset_hook_caller("tracklingo_register_carriers", remove_plugins=others)
        before = len(registry.problems)

        def register(
            carrier: Carrier, _n: str = name, _d: str | None = dist, _v: str | None = version
        ) -> None:
            registry.register(carrier, plugin=_n, distribution=_d, version=_v)

        try:
            caller(register=register)
        except Exception as exc:
            fail(name, dist, version, f"failed to register: {_one_line(exc)}")
            continue
        if strict and len(registry.problems) > before:
            raise PluginError(registry.problems[-1].error)
    return registry
