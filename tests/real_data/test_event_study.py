"""The event study on the real closes: the SQL against an independent reference (numpy, statsmodels, scipy)
for every event, model and window, and the group numbers against the per-firm rows they summarise."""

import numpy as np
import pandas as pd
import pytest

from tests.event_study_reference import WINDOWS, event_study
from tests.real_data.conftest import RealRun

TOLERANCE = 1e-9  # relative (absolute below 1)
STATISTICS = (
    "n_firms",
    "mean_car",
    "median_car",
    "share_negative",
    "t_cross_sectional",
    "p_cross_sectional",
    "t_bmp",
    "p_bmp",
    "mean_residual_correlation",
    "t_kp",
    "p_kp",
    "z_rank",
    "p_rank",
)


@pytest.fixture(scope="module")
def study(real_run: RealRun) -> dict:
    """The reference's results for every event dated to the day, with the tables they are checked against."""
    returns = real_run.warehouse("select ticker, session_index, daily_return from intermediate.int_daily_returns")
    factors = real_run.warehouse("select session_index, market_return, btc_return from intermediate.int_factor_returns")
    miners = list(real_run.warehouse("select ticker from staging.stg_reference__miners where is_miner").ticker)
    events = real_run.warehouse(
        "select distinct fits.event_id, fits.event_session_index from intermediate.int_event_model_fits as fits"
        " inner join staging.stg_reference__market_events as events on fits.event_id = events.event_id"
        " where events.event_date_precision = 'day'"
    )
    return {
        "reference": {
            row.event_id: event_study(returns, factors, int(row.event_session_index), miners)
            for row in events.itertuples()
        },
        "summary": real_run.warehouse("select * from marts.mart_event_study_summary"),
        "cars": real_run.warehouse("select * from intermediate.int_event_cars where car is not null"),
        "reactions": real_run.warehouse("select * from marts.mart_event_reactions"),
    }


def close(found: float, expected: float) -> bool:
    if expected is None or pd.isna(expected):
        return found is None or pd.isna(found)
    return abs(found - expected) <= TOLERANCE * max(1.0, abs(expected))


def test_summary_matches_the_reference_for_every_event_model_and_window(study: dict):
    summary = study["summary"].set_index(["event_id", "model", "window_label"])
    checked = 0
    for event_id, models in study["reference"].items():
        for model, result in models.items():
            for label in WINDOWS:
                expected = result["summary"][label]
                if expected is None:
                    assert (event_id, model, label) not in summary.index
                    continue
                row = summary.loc[(event_id, model, label)]
                for statistic in STATISTICS:
                    assert close(row[statistic], expected.get(statistic)), (event_id, model, label, statistic)
                checked += 1
    assert checked == len(summary) > 100


def test_firm_cars_and_their_t_stats_match_the_reference(study: dict):
    cars = study["cars"].set_index(["ticker", "event_id", "model", "window_label"])
    for event_id, models in study["reference"].items():
        for model, result in models.items():
            for ticker, firm in result["firms"].items():
                for label, expected in firm["cars"].items():
                    row = cars.loc[(ticker, event_id, model, label)]
                    assert close(row["car"], expected["car"]), (ticker, event_id, model, label)
                    assert close(row["car_t_stat"], expected["car_t_stat"]), (ticker, event_id, model, label)


def test_microsoft_pullback_mean_abnormal_return_is_the_mean_of_the_firms(study: dict):
    """2025-03-26: the miners' mean abnormal return in the summary ([0,0], market model) is the mean of the
    per-firm abnormal returns of mart_event_reactions over the same miners."""
    summary = study["summary"].set_index(["event_id", "model", "window_label"])
    day = summary.loc[("msft_datacenter_pullback_2025", "market", "[0,0]")]
    firms = study["reference"]["msft_datacenter_pullback_2025"]["market"]["firms"]
    reactions = study["reactions"].set_index(["event_id", "ticker"]).loc["msft_datacenter_pullback_2025"]
    per_firm = reactions.loc[sorted(firms), "abnormal_return"]
    assert str(day["session_date"].date()) == "2025-03-26"
    assert day["n_firms"] == len(per_firm) >= 10
    assert day["mean_car"] == pytest.approx(per_firm.mean(), abs=1e-15)
    assert day["median_car"] == pytest.approx(per_firm.median(), abs=1e-15)
    assert day["mean_car"] < 0 and day["share_negative"] > 0.5


def test_kp_shrinks_the_bmp_t_of_correlated_miners(study: dict):
    """Miners co-move (bitcoin, AI), so the average residual correlation is positive and the Kolari-Pynnonen
    t is smaller in magnitude than the BMP t it adjusts."""
    rows = study["summary"].dropna(subset=["t_kp"])
    assert (rows["mean_residual_correlation"] > 0).all()
    assert (np.abs(rows["t_kp"]) <= np.abs(rows["t_bmp"]) + 1e-12).all()
