"""P3: rolling three-factor betas with standard errors, the project's models against what an analyst would write.

The project's version is what a dbt build runs for mart_factor_exposure: the dbt Python model
int_factor_exposure_fits (the numpy fit: its file loaded as a module, its `model(dbt, session)` called
with the refs and vars a build gives it, its rows streamed into a table as dbt-duckdb does), then the
mart's SQL, rendered by `dbt compile` (not a copy); both in DuckDB on synthetic tables shaped like
int_us_sessions, int_daily_returns and int_factor_returns. The analyst's version is statsmodels: per
ticker, window size and session, the window's rows, NVDA orthogonalised to the market on them,
`OLS(...).fit()` for the coefficients and OLS standard errors and its Newey-West covariance
(`get_robustcov_results("HAC", maxlags=L, use_correction=True)`); statsmodels' `RollingOLS` cannot give
Newey-West errors. That loop takes about a millisecond per window, hours for the full data set, so it
is timed on a sample of tickers (all their windows) and scaled by the number of windows; the numbers of
the sample are compared column by column. `RollingOLS` on the raw five-coefficient design (no
Newey-West, no orthogonalisation) runs on every ticker: it checks the row set, n_obs, beta_btc,
beta_ai, r_squared and the OLS standard errors of beta_btc and beta_ai everywhere, and is timed as the
stricter baseline an analyst without Newey-West errors would stop at.

Both run on the same seeded data set (default 500 tickers x 10 years of US sessions, with late
listings, delistings, gaps and sessions without a factor return, so that the RANGE window over
session_index matters). Each repeat times the project's version (fit and mart materialised into tables
of the warehouse file; the report's sql_seconds, split into fit_seconds and mart_sql_seconds) and then
the reference, and the speedup of that repeat is the ratio of the two; the report gives medians (the
machine is shared: only ratios within a repeat are comparable) and peak_rss_gib, this process's peak
resident memory. The outputs are compared row for row on (ticker, session, window): same row set, same
n_obs and window_start_date, and every compared column within 1e-9.

    uv run python -m benchmarks.p3_rolling_betas [--repeats 3] [--tickers 500] [--years 10]
        [--sample-tickers 4] [--other-sql NAME=COMPILED.sql ...]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

from orchestration.defs.dbt.command import dbt_command, dbt_env
from orchestration.defs.dbt.python_models import load_python_model
from orchestration.paths import DBT_PROJECT_DIR

MODEL = "mart_factor_exposure"
FITS_MODEL = "int_factor_exposure_fits"  # the dbt Python model the mart reads
SESSIONS_PER_YEAR = 252
SEED = 20240603
TARGET_SPEEDUP = 40
TARGET_TOLERANCE = 1e-9
Z_975 = 1.959963984540054  # the model's 95% bands: beta -+ this * Newey-West standard error
# every number the model reports, compared with the per-window statsmodels fits
COMPARED_COLUMNS = (
    "beta_market",
    "beta_btc",
    "beta_ai",
    "alpha",
    "r_squared",
    "se_beta_market",
    "se_beta_btc",
    "se_beta_ai",
    "nw_se_beta_btc",
    "nw_se_beta_ai",
    "beta_btc_lower_95",
    "beta_btc_upper_95",
    "beta_ai_lower_95",
    "beta_ai_upper_95",
    "beta_btc_same_day",
    "beta_btc_lag",
    "ai_market_beta",
)
# what RollingOLS on the raw design gives directly, compared on every row
ROLLING_COLUMNS = ("beta_btc", "beta_ai", "r_squared", "se_beta_btc", "se_beta_ai")
REGRESSORS = ["market", "btc", "btc_previous", "ai"]


# --- synthetic data -------------------------------------------------------------------------------


def make_dataset(tickers: int, years: int, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Tables with the columns and meaning of int_us_sessions, int_daily_returns and int_factor_returns.

    Factors: fat-tailed (Student t, 4 dof) daily returns: market (vol 1.1%), btc (3.5%, loading 0.5 on
    the market) and ai (1.5 market beta plus 2.2% of its own), null on the first session and on a few
    sessions with a missing bar. Stocks: alpha + beta_market * market + beta_btc * btc + a lagged-btc
    loading + beta_ai * ai + noise, with betas drifting slowly over time. About 10% of the tickers
    list late, 4% delist early and 20% have one to three gaps of 1-15 sessions without a row; as in
    int_daily_returns, the return on a ticker's first row and on the first row after a gap is null.
    """
    rng = np.random.default_rng(seed)
    n_sessions = years * SESSIONS_PER_YEAR
    # weekdays stand in for the US session calendar: holidays do not matter to the maths
    dates = pd.bdate_range("2015-01-02", periods=n_sessions)
    session_index = np.arange(1, n_sessions + 1, dtype=np.int32)
    sessions = pd.DataFrame(
        {
            "session_date": dates,
            "session_index": session_index,
            "previous_session_date": pd.Series(dates).shift(1),
        }
    )

    shocks = rng.standard_t(4, size=(n_sessions, 3)) / np.sqrt(2.0)  # unit variance
    market = 0.0004 + 0.011 * shocks[:, 0]
    btc = 0.0015 + 0.5 * market + 0.035 * shocks[:, 1]
    ai = 0.0010 + 1.5 * market + 0.022 * shocks[:, 2]
    market[0] = btc[0] = ai[0] = np.nan
    market[rng.choice(np.arange(1, n_sessions), size=2, replace=False)] = np.nan
    btc[rng.choice(np.arange(1, n_sessions), size=4, replace=False)] = np.nan
    ai[rng.choice(np.arange(1, n_sessions), size=3, replace=False)] = np.nan
    btc_previous = np.concatenate([[np.nan], btc[:-1]])

    # stock returns on the full ticker x session grid, masked below
    t = np.arange(n_sessions)[None, :]

    def drifting(low: float, high: float, swing: float) -> np.ndarray:
        return rng.uniform(low, high, size=(tickers, 1)) + swing * np.sin(
            2 * np.pi * t / rng.uniform(300, 900, size=(tickers, 1)) + rng.uniform(0, 2 * np.pi, size=(tickers, 1))
        )

    alpha = rng.normal(0.0003, 0.0008, size=(tickers, 1))
    beta_market = drifting(0.0, 1.5, 0.2)
    beta_btc = drifting(0.3, 2.2, 0.3)
    beta_btc_lag = rng.uniform(0.0, 0.2, size=(tickers, 1))
    beta_ai = drifting(-0.4, 1.4, 0.2)
    noise = rng.uniform(0.015, 0.05, size=(tickers, 1)) * rng.standard_t(5, size=(tickers, n_sessions)) / np.sqrt(5 / 3)
    returns = (
        alpha
        + beta_market * np.nan_to_num(market)
        + beta_btc * np.nan_to_num(btc)
        + beta_btc_lag * np.nan_to_num(btc_previous)
        + beta_ai * np.nan_to_num(ai)
        + noise
    )
    returns = np.maximum(returns, -0.9)

    present = np.ones((tickers, n_sessions), dtype=bool)
    for i in range(tickers):
        draw = rng.uniform()
        if draw < 0.10:  # late listing
            present[i, : rng.integers(1, n_sessions - 300)] = False
        elif draw < 0.14:  # delisting
            present[i, rng.integers(300, n_sessions) :] = False
        if rng.uniform() < 0.20:  # gaps without a price
            for _ in range(rng.integers(1, 4)):
                start = rng.integers(1, n_sessions - 20)
                present[i, start : start + rng.integers(1, 16)] = False
    priced_before = np.zeros_like(present)
    priced_before[:, 1:] = present[:, :-1]
    daily_return = np.where(priced_before, returns, np.nan)
    close = 20.0 * np.cumprod(1 + np.where(present, returns, 0.0), axis=1)

    names = np.array([f"S{i:04d}" for i in range(tickers)])
    rows, cols = np.nonzero(present)
    stocks = pd.DataFrame(
        {
            "ticker": names[rows],
            "session_index": session_index[cols],
            "close": close[rows, cols],
            "daily_return": daily_return[rows, cols],
            "factor_role": None,
        }
    )
    factor_series = {"BTC-USD": ("btc", btc, 30000.0), "NVDA": ("ai", ai, 20.0), "SPY": ("market", market, 200.0)}
    factor_tickers = pd.concat(
        pd.DataFrame(
            {
                "ticker": ticker,
                "session_index": session_index,
                "close": start * np.nancumprod(1 + series),
                "daily_return": series,
                "factor_role": role,
            }
        )
        for ticker, (role, series, start) in factor_series.items()
    )
    daily_returns = pd.concat([stocks, factor_tickers], ignore_index=True).merge(
        sessions, on="session_index", how="left"
    )
    factor_returns = sessions[["session_date", "session_index"]].assign(
        btc_return=btc, ai_return=ai, market_return=market, sector_return=np.nan
    )
    return {"sessions": sessions, "daily_returns": daily_returns, "factor_returns": factor_returns}


def load_warehouse(con: duckdb.DuckDBPyConnection, data: dict[str, pd.DataFrame]) -> None:
    """The three intermediate tables, with the column names and types the dbt models produce."""
    con.execute("create schema if not exists intermediate")
    con.register("sessions_df", data["sessions"])
    con.register("daily_returns_df", data["daily_returns"])
    con.register("factor_returns_df", data["factor_returns"])
    con.execute(
        """
        create or replace table intermediate.int_us_sessions as
        select
            cast(session_date as date) as session_date,
            cast(session_index as integer) as session_index,
            cast(previous_session_date as date) as previous_session_date
        from sessions_df
        order by session_index
        """
    )
    con.execute(
        """
        create or replace table intermediate.int_daily_returns as
        select
            cast(ticker as varchar) as ticker,
            cast(session_date as date) as session_date,
            cast(session_index as integer) as session_index,
            cast(close as double) as close,
            cast(close as double) as adj_close,
            cast(close as double) as price_for_returns,
            cast(previous_session_date as date) as previous_session_date,
            cast(daily_return as double) as daily_return,
            cast(factor_role as varchar) as factor_role,
            false as is_synthetic,
            'synthetic' as source
        from daily_returns_df
        order by ticker, session_index
        """
    )
    con.execute(
        """
        create or replace table intermediate.int_factor_returns as
        select
            cast(session_date as date) as session_date,
            cast(session_index as integer) as session_index,
            cast(btc_return as double) as btc_return,
            cast(ai_return as double) as ai_return,
            cast(market_return as double) as market_return,
            cast(sector_return as double) as sector_return
        from factor_returns_df
        order by session_index
        """
    )
    for name in ("sessions_df", "daily_returns_df", "factor_returns_df"):
        con.unregister(name)
    con.execute("checkpoint")


# --- the project's SQL ----------------------------------------------------------------------------


def compile_model(data_dir: Path, windows: list[int] | None = None, coverage: float | None = None) -> str:
    """The model's SQL as dbt renders it for a warehouse in data_dir (dbt's own target/ is left alone).

    windows / coverage override the vars factor_windows / factor_window_min_coverage."""
    target = data_dir / "dbt_target"
    env = {**dbt_env(), "MINERS_DATA_DIR": str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    overrides = {
        **({"factor_windows": windows} if windows is not None else {}),
        **({"factor_window_min_coverage": coverage} if coverage is not None else {}),
    }
    extra = ["--vars", json.dumps(overrides)] if overrides else []
    command = dbt_command(
        "compile", "--select", MODEL, *extra, "--log-path", str(data_dir / "dbt_logs"), "--quiet", target_path=target
    )
    completed = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"dbt compile failed:\n{completed.stdout}\n{completed.stderr}")
    (compiled,) = (target / "compiled").rglob(f"{MODEL}.sql")
    return compiled.read_text()


def project_vars() -> tuple[list[int], Decimal]:
    config = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    return [int(w) for w in config["factor_windows"]], Decimal(str(config["factor_window_min_coverage"]))


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    """Seconds to materialise the SQL's rows into a table of the warehouse file."""
    start = time.perf_counter()
    con.execute(f"create or replace table main.p3_result as\n{sql}")
    return time.perf_counter() - start


class _DbtConfig:
    """dbt.config in a dbt Python model: the vars come through the model's meta, as the YAML passes them."""

    def __init__(self, meta: dict) -> None:
        self.meta = meta

    def __call__(self, **_config: object) -> None:
        pass

    def meta_get(self, key: str, default: object = None) -> object:
        return self.meta.get(key, default)


class _Dbt:
    """The `dbt` object a dbt-duckdb build hands a Python model: ref() is a DuckDB relation of the table."""

    is_incremental = False  # a cold build: every window

    def __init__(self, con: duckdb.DuckDBPyConnection, windows: list[int], min_coverage: Decimal) -> None:
        self.con = con
        self.config = _DbtConfig({"factor_windows": windows, "factor_window_min_coverage": float(min_coverage)})

    def ref(self, name: str) -> duckdb.DuckDBPyRelation:
        return self.con.query(f"select * from intermediate.{name}")  # noqa: S608 - the model's own refs


def run_fits(con: duckdb.DuckDBPyConnection, module, windows: list[int], min_coverage: Decimal) -> float:  # noqa: ANN001 - the model module
    """Seconds to build intermediate.int_factor_exposure_fits as a cold dbt build does: model(dbt, session), a
    relation on the session, written by `create table as` on it (dbt-duckdb's materialize)."""
    start = time.perf_counter()
    session = con.cursor()  # dbt's: the model's session
    try:
        session.register("p3_fits_batches", module.model(_Dbt(session, windows, min_coverage), session))
        session.execute(f"create or replace table intermediate.{FITS_MODEL} as select * from p3_fits_batches")  # noqa: S608 - a constant name
        session.unregister("p3_fits_batches")
    finally:
        session.close()
    return time.perf_counter() - start


def run_project(
    con: duckdb.DuckDBPyConnection,
    module,  # noqa: ANN001 - the model module
    sql: str,
    windows: list[int],
    min_coverage: Decimal,
) -> tuple[float, float]:
    """Seconds of the fit and of the mart's SQL over it, both into tables of the warehouse file."""
    return run_fits(con, module, windows, min_coverage), run_sql(con, sql)


# --- the analyst's version ------------------------------------------------------------------------


def regression_frame(data: dict[str, pd.DataFrame], ticker: str) -> pd.DataFrame:
    """The ticker's return and the factor terms on the full session calendar (NaN where missing)."""
    calendar = pd.Index(data["sessions"]["session_index"], name="session_index")
    factors = data["factor_returns"].set_index("session_index").reindex(calendar)
    frame = pd.DataFrame(
        {
            "market": factors["market_return"],
            "btc": factors["btc_return"],
            # the previous session's bitcoin return (the calendar has every session)
            "btc_previous": factors["btc_return"].shift(1),
            "ai": factors["ai_return"],
        }
    )
    rows = data["daily_returns"]
    frame["y"] = rows[rows["ticker"] == ticker].set_index("session_index")["daily_return"].reindex(calendar)
    return frame


def newey_west_lags(n_obs: int) -> int:
    """The model's lag rule (Newey and West 1994): floor(4 (n / 100)^(2/9))."""
    return math.floor(4 * (n_obs / 100) ** (2 / 9))


def window_fit(window: pd.DataFrame) -> dict[str, float]:
    """statsmodels on one window's rows: NVDA orthogonalised to [1, market] on those rows, OLS, then
    the Newey-West covariance with the model's lag rule and small-sample factor."""
    import statsmodels.api as sm

    market = sm.add_constant(window[["market"]])
    ai_fit = sm.OLS(window["ai"], market).fit()
    design = sm.add_constant(window[["market", "btc", "btc_previous"]].assign(ai_perp=ai_fit.resid))
    ols = sm.OLS(window["y"], design).fit()
    lags = newey_west_lags(len(window))
    # use_t=False: normal quantiles, as fit(cov_type="HAC") uses
    hac = ols.get_robustcov_results(cov_type="HAC", maxlags=lags, use_correction=True, use_t=False)
    dimson = np.array([0.0, 0.0, 1.0, 1.0, 0.0])
    ai = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    params, ols_cov, hac_cov = ols.params.to_numpy(), ols.cov_params().to_numpy(), hac.cov_params()
    (btc_band,) = hac.t_test(dimson).conf_int(0.05)
    (ai_band,) = hac.t_test(ai).conf_int(0.05)
    return {
        "n_obs": len(window),
        "hac_lags": lags,
        "beta_market": params[1],
        "beta_btc": dimson @ params,
        "beta_ai": params[4],
        "alpha": params[0],
        "r_squared": ols.rsquared,
        "se_beta_market": math.sqrt(ols_cov[1, 1]),
        "se_beta_btc": math.sqrt(dimson @ ols_cov @ dimson),
        "se_beta_ai": math.sqrt(ols_cov[4, 4]),
        "nw_se_beta_btc": math.sqrt(dimson @ hac_cov @ dimson),
        "nw_se_beta_ai": math.sqrt(hac_cov[4, 4]),
        "beta_btc_lower_95": btc_band[0],
        "beta_btc_upper_95": btc_band[1],
        "beta_ai_lower_95": ai_band[0],
        "beta_ai_upper_95": ai_band[1],
        "beta_btc_same_day": params[2],
        "beta_btc_lag": params[3],
        "ai_market_beta": ai_fit.params.iloc[1],
    }


def statsmodels_window_fits(data: dict[str, pd.DataFrame], rows: pd.DataFrame) -> pd.DataFrame:
    """The per-window statsmodels loop, for the windows in rows (ticker, session_index, window_size)."""
    frames = []
    for ticker, windows in rows.groupby("ticker", sort=False):
        frame = regression_frame(data, ticker)
        for session_index, window_size in zip(windows["session_index"], windows["window_size"], strict=True):
            window = frame.loc[session_index - window_size + 1 : session_index].dropna()
            fit = window_fit(window)
            frames.append({"ticker": ticker, "session_index": session_index, "window_size": window_size, **fit})
    return pd.DataFrame(frames)


def expected_windows(data: dict[str, pd.DataFrame], windows: list[int], min_coverage: Decimal) -> pd.DataFrame:
    """Every (ticker, session, window) the model must report, with its n_obs: the ticker observed with
    every factor term on that session, and enough such sessions in the trailing window."""
    rows = data["daily_returns"]
    frames = []
    for ticker in rows.loc[~rows["factor_role"].isin(["btc", "ai", "market"]), "ticker"].unique():
        observed = regression_frame(data, ticker).notna().all(axis=1)
        for window in windows:
            counts = observed.astype(int).rolling(window, min_periods=1).sum()
            keep = observed & (counts >= max(math.ceil(window * min_coverage), len(REGRESSORS) + 2))
            frames.append(
                pd.DataFrame(
                    {
                        "ticker": ticker,
                        "session_index": counts.index[keep],
                        "window_size": window,
                        "n_obs": counts[keep].astype(int).to_numpy(),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def rolling_ols(data: dict[str, pd.DataFrame], windows: list[int], min_coverage: Decimal) -> pd.DataFrame:
    """statsmodels RollingOLS on the raw design [1, market, btc, btc_previous, ai], per ticker and
    window size: coefficients, OLS covariance and R^2 (no Newey-West; NVDA not orthogonalised, which
    leaves beta_btc, beta_ai, their OLS errors and R^2 unchanged). Each ticker is reindexed to the
    session calendar, so a window of w rows is w sessions; missing="drop" leaves the NaN sessions out
    and expanding=True fits the first sessions on what is there, as the SQL's RANGE frame does."""
    import statsmodels.api as sm
    from statsmodels.regression.rolling import RollingOLS

    dimson = np.array([0.0, 0.0, 1.0, 1.0, 0.0])
    frames = []
    for ticker, expected in expected_windows(data, windows, min_coverage).groupby(["ticker"], sort=False):
        frame = regression_frame(data, ticker[0])
        exog = sm.add_constant(frame[REGRESSORS])
        for window, keep in expected.groupby("window_size"):
            min_nobs = max(math.ceil(window * min_coverage), len(REGRESSORS) + 2)
            model = RollingOLS(frame["y"], exog, window=window, min_nobs=min_nobs, missing="drop", expanding=True)
            fit = model.fit()
            at = keep["session_index"].to_numpy()
            position = frame.index.get_indexer(at)
            params = fit.params.to_numpy()[position]
            k = len(REGRESSORS) + 1
            cov = np.asarray(fit.cov_params()).reshape(-1, k, k)[position]
            frames.append(
                pd.DataFrame(
                    {
                        "ticker": ticker[0],
                        "session_index": at,
                        "window_size": window,
                        "n_obs": keep["n_obs"].to_numpy(),
                        "beta_btc": params @ dimson,
                        "beta_ai": params[:, 4],
                        "r_squared": fit.rsquared.to_numpy()[position],
                        "se_beta_btc": np.sqrt(np.einsum("i,nij,j->n", dimson, cov, dimson)),
                        "se_beta_ai": np.sqrt(cov[:, 4, 4]),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


# --- comparison -----------------------------------------------------------------------------------


def model_rows(con: duckdb.DuckDBPyConnection, table: str = "main.p3_result") -> pd.DataFrame:
    """The model's rows, keyed by session_index."""
    return con.execute(
        f"""
        select result.*, sessions.session_index
        from {table} as result
        inner join intermediate.int_us_sessions as sessions
            on result.session_date = sessions.session_date
        """  # noqa: S608 - a constant table name of this benchmark
    ).df()


def max_abs_diffs(emitted: pd.DataFrame, reference: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, float]:
    """Per column, the largest |model - reference| over the rows both have (one null: infinite)."""
    keys = ["ticker", "session_index", "window_size"]
    both = emitted.merge(reference, on=keys, suffixes=("_sql", "_ref"))
    diffs = {}
    for column in columns:
        sql_values = both[f"{column}_sql"].to_numpy(dtype=float)
        ref_values = both[f"{column}_ref"].to_numpy(dtype=float)
        diff = np.abs(sql_values - ref_values)
        diff = np.where(np.isnan(sql_values) & np.isnan(ref_values), 0.0, diff)
        diff = np.where(np.isnan(sql_values) ^ np.isnan(ref_values), np.inf, diff)
        diffs[column] = float(diff.max()) if len(diff) else 0.0
    return diffs


def compare(emitted: pd.DataFrame, rolling: pd.DataFrame, window_fits: pd.DataFrame, sessions: pd.DataFrame) -> dict:
    """The model's rows against RollingOLS (every row) and the per-window fits (the sampled tickers)."""
    keys = ["ticker", "session_index", "window_size"]
    merged = emitted.merge(rolling, on=keys, how="outer", suffixes=("_sql", "_ref"), indicator=True)
    both = merged[merged["_merge"] == "both"]
    start_index = np.maximum(both["session_index"] - both["window_size"] + 1, 1)
    expected_start = sessions.set_index("session_index")["session_date"].reindex(start_index).to_numpy()
    window_start_mismatches = int(
        (pd.to_datetime(both["window_start_date"]).to_numpy() != expected_start.astype("datetime64[ns]")).sum()
    )
    sampled = emitted.merge(window_fits[keys], on=keys)
    return {
        "rows_sql": len(emitted),
        "rows_reference": len(rolling),
        "rows_only_in_sql": int((merged["_merge"] == "left_only").sum()),
        "rows_only_in_reference": int((merged["_merge"] == "right_only").sum()),
        "n_obs_mismatches": int((both["n_obs_sql"] != both["n_obs_ref"]).sum()),
        "window_start_mismatches": window_start_mismatches,
        "max_abs_diff_rolling_ols": max_abs_diffs(emitted, rolling, ROLLING_COLUMNS),
        "rows_checked_per_window": len(sampled),
        "hac_lags_mismatches": int(
            (sampled.merge(window_fits, on=keys)[["hac_lags_x", "hac_lags_y"]].diff(axis=1).iloc[:, 1] != 0).sum()
        ),
        "max_abs_diff": max_abs_diffs(emitted, window_fits, COMPARED_COLUMNS),
    }


# --- the benchmark --------------------------------------------------------------------------------


def _median_ratio(numerators: list[float], denominators: list[float]) -> float:
    """Median over repeats of numerator / denominator, each ratio taken within one repeat."""
    return statistics.median(n / d for n, d in zip(numerators, denominators, strict=True))


def run(
    repeats: int = 3,
    tickers: int = 500,
    years: int = 10,
    sample_tickers: int = 4,
    other_sql: dict[str, str] | None = None,
) -> dict:
    """Benchmark P3 and return a JSON-serialisable report.

    Each repeat times, in this order: the project's version, the fit and the mart into tables of the
    warehouse file (what dbt does; the headline), RollingOLS on every ticker
    (the stricter baseline, no Newey-West), and the per-window statsmodels loop on the first
    sample_tickers tickers, scaled to the full data set by its number of windows (the reference:
    statsmodels seconds = that estimate). other_sql: name -> compiled SQL (e.g. an earlier version of
    the model) also timed into the warehouse file in each repeat, not checked.
    passed: speedup over the reference >= 40 in the median of the repeats, same rows, n_obs,
    window_start_date and hac_lags, every compared column within 1e-9.
    """
    import statsmodels

    windows, min_coverage = project_vars()
    data = make_dataset(tickers, years)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="p3_bench_") as tmp:
        data_dir = Path(tmp)
        sql = compile_model(data_dir)  # creates data_dir/warehouse.duckdb, the database the SQL names
        con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
        try:
            load_warehouse(con, data)
            other_sql = other_sql or {}
            module = load_python_model(FITS_MODEL)
            run_project(con, module, sql, windows, min_coverage)  # warm-up, untimed
            for text in other_sql.values():
                run_sql(con, text)
            emitted = model_rows(con)
            threads = con.execute("select current_setting('threads')").fetchone()[0]
            sample = emitted[emitted["ticker"].isin(sorted(emitted["ticker"].unique())[:sample_tickers])]
            sample_keys = sample[["ticker", "session_index", "window_size"]]
            sql_seconds, fit_seconds, mart_seconds, rolling_seconds, reference_seconds, sample_seconds = (
                [],
                [],
                [],
                [],
                [],
                [],
            )
            other_seconds: dict[str, list[float]] = {name: [] for name in other_sql}
            rolling = window_fits = None
            for _ in range(repeats):
                for name, text in other_sql.items():
                    other_seconds[name].append(run_sql(con, text))
                fit, mart = run_project(con, module, sql, windows, min_coverage)
                fit_seconds.append(fit)
                mart_seconds.append(mart)
                sql_seconds.append(fit + mart)
                start = time.perf_counter()
                rolling = rolling_ols(data, windows, min_coverage)
                rolling_seconds.append(time.perf_counter() - start)
                start = time.perf_counter()
                window_fits = statsmodels_window_fits(data, sample_keys)
                sample_seconds.append(time.perf_counter() - start)
                reference_seconds.append(sample_seconds[-1] * len(emitted) / len(sample_keys))
            comparison = compare(emitted, rolling, window_fits, data["sessions"])
        finally:
            con.close()

    speedup = _median_ratio(reference_seconds, sql_seconds)
    others = {
        name: {
            "sql_seconds": [round(s, 4) for s in seconds],
            "sql_seconds_median": round(statistics.median(seconds), 4),
            "speedup": round(_median_ratio(reference_seconds, seconds), 1),
        }
        for name, seconds in other_seconds.items()
    }
    diffs = [*comparison["max_abs_diff"].values(), *comparison["max_abs_diff_rolling_ols"].values()]
    numbers_agree = all(diff <= TARGET_TOLERANCE for diff in diffs)
    rows_agree = (
        comparison["rows_sql"] == comparison["rows_reference"]
        and comparison["rows_only_in_sql"] == 0
        and comparison["rows_only_in_reference"] == 0
        and comparison["n_obs_mismatches"] == 0
        and comparison["window_start_mismatches"] == 0
        and comparison["hac_lags_mismatches"] == 0
    )
    stocks = data["daily_returns"]["factor_role"].isna()
    return {
        "id": "P3",
        "what": (
            f"rolling three-factor betas with OLS and Newey-West standard errors: mart_factor_exposure (the "
            f"numpy fit int_factor_exposure_fits, then the mart's SQL in DuckDB) against the per-window "
            f"statsmodels OLS + HAC loop, {tickers} synthetic tickers x {years} years"
        ),
        "target": f">= {TARGET_SPEEDUP}x faster, same numbers to {TARGET_TOLERANCE:.0e}",
        "tickers": tickers,
        "years": years,
        "sessions": len(data["sessions"]),
        "stock_return_rows": int(stocks.sum()),
        "windows": windows,
        "min_coverage": float(min_coverage),
        "rows": comparison["rows_sql"],
        "repeats": repeats,
        "sample_tickers": sample_tickers,
        "sql_seconds": [round(s, 4) for s in sql_seconds],
        "sql_seconds_median": round(statistics.median(sql_seconds), 4),
        "fit_seconds": [round(s, 4) for s in fit_seconds],
        "fit_seconds_median": round(statistics.median(fit_seconds), 4),
        "mart_sql_seconds": [round(s, 4) for s in mart_seconds],
        "mart_sql_seconds_median": round(statistics.median(mart_seconds), 4),
        "statsmodels_sample_seconds": [round(s, 3) for s in sample_seconds],
        "statsmodels_seconds": [round(s, 1) for s in reference_seconds],
        "statsmodels_seconds_median": round(statistics.median(reference_seconds), 1),
        "rolling_ols_seconds": [round(s, 3) for s in rolling_seconds],
        "rolling_ols_seconds_median": round(statistics.median(rolling_seconds), 3),
        "speedup": round(speedup, 1),
        "speedup_vs_rolling_ols": round(_median_ratio(rolling_seconds, sql_seconds), 1),
        **({"other_sql": others} if others else {}),
        **comparison,
        "target_speedup": TARGET_SPEEDUP,
        "target_tolerance": TARGET_TOLERANCE,
        "passed": bool(speedup >= TARGET_SPEEDUP and numbers_agree and rows_agree),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 3),
        "environment": {
            "duckdb": duckdb.__version__,
            "duckdb_threads": int(threads),
            "statsmodels": statsmodels.__version__,
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "load_average_1m_before": round(load_before, 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tickers", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--sample-tickers", type=int, default=4)
    parser.add_argument(
        "--other-sql",
        nargs="+",
        default=[],
        metavar="NAME=FILE",
        help="compiled SQL files (e.g. an earlier version of the model) also timed in each repeat",
    )
    args = parser.parse_args()
    other_sql = {name: Path(file).read_text() for name, file in (item.split("=", 1) for item in args.other_sql)}
    print(json.dumps(run(args.repeats, args.tickers, args.years, args.sample_tickers, other_sql), indent=2))


if __name__ == "__main__":
    main()
