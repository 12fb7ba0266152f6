"""The network statistics' sources: each real file format, the precedence among files, named load errors,
the CoinMetrics client replayed offline (with a retry), the synthetic snapshot, and the raw table's gate."""

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import requests
from requests.adapters import BaseAdapter
from requests.models import PreparedRequest, Response

from orchestration.defs.quality.gates import validate_table
from orchestration.paths import EXPECTATIONS_DIR, SNAPSHOT_DIR
from orchestration.sources.errors import NetworkDataError
from orchestration.sources.network.coinmetrics import COINMETRICS_URL, CoinMetricsClient
from orchestration.sources.network.daily import FIELDS
from orchestration.sources.network.files import FILE_PRECEDENCE, read_network_file
from orchestration.sources.network.halving import HALVING_DATES, HALVING_INTERVAL_BLOCKS, subsidy_at_height, subsidy_on
from orchestration.sources.network.source import FilesSource, NetworkBatch, build_network_source
from orchestration.sources.yahoo_replay import _load_chart
from tests.conftest import REAL_DATA

NETWORK = REAL_DATA / "network"
HALVING = date(2024, 4, 20)
real_files = pytest.mark.skipif(not NETWORK.is_dir(), reason="shared real network files are not available here")


def real(pattern: str) -> Path:
    return next(NETWORK.glob(pattern))


@pytest.fixture(scope="module")
def real_batch(tmp_path_factory: pytest.TempPathFactory) -> NetworkBatch:
    if not NETWORK.is_dir():
        pytest.skip("shared real network files are not available here")
    return FilesSource(NETWORK).fetch(date(2022, 1, 1), date(2026, 12, 31), tmp_path_factory.mktemp("payloads"))


def test_the_subsidy_follows_the_halving_schedule():
    assert [subsidy_at_height(h) for h in (0, 209_999, 210_000, 839_999, 840_000)] == [50, 50, 25, 6.25, 3.125]
    assert subsidy_on(date(2024, 4, 19)) == 6.25 and subsidy_on(HALVING) == 3.125
    assert subsidy_on(date(2020, 5, 10)) == 12.5 and subsidy_on(date(2012, 11, 27)) == 50
    # the gate accepts exactly the schedule's subsidies, one per era the dates cover
    eras = [subsidy_at_height(era * HALVING_INTERVAL_BLOCKS) for era in range(len(HALVING_DATES) + 1)]
    suite = json.loads((EXPECTATIONS_DIR / "raw_network_daily.json").read_text())["expectations"]
    (in_schedule,) = [
        e["kwargs"] for e in suite if e["kwargs"].get("column") == "block_subsidy_btc" and "value_set" in e["kwargs"]
    ]
    assert in_schedule["value_set"] == eras == [50, 25, 12.5, 6.25, 3.125]


# file -> the fields it gives and a day with (field, value in the table's units) read off the file by hand
FORMATS = {
    "coinmetrics_btc_subset_*.csv": ("2020-01-01", "hashrate_ths", 112929774.50430365),
    "mempool_hashrate_all_*.json": ("2025-03-22", "hashrate_ths", 811163725.1674990),
    "blockchain_api_difficulty_3years_*.json": ("2018-11-30", "difficulty", 6653303141406),
    "blockchain_api_hash-rate_30days_*.json": ("2022-07-28", "hashrate_ths", 194101307.8186414),
    "blockchain_hash-rate_values_*.json": ("2019-01-01", "hashrate_ths", 41615985.2733737),
    "blockchaincom_difficulty_xy_daily_*.csv": ("2023-04-30", "difficulty", 48712405953118),
    "blockchaincom_transaction-fees_xy_daily_*.csv": ("2023-04-30", "fees_btc", 47.64650049999998),
    "blockchaincom_site_hash-rate_1year_1d_*.json": ("2024-08-22", "hashrate_ths", 690944705.8016886),
    "blockchaincom_site_difficulty_1year_1d_*.json": ("2021-12-25", "difficulty", 24242457398797.266),
    "blockchaincom_site_miners-revenue_1year_*.csv": ("2020-06-22", "miners_revenue_usd", 8923565.20117743),
}


@real_files
@pytest.mark.parametrize("pattern", FORMATS)
def test_each_real_format_reads_in_the_tables_units(pattern: str):
    day, field, value = FORMATS[pattern]
    part = read_network_file(real(pattern))
    assert part.kind in FILE_PRECEDENCE
    assert set(part.rows.columns) - {"date"} <= set(FIELDS)
    row = part.rows[part.rows["date"] == date.fromisoformat(day)]
    assert row[field].iloc[0] == pytest.approx(value, rel=1e-12)
    assert part.rows["date"].is_unique


@real_files
def test_mempool_difficulty_is_the_last_retarget_on_or_before_the_day():
    rows = read_network_file(real("mempool_hashrate_all_*.json")).rows.set_index("date")
    assert rows.loc[date(2025, 3, 8), "difficulty"] == pytest.approx(110568428300952.7)  # retarget of 2025-02-23
    assert rows.loc[date(2025, 3, 9), "difficulty"] == pytest.approx(112149504190349.3)  # height 887040
    assert rows.loc[date(2025, 3, 22), "difficulty"] == pytest.approx(112149504190349.3)


@real_files
def test_real_files_combine_by_the_declared_precedence(real_batch: NetworkBatch):
    rows = real_batch.rows.set_index("date")
    assert rows.index.is_unique and rows.index.min() == date(2022, 1, 1)
    sources = json.loads(rows.loc[date(2022, 8, 1), "field_sources"])
    # CoinMetrics first for hashrate (blockchain.com's API also covers the day), mempool.space for difficulty
    assert sources["hashrate_ths"].startswith("coinmetrics_") and sources["difficulty"].startswith("mempool_")
    assert rows["hashrate_ths"].notna().all() and rows["blocks"].isna().all()  # no file gives blocks
    assert rows.loc[date(2024, 4, 19), "block_subsidy_btc"] == 6.25 and rows.loc[HALVING, "block_subsidy_btc"] == 3.125
    # the two files the shared folder holds that cannot be a day's value are named, with the field
    assert set(real_batch.errors) == {
        real("blockchaincom_site_difficulty_all_*.json").name,
        real("blockchaincom_site_fees-usd-per-transaction_*.csv").name,
    }
    assert "7D average" in real_batch.errors[real("blockchaincom_site_difficulty_all_*.json").name]
    assert "field 'fees-usd-per-transaction'" in real_batch.errors[real("*fees-usd-per-transaction*.csv").name]


@real_files
def test_hashprice_from_the_loaded_rows_equals_the_hand_computation(real_batch: NetworkBatch):
    """(IssTotUSD + FeeTotNtv x PriceUSD) / (HashRate / 1000), USD per PH/s per day, from the CoinMetrics file
    read by hand, against the same from the loaded rows; and the halving halves it."""
    by_hand = pd.read_csv(real("coinmetrics_btc_subset_*.csv"), index_col="time")
    by_hand = (by_hand.IssTotUSD + by_hand.FeeTotNtv * by_hand.PriceUSD) / (by_hand.HashRate / 1000)
    rows = real_batch.rows.set_index("date")
    loaded = (rows.issuance_usd + rows.fees_btc * rows.price_usd) / (rows.hashrate_ths / 1000)
    for day in ("2024-04-18", "2024-04-19", "2024-04-21", "2024-04-22", "2025-01-02"):
        assert loaded[date.fromisoformat(day)] == pytest.approx(by_hand[day], rel=1e-12)
    before = loaded[date(2024, 4, 13) : date(2024, 4, 19)].mean()
    after = loaded[date(2024, 5, 1) : date(2024, 5, 31)].mean()  # after the runes launch's week of high fees
    assert 0.4 < after / before < 0.6  # the subsidy halved; fees were a small part of revenue
    assert 90 < before < 120 and 45 < after < 60


@real_files
def test_an_unreadable_file_is_a_named_load_error_and_the_others_load(tmp_path: Path):
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(real("blockchain_api_hash-rate_30days_*.json"), folder)
    api = json.loads(real("blockchain_api_hash-rate_30days_*.json").read_text())
    (folder / "hash_rate_eh.json").write_text(json.dumps({**api, "unit": "Hash Rate EH/s"}))
    (folder / "coinmetrics_btc.csv").write_text("time,HashRate\n2022-08-01,not-a-number\n")
    (folder / "blockchaincom_hash-rate_xy_daily.csv").write_text('"x","y"\n"1659312000000","2e8"\n')
    (folder / "blockchaincom_mystery.csv").write_text('"a","b"\n1,2\n')
    (folder / "broken.json").write_text('{"values": [')
    batch = FilesSource(folder).fetch(date(2022, 1, 1), date(2022, 12, 31), tmp_path / "kept")
    assert batch.errors.keys() == {
        "hash_rate_eh.json",
        "coinmetrics_btc.csv",
        "blockchaincom_mystery.csv",
        "broken.json",
    }
    assert "field 'Hash Rate'" in batch.errors["hash_rate_eh.json"] and "EH/s" in batch.errors["hash_rate_eh.json"]
    assert "field HashRate" in batch.errors["coinmetrics_btc.csv"]
    assert "field unknown" in batch.errors["blockchaincom_mystery.csv"]
    assert batch.errors["broken.json"].startswith("broken.json: ")
    # the readable files load; where both give a day, blockchain.com's API bytes come before its CSV export
    rows = batch.rows.set_index("date")
    api_file = real("blockchain_api_hash-rate_30days_*.json").name
    assert len(rows) == 30 and json.loads(rows.loc[date(2022, 8, 1), "field_sources"]) == {"hashrate_ths": api_file}
    assert {p.name for p in batch.payloads} == {api_file, "blockchaincom_hash-rate_xy_daily.csv"}


class FlakyCoinMetrics(BaseAdapter):
    """Answers 503 first, then two pages (the first pointing at the second), and records what was asked."""

    def __init__(self, pages: list[dict], failures: int = 1) -> None:
        super().__init__()
        self.pages, self.failures, self.requested = pages, failures, []

    def send(self, request: PreparedRequest, **kwargs) -> Response:
        self.requested.append(request.url or "")
        response = Response()
        response.request, response.url = request, request.url or ""
        if self.failures:
            self.failures -= 1
            response.status_code, response._content = 503, b"busy"
            return response
        page = self.pages[1] if "next_page_token" in (request.url or "") else self.pages[0]
        response.status_code, response._content = 200, json.dumps(page).encode()
        return response

    def close(self) -> None:
        pass


def session_with(adapter: BaseAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("https://", adapter)
    return session


PAGES = [
    {
        "data": [{"asset": "btc", "time": "2024-04-19T00:00:00.000000000Z", "HashRate": "640000000", "BlkCnt": "177"}],
        "next_page_token": "t",
        "next_page_url": f"{COINMETRICS_URL}?next_page_token=t",
    },
    {
        "data": [
            {"asset": "btc", "time": "2024-04-20T00:00:00.000000000Z", "HashRate": "600000000", "PriceUSD": "64908"}
        ]
    },
]


def test_the_live_client_replays_offline_with_a_retry_and_pages(tmp_path: Path):
    adapter = FlakyCoinMetrics(PAGES, failures=1)
    source = build_network_source("live", None, tmp_path / "cache")
    source.client = CoinMetricsClient(session_with(adapter), wait_seconds=0)
    batch = source.fetch(date(2024, 4, 19), date(2024, 4, 20), tmp_path / "raw")
    assert len(adapter.requested) == 3  # 503, page 1, page 2
    assert (
        "metrics=HashRate%2CDiffMean%2CBlkCnt" in adapter.requested[0]
        and "start_time=2024-04-19" in adapter.requested[0]
    )
    rows = batch.rows.set_index("date")
    assert rows.loc[date(2024, 4, 19), "blocks"] == 177 and rows.loc[HALVING, "price_usd"] == 64908
    assert rows.loc[HALVING, "block_subsidy_btc"] == 3.125 and pd.isna(rows.loc[HALVING, "blocks"])
    assert [json.loads(p.read_bytes()) for p in batch.payloads] == PAGES  # kept as received


def test_the_live_client_gives_up_naming_the_url():
    client = CoinMetricsClient(session_with(FlakyCoinMetrics(PAGES, failures=10)), attempts=3, wait_seconds=0)
    with pytest.raises(NetworkDataError, match="community-api.coinmetrics.io.*failed after 3 attempts: HTTP 503"):
        list(client.pages(date(2024, 4, 19), date(2024, 4, 20)))


def test_unknown_source_and_missing_folder_are_named():
    with pytest.raises(NetworkDataError, match="unknown network source 'yahoo'"):
        build_network_source("yahoo", None, Path("unused"))
    with pytest.raises(NetworkDataError, match="MINERS_NETWORK_FILES_DIR"):
        build_network_source("files", None, Path("unused"))


@pytest.fixture(scope="module")
def snapshot_batch(tmp_path_factory: pytest.TempPathFactory) -> NetworkBatch:
    source = build_network_source("snapshot", None, tmp_path_factory.mktemp("cache"))
    assert source.is_synthetic
    return source.fetch(date(2022, 1, 1), date(2026, 12, 31), tmp_path_factory.mktemp("payloads"))


def test_the_snapshot_is_synthetic_and_consistent_with_the_market_snapshot(snapshot_batch: NetworkBatch):
    assert _load_chart(SNAPSHOT_DIR / "network" / "coinmetrics_btc.json.gz")["comment"].startswith("SYNTHETIC")
    rows = snapshot_batch.rows.set_index("date")
    assert rows[["hashrate_ths", "difficulty", "blocks", "price_usd"]].notna().all().all()
    chart = _load_chart(SNAPSHOT_DIR / "yahoo_chart" / "BTC-USD.json.gz")["chart"]["result"][0]
    closes = pd.Series(
        chart["indicators"]["quote"][0]["close"], index=pd.to_datetime(chart["timestamp"], unit="s").date
    )
    assert rows["price_usd"].to_numpy() == pytest.approx(closes[rows.index].to_numpy(), rel=1e-7)
    # issuance is the halving schedule's subsidy times the blocks, on both sides of the halving
    assert (rows.issuance_btc / rows.blocks).to_numpy() == pytest.approx(rows.block_subsidy_btc.to_numpy(), rel=1e-7)
    assert set(rows.loc[: date(2024, 4, 19), "block_subsidy_btc"]) == {6.25}
    assert set(rows.loc[HALVING:, "block_subsidy_btc"]) == {3.125}


def raw_frame(batch: NetworkBatch, source: str) -> pd.DataFrame:
    return batch.rows.assign(source=source, is_synthetic=source == "snapshot", loaded_at=pd.Timestamp(0), run_id="r")


def test_the_gate_passes_the_snapshot(snapshot_batch: NetworkBatch):
    result = validate_table(raw_frame(snapshot_batch, "snapshot"), "raw_network_daily")
    assert result.success and not result.failed, result.summary()


@real_files
def test_the_gate_passes_the_real_files(real_batch: NetworkBatch):
    result = validate_table(raw_frame(real_batch, "files"), "raw_network_daily")
    assert result.success and not result.failed, result.summary()


def test_the_gate_blocks_a_bad_frame(snapshot_batch: NetworkBatch):
    good = raw_frame(snapshot_batch, "snapshot").head(10)
    bad = pd.concat([good, good.iloc[[3]]], ignore_index=True)  # a day twice
    bad.loc[0, "hashrate_ths"] = -5.0
    bad.loc[1, "block_subsidy_btc"] = 5.0  # off the schedule
    bad.loc[2, "difficulty"] = 0.0
    result = validate_table(bad, "raw_network_daily")
    failed = {(f.expectation, f.kwargs.get("column")) for f in result.blocking_failures}
    assert failed >= {
        ("expect_column_values_to_be_between", "hashrate_ths"),
        ("expect_column_values_to_be_in_set", "block_subsidy_btc"),
        ("expect_column_values_to_be_between", "difficulty"),
        ("expect_column_values_to_be_unique", "date"),
    }
    implausible = good.assign(hashrate_ths=good.hashrate_ths / 1e6)  # EH/s read as TH/s: a warning only
    warned = validate_table(implausible, "raw_network_daily")
    assert warned.success and [f.kwargs["column"] for f in warned.warnings] == ["hashrate_ths"]
