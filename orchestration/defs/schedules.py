"""Schedules: market data after the US close on weekdays."""

from datetime import timedelta

import dagster as dg

from orchestration.defs.ingest.partitions import partition_range_tags
from orchestration.defs.jobs import market_data_job


@dg.schedule(
    job=market_data_job,
    cron_schedule="30 18 * * 1-5",
    execution_timezone="America/New_York",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Weekdays 18:30 New York: today's bars and, on Mondays, the weekend's bitcoin bars.",
)
def market_after_close_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    today = context.scheduled_execution_time.date()
    # Monday's run also covers Saturday and Sunday (bitcoin trades every day).
    start = today - timedelta(days=2) if today.weekday() == 0 else today
    return dg.RunRequest(
        run_key=f"market-{today.isoformat()}",
        tags=partition_range_tags(start, today),
    )
