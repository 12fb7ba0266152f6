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
    "t_grank",
    "grank_degrees_of_freedom",
    "p_grank",
    "z_corrado",
    "p_corrado",
)


@pytest.fixture(scope="module")
def study(real_run: RealRun) -> dict:
    """The reference's results for every event dated to the day, with the tables they are checked against."""
    returns = real_run.warehouse("select ticker, session_index, daily_return from intermediate.int_daily_returns")
    factors = real_run.warehouse("select session_index, market_return, btc_return from intermediate.int_factor_returns")
    miners = list(real_run.warehouse("select ticker from staging.stg_reference__miners where is_miner").ticker)
    priced = set(real_run.warehouse("select distinct ticker from intermediate.int_daily_returns").ticker)
    events = real_run.warehouse(
        "select distinct fits.event_id, fits.event_session_index from intermediate.int_event_model_fits as fits"
        " inner join staging.stg_reference__market_events as events on fits.event_id = events.event_id"
        " where events.event_date_precision = 'day'"
    )
    return {
        "miners": miners,
        "priced": priced,
        "returns": returns,
        "reference": {
            row.event_id: event_study(returns, factors, int(row.event_session_index), miners)
            for row in events.itertuples()
        },
        "events": events,
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
    reactions = study["reactions"].query("event_id == 'msft_datacenter_pullback_2025' and model == 'market'")
    reactions = reactions.set_index("ticker")
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


def test_firm_reactions_of_both_models_match_the_reference(study: dict):
    """mart_event_reactions, one row per firm, event and model: the event-day abnormal return and its t with the
    prediction-error correction (statsmodels' standard error of a new observation), the CAR t-statistics, and the
    market_btc model's two bitcoin slopes and their Dimson sum."""
    reactions = study["reactions"].set_index(["ticker", "event_id", "model"])
    checked = {"market": 0, "market_btc": 0}
    for event_id, models in study["reference"].items():
        for model, result in models.items():
            for ticker, firm in result["firms"].items():
                row = reactions.loc[(ticker, event_id, model)]
                key = (ticker, event_id, model)
                if firm["event_day"] is not None:
                    assert close(row["abnormal_return"], firm["event_day"]["abnormal_return"]), key
                    assert close(row["abnormal_return_t_stat"], firm["event_day"]["t_stat"]), key
                    checked[model] += 1
                for label, column in (("[-1,+1]", "car_m1_p1_t_stat"), ("[0,+5]", "car_0_p5_t_stat")):
                    assert close(row[column], firm["cars"].get(label, {}).get("car_t_stat")), (key, column)
                assert close(row["beta_market"], firm["params"][1]), key
                if model == "market_btc":
                    assert close(row["beta_btc_same_day"], firm["params"][2]), key
                    assert close(row["beta_btc_lag"], firm["params"][3]), key
                    assert close(row["beta_btc"], firm["params"][2] + firm["params"][3]), key
                else:
                    assert pd.isna(row["beta_btc"]), key
    assert min(checked.values()) > 100


def test_corz_deepseek_t_stat_carries_the_prediction_error(study: dict):
    """The event-day t is AR over sigma * sqrt(1 + x0' (X'X)^-1 x0), smaller in magnitude than AR / sigma."""
    row = study["reactions"].set_index(["ticker", "event_id", "model"]).loc[("CORZ", "deepseek_selloff_2025", "market")]
    naive = row["abnormal_return"] / row["residual_std"]
    assert abs(row["abnormal_return_t_stat"]) < abs(naive)
    assert row["abnormal_return_t_stat"] == pytest.approx(naive, rel=0.05)


def test_excluded_firms_are_the_miners_the_reference_leaves_out(study: dict):
    """Every summary row names exactly the miners outside its test, each with a reason; a miner without any
    price (BITF in the real corpus) is named 'no prices', a miner whose prices start after the event session
    'listed after the event', and one the reference could not estimate on 100 returns a short window."""
    summary = study["summary"].set_index(["event_id", "model", "window_label"])
    returns = study["returns"]
    first_session = returns.groupby("ticker")["session_index"].min()
    sessions = study["events"].set_index("event_id")["event_session_index"]
    unpriced = set(study["miners"]) - study["priced"]
    assert unpriced, "the real corpus has a miner without prices"
    for (event_id, model, label), row in summary.iterrows():
        firms = study["reference"][event_id][model]["firms"]
        members = {t for t, f in firms.items() if label in f["cars"]}
        named = {
            part.split(" (", 1)[0]: part.split(" (", 1)[1].removesuffix(")")
            for part in (row["excluded_firms"] or "").split("; ")
            if part
        }
        assert set(named) == set(study["miners"]) - members, (event_id, model, label)
        assert row["n_firms"] + row["n_excluded_firms"] == len(study["miners"])
        for ticker, reason in named.items():
            if ticker in unpriced:
                assert reason == "no prices", (ticker, reason)
            elif first_session[ticker] > sessions[event_id]:
                assert reason == "listed after the event", (ticker, reason)
            elif ticker not in firms:
                assert reason.startswith(("short estimation window", "listed after the estimation window")), reason


def test_grank_meets_firms_with_missing_days(study: dict):
    """The N_t / N weighting is exercised: some tested firm has fewer estimation returns than the window has
    sessions, and the summary's degrees of freedom count the time points (estimation sessions and the event)."""
    short = [
        (event_id, model)
        for event_id, models in study["reference"].items()
        for model, result in models.items()
        for firm in result["firms"].values()
        if "[0,0]" in firm["cars"] and len(firm["residuals"]) < 120
    ]
    assert short
    summary = study["summary"]
    assert (summary["grank_degrees_of_freedom"] == 119).any()
    assert (summary["grank_degrees_of_freedom"] <= 119).all()
