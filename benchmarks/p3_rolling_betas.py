"""P3: rolling two-factor betas, the project's SQL against what an analyst would write instead.

The project's SQL is the dbt model mart_factor_exposure, rendered by `dbt compile` (not a copy) and
run in DuckDB on synthetic tables shaped like int_us_sessions, int_daily_returns and
int_factor_returns. The analyst's version is pandas + statsmodels `RollingOLS`, one fit per ticker
and window size; it lives here only, as the reference for both the numbers and the timing.

Both run on the same seeded data set (default 500 tickers x 10 years of US sessions, with late
listings, delistings, gaps and sessions without a factor return, so that the RANGE window over
session_index matters). Each repeat times the SQL (materialised into a table) and then the
reference, and the speedup of that repeat is the ratio of the two; the report gives medians (the
machine is shared: only ratios within a repeat are comparable). The outputs are compared row for
row on (ticker, session, window): same row set, same n_obs and window_start_date, and beta_btc,
beta_ai, alpha and r_squared within 1e-9.

    uv run python -m benchmarks.p3_rolling_betas [--repeats 3] [--tickers 500] [--years 10]
        [--no-params-only-baseline] [--other-sql NAME=COMPILED.sql ...]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
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

from orchestration.defs.dbt.command import dbt_command
from orchestration.paths import DBT_PROJECT_DIR

MODEL = "mart_factor_exposure"
SESSIONS_PER_YEAR = 252
SEED = 20240603
TARGET_SPEEDUP = 40
TARGET_TOLERANCE = 1e-9
COMPARED_COLUMNS = ("beta_btc", "beta_ai", "alpha", "r_squared")


# --- synthetic data -------------------------------------------------------------------------------


def make_dataset(tickers: int, years: int, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Tables with the columns and meaning of int_us_sessions, int_daily_returns and int_factor_returns.

    Factors: fat-tailed (Student t, 4 dof), correlated daily returns for btc (vol 3.5%) and ai (2.8%),
    null on the first session and on a few sessions with a missing bar. Stocks: alpha + beta_btc * btc
    + beta_ai * ai + noise, with betas drifting slowly over time. About 10% of the tickers list late,
    4% delist early and 20% have one to three gaps of 1-15 sessions without a row; as in
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

    shocks = rng.standard_t(4, size=(n_sessions, 2)) / np.sqrt(2.0)  # unit variance
    btc = 0.0015 + 0.035 * shocks[:, 0]
    ai = 0.0010 + 0.028 * (0.35 * shocks[:, 0] + np.sqrt(1 - 0.35**2) * shocks[:, 1])
    btc[0] = ai[0] = np.nan
    btc[rng.choice(np.arange(1, n_sessions), size=4, replace=False)] = np.nan
    ai[rng.choice(np.arange(1, n_sessions), size=3, replace=False)] = np.nan

    # stock returns on the full ticker x session grid, masked below
    t = np.arange(n_sessions)[None, :]
    alpha = rng.normal(0.0003, 0.0008, size=(tickers, 1))
    beta_btc = rng.uniform(0.3, 2.2, size=(tickers, 1)) + 0.3 * np.sin(
        2 * np.pi * t / rng.uniform(300, 900, size=(tickers, 1)) + rng.uniform(0, 2 * np.pi, size=(tickers, 1))
    )
    beta_ai = rng.uniform(-0.4, 1.4, size=(tickers, 1)) + 0.2 * np.sin(
        2 * np.pi * t / rng.uniform(300, 900, size=(tickers, 1)) + rng.uniform(0, 2 * np.pi, size=(tickers, 1))
    )
    noise = rng.uniform(0.015, 0.05, size=(tickers, 1)) * rng.standard_t(5, size=(tickers, n_sessions)) / np.sqrt(5 / 3)
    returns = alpha + beta_btc * np.nan_to_num(btc) + beta_ai * np.nan_to_num(ai) + noise
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
    factor_tickers = pd.DataFrame(
        {
            "ticker": np.repeat(["BTC-USD", "NVDA"], n_sessions),
            "session_index": np.tile(session_index, 2),
            "close": np.concatenate([30000 * np.nancumprod(1 + btc), 20 * np.nancumprod(1 + ai)]),
            "daily_return": np.concatenate([btc, ai]),
            "factor_role": np.repeat(["btc", "ai"], n_sessions),
        }
    )
    daily_returns = pd.concat([stocks, factor_tickers], ignore_index=True).merge(
        sessions, on="session_index", how="left"
    )
    factor_returns = sessions[["session_date", "session_index"]].assign(
        btc_return=btc, ai_return=ai, market_return=np.nan, sector_return=np.nan
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


def compile_model(data_dir: Path) -> str:
    """The model's SQL as dbt renders it for a warehouse in data_dir (dbt's own target/ is left alone)."""
    target = data_dir / "dbt_target"
    env = {**os.environ, "MINERS_DATA_DIR": str(data_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    command = dbt_command(
        "compile", "--select", MODEL, "--log-path", str(data_dir / "dbt_logs"), "--quiet", target_path=target
    )
    completed = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"dbt compile failed:\n{completed.stdout}\n{completed.stderr}")
    (compiled,) = (target / "compiled").rglob(f"{MODEL}.sql")
    return compiled.read_text()


def project_vars() -> tuple[list[int], Decimal]:
    config = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    return [int(w) for w in config["factor_windows"]], Decimal(str(config["factor_window_min_coverage"]))


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, in_memory: bool = False) -> float:
    """Seconds to materialise the SQL's rows into a table of the warehouse file (or an in-memory one)."""
    table = "temp table p3_result_in_memory" if in_memory else "table main.p3_result"
    start = time.perf_counter()
    con.execute(f"create or replace {table} as\n{sql}")
    return time.perf_counter() - start


# --- the analyst's version ------------------------------------------------------------------------


def statsmodels_betas(
    data: dict[str, pd.DataFrame], windows: list[int], min_coverage: Decimal, params_only: bool = False
) -> pd.DataFrame:
    """pandas + statsmodels RollingOLS, per ticker and window size.

    Each ticker is reindexed to the full session calendar (NaN where it has no return), so a
    window of w rows is w sessions; missing="drop" leaves the NaN sessions out of each fit and
    expanding=True fits the first sessions on what is there, as the SQL's RANGE frame does.

    params_only=True is the same loop with `fit(params_only=True)`: alpha and the betas only, no
    r_squared or n_obs. It is timed as a stricter baseline (the cheapest RollingOLS can do), not compared.
    """
    import statsmodels.api as sm
    from statsmodels.regression.rolling import RollingOLS

    calendar = pd.Index(data["sessions"]["session_index"], name="session_index")
    factors = data["factor_returns"].set_index("session_index")[["btc_return", "ai_return"]].reindex(calendar)
    exog = sm.add_constant(factors)
    factors_observed = factors.notna().all(axis=1)
    daily_returns = data["daily_returns"]
    stocks = daily_returns[~daily_returns["factor_role"].isin(["btc", "ai"])]

    frames = []
    for ticker, rows in stocks.groupby("ticker", sort=False):
        y = rows.set_index("session_index")["daily_return"].reindex(calendar)
        observed = y.notna() & factors_observed
        for window in windows:
            min_nobs = max(math.ceil(window * min_coverage), 3)
            model = RollingOLS(y, exog, window=window, min_nobs=min_nobs, missing="drop", expanding=True)
            fit = model.fit(params_only=params_only)
            result = fit.params.rename(columns={"const": "alpha", "btc_return": "beta_btc", "ai_return": "beta_ai"})
            if not params_only:
                result["r_squared"] = fit.rsquared
                result["n_obs"] = fit.nobs
            result = result[observed & result["beta_btc"].notna()]
            frames.append(result.reset_index().assign(ticker=ticker, window_size=window))
    return pd.concat(frames, ignore_index=True)


# --- comparison -----------------------------------------------------------------------------------


def compare(con: duckdb.DuckDBPyConnection, reference: pd.DataFrame, sessions: pd.DataFrame) -> dict:
    emitted = con.execute(
        """
        select
            result.ticker,
            sessions.session_index,
            result.window_size,
            result.n_obs,
            result.beta_btc,
            result.beta_ai,
            result.alpha,
            result.r_squared,
            result.window_start_date
        from main.p3_result as result
        inner join intermediate.int_us_sessions as sessions
            on result.session_date = sessions.session_date
        """
    ).df()
    keys = ["ticker", "session_index", "window_size"]
    merged = emitted.merge(reference, on=keys, how="outer", suffixes=("_sql", "_ref"), indicator=True)
    both = merged[merged["_merge"] == "both"]

    max_abs_diff = {}
    for column in COMPARED_COLUMNS:
        sql_values = both[f"{column}_sql"].to_numpy(dtype=float)
        ref_values = both[f"{column}_ref"].to_numpy(dtype=float)
        diff = np.abs(sql_values - ref_values)
        # both null counts as agreement, one null as an infinite difference
        diff = np.where(np.isnan(sql_values) & np.isnan(ref_values), 0.0, diff)
        diff = np.where(np.isnan(sql_values) ^ np.isnan(ref_values), np.inf, diff)
        max_abs_diff[column] = float(diff.max()) if len(diff) else 0.0

    start_index = np.maximum(both["session_index"] - both["window_size"] + 1, 1)
    expected_start = sessions.set_index("session_index")["session_date"].reindex(start_index).to_numpy()
    window_start_mismatches = int(
        (pd.to_datetime(both["window_start_date"]).to_numpy() != expected_start.astype("datetime64[ns]")).sum()
    )
    return {
        "rows_sql": len(emitted),
        "rows_reference": len(reference),
        "rows_only_in_sql": int((merged["_merge"] == "left_only").sum()),
        "rows_only_in_reference": int((merged["_merge"] == "right_only").sum()),
        "n_obs_mismatches": int((both["n_obs_sql"] != both["n_obs_ref"]).sum()),
        "window_start_mismatches": window_start_mismatches,
        "max_abs_diff": max_abs_diff,
    }


# --- the benchmark --------------------------------------------------------------------------------


def _median_ratio(numerators: list[float], denominators: list[float]) -> float:
    """Median over repeats of numerator / denominator, each ratio taken within one repeat."""
    return statistics.median(n / d for n, d in zip(numerators, denominators, strict=True))


def run(
    repeats: int = 3,
    tickers: int = 500,
    years: int = 10,
    params_only_baseline: bool = True,
    other_sql: dict[str, str] | None = None,
) -> dict:
    """Benchmark P3 and return a JSON-serialisable report.

    Each repeat times, in this order: the SQL materialised into a table of the warehouse file (what
    dbt does; the headline), the same SQL into an in-memory temp table (no compression and write),
    the statsmodels reference (fit() then .params and .rsquared) and, with params_only_baseline,
    the same loop with fit(params_only=True), the cheapest RollingOLS call (no r_squared).
    other_sql: name -> SQL text (compiled, e.g. an earlier version of the model) also timed into the
    warehouse file in each repeat, for before/after comparisons in the same conditions; not checked.
    passed: speedup over the reference >= 40 in the median of the repeats, same rows, same n_obs
    and window_start_date, and beta_btc, beta_ai, alpha, r_squared within 1e-9.
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
            for text in (sql, *other_sql.values()):
                run_sql(con, text)  # warm-up, untimed
            sql_seconds, in_memory_seconds, statsmodels_seconds, params_only_seconds = [], [], [], []
            other_seconds: dict[str, list[float]] = {name: [] for name in other_sql}
            reference = None
            for _ in range(repeats):
                for name, text in other_sql.items():
                    other_seconds[name].append(run_sql(con, text))
                sql_seconds.append(run_sql(con, sql))
                in_memory_seconds.append(run_sql(con, sql, in_memory=True))
                start = time.perf_counter()
                reference = statsmodels_betas(data, windows, min_coverage)
                statsmodels_seconds.append(time.perf_counter() - start)
                if params_only_baseline:
                    start = time.perf_counter()
                    statsmodels_betas(data, windows, min_coverage, params_only=True)
                    params_only_seconds.append(time.perf_counter() - start)
            comparison = compare(con, reference, data["sessions"])
            threads = con.execute("select current_setting('threads')").fetchone()[0]
        finally:
            con.close()

    speedup = _median_ratio(statsmodels_seconds, sql_seconds)
    baselines = {}
    if params_only_baseline:
        speedup_vs_params_only = _median_ratio(params_only_seconds, sql_seconds)
        baselines = {
            "statsmodels_params_only_seconds": [round(s, 3) for s in params_only_seconds],
            "statsmodels_params_only_seconds_median": round(statistics.median(params_only_seconds), 3),
            "speedup_vs_params_only": round(speedup_vs_params_only, 1),
            "speedup_vs_params_only_in_memory": round(_median_ratio(params_only_seconds, in_memory_seconds), 1),
        }
    others = {
        name: {
            "sql_seconds": [round(s, 4) for s in seconds],
            "sql_seconds_median": round(statistics.median(seconds), 4),
            "speedup": round(_median_ratio(statsmodels_seconds, seconds), 1),
        }
        for name, seconds in other_seconds.items()
    }
    numbers_agree = all(diff <= TARGET_TOLERANCE for diff in comparison["max_abs_diff"].values())
    rows_agree = (
        comparison["rows_sql"] == comparison["rows_reference"]
        and comparison["rows_only_in_sql"] == 0
        and comparison["rows_only_in_reference"] == 0
        and comparison["n_obs_mismatches"] == 0
        and comparison["window_start_mismatches"] == 0
    )
    stocks = data["daily_returns"]["factor_role"].isna()
    return {
        "id": "P3",
        "what": (
            f"rolling two-factor betas: mart_factor_exposure's SQL (dbt-compiled, DuckDB) against pandas + "
            f"statsmodels RollingOLS per ticker, {tickers} synthetic tickers x {years} years"
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
        "sql_seconds": [round(s, 4) for s in sql_seconds],
        "sql_seconds_median": round(statistics.median(sql_seconds), 4),
        "sql_in_memory_seconds": [round(s, 4) for s in in_memory_seconds],
        "sql_in_memory_seconds_median": round(statistics.median(in_memory_seconds), 4),
        "statsmodels_seconds": [round(s, 3) for s in statsmodels_seconds],
        "statsmodels_seconds_median": round(statistics.median(statsmodels_seconds), 3),
        "speedup": round(speedup, 1),
        "speedup_in_memory": round(_median_ratio(statsmodels_seconds, in_memory_seconds), 1),
        **baselines,
        **({"other_sql": others} if others else {}),
        **comparison,
        "target_speedup": TARGET_SPEEDUP,
        "target_tolerance": TARGET_TOLERANCE,
        "passed": bool(speedup >= TARGET_SPEEDUP and numbers_agree and rows_agree),
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
    parser.add_argument("--no-params-only-baseline", dest="params_only_baseline", action="store_false")
    parser.add_argument(
        "--other-sql",
        nargs="+",
        default=[],
        metavar="NAME=FILE",
        help="compiled SQL files (e.g. an earlier version of the model) also timed in each repeat",
    )
    args = parser.parse_args()
    other_sql = {name: Path(file).read_text() for name, file in (item.split("=", 1) for item in args.other_sql)}
    print(json.dumps(run(args.repeats, args.tickers, args.years, args.params_only_baseline, other_sql), indent=2))


if __name__ == "__main__":
    main()
