"""Run tags that `miners run`, the publish sensors and publish itself share (one place, so they cannot drift).

Plain constants: the CLI imports this module before it loads any definition.
"""

# Tags the runs `miners run` starts: they execute in its process, which publishes after them itself.
CLI_RUN_TAGS = {"miners/launched_by": "cli"}

# On every run a `miners run` process starts: the lock file it holds while it lives (see `cli.hold_process_lock`).
PROCESS_LOCK_TAG = "miners/process_lock"

# On a publish run: the pipeline run it follows, or the backfills whose runs it follows (comma-separated ids).
AFTER_RUN_TAG = "miners/after_run"
AFTER_BACKFILL_TAG = "miners/after_backfill"

# Dagster's own tag on every run of a backfill (asset or job backfill): its backfill id.
BACKFILL_TAG = "dagster/backfill"

# On a run whose dbt build rebuilds every incremental model from scratch (`miners run --full-refresh`; in the
# UI, add the tag with the value "true" in the Launchpad).
DBT_FULL_REFRESH_TAG = "miners/dbt_full_refresh"
