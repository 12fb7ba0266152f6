"""The raw asset on its own, against a temporary DuckDB: idempotent reruns, sources, bad input."""

import hashlib
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingest.assets import raw_market_prices
from orchestration.defs.ingest.partitions import partition_range_tags
from orchestration.defs.quality.gates import gates_on
from orchestration.defs.resources import MarketDataResource, WarehouseResource

DATA_COLUMNS = "ticker, date, open, high, low, close, adj_close, volume, source, is_synthetic"


def materialize_raw(data_dir: Path, start: str, end: str, **source) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_market_prices, *gates_on("raw_market_prices")],
        resources={
            "warehouse": WarehouseResource(data_dir=str(data_dir)),
            "market_data": MarketDataResource(**(source or {"source": "snapshot"})),
        },
        tags=partition_range_tags(start, end),
        raise_on_error=False,
    )


def step_error(result: dg.ExecuteInProcessResult) -> str:
    return result.get_step_failure_events()[0].step_failure_data.error.to_string()


def table_digest(data_dir: Path) -> tuple[int, str]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(f"select {DATA_COLUMNS} from raw.market_prices order by ticker, date").fetchall()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def test_rerunning_a_partition_range_leaves_identical_data(tmp_path: Path):
    assert materialize_raw(tmp_path, "2024-04-01", "2024-04-30").success
    first = table_digest(tmp_path)
    for _ in range(2):
        assert materialize_raw(tmp_path, "2024-04-19", "2024-04-22").success  # the same month's partition
    assert table_digest(tmp_path) == first
    # April 2024: 22 sessions for the 17 equities listed then (not CRWV, GLXY, ABTC), 30 days of bitcoin
    assert first[0] == 17 * 22 + 30


def test_partition_range_is_all_that_changes(tmp_path: Path):
    assert materialize_raw(tmp_path, "2024-03-01", "2024-03-31").success
    assert materialize_raw(tmp_path, "2024-04-15", "2024-04-19").success  # the whole of April
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        runs = connection.execute(
            "select count(distinct run_id), min(date), max(date) from raw.market_prices"
        ).fetchone()
        march = connection.execute("select count(distinct run_id) from raw.market_prices where date < '2024-04-01'")
        assert march.fetchone()[0] == 1
    assert runs[0] == 2 and runs[1] == date(2024, 3, 1) and runs[2] == date(2024, 4, 30)


def test_metadata_shows_rows_tickers_range_and_source(tmp_path: Path):
    result = materialize_raw(tmp_path, "2024-04-15", "2024-04-19")
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["source"].value == "snapshot" and metadata["synthetic"].value is True
    assert metadata["tickers_loaded"].value == 18  # CRWV, GLXY and ABTC were not listed yet
    assert set(metadata["tickers_missing"].value) == {"CRWV", "GLXY", "ABTC"}
    assert metadata["partition_range"].value == "2024-04-01..2024-04-30"  # the month of the days asked for
    assert metadata["date_range"].value == "2024-04-01..2024-04-30"
    assert metadata["dagster/row_count"].value > 0


def write_csvs(folder: Path, tickers: list[str], bad: dict[str, str] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, ticker in enumerate(tickers):
        (folder / f"{ticker}.csv").write_text(
            f"Date,Close\n2024-01-02,{10 + i}\n2024-01-03,{11 + i}\n2024-01-04,{12 + i}\n"
        )
    for ticker, content in (bad or {}).items():
        (folder / f"{ticker}.csv").write_text(content)


def test_csv_source_with_partial_coverage_fails_the_coverage_gate(tmp_path: Path):
    folder = tmp_path / "csv"
    write_csvs(folder, ["MARA", "RIOT", "BTC-USD", "NVDA", "SPY"])
    result = materialize_raw(tmp_path / "wh", "2024-01-01", "2024-01-05", source="csv", csv_dir=str(folder))
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["tickers_loaded"].value == 5
    assert "CLSK" in metadata["tickers_missing"].value  # a warning, not an error: the others load
    gate = result.get_asset_check_evaluations()[0]
    assert not gate.passed
    assert "expect_column_unique_value_count_to_be_between" in gate.metadata["summary"].value


def test_malformed_csv_skips_its_ticker_naming_the_file_and_the_others_load(tmp_path: Path):
    folder, warehouse = tmp_path / "csv", tmp_path / "wh"
    write_csvs(folder, ["MARA", "RIOT", "SPY"])
    first = materialize_raw(warehouse, "2024-01-01", "2024-01-05", source="csv", csv_dir=str(folder))
    write_csvs(folder, ["SPY", "MARA"], bad={"RIOT": "Date,Close\n2024-01-02,abc\n"})  # MARA, SPY: new values
    result = materialize_raw(warehouse, "2024-01-01", "2024-01-05", source="csv", csv_dir=str(folder))

    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    reason = metadata["tickers_missing"].value["RIOT"]
    assert "RIOT: non-numeric close 'abc'" in reason and str(folder / "RIOT.csv") in reason
    assert metadata["tickers"].value == "MARA, SPY"
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute("select ticker, close, run_id from raw.market_prices order by all").fetchall()
    # the bad file's ticker keeps what the first run loaded; the others are this run's
    assert [r for r in rows if r[0] == "RIOT"] == [("RIOT", c, first.run_id) for c in (11.0, 12.0, 13.0)]
    assert [r for r in rows if r[0] != "RIOT"] == [
        *(("MARA", c, result.run_id) for c in (11.0, 12.0, 13.0)),
        *(("SPY", c, result.run_id) for c in (10.0, 11.0, 12.0)),
    ]
    # whether three tickers are enough is the gate's call (it is not)
    assert not result.get_asset_check_evaluations()[0].passed


@pytest.mark.parametrize("source", ["yahoo"])
def test_unknown_source_name_fails_clearly(tmp_path: Path, source: str):
    result = materialize_raw(tmp_path, "2024-01-02", "2024-01-03", source=source)
    assert not result.success
    assert "unknown market source 'yahoo'" in step_error(result)
