"""Write-audit-publish: the gated marts and reference tables go to a serving file BI tools read.

dbt builds into the build warehouse (warehouse.duckdb). Only when every mart's gate passed does `publish`
copy the marts and the reference tables into a NEW DuckDB file, then atomically rename it over
serving.duckdb, and export each table to parquet/<table>.parquet the same way. BI tools open the serving
file read-only: they never see ungated data, never hold the pipeline's writer lock, and a failed run leaves
the last good file byte for byte.
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.resources import MarketDataResource, SecSourceResource, WarehouseResource

try:
    import fcntl
except ImportError:  # Windows: publishes are not serialized, and files left aside stay
    fcntl = None

# DuckDB 2 writes storage v2 by default, which the DuckDB builds inside BI drivers cannot open.
STORAGE_COMPATIBILITY = "v1.4.0"
SERVED_MARTS = (
    "mart_revenue_mix",
    "mart_ai_capacity_exposure",
    "mart_ai_pivot_scenarios",
    "mart_factor_exposure",
    "mart_event_reactions",
)
# serving name -> build-warehouse relation (the typed staging views of the seeds)
REFERENCE_TABLES = {
    "miners": "staging.stg_reference__miners",
    "ai_hpc_contracts": "staging.stg_reference__ai_hpc_contracts",
    "market_events": "staging.stg_reference__market_events",
    "miner_power_capacity": "staging.stg_reference__miner_power_capacity",
    "revenue_member_map": "staging.stg_reference__revenue_member_map",
}
PUBLISH_LOG_DDL = """
create table publish_log (
    run_id varchar not null,
    published_at timestamp not null,
    source varchar not null,
    sec_source varchar not null,
    is_synthetic boolean not null,
    data_as_of date,
    filings_as_of date,
    table_name varchar not null,
    row_count bigint not null
)
"""


def serving_path(warehouse: WarehouseResource) -> Path:
    return warehouse.root / "serving.duckdb"


def parquet_dir(warehouse: WarehouseResource) -> Path:
    return warehouse.root / "parquet"


@contextmanager
def publish_lock(warehouse: WarehouseResource) -> Iterator[list[Path]]:
    """One publish at a time per warehouse, and the files killed publishes left aside, removed.

    The lock is a `flock` on <warehouse>/.publish.lock: the kernel releases it when its holder exits, even
    on SIGKILL, so a killed run never blocks the next one. While it is held no other publish is writing, so
    every `.serving.<run>.duckdb*` and `parquet/.<table>.<run>.parquet` is a dead run's: they are removed
    (and returned), instead of piling up one serving-file copy per killed run.
    """
    warehouse.root.mkdir(parents=True, exist_ok=True)
    with (warehouse.root / ".publish.lock").open("a") as lock:
        if fcntl is None:
            yield []
            return
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed or the process dies
        stale = [*warehouse.root.glob(".serving.*.duckdb*"), *parquet_dir(warehouse).glob(".*.parquet")]
        for path in stale:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        yield stale


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def ungated_marts(instance: dg.DagsterInstance) -> list[str]:
    """Marts whose latest GE gate did not pass on their latest materialization (with a reason each)."""
    keys = [dg.AssetCheckKey(dg.AssetKey(mart), "ge_gate") for mart in SERVED_MARTS]
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    problems = []
    for key in keys:
        mart = key.asset_key.to_user_string()
        record = records.get(key)
        materialization = instance.get_latest_materialization_event(key.asset_key)
        evaluation = record.event.asset_check_evaluation if record and record.event else None
        if materialization is None:
            problems.append(f"{mart}: never built")
        elif evaluation is None:
            problems.append(f"{mart}: its gate has not run")
        elif record.event.timestamp < materialization.timestamp:
            problems.append(f"{mart}: its gate has not run since the last build")
        elif not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            problems.append(f"{mart}: gate failed ({evaluation.description})")
    return problems


def write_serving_file(
    build_database: Path, target: Path, previous: Path, run_id: str, log_fields: dict
) -> dict[str, int]:
    """Build a complete serving file at `target` from the build warehouse, carrying over the publish log of
    the `previous` serving file when there is one; returns rows per table."""
    with duckdb.connect(str(target), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}) as connection:
        connection.execute(f"attach {_sql_path(build_database)} as build (read_only)")
        connection.execute("create schema marts; create schema reference")
        counts: dict[str, int] = {}
        for mart in SERVED_MARTS:
            connection.execute(f"create table marts.{mart} as select * from build.marts.{mart}")
            counts[f"marts.{mart}"] = connection.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        for name, relation in REFERENCE_TABLES.items():
            connection.execute(f"create table reference.{name} as select * from build.{relation}")
            counts[f"reference.{name}"] = connection.execute(f"select count(*) from reference.{name}").fetchone()[0]
        as_of = connection.execute(
            "select (select max(session_date) from build.intermediate.int_us_sessions),"
            " (select max(filing_date) from build.raw.sec_filings)"
        ).fetchone()
        connection.execute(PUBLISH_LOG_DDL)
        if previous.exists():  # keep the history of earlier publishes
            connection.execute(f"attach {_sql_path(previous)} as previous (read_only)")
            connection.execute("insert into publish_log select * from previous.publish_log")
            connection.execute("detach previous")
        published_at = datetime.now(UTC).replace(tzinfo=None)
        connection.executemany(
            "insert into publish_log values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    run_id,
                    published_at,
                    log_fields["source"],
                    log_fields["sec_source"],
                    log_fields["is_synthetic"],
                    as_of[0],
                    as_of[1],
                    table,
                    rows,
                ]
                for table, rows in counts.items()
            ],
        )
        connection.execute("detach build")
        connection.execute("checkpoint")
    return counts


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def export_parquet(serving: Path, folder: Path, run_id: str) -> list[Path]:
    """Each served table to <folder>/<table>.parquet, each written aside and renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(serving), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()
        staged = []
        for schema, table in tables:
            final = folder / f"{table}.parquet"
            aside = folder / f".{table}.{run_id}.parquet"
            connection.execute(f"copy {schema}.{table} to {_sql_path(aside)} (format parquet)")
            staged.append((aside, final))
    for aside, final in staged:
        os.replace(aside, final)
        written.append(final)
    return written


@dg.asset(
    key="publish",
    deps=list(SERVED_MARTS),
    group_name="serving",
    kinds={"duckdb", "parquet"},
    owners=["team:data-engineering"],
    metadata={"serving_file": "serving.duckdb", "storage_compatibility": STORAGE_COMPATIBILITY},
)
def publish(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    market_data: MarketDataResource,
    sec: SecSourceResource,
) -> dg.MaterializeResult:
    """The BI-facing copy of the gated marts and reference tables: `serving.duckdb` (readable by DuckDB 1.4+,
    with a `publish_log`) and `parquet/<table>.parquet`, replaced atomically, only when every mart's GE gate
    passed on its latest build.
    """
    problems = ungated_marts(context.instance)
    if problems:
        raise dg.Failure(
            description="not publishing: " + "; ".join(problems),
            metadata={"ungated": dg.MetadataValue.json(problems)},
        )
    target = serving_path(warehouse)
    aside = target.with_name(f".serving.{context.run_id}.duckdb")
    log_fields = {
        "source": market_data.source,
        "sec_source": sec.source_name,
        "is_synthetic": "snapshot" in (market_data.source, sec.source_name),
    }
    with publish_lock(warehouse) as stale:
        if stale:
            context.log.warning(f"removed files a killed publish left aside: {', '.join(p.name for p in stale)}")
        aside.unlink(missing_ok=True)
        try:
            counts = write_serving_file(warehouse.database_path, aside, target, context.run_id, log_fields)
            _fsync(aside)
            os.replace(aside, target)  # readers see the old file or the new one, never a partial one
            _fsync(target.parent)
        finally:
            aside.unlink(missing_ok=True)
            aside.with_name(aside.name + ".wal").unlink(missing_ok=True)
        parquet_files = export_parquet(target, parquet_dir(warehouse), context.run_id)
    context.log.info(f"published {len(counts)} tables to {target} and {len(parquet_files)} parquet files")
    return dg.MaterializeResult(
        metadata={
            "serving_file": dg.MetadataValue.path(str(target)),
            "serving_bytes": target.stat().st_size,
            "parquet_dir": dg.MetadataValue.path(str(parquet_dir(warehouse))),
            "parquet_bytes": sum(p.stat().st_size for p in parquet_files),
            "rows_per_table": dg.MetadataValue.json(counts),
            "dagster/row_count": sum(counts.values()),
            **log_fields,
        }
    )
