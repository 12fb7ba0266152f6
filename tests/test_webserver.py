"""The real Dagster webserver, on loopback: it serves every asset and check, and a run launched over GraphQL lands.

The server is `dagster-webserver` alone, not `dagster dev`: `dagster dev` sets DAGSTER_IS_DEV_CLI, so each code
server and run worker would `dbt parse` again (`DbtProject.prepare_if_dev()`), and it also starts a daemon and a
second code server; measured here it took more than twice as long to load and to run.
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

import duckdb
import pytest
import requests

from orchestration.paths import PROJECT_ROOT
from orchestration.settings import offline_env
from tests.expected import gated_assets

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
