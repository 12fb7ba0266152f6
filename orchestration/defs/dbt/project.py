"""The dbt project handle, kept apart from @dbt_assets so `dagster-dbt project prepare-and-package` can load it."""

from dagster_dbt import DbtProject

from orchestration.paths import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
