"""Rolling three-factor OLS of each stock, per ticker, session and window size, with OLS and Newey-West errors.

    daily_return = alpha + beta_market * market + b0 * btc + b1 * btc_previous + beta_ai * ai_perp + e

mart_factor_exposure's numbers, fitted here (the mart adds the 95% bands and the window's first session).

* market: the market factor's return (factors seed role `market`, SPY).
* btc, btc_previous: bitcoin's return on the session and on the session before (Dimson 1979). Yahoo's
  BTC-USD bar closes at 00:00 UTC, three (EST) or four (EDT) hours after the US close, so a session's bitcoin
  return misses the hours just before the stock's own return starts, and bitcoin's evening moves reach the
  stock only the next session. beta_btc is the Dimson sum b0 + b1; beta_btc_same_day and beta_btc_lag are
  its two parts.
* ai_perp: the AI factor's return (role `ai`, NVDA) less its own OLS fit on [1, market] over the same window
  and observations, so beta_ai carries no market beta. The design spans the same columns as [1, market, btc,
  btc_previous, ai], so the fit, the residuals, beta_ai, beta_btc and their standard errors are that raw
  regression's; beta_market is the raw market coefficient plus ai_market_beta * beta_ai, and alpha is the raw
  intercept plus the AI fit's intercept times beta_ai (ai_perp has mean zero over the window).

Standard errors: OLS (sigma^2 = RSS / (n_obs - 5)); Newey-West (1987) HAC with Bartlett weights 1 - l / (L + 1),
L = floor(4 * (n_obs / 100)^(2/9)) of the window's own n_obs (Newey and West 1994), over pairs of consecutive
observations of the ticker (its observation sequence, as a regression on the window's rows sees it) that both
lie in the window, with the small-sample factor n_obs / (n_obs - 5): statsmodels' OLS(...).fit(cov_type="HAC",
cov_kwds={"maxlags": L, "use_correction": True}).

The window is a RANGE over session_index, not a count of rows: a stock with data gaps gets fewer observations
(n_obs) instead of a window reaching further back in time. Only sessions where the stock and every factor term
have a return are observations (btc_previous is the return of the session just before, when there is one), and a
row is emitted for each observation whose window holds at least window_size * var('factor_window_min_coverage')
observations and more than the 5 coefficients.

How: per ticker (its observations in session order), each window's observations are a contiguous slice, ending
at the window's own observation. The slices of one window size are stacked into a (windows x window_size) array,
padded with zeros past each window's n_obs, and the fit runs on all of them at once: the centred cross products,
inverse(S_xx), the coefficients, the residuals u_t, and for beta_btc and beta_ai the Newey-West scores
u_t * d' (x_t - mean x), d the row of inverse(S_xx) of the coefficient (the slope rows of inverse(X'X)), whose
products with the scores 1..L observations earlier are summed along the array. Nothing joins windows back to
rows; the memory is one ticker's stack at a time, and the rows stream out in batches.

The vars come through the model's config (meta factor_windows, factor_window_min_coverage in the YAML), as a
Python model cannot call var().
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

N_PARAMS = 5  # intercept, market, btc, btc_previous, ai
FACTOR_ROLES = ("btc", "ai", "market")  # not regressed themselves (the sector factor is, as an ordinary series)
BATCH_ROWS = 65_536

SCHEMA = pa.schema(
    [
        ("ticker", pa.string()),
        ("session_date", pa.date32()),
        ("session_index", pa.int32()),
        ("window_size", pa.int32()),
        ("n_obs", pa.int32()),
        ("hac_lags", pa.int32()),
        ("beta_market", pa.float64()),
        ("beta_btc", pa.float64()),
        ("beta_ai", pa.float64()),
        ("alpha", pa.float64()),
        ("r_squared", pa.float64()),
        ("se_beta_market", pa.float64()),
        ("se_beta_btc", pa.float64()),
        ("se_beta_ai", pa.float64()),
        ("nw_se_beta_btc", pa.float64()),
        ("nw_se_beta_ai", pa.float64()),
        ("beta_btc_same_day", pa.float64()),
        ("beta_btc_lag", pa.float64()),
        ("ai_market_beta", pa.float64()),
        ("corr_btc", pa.float64()),
        ("corr_ai", pa.float64()),
        ("corr_btc_ai", pa.float64()),
    ]
)
FIT_COLUMNS = [field.name for field in SCHEMA][4:]


def _numpy(column: pa.ChunkedArray | pa.Array, dtype: type) -> np.ndarray:
    """A numeric or boolean column as a numpy array of dtype, nulls as NaN. Read from the Arrow buffers:
    pyarrow's own conversions import pandas, a second of start-up the model has no use for."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    span = slice(array.offset, array.offset + len(array))
    validity, data = array.buffers()[:2]
    if pa.types.is_boolean(array.type):
        values = np.unpackbits(np.frombuffer(data, dtype=np.uint8), bitorder="little")[span].astype(dtype)
    else:
        as_float = dtype is np.float64 or array.null_count > 0
        array = array.cast(pa.float64() if as_float else pa.int64())
        validity, data = array.buffers()[:2]
        span = slice(array.offset, array.offset + len(array))
        values = np.frombuffer(data, dtype=np.float64 if as_float else np.int64)[span].astype(dtype)
    if array.null_count:
        valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")[span].astype(bool)
        values[~valid] = np.nan
    return values


def _arrow(values: np.ndarray, arrow_type: pa.DataType) -> pa.Array:
    """A numpy array as an Arrow array of arrow_type (NaN as null, as SQL's nullif gives), without pandas."""
    floating = pa.types.is_floating(arrow_type)
    values = np.ascontiguousarray(values, dtype=np.float64 if floating else np.int64)
    nulls = np.isnan(values) if floating else np.zeros(len(values), dtype=bool)
    validity = pa.py_buffer(np.packbits(~nulls, bitorder="little")) if nulls.any() else None
    array = pa.Array.from_buffers(
        pa.float64() if floating else pa.int64(),
        len(values),
        [validity, pa.py_buffer(values)],
        null_count=int(nulls.sum()),
    )
    return array.cast(arrow_type)


def factor_terms(factors: pa.Table) -> np.ndarray:
    """(last session_index + 1) x 4 array of [market, btc, btc_previous, ai] by session_index, NaN on the
    sessions a regression cannot use: a factor term without a return, or no bitcoin return on the session just
    before (btc_previous is the bitcoin return of the previous row of int_factor_returns, which must be the
    previous session)."""
    order = pc.sort_indices(factors, [("session_index", "ascending")])
    factors = factors.take(order)
    session_index = _numpy(factors["session_index"], np.int64)

    def column(name: str) -> np.ndarray:
        return _numpy(factors[name], np.float64)

    market, btc, ai = column("market_return"), column("btc_return"), column("ai_return")
    btc_previous = np.full_like(btc, np.nan)
    consecutive = session_index[1:] == session_index[:-1] + 1
    btc_previous[1:] = np.where(consecutive, btc[:-1], np.nan)
    size = int(session_index.max()) + 1 if len(session_index) else 1
    terms = np.full((size, 4), np.nan)
    terms[session_index] = np.column_stack([market, btc, btc_previous, ai])
    terms[np.isnan(terms).any(axis=1)] = np.nan
    return terms


def _inverse(matrices: np.ndarray) -> np.ndarray:
    """Batched inverse; a singular matrix (a regressor without variance) gives NaNs, not an error."""
    try:
        return np.linalg.inv(matrices)
    except np.linalg.LinAlgError:
        out = np.full_like(matrices, np.nan)
        for k, matrix in enumerate(matrices):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[k] = np.linalg.inv(matrix)
        return out


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN (null) where the denominator is zero, as SQL's nullif."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1.0), np.nan)


def _sqrt_nonnegative(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.maximum(values, 0.0))


def newey_west_lags(n_obs: np.ndarray) -> np.ndarray:
    """L = floor(4 (n / 100)^(2/9)) (Newey and West 1994)."""
    return np.floor(4 * np.power(n_obs / 100, 2 / 9)).astype(np.int64)


def fit_windows(
    session_index: np.ndarray, data: np.ndarray, window_size: int, min_obs: int, first_end: int = 0
) -> dict[str, np.ndarray]:
    """Every window of one ticker and window size that ends on or after session first_end.

    session_index: the ticker's observations, ascending; data: their [market, btc, btc_previous, ai, y] rows.
    A window ends at each observation and holds the observations of the window_size sessions up to it; it is
    fitted when it holds at least min_obs of them and more than N_PARAMS. Returns `end` (the position of the
    window's own observation), n_obs, hac_lags and the columns of FIT_COLUMNS, one entry per fitted window.
    """
    count = len(session_index)
    ends = np.arange(count)
    starts = np.searchsorted(session_index, session_index - window_size, side="right")
    n_obs = ends - starts + 1
    fitted = (n_obs >= min_obs) & (n_obs > N_PARAMS) & (session_index >= first_end)
    ends, starts, n_obs = ends[fitted], starts[fitted], n_obs[fitted]
    width = int(n_obs.max()) if len(n_obs) else 0
    result: dict[str, np.ndarray] = {"end": ends, "n_obs": n_obs}
    if not len(ends):
        return {**result, "hac_lags": n_obs, **{name: np.empty(0) for name in FIT_COLUMNS[2:]}}

    # (windows x width x 5): each window's observations, left-aligned, zero past its n_obs
    offsets = np.arange(width)
    inside = (offsets[None, :] < n_obs[:, None]).astype(np.float64)[:, :, None]
    centred = data[np.minimum(starts[:, None] + offsets[None, :], count - 1)]
    centred *= inside
    means = centred.sum(axis=1) / n_obs[:, None]
    centred -= means[:, None, :]
    centred *= inside
    cross = np.matmul(centred.transpose(0, 2, 1), centred)  # centred sums of products
    s_xx, s_xy, s_yy = cross[:, :4, :4], cross[:, :4, 4], cross[:, 4, 4]
    inverse = _inverse(s_xx)
    slopes = np.matmul(inverse, s_xy[:, :, None])[:, :, 0]
    # (x_t - mean x) projected on the slopes (the fit) and on d, inverse(S_xx)'s row of the coefficient (or
    # combination) whose Newey-West error is wanted: the Dimson sum b0 + b1, and the AI coefficient
    directions = np.stack([slopes, inverse[:, 1, :] + inverse[:, 2, :], inverse[:, 3, :]], axis=2)
    projected = np.matmul(centred[:, :, :4], directions)
    residuals = centred[:, :, 4] - projected[:, :, 0]  # zero past n_obs
    rss = np.einsum("kw,kw->k", residuals, residuals)

    # Newey-West: the scores u_t * d' (x_t - mean x), and their products with those lag observations earlier
    hac_lags = newey_west_lags(n_obs)
    newey_west = {}
    for name, column in (("btc", 1), ("ai", 2)):
        scores = residuals * projected[:, :, column]
        meat = np.einsum("kw,kw->k", scores, scores)
        for lag in range(1, int(hac_lags.max()) + 1):
            # pairs of observations lag apart inside the window (the padding's scores are zero)
            kernel = np.where(lag <= hac_lags, 2 * (1 - lag / (hac_lags + 1)), 0.0)
            meat = meat + kernel * np.einsum("kw,kw->k", scores[:, lag:], scores[:, :-lag])
        newey_west[name] = _sqrt_nonnegative(meat * n_obs / (n_obs - N_PARAMS))

    ai_market_beta = _ratio(s_xx[:, 0, 3], s_xx[:, 0, 0])
    raw_intercept = means[:, 4] - np.einsum("ki,ki->k", slopes, means[:, :4])
    residual_variance = rss / (n_obs - N_PARAMS)
    var_unit_market = (
        inverse[:, 0, 0] + ai_market_beta * ai_market_beta * inverse[:, 3, 3] + 2 * ai_market_beta * inverse[:, 0, 3]
    )
    var_unit_btc = inverse[:, 1, 1] + inverse[:, 2, 2] + 2 * inverse[:, 1, 2]
    return {
        **result,
        "hac_lags": hac_lags,
        "beta_market": slopes[:, 0] + ai_market_beta * slopes[:, 3],
        "beta_btc": slopes[:, 1] + slopes[:, 2],
        "beta_ai": slopes[:, 3],
        # intercept with ai_perp (mean zero over the window) in place of the AI factor
        "alpha": raw_intercept + slopes[:, 3] * (means[:, 3] - ai_market_beta * means[:, 0]),
        "r_squared": 1 - _ratio(rss, s_yy),
        "se_beta_market": _sqrt_nonnegative(residual_variance * var_unit_market),
        "se_beta_btc": _sqrt_nonnegative(residual_variance * var_unit_btc),
        "se_beta_ai": _sqrt_nonnegative(residual_variance * inverse[:, 3, 3]),
        "nw_se_beta_btc": newey_west["btc"],
        "nw_se_beta_ai": newey_west["ai"],
        "beta_btc_same_day": slopes[:, 1],
        "beta_btc_lag": slopes[:, 2],
        "ai_market_beta": ai_market_beta,
        "corr_btc": _ratio(cross[:, 1, 4], _sqrt_nonnegative(cross[:, 1, 1] * s_yy)),
        "corr_ai": _ratio(cross[:, 3, 4], _sqrt_nonnegative(cross[:, 3, 3] * s_yy)),
        "corr_btc_ai": _ratio(cross[:, 1, 3], _sqrt_nonnegative(cross[:, 1, 1] * cross[:, 3, 3])),
    }


def min_observations(window_size: int, coverage: Decimal) -> int:
    """The fewest observations a window may hold: window_size * coverage, in exact decimal arithmetic."""
    return math.ceil(Decimal(window_size) * coverage)


def fits(
    stocks: pa.Table,
    factors: pa.Table,
    windows: list[int],
    coverage: Decimal,
    batch_rows: int = BATCH_ROWS,
    first_end: dict[str, int] | None = None,
) -> Iterator[pa.RecordBatch]:
    """The model's rows, in record batches of about batch_rows, ticker by ticker.

    stocks: int_daily_returns' ticker, session_date, session_index, daily_return, factor_role; factors:
    int_factor_returns' session_index, market_return, btc_return, ai_return. first_end: ticker -> the first
    session whose windows are fitted (an incremental build's); every window when None.
    """
    terms = factor_terms(factors)
    role = stocks["factor_role"]
    is_factor = pc.match_substring_regex(role, pattern=f"^({'|'.join(FACTOR_ROLES)})$")
    keep = pc.and_(pc.is_valid(stocks["daily_return"]), pc.or_kleene(pc.is_null(role), pc.invert(is_factor)))
    # the columns used from here on, so that the filtered and the sorted copies hold nothing else
    stocks = stocks.select(["ticker", "session_date", "session_index", "daily_return"]).filter(keep)
    stocks = stocks.take(pc.sort_indices(stocks, [("ticker", "ascending"), ("session_index", "ascending")]))
    session_index = _numpy(stocks["session_index"], np.int64)
    # [market, btc, btc_previous, ai, y] rows, filled in place: no separate x and y arrays to stack
    data = np.full((len(session_index), 5), np.nan)
    inside = session_index < len(terms)
    data[inside, :4] = terms[session_index[inside]]
    data[:, 4] = _numpy(stocks["daily_return"], np.float64)
    observed = ~np.isnan(data).any(axis=1)
    tickers = stocks["ticker"].combine_chunks()
    session_dates = stocks["session_date"].combine_chunks()
    if len(stocks):
        changes = _numpy(pc.not_equal(tickers.slice(1), tickers.slice(0, len(tickers) - 1)), bool)
        bounds = np.concatenate([[0], np.flatnonzero(changes) + 1, [len(tickers)]])
    else:
        bounds = np.array([0])

    pending: list[tuple[np.ndarray, int, dict[str, np.ndarray]]] = []
    pending_rows = 0
    for first, last in zip(bounds[:-1], bounds[1:], strict=True):
        positions = first + np.flatnonzero(observed[first:last])
        ticker_first_end = 0 if first_end is None else first_end[tickers[int(first)].as_py()]
        for window_size in windows:
            fitted = fit_windows(
                session_index[positions],
                data[positions],
                window_size,
                min_observations(window_size, coverage),
                ticker_first_end,
            )
            if len(fitted["end"]):
                pending.append((positions[fitted["end"]], window_size, fitted))
                pending_rows += len(fitted["end"])
        if pending_rows >= batch_rows:
            yield _batch(pending, tickers, session_dates, session_index)
            pending, pending_rows = [], 0
    if pending:
        yield _batch(pending, tickers, session_dates, session_index)


def _batch(
    pending: list[tuple[np.ndarray, int, dict[str, np.ndarray]]],
    tickers: pa.Array,
    session_dates: pa.Array,
    session_index: np.ndarray,
) -> pa.RecordBatch:
    rows = np.concatenate([positions for positions, _, _ in pending])
    taken = _arrow(rows, pa.int64())
    window_size = np.concatenate([np.full(len(positions), size) for positions, size, _ in pending])
    columns = {
        "ticker": tickers.take(taken).cast(pa.string()),
        "session_date": session_dates.take(taken).cast(pa.date32()),
        "session_index": _arrow(session_index[rows], pa.int32()),
        "window_size": _arrow(window_size, pa.int32()),
        "n_obs": _arrow(np.concatenate([fitted["n_obs"] for _, _, fitted in pending]), pa.int32()),
        "hac_lags": _arrow(np.concatenate([fitted["hac_lags"] for _, _, fitted in pending]), pa.int32()),
    }
    for name in FIT_COLUMNS[2:]:
        columns[name] = _arrow(np.concatenate([fitted[name] for _, _, fitted in pending]), pa.float64())
    return pa.RecordBatch.from_arrays(list(columns.values()), schema=SCHEMA)


def _config_value(raw: object) -> object:
    """A var rendered into the YAML config: a number or list, or its text."""
    return json.loads(raw) if isinstance(raw, str) else raw


def changed_since_last_build(dbt, session) -> dict[str, int]:  # noqa: ANN001 - dbt's objects
    """An incremental build's first session to refit, per ticker: the first session of its returns, or of any
    factor return, rebuilt after this model's latest `rebuilt_at` (macros/incremental_by_session.sql)."""
    last = session.sql(f"select max(rebuilt_at) from {dbt.this}").fetchall()[0][0]  # noqa: S608 - dbt.this
    changed_after = f"rebuilt_at > cast('{last if last is not None else '-infinity'}' as timestamp)"
    factors_from = dbt.ref("int_factor_returns").filter(changed_after).aggregate("min(session_index)").fetchall()[0][0]
    changed = dict(
        dbt.ref("int_daily_returns").filter(changed_after).aggregate("ticker, min(session_index)", "ticker").fetchall()
    )
    if factors_from is not None:
        tickers = dbt.ref("int_daily_returns").project("ticker").distinct().fetchall()
        changed = {ticker: min(changed.get(ticker, factors_from), factors_from) for (ticker,) in tickers}
    return changed


def model(dbt, session):  # noqa: ANN001, ANN201 - dbt's Python model signature
    """Cold: every window. Incremental (macros/incremental_by_session.sql): the windows that end on or after
    each ticker's first changed session, read from the look-back they need."""
    dbt.config(
        materialized="incremental",
        unique_key=["ticker", "session_date", "window_size"],
        incremental_strategy="delete+insert",
        # "ignore": dbt-duckdb reads no columns from a Python model's staged batch, so any check reports a mismatch
        on_schema_change="ignore",
    )
    windows = [int(size) for size in _config_value(dbt.config.meta_get("factor_windows"))]
    coverage = Decimal(str(_config_value(dbt.config.meta_get("factor_window_min_coverage"))))
    stocks = dbt.ref("int_daily_returns").filter(
        "daily_return is not null and (factor_role is null or factor_role not in ('btc', 'ai', 'market'))"
    )
    first_end = None
    if dbt.is_incremental:  # the look-back of the windows to refit: max(windows) - 1 sessions before the first
        first_end = changed_since_last_build(dbt, session)
        tickers = ", ".join("'" + ticker.replace("'", "''") + "'" for ticker in first_end)
        since = min(first_end.values(), default=0) - (max(windows) - 1)
        stocks = stocks.filter(f"ticker in ({tickers}) and session_index >= {since}" if first_end else "false")
    stocks = stocks.project("ticker, session_date, session_index, daily_return, factor_role").to_arrow_table()
    factors = (
        dbt.ref("int_factor_returns").project("session_index, market_return, btc_return, ai_return").to_arrow_table()
    )
    rebuilt_at = pa.scalar(datetime.now(UTC).replace(tzinfo=None), pa.timestamp("us"))
    schema = SCHEMA.append(pa.field("rebuilt_at", rebuilt_at.type))
    batches = pa.RecordBatchReader.from_batches(
        schema,
        (
            pa.RecordBatch.from_arrays([*batch.columns, pa.repeat(rebuilt_at, batch.num_rows)], schema=schema)
            for batch in fits(stocks, factors, windows, coverage, first_end=first_end)
        ),
    )
    # a relation on the model's own connection: dbt-duckdb writes anything else through another cursor, where the
    # temporary table of an incremental build is out of the merge's sight
    return session.from_arrow(batches)
