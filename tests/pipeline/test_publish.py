"""Write-audit-publish: the serving file and Parquet hold exactly the gated marts, and a failed gate
leaves them byte for byte as they were."""

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.defs.serving.publish import REFERENCE_TABLES, SERVED_MARTS
from tests.pipeline.published import copy_warehouse, served_files
from tests.pipeline_run import PipelineRun

SERVED = {f"marts.{m}" for m in SERVED_MARTS} | {f"reference.{r}" for r in REFERENCE_TABLES}


def test_publish_serves_every_gated_table(pipeline: PipelineRun):
    serving = pipeline.data_dir / "serving.duckdb"
    assert "publish" in {e.asset_key.to_user_string() for e in pipeline.result.get_asset_materialization_events()}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{serving}' as serving (read_only)")
        connection.execute(f"attach '{pipeline.data_dir / 'warehouse.duckdb'}' as build (read_only)")
        version = connection.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = 'serving'"
        ).fetchone()[0]
        assert version == "v1.4.0+"  # DuckDB 1.4 and newer can open it
        tables = {
            f"{schema}.{table}"
            for schema, table in connection.execute(
                "select table_schema, table_name from information_schema.tables where table_catalog = 'serving'"
            ).fetchall()
        }
        assert tables == SERVED | {"main.publish_log"}
        for mart in SERVED_MARTS:
            served = connection.execute(f"select * from serving.marts.{mart} order by all").fetchall()
            built = connection.execute(f"select * from build.marts.{mart} order by all").fetchall()
            assert served == built, mart
        log = connection.execute(
            "select run_id, source, sec_source, is_synthetic, data_as_of::varchar data_as_of, table_name, row_count"
            " from serving.publish_log"
        ).df()
    assert set(log["run_id"]) == {pipeline.result.run_id}
    assert set(log["table_name"]) == SERVED
    assert (log["source"] == "snapshot").all() and log["is_synthetic"].all()
    assert set(log["data_as_of"]) == {"2026-11-20"}
    parquet = {p.stem: p for p in (pipeline.data_dir / "parquet").glob("*.parquet")}
    assert set(parquet) == {t.split(".")[1] for t in SERVED} | {"publish_log"}
    rows = dict(zip(log["table_name"].str.split(".").str[1], log["row_count"], strict=True))
    for name, count in rows.items():
        assert len(pd.read_parquet(parquet[name])) == count, name


def _sec_run(pipeline: PipelineRun) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    return defs.resolve_job_def("sec_filings_job").execute_in_process(instance=pipeline.instance, raise_on_error=False)


def test_a_failed_mart_gate_leaves_the_serving_file_byte_identical(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    before = served_files(tmp_path)
    # one member of one filing doubled: that filing's categories no longer add up to its total
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute(
            "update raw.sec_revenue_facts set value = value * 2 where ticker = 'CORZ'"
            " and member like '%HostingMember' and period_end = date '2024-03-31'"
        )
    result = _sec_run(pipeline)
    failed = {
        (c.asset_key.to_user_string(), c.check_name)
        for c in result.get_asset_check_evaluations()
        if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR
    }
    # dbt's reconciliation test on the mart fails first (its GE gate checks the same rule)
    assert any(asset == "mart_revenue_mix" and "reconciliation" in check for asset, check in failed)
    assert "publish" not in {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert served_files(tmp_path) == before


def test_a_clean_rerun_publishes_a_new_file(pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    before = served_files(tmp_path)
    result = _sec_run(pipeline)
    assert result.success
    assert served_files(tmp_path)["serving.duckdb"] != before["serving.duckdb"]
    with duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True) as connection:
        runs = connection.execute("select distinct run_id from publish_log").fetchall()
    assert {r[0] for r in runs} == {pipeline.result.run_id, result.run_id}  # the log keeps earlier publishes
    assert not list(tmp_path.glob(".serving*"))  # nothing left aside
