"""Write-audit-publish: the gated marts and reference tables go to a serving file BI tools read.

dbt builds into the build warehouse (warehouse.duckdb). `publish` (in `publish_job`, which runs after every
pipeline run whatever its outcome) decides table by table: a table whose latest build passed its gate, with
nothing upstream failed or rebuilt since, is copied fresh from the build warehouse; any other is carried over
unchanged from the previous serving file (its last good version) and marked stale, with the reason. It
writes a NEW DuckDB file, then atomically renames it over serving.duckdb, and exports each table to
parquet/<table>.parquet the same way (a carried-over table keeps its Parquet file). BI tools open the serving
file read-only: they never see ungated data, never hold the pipeline's writer lock, and `publish_log` and
the `publish_status` view say per table which run built what they read and whether it is stale.
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import dagster as dg
import duckdb

from orchestration.defs.dbt.tables import served_tables as declared_served_tables
from orchestration.defs.failures import root_cause
from orchestration.defs.quality.blocking import GATE, gate_blocked, latest_evaluation
from orchestration.defs.resources import (
    WAREHOUSE_POOL,
    MarketDataResource,
    NetworkSourceResource,
    SecSourceResource,
    WarehouseResource,
)

try:
    import fcntl
except ImportError:  # Windows: publishes are not serialized, and files left aside stay
    fcntl = None

# DuckDB 2 writes storage v2 by default, which the DuckDB builds inside BI drivers cannot open.
STORAGE_COMPATIBILITY = "v1.4.0"
INGEST = "ingest"  # the raw assets' group: a failed load of one of them leaves what it feeds stale
FRESH, STALE, MISSING = "fresh", "stale", "missing"
# One row per table per publish. `status`: fresh (built by `built_in_run_id` and served from this publish's
# build), stale (the last good version, carried over from the previous publish; `stale_reason` says why)
# or missing (never served and not servable now: the table is absent from the file).
PUBLISH_LOG_DDL = """
create table publish_log (
    run_id varchar not null,
    published_at timestamp not null,
    source varchar not null,
    sec_source varchar not null,
    network_source varchar,
    is_synthetic boolean not null,
    data_as_of date,
    filings_as_of date,
    table_name varchar not null,
    row_count bigint not null,
    status varchar not null default 'fresh',
    built_in_run_id varchar,
    built_at timestamp,
    stale_reason varchar
)
"""
PUBLISH_STATUS_DDL = """
create view publish_status as
select table_name, status, stale_reason, built_in_run_id, built_at, row_count, data_as_of, filings_as_of,
    source, sec_source, network_source, is_synthetic, run_id as published_in_run_id, published_at
from publish_log
where published_at = (select max(published_at) from publish_log)
"""
LOG_COLUMNS = (
    "run_id, published_at, source, sec_source, network_source, is_synthetic, data_as_of, filings_as_of, table_name,"
    " row_count,"
    " status, built_in_run_id, built_at, stale_reason"
)
LOG_PLACEHOLDERS = ", ".join("?" for _ in LOG_COLUMNS.split(","))


def served_tables() -> dict[str, tuple[str, bool]]:
    """serving table -> (build-warehouse relation, gated): the marts, then the reference tables, as the dbt
    YAML declares them (defs/dbt/tables.py)."""
    return {table.served_as: (table.relation, table.gated) for table in declared_served_tables()}


def served_marts() -> list[str]:
    """The gated tables publish serves: the assets it waits for."""
    return [table.asset_key for table in declared_served_tables() if table.gated]


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
        stale = [*warehouse.root.glob(".serving.*.duckdb*"), *warehouse.parquet_dir.glob(".*.parquet")]
        for path in stale:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        yield stale


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass(frozen=True)
class Verdict:
    """Whether a table's build in the build warehouse may be served, and which build that is."""

    fresh: bool
    reason: str | None = None  # why not, when not
    built_in_run_id: str | None = None
    built_at: datetime | None = None


class _History:
    """The instance's latest materializations and completed check evaluations, each looked up once."""

    def __init__(self, instance: dg.DagsterInstance) -> None:
        self.instance = instance
        self._materializations: dict[dg.AssetKey, dg.EventLogEntry | None] = {}
        self._evaluations: dict[dg.AssetCheckKey, dg.EventLogEntry | None] = {}
        self._failed_loads: dict[dg.AssetKey, str | None] = {}

    def materialization(self, key: dg.AssetKey) -> dg.EventLogEntry | None:
        if key not in self._materializations:
            self._materializations[key] = self.instance.get_latest_materialization_event(key)
        return self._materializations[key]

    def evaluation(self, key: dg.AssetCheckKey) -> dg.EventLogEntry | None:
        """The latest evaluation that completed (a check planned in a run that was abandoned did not)."""
        if key not in self._evaluations:
            self._evaluations[key] = latest_evaluation(self.instance, key)
        return self._evaluations[key]

    def failed_load(self, key: dg.AssetKey, step: str) -> str | None:
        """Why the latest attempt to load `key` failed: the root cause of its step's failure in the latest run
        that planned it, when that run ended without materializing it. None when it loaded, is still loading,
        or its run never got to its step (refused before any step, killed: the warehouse kept what it had)."""
        if key not in self._failed_loads:
            self._failed_loads[key] = self._find_failed_load(key, step)
        return self._failed_loads[key]

    def _find_failed_load(self, key: dg.AssetKey, step: str) -> str | None:
        planned = self.instance.get_latest_planned_materialization_info(key)
        built = self.materialization(key)
        if planned is None or (built is not None and built.run_id == planned.run_id):
            return None
        failures = self.instance.get_records_for_run(planned.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
        for record in failures.records:
            event = record.event_log_entry.dagster_event
            if event is not None and event.step_key == step:
                return f"{key.to_user_string()} failed to load in run {planned.run_id}: " + root_cause(
                    event.step_failure_data.error
                )
        return None


def _blocks(event: dg.EventLogEntry) -> bool:
    return gate_blocked(event.asset_check_evaluation)


def _names(keys: list[dg.AssetKey], limit: int = 3) -> str:
    names = sorted(k.to_user_string() for k in keys)
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _failed_upstream(ancestors: list[dg.AssetKey], history: _History, asset_graph: Any) -> str | None:
    """Why the assets upstream taint this one: the gates among them whose latest evaluation blocked."""
    failed = []
    for ancestor in ancestors:
        if dg.AssetCheckKey(ancestor, GATE) in asset_graph.asset_check_keys:
            event = history.evaluation(dg.AssetCheckKey(ancestor, GATE))
            if event is not None and _blocks(event):
                failed.append((ancestor, event))
    if not failed:
        return None
    ancestor, event = failed[0]
    more = f" (and the gates of {_names([a for a, _ in failed[1:]])})" if failed[1:] else ""
    description = event.asset_check_evaluation.description or ""
    return f"upstream gate failed: {ancestor.to_user_string()} in run {event.run_id}: {description}{more}".strip()


def _failed_load(keys: list[dg.AssetKey], history: _History, asset_graph: Any) -> str | None:
    """Why the data behind these assets is not the latest asked for: the first raw asset among them whose
    latest load failed (an unreachable source, a missing setting), with its root cause."""
    for key in keys:
        node = asset_graph.get(key)
        if node.group_name == INGEST and (why := history.failed_load(key, node.assets_def.op.name)):
            return why
    return None


def verdict(asset_key: dg.AssetKey, gated: bool, history: _History, asset_graph: Any = None) -> Verdict:
    """Fresh when the asset was built, its gate (if `gated`) passed on that build, no check on it failed
    since, no raw asset upstream failed its latest load, no gate upstream of it has failed, and nothing
    upstream was rebuilt after it (so it reflects the latest loaded data). Otherwise stale, with the first
    of those reasons that holds."""
    known = asset_graph is not None and asset_graph.has(asset_key)
    ancestors = sorted(asset_graph.get_ancestor_asset_keys(asset_key), key=str) if known else []
    built = history.materialization(asset_key)
    if built is None:
        return Verdict(False, _failed_upstream(ancestors, history, asset_graph) or "never built")
    run, at = built.run_id, datetime.fromtimestamp(built.timestamp, UTC).replace(tzinfo=None)

    def stale(reason: str) -> Verdict:
        return Verdict(False, reason, run, at)

    own_checks = {
        *(asset_graph.get(asset_key).check_keys if known else ()),
        *([dg.AssetCheckKey(asset_key, GATE)] if gated else []),
    }
    for check in sorted(own_checks, key=lambda key: (key.name != GATE, key.name)):  # the gate first
        event = history.evaluation(check)
        if event is not None and event.timestamp >= built.timestamp and _blocks(event):
            what = "gate" if check.name == GATE else f"check {check.name}"
            return stale(
                f"{what} failed on its build in run {run}: {event.asset_check_evaluation.description or ''}".strip()
            )
    if gated:
        gate = history.evaluation(dg.AssetCheckKey(asset_key, GATE))
        if gate is None:
            return stale("its gate has never run")
        if gate.timestamp < built.timestamp:
            return stale(f"its gate has not run since its build in run {run}")
    if upstream := _failed_load(ancestors, history, asset_graph) or _failed_upstream(ancestors, history, asset_graph):
        return stale(upstream)
    newer = [a for a in ancestors if (m := history.materialization(a)) is not None and m.timestamp > built.timestamp]
    if newer:
        return stale(f"not rebuilt since {_names(newer)} changed")
    return Verdict(True, None, run, at)


def table_verdicts(instance: dg.DagsterInstance, asset_graph: Any = None) -> dict[str, Verdict]:
    """Per serving table, whether this publish may take it from the build warehouse."""
    history = _History(instance)
    return {
        table: verdict(dg.AssetKey(relation.split(".")[-1]), gated, history, asset_graph)
        for table, (relation, gated) in served_tables().items()
    }


class AssetLineage(Protocol):
    """The code location's asset graph, checks included, handed to publish as a resource by definitions.py
    (serving never imports the definitions, which import it). A run's own graph (publish_job's) holds only
    what it selects and the assets it reads directly, not the lineage behind them."""

    def asset_graph(self) -> Any: ...


@dataclass(frozen=True)
class Served:
    """What one publish did with one table."""

    status: str
    rows: int
    built_in_run_id: str | None
    reason: str | None


def _relations(connection: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in connection.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = ?", [catalog]
        ).fetchall()
    }


def write_serving_file(
    build_database: Path,
    target: Path,
    previous: Path,
    run_id: str,
    log_fields: dict,
    verdicts: dict[str, Verdict] | None = None,
) -> dict[str, Served]:
    """Build a complete serving file at `target`: fresh tables from the build warehouse, stale ones carried
    over from the `previous` serving file, with its publish log carried over too; returns what was done with
    each table. `verdicts` defaults to every table fresh."""
    verdicts = verdicts or {table: Verdict(True) for table in served_tables()}
    with duckdb.connect(str(target), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}) as connection:
        connection.execute(f"attach {_sql_path(build_database)} as build (read_only)")  # noqa: S608 - quoted path
        has_previous = previous.exists()
        if has_previous:
            connection.execute(f"attach {_sql_path(previous)} as previous (read_only)")  # noqa: S608 - quoted path
        in_build = _relations(connection, "build")
        in_previous = _relations(connection, "previous") if has_previous else set()
        connection.execute("create schema marts; create schema reference")
        connection.execute(PUBLISH_LOG_DDL)
        if "main.publish_log" in in_previous:  # keep the history of earlier publishes
            old_columns = {
                row[0]
                for row in connection.execute(
                    "select column_name from information_schema.columns"
                    " where table_catalog = 'previous' and table_name = 'publish_log'"
                ).fetchall()
            }
            connection.execute("insert into publish_log by name select * from previous.publish_log")
            if "built_in_run_id" not in old_columns:  # written before per-table status: each publish built
                connection.execute("update publish_log set built_in_run_id = run_id")
        as_of = connection.execute(
            "select "  # noqa: S608 - constant relations and columns
            + ", ".join(
                f"(select max({column}) from build.{relation})" if relation in in_build else "null"  # noqa: S608 - constants
                for relation, column in (
                    ("intermediate.int_us_sessions", "session_date"),
                    ("raw.sec_filings", "filing_date"),
                )
            )
        ).fetchone()
        published_at = datetime.now(UTC).replace(tzinfo=None)
        current = [log_fields[field] for field in ("source", "sec_source", "network_source", "is_synthetic")]
        current += [as_of[0], as_of[1]]
        outcome: dict[str, Served] = {}
        rows_to_log = []
        for table, (relation, _) in served_tables().items():
            decided = verdicts[table]
            reason = decided.reason
            if decided.fresh and relation not in in_build:
                decided, reason = Verdict(False), f"{relation} is not in the build warehouse"
            if decided.fresh:
                connection.execute(f"create table {table} as select * from build.{relation}")  # noqa: S608 - served_tables()
                rows = connection.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 - served_tables()
                fields = current
                served = Served(FRESH, rows, decided.built_in_run_id, None)
                built_at = decided.built_at
            elif table in in_previous:
                connection.execute(f"create table {table} as select * from previous.{table}")  # noqa: S608 - last good version
                rows = connection.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 - served_tables()
                last = connection.execute(
                    "select source, sec_source, network_source, is_synthetic, data_as_of, filings_as_of,"
                    " built_in_run_id, built_at"
                    " from publish_log where table_name = ? and status <> 'missing'"
                    " order by published_at desc limit 1",
                    [table],
                ).fetchone()
                fields = list(last[:6]) if last else current
                served = Served(STALE, rows, last[6] if last else None, reason)
                built_at = last[7] if last else None
            else:
                fields, built_at = current, None
                served = Served(MISSING, 0, None, f"{reason}; no earlier version to serve")
            outcome[table] = served
            rows_to_log.append(
                [
                    run_id,
                    published_at,
                    *fields,
                    table,
                    served.rows,
                    served.status,
                    served.built_in_run_id,
                    built_at,
                    served.reason,
                ]
            )
        connection.executemany(
            f"insert into publish_log ({LOG_COLUMNS}) values ({LOG_PLACEHOLDERS})",  # noqa: S608 - constant
            rows_to_log,
        )
        connection.execute(PUBLISH_STATUS_DDL)
        if has_previous:
            connection.execute("detach previous")
        connection.execute("detach build")
        connection.execute("checkpoint")
    return outcome


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def export_parquet(serving: Path, folder: Path, run_id: str, keep: frozenset[str] = frozenset()) -> list[Path]:
    """Each table and view of the serving file to <folder>/<table>.parquet, each written aside and renamed
    into place; the tables in `keep` (schema.table) keep the Parquet file they have, if any."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(serving), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()
        staged = []
        for schema, table in tables:
            final = folder / f"{table}.parquet"
            if f"{schema}.{table}" in keep and final.is_file():
                continue
            aside = folder / f".{table}.{run_id}.parquet"
            connection.execute(f"copy {schema}.{table} to {_sql_path(aside)} (format parquet)")  # noqa: S608 - catalog names
            staged.append((aside, final))
    for aside, final in staged:
        os.replace(aside, final)
        written.append(final)
    return written


@dg.asset(
    key="publish",
    deps=served_marts(),
    group_name="serving",
    kinds={"duckdb", "parquet"},
    owners=["team:data-engineering"],
    metadata={"serving_file": "serving.duckdb", "storage_compatibility": STORAGE_COMPATIBILITY},
    pool=WAREHOUSE_POOL,
)
def publish(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    market_data: MarketDataResource,
    sec: SecSourceResource,
    network: NetworkSourceResource,
    lineage: dg.ResourceParam[AssetLineage],
) -> dg.MaterializeResult:
    """The BI-facing copy of the gated marts and reference tables: `serving.duckdb` (readable by DuckDB 1.4+,
    with `publish_log` and the `publish_status` view) and `parquet/<table>.parquet`, replaced atomically.

    Each table is its latest build when that build passed its gate and nothing upstream failed or changed
    since; otherwise its last good version from the previous publish, marked stale with the reason. Refuses
    only when no table at all can be served.
    """
    verdicts = table_verdicts(context.instance, lineage.asset_graph())
    target = warehouse.serving_path
    aside = target.with_name(f".serving.{context.run_id}.duckdb")
    log_fields = {
        "source": market_data.source,
        "sec_source": sec.source_name,
        "network_source": network.source_name,
        "is_synthetic": "snapshot" in (market_data.source, sec.source_name, network.source_name),
    }
    with publish_lock(warehouse) as left_aside:
        if left_aside:
            context.log.warning(f"removed files a killed publish left aside: {', '.join(p.name for p in left_aside)}")
        aside.unlink(missing_ok=True)
        try:
            outcome = write_serving_file(warehouse.database_path, aside, target, context.run_id, log_fields, verdicts)
            if all(served.status == MISSING for served in outcome.values()):
                raise dg.Failure(
                    description="not publishing: no table can be served: "
                    + "; ".join(f"{t}: {s.reason}" for t, s in outcome.items())
                )
            _fsync(aside)
            os.replace(aside, target)  # readers see the old file or the new one, never a partial one
            _fsync(target.parent)
        finally:
            aside.unlink(missing_ok=True)
            aside.with_name(aside.name + ".wal").unlink(missing_ok=True)
        carried = frozenset(t for t, s in outcome.items() if s.status == STALE)
        parquet_files = export_parquet(target, warehouse.parquet_dir, context.run_id, keep=carried)
    not_fresh = {t: f"{s.status}: {s.reason}" for t, s in outcome.items() if s.status != FRESH}
    for table, why in not_fresh.items():
        context.log.warning(f"{table} {why}")
    counts = {t: s.rows for t, s in outcome.items() if s.status != MISSING}
    context.log.info(
        f"published {len(counts)} tables to {target} ({len(counts) - len(carried)} fresh, {len(carried)} stale"
        f"{f', {len(outcome) - len(counts)} missing' if len(outcome) > len(counts) else ''})"
        f" and {len(parquet_files)} parquet files"
    )
    parquet = [warehouse.parquet_dir / f"{t.split('.')[-1]}.parquet" for t in (*counts, "main.publish_log")]
    return dg.MaterializeResult(
        metadata={
            "serving_file": dg.MetadataValue.path(str(target)),
            "serving_bytes": target.stat().st_size,
            "parquet_dir": dg.MetadataValue.path(str(warehouse.parquet_dir)),
            "parquet_bytes": sum(p.stat().st_size for p in parquet if p.is_file()),
            "rows_per_table": dg.MetadataValue.json(counts),
            "dagster/row_count": sum(counts.values()),
            "fresh_tables": len(counts) - len(carried),
            "stale_tables": dg.MetadataValue.json(not_fresh),
            "built_in_runs": dg.MetadataValue.json({t: s.built_in_run_id for t, s in outcome.items()}),
            **log_fields,
        }
    )
