"""The whole slice, materialized once per session on the offline snapshot into a temporary warehouse, then
published as `miners run` does it (all_assets_job, then publish_job).

The `pipeline` fixture is registered in tests/conftest.py, so pipeline and reliability tests share one run.
"""

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingest.partitions import partition_range_tags
from orchestration.sources.market import read_snapshot_truth, snapshot_coverage

# The short window of the suite's `miners run` subprocesses (kill points, concurrent runs, a trimmed universe):
# four months with events in them (2025-12-17, 2026-01-16) and enough sessions for the 60-session betas, so
# every mart builds and publish succeeds. Only the session's run (below) and the real-data run cover it all.
SHORT_WINDOW_START, SHORT_WINDOW_END = "2025-12-01", "2026-03-31"


@dataclass
class PipelineRun:
    data_dir: Path
    result: dg.ExecuteInProcessResult  # all_assets_job: extract, dbt, gates
    truth: dict
    instance: dg.DagsterInstance  # keeps the gates' history, which publish consults
    publish_result: dg.ExecuteInProcessResult  # publish_job after it: serving file, Parquet, report

    def query(self, sql: str, params: list | None = None):
        with duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True) as connection:
            return connection.execute(sql, params or []).df()


@pytest.fixture(scope="session")
def pipeline(session_data_dir: Path, dbt_manifest: Path) -> PipelineRun:
    from orchestration.definitions import defs

    start, end = snapshot_coverage()
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("all_assets_job").execute_in_process(
        instance=instance, tags=partition_range_tags(start, end), raise_on_error=False
    )
    published = defs.resolve_job_def("publish_job").execute_in_process(instance=instance, raise_on_error=False)
    return PipelineRun(
        data_dir=session_data_dir,
        result=result,
        truth=read_snapshot_truth(),
        instance=instance,
        publish_result=published,
    )
