"""GE suites against good and bad frames: bad data must fail, and say where."""

from datetime import date, datetime

import pandas as pd
import pytest

from orchestration.defs.quality.gx_suites import validate_frame
from orchestration.paths import SEEDS_DIR
from orchestration.universe import load_universe

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


def failures(frame: pd.DataFrame) -> dict[str, object]:
    result = validate_frame(frame, "raw_market_prices", id_columns=["ticker", "date"])
    assert not result.success
    return {f"{f.expectation}:{f.kwargs.get('column') or f.kwargs.get('column_list')}": f for f in result.failed}


def test_good_batch_passes():
    result = validate_frame(good_prices(), "raw_market_prices", id_columns=["ticker", "date"])
    assert result.success, result.summary()
    assert result.evaluated >= 15


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


def test_suite_factor_set_matches_the_factors_seed():
    """The coverage rule lists the btc, ai and market tickers: keep it in step with the seed."""
    import json

    from orchestration.defs.quality.gx_suites import suite_path

    suite = json.loads(suite_path("raw_market_prices").read_text())
    contain = next(e for e in suite["expectations"] if e["type"] == "expect_column_distinct_values_to_contain_set")
    factors = load_universe(SEEDS_DIR).factors
    assert set(contain["kwargs"]["value_set"]) == {factors["btc"], factors["ai"], factors["market"]}


@pytest.mark.parametrize("suite", ["mart_factor_exposure", "mart_event_reactions"])
def test_mart_suites_fail_on_an_empty_table(suite: str):
    result = validate_frame(pd.DataFrame({"ticker": pd.Series([], dtype="string")}), suite)
    assert not result.success
