"""raw_network_daily on its own, against a temporary DuckDB: idempotent reruns, a switched source, its gate."""

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.network.assets import raw_network_daily
from orchestration.defs.quality.gates import gates_on
from orchestration.defs.resources import NetworkSourceResource, WarehouseResource
from tests.conftest import REAL_DATA

DATA_COLUMNS = "date, hashrate_ths, difficulty, blocks, block_subsidy_btc, fees_btc, price_usd, source, is_synthetic"


def materialize(data_dir: Path, **source: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_network_daily, *gates_on("raw_network_daily")],
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir)), "network": NetworkSourceResource(**source)},
        raise_on_error=False,
    )


def table(data_dir: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def digest(data_dir: Path) -> str:
    rows = table(data_dir, f"select {DATA_COLUMNS} from raw.network_daily order by date")
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def gate_passed(result: dg.ExecuteInProcessResult) -> bool:
    evaluations = [
        e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return len(evaluations) == 1 and evaluations[0].passed


def test_snapshot_reruns_leave_identical_rows_and_pass_the_gate(tmp_path: Path):
    first = materialize(tmp_path, source="snapshot")
    assert first.success and gate_passed(first)
    before = digest(tmp_path)
    assert materialize(tmp_path, source="snapshot").success
    assert digest(tmp_path) == before
    assert table(tmp_path, "select count(distinct run_id), bool_and(is_synthetic) from raw.network_daily") == [
        (1, True)
    ]
    kept = table(tmp_path, "select distinct payload_path from raw.network_daily")
    assert len(kept) == 1 and Path(kept[0][0]).is_file() and "/raw/network/snapshot/" in kept[0][0]


@pytest.mark.skipif(not (REAL_DATA / "network").is_dir(), reason="shared real network files are not available here")
def test_switching_to_the_files_source_replaces_the_snapshot(tmp_path: Path):
    assert materialize(tmp_path, source="snapshot").success
    result = materialize(tmp_path, source="files", files_dir=str(REAL_DATA / "network"))
    assert result.success and gate_passed(result)
    assert table(tmp_path, "select distinct source, is_synthetic from raw.network_daily") == [("files", False)]
    errors = result.get_asset_materialization_events()[0].materialization.metadata["load_errors"].value
    assert len(errors) == 2  # the shared folder's 7-day-average and per-transaction-fee exports, named


def test_a_source_that_gives_nothing_fails_naming_it(tmp_path: Path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "notes.json").write_text("[]")
    result = materialize(tmp_path / "wh", source="files", files_dir=str(tmp_path / "files"))
    assert not result.success
    assert "files gave no day" in result.get_step_failure_events()[0].step_failure_data.error.to_string()
