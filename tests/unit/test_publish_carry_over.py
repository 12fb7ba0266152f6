"""`write_serving_file` on small DuckDB files: fresh tables from the build, stale ones carried over from the
previous serving file byte for byte, missing ones left out, and the log and `publish_status` say which."""

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.serving.publish import (
    Verdict,
    export_parquet,
    served_tables,
    write_serving_file,
)

FIELDS = {"source": "snapshot", "sec_source": "snapshot", "network_source": "snapshot", "is_synthetic": True}
STALE = "marts.mart_event_reactions"
OLD_LOG_DDL = """
create table publish_log (
    run_id varchar not null, published_at timestamp not null, source varchar not null, sec_source varchar not null,
    is_synthetic boolean not null, data_as_of date, filings_as_of date, table_name varchar not null,
    row_count bigint not null
)
"""


def build_warehouse(path: Path, value: int) -> None:
    """A build warehouse with every served relation (one row holding `value`) and the as-of tables."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts; create schema staging; create schema intermediate; create schema raw")
        for relation, gated in served_tables().values():
            if gated:  # the marts
                connection.execute(f"create table {relation} as select {value} as value, 'x' as label")
            else:  # the reference tables: views on the seeds
                connection.execute(f"create view {relation} as select {value} as value")
        connection.execute("create table intermediate.int_us_sessions as select date '2026-11-20' as session_date")
        connection.execute("create table raw.sec_filings as select date '2026-11-18' as filing_date")


def every_fresh(run: str) -> dict[str, Verdict]:
    return {table: Verdict(True, None, run, datetime(2026, 11, 20)) for table in served_tables()}


def rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A first publish (build run `build-1`, publish run `publish-1`), every table fresh."""
    build_warehouse(tmp_path / "warehouse.duckdb", 1)
    first = tmp_path / "serving-1.duckdb"
    write_serving_file(
        tmp_path / "warehouse.duckdb", first, tmp_path / "none.duckdb", "publish-1", FIELDS, every_fresh("build-1")
    )
    return first


def test_a_stale_table_is_carried_over_and_marked(published: Path, tmp_path: Path):
    (tmp_path / "warehouse.duckdb").unlink()
    build_warehouse(tmp_path / "warehouse.duckdb", 2)  # a new build of everything
    verdicts = every_fresh("build-2") | {STALE: Verdict(False, "gate failed on its build: 1 of 9 failed", "build-2")}
    second = tmp_path / "serving-2.duckdb"
    outcome = write_serving_file(tmp_path / "warehouse.duckdb", second, published, "publish-2", FIELDS, verdicts)

    assert outcome[STALE].status == "stale" and outcome[STALE].built_in_run_id == "build-1"
    assert rows(second, f"select * from {STALE}") == rows(published, f"select * from {STALE}") == [(1, "x")]
    assert rows(second, "select value from marts.mart_factor_exposure") == [(2,)]
    status = {
        row[0]: row[1:]
        for row in rows(second, "select table_name, status, built_in_run_id, stale_reason from publish_status")
    }
    assert set(status) == set(served_tables())
    assert status[STALE] == ("stale", "build-1", "gate failed on its build: 1 of 9 failed")
    assert {s[:2] for t, s in status.items() if t != STALE} == {("fresh", "build-2")}
    assert rows(second, "select distinct run_id from publish_log order by 1") == [("publish-1",), ("publish-2",)]

    # the stale table's Parquet file stays as it was; the others are the new publish's
    folder = tmp_path / "parquet"
    export_parquet(published, folder, "publish-1")
    old = (folder / "mart_event_reactions.parquet").read_bytes()
    written = export_parquet(second, folder, "publish-2", keep=frozenset({STALE}))
    assert (folder / "mart_event_reactions.parquet").read_bytes() == old
    assert folder / "mart_event_reactions.parquet" not in written
    assert {p.name for p in written} >= {
        "mart_factor_exposure.parquet",
        "publish_log.parquet",
        "publish_status.parquet",
    }


def test_without_an_earlier_version_a_table_is_left_out_and_said_so(tmp_path: Path):
    build_warehouse(tmp_path / "warehouse.duckdb", 1)
    verdicts = every_fresh("build-1") | {STALE: Verdict(False, "never built")}
    target = tmp_path / "serving.duckdb"
    outcome = write_serving_file(tmp_path / "warehouse.duckdb", target, tmp_path / "none.duckdb", "p", FIELDS, verdicts)
    assert outcome[STALE].status == "missing"
    assert rows(target, "select count(*) from information_schema.tables where table_name = 'mart_event_reactions'") == [
        (0,)
    ]
    assert rows(target, f"select status, stale_reason from publish_status where table_name = '{STALE}'") == [
        ("missing", "never built; no earlier version to serve")
    ]


def test_an_older_serving_file_keeps_its_history(tmp_path: Path):
    """A serving file from before per-table status: its log rows are carried over as fresh, built by their run."""
    build_warehouse(tmp_path / "warehouse.duckdb", 1)
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as connection:
        connection.execute(OLD_LOG_DDL)
        connection.execute("create schema marts")
        connection.execute(f"create table {STALE} as select 0 as value, 'old' as label")
        connection.execute(
            "insert into publish_log values ('old-run', timestamp '2026-01-01', 'snapshot', 'snapshot', true,"
            f" date '2025-12-31', null, '{STALE}', 1)"
        )
    verdicts = every_fresh("build-1") | {STALE: Verdict(False, "its gate has not run since its build")}
    target = tmp_path / "serving.duckdb"
    write_serving_file(tmp_path / "warehouse.duckdb", target, old, "new-run", FIELDS, verdicts)
    assert rows(target, "select run_id, status, built_in_run_id from publish_log where run_id = 'old-run'") == [
        ("old-run", "fresh", "old-run")
    ]
    assert rows(
        target, f"select status, built_in_run_id, data_as_of::varchar from publish_status where table_name = '{STALE}'"
    ) == [("stale", "old-run", "2025-12-31")]
    assert rows(target, f"select * from {STALE}") == [(0, "old")]
