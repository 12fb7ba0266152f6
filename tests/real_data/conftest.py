"""The real-data tier: the whole pipeline, run as a user runs it, on the real public prices and filings.

`make run` with MINERS_SOURCE=csv MINERS_CSV_DIR=<real>/prices MINERS_SEC_SOURCE=files
MINERS_SEC_FILES_DIR=<real>/sec (and MINERS_NETWORK_SOURCE=files MINERS_NETWORK_FILES_DIR=<real>/network
where that folder is there), into a temporary warehouse, once per session. Skips when the shared real data
is absent (a clone elsewhere does not have it).
"""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.paths import PROJECT_ROOT
from orchestration.settings import SETTING_DEFAULTS
from tests.conftest import REAL_DATA


@dataclass
class RealRun:
    data_dir: Path
    returncode: int
    output: str
    network_dir: Path | None = None  # the real network files the run loaded, if the folder is there

    def serving(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.data_dir / "serving.duckdb"), read_only=True) as connection:
            return connection.sql(sql).df()

    def warehouse(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.data_dir / "warehouse.duckdb"), read_only=True) as connection:
            return connection.sql(sql).df()

    @classmethod
    def of(
        cls, command: list[str], cwd: Path, env: dict[str, str], data_dir: Path, network_dir: Path | None = None
    ) -> "RealRun":
        """Run a `miners run` command (make's or the module's) to its end, keeping its output."""
        completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200, check=False)
        return cls(data_dir, completed.returncode, completed.stdout + completed.stderr, network_dir)

    def accession(self, document: str) -> str:
        """The accession the run gave one file of the shared folder (a local file's is a hash of its bytes)."""
        rows = self.warehouse(f"select accession_number from raw.sec_filings where primary_document = '{document}'")
        assert len(rows) == 1, (document, rows)
        return rows.accession_number.iloc[0]


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> RealRun:
    prices, filings = REAL_DATA / "prices", REAL_DATA / "sec"
    if not (prices.is_dir() and filings.is_dir()):
        pytest.skip("shared real prices and SEC filings are not available here")
    data_dir = tmp_path_factory.mktemp("real_warehouse")
    env = {k: v for k, v in os.environ.items() if k not in SETTING_DEFAULTS and k != "DAGSTER_HOME"}
    env.update(
        MINERS_SOURCE="csv",
        MINERS_CSV_DIR=str(prices),
        MINERS_SEC_SOURCE="files",
        MINERS_SEC_FILES_DIR=str(filings),
        MINERS_DATA_DIR=str(data_dir),
        DBT_TARGET_PATH=str(data_dir / "dbt_target"),
    )
    network = REAL_DATA / "network"
    network_dir = network if network.is_dir() else None  # without it the run keeps the snapshot network
    if network_dir:
        env.update(MINERS_NETWORK_SOURCE="files", MINERS_NETWORK_FILES_DIR=str(network_dir))
    return RealRun.of(["make", "--no-print-directory", "run"], PROJECT_ROOT, env, data_dir, network_dir)
