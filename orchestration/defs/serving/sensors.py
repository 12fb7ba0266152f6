"""Publish after every run that built warehouse assets, however it started, whatever its outcome.

Runs Dagster starts (the Launchpad, "Materialize" on a selection in the asset graph, which runs as
`__ASSET_JOB`, schedules, sensors): `publish_after_success_sensor` and `publish_after_failure_sensor` watch
every job of this code location and launch `publish_job` after each run, except a run that

- was started by `miners run`, which publishes after its runs itself, in its own process;
- published itself (it selected `publish`, as "Materialize all" does, and `publish` ran);
- selected nothing but the serving assets (`publish_job` itself, the report alone);
- started no step at all (refused before any step, e.g. a partitioned job launched without partitions);
- belongs to a backfill: `publish_after_backfill_sensor` publishes once after the backfill's last run.

A run that failed still publishes: a failed gate or load withholds only what it taints, and `publish` serves
every other table fresh and carries the tainted ones over from the previous publish, marked stale with why.
"""

import time

import dagster as dg

from orchestration.defs.jobs import publish_job
from orchestration.defs.run_tags import AFTER_BACKFILL_TAG, AFTER_RUN_TAG, BACKFILL_TAG, CLI_RUN_TAGS
from orchestration.defs.serving.publish import publish
from orchestration.defs.serving.report import convergence_report

SERVING_ASSETS = frozenset({publish.key, convergence_report.key})
# A backfill in one of these states has launched its last run and every run of it has ended.
BACKFILL_ENDED = frozenset({"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"})
BACKFILLS_LOOKED_AT = 50  # the newest backfills, enough for any that ended since the last evaluation
EVALUATION_SECONDS = 10  # how soon a publish follows a run (each evaluation is a few event-log reads)


def _published_itself(instance: dg.DagsterInstance, run_id: str) -> bool:
    materialized = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    events = (record.event_log_entry.dagster_event for record in materialized)
    return any(event is not None and event.asset_key == publish.key for event in events)


def _started_a_step(instance: dg.DagsterInstance, run_id: str) -> bool:
    return bool(instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_START, limit=1).records)


def no_publish_needed(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str | None:
    """Why the run needs no publish after it from the run status sensors, or None when it does."""
    if all(run.tags.get(name) == value for name, value in CLI_RUN_TAGS.items()):
        return "it was started by `miners run`, which publishes after it itself"
    if run.tags.get(BACKFILL_TAG):
        return f"it belongs to backfill {run.tags[BACKFILL_TAG]}: publish_after_backfill_sensor publishes after it"
    if run.job_name == publish_job.name or (run.asset_selection and run.asset_selection <= SERVING_ASSETS):
        return "it built no warehouse asset"
    if not _started_a_step(instance, run.run_id):
        return "it started no step"
    if _published_itself(instance, run.run_id):
        return "it published itself"
    return None


def publish_request(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    run = context.dagster_run
    if why := no_publish_needed(context.instance, run):
        return dg.SkipReason(f"no publish after run {run.run_id}: {why}")
    return dg.RunRequest(run_key=f"publish-after-{run.run_id}", tags={AFTER_RUN_TAG: run.run_id})


def _sensor(status: dg.DagsterRunStatus, name: str) -> dg.RunStatusSensorDefinition:
    # No `monitored_jobs`: every job of this code location, `__ASSET_JOB` (the UI's "Materialize") included.
    @dg.run_status_sensor(
        run_status=status,
        name=name,
        request_job=publish_job,
        minimum_interval_seconds=EVALUATION_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"When a run that built warehouse assets ends {status.value} (any job, the UI's "
        "Materialize included; not a backfill's runs, nor `miners run`'s), launches publish_job: each mart's "
        "last good version to serving.duckdb and Parquet, then the report.",
    )
    def _publish(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
        return publish_request(context)

    return _publish


def backfill_needs_publish(instance: dg.DagsterInstance, backfill_id: str) -> bool:
    """Whether a backfill's runs built something and none of them published."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags={BACKFILL_TAG: backfill_id}))
    return any(_started_a_step(instance, run.run_id) for run in runs) and not any(
        _published_itself(instance, run.run_id) for run in runs
    )


@dg.sensor(
    name="publish_after_backfill_sensor",
    job=publish_job,
    minimum_interval_seconds=EVALUATION_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="When a backfill ends (its last run done, whatever the outcome), launches publish_job once for "
    "all its runs, unless one of them published already.",
)
def publish_after_backfill_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    # The cursor: the end time of the newest backfill handled. First evaluation: backfills ending from now on.
    since = float(context.cursor) if context.cursor else time.time()
    ended = [
        backfill
        for backfill in context.instance.get_backfills(limit=BACKFILLS_LOOKED_AT)
        if backfill.status.value in BACKFILL_ENDED and (backfill.backfill_end_timestamp or 0) > since
    ]
    cursor = str(max([since, *(backfill.backfill_end_timestamp for backfill in ended)]))
    to_publish = sorted(b.backfill_id for b in ended if backfill_needs_publish(context.instance, b.backfill_id))
    if not to_publish:
        return dg.SensorResult(skip_reason=dg.SkipReason("no backfill that built something has ended"), cursor=cursor)
    ids = ",".join(to_publish)
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"publish-after-backfill-{ids}", tags={AFTER_BACKFILL_TAG: ids})],
        cursor=cursor,
    )


publish_after_success_sensor = _sensor(dg.DagsterRunStatus.SUCCESS, "publish_after_success_sensor")
publish_after_failure_sensor = _sensor(dg.DagsterRunStatus.FAILURE, "publish_after_failure_sensor")
publish_sensors = [publish_after_success_sensor, publish_after_failure_sensor, publish_after_backfill_sensor]
