"""Market data is partitioned by calendar day (bitcoin trades every day; equities on US sessions)."""

import dagster as dg

from orchestration.settings import setting

# First partition: MINERS_HISTORY_START, read when the definitions load, like the partition set.
HISTORY_START = setting("MINERS_HISTORY_START")

# end_offset=1: today's partition exists, so the after-close schedule can load today's bars.
daily_partitions = dg.DailyPartitionsDefinition(start_date=HISTORY_START, timezone="America/New_York", end_offset=1)


def partition_range_tags(start: object, end: object) -> dict[str, str]:
    """Run tags that make one run cover partitions `start`..`end` (a single-run backfill)."""
    return {"dagster/asset_partition_range_start": str(start), "dagster/asset_partition_range_end": str(end)}
