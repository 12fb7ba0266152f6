"""Which ended runs and backfills the publish sensors publish after (the webserver test runs them for real)."""

import dagster as dg

from orchestration.defs.run_tags import BACKFILL_TAG, CLI_RUN_TAGS
from orchestration.defs.serving.sensors import backfill_needs_publish, no_publish_needed, publish_after_backfill_sensor


@dg.asset
def a_mart() -> None:
    """Stands in for a warehouse asset."""


@dg.asset(key="publish", deps=[a_mart])
def a_publish() -> None:
    """Has publish's key: a run that materialized it published itself."""


def run(instance: dg.DagsterInstance, *assets: dg.AssetsDefinition, **tags: str) -> dg.DagsterRun:
    result = dg.materialize(list(assets), instance=instance, tags=tags, selection=list(assets))
    return instance.get_run_by_id(result.run_id)


def test_a_run_that_built_warehouse_assets_is_published_after(dbt_manifest):
    instance = dg.DagsterInstance.ephemeral()
    assert no_publish_needed(instance, run(instance, a_mart)) is None
    assert no_publish_needed(instance, run(instance, a_mart, **CLI_RUN_TAGS)).startswith("it was started by `miners")
    assert no_publish_needed(instance, run(instance, a_mart, **{BACKFILL_TAG: "abc"})).startswith("it belongs to")
    assert no_publish_needed(instance, run(instance, a_mart, a_publish)) == "it published itself"
    never_started = instance.create_run_for_job(
        dg.define_asset_job("j", [a_mart]).resolve(asset_graph=dg.Definitions(assets=[a_mart]).resolve_asset_graph())
    )
    assert no_publish_needed(instance, never_started) == "it started no step"


def test_a_backfill_is_published_after_once_unless_it_published(dbt_manifest):
    instance = dg.DagsterInstance.ephemeral()
    assert not backfill_needs_publish(instance, "none")  # no runs
    run(instance, a_mart, **{BACKFILL_TAG: "built"})
    assert backfill_needs_publish(instance, "built")
    run(instance, a_mart, **{BACKFILL_TAG: "published"})
    run(instance, a_publish, **{BACKFILL_TAG: "published"})
    assert not backfill_needs_publish(instance, "published")
    # the first evaluation only sets the cursor: backfills that ended before it are not published again
    result = publish_after_backfill_sensor(dg.build_sensor_context(instance=instance))
    assert not result.run_requests and float(result.cursor) > 0
