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
    from orchestration.defs.sec.assets import SEC_TABLE_ASSETS

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
    assert dg.AssetKey("raw_network_daily") in graph.get(dg.AssetKey("stg_network__daily")).parent_keys
    assert defs.resolve_sensor_def("sec_filings_sensor").job_name == "sec_filings_job"
    assert defs.resolve_schedule_def("sec_daily_schedule").job_name == "sec_filings_job"
    # freshness: policies on the raw assets (evaluated by Dagster's daemon), not checks or a sensor
    policies = {
        raw: defs.resolve_assets_def(raw).specs_by_key[dg.AssetKey(raw)].freshness_policy for raw in raw_assets()
    }
    # the SEC tables load every morning; the others (market bars, network statistics) after the US close
    after_close = {k.to_user_string() for k in defs.resolve_job_def("market_data_job").asset_layer.selected_asset_keys}
    assert policies == {raw: SEC_FRESHNESS if raw in SEC_TABLE_ASSETS else MARKET_FRESHNESS for raw in raw_assets()}
    assert raw_assets() - set(SEC_TABLE_ASSETS) <= after_close
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


def test_one_dbt_build_holds_every_dbt_node_and_waits_for_the_raw_gates(dbt_manifest: Path):
    """One dbt step, whatever sources exist: every model and seed of the manifest is one of its assets; it waits
    for every raw table's gate (blocking) and its dbt tests never fail it (not blocking: dbt skips a failed
    test's descendants and the step goes on to report what built)."""
    import json

    from orchestration.definitions import defs
    from orchestration.defs.dbt.assets import DBT_BUILD, dbt_build
    from orchestration.defs.dbt.tables import gated_tables
    from orchestration.defs.quality.gates import gates

    manifest = json.loads(dbt_manifest.read_text())
    nodes = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}
    dbt_steps = [a for a in defs.resolve_asset_graph().assets_defs if a.op.name.startswith("dbt")]
    assert [a.op.name for a in dbt_steps] == [DBT_BUILD]
    assert {k.to_user_string() for k in dbt_build.keys} == nodes
    raw = {t.asset_key for t in gated_tables() if t.is_source}
    assert raw == {k.to_user_string() for k in dbt_build.dependency_keys} - nodes
    blocking = {spec.asset_key.to_user_string() for gate in gates for spec in gate.check_specs if spec.blocking}
    assert raw <= blocking
    assert not [s for s in dbt_build.check_specs if s.blocking]


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


def test_the_modules_miners_run_imports_while_dbt_parses_never_read_the_manifest():
    """`miners run` imports MANIFEST_FREE_MODULES while `dbt parse` writes the manifest: on a fresh clone there
    is none yet, so one of them reading it at import fails the run, or not, by how fast the parse is."""
    script = (
        "import importlib, orchestration.defs.dbt.tables as tables\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('the manifest was read at import')\n"
        "tables.declared_tables = refuse\n"
        "from orchestration.cli import MANIFEST_FREE_MODULES\n"
        "for module in MANIFEST_FREE_MODULES:\n"
        "    importlib.import_module(module)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
