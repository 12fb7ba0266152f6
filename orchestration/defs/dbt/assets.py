"""Every dbt seed, model and test as Dagster assets and checks, built by one `dbt build` per run.

The gates still gate, table by table, inside the one build:
- a raw table whose gate blocked (defs/quality/blocking.py) is left out of the build's selection with
  everything built from it (`--exclude source:<source>.<table>+`): the rest builds;
- a node that errors or a dbt test that fails skips only its descendants (dbt's own rule), and the step goes on
  to report what did build, so the marts' gates run on it; the error is logged, naming the node;
- a mart whose gate fails is withheld by publish with what it feeds (defs/serving/publish.py).
A new source or model needs nothing here.
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
from orchestration.defs.dbt.tables import gated_tables
from orchestration.defs.quality.blocking import GATE, gate_blocked, latest_evaluation
from orchestration.defs.resources import WAREHOUSE_POOL
from orchestration.defs.run_tags import DBT_FULL_REFRESH_TAG

DBT_BUILD = "dbt_build"  # the step's name


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

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project) -> dg.AssetCheckSpec | None:  # noqa: ANN001 - dagster-dbt's signature
        """A dbt test's check, never `blocking`: a failed test's descendants are dbt's to skip, while Dagster
        would fail the whole build step on it and so skip the gates of every mart it built."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return dg.AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=spec.description,
            additional_deps=spec.additional_deps,
            blocking=False,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
        )


# The raw sources carry no dbt tests (their GE gates hold the raw layer's checks); were one added, it stays a
# plain dbt test: as a Dagster check on a raw asset it would compete with that asset's blocking gate.
TRANSLATOR = Translator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=False)
)


def blocked_sources(instance: dg.DagsterInstance) -> dict[str, str]:
    """dbt selector -> why, for each raw table whose latest gate evaluation blocked: it ran before this step
    in the same run (the gate is `blocking`), or in an earlier run when this one did not load the table."""
    blocked = {}
    for table in gated_tables():
        if not table.is_source:
            continue
        event = latest_evaluation(instance, dg.AssetCheckKey(dg.AssetKey.from_user_string(table.asset_key), GATE))
        if event is not None and gate_blocked(event.asset_check_evaluation):
            blocked[table.dbt_selector] = f"{table.relation}: its gate failed in run {event.run_id}"
    return blocked


def build(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
    """`dbt build` of every node (or the subset a job selected), less what a blocked raw table feeds.

    dbt unit tests check SQL logic on fixed inputs, so they run in the test suite
    (tests/pipeline/test_dbt_unit_tests.py), not on every materialization, as dbt advises for production builds.
    The incremental models (macros/incremental_by_session.sql) update only what their new inputs reach, unless
    the run carries DBT_FULL_REFRESH_TAG. Each invocation's artefacts go to <target>/dbt_models-<step>-<run>-<id>,
    the folders `prune_invocation_folders` keeps the newest of; dbt's full log is the dbt.log there, whose path
    is logged.
    """
    # A subset of the build (the UI's Materialize on some models, an asset backfill's first runs on a new
    # warehouse) runs the tests whose parents are all built by then or upstream of what it builds: dbt's
    # `buildable` indirect selection. Its default, `eager`, also runs a test on a selected model whose other
    # parent is not selected, possibly never built. The whole build selects its tests directly, so this changes
    # nothing there; a DBT_INDIRECT_SELECTION of the user's wins.
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
    prune_invocation_folders(keep=KEEP_INVOCATION_FOLDERS - 1)  # room for this invocation's own
    folder = f"dbt_models-{context.op_execution_context.op.name}-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    args = ["build", "--exclude-resource-type", "unit_test"]
    if context.run.tags.get(DBT_FULL_REFRESH_TAG) == "true":  # incremental models rebuilt from scratch
        args.append("--full-refresh")
    if blocked := blocked_sources(context.instance):
        args += ["--exclude", *(f"{selector}+" for selector in blocked)]  # dbt adds it to the selection's own
        for why in blocked.values():
            context.log.warning(f"left out of this dbt build, with everything built from it: {why}")
    invocation = dbt.cli(args, context=context, target_path=DBT_TARGET_PATH / folder, raise_on_error=False)
    context.log.info(f"dbt's full log: {invocation.target_path / 'dbt.log'}")
    yield from stream(context, invocation, echo=context.run.tags.get(DBT_CONSOLE_TAG) != "quiet")
    if not invocation.is_successful():
        log = invocation.target_path / "dbt.log"
        context.log.error(f"dbt build: {failed_nodes(invocation)}; the rest built (dbt.log: {log})")


def failed_nodes(invocation: DbtCliInvocation) -> str:
    """The nodes dbt reports as errored or failed (their descendants it skipped), or dbt's own error."""
    if not (invocation.target_path / "run_results.json").is_file():  # dbt stopped before building anything
        return f"dbt failed before building: {invocation.get_error()}"
    results = invocation.get_artifact("run_results.json")["results"]
    failed = [f"{r['unique_id']} ({r['status']})" for r in results if r["status"] in ("error", "fail")]
    return f"{len(failed)} nodes failed and what they feed was skipped: {', '.join(failed)}"


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


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    name=DBT_BUILD,
    dagster_dbt_translator=TRANSLATOR,
    pool=WAREHOUSE_POOL,
)
def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
    yield from build(context, dbt)
