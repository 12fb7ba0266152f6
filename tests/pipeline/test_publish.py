"""Write-audit-publish: the serving file and Parquet hold exactly the gated marts, and a failure withholds only
what it taints: a table whose build failed its gate (or sits downstream of a failed gate) is served as it was
last published, byte for byte, and marked stale with the reason; every other table is served fresh."""

import functools
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.defs.failures import root_cause
from orchestration.defs.quality import gates
from orchestration.defs.serving.publish import served_marts, served_tables
from orchestration.sources import market
from orchestration.sources.yahoo import YAHOO_HOST, YahooClient
from tests.pipeline.published import (
    built_rows,
    check_outcomes,
    copy_warehouse,
    last_snapshot_month,
    materialized,
    publish_status,
    served_files,
    served_rows,
)
from tests.pipeline_run import PipelineRun
from tests.unit.test_yahoo_seam import NoNetworkAdapter, session_with

SERVED = set(served_tables())
OBJECTS = SERVED | {"main.publish_log", "main.publish_status"}  # publish_status: a view on publish_log


def test_publish_serves_every_gated_table(pipeline: PipelineRun):
    serving = pipeline.data_dir / "serving.duckdb"
    assert pipeline.publish_result.success
    assert "publish" in materialized(pipeline.publish_result)
    assert "publish" not in materialized(pipeline.result)  # publish_job follows the pipeline run
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
        assert tables == OBJECTS
        for mart in served_marts():
            served = connection.execute(f"select * from serving.marts.{mart} order by all").fetchall()
            built = connection.execute(f"select * from build.marts.{mart} order by all").fetchall()
            assert served == built, mart
        log = connection.execute(
            "select run_id, source, sec_source, network_source, is_synthetic, data_as_of::varchar data_as_of,"
            " table_name, row_count, status, built_in_run_id, stale_reason from serving.publish_log"
        ).df()
    assert set(log["run_id"]) == {pipeline.publish_result.run_id}
    assert set(log["table_name"]) == SERVED
    assert (log["source"] == "snapshot").all() and log["is_synthetic"].all()
    assert (log["network_source"] == "snapshot").all()
    assert set(log["data_as_of"]) == {"2026-11-20"}
    assert set(log["status"]) == {"fresh"} and log["stale_reason"].isna().all()
    assert set(log["built_in_run_id"]) == {pipeline.result.run_id}  # the run that built what is served
    status = publish_status(pipeline.data_dir)
    assert set(status) == SERVED and {row["status"] for row in status.values()} == {"fresh"}
    parquet = {p.stem: p for p in (pipeline.data_dir / "parquet").glob("*.parquet")}
    assert set(parquet) == {t.split(".")[1] for t in OBJECTS}
    rows = dict(zip(log["table_name"].str.split(".").str[1], log["row_count"], strict=True))
    for name, count in rows.items():
        assert len(pd.read_parquet(parquet[name])) == count, name


def _run(job: str, instance: dg.DagsterInstance, **kwargs) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    return defs.resolve_job_def(job).execute_in_process(instance=instance, raise_on_error=False, **kwargs)


def _failing_gate(monkeypatch: pytest.MonkeyPatch, mart: str) -> None:
    """`mart`'s GE gate sees its table corrupted: one row twice, so its key is no longer unique."""
    real_validate = gates.validate_frame

    def corrupted(frame: pd.DataFrame, asset_key: str, **kwargs):
        if asset_key == mart:
            frame = pd.concat([frame, frame.head(1)], ignore_index=True)
        return real_validate(frame, asset_key, **kwargs)

    monkeypatch.setattr(gates, "validate_frame", corrupted)


def test_a_failed_mart_gate_withholds_it_and_what_reads_it(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """mart_revenue_mix_vintages fails its gate in the SEC job: what reads it (mart_revenue_mix,
    mart_ai_capacity_exposure), built in the same dbt build before the gate ran, is withheld with it; those are
    served as last published and marked stale; everything else is served fresh."""
    from orchestration.definitions import defs

    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    before = served_files(tmp_path)
    previous_all = served_rows(tmp_path, sorted(f"marts.{m}" for m in served_marts()))
    _failing_gate(monkeypatch, "mart_revenue_mix_vintages")
    result = _run("sec_filings_job", pipeline.instance)
    assert check_outcomes(result)[("mart_revenue_mix_vintages", "ge_gate")] is False
    graph = defs.resolve_asset_graph()
    readers = {
        m
        for m in served_marts()
        if dg.AssetKey("mart_revenue_mix_vintages") in graph.get_ancestor_asset_keys(dg.AssetKey(m))
    }
    assert {"mart_revenue_mix", "mart_ai_capacity_exposure"} <= readers
    assert {"mart_revenue_mix_vintages", *readers} <= materialized(result)
    stale = sorted(f"marts.{m}" for m in {"mart_revenue_mix_vintages", *readers})
    previous = {table: previous_all[table] for table in stale}
    assert served_files(tmp_path) == before  # the pipeline run itself never touches what BI tools read

    published = _run("publish_job", pipeline.instance)
    assert published.success
    status = publish_status(tmp_path)
    assert {t for t, row in status.items() if row["status"] == "fresh"} == SERVED - set(stale)
    assert status["marts.mart_revenue_mix_vintages"]["stale_reason"].startswith("gate failed on its build")
    for reader in ("mart_revenue_mix", "mart_ai_capacity_exposure"):
        reason = status[f"marts.{reader}"]["stale_reason"]
        assert reason.startswith("upstream gate failed: mart_revenue_mix_vintages"), reason
    assert served_rows(tmp_path, stale) == previous  # the last good versions, as they were published
    after = served_files(tmp_path)
    for table in stale:
        name = f"{table.split('.')[1]}.parquet"
        assert after[name] == before[name], name  # its Parquet file keeps its content
        assert status[table]["built_in_run_id"] == pipeline.result.run_id  # the run that built what is served


def test_a_failed_mart_gate_withholds_only_that_mart(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """mart_event_reactions fails its GE gate in a whole run: the other marts are served fresh, it is served
    as last published (byte for byte, Parquet included) and marked stale with the gate's failure."""
    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    before = served_files(tmp_path)
    previous = served_rows(tmp_path, sorted(SERVED))
    # a bar 10% off on an event session, still a valid bar, reloaded (stamped now, as a reload stamps it): the
    # event study's numbers change ...
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute(
            "update raw.market_prices set close = close * 1.1, adj_close = adj_close * 1.1,"
            " loaded_at = ? where ticker = 'MARA'"
            " and date = (select max(first_us_session) from staging.stg_reference__market_events"
            " where first_us_session < date '2026-11-01')",
            [datetime.now(UTC).replace(tzinfo=None)],
        )
    # ... and the mart's gate sees a corrupted table
    _failing_gate(monkeypatch, "mart_event_reactions")

    instance = dg.DagsterInstance.ephemeral()
    result = _run("all_assets_job", instance, partition_key=last_snapshot_month())
    outcomes = check_outcomes(result)
    assert outcomes[("mart_event_reactions", "ge_gate")] is False
    for mart in served_marts():
        assert mart in materialized(result), mart
        if mart != "mart_event_reactions":
            assert outcomes[(mart, "ge_gate")], mart

    published = _run("publish_job", instance)
    assert published.success
    status = publish_status(tmp_path)
    stale = "marts.mart_event_reactions"
    assert status[stale]["status"] == "stale"
    assert status[stale]["stale_reason"].startswith("gate failed on its build")
    assert status[stale]["built_in_run_id"] == pipeline.result.run_id
    assert {t for t, row in status.items() if row["status"] == "fresh"} == SERVED - {stale}
    for table in SERVED - {stale}:
        assert status[table]["built_in_run_id"] == result.run_id, table
    fresh_marts = sorted(f"marts.{m}" for m in served_marts() if f"marts.{m}" != stale)
    assert served_rows(tmp_path, fresh_marts) == built_rows(tmp_path, fresh_marts)
    assert built_rows(tmp_path, [stale])[stale] != previous[stale]  # the build changed, the served one did not
    assert served_rows(tmp_path, [stale])[stale] == previous[stale]
    assert served_files(tmp_path)["mart_event_reactions.parquet"] == before["mart_event_reactions.parquet"]
    with duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True) as connection:
        runs = connection.execute("select status, count(distinct run_id) from publish_log group by all").fetchall()
    assert dict(runs) == {"fresh": 2, "stale": 1}  # the session's publish and this one


def test_a_clean_rerun_publishes_a_new_file(pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    before = served_files(tmp_path)
    result = _run("sec_filings_job", pipeline.instance)
    assert result.success
    published = _run("publish_job", pipeline.instance)
    assert published.success
    assert served_files(tmp_path)["serving.duckdb"] != before["serving.duckdb"]
    with duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True) as connection:
        runs = connection.execute("select distinct run_id from publish_log").fetchall()
        statuses = connection.execute("select distinct status from publish_status").fetchall()
    assert {r[0] for r in runs} == {pipeline.publish_result.run_id, published.run_id}  # earlier publishes kept
    assert statuses == [("fresh",)]
    assert not list(tmp_path.glob(".serving*"))  # nothing left aside


def test_an_unreachable_source_keeps_the_last_publish_marked_stale_with_why(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """MINERS_SOURCE=live with the network seam failing as offline (every request fails before any answer):
    the market run fails once, naming Yahoo's host and the error, not one 'delisted' ticker at a time; the
    publish after it keeps serving what was last published, and marks what the market data feeds stale with
    that reason."""
    from orchestration.definitions import defs

    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    instance = dg.DagsterInstance.ephemeral()
    month = last_snapshot_month()
    built = _run("market_data_job", instance, partition_key=month)
    assert built.success
    assert _run("publish_job", instance).success
    graph = defs.resolve_asset_graph()
    fed = sorted(  # the served tables this run built from the market data
        table
        for table in SERVED
        if table.split(".")[1] in materialized(built)
        and dg.AssetKey("raw_market_prices") in graph.get_ancestor_asset_keys(dg.AssetKey(table.split(".")[1]))
    )
    assert {"marts.mart_factor_exposure", "marts.mart_event_reactions"} <= set(fed)
    assert {publish_status(tmp_path)[table]["status"] for table in fed} == {"fresh"}
    before, previous = served_files(tmp_path), served_rows(tmp_path, fed)

    monkeypatch.setenv("MINERS_SOURCE", "live")
    offline = NoNetworkAdapter()
    monkeypatch.setattr(market, "YahooClient", functools.partial(YahooClient, session=session_with(offline)))
    failed = _run("market_data_job", instance, partition_key=month)
    assert not failed.success
    (failure,) = [e for e in failed.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failure.step_key == "raw_market_prices"
    cause = root_cause(failure.step_failure_data.error)
    assert cause.startswith(f"SourceUnreachableError: Yahoo Finance cannot be reached: {YAHOO_HOST}: ConnectionError")
    logged = [e.user_message for e in instance.all_logs(failed.run_id) if e.level >= 30 and not e.dagster_event]
    assert not [message for message in logged if "not loaded from live" in message]  # no ticker-by-ticker warnings
    assert served_files(tmp_path) == before

    assert _run("publish_job", instance).success
    status = publish_status(tmp_path)
    for table in fed:
        assert status[table]["status"] == "stale", table
        assert status[table]["stale_reason"] == f"raw_market_prices failed to load in run {failed.run_id}: {cause}"
        assert status[table]["built_in_run_id"] == built.run_id  # the last good build, still served
    assert served_rows(tmp_path, fed) == previous


def test_a_model_that_errors_skips_only_its_descendants(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """One dbt build: a staging model that errors (the raw column it reads is gone, past the raw gate, which
    does not check it) skips what is built from it; every other model builds and its gate runs; the step
    logs the error naming the node instead of failing; publish serves the rest fresh and the skipped marts as
    last published, stale."""
    from orchestration.definitions import defs
    from orchestration.defs.dbt.assets import DBT_BUILD, dbt_build

    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    broken = dg.AssetKey("stg_sec__company_facts")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute("alter table raw.sec_company_facts drop column filed")
    graph = defs.resolve_asset_graph()
    skipped = {k.to_user_string() for k in dbt_build.keys if k == broken or broken in graph.get_ancestor_asset_keys(k)}
    assert {"mart_revenue_mix", "mart_ai_capacity_exposure"} <= skipped  # filing dates come from companyfacts
    others = {k.to_user_string() for k in dbt_build.keys} - skipped
    assert {"mart_factor_exposure", "mart_event_study_summary", "miners"} <= others

    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, raise_on_error=False, asset_selection=list(dbt_build.keys)
    )
    assert not [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    built = materialized(result)
    assert built == others
    outcomes = check_outcomes(result)
    assert all(outcomes[(m, "ge_gate")] for m in served_marts() if m in others)
    errors = [e.user_message for e in instance.all_logs(result.run_id) if e.level >= 40 and not e.is_dagster_event]
    assert any(
        e.startswith("dbt build: ") and "model.miner_convergence.stg_sec__company_facts (error)" in e for e in errors
    ), errors
    assert {e.step_key for e in instance.all_logs(result.run_id) if e.level >= 40} == {DBT_BUILD}

    assert _run("publish_job", instance).success
    status = publish_status(tmp_path)
    for table, row in status.items():
        name = table.split(".")[1]
        expected = "stale" if name in skipped else "fresh"
        assert row["status"] == expected, (table, row["stale_reason"])
