"""The dbt project handle, kept apart from @dbt_assets so `dagster-dbt project prepare-and-package` can load it."""

import shutil
import sys
from pathlib import Path

from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject

from orchestration.paths import DBT_PROJECT_DIR


def dbt_executable() -> str:
    """dbt from this environment, even when its bin folder is not on PATH (e.g. `.venv/bin/dagster dev`)."""
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else (shutil.which("dbt") or "dbt")


class ManifestPreparer(DagsterDbtProjectPreparer):
    """`dbt parse` with this environment's dbt (the default preparer only looks on PATH)."""

    def prepare(self, project: DbtProject) -> None:
        DbtCliResource(project_dir=project, dbt_executable=dbt_executable()).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
manifest_preparer = ManifestPreparer()
manifest_preparer.prepare_if_dev(dbt_project)  # only under `dagster dev` / `dg dev`
