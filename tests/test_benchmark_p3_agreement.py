"""The P3 benchmark's correctness half, small: mart_factor_exposure's SQL equals statsmodels RollingOLS.

Only agreement is asserted (same rows, n_obs, window starts, numbers to 1e-9); speed is `make bench`'s job.
"""

from benchmarks import p3_rolling_betas


def test_mart_factor_exposure_sql_matches_statsmodels_rolling_ols_on_gappy_synthetic_data():
    result = p3_rolling_betas.run(repeats=1, tickers=6, years=2, params_only_baseline=False)
    assert result["rows"] > 0
    assert result["rows_only_in_sql"] == 0 and result["rows_only_in_reference"] == 0
    assert result["n_obs_mismatches"] == 0 and result["window_start_mismatches"] == 0
    assert max(result["max_abs_diff"].values()) <= 1e-9
