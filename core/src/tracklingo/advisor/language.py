"""`Language`: a catalog and the formatting of times, numbers and durations for one locale.

English is formatted with the standard library, as tracklingo always has (``2024-03-05 14:07+01:00``,
``7.6 days``). Every other language is formatted by Babel from the CLDR data for its tag
(``de-AT`` gets Austrian month names, Polish gets its four plural forms): Babel is imported only
then, so English output never pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from tracklingo.advisor.catalog import (
    SOURCE_LANGUAGE,
    Catalog,
    PluralCategory,
    load_catalog,
    normalize_tag,
)

if TYPE_CHECKING:
    from babel import Locale as BabelLocale


@cache
def _babel_locale(tag: str) -> BabelLocale:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(tag.split("-", 1)[0])


def _english_plural(n: float) -> PluralCategory:
    return "one" if n == 1 and not isinstance(n, float) else "other"


def _english_ordinal(n: int) -> PluralCategory:
    """CLDR's English ordinal categories: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st..."""
    tens, units = n % 100, n % 10
    if units in (1, 2, 3) and tens not in (11, 12, 13):
        return cast(PluralCategory, {1: "one", 2: "two", 3: "few"}[units])
    return "other"


@dataclass(frozen=True)
class Language:
    """What the advisor speaks in: `tag` (as asked, e.g. ``de-AT``) and the `catalog` that serves it."""

    tag: str
    catalog: Catalog = field(repr=False)

    @property
    def english(self) -> bool:
        """Whether this is English (formatted without Babel)."""
        return self.tag.split("-", 1)[0] == SOURCE_LANGUAGE

    def _babel(self) -> BabelLocale:
        return _babel_locale(self.tag)

    # -- numbers -----------------------------------------------------------------------------

    def number(self, value: float, decimals: int = 0, *, fixed: bool = False) -> str:
        """`value` with `decimals` decimal places at most (exactly, when `fixed`: for columns),
        grouped and punctuated for the locale."""
        if self.english:
            return f"{value:,.{decimals}f}" if decimals else f"{round(value):,}"
        from babel.numbers import format_decimal

        digit = "0" if fixed else "#"
        pattern = "#,##0" + ("." + digit * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self._babel())

    def plural_form(self, n: float) -> PluralCategory:
        """The CLDR plural category of `n` (an `int` for whole counts, a `float` for fractions)."""
        if self.english:
            return _english_plural(n)
        return cast(PluralCategory, self._babel().plural_form(n))

    def count(self, table: dict[PluralCategory, str], n: float, decimals: int = 0, **values: str) -> str:
        """The form of `table` for `n`, with ``{n}`` (formatted) and `values` filled in."""
        form = table.get(self.plural_form(n)) or table["other"]
        return form.format_map({**values, "n": self.number(n, decimals)})

    def ordinal(self, table: dict[PluralCategory, str], n: int) -> str:
        """The form of the ordinal `table` for `n` by its CLDR ordinal category ("90th", "90.",
        "1er"), with ``{n}`` filled in."""
        category = _english_ordinal(n) if self.english else self._babel().ordinal_form(n)
        form = table.get(cast(PluralCategory, category)) or table["other"]
        return form.format_map({"n": self.number(n)})

    # -- durations and times ---------------------------------------------------------------

    def duration(self, hours: float, business: bool = False, *, hours_below: float = 48) -> str:
        """A duration for people: "5 hours", "3 business days", "7.6 days" (or their translation):
        whole hours under `hours_below` hours, else days to one decimal (24 hours a day; Monday-
        Friday hours when `business`)."""
        units = self.catalog.units
        days_table = units.business_days if business else units.days
        if hours >= 24 and abs(hours / 24 - round(hours / 24)) < 1e-9:
            return self.count(days_table, round(hours / 24))
        if hours < hours_below:
            return self.count(units.business_hours if business else units.hours, round(hours))
        days = round(hours / 24, 1)
        return self.count(days_table, int(days) if days.is_integer() else days, decimals=1)

    def time(self, when: datetime) -> str:
        """A time to the minute, with its UTC offset; said to be carrier local time when it has none."""
        if self.english:
            text = when.isoformat(sep=" ", timespec="minutes")
        else:
            from babel.dates import format_date, format_time, get_timezone_gmt

            locale = self._babel()
            pattern = str(locale.datetime_formats["medium"]).replace("'", "")
            text = pattern.format(
                format_time(when, "HH:mm", locale=locale), format_date(when, "medium", locale=locale)
            )
            if when.tzinfo is not None:
                text += " " + get_timezone_gmt(when, locale=locale)
        if when.tzinfo is None:
            return self.catalog.words.local_time.format(time=text)
        return text

    def day(self, when: date, *, month: bool = True, year: bool = False) -> str:
        """A day with its weekday, as in a range of dates: "Tue 24", "Tue 24 Nov", "Tue 24 Nov
        2026" in English; elsewhere CLDR's forms of the same (``Ed``, ``MMMEd``, ``yMMMEd``:
        "Di., 24. Nov."). The year only with the month. A datetime counts in its own time zone."""
        day = when.date() if isinstance(when, datetime) else when
        year = year and month
        if self.english:
            text = f"{day:%a} {day.day}"
            if month:
                text += f" {day:%b}"
            return f"{text} {day.year}" if year else text
        from babel.dates import format_skeleton

        skeleton = ("yMMM" if year else "MMM" if month else "") + "Ed"
        return format_skeleton(skeleton, day, locale=self._babel())

    # -- words -------------------------------------------------------------------------------

    def either(self, names: list[str]) -> str:
        """The names joined by "or" in this language ("A or B or C")."""
        if not names:
            return ""
        text = names[0]
        for name in names[1:]:
            text = self.catalog.words.either.format(first=text, second=name)
        return text

    def both(self, names: list[str]) -> str:
        """The names joined by "and" in this language ("A, B and C")."""
        if not names:
            return ""
        if len(names) == 1:
            return names[0]
        return self.catalog.words.both.format(first=", ".join(names[:-1]), second=names[-1])

    def fill(self, template: str, **values: Any) -> str:
        """`template` with its placeholders filled."""
        return template.format_map(values)


def language(lang: str | None = None) -> Language:
    """The `Language` for tag `lang` (default English; ``de-AT`` speaks from ``de.toml`` and
    formats as Austrian German). Raises `UnknownLanguageError` when no locale serves it."""
    tag = normalize_tag(lang or SOURCE_LANGUAGE) or SOURCE_LANGUAGE
    return Language(tag, load_catalog(tag))
