"""`miners`: the command-line entry points (run the pipeline, the Dagster UI, settings, one filing's facts)."""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

from orchestration.defs.run_tags import AFTER_RUN_TAG, CLI_RUN_TAGS, DBT_FULL_REFRESH_TAG, PROCESS_LOCK_TAG
from orchestration.paths import PROJECT_ROOT, resolve_data_dir
from orchestration.settings import apply_settings, prepare_dagster_home

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

if TYPE_CHECKING:
    from dagster import DagsterInstance


def _today() -> date:
    return datetime.now(ZoneInfo("America/New_York")).date()


def source_range(source_name: str, csv_dir: str | None, data_dir: str) -> tuple[date, date]:
    """The partition range `run` materializes: everything the chosen source covers since HISTORY_START."""
    from orchestration.defs.ingest.partitions import HISTORY_START
    from orchestration.sources.market import build_source

    history_start = date.fromisoformat(HISTORY_START)
    source = build_source(source_name, csv_dir, cache_dir=resolve_data_dir(data_dir) / "cache" / "yfinance")
    coverage = source.coverage() or (history_start, _today())
    return max(coverage[0], history_start), min(coverage[1], _today())


# The heavy imports of the definitions that do not read dbt's manifest (great_expectations alone takes ~5 s).
MANIFEST_FREE_MODULES = (
    "great_expectations",
    "orchestration.defs.ingest.assets",
    "orchestration.defs.sec.assets",
    "orchestration.defs.network.assets",
    "orchestration.defs.serving.report",
    "orchestration.defs.dbt.project",
)


# The lock files `miners run` processes hold while they live (see `hold_process_lock`), in this folder of the
# Dagster home; PROCESS_LOCK_TAG names the one on each run.
PROCESS_LOCK_DIR = "miners_runs"


def hold_process_lock(dagster_home: Path) -> tuple[str, IO[str]]:
    """A lock file of this process's own under DAGSTER_HOME, held (`flock`) until the process ends.

    Its name tags the runs this process starts: the kernel drops the lock when the holder dies, even on
    SIGKILL, so another process that can take it knows those runs have no process left, even while other
    `miners run` live (on other warehouses sharing this Dagster home, or waiting for this one).
    """
    name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}.lock"
    folder = dagster_home / PROCESS_LOCK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    lock = (folder / name).open("a")
    if fcntl is not None:  # Windows: no lock, and no abandoned-run bookkeeping
        fcntl.flock(lock, fcntl.LOCK_EX)
    return name, lock


def release_process_lock(dagster_home: Path, name: str, lock: IO[str]) -> None:
    """Remove the lock file, then release it (the runs it tagged have ended by now)."""
    (dagster_home / PROCESS_LOCK_DIR / name).unlink(missing_ok=True)
    lock.close()


@contextmanager
def _if_holder_gone(dagster_home: Path, name: str | None) -> Iterator[bool]:
    """True, while it is held, when the lock file `name` can be taken (its process has ended) or is gone;
    False while its process lives. A run without the tag (started by an earlier version) counts as gone."""
    path = dagster_home / PROCESS_LOCK_DIR / name if name and "/" not in name else None
    try:
        lock = path.open("r") if path else None
    except FileNotFoundError:  # removed by its holder at its end, or by an earlier `fail_abandoned_runs`
        lock = None
    if lock is None:
        yield True
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False  # its process is alive (or another `miners run` is checking it right now)
            return
        yield True
        path.unlink(missing_ok=True)


def fail_abandoned_runs(instance: DagsterInstance, dagster_home: Path) -> list[str]:
    """Mark failed the CLI runs still STARTING or STARTED whose `miners run` process has ended (killed,
    crashed), and free the warehouse pool slots they held, which would otherwise block every later run.

    A run counts as abandoned only while its process's lock file is held here (or is gone) and the run is
    still unfinished when read again then: a run whose process lives, or ended it meanwhile, is left alone.
    """
    from dagster import DagsterRunStatus, RunsFilter

    if fcntl is None:
        return []
    unfinished = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]
    abandoned = []
    for candidate in instance.get_runs(filters=RunsFilter(statuses=unfinished, tags=CLI_RUN_TAGS)):
        with _if_holder_gone(dagster_home, candidate.tags.get(PROCESS_LOCK_TAG)) as gone:
            run = instance.get_run_by_id(candidate.run_id) if gone else None
            if run is None or run.status not in unfinished:
                continue
            instance.report_run_failed(run, "its `miners run` process ended before the run did (killed?)")
            # the slots a killed step held stay claimed until freed (Dagster's daemon does it only for the
            # runs it watches, under `dagster dev`)
            if instance.event_log_storage.supports_global_concurrency_limits:
                instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            abandoned.append(run.run_id)
    return abandoned


@contextmanager
def wait_for_warehouse(data_dir: Path) -> Iterator[None]:
    """One `miners run` at a time per warehouse, whole (pipeline, then publish): a second one waits here.

    The `warehouse` pool alone would let two runs' steps interleave, and a publish between another run's
    build and its gate withholds that table (a first publish then has nothing to serve).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".miners_run.lock").open("a") as lock:
        if fcntl is not None:  # Windows: unguarded
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print("miners run: waiting for the other `miners run` on this warehouse to end ...", flush=True)
                fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def run(
    start: date | None,
    end: date | None,
    job_name: str = "all_assets_job",
    verbose: bool = False,
    full_refresh: bool = False,
) -> int:
    """Parse dbt, materialize the job's assets and checks over the partition range, then run `publish_job`
    whatever the outcome (it serves what passed and carries the rest over, marked stale), in this process.

    Quiet unless `verbose`: a line per step, the assets built, warnings and failed checks, dbt's log path.
    `full_refresh` rebuilds dbt's incremental models from scratch instead of updating them."""
    from orchestration.sources.errors import SecDataError

    source_name, data_dir = os.environ["MINERS_SOURCE"], os.environ["MINERS_DATA_DIR"]
    try:
        sec_name = sec_source_name(dict(os.environ))
    except SecDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"miners run: {job_name}, market source {source_name}, SEC source {sec_name}, "
        f"network source {os.environ['MINERS_NETWORK_SOURCE']}, "
        f"warehouse {resolve_data_dir(data_dir)}",
        flush=True,
    )
    dagster_home = prepare_dagster_home()
    with wait_for_warehouse(resolve_data_dir(data_dir)):
        lock_name, lock = hold_process_lock(dagster_home)  # before any run of ours exists
        try:
            return _run(start, end, job_name, sec_name, dagster_home, lock_name, verbose, full_refresh)
        finally:
            release_process_lock(dagster_home, lock_name, lock)


def _run(
    start: date | None,
    end: date | None,
    job_name: str,
    sec_name: str,
    dagster_home: Path,
    lock_name: str,
    verbose: bool,
    full_refresh: bool = False,
) -> int:
    from orchestration.defs.dbt.command import DBT_CONSOLE_TAG, parse_lock, start_parse, wait_for_parse
    from orchestration.defs.quality.blocking import gate_blocked

    source_name, data_dir = os.environ["MINERS_SOURCE"], os.environ["MINERS_DATA_DIR"]
    # The cyclic collector is off while the ~3,000 modules load: they allocate millions of objects and would
    # trigger hundreds of collections that find nothing to free (a third of the import time, measured).
    gc.disable()
    with parse_lock():  # one `dbt parse` at a time writes the manifest, read when the definitions load
        parsing = start_parse()  # the manifest is needed only once the definitions load: overlap the imports
        print("miners run: parsing the dbt project ...", flush=True)
        from dagster import DagsterInstance

        from orchestration.defs.ingest.partitions import partition_range_tags

        covered = source_range(source_name, os.environ["MINERS_CSV_DIR"] or None, data_dir)
        start, end = start or covered[0], end or covered[1]
        print(f"miners run: partitions {start}..{end}", flush=True)  # the sources and warehouse are in the header

        for module in MANIFEST_FREE_MODULES:  # while dbt parses
            importlib.import_module(module)
        wait_for_parse(parsing)
        from orchestration.definitions import defs
        from orchestration.defs.dbt.assets import DBT_BUILD
    gc.enable()

    job = defs.resolve_job_def(job_name)
    instance = DagsterInstance.get()
    for run_id in fail_abandoned_runs(instance, dagster_home):
        print(f"miners run: marked run {run_id} failed: its process ended before the run did")
    # one line per step instead of every DEBUG event; dbt's line per node only in its dbt.log
    run_config = {"loggers": {"progress": {"config": {"verbose": verbose}}}}
    tags = {**CLI_RUN_TAGS, PROCESS_LOCK_TAG: lock_name, **({} if verbose else {DBT_CONSOLE_TAG: "quiet"})}
    if full_refresh:
        tags[DBT_FULL_REFRESH_TAG] = "true"
    # A step that opens the warehouse waits here for the `warehouse` pool's slot while another run holds it.
    result = job.execute_in_process(
        instance=instance,
        tags={**partition_range_tags(start, end), **tags},
        run_config=run_config,
        raise_on_error=False,
    )
    evaluations = [
        e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed_checks = [c for c in evaluations if gate_blocked(c)]
    for check in evaluations:
        if not check.passed:
            label = "GATE FAILED" if gate_blocked(check) else "CHECK WARNING"
            print(f"{label}: {check.asset_key.to_user_string()} {check.check_name}: {check.description or ''}")
    materialized = sorted({e.asset_key.to_user_string() for e in result.get_asset_materialization_events()})
    # the dbt build goes on past a node that errors (dbt skips only its descendants) and logs the error
    dbt_errors = [
        e
        for e in instance.all_logs(result.run_id)
        if e.step_key == DBT_BUILD and e.level >= logging.ERROR and not e.is_dagster_event
    ]
    built = result.success and not failed_checks and not dbt_errors
    print(
        f"miners run: {job_name} {'succeeded' if built else 'FAILED'}; {len(materialized)} assets materialized;"
        f" run id {result.run_id}",
        flush=True,
    )
    # Whatever the outcome: publish serves each table's last good version (a failure withholds only what
    # it taints), as publish_after_*_sensor does for the runs Dagster starts.
    published = defs.resolve_job_def("publish_job").execute_in_process(
        instance=instance,
        tags={**tags, AFTER_RUN_TAG: result.run_id},
        run_config=run_config,
        raise_on_error=False,
    )
    instance.dispose()
    stale: dict = {}
    for event in published.get_asset_materialization_events():
        if event.asset_key.to_user_string() == "publish":
            entry = event.materialization.metadata.get("stale_tables")
            stale = entry.value if entry is not None else {}
    for table, why in stale.items():
        print(f"NOT FRESH: {table} {why}")
    print(
        f"miners run: publish_job {'succeeded' if published.success else 'FAILED'}; "
        f"{len(stale)} tables not fresh; run id {published.run_id}",
        flush=True,
    )
    succeeded = built and published.success
    print(
        f"miners run: {'succeeded' if succeeded else 'FAILED'}; {len(materialized)} assets materialized; "
        f"run id {result.run_id}; publish run id {published.run_id}"
    )
    return 0 if succeeded else 1


def revenue_facts(path: str) -> int:
    """Print one filing's revenue facts as CSV (values in dollars), classified as dbt classifies them, for an
    analyst to eyeball."""
    import csv

    from orchestration.sources.errors import SecDataError
    from orchestration.sources.sec.classification import classify_filings
    from orchestration.sources.sec.xbrl import parse_file

    document = Path(path)
    if not document.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    try:
        filing = parse_file(document)
    except SecDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    header = ["concept", "period_start", "period_end", "axis", "member", "category", "exclusion_reason", "value"]
    rows = [
        [
            fact.concept,
            fact.period_start.isoformat() if fact.period_start else "",
            fact.period_end.isoformat(),
            fact.axis or "",
            fact.member or "",
            classified.label,
            classified.exclusion_reason or "",
            "" if fact.value is None else format(fact.value, "f"),
        ]
        for fact, classified in zip(filing.facts, classify_filings([filing])[0], strict=True)
    ]
    rows.sort(key=lambda row: (row[0], row[2], row[1], row[3], row[4]))  # concept, end, start, axis, member
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return 0


def sec_source_name(settings: dict[str, str]) -> str:
    from orchestration.sources.sec.source import resolve_sec_source

    return resolve_sec_source(settings["MINERS_SEC_SOURCE"], settings["MINERS_SOURCE"])


def print_settings(settings: dict[str, str]) -> None:
    """What a run would use, one `NAME=value` a line (SEC_USER_AGENT is never printed)."""
    shown = {**settings, "SEC_USER_AGENT": "<set>" if settings["SEC_USER_AGENT"] else ""}
    shown["MINERS_SEC_SOURCE (resolved)"] = sec_source_name(settings)
    shown["warehouse"] = str(resolve_data_dir(settings["MINERS_DATA_DIR"]))
    for name, value in shown.items():
        print(f"{name}={value}")


def dev(port: int) -> int:
    """`dagster dev` with the resolved settings. It runs from the Dagster home, not the repository root:
    Dagster's CLI loads a `.env` from its working directory over the environment, which would undo the
    precedence resolved here."""
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "dev",
        "-w",
        str(PROJECT_ROOT / "workspace.yaml"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    os.chdir(prepare_dagster_home())
    os.execv(command[0], command)  # noqa: S606 - this environment's dagster, arguments built above
    return 0  # not reached


def main(argv: list[str] | None = None) -> int:
    settings = apply_settings()  # environment over .env over defaults, exported for Dagster
    parser = argparse.ArgumentParser(prog="miners", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="materialize the whole pipeline over the source's date range")
    run_cmd.add_argument("--start", type=date.fromisoformat, help="first partition (default: source's first day)")
    run_cmd.add_argument("--end", type=date.fromisoformat, help="last partition (default: source's last day)")
    run_cmd.add_argument(
        "--job",
        default="all_assets_job",
        choices=["all_assets_job", "market_data_job"],
        help="all_assets_job (default: everything) or market_data_job (market bars and what is built from them)",
    )
    run_cmd.add_argument(
        "--verbose", action="store_true", help="print everything: dbt's line per node, every Dagster event"
    )
    run_cmd.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild dbt's incremental models (returns, factor returns, rolling fits) from scratch",
    )
    dev_cmd = commands.add_parser("dev", help="the Dagster UI (dagster dev) on 127.0.0.1 with these settings")
    dev_cmd.add_argument("--port", type=int, default=3000)
    commands.add_parser("settings", help="print the resolved settings (environment > .env > defaults)")
    facts_cmd = commands.add_parser(
        "revenue-facts", help="print the revenue facts of one SEC filing (iXBRL or XBRL) as CSV"
    )
    facts_cmd.add_argument("path", help="an inline XBRL .htm/.html or XBRL instance .xml file")
    args = parser.parse_args(argv)

    if args.command == "run":
        return run(args.start, args.end, args.job, verbose=args.verbose, full_refresh=args.full_refresh)
    if args.command == "revenue-facts":
        return revenue_facts(args.path)
    if args.command == "settings":
        print_settings(settings)
        return 0
    return dev(args.port)


if __name__ == "__main__":
    sys.exit(main())
