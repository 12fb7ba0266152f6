"""Every GE suite on the tables the real-data run built: no blocking failure on what real sources hold, and a
planted corruption of the same real rows still blocks."""

import json

import pytest

from orchestration.defs.quality.gates import validate_table
from orchestration.paths import EXPECTATIONS_DIR
from tests.real_data.conftest import RealRun

SUITES = sorted(path.stem for path in EXPECTATIONS_DIR.glob("*.json"))


def table_of(suite: str) -> str:
    """raw_sec_filings -> raw.sec_filings; mart_revenue_mix -> marts.mart_revenue_mix."""
    return f"raw.{suite.removeprefix('raw_')}" if suite.startswith("raw_") else f"marts.{suite}"


def key_column(suite: str) -> str:
    """The first column the suite requires to be non-null on every row."""
    expectations = json.loads((EXPECTATIONS_DIR / f"{suite}.json").read_text())["expectations"]
    return next(
        e["kwargs"]["column"]
        for e in expectations
        if e["type"] == "expect_column_values_to_not_be_null" and "row_condition" not in e["kwargs"]
    )


@pytest.mark.parametrize("suite", SUITES)
def test_suite_passes_on_real_data_and_blocks_a_planted_corruption(real_run: RealRun, suite: str):
    frame = real_run.warehouse(f"select * from {table_of(suite)}")
    if frame.empty:
        pytest.skip(f"{table_of(suite)} is empty in the real-data run (the files source has no companyfacts)")
    result = validate_table(frame, suite)
    assert not result.blocking_failures, result.summary()

    column = key_column(suite)
    corrupted = frame.copy()
    corrupted.loc[corrupted.index[0], column] = None
    blocked = validate_table(corrupted, suite)
    assert any(
        f.expectation == "expect_column_values_to_not_be_null" and f.kwargs.get("column") == column
        for f in blocked.blocking_failures
    ), blocked.summary()
