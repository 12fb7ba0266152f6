"""A bad batch that reaches the raw table fails its gate, and nothing downstream is built."""

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.pipeline.conftest import PipelineRun

BAD_ROWS = {
    "null close": "insert into raw.market_prices select * replace (null as close, date '2026-11-21' as date) "
    "from raw.market_prices where ticker = 'MARA' and date = date '2026-11-20'",
    "negative price": "update raw.market_prices set close = -3.5 where ticker = 'RIOT' and date = date '2026-11-20'",
    "duplicate bar": "insert into raw.market_prices select * from raw.market_prices "
    "where ticker = 'CLSK' and date = date '2026-11-20'",
}


def mart_digest(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = [
            connection.execute(f"select * from marts.{t} order by all").fetchall()
            for t in ("mart_factor_exposure", "mart_event_reactions")
        ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.parametrize("problem", sorted(BAD_ROWS))
def test_bad_batch_fails_gate_and_blocks_downstream(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str
):
    from orchestration.definitions import defs

    shutil.copy(pipeline.data_dir / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute(BAD_ROWS[problem])
    before = mart_digest(tmp_path / "warehouse.duckdb")

    # The market job for a day past the snapshot: the raw step loads nothing new, its gate sees the table.
    result = defs.resolve_job_def("market_data_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, partition_key="2026-11-21"
    )
    gate = next(
        c
        for c in result.get_asset_check_evaluations()
        if c.asset_key.to_user_string() == "raw_market_prices" and c.check_name == "ge_gate"
    )
    assert not gate.passed
    assert gate.metadata["expectations_failed"].value >= 1
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert built == {"raw_market_prices"}  # no dbt model was built
    assert mart_digest(tmp_path / "warehouse.duckdb") == before
