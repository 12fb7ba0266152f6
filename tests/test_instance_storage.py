"""The shipped Dagster instance: its event log writes a backfill's per-partition events as one batch."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration.instance.event_log import BatchedSqliteEventLogStorage
from orchestration.paths import PROJECT_ROOT

days = dg.DailyPartitionsDefinition(start_date="2024-01-01")


@dg.asset(partitions_def=days, backfill_policy=dg.BackfillPolicy.single_run())
def daily_rows(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})


@dg.asset(deps=[daily_rows])
def summary() -> None:
    return None


def backfill(home: Path, monkeypatch: pytest.MonkeyPatch, batch_size: str) -> dg.DagsterInstance:
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", batch_size)
    instance = dg.DagsterInstance.get()
    job = dg.Definitions(assets=[daily_rows, summary], jobs=[dg.define_asset_job("j", partitions_def=days)])
    result = job.resolve_job_def("j").execute_in_process(
        instance=instance,
        tags={"dagster/asset_partition_range_start": "2024-01-01", "dagster/asset_partition_range_end": "2024-03-31"},
    )
    assert result.success
    return instance


def partition_view(instance: dg.DagsterInstance) -> tuple:
    key = dg.AssetKey("daily_rows")
    latest = instance.get_latest_materialization_event(key)
    records = instance.fetch_materializations(key, limit=1000).records
    return (
        sorted(instance.get_materialized_partitions(key)),
        latest.dagster_event.partition,
        sorted(r.partition_key for r in records),
        instance.get_latest_materialization_event(dg.AssetKey("summary")) is not None,
    )


def test_batched_storage_records_what_the_stock_storage_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    shutil.copy(PROJECT_ROOT / "orchestration" / "instance" / "dagster.yaml", shipped / "dagster.yaml")
    batched = backfill(shipped, monkeypatch, batch_size="1000")
    assert isinstance(batched.event_log_storage, BatchedSqliteEventLogStorage)
    assert (shipped / "history" / "runs").is_dir()  # the stock storage's place: history survives a switch

    stock_home = tmp_path / "stock"
    stock_home.mkdir()
    stock = backfill(stock_home, monkeypatch, batch_size="0")
    assert not isinstance(stock.event_log_storage, BatchedSqliteEventLogStorage)

    view = partition_view(batched)
    assert len(view[0]) == 91 and view[1] == "2024-03-31"
    assert view == partition_view(stock)
