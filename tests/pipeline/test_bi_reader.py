"""A BI tool reads the serving file while the daily update rebuilds and republishes it.

The reader is configured as Apache Superset would be: a SQLAlchemy engine on duckdb-engine, read-only, and
NullPool so every query opens a fresh connection (and so sees the file `publish` renamed into place). The
run is the scheduled one a dashboard meets every day, `miners run --job market_data_job` of the snapshot's last
session, on a copy of the session's published warehouse: it writes warehouse.duckdb (its writer lock) and a
new serving file beside the old one, as a full run does. The reader must never see an error, a lock conflict
or a partial file, and must move from the old publish to the new one.
"""

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from orchestration.defs.serving.publish import served_marts, served_tables
from orchestration.paths import PROJECT_ROOT
from orchestration.sources.market import snapshot_coverage
from tests.pipeline_run import PipelineRun

RUN_TIMEOUT_SECONDS = 900
READER_PAUSE_SECONDS = 0.05  # a busy dashboard; each query opens the file anew (~30 ms of CPU)
QUERIES_AFTER_RUN = 20


@dataclass(frozen=True)
class Observation:
    at: float
    published_at: datetime
    run_id: str
    log_rows: int
    mart_rows: int


def _superset_engine(serving: Path):
    return create_engine(f"duckdb:///{serving}", connect_args={"read_only": True}, poolclass=NullPool)


def _observe(engine) -> Observation:
    with engine.connect() as connection:
        published_at, log_rows = connection.execute(text("select max(published_at), count(*) from publish_log")).one()
        run_id = connection.execute(
            text("select run_id from publish_log order by published_at desc limit 1")
        ).scalar_one()
        mart_rows = connection.execute(text("select count(*) from marts.mart_revenue_mix")).scalar_one()
    return Observation(time.monotonic(), published_at, run_id, log_rows, mart_rows)


class Reader(threading.Thread):
    """Queries the serving file in a loop until stopped; keeps every observation and every exception."""

    def __init__(self, serving: Path):
        super().__init__(name="bi-reader", daemon=True)
        self.engine = _superset_engine(serving)
        self.observations: list[Observation] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.observations.append(_observe(self.engine))
            except Exception as error:  # any error at all is a failure of the test, so keep them all
                self.errors.append(f"{type(error).__name__}: {error}")
            time.sleep(READER_PAUSE_SECONDS)


def _run_environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}  # no DAGSTER_HOME: ephemeral instance
    env.update(
        MINERS_DATA_DIR=str(data_dir),
        MINERS_SOURCE="snapshot",
        MINERS_SEC_SOURCE="",
        SEC_USER_AGENT="",
        MINERS_SEC_FILES_DIR="",
        MINERS_CSV_DIR="",
    )
    return env


@pytest.fixture
def published_copy(pipeline: PipelineRun, tmp_path: Path) -> Path:
    """A data folder holding copies of the session run's build warehouse and published serving file."""
    serving = pipeline.data_dir / "serving.duckdb"
    if not serving.is_file():
        pytest.fail(
            f"the session pipeline run did not publish {serving}: is `publish` in all_assets_job, and did it "
            "materialize? (every mart gate must pass)"
        )
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal", "serving.duckdb"):
        if (pipeline.data_dir / name).exists():
            shutil.copy2(pipeline.data_dir / name, data_dir / name)
    return data_dir


def test_bi_reader_sees_old_then_new_publish_without_errors_during_a_run(published_copy: Path):
    serving = published_copy / "serving.duckdb"
    engine = _superset_engine(serving)
    # what Superset does when a dataset is added: list schemas and tables
    assert set(served_marts()) <= set(inspect(engine).get_table_names(schema="marts"))
    before = _observe(engine)
    assert before.mart_rows > 0 and before.log_rows == len(served_tables())

    reader = Reader(serving)
    reader.start()
    started = time.monotonic()
    try:
        last_day = snapshot_coverage()[1].isoformat()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "orchestration.cli",
                "run",
                "--job",
                "market_data_job",
                "--start",
                last_day,
                "--end",
                last_day,
            ],
            cwd=PROJECT_ROOT,
            env=_run_environment(published_copy),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
        )
        finished = time.monotonic()
        while len([o for o in reader.observations if o.at > finished]) < QUERIES_AFTER_RUN and reader.is_alive():
            time.sleep(0.05)
    finally:
        reader.stop.set()
        reader.join(timeout=30)
    output = run.stdout + run.stderr
    print(
        f"\nBI reader: {len(reader.observations)} queries, {len(reader.errors)} errors, run {finished - started:.0f} s"
    )

    # the run succeeded, and nothing in it met a lock held by the reader
    assert run.returncode == 0, output[-5000:]
    assert "Could not set lock" not in output
    new_run_id = re.search(r"publish run id (\S+)", run.stdout).group(1)

    # the reader never failed (a lock conflict would show as an IOException here)
    assert reader.errors == [], reader.errors[:10]
    observations = reader.observations
    assert len(observations) > 100

    # it saw the old publish first and the new one at the end, and never anything else in between
    old = (before.run_id, before.published_at, before.log_rows)
    assert (observations[0].run_id, observations[0].published_at, observations[0].log_rows) == old
    last = observations[-1]
    assert last.run_id == new_run_id != before.run_id
    assert last.published_at > before.published_at
    assert last.log_rows == 2 * before.log_rows  # the new file keeps the earlier publish's log
    new = (last.run_id, last.published_at, last.log_rows)
    states = [(o.run_id, o.published_at, o.log_rows) for o in observations]
    assert set(states) == {old, new}
    switch = states.index(new)
    assert states[switch:] == [new] * (len(states) - switch)  # once the new file is in place, it stays
    assert all(o.mart_rows == before.mart_rows for o in observations)  # same snapshot, same rows


def test_parquet_exports_match_the_serving_tables(pipeline: PipelineRun):
    serving = pipeline.data_dir / "serving.duckdb"
    if not serving.is_file():
        pytest.fail(f"the session pipeline run did not publish {serving}")
    with duckdb.connect(str(serving), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()
        counts = {
            table: connection.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
            for schema, table in tables
        }
    expected = {name.split(".")[1] for name in served_tables()} | {"publish_log", "publish_status"}
    assert set(counts) == expected
    folder = pipeline.data_dir / "parquet"
    assert {p.stem for p in folder.glob("*.parquet")} == expected  # no staged files left behind
    for table, rows in counts.items():
        path = folder / f"{table}.parquet"
        assert pq.read_metadata(path).num_rows == rows, table
        frame = pd.read_parquet(path)
        assert len(frame) == rows, table
        assert rows > 0, table
