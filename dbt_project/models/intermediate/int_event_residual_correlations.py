"""Kolari-Pynnonen's r for mart_event_study_summary: per event, model and window, the mean over pairs of the
window's sample firms of the correlation of their estimation-window residuals, each pair over the sessions both
have (pairwise complete, as DuckDB's corr over a join of the two firms' rows on the session).

Why Python: in SQL that join is N^2 pairs x 120 sessions per event and model; at 1,000 tickers it was most of
the build's time and memory. Here each event and model's residuals are one (sessions x firms) matrix, zero
where a firm has no residual, and every pair's sums over its common sessions are matrix products of it and its
0/1 mask: n = M'M, sum x = X'M, sum x^2 = (X*X)'M, sum xy = X'X. Each firm's residuals are centred on their own
mean first, which changes no correlation and keeps the products' cancellation small.

The residuals are read one event and model at a time (about 120,000 rows at 1,000 tickers): all 5.5 million at
once, as one pandas frame, took 2.5 GiB in the dbt process while the rolling fits ran beside it.

A pair with fewer than two common sessions, or no variance over them, has no correlation and is left out of
the mean (in the sample, firms have at least var('event_min_estimation_sessions') residuals and a residual
variance, so this does not arise there).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

GROUP = ["event_id", "model"]
# (event_id, model) -> that event and model's estimation residuals: ticker, relative_session, abnormal_return
ResidualsOf = Callable[[str, str], pd.DataFrame]
SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("model", pa.string()),
        ("window_label", pa.string()),
        ("n_firm_pairs", pa.int32()),
        ("mean_residual_correlation", pa.float64()),
    ]
)


def pair_correlations(residuals: pd.DataFrame) -> pd.DataFrame:
    """Pairwise-complete correlations of the columns of a (sessions x firms) frame, NaN where undefined."""
    values = residuals.to_numpy(dtype=float)
    mask = ~np.isnan(values)
    centred = np.where(mask, values - np.nanmean(values, axis=0), 0.0)
    weights = mask.astype(float)
    n = weights.T @ weights
    sum_x = centred.T @ weights  # [i, j]: firm i's sum over the sessions it shares with j
    sum_xx = (centred * centred).T @ weights
    sum_xy = centred.T @ centred
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_x = sum_x / n
        covariance = sum_xy / n - mean_x * mean_x.T
        variance = sum_xx / n - mean_x * mean_x
        correlation = covariance / np.sqrt(variance * variance.T)
    correlation[(n < 2) | ~(variance > 0) | ~(variance.T > 0)] = np.nan
    return pd.DataFrame(correlation, index=residuals.columns, columns=residuals.columns)


def mean_correlations(residuals_of: ResidualsOf, firms: pd.DataFrame) -> pa.Table:
    """One row per event, model and window of `firms` (event_id, model, window_label, ticker): the number of
    its firm pairs with a correlation and their mean, from `residuals_of(event_id, model)`, the estimation
    sessions' residuals, asked for one event and model at a time."""
    rows = []
    for (event_id, model), windows in firms.groupby(GROUP, sort=False):
        group = residuals_of(event_id, model)
        matrix = (
            group.pivot(index="relative_session", columns="ticker", values="abnormal_return")
            if len(group)
            else pd.DataFrame()
        )
        correlations = pair_correlations(matrix)
        for window_label, window in windows.groupby("window_label", sort=False):
            tickers = sorted(set(window["ticker"]) & set(correlations.columns))
            pairs = correlations.loc[tickers, tickers].to_numpy()[np.triu_indices(len(tickers), k=1)]
            pairs = pairs[~np.isnan(pairs)]
            mean = float(pairs.mean()) if len(pairs) else None
            rows.append((event_id, model, window_label, len(pairs), mean))
    return pa.Table.from_pylist([dict(zip(SCHEMA.names, row, strict=True)) for row in rows], schema=SCHEMA)


def model(dbt, session):  # noqa: ANN001, ANN201 - dbt's Python model signature
    """Every event, model and window of int_event_study_firms' sample."""
    dbt.config(materialized="table")
    estimation = dbt.ref("int_event_abnormal_returns").filter("is_estimation_session and abnormal_return is not null")

    def residuals_of(event_id: str, model: str) -> pd.DataFrame:
        group = (duckdb.ColumnExpression("event_id") == duckdb.ConstantExpression(event_id)) & (
            duckdb.ColumnExpression("model") == duckdb.ConstantExpression(model)
        )
        return estimation.filter(group).project("ticker, relative_session, abnormal_return").df()

    firms = (
        dbt.ref("int_event_study_firms").filter("is_in_sample").project("event_id, model, window_label, ticker").df()
    )
    return session.from_arrow(mean_correlations(residuals_of, firms))
