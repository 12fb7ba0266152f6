"""The CLI's progress lines: steps with durations, each asset once, failed gates, no dbt source-test noise."""

import io

import dagster as dg

from orchestration.defs import progress


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["a", "b", "c"]))
def partitioned(context: dg.AssetExecutionContext) -> None:
    context.log.info("loading")
    context.log.warning(f"{progress.SOURCE_TEST_NOTICE} `source_not_null_x`.")


@dg.asset_check(asset=partitioned, blocking=True)
def always_fails() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False)


def test_progress_lines(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(progress.sys, "stdout", out)
    job = dg.define_asset_job("j", selection=[partitioned], partitions_def=partitioned.partitions_def)
    defs = dg.Definitions(
        assets=[partitioned], asset_checks=[always_fails], jobs=[job], loggers={"progress": progress.progress_logger}
    )
    defs.resolve_job_def("j").execute_in_process(
        run_config={"loggers": {"progress": {}}},
        tags={"dagster/asset_partition_range_start": "a", "dagster/asset_partition_range_end": "c"},
        raise_on_error=False,
    )
    text = out.getvalue()
    assert "started  partitioned" in text and "finished partitioned in" in text
    assert text.count("built partitioned") == 1  # once per step, not per partition
    assert "partitioned: loading" in text
    assert "GATE FAILED: partitioned always_fails" in text
    assert progress.SOURCE_TEST_NOTICE not in text
