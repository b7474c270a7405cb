"""Well-known carriers by name, installed or not: which ones a text mentions.

``tracklingo explain "Processing at UPS Facility"`` answers from the installed vocabularies only; when
the text names a well-known carrier whose plugin is not installed, it says so. The list is data
(``data/known_carriers.toml``), each carrier with its own site as the source.

>>> from tracklingo.known_carriers import mentioned_carriers
>>> [c.name for c in mentioned_carriers("Processing at UPS Facility", installed={"usps"})]
['ups']
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tracklingo import tomlcache

__all__ = ["KnownCarrier", "known_carriers", "mentioned_carriers"]


@dataclass(frozen=True, slots=True)
class KnownCarrier:
    """A carrier people know by name; `name` is what its tracklingo plugin would register."""

    name: str
    display_name: str
    names: tuple[str, ...]
    source: str

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.names)


@cache
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for written in names:
        body = r"\s+".join(re.escape(word) for word in written.split())
        # Acronyms match in capitals only: "UPS" is the carrier, "ups" a word.
        parts.append(body if written.isupper() else f"(?i:{body})")
    return re.compile(r"(?<![\w.])(?:" + "|".join(parts) + r")(?!\w)")


@cache
def known_carriers() -> tuple[KnownCarrier, ...]:
    """Every carrier in the list, in its order."""
    text = resources.files("tracklingo").joinpath("data", "known_carriers.toml").read_text("utf-8")
    return tuple(
        KnownCarrier(c["name"], c["display_name"], tuple(c["names"]), c["source"])
        for c in tomlcache.loads(text)["carrier"]
    )


def _may_name(carrier: KnownCarrier, text: str, lowered: str | None) -> bool:
    """False only when `text` certainly does not match the carrier's pattern: for ASCII text
    (`lowered`: its lower case), when it lacks the first word of each of its ASCII names, in
    capitals for an acronym, else in any case. Spares compiling the patterns of carriers a text
    cannot name (most texts name none)."""
    if lowered is None:
        return True
    for written in carrier.names:
        first = written.split()[0]
        if not first.isascii() or (first in text if written.isupper() else first.lower() in lowered):
            return True
    return False


def mentioned_carriers(text: str, installed: Collection[str] = ()) -> list[KnownCarrier]:
    """The well-known carriers `text` names whose plugin is not among `installed` (carrier names)."""
    taken = {name.lower() for name in installed}
    lowered = text.lower() if text.isascii() else None
    return [
        c
        for c in known_carriers()
        if c.name not in taken and _may_name(c, text, lowered) and c.pattern.search(text)
    ]
