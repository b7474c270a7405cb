"""The advisor in the recipient's language: locale catalogs, their checks, formatting, the
language chain, and every stage, reason and verdict rendered in every locale."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from babel import Locale
from test_advisor import (
    MONDAY,
    SEED,
    AllStages,
    DePost,
    LastMile,
    Overriding,
    _add,
    one_event_journey,
    seed_events,
)

from tracklingo import Registry
from tracklingo.advisor import (
    Advice,
    UnknownLanguageError,
    advise,
    available_languages,
    explain,
    language,
    load_advice,
    load_catalog,
    read_catalog,
    resolve_language,
    situation_entry,
)
from tracklingo.advisor.catalog import placeholders
from tracklingo.advisor.content import Tracker
from tracklingo.advisor.text import compose, step_values
from tracklingo.errors import ConfigError
from tracklingo.journeys import build_journeys
from tracklingo.taxonomy import Reason, Stage

LOCALES = Path(__file__).parents[1] / "src/tracklingo/data/locales"
LANGS = ["de", "en", "es", "fr", "nl", "pl"]
TRANSLATED = [lang for lang in LANGS if lang != "en"]
PLURAL = {"zero", "one", "two", "few", "many", "other"}
COPY_FIELDS = ("headline", "meaning", "where", "holder", "next", "how_soon", "recipient_action")


@pytest.fixture
def reg(acme_registry: Registry) -> Registry:
    return _add(acme_registry, DePost(), LastMile())


def _raw(lang: str) -> dict[str, Any]:
    return tomllib.loads((LOCALES / f"{lang}.toml").read_text(encoding="utf-8"))


def _leaves(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of every text, and of every plural table as a whole."""
    if isinstance(value, dict) and value and set(value) <= PLURAL:
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{key}.{k}" if key else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{key}.{i}")
    else:
        yield key, value


def _texts(value: Any) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


# -- the catalogs ---------------------------------------------------------------------------------


def test_the_shipped_languages() -> None:
    assert available_languages() == tuple(LANGS)
    for lang in LANGS:
        assert load_catalog(lang).code == lang


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_locale_defines_every_key_of_english_and_no_other(lang: str) -> None:
    """Read from the raw file, so a key the loader would default can never hide."""
    source = dict(_leaves(_raw("en")))
    mine = dict(_leaves(_raw(lang)))
    missing = sorted(set(source) - set(mine))
    extra = sorted(set(mine) - set(source))
    assert not missing, f"{lang}.toml misses {missing}"
    assert not extra, f"{lang}.toml has keys English has not: {extra}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_text_has_the_placeholders_of_its_english_source(lang: str) -> None:
    source = dict(_leaves(_raw("en")))
    for key, value in _leaves(_raw(lang)):
        want = set().union(*(placeholders(t) for t in _texts(source[key])))
        for text in _texts(value):
            assert placeholders(text) == want, f"{lang}.toml {key}: {text!r} should use {sorted(want)}"


#: Tables keyed by CLDR ordinal categories ("1st", "2nd", "3rd", "4th"), not plural ones.
ORDINAL_TABLES = {"history.ordinal"}


@pytest.mark.parametrize("lang", LANGS)
def test_plural_tables_have_exactly_the_languages_plural_forms(lang: str) -> None:
    locale = Locale.parse(lang)
    forms = set(locale.plural_form.tags) | {"other"}
    ordinal = set(locale.ordinal_form.tags) | {"other"}
    tables = [(k, v) for k, v in _leaves(_raw(lang)) if isinstance(v, dict)]
    assert len(tables) == 15
    assert {k for k, _ in tables} >= ORDINAL_TABLES
    for key, table in tables:
        want = ordinal if key in ORDINAL_TABLES else forms
        assert set(table) == want, f"{lang}.toml {key}: forms {sorted(table)}, want {sorted(want)}"


def _words(text: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "", text)


#: Texts that are rightly the same as the English one (the word is the same in the language).
SAME_AS_ENGLISH = {
    ("de", "lane.international"),
    ("fr", "lane.international"),
    ("nl", "words.contact"),
    *((lang, "dwell.hours") for lang in ("de", "es", "fr", "pl")),  # "p50 h": the symbol of the hour
}
#: Whole texts that are the same word in the language ("No." in Spanish).
SAME_TEXT = {("es", "No.")}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_text_is_left_in_english(lang: str) -> None:
    source = dict(_leaves(_raw("en")))
    for key, value in _leaves(_raw(lang)):
        if key == "meta.language" or (lang, key) in SAME_AS_ENGLISH:
            continue
        for text, english in zip(_texts(value), _texts(source[key]), strict=False):
            if (lang, text) in SAME_TEXT:
                continue
            if re.search(r"[^\W\d_]", _words(english)):  # a text with words, not just a layout
                assert text != english, f"{lang}.toml {key} is still English: {text!r}"


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (LOCALES / "de.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "de.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_missing_or_extra_key_or_a_wrong_placeholder_is_refused_naming_it(tmp_path: Path) -> None:
    assert read_catalog(LOCALES / "de.toml").code == "de"
    missing = _broken(
        tmp_path,
        'how_soon = "Der nächste Scan kommt meist innerhalb',
        'x = "Der nächste Scan kommt meist innerhalb',
    )
    with pytest.raises(ConfigError, match=r"stage\.accepted\.(how_soon|x)"):
        read_catalog(missing)
    missing = _broken(
        tmp_path, 'headline = "Vom Zoll beschlagnahmt: Sie wird nicht zugestellt"\n', ""
    )  # optional in the model: only the comparison with English finds it
    with pytest.raises(ConfigError, match=r"missing key stage\.customs_hold\.reasons\.seized\.headline"):
        read_catalog(missing)
    extra = _broken(tmp_path, "[ui]\n", '[ui]\nbogus = "x"\n')
    with pytest.raises(ConfigError, match=r"ui\.bogus"):
        read_catalog(extra)
    moved = _broken(
        tmp_path, "Höchstdauer: {usual}; {lane}). {cause}", "Höchstdauer: {usal}; {lane}). {cause}"
    )
    with pytest.raises(ConfigError, match=r"verdict\.stuck: placeholders"):
        read_catalog(moved)
    step = _broken(
        tmp_path,
        "Nennen Sie {carrier} Ihre Öffnungszeiten, oder",
        "Nennen Sie {carier} Ihre Öffnungszeiten, oder",
    )
    with pytest.raises(ConfigError, match="carier"):
        read_catalog(step)
    fewer_steps = _broken(
        tmp_path,
        '    "Halten Sie Rechnung oder Bestellbestätigung bereit: Der Zoll fragt oft nach Warenwert'
        ' und Inhalt.",\n',
        "",
    )
    with pytest.raises(ConfigError, match=r"missing key stage\.customs_hold\.steps\.2"):
        read_catalog(fewer_steps)


def test_every_locale_fits_the_advice_facts() -> None:
    book = load_advice()
    for lang in LANGS:
        assert book.check_catalog(load_catalog(lang)) == [], lang


# -- choosing the language ------------------------------------------------------------------------


def test_an_unknown_language_is_an_error_listing_the_available_ones(reg: Registry) -> None:
    for bad in ("xx", "pt-BR", "klingon"):
        with pytest.raises(
            UnknownLanguageError, match=f"unknown language '{bad}'; available: de, en, es, fr, nl, pl"
        ):
            resolve_language(bad, {})
    with pytest.raises(UnknownLanguageError, match="available: de, en"):
        explain(SEED, reg, lang="xx")
    with pytest.raises(UnknownLanguageError, match=r"\(from TRACKLINGO_LANG\)"):
        resolve_language(None, {"TRACKLINGO_LANG": "xx"})


def test_the_language_comes_from_the_option_then_tracklingo_lang_then_the_system() -> None:
    env = {"TRACKLINGO_LANG": "fr", "LC_ALL": "es_ES.UTF-8", "LC_MESSAGES": "nl_NL", "LANG": "pl_PL"}
    assert resolve_language("de", env) == "de"
    assert resolve_language(None, env) == "fr"
    assert resolve_language(None, {**env, "TRACKLINGO_LANG": ""}) == "es-ES"
    assert resolve_language(None, {"LC_MESSAGES": "nl_NL.UTF-8", "LANG": "pl_PL"}) == "nl-NL"
    assert resolve_language(None, {"LANG": "pl_PL.UTF-8"}) == "pl-PL"
    assert resolve_language(None, {"LANG": "de_AT.UTF-8@euro"}) == "de-AT"
    # a system locale tracklingo does not speak means English, not an error
    assert resolve_language(None, {"LANG": "ja_JP.UTF-8"}) == "en"
    assert resolve_language(None, {"LC_ALL": "C", "LANG": "de_DE"}) == "en"  # the first one set decides
    assert resolve_language(None, {}) == "en"


def test_a_regional_variant_speaks_its_language_and_formats_as_its_region(reg: Registry) -> None:
    assert load_catalog("de-AT") is load_catalog("de")
    assert load_catalog("de_AT") is load_catalog("de")
    austrian = language("de_AT.UTF-8")
    assert austrian.tag == "de-AT" and austrian.catalog is load_catalog("de")
    [at] = explain(SEED, reg, lang="de-AT")
    [de] = explain(SEED, reg, lang="de")
    assert at.lang == "de-AT" and de.lang == "de"
    assert at.model_dump(exclude={"lang"}) == de.model_dump(exclude={"lang"})
    # the CLDR data of the region: Austrian German names January "Jänner"
    assert "Jänner" in austrian.fill("{m}", m=_month(austrian, 1))
    assert "Januar" in _month(language("de"), 1)


def _month(lang: Any, month: int) -> str:
    from babel.dates import format_date

    return format_date(datetime(2026, month, 5), "MMMM", locale=lang.tag.replace("-", "_"))


# -- formatting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "day", "naive_note", "fraction", "one_day", "business"),
    [
        ("en", "2026-11-13 14:03", "(carrier local time)", "7.6 days", "1 day", "3 business days"),
        ("de", "13.11.2026, 14:03", "(Ortszeit des Paketdienstes)", "7,6 Tage", "1 Tag", "3 Werktage"),
        (
            "es",
            "13 nov 2026, 14:03",
            "(hora local del transportista)",
            "7,6 días",
            "1 día",
            "3 días laborables",
        ),
        (
            "fr",
            "13 nov. 2026, 14:03",
            "(heure locale du transporteur)",
            "7,6 jours",
            "1 jour",
            "3 jours ouvrés",
        ),
        ("nl", "13 nov 2026, 14:03", "(lokale tijd van de vervoerder)", "7,6 dagen", "1 dag", "3 werkdagen"),
        ("pl", "13 lis 2026, 14:03", "(czas lokalny przewoźnika)", "7,6 dnia", "1 dzień", "3 dni robocze"),
    ],
)
def test_dates_numbers_and_durations_are_formatted_for_the_locale(
    lang: str, day: str, naive_note: str, fraction: str, one_day: str, business: str
) -> None:
    speech = language(lang)
    when = datetime(2026, 11, 13, 14, 3, tzinfo=UTC)
    assert speech.time(when).startswith(day) and speech.time(when) != day  # with its offset
    assert speech.time(when.replace(tzinfo=None)) == f"{day} {naive_note}"
    assert speech.duration(7.6 * 24) == fraction
    assert speech.duration(24) == one_day
    assert speech.duration(72, business=True) == business


def test_polish_uses_its_four_plural_forms() -> None:
    pl = language("pl")
    assert [pl.duration(24 * n) for n in (1, 2, 5, 12, 22, 25)] == [
        "1 dzień",
        "2 dni",
        "5 dni",
        "12 dni",
        "22 dni",
        "25 dni",
    ]
    assert [pl.duration(h) for h in (1, 3, 5, 22)] == ["1 godzina", "3 godziny", "5 godzin", "22 godziny"]
    assert pl.duration(24 * 7.5, business=True) == "7,5 dnia roboczego"
    assert pl.number(1234567) == "1\xa0234\xa0567"


def test_babel_is_imported_only_for_other_languages_than_english() -> None:
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from tracklingo.advisor import language, load_advice\n"
        "en = language('en'); load_advice()\n"
        "en.time(datetime.now(UTC)); en.duration(50); en.number(1234.5, 1)\n"
        "assert 'babel' not in sys.modules, 'English imported Babel'\n"
        "language('de').time(datetime.now(UTC))\n"
        "assert 'babel' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# -- every stage, reason and verdict in every language ---------------------------------------------


def _situations() -> list[tuple[Stage, Reason | None]]:
    book = load_advice()
    out: list[tuple[Stage, Reason | None]] = [(s, None) for s in Stage]
    for stage, facts in book.stage.items():
        out += [(stage, r) for r in facts.reasons]
    out += [(Stage.IN_TRANSIT, r) for r in book.reason]  # the shared copy: no entry of its own
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_stage_and_reason_renders_in_every_language(lang: str, reg: Registry) -> None:
    book, speech = load_advice(), language(lang)
    english = load_catalog("en")
    carrier = reg.get("acme")
    for stage, reason in _situations():
        entry = situation_entry(book, speech.catalog, stage, reason)
        act, action, steps = compose(entry, step_values(carrier, "ACME42", speech))
        texts = [*(getattr(entry, f) for f in COPY_FIELDS if f != "recipient_action"), action, *steps]
        assert all(t.strip() and "{" not in t for t in texts), (lang, stage, reason)
        assert act == situation_entry(book, english, stage, reason).recipient_must_act
        if lang != "en":
            assert entry.headline != situation_entry(book, english, stage, reason).headline


def _advice(reg: Registry, lang: str, stage: Stage, now: datetime, **kw: Any) -> Advice:
    return advise(one_event_journey(stage, kw.pop("when", MONDAY), **kw), reg, now, lang=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_every_verdict_renders_in_every_language(lang: str, reg: Registry) -> None:
    speech = language(lang)
    words = speech.catalog.verdict
    stuck = _advice(reg, lang, Stage.IN_TRANSIT, MONDAY + timedelta(days=20))
    on_track = _advice(reg, lang, Stage.IN_TRANSIT, MONDAY + timedelta(hours=3))
    business = _advice(reg, lang, Stage.CUSTOMS_HOLD, MONDAY + timedelta(days=12), international=True)
    done = _advice(reg, lang, Stage.DELIVERED, MONDAY + timedelta(hours=3))
    undated = _advice(reg, lang, Stage.IN_TRANSIT, MONDAY, when=None)
    assert (stuck.verdict, on_track.verdict, business.verdict) == ("stuck", "on_track", "stuck")
    assert (done.verdict, undated.verdict) == ("done", "unknown")
    assert stuck.verdict_text.startswith(words.labelled.format(label=words.stuck_label, text=""))
    assert on_track.verdict_text.startswith(words.labelled.format(label=words.on_track_label, text=""))
    assert speech.duration(120) in stuck.verdict_text  # the usual 5 days, in this language
    assert speech.duration(120, business=True) in business.verdict_text
    assert done.verdict_text == speech.catalog.stage[Stage.DELIVERED].not_timed
    assert undated.verdict_text == words.no_date
    # unknown status, with the last status it knew, and scans after `now` left out
    [journey] = build_journeys(seed_events(reg), reg)
    first = journey.events[0].occurred_at
    assert first is not None
    later = advise(journey, reg, first + timedelta(hours=1), lang=lang)
    assert later.later_scans == 4
    assert (
        speech.count(words.later_scans, 4, time=speech.time(first + timedelta(hours=1))) in later.verdict_text
    )
    unknown = one_event_journey(Stage.IN_TRANSIT, MONDAY)
    teleported = unknown.events[0].model_copy(
        update={
            "stage": Stage.UNKNOWN,
            "status": Stage.UNKNOWN.status,
            "description": "Teleported",
            "occurred_at": MONDAY + timedelta(hours=1),
        }
    )
    unknown = unknown.model_copy(update={"events": [*unknown.events, teleported]})
    said = advise(unknown, reg, MONDAY + timedelta(hours=2), lang=lang).verdict_text
    assert said.startswith(speech.catalog.stage[Stage.UNKNOWN].not_timed or "")
    assert words.latest_status.format(status="Teleported") in said
    assert speech.catalog.stage[Stage.IN_TRANSIT].name in said
    for advice in (stuck, on_track, business, done, undated, later):
        assert "{" not in advice.verdict_text and advice.lang == lang
    # the escalation ladder
    assert [s.kind for s in stuck.escalation] == ["carrier", "tracker", "sender"]
    for step in stuck.escalation:
        assert step.contact and step.detail and "{" not in step.contact + step.detail
    assert stuck.escalation[2].contact == speech.catalog.ladder.sender.contact


@pytest.mark.parametrize("lang", TRANSLATED)
def test_nothing_but_the_carriers_own_words_stays_english(lang: str, reg: Registry) -> None:
    [journey] = build_journeys(seed_events(reg), reg)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    english, local = advise(journey, reg, now), advise(journey, reg, now, lang=lang)
    assert local.description == english.description == SEED  # exactly as the carrier wrote it
    assert local.synonyms == english.synonyms  # other carriers' words, as they wrote them
    for field in (*COPY_FIELDS[:-1], "verdict_text"):
        assert getattr(local, field) != getattr(english, field), field
    assert local.next_steps != english.next_steps
    assert [s.detail for s in local.escalation] != [s.detail for s in english.escalation]
    assert f"{SEED}" in local.escalation[0].detail  # the carrier's words quoted, untranslated


# -- reads as German throughout -------------------------------------------------------------------


def _word_set(texts: list[str]) -> set[str]:
    return {w.lower() for t in texts for w in re.findall(r"[^\W\d_]{3,}", _words(t))}


def english_only_words(lang: str) -> set[str]:
    """Words of the English copy that the other language's copy never uses ("customs", "parcel";
    not "tracklingo" or "Tracking", which both use)."""

    def texts(code: str) -> list[str]:
        return [t for _, v in _leaves(_raw(code)) for t in _texts(v)]

    return _word_set(texts("en")) - _word_set(texts(lang))


def test_explain_reads_as_german_throughout(reg: Registry) -> None:
    [exp] = explain(SEED, reg, lang="de")
    copy = [
        *(getattr(exp, f) for f in COPY_FIELDS),
        *exp.next_steps,
        *exp.usual_dwell.values(),
    ]
    leaked = _word_set(copy) & english_only_words("de")
    assert not leaked, f"English words in the German explanation: {sorted(leaked)}"
    assert exp.headline == "Vom Zoll freigegeben: auf dem Weg zum Zusteller"
    assert exp.usual_dwell == {"domestic": "5 Tage", "international": "5 Tage"}
    assert "Item returned from customs (import)" in exp.synonyms  # carrier words stay as written


@pytest.mark.parametrize("lang", TRANSLATED)
def test_explain_speaks_each_language_for_every_stage(lang: str, reg: Registry) -> None:
    registry = _add(reg, AllStages())
    foreign = english_only_words(lang)
    for stage in Stage:
        if stage is Stage.UNKNOWN:
            continue
        [exp] = explain(f"toy {stage.value}", registry, lang=lang)
        copy = [*(getattr(exp, f) for f in COPY_FIELDS), *exp.next_steps, *exp.usual_dwell.values()]
        copy = [t.replace("All Stages Test", "") for t in copy]  # the carrier's name stays its own
        leaked = _word_set(copy) & foreign
        assert not leaked, (stage, sorted(leaked))
    [unknown] = explain("Parcel has been teleported", registry, lang=lang)
    assert not unknown.known and unknown.headline == load_catalog(lang).stage[Stage.UNKNOWN].headline


# -- links and carriers' overrides ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "path"), [("de", "de"), ("de-AT", "de"), ("pl", "pl"), ("en", "en"), ("fr", "fr")]
)
def test_tracker_links_use_the_language_path_and_carrier_pages_stay(
    lang: str, path: str, reg: Registry
) -> None:
    stuck = _advice(reg, lang, Stage.IN_TRANSIT, MONDAY + timedelta(days=20))
    english = _advice(reg, "en", Stage.IN_TRANSIT, MONDAY + timedelta(days=20))
    tracker = stuck.escalation[1]
    assert tracker.link == f"https://t.17track.net/{path}#nums=ACME42"
    assert tracker.more_links == [f"https://parcelsapp.com/{path}/tracking/ACME42"]
    assert stuck.escalation[0].link == english.escalation[0].link  # the carrier's own page


def test_a_site_without_the_language_gets_its_default() -> None:
    site = Tracker(name="T", url="https://t.example/{lang}/{number}", languages=["de"], default_language="en")
    assert site.link(["A1"], "de-AT") == "https://t.example/de/A1"
    assert site.link(["A1"], "pl") == "https://t.example/en/A1"
    with pytest.raises(ValueError, match="number"):
        Tracker(name="T", url="https://t.example/{lang}")


class Translating(Overriding):
    name = "translating"
    advice_overrides: ClassVar[dict[str, Any]] = {
        "customs_cleared": {
            **Overriding.advice_overrides["customs_cleared"],
            "translations": {
                "de": {
                    "how_soon": "Overriding Post scannt freigegebene Sendungen innerhalb von 10 Tagen.",
                    "steps": ["Rufen Sie den Zolldienst von Overriding Post an: +1 555 0142."],
                }
            },
        }
    }


def test_a_carriers_override_speaks_its_translation_or_its_own_words(reg: Registry) -> None:
    registry = _add(reg, Translating())
    journey = one_event_journey(Stage.CUSTOMS_CLEARED, MONDAY, international=True, carrier="translating")
    now = MONDAY + timedelta(days=1)
    de, at, fr = (advise(journey, registry, now, lang=x) for x in ("de", "de-AT", "fr"))
    assert (
        de.how_soon == at.how_soon == "Overriding Post scannt freigegebene Sendungen innerhalb von 10 Tagen."
    )
    assert de.next_steps[-1] == "Rufen Sie den Zolldienst von Overriding Post an: +1 555 0142."
    assert de.next_steps[0] == load_catalog("de").stage[Stage.CUSTOMS_CLEARED].steps[0]
    # no French translation: the carrier's own instruction is kept rather than dropped
    assert fr.how_soon == "Overriding Post scans released parcels within 10 days."
    assert fr.expected_dwell_hours == de.expected_dwell_hours == 240
