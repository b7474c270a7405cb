"""Peer status maps: what AfterShip, 17TRACK, EasyPost and Shippo call each canonical stage, as data.

Each peer has one TOML file in ``tracklingo/data/interop/`` (see the comments at the top of
``aftership.toml`` for the layout): the codes tracklingo may emit (each published by the peer with a
meaning, with its source), the export rules (stage or stage/reason -> code, with what is lost), and
the import fallback (peer code -> stage and reason). `load_peer` reads and checks one file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from tracklingo import tomlcache
from tracklingo.errors import ConfigError
from tracklingo.taxonomy import Reason, Stage

__all__ = ["PEERS", "ImportRule", "PeerCode", "PeerMap", "load_peer"]

#: Every peer tracklingo can export to and import from, in the CLI's order.
PEERS: Final = ("aftership", "17track", "easypost", "shippo")


@dataclass(frozen=True, slots=True)
class PeerCode:
    """One peer status tracklingo may emit: its `key` in the map, the peer's `fields` exactly as
    the peer writes them (e.g. ``{"tag": "InTransit", "subtag": "InTransit_003", ...}``), and the
    URL of the page that publishes it."""

    key: str
    fields: MappingProxyType[str, str]
    source: str


@dataclass(frozen=True, slots=True)
class ExportRule:
    """A canonical stage (and reason) -> `code`; `lost` names what the code cannot express."""

    code: PeerCode
    lost: str | None = None


@dataclass(frozen=True, slots=True)
class ImportRule:
    """A peer code -> canonical `stage` (and `reason`), the fallback for unmapped carrier text."""

    stage: Stage
    reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class PeerMap:
    """One peer's map (see the module docstring)."""

    peer: str
    name: str
    fields: tuple[str, ...]
    sources: MappingProxyType[str, str]
    codes: MappingProxyType[str, PeerCode]
    export: MappingProxyType[str, ExportRule]
    imports: MappingProxyType[str, ImportRule]
    import_tags: MappingProxyType[str, ImportRule]

    def export_rule(self, stage: Stage, reason: Reason | None) -> tuple[ExportRule, bool]:
        """The rule for `stage` and `reason`, and whether it was written for that reason (False:
        the stage's own rule, so the reason is not expressed)."""
        if reason is not None:
            rule = self.export.get(f"{stage.value}/{reason.value}")
            if rule is not None:
                return rule, True
        return self.export[stage.value], reason is None

    def import_rule(self, code: str | None, tag: str | None = None) -> ImportRule | None:
        """The fallback for a peer code (sub-status, subtag, ``status/status_detail``), else for
        its coarse tag or status alone; None when neither is known."""
        found = self.import_for(code, tag)
        return found[0] if found is not None else None

    def import_for(self, code: str | None, tag: str | None = None) -> tuple[ImportRule, str] | None:
        """`import_rule` with the peer value that decided: the code itself, else a tag that is one
        of the codes (17TRACK events carry a sub-status in ``stage``), else the tag, else the
        coarse status the code names before its ``/`` or else its first ``_`` (``InTransit_012`` ->
        ``InTransit``, ``in_transit/new`` -> ``in_transit``): an unlisted code is read no finer
        than its published status."""
        for value in (code, tag):
            if value and (rule := self.imports.get(value)) is not None:
                return rule, value
        if tag and (rule := self.import_tags.get(tag)) is not None:
            return rule, tag
        for value in (code, tag):
            if value:
                head = value.split("/", 1)[0] if "/" in value else value.split("_", 1)[0]
                if head != value and (rule := self.import_tags.get(head)) is not None:
                    return rule, head
        return None


def _table(data: dict[str, Any], key: str, peer: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"interop map {peer}: [{key}] must be a table")
    return value


def _import_rules(table: dict[str, Any], where: str) -> dict[str, ImportRule]:
    rules = {}
    for key, spec in table.items():
        try:
            reason = spec.get("reason")
            rules[key] = ImportRule(Stage(spec["stage"]), Reason(reason) if reason else None)
        except (KeyError, ValueError, AttributeError) as exc:
            raise ConfigError(f"interop map {where}: bad rule {key!r}: {exc}") from None
    return rules


def _parse(peer: str, data: dict[str, Any]) -> PeerMap:
    meta = _table(data, "meta", peer)
    sources = {str(k): str(v) for k, v in _table(meta, "sources", peer).items()}
    fields = tuple(meta.get("fields", ()))
    codes: dict[str, PeerCode] = {}
    for key, spec in _table(data, "codes", peer).items():
        spec = dict(spec)
        src = spec.pop("src", None)
        if src not in sources:
            raise ConfigError(f"interop map {peer}: code {key!r} names no known source ({src!r})")
        unknown = set(spec) - set(fields)
        if unknown or not spec:
            raise ConfigError(
                f"interop map {peer}: code {key!r} has fields {sorted(unknown)} not in {fields}"
            )
        codes[key] = PeerCode(key, MappingProxyType({k: str(v) for k, v in spec.items()}), sources[src])
    export: dict[str, ExportRule] = {}
    for key, spec in _table(data, "export", peer).items():
        stage, _, reason = key.partition("/")
        try:
            Stage(stage)
            if reason:
                Reason(reason)
        except ValueError as exc:
            raise ConfigError(f"interop map {peer}: export key {key!r}: {exc}") from None
        code = codes.get(spec.get("code"))
        if code is None:
            raise ConfigError(
                f"interop map {peer}: export {key!r} names an unlisted code {spec.get('code')!r}"
            )
        export[key] = ExportRule(code, spec.get("lost"))
    missing = [s.value for s in Stage if s.value not in export]
    if missing:
        raise ConfigError(f"interop map {peer}: no export rule for stage(s) {', '.join(missing)}")
    return PeerMap(
        peer=peer,
        name=str(meta.get("name", peer)),
        fields=fields,
        sources=MappingProxyType(sources),
        codes=MappingProxyType(codes),
        export=MappingProxyType(export),
        imports=MappingProxyType(_import_rules(_table(data, "import", peer), peer)),
        import_tags=MappingProxyType(_import_rules(_table(data, "import_tags", peer), peer)),
    )


@functools.cache
def load_peer(peer: str) -> PeerMap:
    """The map for `peer` (one of `PEERS`), read once; `ConfigError` for an unknown peer or a
    map that fails its checks (every stage has an export rule, every code has a source...)."""
    name = peer.strip().lower()
    if name not in PEERS:
        raise ConfigError(f"unknown peer {peer!r} (known: {', '.join(PEERS)})")
    text = resources.files("tracklingo").joinpath("data", "interop", f"{name}.toml").read_bytes()
    return _parse(name, tomlcache.loads(text.decode("utf-8")))
