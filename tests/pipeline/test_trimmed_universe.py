"""A user who follows three companies trims the miners seed to them and runs `miners run`: a full publish.

The project has no setting for another miners seed: the user edits `dbt_project/seeds/miners.csv`. The test
does so in a copy of the project (its `orchestration/`, `dbt_project/` and `expectations/`, as the P4
benchmark copies them), so the repository's seed is never touched, whatever happens to the run. The other
seeds stay as shipped: contracts, power, hashrate and listings of companies outside the trimmed universe are
left out, and the run's output names them. The run covers the suite's short window (tests/pipeline_run.py): the
universe is what this tests, not the history.
"""

import os
import sys

import pytest

from orchestration.defs.dbt.tables import served_tables, universe_filters
from orchestration.paths import SEEDS_DIR
from orchestration.universe import load_seed, load_universe
from tests.pipeline_run import SHORT_WINDOW_END, SHORT_WINDOW_START, SMALL_UNIVERSE, small_universe_project
from tests.real_data.conftest import RealRun  # a `miners run` in a subprocess: its warehouse and output

# cleared from the inherited environment (the session's own warehouse, a developer's settings), then set
CONTROLLED_PREFIXES = ("MINERS_", "DAGSTER_", "SEC_", "DBT_")
CONTROLLED_NAMES = ("PYTHONPATH", "VIRTUAL_ENV")
# marts that hold every company of the universe
COMPANY_MARTS = ("marts.mart_factor_exposure", "marts.mart_revenue_mix", "marts.mart_ai_capacity_exposure")


@pytest.fixture(scope="module")
def trimmed_run(tmp_path_factory: pytest.TempPathFactory) -> RealRun:
    root = tmp_path_factory.mktemp("trimmed_universe")
    project, data_dir = root / "project", root / "warehouse"
    small_universe_project(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(CONTROLLED_PREFIXES) and k not in CONTROLLED_NAMES}
    env.update(PYTHONPATH=str(project), MINERS_DATA_DIR=str(data_dir), PYTHONWARNINGS="ignore")
    command = ["run", "--start", SHORT_WINDOW_START, "--end", SHORT_WINDOW_END]  # a full history adds nothing here
    return RealRun.of([sys.executable, "-m", "orchestration.cli", *command], project, env, data_dir)


def test_every_blocking_gate_passes_and_every_table_is_published_fresh(trimmed_run: RealRun):
    assert trimmed_run.returncode == 0, trimmed_run.output[-6000:]
    assert "GATE FAILED" not in trimmed_run.output
    status = trimmed_run.serving("select table_name, status from publish_status")
    assert set(status.table_name) == {table.served_as for table in served_tables()}
    assert (status.status == "fresh").all(), status


def test_the_served_tables_hold_only_the_kept_companies_and_the_factors(trimmed_run: RealRun):
    factors = set(load_universe(SEEDS_DIR).factors.values())
    tables = trimmed_run.serving(
        "select table_schema || '.' || table_name as relation from information_schema.columns"
        " where column_name = 'ticker'"
    ).relation
    for relation in tables:
        tickers = set(trimmed_run.serving(f"select distinct ticker from {relation}").ticker.dropna())  # noqa: S608 - names from the serving file's catalog
        # the sector ETF has betas too
        allowed = set(SMALL_UNIVERSE) | (factors if relation.startswith("marts.") else set())
        assert tickers <= allowed, (relation, tickers - allowed)
        if relation in COMPANY_MARTS:
            assert set(SMALL_UNIVERSE) <= tickers, (relation, tickers)
    assert set(trimmed_run.serving("select ticker from reference.miners").ticker) == set(SMALL_UNIVERSE)


def test_the_output_names_the_seed_rows_left_out(trimmed_run: RealRun):
    lines = trimmed_run.output.splitlines()
    for table in universe_filters():
        left_out = sorted({row[table.column] for row in load_seed(table.seed, SEEDS_DIR)} - set(SMALL_UNIVERSE))
        assert left_out, f"seed {table.seed} names only kept companies: nothing to leave out"
        prefix = f"CHECK WARNING: {table.asset_key} outside_universe: seed {table.seed}: "
        line = next((line for line in lines if line.startswith(prefix)), None)
        assert line is not None, (prefix, trimmed_run.output[-6000:])
        assert all(f" {ticker} (" in line for ticker in left_out), (line, left_out)
        assert not any(f" {ticker} (" in line for ticker in SMALL_UNIVERSE), line
