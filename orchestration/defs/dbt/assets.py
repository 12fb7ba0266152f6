"""Every dbt seed, model and test as Dagster assets and checks, built with one `dbt build`."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.dbt.command import KEEP_INVOCATION_FOLDERS, prune_invocation_folders
from orchestration.defs.dbt.project import dbt_project


class Translator(DagsterDbtTranslator):
    """Asset keys are the model names (`mart_factor_exposure`); groups are the folders."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":  # raw tables: key from the source's meta
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    # Source tests stay plain dbt tests inside `dbt build`: as Dagster checks on the raw assets they would
    # make Dagster stop waiting for those assets' blocking GE gates before running dbt.
    dagster_dbt_translator=Translator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=False)
    ),
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Seeds, staging views, intermediate and mart tables; dbt tests surface as asset checks.

    dbt unit tests check SQL logic on fixed inputs, so they run in the test suite
    (tests/pipeline/test_dbt_unit_tests.py), not on every materialization, as dbt advises for production builds.
    """
    prune_invocation_folders(keep=KEEP_INVOCATION_FOLDERS - 1)  # room for this invocation's own
    yield from dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context).stream()
