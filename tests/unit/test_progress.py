"""The CLI's progress lines: steps with durations, each asset once, failed gates, no library chatter unless
verbose."""

import io
import re

import dagster as dg
import pytest

from orchestration.defs import progress

DBT_COMMAND = "Running dbt command: `dbt build`."  # dagster-dbt's chatter, as in a dbt step


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["a", "b", "c"]))
def partitioned(context: dg.AssetExecutionContext) -> None:
    context.log.info("loading")
    context.log.debug("a detail")
    context.log.warning(f"{progress.SOURCE_TEST_NOTICE} `source_not_null_x`.")


@dg.asset_check(asset=partitioned, blocking=True)
def always_fails() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False)


@dg.multi_asset(specs=[dg.AssetSpec("seed_a"), dg.AssetSpec("model_b")])
def dbt_like(context: dg.AssetExecutionContext):
    context.log.info(DBT_COMMAND)
    context.log.info("dbt's full log: target/dbt_models-x/dbt.log")
    context.log.warning("dbt: Warning in test accepted_values_x (models/x.yml)")
    yield dg.MaterializeResult(asset_key="seed_a")
    yield dg.MaterializeResult(asset_key="model_b")


def progress_of_run(monkeypatch, verbose: bool) -> str:
    out = io.StringIO()
    monkeypatch.setattr(progress.sys, "stdout", out)
    job = dg.define_asset_job("j", selection=[partitioned, dbt_like], partitions_def=partitioned.partitions_def)
    defs = dg.Definitions(
        assets=[partitioned, dbt_like],
        asset_checks=[always_fails],
        jobs=[job],
        loggers={"progress": progress.progress_logger},
    )
    defs.resolve_job_def("j").execute_in_process(
        run_config={"loggers": {"progress": {"config": {"verbose": verbose}}}},
        tags={"dagster/asset_partition_range_start": "a", "dagster/asset_partition_range_end": "c"},
        raise_on_error=False,
    )
    return out.getvalue()


@pytest.mark.parametrize("verbose", [False, True])
def test_progress_lines(monkeypatch, verbose):
    text = progress_of_run(monkeypatch, verbose)
    # one line per step when it ends: its duration and what it built (once per step, not per partition)
    assert re.search(r"finished partitioned in [\d.]+s: built partitioned$", text, re.M), text
    assert text.count("built partitioned") == 1
    assert re.search(r"finished dbt_like in [\d.]+s: built 2 assets \(seed_a, model_b\)$", text, re.M), text
    assert "GATE FAILED: partitioned always_fails" in text
    assert "warning: dbt: Warning in test accepted_values_x (models/x.yml)" in text
    # a step's start and its own notes only when verbose
    for detail in (
        "started  partitioned",
        "partitioned: loading",
        "dbt_like: dbt's full log: target/dbt_models-x/dbt.log",
    ):
        assert (detail in text) == verbose, detail


def test_a_quiet_run_prints_one_line_per_step(monkeypatch):
    lines = progress_of_run(monkeypatch, verbose=False).splitlines()
    steps = [line for line in lines if re.search(r"\] (finished|FAILED  |skipped ) ", line)]
    assert len(steps) == 3, lines  # partitioned, its check, dbt_like
    assert len(lines) == len(steps) + 2, lines  # and the failed gate and the dbt warning


def test_library_chatter_and_dagster_events_only_when_verbose(monkeypatch):
    quiet = progress_of_run(monkeypatch, verbose=False)
    for chatter in (progress.SOURCE_TEST_NOTICE, DBT_COMMAND, "a detail", "STEP_OUTPUT", "PIPELINE_START"):
        assert chatter not in quiet
    verbose = progress_of_run(monkeypatch, verbose=True)
    for chatter in (progress.SOURCE_TEST_NOTICE, DBT_COMMAND, "partitioned: a detail", "STEP_OUTPUT"):
        assert chatter in verbose
    assert "run: PIPELINE_START" in verbose


class SourceTrouble(ValueError):
    """Stands in for the project's own errors (SecDataError, MarketDataError)."""


@dg.asset
def needs_a_setting() -> None:
    try:
        {}["SEC_USER_AGENT"]
    except KeyError as missing:
        raise SourceTrouble("SEC_USER_AGENT must be set for live SEC access") from missing


@dg.asset
def says_why() -> None:
    raise SourceTrouble("SEC_USER_AGENT must be set for live SEC access, as 'Company Name contact@example.com'")


@pytest.mark.parametrize("verbose", [False, True])
def test_a_failed_step_prints_its_root_cause(monkeypatch, verbose):
    """Dagster's wrapper says only 'Error occurred while executing op ...:'; the FAILED line says why."""
    out = io.StringIO()
    monkeypatch.setattr(progress.sys, "stdout", out)
    defs = dg.Definitions(assets=[says_why, needs_a_setting], loggers={"progress": progress.progress_logger})
    for asset in ("says_why", "needs_a_setting"):
        job = dg.define_asset_job(f"fails_{asset}", selection=[asset])
        dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def(f"fails_{asset}").execute_in_process(
            run_config={"loggers": {"progress": {"config": {"verbose": verbose}}}}, raise_on_error=False
        )
    lines = [line.split("] ", 1)[1] for line in out.getvalue().splitlines() if "FAILED" in line]
    assert lines == [
        "FAILED   says_why: SourceTrouble: SEC_USER_AGENT must be set for live SEC access, as "
        "'Company Name contact@example.com'",
        "FAILED   needs_a_setting: KeyError: 'SEC_USER_AGENT'",  # the innermost of the chain
    ]
