"""A small backtest (bench/backtest.py): learn from the first 80 % of seeded synthetic journeys,
predict the rest, and check the behaviour against the generator's truth."""

from __future__ import annotations

from typing import Any

import pytest
from test_history import load_bench

from tracklingo import load_carriers
from tracklingo.history import HistorySettings

NO_PLUGINS = load_carriers(only=set())  # the core's thresholds alone, whatever is installed


@pytest.fixture(scope="module")
def backtest() -> Any:
    return load_bench("backtest")


@pytest.fixture(scope="module")
def report(backtest: Any) -> Any:
    return backtest.run(1500, seed=11, observations=3, registry=NO_PLUGINS)


def test_the_split_learns_only_from_the_past(report: Any) -> None:
    assert (report.train_journeys, report.test_journeys) == (1200, 300)
    assert report.observations == 900  # moments before delivery (or while lost): never at an end
    assert report.basis["history"] > 0.9 * report.observations


def test_delivery_window_holds_about_four_deliveries_in_five(report: Any) -> None:
    assert report.windows > 0.9 * report.delivered_observations
    assert 0.7 <= report.coverage <= 0.92
    assert 0 < report.median_error_hours < 36


def test_narrower_window_holds_fewer(backtest: Any, report: Any) -> None:
    narrow = backtest.run(
        1500, seed=11, observations=3, settings=HistorySettings(window=(0.25, 0.75)), registry=NO_PLUGINS
    )
    assert narrow.windows == report.windows
    assert narrow.coverage < report.coverage - 0.1


def test_the_advisor_with_history_finds_more_of_the_truly_stuck(report: Any) -> None:
    truly_stuck = report.history.tp + report.history.fn
    assert truly_stuck >= 15
    assert report.history.recall >= 0.5
    assert report.history.recall >= report.thresholds.recall
    assert report.history.precision >= 0.25


def test_a_higher_percentile_trades_recall_for_precision(backtest: Any, report: Any) -> None:
    strict = backtest.run(
        1500, seed=11, observations=3, settings=HistorySettings(percentile=0.99), registry=NO_PLUGINS
    )
    assert strict.history.tp + strict.history.fp < report.history.tp + report.history.fp
    assert strict.history.precision > report.history.precision
    assert strict.history.recall <= report.history.recall
