"""A reference event study in numpy, statsmodels and scipy, written independently of the SQL, to check
int_event_cars, mart_event_reactions and mart_event_study_summary against.

Same conventions as the models: estimation window sessions -130..-11 (at least 100 observations), OLS
with an intercept on SPY (market) or on SPY, bitcoin and bitcoin of the previous session (market_btc,
Dimson 1979; the lag is taken here from the session-ordered bitcoin returns), the exact prediction-error
variance of a window's CAR (sigma^2 * (L + i' X_w (X'X)^-1 X_w' i), written here with the full design
matrix rather than the SQL's inverse of centred sums; for one session, statsmodels' own prediction
standard error), and the group tests of the summary (cross-sectional t, BMP, Kolari-Pynnonen 2010, the
generalized rank test GRANK of Kolari-Pynnonen 2011, Corrado/Campbell-Wasley ranks). Returns and the
event session come from the warehouse's int_daily_returns and int_factor_returns.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

ESTIMATION = (-130, -11)
MIN_OBS = 100
SPAN = (-1, 5)
WINDOWS = {"[0,0]": (0, 0), "[-1,+1]": (-1, 1), "[0,+5]": (0, 5)}
MODELS = {"market": ["market_return"], "market_btc": ["market_return", "btc_return", "btc_previous_return"]}


def firm_study(panel: pd.DataFrame, model: str) -> dict | None:
    """One firm's fit, abnormal returns and CARs. panel: relative_session-indexed daily_return and factors."""
    factors = MODELS[model]
    estimation = panel.loc[ESTIMATION[0] : ESTIMATION[1], ["daily_return", *factors]].dropna()
    if len(estimation) < MIN_OBS:
        return None
    x = sm.add_constant(estimation[factors].to_numpy(), has_constant="add")
    fit = sm.OLS(estimation["daily_return"].to_numpy(), x).fit()
    sigma = float(np.sqrt(fit.ssr / fit.df_resid))
    span = panel.loc[ESTIMATION[0] : SPAN[1]]
    design = sm.add_constant(span[factors].to_numpy(), has_constant="add")
    abnormal = pd.Series(span["daily_return"].to_numpy() - design @ fit.params, index=span.index)
    in_span = abnormal[(abnormal.index <= ESTIMATION[1]) | (abnormal.index >= SPAN[0])].dropna()
    xtx_inv = np.linalg.inv(x.T @ x)
    event_day = None
    if 0 in abnormal.index and pd.notna(abnormal[0]):
        # statsmodels' standard error of a new observation: sigma * sqrt(1 + x0' (X'X)^-1 x0)
        x0 = sm.add_constant(span.loc[[0], factors].to_numpy(), has_constant="add")
        se_obs = float(fit.get_prediction(x0).se_obs[0])
        event_day = {"abnormal_return": float(abnormal[0]), "t_stat": float(abnormal[0]) / se_obs}
    cars = {}
    for label, (start, end) in WINDOWS.items():
        days = range(start, end + 1)
        if not all(day in abnormal.index and pd.notna(abnormal[day]) for day in days):
            continue
        x_w = sm.add_constant(span.loc[list(days), factors].to_numpy(), has_constant="add")
        ones = np.ones(len(days))
        variance_factor = len(days) + ones @ x_w @ xtx_inv @ x_w.T @ ones
        car = float(abnormal.loc[list(days)].sum())
        cars[label] = {"car": car, "car_t_stat": car / (sigma * np.sqrt(variance_factor))}
    return {
        "sigma": sigma,
        "params": fit.params,
        "residuals": pd.Series(fit.resid, index=estimation.index),
        "ranked": in_span,
        "event_day": event_day,
        "cars": cars,
    }


def group_tests(firms: dict[str, dict], label: str) -> dict | None:
    """The summary's row for one window over the firms that have its CAR."""
    members = {t: f for t, f in firms.items() if label in f["cars"]}
    n = len(members)
    if n == 0:
        return None
    car = np.array([f["cars"][label]["car"] for f in members.values()])
    scar = np.array([f["cars"][label]["car_t_stat"] for f in members.values()])
    row = {
        "n_firms": n,
        "mean_car": car.mean(),
        "median_car": float(np.median(car)),
        "share_negative": float((car < 0).mean()),
    }
    if n < 2:
        return row
    t_cs = car.mean() / (car.std(ddof=1) / np.sqrt(n))
    t_bmp = scar.mean() / (scar.std(ddof=1) / np.sqrt(n))
    residuals = pd.DataFrame({t: f["residuals"] for t, f in members.items()})
    correlations = residuals.corr()
    r_bar = float(np.mean([correlations.loc[a, b] for a, b in itertools.combinations(sorted(members), 2)]))
    t_kp = t_bmp * np.sqrt((1 - r_bar) / (1 + (n - 1) * r_bar))
    ranks = pd.DataFrame(
        {
            t: pd.Series(stats.rankdata(f["ranked"].to_numpy()) / (len(f["ranked"]) + 1) - 0.5, f["ranked"].index)
            for t, f in members.items()
        }
    )
    mean_rank = ranks.mean(axis=1, skipna=True).dropna()
    start, end = WINDOWS[label]
    window = mean_rank.loc[start:end]
    z_corrado = window.sum() / np.sqrt((end - start + 1) * (mean_rank**2).mean())
    t_grank, grank_df = grank(members, label, scar)
    return row | {
        "t_cross_sectional": t_cs,
        "p_cross_sectional": 2 * stats.t.sf(abs(t_cs), n - 1),
        "t_bmp": t_bmp,
        "p_bmp": 2 * stats.t.sf(abs(t_bmp), n - 1),
        "mean_residual_correlation": r_bar,
        "t_kp": t_kp,
        "p_kp": 2 * stats.t.sf(abs(t_kp), n - 1),
        "t_grank": t_grank,
        "grank_degrees_of_freedom": grank_df,
        "p_grank": 2 * stats.t.sf(abs(t_grank), grank_df),
        "z_corrado": z_corrado,
        "p_corrado": 2 * stats.norm.sf(abs(z_corrado)),
    }


def grank(members: dict[str, dict], label: str, scar: np.ndarray) -> tuple[float, int]:
    """Kolari and Pynnonen (2011), eqs. for GSAR, U, Z and t_grank: each firm's estimation residuals over its
    sigma plus one event observation, its standardized CAR over the cross-sectional sd of the standardized CARs;
    ranks per firm over its own observations (T_i), U = rank / (T_i + 1) - 1/2; S^2 = 1/T sum_t (N_t / N)
    ubar_t^2 over the T time points; Z = ubar_0 / S; t = Z sqrt((T - 2) / (T - 1 - Z^2)), T - 2 df."""
    event_observation = scar / scar.std(ddof=1)
    columns = {}
    for (ticker, firm), gsar_event in zip(members.items(), event_observation, strict=True):
        gsar = pd.concat([firm["residuals"] / firm["sigma"], pd.Series([gsar_event], index=["event"])])
        gsar.index = gsar.index.astype(str)
        columns[ticker] = pd.Series(stats.rankdata(gsar.to_numpy()) / (len(gsar) + 1) - 0.5, gsar.index)
    u = pd.DataFrame(columns)
    n_t, u_bar = u.notna().sum(axis=1), u.mean(axis=1)
    n, t_points = len(members), len(u)
    z = u_bar["event"] / np.sqrt(((n_t / n) * u_bar**2).sum() / t_points)
    return float(z * np.sqrt((t_points - 2) / (t_points - 1 - z**2))), t_points - 2


def event_study(returns: pd.DataFrame, factors: pd.DataFrame, event_session_index: int, tickers: list[str]):
    """Per model: each firm's study and the summary rows per window, for one event session.

    returns: ticker, session_index, daily_return; factors: session_index, market_return, btc_return.
    """
    factors = factors.sort_values("session_index")
    assert (factors["session_index"].diff().dropna() == 1).all(), "one factor row per session"
    factors = factors.assign(btc_previous_return=factors["btc_return"].shift(1))
    out = {}
    for model in MODELS:
        firms = {}
        for ticker in tickers:
            rows = returns[returns["ticker"] == ticker].merge(factors, on="session_index", how="left")
            rows = rows.assign(relative_session=rows["session_index"] - event_session_index)
            panel = rows.set_index("relative_session").sort_index()
            if event_session_index not in set(rows["session_index"]) and panel.empty:
                continue
            study = firm_study(panel, model)
            if study is not None:
                firms[ticker] = study
        out[model] = {"firms": firms, "summary": {label: group_tests(firms, label) for label in WINDOWS}}
    return out
