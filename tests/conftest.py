"""Shared fixtures. Tests are offline: the snapshot source replays recorded responses, nothing is fetched."""

import os
from pathlib import Path

import pytest

from orchestration.settings import SETTING_DEFAULTS
from tests.pipeline_run import pipeline  # noqa: F401 - the session's whole-graph run, shared by test folders

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(TESTS).as_posix()
        fixtures = set(getattr(item, "fixturenames", ()))
        if where.startswith("unit/"):
            item.add_marker(pytest.mark.unit)
        if where.startswith(PIPELINE_FOLDERS) or fixtures & PIPELINE_FIXTURES:
            item.add_marker(pytest.mark.pipeline)
        if fixtures & SLOW_FIXTURES or any(
            where.startswith(place) or f"{where}::{item.originalname}" == place for place in SLOW
        ):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def session_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One warehouse for the whole session's end-to-end pipeline run; settings point Dagster at it."""
    data_dir = tmp_path_factory.mktemp("warehouse")
    os.environ.update(SETTING_DEFAULTS, MINERS_DATA_DIR=str(data_dir))
    return data_dir


def pytest_sessionstart(session: pytest.Session) -> None:
    """`dbt parse` before collection: the definitions (the dbt assets, the gates, publish's list) are derived
    from dbt's manifest when their modules are imported, and test modules import them."""
    from orchestration.defs.dbt.project import dbt_project, manifest_preparer

    manifest_preparer.prepare(dbt_project)


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
