"""The code location loads, with the assets, gates, jobs and schedule users rely on."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg

from orchestration.paths import PROJECT_ROOT
from tests.expected import gated_assets, mart_assets, raw_assets


def test_definitions_load(dbt_manifest: Path):
    from orchestration.definitions import defs
    from orchestration.defs.freshness import MARKET_FRESHNESS, SEC_FRESHNESS

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "raw_market_prices",
        "stg_yahoo__daily_prices",
        "int_daily_returns",
        "mart_factor_exposure",
        "mart_event_reactions",
        "miners",
        "factors",
        "market_events",
        "raw_sec_filings",
        "raw_sec_company_facts",
        "raw_sec_revenue_facts",
        "mart_revenue_mix",
        "mart_ai_capacity_exposure",
        "mart_ai_pivot_scenarios",
        "revenue_member_map",
        "publish",
        "convergence_report",
    } <= keys
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    for asset in gated_assets():
        assert (asset, "ge_gate") in checks
    assert defs.resolve_job_def("market_data_job") and defs.resolve_job_def("all_assets_job")
    # raw tables feed dbt: lineage from the source's meta
    assert dg.AssetKey("raw_market_prices") in graph.get(dg.AssetKey("stg_yahoo__daily_prices")).parent_keys
    assert dg.AssetKey("raw_sec_revenue_facts") in graph.get(dg.AssetKey("stg_sec__revenue_facts")).parent_keys
    assert defs.resolve_sensor_def("sec_filings_sensor").job_name == "sec_filings_job"
    assert defs.resolve_schedule_def("sec_daily_schedule").job_name == "sec_filings_job"
    # freshness: policies on the raw assets (evaluated by Dagster's daemon), not checks or a sensor
    policies = {
        raw: defs.resolve_assets_def(raw).specs_by_key[dg.AssetKey(raw)].freshness_policy for raw in raw_assets()
    }
    assert policies == {raw: MARKET_FRESHNESS if raw == "raw_market_prices" else SEC_FRESHNESS for raw in raw_assets()}
    assert MARKET_FRESHNESS.deadline_cron == "0 20 * * 1-5" and MARKET_FRESHNESS.timezone == "America/New_York"
    # publish waits for every mart; the report reads only what publish wrote
    publish_parents = {k.to_user_string() for k in graph.get(dg.AssetKey("publish")).parent_keys}
    assert publish_parents == mart_assets()
    assert {k.to_user_string() for k in graph.get(dg.AssetKey("convergence_report")).parent_keys} == {"publish"}
    # the pipeline jobs build and gate; publish_job follows each of them, whatever its outcome
    for job in ("all_assets_job", "market_data_job", "sec_filings_job"):
        selected = {k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.selected_asset_keys}
        assert not {"publish", "convergence_report"} & selected, job
    publish_job = defs.resolve_job_def("publish_job")
    assert {k.to_user_string() for k in publish_job.asset_layer.selected_asset_keys} == {
        "publish",
        "convergence_report",
    }
    for status in ("success", "failure", "backfill"):
        sensor = defs.resolve_sensor_def(f"publish_after_{status}_sensor")
        assert sensor.job_name == "publish_job"
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_a_partitioned_run_without_partitions_is_refused_saying_how_to_choose(dbt_manifest: Path):
    from orchestration.defs.executor import refusal
    from orchestration.defs.ingest.partitions import monthly_partitions

    partitioned = {"raw_market_prices": monthly_partitions}
    why = refusal("all_assets_job", partitioned, run_is_partitioned=False)
    assert why.startswith("all_assets_job runs raw_market_prices, which is partitioned by month, and no partition")
    first, last = monthly_partitions.get_partition_keys()[0], monthly_partitions.get_partition_keys()[-1]
    assert f"{first}...{last}" in why and "partition selector" in why and "`miners run`" in why
    assert refusal("all_assets_job", partitioned, run_is_partitioned=True) is None
    assert refusal("sec_filings_job", {}, run_is_partitioned=False) is None


def test_dbt_steps_split_by_the_raw_data_they_read(dbt_manifest: Path):
    """A failed SEC gate must not stop the market models (nor a market gate the SEC ones): the dbt steps
    wait only for the raw assets they read, and every dbt node and test is in exactly one step."""
    from orchestration.defs.dbt.assets import dbt_market, dbt_market_sec, dbt_sec

    keys = {d.op.name: {k.to_user_string() for k in d.keys} for d in (dbt_market, dbt_sec, dbt_market_sec)}
    deps = {
        d.op.name: {k.to_user_string() for k in d.dependency_keys} - keys[d.op.name]
        for d in (dbt_market, dbt_sec, dbt_market_sec)
    }
    sec = {"raw_sec_filings", "raw_sec_company_facts", "raw_sec_revenue_facts", "raw_sec_balance_sheet_facts"}
    raw = {"raw_market_prices", *sec}
    assert deps["dbt_market"] & raw == {"raw_market_prices"}
    assert deps["dbt_sec"] & raw == sec
    assert not deps["dbt_market_sec"] & raw
    assert {"mart_factor_exposure", "mart_event_reactions", "mart_ai_pivot_scenarios", "miners"} <= keys["dbt_market"]
    assert "mart_revenue_mix" in keys["dbt_sec"] and not keys["dbt_sec"] & keys["dbt_market"]
    assert keys["dbt_market_sec"] == {"mart_ai_capacity_exposure", "int_market_value_by_month", "mart_valuation_per_mw"}
    # the SEC models read only reference data from the market step: a failed market mart gate leaves them be
    assert all(k.startswith("stg_reference__") for k in deps["dbt_sec"] - raw), deps["dbt_sec"]
    checks = [c for d in (dbt_market, dbt_sec, dbt_market_sec) for c in d.check_keys]
    assert len(checks) == len(set(checks))


def test_schedule_runs_after_the_close_and_covers_the_weekend(dbt_manifest: Path):
    from orchestration.defs.schedules import market_after_close_schedule

    def months(when: datetime) -> tuple[str, str]:
        request = market_after_close_schedule(dg.build_schedule_context(scheduled_execution_time=when))
        return request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]

    assert months(datetime(2026, 11, 24, 18, 30)) == ("2026-11-01", "2026-11-01")  # a Tuesday: its month
    assert months(datetime(2026, 11, 23, 18, 30)) == ("2026-11-01", "2026-11-01")  # Monday, weekend in November
    assert months(datetime(2026, 6, 1, 18, 30)) == ("2026-05-01", "2026-06-01")  # Monday, weekend in May
    assert market_after_close_schedule.cron_schedule == "30 18 * * 1-5"


def test_dg_check_defs(dbt_manifest: Path):
    dg_cli = Path(sys.executable).parent / "dg"
    result = subprocess.run(
        [str(dg_cli), "check", "defs"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
