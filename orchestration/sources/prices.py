"""Turn one ticker's bars (as yfinance returns or exports them) into validated, typed rows."""

from __future__ import annotations

import pandas as pd

from orchestration.sources.errors import MarketDataError

# yfinance's column names -> the raw table's
COLUMNS = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Adj Close": "adj_close", "Volume": "volume"}
PRICE_COLUMNS = ["open", "high", "low", "close", "adj_close"]
ROW_COLUMNS = ["ticker", "date", *PRICE_COLUMNS, "volume"]


def _parse_dates(values: pd.Series, ticker: str, origin: str) -> pd.Series:
    """Dates as yfinance writes them ('2024-01-02', '2024-01-02 00:00:00-05:00', a Timestamp): the bar's day."""
    text = values.astype("string").str.strip().str.slice(0, 10)
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        first = values[bad].iloc[0]
        raise MarketDataError(f"{ticker}: unparseable date {first!r} in {origin} ({int(bad.sum())} bad dates)")
    return parsed.dt.date


def _parse_numbers(frame: pd.DataFrame, ticker: str, origin: str) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for column in [*PRICE_COLUMNS, "volume"]:
        if column not in frame:
            out[column] = pd.Series(float("nan"), index=frame.index, dtype="float64")
            continue
        raw = frame[column]
        numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
        bad = numbers.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
        if bad.any():
            first = raw[bad].iloc[0]
            raise MarketDataError(f"{ticker}: non-numeric {column} {first!r} in {origin}")
        out[column] = numbers
    return out


def normalize_history(frame: pd.DataFrame, ticker: str, origin: str) -> pd.DataFrame:
    """Validate one ticker's bars and return rows with ROW_COLUMNS.

    `frame` has a `Date` index or column and yfinance's columns; only `Close` is required. Rows without
    any value (a batch download's union of calendars) are dropped; everything else must be a complete,
    positive, once-per-day bar, or this raises MarketDataError naming the ticker and `origin`.
    """
    data = frame.reset_index() if "Date" not in frame.columns else frame.copy()
    if "Date" not in data.columns:
        raise MarketDataError(f"{ticker}: no 'Date' column in {origin}")
    if "Close" not in data.columns:
        raise MarketDataError(f"{ticker}: no 'Close' column in {origin}")
    data = data.rename(columns=COLUMNS)
    numbers = _parse_numbers(data, ticker, origin)
    present = numbers.notna().any(axis=1)
    data, numbers = data[present], numbers[present]
    if data.empty:
        raise MarketDataError(f"{ticker}: no price rows in {origin}")
    dates = _parse_dates(data["Date"], ticker, origin)
    missing_close = numbers["close"].isna()
    if missing_close.any():
        raise MarketDataError(f"{ticker}: missing Close on {dates[missing_close].iloc[0]} in {origin}")
    non_positive = (numbers[PRICE_COLUMNS] <= 0).any(axis=1)
    if non_positive.any():
        raise MarketDataError(f"{ticker}: zero or negative price on {dates[non_positive].iloc[0]} in {origin}")
    if (numbers["volume"] < 0).any():
        raise MarketDataError(f"{ticker}: negative volume in {origin}")
    duplicated = dates.duplicated(keep=False)
    if duplicated.any():
        raise MarketDataError(f"{ticker}: duplicate date {dates[duplicated].iloc[0]} in {origin}")
    rows = numbers.assign(ticker=ticker, date=dates.values)
    rows["volume"] = rows["volume"].round().astype("Int64")
    return rows[ROW_COLUMNS].sort_values("date").reset_index(drop=True)
