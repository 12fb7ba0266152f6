"""Market data is partitioned by calendar month (New York time): one partition per month since HISTORY_START.

Months, not days: a five-year history is 60 partitions instead of 1,800, and every partition a run covers is
events in Dagster's SQLite storage, each written in its own transaction.
"""

from datetime import date

import dagster as dg

from orchestration.settings import setting

# First day of the market history: MINERS_HISTORY_START, read when the definitions load, like the partition
# set. The first partition is the month containing it.
HISTORY_START = setting("MINERS_HISTORY_START")


def month_key(day: date) -> str:
    """The key of the partition holding `day`: its month's first day, ISO-formatted."""
    return day.replace(day=1).isoformat()


# end_offset=1: the current month's partition exists, so the after-close schedule can load today's bars.
monthly_partitions = dg.MonthlyPartitionsDefinition(
    start_date=month_key(date.fromisoformat(HISTORY_START)), timezone="America/New_York", end_offset=1
)


def partition_range_tags(start: date | str, end: date | str) -> dict[str, str]:
    """Run tags that make one run cover the months containing days `start`..`end` (a single-run backfill)."""
    return {
        "dagster/asset_partition_range_start": month_key(date.fromisoformat(str(start))),
        "dagster/asset_partition_range_end": month_key(date.fromisoformat(str(end))),
    }
