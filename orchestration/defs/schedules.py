"""Schedules: market data and the network's daily statistics after the US close on weekdays, SEC filings every
morning.

The marts are in both jobs' selections (everything downstream of the raw assets), so they follow their
inputs: a run that loads new data rebuilds and gates what depends on it, and `publish_job` follows the run
(launched by the publish sensors, defs/serving/sensors.py) whatever its outcome.
"""

from datetime import timedelta

import dagster as dg

from orchestration.defs.ingest.partitions import partition_range_tags
from orchestration.defs.jobs import market_data_job
from orchestration.defs.sec.jobs import sec_filings_job


@dg.schedule(
    job=market_data_job,
    cron_schedule="30 18 * * 1-5",
    execution_timezone="America/New_York",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Weekdays 18:30 New York: the current month's partition (today's bars with it), and on a Monday "
    "whose weekend fell in the previous month, that month's too (bitcoin trades every day).",
)
def market_after_close_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    today = context.scheduled_execution_time.date()
    # Monday's run also covers Saturday and Sunday: their month, when they ended the previous one.
    start = today - timedelta(days=2) if today.weekday() == 0 else today
    return dg.RunRequest(run_key=f"market-{today.isoformat()}", tags=partition_range_tags(start, today))


sec_daily_schedule = dg.ScheduleDefinition(
    name="sec_daily_schedule",
    job=sec_filings_job,
    cron_schedule="0 7 * * *",
    execution_timezone="America/New_York",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day 07:00 New York: new filings of the universe, then the revenue and AI-capacity marts "
    "(publish_job follows; the sensor catches filings during the day).",
)
