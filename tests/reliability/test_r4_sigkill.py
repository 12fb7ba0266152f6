"""R4: `miners run` killed with SIGKILL during extract, dbt and publish, then rerun: no duplicates, and the
serving file is always either the old complete file or a new complete one.

The main job runs as `make run` runs it: `miners run` (all_assets_job, then publish_job, in one process) as a
subprocess, on a temporary warehouse and a persistent SQLite Dagster instance (DAGSTER_HOME), over a short
partition range (the snapshot's last months: every mart still builds and publish succeeds). Its session is its
own, so one SIGKILL to the process group also kills the dbt it started. A first complete run publishes the "old" files.
Then each kill point is one run, killed when its progress lines (or a file it writes) show it is there; each
run is also the rerun after the previous kill. While a killed run lies dead, the serving file, Parquet and
report are checked; a last run must complete, and the warehouse and serving file must hold the same rows as
after the first run: no duplicate keys, nothing lost.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.dbt.command import KEEP_INVOCATION_FOLDERS
from orchestration.defs.dbt.tables import declared_tables
from orchestration.defs.serving.publish import served_marts, served_tables
from orchestration.paths import EXPECTATIONS_DIR, PROJECT_ROOT
from orchestration.settings import offline_env
from tests.pipeline.published import assert_same_tables, built_rows, served_files, served_rows
from tests.pipeline.test_raw_market_prices import table_digest
from tests.pipeline.test_raw_sec import digests
from tests.pipeline_run import SHORT_WINDOW_END, SHORT_WINDOW_START
from tests.test_webserver import running_in_group

START, END = SHORT_WINDOW_START, SHORT_WINDOW_END
RUN_TIMEOUT = 600  # seconds, for one run on a loaded machine
STOP_TIMEOUT = 30
SERVED = set(served_tables())
OBJECTS = SERVED | {"main.publish_log", "main.publish_status"}


def _may_be_empty() -> set[str]:
    """Served marts whose gate does not block on an empty table (a short run may legitimately fill none)."""
    empty_ok = set()
    for mart in served_marts():
        expectations = json.loads((EXPECTATIONS_DIR / f"{mart}.json").read_text())["expectations"]
        row_counts = [e for e in expectations if e["type"] == "expect_table_row_count_to_be_between"]
        if all(e.get("severity") == "warning" for e in row_counts):
            empty_ok.add(f"marts.{mart}")
    return empty_ok


MAY_BE_EMPTY = _may_be_empty()  # every one has a Parquet file
INSTANCE_YAML = PROJECT_ROOT / "orchestration" / "instance" / "dagster.yaml"

# Natural keys: every grain the dbt YAML declares (raw tables and marts), and the reader's bookkeeping table.
KEYS = {
    **{table.relation: ", ".join(table.grain) for table in declared_tables() if table.grain},
    "raw.sec_revenue_filings": "cik, accession_number",
}
STEP_LINE = re.compile(r"^\[\s*[\d.]+s\] (started |finished|FAILED  |skipped ) (\S+)")


@dataclass(frozen=True)
class KillPoint:
    """Where to kill a run: inside `step`, once every given condition holds."""

    name: str
    step: str
    serving_after: str  # the serving file the kill must leave: "old" or "new"
    after_seconds: float = 0.0  # the step has run this long
    line: str | None = None  # the run printed this inside the step
    new_file: str | None = None  # a file matching this glob (in the warehouse folder) appeared during the run


KILL_POINTS = [
    # extract, while the snapshot is replayed through yfinance (before anything is written); the step takes
    # well under a second over this range, so the kill lands shortly after it starts
    KillPoint("extract: raw_market_prices fetching", "raw_market_prices", "old", after_seconds=0.1),
    # extract, with some companies committed to the WAL and not checkpointed: the next open must replay it
    KillPoint(
        "extract: raw_sec_company_facts mid-load", "raw_sec_company_facts", "old", new_file="warehouse.duckdb.wal"
    ),
    # dbt, while it writes the marts (the dbt process dies with the group)
    # (runs are --verbose: dbt's line per node reaches stdout only then)
    KillPoint("dbt: building the marts", "dbt_build", "old", line="START sql table model marts."),
    # publish, while the new serving file is written aside
    KillPoint("publish: writing .serving.<run>.duckdb", "publish", "old", new_file=".serving.*.duckdb"),
    # publish, after the rename, while Parquet is exported
    KillPoint("publish: exporting Parquet after the rename", "publish", "new", new_file="parquet/.*.parquet"),
]


@dataclass
class Home:
    """A warehouse folder, a Dagster home and an empty working folder, and the environment of a run."""

    root: Path
    project: Path | None = None  # a copy of the project to run (PYTHONPATH), else this checkout
    data_dir: Path = field(init=False)
    dagster_home: Path = field(init=False)
    cwd: Path = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir, self.dagster_home, self.cwd = (
            self.root / "warehouse",
            self.root / "dagster_home",
            self.root / "cwd",
        )
        for folder in (self.data_dir, self.dagster_home, self.cwd):
            folder.mkdir(parents=True)
        if INSTANCE_YAML.exists():  # as `make` sets the instance up
            shutil.copy(INSTANCE_YAML, self.dagster_home / "dagster.yaml")

    @property
    def env(self) -> dict[str, str]:
        env = offline_env(
            DAGSTER_HOME=str(self.dagster_home),
            DBT_TARGET_PATH=str(self.root / "dbt_target"),
            MINERS_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
        )
        env.pop("DAGSTER_IS_DEV_CLI", None)
        if self.project is not None:
            env["PYTHONPATH"] = str(self.project)
        return env


@dataclass
class Outcome:
    output: list[str]
    returncode: int
    seconds: float
    killed_in: str | None = None  # the step that was running when SIGKILL was sent
    files_at_kill: list[str] = field(default_factory=list)  # the trigger's files, when it had one
    group_at_kill: list[str] = field(default_factory=list)  # the commands of the process group then
    stderr: str = ""  # what the run wrote to stderr (a traceback, when it failed before any step)

    @property
    def run_id(self) -> str | None:
        """The publish run's id (what publish_log records), from the last line."""
        found = [re.search(r"publish run id (\S+)$", line) for line in self.output]
        return next((m.group(1) for m in found if m), None)

    def tail(self, lines: int = 40) -> str:
        errors = self.stderr.splitlines()[-lines:]
        return "\n".join([*self.output[-lines:], *(["stderr:", *errors] if errors else [])])


def matching(data_dir: Path, pattern: str) -> set[str]:
    return {str(p.relative_to(data_dir)) for p in data_dir.glob(pattern)}


def group_commands(pgid: int) -> list[str]:
    commands = []
    for pid in running_in_group(pgid):
        with contextlib.suppress(OSError):
            commands.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip())
    return commands


def kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def miners_run(home: Home, kill: KillPoint | None = None, stderr_name: str = "stderr.txt") -> Outcome:
    """`miners run` over START..END; with `kill`, SIGKILL to its process group at that point."""
    before = matching(home.data_dir, kill.new_file) if kill and kill.new_file else set()
    started = time.monotonic()
    lines: queue.Queue[str] = queue.Queue()
    with (home.root / stderr_name).open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run", "--start", START, "--end", END, "--verbose"],
            cwd=home.cwd,  # not the repository root, whose .env may point elsewhere
            env=home.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            start_new_session=True,
        )
    reader = threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in process.stdout], daemon=True)
    reader.start()
    outcome = Outcome(output=[], returncode=0, seconds=0.0)
    step, step_started, step_lines = None, 0.0, []
    try:
        while True:
            with contextlib.suppress(queue.Empty):
                while True:
                    line = lines.get_nowait()
                    outcome.output.append(line)
                    step_lines.append(line)
                    if match := STEP_LINE.match(line):
                        running = match.group(1) == "started "
                        step, step_started = (match.group(2), time.monotonic()) if running else (None, 0.0)
                        step_lines = []
            if kill and step == kill.step:
                files = matching(home.data_dir, kill.new_file) - before if kill.new_file else set()
                if (
                    time.monotonic() - step_started >= kill.after_seconds
                    and (kill.line is None or any(kill.line in line for line in step_lines))
                    and (kill.new_file is None or files)
                ):
                    outcome.group_at_kill = group_commands(process.pid)
                    kill_group(process)
                    outcome.killed_in, outcome.files_at_kill = step, sorted(files)
                    break
            if process.poll() is not None and not reader.is_alive() and lines.empty():
                break
            if time.monotonic() - started > RUN_TIMEOUT:
                kill_group(process)
                pytest.fail(f"miners run did not finish in {RUN_TIMEOUT} s:\n" + outcome.tail())
            time.sleep(0.001 if kill and step == kill.step else 0.01)
        outcome.returncode = process.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while running_in_group(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running_in_group(process.pid), "a process of the killed run (dbt?) survived SIGKILL"
        reader.join(timeout=STOP_TIMEOUT)
        while not lines.empty():
            outcome.output.append(lines.get_nowait())
    finally:
        kill_group(process)
    outcome.seconds = time.monotonic() - started
    outcome.stderr = (home.root / stderr_name).read_text(errors="replace")
    return outcome


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(data_dir: Path) -> list[str]:
    """Files a publish writes aside before renaming them into place."""
    return sorted(matching(data_dir, ".serving.*") | matching(data_dir, "parquet/.*"))


def newest_publish(serving: Path) -> tuple[str, dict[str, int], list[str]]:
    """Check `serving` is a complete serving file; return its newest publish's run id and rows per table, and
    every publish's run id, oldest first."""
    with duckdb.connect(str(serving), read_only=True) as connection:
        runs = [
            run
            for run, _ in connection.execute(
                "select run_id, min(published_at) first from publish_log group by run_id order by first"
            ).fetchall()
        ]
        rows = dict(
            connection.execute("select table_name, row_count from publish_log where run_id = ?", [runs[-1]]).fetchall()
        )
        tables = {
            f"{schema}.{table}"
            for schema, table in connection.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        assert set(rows) == SERVED, f"the newest publish lists {sorted(rows)}"
        assert tables == OBJECTS
        for table, count in rows.items():
            assert connection.execute(f"select count(*) from {table}").fetchone()[0] == count, table
            assert count > 0 or table in MAY_BE_EMPTY, table
    return runs[-1], rows, runs


def assert_parquet_matches(data_dir: Path, allowed_old: dict[str, str]) -> list[str]:
    """Every table's Parquet file is readable and either its old bytes or the serving file's table; returns
    the tables whose Parquet is still the old one."""
    serving = data_dir / "serving.duckdb"
    stale = []
    with duckdb.connect() as connection:
        connection.execute(f"attach '{serving}' as serving (read_only)")
        for table in sorted(OBJECTS):
            parquet = data_dir / "parquet" / f"{table.split('.')[1]}.parquet"
            count = connection.execute(f"select count(*) from read_parquet('{parquet}')").fetchone()[0]
            assert count > 0 or table in MAY_BE_EMPTY, parquet
            if allowed_old.get(parquet.name) == sha256(parquet):
                stale.append(table)
                continue
            one, other = f"read_parquet('{parquet}')", f"serving.{table}"
            differ = connection.execute(
                f"select count(*) from ((from {one} except all from {other})"
                f" union all (from {other} except all from {one}))"
            ).fetchone()[0]
            assert differ == 0, f"{parquet.name} is neither the old file nor the served table"
    return stale


def duplicate_keys(database: Path) -> dict[str, int]:
    """Key values held by more than one row, per table that the file has."""
    found = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        present = {
            f"{s}.{t}"
            for s, t in connection.execute("select table_schema, table_name from information_schema.tables").fetchall()
        }
        for table, key in KEYS.items():
            if table in present:
                found[table] = connection.execute(
                    f"select count(*) from (select {key} from {table} group by all having count(*) > 1)"
                ).fetchone()[0]
    return found


def row_counts(database: Path) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {table: connection.execute(f"select count(*) from {table}").fetchone()[0] for table in KEYS}


def marts() -> list[str]:
    return [f"marts.{mart}" for mart in served_marts()]


def test_sigkill_during_extract_dbt_and_publish_then_rerun(tmp_path: Path):
    home = Home(tmp_path)
    data_dir, serving = home.data_dir, home.data_dir / "serving.duckdb"

    first = miners_run(home, stderr_name="stderr-first.txt")
    assert first.returncode == 0, first.tail()
    print(f"first run: {first.seconds:.0f} s")
    old_run, _, _ = newest_publish(serving)
    assert old_run == first.run_id
    warehouse = data_dir / "warehouse.duckdb"
    first_counts, first_marts = row_counts(warehouse), built_rows(data_dir, marts())
    first_raw = (table_digest(data_dir), digests(data_dir))
    assert all(count == 0 for count in duplicate_keys(warehouse).values())

    publishes, previous_left = [old_run], []
    for number, point in enumerate(KILL_POINTS):
        before = served_files(data_dir)
        killed = miners_run(home, point, stderr_name=f"stderr-{number}.txt")
        assert killed.killed_in == point.step, f"{point.name}: not killed there\n{killed.tail()}"
        assert killed.returncode == -signal.SIGKILL
        if point.step == "dbt_build" and Path("/proc").is_dir():  # dbt ran in the group and died with it
            assert any("dbt build" in command for command in killed.group_at_kill), killed.group_at_kill
        assert serving.is_file()
        if point.serving_after == "old":
            assert served_files(data_dir) == before, f"{point.name}: serving, report or Parquet changed"
            state = "old serving file (byte-identical), Parquet and report unchanged"
        else:
            assert sha256(serving) != before["serving.duckdb"], f"{point.name}: the serving file is the old one"
            new_run, _, runs = newest_publish(serving)
            assert runs == [*publishes, new_run]  # the history carried over, the killed run's publish added
            stale = assert_parquet_matches(data_dir, before)
            publishes.append(new_run)
            state = f"new complete serving file; Parquet still old for {len(stale)} of {len(OBJECTS)} tables"
        newest_publish(serving)  # old or new, it is complete
        left = leftovers(data_dir)
        assert "serving.duckdb" not in left and all(Path(name).name.startswith(".") for name in left)
        if killed.killed_in == "publish":  # it took the publish lock: earlier killed runs' aside files went
            assert not set(previous_left) & set(left), f"{point.name}: an earlier run's aside files stayed"
        previous_left = left
        print(
            f"{point.name}: killed after {killed.seconds:.0f} s in {killed.killed_in}"
            f" {killed.files_at_kill or ''} ({len(killed.group_at_kill)} processes); {state};"
            f" aside files left: {left}"
        )

    final = miners_run(home, stderr_name="stderr-final.txt")
    assert final.returncode == 0, final.tail()
    assert "miners run: succeeded" in final.output[-1]
    final_run, _, runs = newest_publish(serving)
    assert final_run == final.run_id
    assert runs == [*publishes, final_run]
    assert assert_parquet_matches(data_dir, {}) == []  # every Parquet file is the new serving file's
    assert all(count == 0 for count in duplicate_keys(warehouse).values()), duplicate_keys(warehouse)
    assert all(count == 0 for count in duplicate_keys(serving).values()), duplicate_keys(serving)
    assert row_counts(warehouse) == first_counts
    assert (table_digest(data_dir), digests(data_dir)) == first_raw
    assert_same_tables(built_rows(data_dir, marts()), first_marts)  # the rerun's incremental models: to 1e-12
    assert_same_tables(served_rows(data_dir, marts()), built_rows(data_dir, marts()))  # served as built
    print(f"final run: {final.seconds:.0f} s; aside files left: {leftovers(data_dir)}")
    assert leftovers(data_dir) == [], "aside files of killed runs were never removed"
    assert any("removed files a killed publish left aside" in line for line in final.output)
    # each killed run was marked failed by the next `miners run`; none is left STARTED in the instance
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", str(home.dagster_home))  # the shipped event log storage lives under it
        statuses = [run.status for run in dg.DagsterInstance.get().get_runs()]
    assert statuses.count(dg.DagsterRunStatus.FAILURE) == len(KILL_POINTS)
    assert statuses.count(dg.DagsterRunStatus.SUCCESS) == len(statuses) - len(KILL_POINTS)
    assert (home.root / "dbt_target").is_dir()
    assert len(list((home.root / "dbt_target").glob("dbt_models-*"))) <= KEEP_INVOCATION_FOLDERS
