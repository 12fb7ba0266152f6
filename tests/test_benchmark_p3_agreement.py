"""The P3 benchmark's correctness half, small: mart_factor_exposure's SQL equals statsmodels.

Every row against RollingOLS (row set, n_obs, window starts, betas, R^2, OLS errors) and every window of
the sampled tickers against per-window OLS + Newey-West fits, to 1e-9. Speed is `make bench`'s job.
"""

from benchmarks import p3_rolling_betas


def test_mart_factor_exposure_sql_matches_statsmodels_on_gappy_synthetic_data():
    result = p3_rolling_betas.run(repeats=1, tickers=6, years=2, sample_tickers=6)
    assert result["rows"] > 0
    assert result["rows_only_in_sql"] == 0 and result["rows_only_in_reference"] == 0
    assert result["n_obs_mismatches"] == 0 and result["window_start_mismatches"] == 0
    assert result["hac_lags_mismatches"] == 0
    assert result["rows_checked_per_window"] == result["rows"]
    assert max(result["max_abs_diff"].values()) <= 1e-9
    assert max(result["max_abs_diff_rolling_ols"].values()) <= 1e-9
