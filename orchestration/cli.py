"""`miners`: the command-line entry points (run the pipeline, regenerate the snapshot)."""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import sys
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING
from zoneinfo import ZoneInfo

from dotenv import load_dotenv

from orchestration.paths import PROJECT_ROOT, resolve_data_dir

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
    "orchestration.defs.quality.gates",
    "orchestration.defs.ingest.assets",
    "orchestration.defs.sec.assets",
    "orchestration.defs.serving.publish",
    "orchestration.defs.serving.report",
    "orchestration.defs.dbt.project",
)


# Tags the runs this command starts: they execute in this process, so nothing else watches them.
CLI_RUN_TAGS = {"miners/launched_by": "cli"}


def hold_run_lock(data_dir: Path) -> IO[str] | None:
    """An exclusive `flock` on <warehouse>/.miners_run.lock for this process's lifetime, or None if taken.

    One `miners run` per warehouse (DuckDB has one writer anyway). The kernel drops the lock when the holder
    dies, even on SIGKILL, so holding it also proves that every earlier CLI run has ended.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = (data_dir / ".miners_run.lock").open("a")
    if fcntl is None:  # Windows: no lock, and no abandoned-run bookkeeping
        return lock
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    return lock


def fail_abandoned_runs(instance: DagsterInstance) -> list[str]:
    """Mark CLI runs still STARTED as failed: with the lock held, their processes are gone (killed, crashed)."""
    from dagster import DagsterRunStatus, RunsFilter

    runs = instance.get_runs(
        filters=RunsFilter(statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED], tags=CLI_RUN_TAGS)
    )
    for abandoned in runs:
        instance.report_run_failed(abandoned, "its `miners run` process ended before the run did (killed?)")
    return [abandoned.run_id for abandoned in runs]


def run(start: date | None, end: date | None, job_name: str = "all_assets_job") -> int:
    """Parse dbt, then materialize the job's assets and checks over the partition range, in this process."""
    from orchestration.defs.dbt.command import start_parse, wait_for_parse

    for name, value in SETTING_DEFAULTS.items():  # Dagster's EnvVar resources need every one set
        os.environ.setdefault(name, value)
    source_name, data_dir = os.environ["MINERS_SOURCE"], os.environ["MINERS_DATA_DIR"]
    lock = hold_run_lock(resolve_data_dir(data_dir))
    if lock is None:
        print(f"error: another `miners run` is using the warehouse {resolve_data_dir(data_dir)}", file=sys.stderr)
        return 2
    gc.disable()  # until the definitions are loaded (see below)
    parsing = start_parse()  # the manifest is needed only once the definitions load: overlap the imports
    print("miners run: parsing the dbt project ...", flush=True)
    from dagster import AssetCheckSeverity, DagsterInstance

    from orchestration.defs.ingest.partitions import partition_range_tags

    covered = source_range(source_name, os.environ["MINERS_CSV_DIR"] or None, data_dir)
    start, end = start or covered[0], end or covered[1]
    print(f"miners run: source={source_name}, partitions {start}..{end}, warehouse {resolve_data_dir(data_dir)}")

    for module in MANIFEST_FREE_MODULES:  # while dbt parses
        importlib.import_module(module)
    wait_for_parse(parsing)
    from orchestration.definitions import defs

    # The cyclic collector is off while the ~3,000 modules load (they allocate millions of objects and
    # would trigger hundreds of useless collections); what they built is then frozen out of its reach.
    gc.freeze()
    gc.enable()

    job = defs.resolve_job_def(job_name)
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    for run_id in fail_abandoned_runs(instance):
        print(f"miners run: marked run {run_id} failed: its process ended before the run did")
    result = job.execute_in_process(
        instance=instance,
        tags={**partition_range_tags(start, end), **CLI_RUN_TAGS},
        run_config={"loggers": {"progress": {}}},  # one line per step instead of every DEBUG event
        raise_on_error=False,
    )
    instance.dispose()  # storage closed before the process ends (see exit_without_teardown)
    evaluations = [
        e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed_checks = [c for c in evaluations if not c.passed and c.severity == AssetCheckSeverity.ERROR]
    for check in evaluations:
        if not check.passed:
            label = "GATE FAILED" if check.severity == AssetCheckSeverity.ERROR else "CHECK WARNING"
            print(f"{label}: {check.asset_key.to_user_string()} {check.check_name}: {check.description or ''}")
    materialized = sorted({e.asset_key.to_user_string() for e in result.get_asset_materialization_events()})
    print(
        f"miners run: {'succeeded' if result.success and not failed_checks else 'FAILED'}; "
        f"{len(materialized)} assets materialized; run id {result.run_id}"
    )
    return 0 if result.success and not failed_checks else 1


def revenue_facts(path: str) -> int:
    """Print one filing's revenue facts as CSV (values in dollars), for an analyst to eyeball."""
    import csv

    from orchestration.sources.errors import SecDataError
    from orchestration.sources.sec.categories import fact_category, load_member_rules
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
    rules = load_member_rules()
    header = ["concept", "period_start", "period_end", "axis", "member", "category", "value"]
    rows = [
        [
            fact.concept,
            fact.period_start.isoformat() if fact.period_start else "",
            fact.period_end.isoformat(),
            fact.axis or "",
            fact.member or "",
            fact_category(fact, rules),
            "" if fact.value is None else format(fact.value, "f"),
        ]
        for fact in filing.facts
    ]
    rows.sort(key=lambda row: (row[0], row[2], row[1], row[3], row[4]))  # concept, end, start, axis, member
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return 0


# SQLite run storage writes one planned event per partition otherwise: minutes for a 5-year backfill.
# DAGSTER_EVENT_BATCH_SIZE hands a backfill's per-partition events to the event log storage as batches
# (orchestration/instance/event_log.py writes each batch in one transaction).
DAGSTER_DEFAULTS = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true", "DAGSTER_EVENT_BATCH_SIZE": "1000"}

# The project's settings (.env.example documents them) at their offline defaults.
SETTING_DEFAULTS = {
    "MINERS_DATA_DIR": "warehouse",
    "MINERS_SOURCE": "snapshot",
    "MINERS_CSV_DIR": "",
    "MINERS_SEC_SOURCE": "",
    "SEC_USER_AGENT": "",
    "MINERS_SEC_FILES_DIR": "",
    "MINERS_HISTORY_START": "",
}


def offline_env(**settings: str) -> dict[str, str]:
    """This process's environment with every setting at its offline default, then `settings`: what a child
    `miners` or Dagster process should see whatever a developer's .env says."""
    return {**os.environ, **SETTING_DEFAULTS, **DAGSTER_DEFAULTS, **settings}


def exit_without_teardown(code: int) -> None:
    """End the process now: everything is written and closed by the time `run` returns.

    Python's own shutdown then only tears down the ~3,000 modules Dagster, dbt and GE import, which takes
    about 1.7 s here, for nothing.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", module="yfinance")  # pandas deprecations inside yfinance, one per ticker
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    for name, value in DAGSTER_DEFAULTS.items():
        os.environ.setdefault(name, value)
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
    commands.add_parser("snapshot", help="regenerate the bundled SYNTHETIC market and SEC snapshots (seeded)")
    facts_cmd = commands.add_parser(
        "revenue-facts", help="print the revenue facts of one SEC filing (iXBRL or XBRL) as CSV"
    )
    facts_cmd.add_argument("path", help="an inline XBRL .htm/.html or XBRL instance .xml file")
    args = parser.parse_args(argv)

    if args.command == "run":
        code = run(args.start, args.end, args.job)
        if argv is None:  # from the command line, not called by other Python code
            exit_without_teardown(code)
        return code
    if args.command == "revenue-facts":
        return revenue_facts(args.path)
    from orchestration.snapshot.generator import write_snapshot
    from orchestration.snapshot.sec_generator import write_sec_snapshot

    truth = write_snapshot()
    print(f"market snapshot written: {len(truth.bars)} tickers, {truth.truth['start']}..{truth.truth['end']}")
    sec = write_sec_snapshot()
    print(f"SEC snapshot written: {len(sec.files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
