"""GE suites against good and bad frames: bad data must fail, and say where."""

import gc
import weakref
from datetime import date, datetime

import pandas as pd
import pytest

from orchestration.defs.quality.gates import validate_table
from orchestration.defs.quality.gx_suites import FailedExpectation, suite_parameters, validate_frame
from orchestration.paths import SEEDS_DIR
from orchestration.universe import Universe, load_universe

TICKERS = ["MARA", "RIOT", "CLSK", "HUT", "CIFR", "WULF", "BTC-USD", "NVDA", "SPY", "WGMI"]


def good_prices() -> pd.DataFrame:
    rows = []
    for i, ticker in enumerate(TICKERS):
        for day in (2, 3, 4):
            close = 10.0 + i + day
            rows.append(
                {
                    "ticker": ticker,
                    "date": date(2024, 1, day),
                    "open": close,
                    "high": close + 1,
                    "low": close - 1,
                    "close": close,
                    "adj_close": close,
                    "volume": 100,
                    "source": "snapshot",
                    "is_synthetic": True,
                    "loaded_at": datetime(2024, 1, 5),
                    "run_id": "r",
                    "payload_path": "p",
                }
            )
    return pd.DataFrame(rows)


def blocking(result) -> set[str]:
    """The blocking failures as `expectation:column` (a pair's columns joined by a comma)."""
    keys = set()
    for f in result.blocking_failures:
        pair = ",".join(str(f.kwargs[k]) for k in ("column_A", "column_B") if k in f.kwargs)
        keys.add(f"{f.expectation}:{f.kwargs.get('column') or f.kwargs.get('column_list') or pair}")
    return keys


def failures(frame: pd.DataFrame) -> dict[str, object]:
    result = validate_table(frame, "raw_market_prices")
    assert not result.success
    return {f"{f.expectation}:{f.kwargs.get('column') or f.kwargs.get('column_list')}": f for f in result.failed}


def test_good_batch_passes():
    result = validate_table(good_prices(), "raw_market_prices")
    assert result.success, result.summary()
    assert result.evaluated >= 15


def test_the_validated_frame_is_not_kept():
    """GE's context lives as long as the process: once a gate is done, nothing of it may keep the table's frame
    (at 1,000 tickers, raw_market_prices' frame stayed alive in the Dagster process through the dbt build)."""
    frame = good_prices()
    assert validate_table(frame, "raw_market_prices").success
    validated = weakref.ref(frame)
    del frame
    gc.collect()
    assert validated() is None


def test_null_close_fails_and_names_the_row():
    frame = good_prices()
    frame.loc[4, "close"] = None
    failed = failures(frame)
    null = failed["expect_column_values_to_not_be_null:close"]
    assert null.unexpected_count == 1
    assert null.sample[0]["ticker"] == "RIOT"


def test_negative_price_fails():
    frame = good_prices()
    frame.loc[0, "close"] = -1.0
    failed = failures(frame)
    assert failed["expect_column_values_to_be_between:close"].sample[0]["ticker"] == "MARA"


def test_duplicate_bar_fails():
    frame = pd.concat([good_prices(), good_prices().iloc[[0]]], ignore_index=True)
    failed = failures(frame)
    assert failed["expect_compound_columns_to_be_unique:['ticker', 'date']"].unexpected_count == 2


def test_missing_factor_ticker_fails_coverage():
    frame = good_prices()
    failed = failures(frame[frame["ticker"] != "BTC-USD"])
    assert "expect_column_distinct_values_to_contain_set:ticker" in failed


def test_coverage_bounds_come_from_the_universe_seeds():
    """The factor tickers are the seed's btc, ai and market; the fewest tickers, every factor ticker and a third
    of the companies: 10 on the shipped seeds, as calibrated."""
    universe = load_universe(SEEDS_DIR)
    parameters = suite_parameters(universe)
    factors = universe.factors
    assert parameters["required_factor_tickers"] == sorted({factors["btc"], factors["ai"], factors["market"]})
    assert len(universe.miners) == 17 and parameters["min_tickers"] == 10


def test_a_trimmed_universe_keeps_a_coverage_bound_that_fits_it():
    """Three companies (a user's trimmed miners seed) and the four factors pass; without the companies, not."""
    trimmed = Universe(miners=("MARA", "RIOT", "CLSK"), factors=load_universe(SEEDS_DIR).factors)
    parameters = suite_parameters(trimmed)
    frame = good_prices()
    assert parameters["min_tickers"] == 5
    kept = frame[frame["ticker"].isin(trimmed.tickers)]
    assert validate_frame(kept, "raw_market_prices", grain=["ticker", "date"], parameters=parameters).success
    factors_only = frame[frame["ticker"].isin(trimmed.factors.values())]
    result = validate_frame(factors_only, "raw_market_prices", parameters=parameters)
    assert [f.expectation for f in result.blocking_failures] == ["expect_column_unique_value_count_to_be_between"]
    assert result.blocking_failures[0].kwargs["min_value"] == 5  # the bound it failed, as resolved


@pytest.mark.parametrize("suite", ["mart_factor_exposure", "mart_event_reactions"])
def test_mart_suites_fail_on_an_empty_table(suite: str):
    """The mart's own columns, no rows: only the row count blocks."""
    good = {"mart_factor_exposure": good_factor_exposure, "mart_event_reactions": good_event_reactions}[suite]()
    result = validate_frame(good.iloc[0:0], suite)
    assert {f.expectation for f in result.blocking_failures} == {"expect_table_row_count_to_be_between"}


def good_event_reactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticker": ["MARA", "ABTC"],
            "event_id": ["ev", "ev"],
            "model": ["market", "market_btc"],
            "session_date": [date(2025, 11, 3)] * 2,
            "event_session_index": [900, 900],
            "raw_return": [0.05, -0.02],
            "abnormal_return": [0.03, None],
            "estimation_n_obs": [120, 40],
            "estimation_sessions": [120, 41],
            "is_short_estimation_window": [False, True],
            "estimation_r_squared": [0.3, None],
            "residual_std": [0.04, None],
            "beta_market": [2.1, None],
            "abnormal_return_t_stat": [0.75, None],
            "car_m1_p1_t_stat": [1.5, None],
            "car_0_p5_t_stat": [-0.5, None],
        }
    )


def good_event_study_summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["ev", "ev"],
            "model": ["market", "market_btc"],
            "window_label": ["[0,0]", "[-1,+1]"],
            "n_firms": [13, 1],
            "mean_car": [-0.03, 0.02],
            "share_negative": [0.85, 0.0],
            "mean_residual_correlation": [0.55, None],
            "t_kp": [-0.9, None],
            "p_cross_sectional": [0.005, None],
            "p_bmp": [0.01, None],
            "p_kp": [0.43, None],
            "t_grank": [-1.9, None],
            "grank_degrees_of_freedom": [119, None],
            "p_grank": [0.06, None],
            "p_corrado": [0.4, None],
            "model_specification": ["r = alpha + beta_market * SPY", "r = alpha + ... (Dimson 1979)"],
            "n_excluded_firms": [3, 15],
            "excluded_firms": ["BITF (no prices)", "ABTC (listed after the event); ..."],
        }
    )


def good_factor_exposure() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticker": ["MARA", "MARA"],
            "session_date": [date(2025, 11, 3)] * 2,
            "window_size": [60, 252],
            "n_obs": [60, 250],
            "hac_lags": [3, 4],
            "beta_market": [1.1, 1.0],
            "beta_btc": [1.4, 1.2],
            "beta_ai": [0.6, 0.5],
            "alpha": [0.001, 0.0005],
            "r_squared": [0.5, 0.4],
            "se_beta_market": [0.3, 0.15],
            "se_beta_btc": [0.2, 0.1],
            "se_beta_ai": [0.25, 0.12],
            "nw_se_beta_btc": [0.22, 0.11],
            "nw_se_beta_ai": [0.27, 0.13],
            "beta_btc_lower_95": [1.4 - 1.96 * 0.22, 1.2 - 1.96 * 0.11],
            "beta_btc_upper_95": [1.4 + 1.96 * 0.22, 1.2 + 1.96 * 0.11],
            "beta_ai_lower_95": [0.6 - 1.96 * 0.27, 0.5 - 1.96 * 0.13],
            "beta_ai_upper_95": [0.6 + 1.96 * 0.27, 0.5 + 1.96 * 0.13],
            "corr_btc": [0.6, 0.55],
            "corr_ai": [0.4, 0.35],
        }
    )


def test_good_mart_frames_pass():
    for frame, suite in (
        (good_event_reactions(), "mart_event_reactions"),
        (good_factor_exposure(), "mart_factor_exposure"),
        (good_event_study_summary(), "mart_event_study_summary"),
    ):
        result = validate_table(frame, suite)
        assert result.success and not result.failed, result.summary()


@pytest.mark.parametrize(
    ("suite", "column", "value"),
    [
        ("mart_factor_exposure", "beta_btc", 11.0),
        ("mart_factor_exposure", "beta_ai", -12.0),
        ("mart_factor_exposure", "beta_market", 10.5),
        ("mart_factor_exposure", "nw_se_beta_btc", 6.0),
        ("mart_event_reactions", "beta_market", 11.0),
        ("mart_event_reactions", "raw_return", 0.4 + 1e-6),
        ("mart_event_reactions", "abnormal_return", -0.45),
        ("mart_event_reactions", "abnormal_return_t_stat", -101.0),
    ],
)
def test_plausibility_bounds_warn_and_never_block(suite: str, column: str, value: float):
    frame = good_event_reactions() if suite == "mart_event_reactions" else good_factor_exposure()
    if column in ("beta_btc", "beta_ai"):  # the band moves with its beta
        for bound in ("lower_95", "upper_95"):
            frame.loc[0, f"{column}_{bound}"] += value - frame.loc[0, column]
    frame.loc[0, column] = value
    result = validate_table(frame, suite)
    assert result.success, result.summary()
    (warning,) = result.warnings
    assert warning.severity == "warning" and warning.kwargs["column"] == column
    assert warning.sample[0][column] == value and warning.sample[0]["ticker"] == "MARA"


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("raw_return", -1.0, "expect_column_values_to_be_between:raw_return"),  # a price went to zero or below
        # more observations than the window has sessions
        ("estimation_n_obs", 121, "expect_column_values_to_be_between:estimation_n_obs"),
        # fewer sessions than observations
        (
            "estimation_sessions",
            30,
            "expect_column_pair_values_a_to_be_greater_than_b:estimation_sessions,estimation_n_obs",
        ),
        ("estimation_r_squared", 1.2, "expect_column_values_to_be_between:estimation_r_squared"),
    ],
)
def test_event_reactions_invariants_block(column: str, value: object, expected: str):
    frame = good_event_reactions().astype({"is_short_estimation_window": "object"})
    frame.loc[0, column] = value
    result = validate_frame(frame, "mart_event_reactions")
    assert expected in blocking(result), result.summary()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("n_firms", 0),
        ("share_negative", 1.5),
        ("p_kp", -0.1),
        ("p_grank", 1.5),
        ("p_corrado", 1.2),
        ("grank_degrees_of_freedom", 0),
        ("mean_residual_correlation", 1.5),
    ],
)
def test_event_study_summary_invariants_block(column: str, value: object):
    frame = good_event_study_summary().astype({column: "object"})
    frame.loc[0, column] = value
    result = validate_frame(frame, "mart_event_study_summary")
    assert blocking(result) == {f"expect_column_values_to_be_between:{column}"}, result.summary()


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("se_beta_btc", -0.1, "expect_column_values_to_be_between:se_beta_btc"),  # a negative standard error
        # a row without its Newey-West error
        ("nw_se_beta_ai", None, "expect_column_values_to_not_be_null:nw_se_beta_ai"),
        # a band that does not hold its beta
        ("beta_btc_upper_95", 1.0, "expect_column_pair_values_a_to_be_greater_than_b:beta_btc_upper_95,beta_btc"),
        ("beta_ai_lower_95", 0.7, "expect_column_pair_values_a_to_be_greater_than_b:beta_ai,beta_ai_lower_95"),
        ("n_obs", 5, "expect_column_values_to_be_between:n_obs"),  # no more observations than coefficients
    ],
)
def test_factor_exposure_invariants_block(column: str, value: object, expected: str):
    frame = good_factor_exposure()
    frame.loc[0, column] = value
    result = validate_frame(frame, "mart_factor_exposure")
    assert blocking(result) == {expected}, result.summary()


def test_every_warning_level_expectation_is_a_bound():
    """Severity warning is for plausibility bounds only: keys, nulls, grain and types always block."""
    import json

    from orchestration.defs.quality.gx_suites import suite_path

    for suite in ("raw_market_prices", "mart_factor_exposure", "mart_event_reactions", "mart_event_study_summary"):
        for expectation in json.loads(suite_path(suite).read_text())["expectations"]:
            if expectation.get("severity") == "warning":
                bounds = ("expect_column_values_to_be_between", "expect_table_row_count_to_be_between")
                assert expectation["type"] in bounds, (suite, expectation)


def test_a_warning_names_its_row_without_the_null_columns():
    """A sample row's nulls (NaN in a column pandas holds as objects) are left out of the line that names it."""
    failure = FailedExpectation(
        expectation="expect_column_values_to_be_in_set",
        kwargs={"column": "reconciliation_status"},
        unexpected_count=1,
        unexpected_percent=1.0,
        observed_value=None,
        sample=[{"ticker": "RIOT", "period_end": "2023-12-31 00:00:00", "restatement_kind": float("nan")}],
        severity="warning",
    )
    assert failure.describe().endswith("(e.g. ticker=RIOT, period_end=2023-12-31)")
