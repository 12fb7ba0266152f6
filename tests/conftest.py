"""Shared fixtures. Tests are offline: the snapshot source replays recorded responses, nothing is fetched.

`make test` runs the suite on two pytest-xdist workers (pyproject.toml's addopts). The main process parses the dbt
project before the workers start; each worker gets its own dbt target folder, seeded with that manifest, so one
worker's dbt invocations never prune or rewrite another's. Tests that share a costly fixture run on one worker
(`xdist_group`, below): the session's pipeline run and the real-data run happen once each.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from orchestration.paths import DBT_DEFAULT_TARGET_DIR

if os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("DBT_TARGET_PATH"):
    # before anything reads DBT_TARGET_PATH (orchestration/defs/dbt/command.py)
    _worker_target = Path(tempfile.mkdtemp(prefix=f"dbt_target_{os.environ['PYTEST_XDIST_WORKER']}_"))
    for _artefact in ("manifest.json", "partial_parse.msgpack"):
        shutil.copy(DBT_DEFAULT_TARGET_DIR / _artefact, _worker_target / _artefact)
    os.environ["DBT_TARGET_PATH"] = str(_worker_target)


from orchestration.settings import SETTING_DEFAULTS  # noqa: E402 - after the worker's target folder is set
from tests.pipeline_run import pipeline  # noqa: E402, F401 - the session's whole-graph run, shared by test folders

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "real"
TESTS = Path(__file__).resolve().parent

# Test tiers, registered in pyproject.toml: `make test-fast` runs `not slow and not pipeline`, `make test` all.
PIPELINE_FOLDERS = ("pipeline/", "real_data/")
PIPELINE_FIXTURES = {"pipeline", "dbt_manifest"}  # the session's whole-graph run; `dbt parse`
SLOW = {  # a folder, a file or a file::test (under tests/) -> why it takes long
    "reliability/": "fault injection: loopback servers, SIGKILL, concurrent readers, reruns",
    "real_data/": "`make run` on the real files",
    "pipeline/test_trimmed_universe.py": "`miners run` on a copy of the project with three companies",
    "test_webserver.py": "starts the Dagster web server",
    "test_benchmark_p3_agreement.py": "the P3 benchmark checked against statsmodels",
    "test_instance_storage.py": "the same runs on two instance storages",
    "test_definitions.py::test_dg_check_defs": "`dg check defs` in a subprocess",
}
SLOW_FIXTURES = {"arelle_cntlr"}  # the XBRL parser checked against Arelle


# Session fixtures too costly to build on each worker: the tests that use one run on the same worker.
SHARED_SESSION_FIXTURES = ("pipeline", "real_run")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    groups: dict[pytest.Item, str] = {}
    for item in items:
        where = item.path.relative_to(TESTS).as_posix()
        fixtures = set(getattr(item, "fixturenames", ()))
        # a shared session fixture's group, else the module's (its module-scoped fixtures are built once)
        group = next((name for name in SHARED_SESSION_FIXTURES if name in fixtures), where)
        item.add_marker(pytest.mark.xdist_group(group))
        groups[item] = group
        if where.startswith("unit/"):
            item.add_marker(pytest.mark.unit)
        if where.startswith(PIPELINE_FOLDERS) or fixtures & PIPELINE_FIXTURES:
            item.add_marker(pytest.mark.pipeline)
        if fixtures & SLOW_FIXTURES or any(
            where.startswith(place) or f"{where}::{item.originalname}" == place for place in SLOW
        ):
            item.add_marker(pytest.mark.slow)
    # Groups with a slow test first: the workers start on the long ones and fill in with the short ones,
    # instead of one worker ending the suite alone on a long test. Within a group, the order is kept.
    slow_groups = {groups[item] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: groups[item] not in slow_groups)


@pytest.fixture(scope="session")
def session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One warehouse for the whole session's end-to-end pipeline run; settings point Dagster at it."""
    data_dir = tmp_path_factory.mktemp("warehouse")
    os.environ.update(SETTING_DEFAULTS, MINERS_DATA_DIR=str(data_dir))
    return data_dir


def pytest_sessionstart(session: pytest.Session) -> None:
    """`dbt parse` before collection: the definitions (the dbt assets, the gates, publish's list) are derived
    from dbt's manifest when their modules are imported, and test modules import them. A worker's target
    folder holds the main process's manifest already."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from orchestration.defs.dbt.project import dbt_project, manifest_preparer

    manifest_preparer.prepare(dbt_project)


def pytest_unconfigure(config: pytest.Config) -> None:
    """A worker's own dbt target folder goes with it."""
    if "_worker_target" in globals():
        shutil.rmtree(_worker_target, ignore_errors=True)


@pytest.fixture(scope="session")
def dbt_manifest(session_data_dir: Path) -> Path:
    """dbt's manifest (written at session start), with the session's settings applied."""
    from orchestration.defs.dbt.project import dbt_project

    return dbt_project.manifest_path


@pytest.fixture
def real_prices_dir() -> Path:
    folder = REAL_DATA / "prices"
    if not folder.is_dir():
        pytest.skip("shared real price files are not available here")
    return folder


@pytest.fixture
def real_sec_dir() -> Path:
    folder = REAL_DATA / "sec"
    if not folder.is_dir():
        pytest.skip("shared real SEC filings are not available here")
    return folder
