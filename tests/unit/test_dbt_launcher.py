"""`miners-dbt` (the dbt the pipeline runs): `--version` answers without starting dbt; every other command is dbt's."""

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from orchestration.defs.dbt.command import dbt_executable

pytestmark = pytest.mark.unit


def test_version_names_the_installed_dbt_core_without_importing_dbt():
    probe = (
        "import sys; sys.argv = ['miners-dbt', '--version']\n"
        "from orchestration.defs.dbt.launcher import main; main()\n"
        "assert not [m for m in sys.modules if m == 'dbt' or m.startswith('dbt.')], 'dbt was imported'\n"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout  # noqa: S603
    # dagster-dbt reads the first version number of the answer (DbtCliResource, `--version`).
    assert re.search(r"(\d+\.\d+\.\d+)", answer).group(1) == version("dbt-core")


def test_the_pipeline_runs_the_launcher_and_it_hands_other_commands_to_dbt():
    executable = dbt_executable()
    assert Path(executable).name == "miners-dbt"
    answer = subprocess.run([executable, "--help"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "Usage: miners-dbt" in answer
    assert re.search(r"^\s+build\s", answer, re.MULTILINE), answer
