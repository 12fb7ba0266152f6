"""Kolari-Pynnonen's r for mart_event_study_summary: per event, model and window, the mean over pairs of the
window's sample firms of the correlation of their estimation-window residuals, each pair over the sessions both
have (pairwise complete, as DuckDB's corr over a join of the two firms' rows on the session).

Why Python: in SQL that join is N^2 pairs x 120 sessions per event and model; at 1,000 tickers it was most of
the build's time and memory. Here each event and model's residuals are one (sessions x firms) matrix, zero
where a firm has no residual, and every pair's sums over its common sessions are matrix products of it and its
0/1 mask: n = M'M, sum x = X'M, sum x^2 = (X*X)'M, sum xy = X'X. Each firm's residuals are centred on their own
mean first, which changes no correlation and keeps the products' cancellation small.

A pair with fewer than two common sessions, or no variance over them, has no correlation and is left out of
the mean (in the sample, firms have at least var('event_min_estimation_sessions') residuals and a residual
variance, so this does not arise there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

GROUP = ["event_id", "model"]
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


def mean_correlations(residuals: pd.DataFrame, firms: pd.DataFrame) -> pa.Table:
    """One row per event, model and window of `firms` (event_id, model, window_label, ticker): the number of
    its firm pairs with a correlation and their mean, from `residuals` (event_id, model, ticker,
    relative_session, abnormal_return: the estimation sessions')."""
    rows = []
    by_group = dict(iter(residuals.groupby(GROUP, sort=False)))
    for (event_id, model), windows in firms.groupby(GROUP, sort=False):
        group = by_group.get((event_id, model))
        matrix = (
            pd.DataFrame()
            if group is None
            else group.pivot(index="relative_session", columns="ticker", values="abnormal_return")
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
    residuals = (
        dbt.ref("int_event_abnormal_returns")
        .filter("is_estimation_session and abnormal_return is not null")
        .project("event_id, model, ticker, relative_session, abnormal_return")
        .df()
    )
    firms = (
        dbt.ref("int_event_study_firms").filter("is_in_sample").project("event_id, model, window_label, ticker").df()
    )
    return session.from_arrow(mean_correlations(residuals, firms))
