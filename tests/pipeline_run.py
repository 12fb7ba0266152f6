"""The whole slice, materialized once per session on the offline snapshot into a temporary warehouse, then
published as `miners run` does it (all_assets_job, then publish_job).

The `pipeline` fixture is registered in tests/conftest.py, so pipeline and reliability tests share one run.
"""

import csv
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
# The small universe of the suite's `miners run` subprocesses that test the universe or concurrency, not the
# companies: a user who follows three companies. CORZ has a listing (ticker_listings) and AI/HPC contracts, so
# every served reference table keeps rows.
SMALL_UNIVERSE = ("MARA", "RIOT", "CORZ")


def trim_miners_seed(seeds_dir: Path, kept: tuple[str, ...]) -> None:
    """What a user does to follow fewer companies: delete the other rows of the miners seed."""
    path = seeds_dir / "miners.csv"
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames or []), [row for row in reader if row["ticker"] in kept]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def small_universe_project(project: Path) -> Path:
    """A copy of the project (its `orchestration/`, `dbt_project/` and `expectations/`, as the P4 benchmark copies
    them) with the miners seed trimmed to SMALL_UNIVERSE: the repository's seed is never touched. A `miners run`
    with PYTHONPATH set to it runs the copy."""
    from benchmarks.synthetic_universe import copy_project

    copy_project(project)
    trim_miners_seed(project / "dbt_project" / "seeds", SMALL_UNIVERSE)
    return project


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
