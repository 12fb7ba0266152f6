"""R8: one writer on the warehouse, however runs start: a second run waits for the `warehouse` pool instead of
failing on DuckDB's file lock, and a killed run's pool slot does not block the runs after it.

- Two `miners run` started at once on one warehouse and one Dagster instance (DAGSTER_HOME with the shipped
  dagster.yaml) over a short range and the suite's small universe: the second waits for the first, both
  succeed, no two steps of the pool ever ran at the same time, and the published data is consistent (complete
  serving file, no duplicate keys, marts served as built).
- A process that holds a pool slot is SIGKILLed: while it lived, `fail_abandoned_runs` left its run alone;
  after, it marks the run failed and frees the slot, so the next pooled step runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from functools import cache
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli import fail_abandoned_runs
from orchestration.defs.resources import WAREHOUSE_POOL
from tests.pipeline.published import assert_same_tables, built_rows, served_rows
from tests.pipeline_run import small_universe_project
from tests.reliability.test_r4_sigkill import (
    END,
    RUN_TIMEOUT,
    START,
    Home,
    duplicate_keys,
    marts,
    newest_publish,
)


@cache
def pooled_steps() -> frozenset[str]:
    """Every step of the pipeline and publish jobs in the `warehouse` pool, read off the definitions: the raw
    assets, the dbt build, every check (gates, load errors, outside-universe) and publish with its report."""
    from orchestration.definitions import defs

    jobs = (defs.resolve_job_def(name) for name in ("all_assets_job", "publish_job"))
    return frozenset(node.name for job in jobs for node in job.graph.node_defs if node.pool == WAREHOUSE_POOL)


def instance_at(home: Path, monkeypatch: pytest.MonkeyPatch) -> dg.DagsterInstance:
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return dg.DagsterInstance.get()


def step_intervals(instance: dg.DagsterInstance, run_id: str) -> list[tuple[float, float, str]]:
    """(start, end, step) of each step of a run that ran in the warehouse pool (its gates included)."""
    started: dict[str, float] = {}
    intervals = []
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            intervals.append((started.pop(event.step_key), entry.timestamp, event.step_key))
    return [i for i in intervals if i[2] in pooled_steps()]


def test_two_runs_at_once_both_succeed_one_step_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = Home(tmp_path / "home", project=small_universe_project(tmp_path / "project"))  # who takes turns, not what
    command = [sys.executable, "-m", "orchestration.cli", "run", "--start", START, "--end", END]
    processes = [
        subprocess.Popen(
            command,
            cwd=home.cwd,
            env=home.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=2 * RUN_TIMEOUT)[0] for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output[-4000:]
        assert "miners run: succeeded" in output.splitlines()[-1], output[-4000:]
    assert any("waiting for the other `miners run`" in output for output in outputs)

    instance = instance_at(home.dagster_home, monkeypatch)
    runs = instance.get_runs()
    assert len(runs) == 4  # each process: its pipeline run and its publish run
    assert {run.status for run in runs} == {dg.DagsterRunStatus.SUCCESS}  # no live run marked abandoned
    intervals = sorted(i for run in runs for i in step_intervals(instance, run.run_id))
    assert {i[2] for i in intervals} == pooled_steps()
    for before, after in zip(intervals, intervals[1:], strict=False):
        assert before[1] <= after[0], f"{before[2]} and {after[2]} held the warehouse at the same time"

    data_dir = home.data_dir
    newest_publish(data_dir / "serving.duckdb")  # complete
    assert all(count == 0 for count in duplicate_keys(data_dir / "warehouse.duckdb").values())
    assert all(count == 0 for count in duplicate_keys(data_dir / "serving.duckdb").values())
    assert_same_tables(built_rows(data_dir, marts()), served_rows(data_dir, marts()))


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import dagster as dg
    from orchestration.cli import CLI_RUN_TAGS, PROCESS_LOCK_TAG, hold_process_lock

    name, lock = hold_process_lock(Path(sys.argv[1]))

    @dg.asset(pool=sys.argv[2])
    def slow_writer():
        print("holding the slot", flush=True)
        time.sleep(600)

    dg.materialize([slow_writer], instance=dg.DagsterInstance.get(), tags={**CLI_RUN_TAGS, PROCESS_LOCK_TAG: name})
    """
)


@dg.asset(pool=WAREHOUSE_POOL)
def next_writer() -> None:
    return None


def test_a_killed_runs_slot_is_freed_and_a_live_run_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home = Home(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home.dagster_home), WAREHOUSE_POOL],
        env=home.env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding the slot"
        instance = instance_at(home.dagster_home, monkeypatch)
        [run] = instance.get_runs()
        assert fail_abandoned_runs(instance, home.dagster_home) == []  # its process lives
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)

    assert fail_abandoned_runs(instance, home.dagster_home) == [run.run_id]
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    results: list[dg.ExecuteInProcessResult] = []
    started = time.monotonic()
    worker = threading.Thread(
        target=lambda: results.append(dg.materialize([next_writer], instance=instance)), daemon=True
    )
    worker.start()
    worker.join(timeout=60)  # with the killed run's slot still claimed it would wait for ever
    assert results and results[0].success, f"the next pooled step still waits after {time.monotonic() - started:.0f} s"
