"""A copy of the session's warehouse with its last good publish, fingerprints of what BI tools read, and what
publish served."""

import hashlib
import math
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb


def copy_warehouse(source: Path, target: Path) -> None:
    """The session's warehouse with its last good publish: serving file, Parquet and report."""
    for name in ("warehouse.duckdb", "serving.duckdb", "convergence_report.html"):
        shutil.copy(source / name, target / name)
    shutil.copytree(source / "parquet", target / "parquet")


def served_files(data_dir: Path) -> dict[str, str]:
    files = [data_dir / "serving.duckdb", data_dir / "convergence_report.html", *(data_dir / "parquet").glob("*")]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(files)}


def served_rows(data_dir: Path, tables: list[str]) -> dict[str, list[tuple]]:
    """Each given table of the serving file (schema.table), every row, in a stable order."""
    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as connection:
        return {t: connection.execute(f"select * from {t} order by all").fetchall() for t in tables}


def built_rows(data_dir: Path, tables: list[str]) -> dict[str, list[tuple]]:
    """The same from the build warehouse (marts.<mart>)."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return {t: connection.execute(f"select * from {t} order by all").fetchall() for t in tables}


def publish_status(data_dir: Path) -> dict[str, dict]:
    """The serving file's `publish_status` view: table -> its row."""
    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as connection:
        frame = connection.sql("select * from publish_status").df()
    return {row["table_name"]: row for row in frame.to_dict("records")}


def materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def check_outcomes(result) -> dict[tuple[str, str], bool]:
    """(asset, check) -> passed, for the checks a run evaluated (warnings that block nothing count as passed)."""
    from orchestration.defs.quality.blocking import gate_blocked

    return {
        (c.asset_key.to_user_string(), c.check_name): not gate_blocked(c) for c in result.get_asset_check_evaluations()
    }


def last_snapshot_month() -> str:
    """The partition (a month) holding the snapshot's last day: a run of it reloads that month."""
    from orchestration.defs.ingest.partitions import month_key
    from orchestration.sources.market import snapshot_coverage

    return month_key(snapshot_coverage()[1])


def month_after_snapshot() -> str:
    """The partition after the snapshot's last month: a run of it loads nothing new."""
    from orchestration.defs.ingest.partitions import month_key
    from orchestration.sources.market import snapshot_coverage

    last = snapshot_coverage()[1]
    return month_key(last.replace(day=28) + timedelta(days=4))


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12)
    return left == right


def assert_same_tables(left: dict[str, list[tuple]], right: dict[str, list[tuple]]) -> None:
    """The same tables, row for row equal (both sorted, as served_rows and built_rows give them), doubles to 1e-9
    relative (the precision the project holds its statistics to): DuckDB sums doubles in the order it scans them,
    and an incrementally updated table holds its rows in another order than a cold build writes them, so a sum
    over them differs in its last bits, and a statistic that subtracts such sums (a variance, a correlation)
    carries that difference up to about 1e-12 relative."""
    assert set(left) == set(right)
    for table, rows in left.items():
        assert len(rows) == len(right[table]), f"{table}: {len(rows)} rows against {len(right[table])}"
        for row_left, row_right in zip(rows, right[table], strict=True):
            assert all(_same(a, b) for a, b in zip(row_left, row_right, strict=True)), (table, row_left, row_right)
