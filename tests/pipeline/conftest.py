"""The whole slice, materialized once per session on the offline snapshot into a temporary warehouse."""

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.sources.market import read_snapshot_truth, snapshot_coverage

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


@dataclass
class PipelineRun:
    data_dir: Path
    result: dg.ExecuteInProcessResult
    truth: dict

    def query(self, sql: str, params: list | None = None):
        with duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True) as connection:
            return connection.execute(sql, params or []).df()


def range_tags(start, end) -> dict[str, str]:
    return {RANGE_START: str(start), RANGE_END: str(end)}


@pytest.fixture(scope="session")
def pipeline(session_data_dir: Path, dbt_manifest: Path) -> PipelineRun:
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    from orchestration.definitions import defs

    start, end = snapshot_coverage()
    result = defs.resolve_job_def("all_assets_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), tags=range_tags(start, end), raise_on_error=False
    )
    return PipelineRun(data_dir=session_data_dir, result=result, truth=read_snapshot_truth())
