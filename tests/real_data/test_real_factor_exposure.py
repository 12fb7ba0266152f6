"""mart_factor_exposure on the real closes equals statsmodels, window by window, to 1e-9.

For a few miners, every (session, window size) row of the real-data run is refitted with statsmodels on the
same window's rows (the returns the run built): NVDA orthogonalised to [1, market], OLS for the betas, alpha,
R^2 and OLS errors, and the Newey-West covariance (cov_type HAC, the model's lag rule, use_correction) for
the Newey-West errors and the 95% bands. The reference is the P3 benchmark's analyst loop.
"""

import pandas as pd
import pytest

from benchmarks.p3_rolling_betas import COMPARED_COLUMNS, max_abs_diffs, statsmodels_window_fits
from tests.real_data.conftest import RealRun

# a long history (MARA), a late listing (CORZ, from 2024-01-24) and an AI pivot (IREN)
TICKERS = ("MARA", "CORZ", "IREN")
KEYS = ["ticker", "session_index", "window_size"]


@pytest.fixture(scope="module")
def real_fits(real_run: RealRun) -> tuple[pd.DataFrame, pd.DataFrame]:
    assert real_run.returncode == 0, real_run.output[-3000:]
    tickers = ", ".join(f"'{ticker}'" for ticker in TICKERS)
    data = {
        "sessions": real_run.warehouse("select session_date, session_index from intermediate.int_us_sessions"),
        "factor_returns": real_run.warehouse(
            "select session_index, btc_return, ai_return, market_return from intermediate.int_factor_returns"
        ),
        "daily_returns": real_run.warehouse(
            "select ticker, session_index, daily_return, factor_role from intermediate.int_daily_returns"
        ),
    }
    model = real_run.warehouse(
        f"""
        select exposure.*, sessions.session_index
        from marts.mart_factor_exposure as exposure
        inner join intermediate.int_us_sessions as sessions
            on exposure.session_date = sessions.session_date
        where exposure.ticker in ({tickers})
        """  # noqa: S608 - constant tickers of this test
    )
    return model, statsmodels_window_fits(data, model[KEYS])


def test_every_window_of_a_few_miners_matches_statsmodels(real_fits: tuple[pd.DataFrame, pd.DataFrame]):
    model, reference = real_fits
    assert set(model["ticker"]) == set(TICKERS)
    assert set(model["window_size"]) == {60, 252}
    merged = model.merge(reference, on=KEYS, suffixes=("", "_ref"))
    assert len(merged) == len(model)
    assert (merged["n_obs"] == merged["n_obs_ref"]).all()
    assert (merged["hac_lags"] == merged["hac_lags_ref"]).all()
    diffs = max_abs_diffs(model, reference, COMPARED_COLUMNS)
    assert max(diffs.values()) <= 1e-9, diffs
