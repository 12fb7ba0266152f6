"""normalize_history: the one validation every source's bars pass through."""

import pandas as pd
import pytest

from orchestration.sources.errors import MarketDataError
from orchestration.sources.prices import ROW_COLUMNS, normalize_history


def frame(**columns) -> pd.DataFrame:
    base = {"Date": ["2024-01-02", "2024-01-03"], "Close": ["10.5", "11"]}
    base.update(columns)
    return pd.DataFrame(base)


def test_minimal_date_and_close():
    rows = normalize_history(frame(), "MARA", "MARA.csv")
    assert list(rows.columns) == ROW_COLUMNS
    assert rows["close"].tolist() == [10.5, 11.0]
    assert rows["open"].isna().all() and rows["adj_close"].isna().all()
    assert str(rows["date"].iloc[0]) == "2024-01-02"


def test_dates_with_time_and_offset_keep_the_bar_day():
    rows = normalize_history(frame(Date=["2024-01-02 00:00:00-05:00", "2024-01-03 00:00:00-05:00"]), "MARA", "x")
    assert [str(d) for d in rows["date"]] == ["2024-01-02", "2024-01-03"]


def test_rows_without_any_value_are_dropped():
    rows = normalize_history(frame(Close=["10", None], Open=[None, None]), "SPY", "batch")
    assert len(rows) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"Date": ["2024-01-02"], "Price": ["1"]}, "MARA: no 'Close' column in MARA.csv"),
        ({"Day": ["2024-01-02"], "Close": ["1"]}, "MARA: no 'Date' column in MARA.csv"),
        ({"Date": ["2024-13-45", "2024-01-03"], "Close": ["1", "2"]}, "MARA: unparseable date '2024-13-45'"),
        ({"Date": ["2024-01-02", "2024-01-03"], "Close": ["1", "abc"]}, "MARA: non-numeric close 'abc'"),
        ({"Date": ["2024-01-02", "2024-01-03"], "Close": ["1", "0"]}, "zero or negative price on 2024-01-03"),
        ({"Date": ["2024-01-02", "2024-01-03"], "Close": ["1", "-2"]}, "zero or negative price on 2024-01-03"),
        ({"Date": ["2024-01-02", "2024-01-02"], "Close": ["1", "2"]}, "duplicate date 2024-01-02"),
        (
            {"Date": ["2024-01-02", "2024-01-03"], "Close": ["1", None], "Open": ["1", "2"]},
            "missing Close on 2024-01-03",
        ),
        ({"Date": [], "Close": []}, "MARA: no price rows in MARA.csv"),
    ],
)
def test_bad_input_is_rejected_with_ticker_and_origin(data, message):
    with pytest.raises(MarketDataError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        normalize_history(pd.DataFrame(data), "MARA", "MARA.csv")
    assert "MARA" in str(err.value) and "MARA.csv" in str(err.value)


def test_negative_volume_is_rejected():
    with pytest.raises(MarketDataError, match="negative volume"):
        normalize_history(frame(Volume=["10", "-1"]), "RIOT", "RIOT.csv")
