"""The dbt project handle and its manifest preparer, kept apart from @dbt_assets so
`dagster-dbt project prepare-and-package` can load them."""

from dagster_dbt import DagsterDbtProjectPreparer, DbtProject

from orchestration.defs.dbt.command import DBT_TARGET_PATH, parse
from orchestration.paths import DBT_PROJECT_DIR


class ManifestPreparer(DagsterDbtProjectPreparer):
    """`dbt parse` with this environment's dbt (the default preparer only looks on PATH)."""

    def prepare(self, project: DbtProject) -> None:
        parse(project.target_path)


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_PATH)
manifest_preparer = ManifestPreparer()
manifest_preparer.prepare_if_dev(dbt_project)  # only under `dagster dev` / `dg dev`
