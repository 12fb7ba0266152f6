"""Publish after every pipeline run, whatever its outcome: the runs Dagster starts (schedules, sensors, UI).

`miners run` publishes itself (it runs `publish_job` next, in the same process), so the runs it tags are
skipped here. A run that failed still publishes: a failed gate withholds only what it taints, and `publish`
serves every other table fresh and carries the tainted ones over from the previous publish, marked stale.
"""

import dagster as dg

from orchestration.cli import CLI_RUN_TAGS
from orchestration.defs.jobs import all_assets_job, market_data_job, publish_job
from orchestration.defs.sec.jobs import sec_filings_job

# On a publish run: the pipeline run it follows.
AFTER_RUN_TAG = "miners/after_run"
PIPELINE_JOBS = [all_assets_job, market_data_job, sec_filings_job]


def publish_request(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    run = context.dagster_run
    if all(run.tags.get(name) == value for name, value in CLI_RUN_TAGS.items()):
        return dg.SkipReason(f"run {run.run_id} was started by `miners run`, which publishes after it itself")
    return dg.RunRequest(run_key=f"publish-after-{run.run_id}", tags={AFTER_RUN_TAG: run.run_id})


def _sensor(status: dg.DagsterRunStatus, name: str) -> dg.RunStatusSensorDefinition:
    @dg.run_status_sensor(
        run_status=status,
        name=name,
        monitored_jobs=PIPELINE_JOBS,
        request_job=publish_job,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"When {', '.join(job.name for job in PIPELINE_JOBS)} ends {status.value}, launches "
        "publish_job: each mart's last good version to serving.duckdb and Parquet, then the report.",
    )
    def _publish(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
        return publish_request(context)

    return _publish


publish_after_success_sensor = _sensor(dg.DagsterRunStatus.SUCCESS, "publish_after_success_sensor")
publish_after_failure_sensor = _sensor(dg.DagsterRunStatus.FAILURE, "publish_after_failure_sensor")
publish_sensors = [publish_after_success_sensor, publish_after_failure_sensor]
