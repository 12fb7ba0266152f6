"""The dbt project handle and the dbt CLI resource, kept apart from @dbt_assets so
`dagster-dbt project prepare-and-package` can load them."""

from functools import cached_property
from typing import Any

import dbt.version
from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.defs.dbt.command import DBT_TARGET_PATH, parse
from orchestration.paths import DBT_PROJECT_DIR


class ManifestPreparer(DagsterDbtProjectPreparer):
    """`dbt parse` with this environment's dbt (the default preparer only looks on PATH)."""

    def prepare(self, project: DbtProject) -> None:
        parse(project.target_path)


class LocalDbtCliResource(DbtCliResource):
    """`DbtCliResource` for the dbt-core installed beside this Python.

    The stock resource spends about 2 s of every invocation on `dbt --version` in a subprocess and on
    building an in-process dbt adapter, which only column-metadata and row-count fetching use (this
    project uses neither). The version is read from the installed package instead, and no adapter is made.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(dbt.version.__version__)

    def _initialize_dbt_core_adapter(self, args: Any) -> None:  # type: ignore[override]
        return None


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_PATH)
manifest_preparer = ManifestPreparer()
manifest_preparer.prepare_if_dev(dbt_project)  # only under `dagster dev` / `dg dev`
