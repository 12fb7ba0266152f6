"""The CSV source: per-ticker exports, missing and extra files, malformed files."""

from datetime import date
from pathlib import Path

import pytest

from orchestration.sources.csv_prices import read_price_csv
from orchestration.sources.errors import MarketDataError
from orchestration.sources.market import CsvSource, build_source

YFINANCE_EXPORT = """Price,Adj Close,Close,High,Low,Open,Volume
Ticker,RIOT,RIOT,RIOT,RIOT,RIOT,RIOT
Date,,,,,,
2024-01-02,15.1,15.1,15.9,14.8,15.5,1000
2024-01-03,14.2,14.2,15.0,14.0,15.0,2000
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "MARA.csv").write_text("Date,Close\n2024-01-02,20.5\n2024-01-03,21\n2024-01-04,22\n")
    (tmp_path / "RIOT.csv").write_text(YFINANCE_EXPORT)
    (tmp_path / "ZZZZ.csv").write_text("Date,Close\n2024-01-02,1\n")  # not in the universe
    return tmp_path


def test_flat_and_yfinance_headers(folder: Path, tmp_path: Path):
    batch = CsvSource(folder).fetch(["MARA", "RIOT"], date(2024, 1, 1), date(2024, 1, 31), tmp_path / "kept")
    riot = batch.rows[batch.rows["ticker"] == "RIOT"]
    assert riot["adj_close"].tolist() == [15.1, 14.2]
    assert riot["volume"].tolist() == [1000, 2000]
    assert batch.rows[batch.rows["ticker"] == "MARA"]["close"].tolist() == [20.5, 21.0, 22.0]
    assert {p.name for p in batch.payloads} == {"MARA.csv", "RIOT.csv"}


def test_missing_ticker_is_a_warning_and_extra_files_are_ignored(folder: Path, tmp_path: Path):
    batch = CsvSource(folder).fetch(["MARA", "CLSK"], date(2024, 1, 1), date(2024, 1, 31), tmp_path / "kept")
    assert set(batch.rows["ticker"]) == {"MARA"}
    assert "no file CLSK.csv" in batch.missing["CLSK"]
    assert "ZZZZ" not in set(batch.rows["ticker"])


def test_range_is_clipped_and_empty_range_reported(folder: Path, tmp_path: Path):
    source = CsvSource(folder)
    batch = source.fetch(["MARA"], date(2024, 1, 3), date(2024, 1, 3), tmp_path / "kept")
    assert batch.rows["close"].tolist() == [21.0]
    batch = source.fetch(["MARA"], date(2025, 1, 1), date(2025, 1, 2), tmp_path / "kept")
    assert batch.rows.empty and "no rows between" in batch.missing["MARA"]


def test_coverage_spans_all_files(folder: Path):
    assert CsvSource(folder).coverage() == (date(2024, 1, 2), date(2024, 1, 4))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Day,Close\n2024-01-02,1\n", "MARA: no 'Date' column in"),
        ("Date,Open\n2024-01-02,1\n", "MARA: no 'Close' column in"),
        ("Date,Close\n02/01/2024,1\n", "MARA: unparseable date '02/01/2024'"),
        ("Date,Close\n2024-01-02,n/a\n", "MARA: non-numeric close 'n/a'"),
        ("Date,Close\n2024-01-02,1\n2024-01-02,2\n", "MARA: duplicate date 2024-01-02"),
        ("Date,Close\n2024-01-02,-1\n", "MARA: zero or negative price on 2024-01-02"),
        ("", "MARA: empty file"),
        ('Date,Close\n"2024-01-02,1\n', "MARA: malformed CSV"),
    ],
)
def test_bad_file_makes_its_ticker_missing_naming_file_and_problem(tmp_path: Path, content: str, message: str):
    folder = tmp_path / "csv"
    folder.mkdir()
    path = folder / "MARA.csv"
    path.write_text(content)
    (folder / "RIOT.csv").write_text(YFINANCE_EXPORT)
    batch = CsvSource(folder).fetch(["MARA", "RIOT"], date(2024, 1, 1), date(2024, 1, 31), tmp_path / "kept")
    assert message in batch.missing["MARA"]
    assert str(path) in batch.missing["MARA"]
    assert set(batch.rows["ticker"]) == {"RIOT"}  # the other file still loads
    assert [p.name for p in batch.payloads] == ["RIOT.csv"]  # the bad file stays where it is, not copied


def test_every_file_bad_is_an_empty_batch_naming_each(tmp_path: Path):
    (tmp_path / "MARA.csv").write_text("")
    (tmp_path / "RIOT.csv").write_text("Date,Close\n2024-01-02,abc\n")
    batch = CsvSource(tmp_path).fetch(["MARA", "RIOT"], date(2024, 1, 1), date(2024, 1, 31), tmp_path / "kept")
    assert batch.rows.empty and not batch.payloads
    assert "MARA: empty file" in batch.missing["MARA"] and "RIOT: non-numeric close 'abc'" in batch.missing["RIOT"]


def test_unknown_source_and_missing_folder_are_clear(tmp_path: Path):
    with pytest.raises(MarketDataError, match="unknown market source 'yahoo'"):
        build_source("yahoo", None, cache_dir=tmp_path)
    with pytest.raises(MarketDataError, match="needs MINERS_CSV_DIR"):
        build_source("csv", None, cache_dir=tmp_path)
    with pytest.raises(MarketDataError, match="does not exist"):
        CsvSource(tmp_path / "nope").fetch(["MARA"], date(2024, 1, 1), date(2024, 1, 2), tmp_path)


def test_real_price_exports_load(real_prices_dir: Path, tmp_path: Path):
    """The real yfinance exports (Date, Close; BTC-USD with OHLCV) go through the same parser."""
    batch = CsvSource(real_prices_dir).fetch(
        ["MARA", "CORZ", "BTC-USD", "SPY", "BITF"], date(2024, 1, 1), date(2024, 12, 31), tmp_path / "kept"
    )
    rows = batch.rows
    assert set(rows["ticker"]) == {"MARA", "CORZ", "BTC-USD", "SPY"}
    assert "BITF" in batch.missing  # no file for it
    assert rows.groupby("ticker")["date"].min()["CORZ"] >= date(2024, 1, 24)  # relisted then
    btc = rows[rows["ticker"] == "BTC-USD"]
    assert len(btc) == 366 and btc["high"].notna().all()
    assert read_price_csv(real_prices_dir / "SPY.csv", "SPY").columns.tolist() == ["Date", "Close"]
