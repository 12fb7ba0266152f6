"""The market gates calibrated on the real corpus: real closes pass every blocking expectation, a planted
corruption of the same data still blocks, and plausibility bounds only warn.

The tables are those of the real-data run (tests/real_data/conftest.py; skipped when the real data is absent).
Predecessor rows (seed ticker_listings) must never reach returns.
"""

import csv
from datetime import date

import pandas as pd
import pytest

from orchestration.defs.quality.gates import validate_table
from orchestration.defs.quality.gx_suites import SuiteResult
from orchestration.paths import SEEDS_DIR
from tests.real_data.conftest import RealRun

# suite -> table, as the gates in orchestration/defs/{ingest,dbt}/checks.py read them
SUITES = {
    "raw_market_prices": "raw.market_prices",
    "mart_factor_exposure": "marts.mart_factor_exposure",
    "mart_event_reactions": "marts.mart_event_reactions",
}


# suite -> the columns that identify a row in a failed expectation's sample rows
ID_COLUMNS = {
    "raw_market_prices": ("ticker", "date"),
    "mart_factor_exposure": ("ticker", "session_date", "window_size"),
    "mart_event_reactions": ("ticker", "event_id", "model"),
}


@pytest.fixture(scope="module")
def real_market(real_run: RealRun) -> dict[str, pd.DataFrame]:
    """raw.market_prices, the market marts and the returns as the real-data `make run` built them."""
    frames = {suite: real_run.warehouse(f"select * from {table}") for suite, table in SUITES.items()}
    frames["int_daily_returns"] = real_run.warehouse(
        "select ticker, session_date, daily_return from intermediate.int_daily_returns"
    )
    return frames


def validate(frame: pd.DataFrame, suite: str) -> SuiteResult:
    return validate_table(frame, suite)


def blocking(result: SuiteResult) -> set[str]:
    return {
        f"{f.expectation}:{f.kwargs.get('column') or f.kwargs.get('column_list') or ''}"
        for f in result.blocking_failures
    }


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_real_corpus_has_no_blocking_failure(real_market: dict[str, pd.DataFrame], suite: str):
    result = validate(real_market[suite], suite)
    assert result.rows > 0
    assert result.success, result.summary()
    for warning in result.warnings:  # plausibility bounds may fire on real data, always with sample rows
        assert warning.sample, warning.describe()


def duplicate_first_row(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[0]]], ignore_index=True)


def set_first(column: str, value: object):
    def corrupt(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        if value is None and frame[column].dtype.kind in "biu":
            frame[column] = frame[column].astype("Float64")
        frame.loc[frame.index[0], column] = value
        return frame

    return corrupt


def more_obs_than_window(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[frame.index[0], "estimation_n_obs"] = frame["estimation_sessions"].iloc[0] + 1
    return frame


# suite -> corruption -> (how to plant it, the blocking expectation that must catch it)
CORRUPTIONS = {
    "raw_market_prices": {
        "null ticker": (set_first("ticker", None), "expect_column_values_to_not_be_null:ticker"),
        "duplicate bar": (duplicate_first_row, "expect_compound_columns_to_be_unique:['ticker', 'date']"),
        "negative close": (set_first("close", -3.5), "expect_column_values_to_be_between:close"),
    },
    "mart_factor_exposure": {  # a null key is its dbt not_null test's
        "duplicate key": (
            duplicate_first_row,
            "expect_compound_columns_to_be_unique:['ticker', 'session_date', 'window_size']",
        ),
        "r squared above one": (set_first("r_squared", 1.5), "expect_column_values_to_be_between:r_squared"),
    },
    "mart_event_reactions": {  # a null key is its dbt not_null test's
        "duplicate key": (
            duplicate_first_row,
            "expect_compound_columns_to_be_unique:['ticker', 'event_id', 'model']",
        ),
        "return below -100%": (set_first("raw_return", -1.2), "expect_column_values_to_be_between:raw_return"),
        "more observations than sessions": (
            more_obs_than_window,
            "expect_column_pair_values_a_to_be_greater_than_b:",
        ),
    },
}


@pytest.mark.parametrize(
    ("suite", "corruption"), [(suite, name) for suite, cases in CORRUPTIONS.items() for name in cases]
)
def test_planted_corruption_of_the_real_data_blocks(real_market: dict[str, pd.DataFrame], suite: str, corruption: str):
    plant, expectation = CORRUPTIONS[suite][corruption]
    result = validate(plant(real_market[suite]), suite)
    assert not result.success
    assert expectation in blocking(result), result.summary()


@pytest.mark.parametrize(
    ("suite", "column", "value"),
    [
        ("mart_factor_exposure", "beta_btc", 11.0),
        ("mart_event_reactions", "beta_market", 11.0),
        ("mart_event_reactions", "raw_return", 0.45),
    ],
)
def test_plausibility_bounds_warn_with_sample_rows(
    real_market: dict[str, pd.DataFrame], suite: str, column: str, value: float
):
    frame = real_market[suite]
    if suite == "mart_factor_exposure":  # the 95% band moves with its beta (bands that miss it block)
        for bound in ("lower_95", "upper_95"):
            frame = set_first(f"{column}_{bound}", frame.iloc[0][f"{column}_{bound}"] + value - frame.iloc[0][column])(
                frame
            )
    frame = set_first(column, value)(frame)
    result = validate(frame, suite)
    assert result.success, result.summary()  # a beta of 11 or a 45% day never blocks
    warned = [f for f in result.warnings if f.kwargs.get("column") == column]
    assert warned, result.summary()
    planted = {key: frame.iloc[0][key] for key in ID_COLUMNS[suite]}
    assert any(all(row.get(k) == str(v) or row.get(k) == v for k, v in planted.items()) for row in warned[0].sample)


def listings() -> dict[str, date]:
    with (SEEDS_DIR / "ticker_listings.csv").open(newline="") as f:
        return {row["ticker"]: date.fromisoformat(row["first_valid_session"]) for row in csv.DictReader(f)}


def test_predecessor_rows_never_enter_returns(real_market: dict[str, pd.DataFrame]):
    returns = real_market["int_daily_returns"]
    returns = returns.assign(session_date=pd.to_datetime(returns["session_date"]).dt.date)
    events = real_market["mart_event_reactions"]
    events = events.assign(session_date=pd.to_datetime(events["session_date"]).dt.date)
    raw = real_market["raw_market_prices"]
    raw_first = pd.to_datetime(raw.groupby("ticker")["date"].min()).dt.date
    cut = 0
    for ticker, first_valid in listings().items():
        rows = returns[returns["ticker"] == ticker].sort_values("session_date")
        if rows.empty:
            continue
        assert rows["session_date"].min() >= first_valid, ticker
        if raw_first[ticker] < first_valid:  # the raw table holds predecessor rows: they were cut
            cut += 1
            assert rows["session_date"].iloc[0] == first_valid, ticker
            assert pd.isna(rows["daily_return"].iloc[0]), f"{ticker}: a return spanning from the predecessor"
        assert (events.loc[events["ticker"] == ticker, "session_date"] >= first_valid).all(), ticker
    assert cut >= 2  # at least ABTC (Gryphon) and BTDR (its SPAC) start inside the default history


def test_short_estimation_windows_are_flagged(real_market: dict[str, pd.DataFrame]):
    events = real_market["mart_event_reactions"]
    assert events["is_short_estimation_window"].equals(events["estimation_sessions"] < 120)
    assert (events["estimation_n_obs"] <= events["estimation_sessions"]).all()
    # ABTC listed on 2025-09-03: every event it has lies after its listing, with a short window
    abtc = events[events["ticker"] == "ABTC"]
    assert not abtc.empty and abtc["is_short_estimation_window"].all()
    # below the minimum the row is kept with null estimates
    thin = events[events["estimation_n_obs"] < 100]
    assert thin["beta_market"].isna().all() and thin["abnormal_return"].isna().all()
