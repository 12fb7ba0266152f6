"""Market data is partitioned by calendar day (bitcoin trades every day; equities on US sessions)."""

import dagster as dg

HISTORY_START = "2022-01-01"

# end_offset=1: today's partition exists, so the after-close schedule can load today's bars.
daily_partitions = dg.DailyPartitionsDefinition(start_date=HISTORY_START, timezone="America/New_York", end_offset=1)
