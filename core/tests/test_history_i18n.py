"""The dwell history in the recipient's language: its verdicts (by the history, by the fixed
threshold, by nothing) and its delivery windows in every locale, with the locale's numbers,
ordinals, plural forms, stage and lane names and dates; nothing left in English."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from test_history import HUNDRED, SINCE, _history, _stats

from tracklingo.advisor import language
from tracklingo.history import History, Position, Prior, lane_name
from tracklingo.taxonomy import Stage

LANGS = ["de", "en", "es", "fr", "nl", "pl"]
NB = "\u00a0"

#: The end of the verdict of a parcel 97.5 hours in transit (stuck) and 5 hours in (on track),
#: against 100 parcels: the percentile as an ordinal, the count in its plural form.
BEYOND_WITHIN = {
    "en": ("Beyond the 90th percentile of 100 parcels: stuck.",
           "Within the 90th percentile of 100 parcels: on track."),
    "de": ("Über dem 90. Perzentil von 100 Sendungen: hängt fest.",
           "Innerhalb des 90. Perzentils von 100 Sendungen: im Plan."),
    "es": ("Por encima del percentil 90 de 100 envíos: atascado.",
           "Dentro del percentil 90 de 100 envíos: según lo previsto."),
    "fr": (f"Au-delà du 90e centile de 100 colis{NB}: bloqué.",
           f"En deçà du 90e centile de 100 colis{NB}: dans les temps."),
    "nl": ("Boven het 90e percentiel van 100 pakketten: vastgelopen.",
           "Binnen het 90e percentiel van 100 pakketten: op schema."),
    "pl": ("Powyżej 90. percentyla (próba: 100 przesyłek): utknęła.",
           "W granicach 90. percentyla (próba: 100 przesyłek): zgodnie z planem."),
}
#: The median of 1..100 hours (50.5: 2.1 days) and the parcel's 97.5 hours (4.1 days).
DAYS = {
    "en": ("2.1 days", "4.1 days"),
    "de": ("2,1 Tage", "4,1 Tage"),
    "es": ("2,1 días", "4,1 días"),
    "fr": ("2,1 jours", "4,1 jours"),
    "nl": ("2,1 dagen", "4,1 dagen"),
    "pl": ("2,1 dnia", "4,1 dnia"),
}
#: Twelve parcels, thirty needed: the fixed threshold of five days decides.
TOO_FEW = {
    "en": "Only 12 parcels like this one (USPS, in transit, international outbound) in your history"
          " (30 needed): judged by the fixed threshold of 5 days instead.",
    "de": "Nur 12 vergleichbare Sendungen (USPS, unterwegs, international ausgehend) in Ihren"
          " Sendungsdaten (benötigt: 30); deshalb entscheidet die feste Höchstdauer: 5 Tage.",
    "es": "Solo 12 envíos como este (USPS, en tránsito, internacional de salida) en su historial"
          " (se necesitan 30): se ha juzgado con el plazo fijo de 5 días.",
    "fr": "Seulement 12 colis comparables (USPS, en transit, international sortant) dans votre"
          f" historique (il en faut 30){NB}: jugé d'après le délai fixe de 5 jours.",
    "nl": "Slechts 12 vergelijkbare pakketten (USPS, onderweg, internationaal uitgaand) in je historie"
          " (30 nodig): beoordeeld op de vaste termijn van 5 dagen.",
    "pl": "Tylko 12 przesyłek takich jak ta (USPS, w drodze, przesyłka międzynarodowa wychodząca)"
          " w Twojej historii (potrzeba: 30), więc decyduje stała norma: 5 dni.",
}
#: 100 parcels delivered 1..100 hours after customs clearance, this one cleared on Friday 20
#: November 2026 at 08:00 UTC: p10-p90 from 18:00 that day to 02:00 on Tuesday 24.
WINDOW = {
    "en": "Likely delivered: between Fri 20 and Tue 24 Nov (80 % of 100 parcels like this one in your"
          " history).",
    "de": "Voraussichtliche Zustellung: zwischen Fr., 20. und Di., 24. Nov. (80 % von 100 vergleichbaren"
          " Sendungen in Ihren Sendungsdaten).",
    "es": "Entrega probable: entre el vie 20 y el mar, 24 nov (80 % de 100 envíos como este en su"
          " historial).",
    "fr": f"Livraison probable{NB}: entre le ven. 20 et le mar. 24 nov. (80{NB}% de 100 colis comparables"
          " dans votre historique).",
    "nl": "Waarschijnlijk bezorgd: tussen vr 20 en di 24 nov (80% van 100 vergelijkbare pakketten in je"
          " historie).",
    "pl": "Prawdopodobna dostawa: pt., 20 – wt., 24 lis (80% z 100 podobnych przesyłek w Twojej"
          " historii).",
}


def _in_transit() -> History:
    """USPS in transit: 100 international parcels (1..100 hours), 12 of them inbound."""
    return _history(
        _stats("usps", Stage.IN_TRANSIT, "international", HUNDRED),
        _stats("usps", Stage.IN_TRANSIT, "inbound", HUNDRED[:12]),
        _stats("usps", Stage.IN_TRANSIT, "outbound", HUNDRED[:12]),
    )


def _filled(text: str) -> None:
    assert "{" not in text and "}" not in text, text


@pytest.mark.parametrize("lang", LANGS)
def test_the_history_verdict_renders_in_every_language(lang: str) -> None:
    speech = language(lang)
    history = _in_transit()
    inbound = Position("usps", Stage.IN_TRANSIT, "inbound", SINCE)
    slow = history.judge(inbound, SINCE + timedelta(hours=97.5), prior=Prior(120), lang=lang)
    fine = history.judge(inbound, SINCE + timedelta(hours=5), prior=Prior(120), lang=speech)
    assert (slow.basis, slow.stuck, fine.basis, fine.stuck) == ("history", True, "history", False)
    beyond, within = BEYOND_WITHIN[lang]
    assert slow.text.endswith(" " + beyond) and fine.text.endswith(" " + within)
    median, elapsed = DAYS[lang]
    assert median in slow.text and elapsed in slow.text
    assert speech.catalog.stage[Stage.IN_TRANSIT].name in slow.text
    assert lane_name("inbound", speech) in slow.text
    assert speech.catalog.history.source_pooled in slow.text  # the pooled lane answered
    assert re.search(r"\b97\s?%", slow.text)  # slower than 97 % of them

    outbound = Position("usps", Stage.IN_TRANSIT, "outbound", SINCE)
    alone = _history(_stats("usps", Stage.IN_TRANSIT, "outbound", HUNDRED[:12]))
    prior = alone.judge(outbound, SINCE + timedelta(hours=60), prior=Prior(120), lang=lang)
    assert (prior.basis, prior.stuck) == ("threshold", False)
    assert prior.text == TOO_FEW[lang]
    nothing = alone.judge(outbound, SINCE + timedelta(hours=60), lang=lang)
    assert nothing.basis == "none" and nothing.text.startswith(TOO_FEW[lang].split(" (")[0])
    assert nothing.text != prior.text
    texts = [slow.text, fine.text, prior.text, nothing.text]
    for text in texts:
        _filled(text)
    if lang != "en":  # every sentence differs from its English one
        english = [
            history.judge(inbound, SINCE + timedelta(hours=97.5), prior=Prior(120)).text,
            history.judge(inbound, SINCE + timedelta(hours=5), prior=Prior(120)).text,
            alone.judge(outbound, SINCE + timedelta(hours=60), prior=Prior(120)).text,
            alone.judge(outbound, SINCE + timedelta(hours=60)).text,
        ]
        assert all(mine != theirs for mine, theirs in zip(texts, english, strict=True))
        assert not any(w in t for t in texts for w in ("parcel", "history", "percentile", "threshold"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_delivery_window_renders_in_every_language(lang: str) -> None:
    history = _history(_stats("fedex", Stage.CUSTOMS_CLEARED, "international", HUNDRED, delivered=HUNDRED))
    where = Position("fedex", Stage.CUSTOMS_CLEARED, "international", SINCE)
    window = history.delivery_window(where, SINCE, lang=lang)
    assert window is not None
    assert window.text == WINDOW[lang]
    assert (window.earliest, window.latest) == (SINCE + timedelta(hours=10), SINCE + timedelta(hours=90))


def test_window_dates_one_day_across_months_and_years() -> None:
    one_day = _history(_stats("usps", Stage.OUT_FOR_DELIVERY, "domestic", HUNDRED, delivered=[2.0] * 50))
    here = Position("usps", Stage.OUT_FOR_DELIVERY, "domestic", SINCE)
    said = {lang: one_day.delivery_window(here, SINCE, lang=lang) for lang in ("de", "fr", "pl")}
    assert said["de"] is not None
    assert said["de"].text.startswith("Voraussichtliche Zustellung: am Fr., 20. Nov. (")
    assert said["fr"] is not None and said["fr"].text.startswith(f"Livraison probable{NB}: le ven. 20 nov. (")
    assert said["pl"] is not None and said["pl"].text.startswith("Prawdopodobna dostawa: pt., 20 lis (")

    month_end = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)  # a Saturday: delivered into December
    spread = _history(_stats("usps", Stage.IN_TRANSIT, "domestic", HUNDRED, delivered=HUNDRED))
    across = spread.delivery_window(Position("usps", Stage.IN_TRANSIT, "domestic", month_end), month_end,
                                    lang="de")
    assert across is not None
    assert "zwischen Sa., 28. Nov. und Mi., 2. Dez. (" in across.text

    new_year = datetime(2026, 12, 30, 8, 0, tzinfo=UTC)
    years = spread.delivery_window(Position("usps", Stage.IN_TRANSIT, "domestic", new_year), new_year,
                                   lang="nl")
    assert years is not None
    assert "tussen wo 30 dec 2026 en zo 3 jan 2027 (" in years.text  # the years differ: both shown


def test_polish_counts_take_their_plural_forms() -> None:
    speech = language("pl")
    history = speech.catalog.history
    forms = {n: speech.count(history.window, n, dates="D", coverage="80") for n in (1, 3, 5, 22, 25)}
    assert forms[1] == "D (80% z 1 podobnej przesyłki w Twojej historii)."
    assert forms[3] == forms[1].replace("1 podobnej przesyłki", "3 podobnych przesyłek")
    assert "22 podobnych przesyłek" in forms[22] and "25 podobnych przesyłek" in forms[25]
    beyond = {n: speech.count(history.beyond, n, percentile="90.") for n in (1, 3, 5, 22)}
    assert "(próba: 1 przesyłka)" in beyond[1] and "(próba: 3 przesyłki)" in beyond[3]
    assert "(próba: 5 przesyłek)" in beyond[5] and "(próba: 22 przesyłki)" in beyond[22]


def test_ordinals_follow_each_languages_rules() -> None:
    english = language("en")
    table = english.catalog.history.ordinal
    got = [english.ordinal(table, n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 90, 91, 92, 93, 99, 111)]
    assert got == ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "90th",
                   "91st", "92nd", "93rd", "99th", "111th"]
    french = language("fr")
    assert [french.ordinal(french.catalog.history.ordinal, n) for n in (1, 2, 90)] == ["1er", "2e", "90e"]
    german = language("de")
    assert german.ordinal(german.catalog.history.ordinal, 95) == "95."
