"""raw.market_prices.payload_path: each row names the payload it came from, not every payload of the batch."""

from datetime import date
from pathlib import Path

import pandas as pd

from orchestration.defs.ingest.assets import row_payload_paths
from orchestration.sources.market import CsvSource, MarketBatch


def test_csv_rows_name_their_own_file(tmp_path: Path):
    folder = tmp_path / "prices"
    folder.mkdir()
    for ticker in ("MARA", "RIOT", "CLSK"):
        (folder / f"{ticker}.csv").write_text("Date,Close\n2024-01-02,20.5\n2024-01-03,21\n")
    batch = CsvSource(folder).fetch(["MARA", "RIOT", "CLSK"], date(2024, 1, 1), date(2024, 1, 31), tmp_path / "kept")
    paths = row_payload_paths(batch)
    assert len(paths) == len(batch.rows)
    for ticker, path in zip(batch.rows["ticker"], paths, strict=True):
        assert path == str(tmp_path / "kept" / f"{ticker}.csv")  # one path, never the whole batch's list


def test_one_download_is_every_row_payload(tmp_path: Path):
    download = tmp_path / "yahoo_2024-01-01_2024-01-31.csv.gz"
    rows = pd.DataFrame({"ticker": ["MARA", "RIOT"], "date": [date(2024, 1, 2)] * 2, "close": [1.0, 2.0]})
    assert row_payload_paths(MarketBatch(rows=rows, payloads=[download])) == str(download)
