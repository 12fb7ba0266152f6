"""Every GE suite on the tables the real-data run built: no blocking failure on what real sources hold, and a
planted corruption of the same real rows (a duplicated key) still blocks."""

import pandas as pd
import pytest

from orchestration.defs.dbt.tables import declared
from orchestration.defs.quality.gates import validate_table
from orchestration.paths import EXPECTATIONS_DIR
from tests.real_data.conftest import RealRun

SUITES = sorted(path.stem for path in EXPECTATIONS_DIR.glob("*.json"))


def table_of(suite: str) -> str:
    """raw_sec_filings -> raw.sec_filings; mart_revenue_mix -> marts.mart_revenue_mix."""
    return f"raw.{suite.removeprefix('raw_')}" if suite.startswith("raw_") else f"marts.{suite}"


@pytest.mark.parametrize("suite", SUITES)
def test_suite_passes_on_real_data_and_blocks_a_planted_corruption(real_run: RealRun, suite: str):
    frame = real_run.warehouse(f"select * from {table_of(suite)}")
    if frame.empty:
        pytest.skip(f"{table_of(suite)} is empty in the real-data run (the files source has no companyfacts)")
    result = validate_table(frame, suite)
    assert not result.blocking_failures, result.summary()

    # every gate holds its table's grain: the first row twice blocks, on the real rows as on any
    corrupted = pd.concat([frame, frame.head(1)], ignore_index=True)
    blocked = validate_table(corrupted, suite)
    grain = list(declared(suite).grain)
    assert any(  # a one-column grain is a column's uniqueness
        (f.expectation == "expect_compound_columns_to_be_unique" and f.kwargs.get("column_list") == grain)
        or (f.expectation == "expect_column_values_to_be_unique" and [f.kwargs.get("column")] == grain)
        for f in blocked.blocking_failures
    ), blocked.summary()
