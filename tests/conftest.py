"""Shared fixtures. Tests are offline: the snapshot source replays recorded responses, nothing is fetched."""

import os
from pathlib import Path

import pytest

from orchestration.settings import SETTING_DEFAULTS
from tests.pipeline_run import pipeline  # noqa: F401 - the session's whole-graph run, shared by test folders

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "real"


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
