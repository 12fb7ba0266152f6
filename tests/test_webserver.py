"""The real Dagster webserver, on loopback: it serves every asset and check, and a run launched over GraphQL lands;
with the daemon beside it, what the UI's buttons run (a backfill, the Launchpad, Materialize) and the publish after.

The first test's server is `dagster-webserver` alone, not `dagster dev`: `dagster dev` sets DAGSTER_IS_DEV_CLI, so
each code server and run worker would `dbt parse` again (`DbtProject.prepare_if_dev()`), and it also starts a daemon
and a second code server; measured here it took more than twice as long to load and to run. The second starts
`dagster dev`'s two processes, webserver and daemon, apart, for the same reason.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
import requests

from orchestration.paths import PROJECT_ROOT
from orchestration.settings import offline_env
from tests.expected import gated_assets
from tests.pipeline_run import SHORT_WINDOW_START

READY_TIMEOUT = 120
RUN_TIMEOUT = 180
STOP_TIMEOUT = 30
REQUEST_TIMEOUT = 30
RUN_ASSET = "raw_sec_filings"
RUN_CHECK = "ge_gate"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}

# A run launched from the webserver goes through the instance's run coordinator. Dagster's default is the
# QueuedRunCoordinator, which only queues the run for `dagster-daemon` to start; the DefaultRunCoordinator
# launches it straight away (a subprocess of the code server), so no daemon has to run. The warehouse pool has
# one slot, as in the shipped instance. No telemetry either.
DAGSTER_YAML = """\
run_coordinator:
  module: dagster.core.run_coordinator
  class: DefaultRunCoordinator
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""

WORKSPACE_QUERY = """
{ workspaceOrError {
    __typename
    ... on Workspace { locationEntries { name loadStatus locationOrLoadError {
        __typename
        ... on RepositoryLocation { name repositories { name } }
        ... on PythonError { message }
    } } }
    ... on PythonError { message }
} }
"""

ASSETS_QUERY = """
{ assetNodes {
    assetKey { path }
    assetChecksOrError { __typename ... on AssetChecks { checks { name blocking } } ... on Error { message } }
} }
"""

LAUNCH_MUTATION = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on PythonError { message stack }
    ... on Error { message }
  }
}
"""

RUN_QUERY = "query Run($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run { status } } }"

LOGS_QUERY = """
query Logs($runId: ID!) { logsForRun(runId: $runId) {
  __typename
  ... on EventConnection { events {
    __typename
    ... on MessageEvent { message stepKey }
    ... on ErrorEvent { error { message causes { className message } } }
    ... on AssetCheckEvaluationEvent { evaluation { checkName assetKey { path } success } }
  } }
} }
"""


@dataclass
class Webserver:
    process: subprocess.Popen
    port: int
    log_path: Path
    data_dir: Path
    started: float  # time.monotonic() at launch

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        payload = {"query": query, "variables": variables or {}}
        response = requests.post(f"{self.base_url}/graphql", json=payload, timeout=REQUEST_TIMEOUT)
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def group_alive(self) -> bool:
        """Whether anything of the server's process group (webserver, code server, run workers) still runs."""
        return bool(running_in_group(self.process.pid))

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signum)

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL after STOP_TIMEOUT; safe to call twice."""
        if self.group_alive():
            self.signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
        # the code server stops on the same signal, after the webserver; whatever is left then is killed
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.group_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.group_alive():
            self.signal_group(signal.SIGKILL)


def running_in_group(pgid: int) -> list[int]:
    """Processes of a process group that have not exited (zombies waiting to be reaped do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: signal 0 reaches any member, zombies included
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [pgid]
    running = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command)": state, ppid, pgrp
        except (OSError, IndexError):
            continue  # exited meanwhile
        if int(fields[2]) == pgid and fields[0] != "Z":
            running.append(int(stat.parent.name))
    return running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as client:
        client.settimeout(1)
        return client.connect_ex(("127.0.0.1", port)) == 0


def wait_until_loaded(server: Webserver) -> dict[str, Any]:
    """Poll until the code location is loaded; the webserver itself dying or erroring fails at once."""
    deadline = time.monotonic() + READY_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"webserver exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            workspace = server.graphql(WORKSPACE_QUERY)["workspaceOrError"]
        except (requests.RequestException, ValueError) as error:  # not listening yet, or still starting
            last = repr(error)
        else:
            assert workspace["__typename"] == "Workspace", workspace
            (entry,) = workspace["locationEntries"]
            location = entry["locationOrLoadError"]
            if location and location["__typename"] == "PythonError":
                pytest.fail(f"code location failed to load: {location['message']}\n{server.log_tail()}")
            if entry["loadStatus"] == "LOADED" and location:
                return location
            last = entry["loadStatus"]
        time.sleep(0.5)
    pytest.fail(f"webserver not ready after {READY_TIMEOUT}s ({last}):\n{server.log_tail()}")


def wait_for_run(server: Webserver, run_id: str) -> str:
    deadline = time.monotonic() + RUN_TIMEOUT
    status = "unknown"
    while time.monotonic() < deadline:
        run = server.graphql(RUN_QUERY, {"runId": run_id})["runOrError"]
        assert run["__typename"] == "Run", run
        status = run["status"]
        if status in FINISHED:
            return status
        time.sleep(0.5)
    pytest.fail(f"run {run_id} still {status} after {RUN_TIMEOUT}s:\n{server.log_tail()}")


def run_events(server: Webserver, run_id: str) -> list[dict[str, Any]]:
    logs = server.graphql(LOGS_QUERY, {"runId": run_id})["logsForRun"]
    assert logs["__typename"] == "EventConnection", logs
    return logs["events"]


def describe_events(events: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{event['__typename']} {event.get('stepKey') or ''}: {event.get('message', '')}"
        + "".join(
            f"\n  {error.get('className') or ''} {error['message']}"
            for error in ([event["error"], *event["error"]["causes"]] if event.get("error") else [])
        )
        for event in events
    )


@pytest.fixture
def webserver(dbt_manifest: Path, tmp_path: Path) -> Iterator[Webserver]:
    """`dagster-webserver` on a free loopback port, with its own instance and a fresh warehouse."""
    data_dir, dagster_home, cwd = tmp_path / "warehouse", tmp_path / "dagster_home", tmp_path / "cwd"
    for folder in (data_dir, dagster_home, cwd):
        folder.mkdir()
    (dagster_home / "dagster.yaml").write_text(DAGSTER_YAML)
    env = offline_env(DAGSTER_HOME=str(dagster_home), MINERS_DATA_DIR=str(data_dir))
    env.pop("DAGSTER_IS_DEV_CLI", None)  # would make every process `dbt parse` again; the manifest is ready
    port = free_port()
    log_path = tmp_path / "webserver.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        # Started from an empty folder, not the repository root: Dagster's CLI loads `.env` from the working
        # directory over the environment, and `make` creates one pointing at the real warehouse.
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "dagster-webserver"),
                *("-w", str(PROJECT_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)),
            ],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Webserver(process=process, port=port, log_path=log_path, data_dir=data_dir, started=started)
    try:
        yield server
    finally:
        server.stop()


def test_webserver_serves_the_definitions_and_launches_a_run(webserver: Webserver):
    from orchestration.definitions import defs

    location = wait_until_loaded(webserver)
    (repository,) = location["repositories"]
    loaded_after = time.monotonic() - webserver.started

    # every asset and every check, as the definitions loaded here have them
    graph = defs.resolve_asset_graph()
    nodes = webserver.graphql(ASSETS_QUERY)["assetNodes"]
    for node in nodes:
        assert node["assetChecksOrError"]["__typename"] == "AssetChecks", node
    served_assets = {"/".join(node["assetKey"]["path"]) for node in nodes}
    served_checks = {
        ("/".join(node["assetKey"]["path"]), check["name"])
        for node in nodes
        for check in node["assetChecksOrError"]["checks"]
    }
    assert served_assets == {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert served_checks == {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    gated = {asset for asset, name in served_checks if name == "ge_gate"}
    assert gated >= gated_assets()

    # a run launched as the UI launches one: the filings index and its blocking GE gate
    launched = webserver.graphql(
        LAUNCH_MUTATION,
        {
            "params": {
                "selector": {
                    "repositoryLocationName": location["name"],
                    "repositoryName": repository["name"],
                    "jobName": "__ASSET_JOB",
                    "assetSelection": [{"path": [RUN_ASSET]}],
                    "assetCheckSelection": [{"assetKey": {"path": [RUN_ASSET]}, "name": RUN_CHECK}],
                },
                "runConfigData": {},
                "mode": "default",
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", f"{launched}\n{webserver.log_tail()}"
    run_id = launched["run"]["runId"]
    status = wait_for_run(webserver, run_id)
    events = run_events(webserver, run_id)
    assert status == "SUCCESS", f"run {run_id} {status}:\n{describe_events(events)}\n{webserver.log_tail()}"
    run_after = time.monotonic() - webserver.started - loaded_after

    evaluations = [event["evaluation"] for event in events if event["__typename"] == "AssetCheckEvaluationEvent"]
    assert [(e["assetKey"]["path"], e["checkName"], e["success"]) for e in evaluations] == [
        ([RUN_ASSET], RUN_CHECK, True)
    ]
    with duckdb.connect(str(webserver.data_dir / "warehouse.duckdb"), read_only=True) as connection:
        (rows,) = connection.execute("select count(*) from raw.sec_filings").fetchone()
    assert rows > 0

    # stopped by its process id: the webserver and its children are gone, and the port is closed
    webserver.stop()
    assert webserver.process.returncode is not None
    assert not webserver.group_alive()
    assert not port_open(webserver.port)
    print(f"webserver loaded in {loaded_after:.1f}s, run took {run_after:.1f}s")


# --- The webserver and the daemon, as `make dev` serves them: what the UI's buttons run, and the publish after ---

BACKFILL_TIMEOUT = 900  # a backfill of every partition and asset: several runs, each a fresh run worker
PUBLISH_TIMEOUT = 300  # a sensor tick (10 s), a queued run's start, the publish and the report
# The shipped instance (pools of one slot, run monitoring) with the queue polled every second, not every five.
DAEMON_DAGSTER_YAML = (PROJECT_ROOT / "orchestration" / "instance" / "dagster.yaml").read_text() + (
    "run_coordinator:\n"
    "  module: dagster.core.run_coordinator\n"
    "  class: QueuedRunCoordinator\n"
    "  config:\n"
    "    dequeue_interval_seconds: 1\n"
)
PUBLISH_SENSORS = ("publish_after_success_sensor", "publish_after_failure_sensor", "publish_after_backfill_sensor")
FINISHED_BACKFILL = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}

DAEMONS_QUERY = "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy required } } } }"

SENSOR_QUERY = """
query Sensor($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector) {
  __typename ... on Sensor { sensorState { status ticks(limit: 1) { status } } } ... on Error { message }
} }
"""

BACKFILL_MUTATION = """
mutation Backfill($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
  __typename
  ... on LaunchBackfillSuccess { backfillId }
  ... on PythonError { message stack }
  ... on Error { message }
} }
"""

BACKFILL_QUERY = """
query Backfill($id: String!) { partitionBackfillOrError(backfillId: $id) {
  __typename ... on PartitionBackfill { status runs { runId status } } ... on Error { message }
} }
"""

RUNS_QUERY = """
query Runs($filter: RunsFilter!) { runsOrError(filter: $filter) {
  __typename ... on Runs { results { runId status jobName } } ... on Error { message }
} }
"""


@dataclass
class DagsterDev:
    """`make dev`'s two processes, each in its own process group: the webserver and the daemon."""

    webserver: Webserver
    daemon: subprocess.Popen
    daemon_log: Path

    def stop(self) -> None:
        self.webserver.stop()
        stop_group(self.daemon)

    def log_tail(self) -> str:
        daemon = "\n".join(self.daemon_log.read_text(errors="replace").splitlines()[-60:])
        return f"{self.webserver.log_tail()}\n--- daemon ---\n{daemon}"


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process group led by `process` (its PID), SIGKILL to whatever is left after STOP_TIMEOUT."""
    if running_in_group(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT)
    deadline = time.monotonic() + STOP_TIMEOUT
    while running_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if running_in_group(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def dagster_dev(dbt_manifest: Path, tmp_path: Path) -> Iterator[DagsterDev]:
    """`dagster-webserver` and `dagster-daemon run` on the shipped instance (runs queued, then started by the
    daemon, sensors on as shipped), a fresh warehouse, the offline snapshot. `dagster dev` runs these two;
    started apart, DAGSTER_IS_DEV_CLI stays unset, so no process parses dbt again (the manifest is ready).
    The history starts at the suite's short window (MINERS_HISTORY_START), as a user's who follows the last
    year would: "all partitions" are its months, and the suite's full-history runs stay two."""
    data_dir, dagster_home, cwd = tmp_path / "warehouse", tmp_path / "dagster_home", tmp_path / "cwd"
    for folder in (data_dir, dagster_home, cwd):
        folder.mkdir()
    (dagster_home / "dagster.yaml").write_text(DAEMON_DAGSTER_YAML)
    # The instance's SQLite storages created once, here: two processes creating them at once (as `dagster dev`
    # never does) can stamp their schema version twice.
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        instance.get_runs(limit=1)
    env = offline_env(
        DAGSTER_HOME=str(dagster_home), MINERS_DATA_DIR=str(data_dir), MINERS_HISTORY_START=SHORT_WINDOW_START
    )
    env.pop("DAGSTER_IS_DEV_CLI", None)
    workspace = ("-w", str(PROJECT_ROOT / "workspace.yaml"))
    port = free_port()
    started = time.monotonic()
    logs = {name: tmp_path / f"{name}.log" for name in ("webserver", "daemon")}
    commands = {
        "webserver": ["dagster-webserver", *workspace, "-h", "127.0.0.1", "-p", str(port)],
        "daemon": ["dagster-daemon", "run", *workspace],
    }
    processes = {}
    for name, (program, *arguments) in commands.items():
        with logs[name].open("wb") as log:
            processes[name] = subprocess.Popen(
                [str(Path(sys.executable).parent / program), *arguments],
                cwd=cwd,  # not the repository root: Dagster's CLI would load its `.env` over the environment
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped, with its children, by its PID
            )
    server = Webserver(processes["webserver"], port, logs["webserver"], data_dir, started)
    services = DagsterDev(server, processes["daemon"], logs["daemon"])
    try:
        yield services
    finally:
        services.stop()


def wait_for(what: str, check, timeout: float, services: DagsterDev, every: float = 1.0):
    """Poll `check()` until it returns something truthy; fail with both logs after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if services.daemon.poll() is not None:
            pytest.fail(f"dagster-daemon exited with {services.daemon.returncode}:\n{services.log_tail()}")
        if result := check():
            return result
        time.sleep(every)
    pytest.fail(f"{what}: not after {timeout}s:\n{services.log_tail()}")


def runs_tagged(server: Webserver, key: str, value: str) -> list[dict[str, Any]]:
    runs = server.graphql(RUNS_QUERY, {"filter": {"tags": [{"key": key, "value": value}]}})["runsOrError"]
    assert runs["__typename"] == "Runs", runs
    return runs["results"]


def publish_after(services: DagsterDev, key: str, value: str) -> str:
    """The one publish run launched after `value` (a run or a backfill), once it has ended: its run id."""
    server = services.webserver

    def ended() -> list[dict[str, Any]]:
        runs = runs_tagged(server, key, value)
        return runs if runs and all(run["status"] in FINISHED for run in runs) else []

    (run,) = wait_for(f"a publish after {value}", ended, PUBLISH_TIMEOUT, services)
    assert run["jobName"] == "publish_job", run
    assert run["status"] == "SUCCESS", f"{run}\n{describe_events(run_events(server, run['runId']))}"
    return run["runId"]


def published_by(data_dir: Path, publish_run: str) -> dict[str, dict[str, Any]]:
    """What one publish wrote to publish_log, per table, read from the serving file as a BI tool would."""
    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as connection:
        frame = connection.execute("select * from publish_log where run_id = ?", [publish_run]).df()
    return {row["table_name"]: row for row in frame.to_dict("records")}


def served_and_built(data_dir: Path, table: str) -> tuple[list[tuple], list[tuple]]:
    query = f"select * from {table} order by all"  # noqa: S608 - a table named by publish_log
    with duckdb.connect(str(data_dir / "serving.duckdb"), read_only=True) as connection:
        served = connection.execute(query).fetchall()
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        built = connection.execute(query).fetchall()
    return served, built


def test_ui_runs_and_backfills_publish_what_they_built(dagster_dev: DagsterDev):
    """As a user works in `make dev`: a backfill of every partition of everything but the serving assets, a
    partitioned job launched without a partition, and "Materialize" on one mart, each over the webserver's
    GraphQL API as the UI sends it; publish follows the backfill (once) and the one-mart run, nothing follows
    the refused run, and the serving file holds what they built."""
    server = dagster_dev.webserver
    location = wait_until_loaded(server)
    (repository,) = location["repositories"]
    names = {"repositoryLocationName": location["name"], "repositoryName": repository["name"]}

    def daemons_up() -> bool:
        statuses = server.graphql(DAEMONS_QUERY)["instance"]["daemonHealth"]["allDaemonStatuses"]
        needed = {"SENSOR", "BACKFILL", "QUEUED_RUN_COORDINATOR"}
        return needed <= {s["daemonType"] for s in statuses if s["healthy"]}

    def sensors_ticked() -> bool:  # a run status sensor only sees runs that end after its first tick
        for sensor in PUBLISH_SENSORS:
            state = server.graphql(SENSOR_QUERY, {"selector": {**names, "sensorName": sensor}})["sensorOrError"]
            assert state["__typename"] == "Sensor", state
            if state["sensorState"]["status"] != "RUNNING" or not state["sensorState"]["ticks"]:
                return False
        return True

    wait_for("the daemon", daemons_up, READY_TIMEOUT, dagster_dev)
    wait_for("the publish sensors' first ticks", sensors_ticked, READY_TIMEOUT, dagster_dev)
    nodes = server.graphql(ASSETS_QUERY)["assetNodes"]
    serving = {"publish", "convergence_report"}
    warehouse_assets = [node["assetKey"] for node in nodes if node["assetKey"]["path"][-1] not in serving]

    # 1. A backfill of every partition (the asset graph's Materialize on a selection, "All partitions")
    launched = server.graphql(
        BACKFILL_MUTATION, {"params": {"assetSelection": warehouse_assets, "allPartitions": True}}
    )["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", f"{launched}\n{dagster_dev.log_tail()}"
    backfill_id = launched["backfillId"]

    def backfill_ended() -> dict[str, Any] | None:
        backfill = server.graphql(BACKFILL_QUERY, {"id": backfill_id})["partitionBackfillOrError"]
        assert backfill["__typename"] == "PartitionBackfill", backfill
        return backfill if backfill["status"] in FINISHED_BACKFILL else None

    backfill = wait_for(f"backfill {backfill_id}", backfill_ended, BACKFILL_TIMEOUT, dagster_dev, every=2)
    backfill_runs = {run["runId"] for run in backfill["runs"]}
    failed = [r["runId"] for r in backfill["runs"] if r["status"] != "SUCCESS"]
    assert backfill["status"] == "COMPLETED_SUCCESS" and not failed, "\n".join(
        describe_events(run_events(server, run_id)) for run_id in failed
    )
    after_backfill = publish_after(dagster_dev, "miners/after_backfill", backfill_id)
    for run_id in backfill_runs:  # one publish for the backfill, none per run
        assert not runs_tagged(server, "miners/after_run", run_id)
    published = published_by(server.data_dir, after_backfill)
    assert published and {row["status"] for row in published.values()} == {"fresh"}, published
    assert {row["built_in_run_id"] for row in published.values()} <= backfill_runs
    for table in ("marts.mart_factor_exposure", "marts.mart_revenue_mix", "marts.mart_ai_capacity_exposure"):
        served, built = served_and_built(server.data_dir, table)
        assert served and served == built, table

    # 2. The Launchpad: all_assets_job without a partition is refused before any step, saying how to choose
    refused = server.graphql(
        LAUNCH_MUTATION,
        {"params": {"selector": {**names, "jobName": "all_assets_job"}, "runConfigData": {}, "mode": "default"}},
    )["launchRun"]
    assert refused["__typename"] == "LaunchRunSuccess", refused
    refused_id = refused["run"]["runId"]
    assert wait_for_run(server, refused_id) == "FAILURE"
    events = run_events(server, refused_id)
    assert not [e for e in events if e["__typename"] == "ExecutionStepStartEvent"]
    text = describe_events(events)
    assert "no partition was chosen, so nothing ran" in text and "partition selector" in text, text
    assert "CheckError" not in text

    # 3. Materialize on one mart (the asset graph's button: __ASSET_JOB, the mart and its checks)
    (mart,) = [node for node in nodes if node["assetKey"]["path"] == ["mart_factor_exposure"]]
    checks = [
        {"assetKey": {"path": ["mart_factor_exposure"]}, "name": check["name"]}
        for check in mart["assetChecksOrError"]["checks"]
    ]
    one = server.graphql(
        LAUNCH_MUTATION,
        {
            "params": {
                "selector": {
                    **names,
                    "jobName": "__ASSET_JOB",
                    "assetSelection": [{"path": ["mart_factor_exposure"]}],
                    "assetCheckSelection": checks,
                },
                "runConfigData": {},
                "mode": "default",
            }
        },
    )["launchRun"]
    assert one["__typename"] == "LaunchRunSuccess", one
    one_id = one["run"]["runId"]
    status = wait_for_run(server, one_id)
    assert status == "SUCCESS", describe_events(run_events(server, one_id))
    after_one = publish_after(dagster_dev, "miners/after_run", one_id)
    published = published_by(server.data_dir, after_one)
    assert published["marts.mart_factor_exposure"]["status"] == "fresh"
    assert published["marts.mart_factor_exposure"]["built_in_run_id"] == one_id
    served, built = served_and_built(server.data_dir, "marts.mart_factor_exposure")
    assert served and served == built
    assert not runs_tagged(server, "miners/after_run", refused_id)  # the refused run built nothing: no publish

    dagster_dev.stop()
    for process in (dagster_dev.webserver.process, dagster_dev.daemon):
        assert process.returncode is not None and not running_in_group(process.pid)
