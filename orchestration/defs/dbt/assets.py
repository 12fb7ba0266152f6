"""Every dbt seed, model and test as Dagster assets and checks, built in three `dbt build` steps.

The steps are cut by which raw data a node reads, a rule stated once in `DBT_STEPS` (dbt selection syntax),
so a bad batch withholds only what it taints: Dagster abandons a step when a step it waits for failed, and a
failed blocking gate fails its step.

- `dbt_market`: everything that reads no SEC data (seeds, reference and Yahoo staging, the market
  intermediates and marts, and marts built from seeds alone). It waits for `raw_market_prices`' gate only.
- `dbt_sec`: what reads SEC data and no market data (SEC staging, `int_revenue_*`, the revenue marts). It
  waits for the SEC gates and for the reference models of `dbt_market`.
- `dbt_market_sec`: what reads both (`mart_ai_capacity_exposure`). It waits for both steps, so a failed
  mart gate on either side stops it and nothing else.

A new model lands in its step by what it reads: no list of model names to keep up to date.
"""

import contextlib
import io
import os
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliInvocation, DbtCliResource, dbt_assets

from orchestration.defs.dbt.command import (
    DBT_CONSOLE_TAG,
    DBT_TARGET_PATH,
    KEEP_INVOCATION_FOLDERS,
    prune_invocation_folders,
)
from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.resources import WAREHOUSE_POOL

MARKET_DATA = "source:yahoo+"  # the market bars and every node built from them
SEC_DATA = "source:sec+"  # the SEC tables and every node built from them
# step name -> (dbt select, dbt exclude)
DBT_STEPS: dict[str, tuple[str, str | None]] = {
    "dbt_market": ("fqn:*", SEC_DATA),
    "dbt_sec": (SEC_DATA, MARKET_DATA),
    "dbt_market_sec": (f"{SEC_DATA},{MARKET_DATA}", None),  # dbt: a comma intersects
}


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


# Source tests stay plain dbt tests inside `dbt build`: as Dagster checks on the raw assets they would
# make Dagster stop waiting for those assets' blocking GE gates before running dbt.
TRANSLATOR = Translator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=False)
)


def build(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
    """`dbt build` of this step's nodes (or the subset a job selected).

    dbt unit tests check SQL logic on fixed inputs, so they run in the test suite
    (tests/pipeline/test_dbt_unit_tests.py), not on every materialization, as dbt advises for production builds.
    Each invocation's artefacts go to <target>/dbt_models-<step>-<run>-<id>, the folders
    `prune_invocation_folders` keeps the newest of; dbt's full log is the dbt.log there, whose path is logged.
    """
    # A subset of a step (the UI's Materialize on some models, an asset backfill's first runs on a new warehouse)
    # runs the tests whose parents are all built by then or upstream of what it builds: dbt's `buildable`
    # indirect selection. Its default, `eager`, also runs a test on a selected model whose other parent is
    # another step's, possibly never built. A whole step selects its tests directly, so this changes nothing
    # there; a DBT_INDIRECT_SELECTION of the user's wins.
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
    prune_invocation_folders(keep=KEEP_INVOCATION_FOLDERS - 1)  # room for this invocation's own
    folder = f"dbt_models-{context.op_execution_context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    args = ["build", "--exclude-resource-type", "unit_test"]
    invocation = dbt.cli(args, context=context, target_path=DBT_TARGET_PATH / folder)
    context.log.info(f"dbt's full log: {invocation.target_path / 'dbt.log'}")
    yield from stream(context, invocation, echo=context.run.tags.get(DBT_CONSOLE_TAG) != "quiet")


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def stream(context: dg.AssetExecutionContext, invocation: DbtCliInvocation, echo: bool) -> Iterator:
    """dagster-dbt's `invocation.stream()`, with dbt's warnings and errors also logged as such (they name the
    node), and, unless `echo`, dbt's console lines (one or two per node) kept out of stdout: dbt.log has them."""
    console = contextlib.nullcontext() if echo else contextlib.redirect_stdout(_Discard())
    events = invocation.stream_raw_events()  # dagster-dbt writes each event's text to sys.stdout
    while True:
        with console:  # only while dbt's next line is read: Dagster and the progress logger write freely
            event = next(events, None)
        if event is None:
            return
        level = event.raw_event["info"]["level"]
        if level == "warn":
            context.log.warning(f"dbt: {event}")
        elif level == "error":
            context.log.error(f"dbt: {event}")
        yield from event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=context,
            target_path=invocation.target_path,
            project=invocation.project,
        )


def dbt_step(name: str) -> dg.AssetsDefinition:
    select, exclude = DBT_STEPS[name]

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        name=name,
        select=select,
        exclude=exclude,
        dagster_dbt_translator=TRANSLATOR,
        pool=WAREHOUSE_POOL,
    )
    def _models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from build(context, dbt)

    return _models


dbt_market, dbt_sec, dbt_market_sec = (dbt_step(name) for name in DBT_STEPS)
dbt_models = [dbt_market, dbt_sec, dbt_market_sec]
