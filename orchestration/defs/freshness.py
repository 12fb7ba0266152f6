"""Freshness checks on the raw assets: a warning in the UI when the data stops arriving."""

from datetime import timedelta

import dagster as dg

from orchestration.defs.sec.assets import SEC_ASSETS

# Market bars: yesterday's session must be loaded by 20:00 New York on weekdays (the schedule runs 18:30).
market_freshness_checks = dg.build_last_update_freshness_checks(
    assets=["raw_market_prices"],
    lower_bound_delta=timedelta(days=1),
    deadline_cron="0 20 * * 1-5",
    timezone="America/New_York",
)
# SEC filings: loaded within the last two days, checked after the 07:00 refresh.
sec_freshness_checks = dg.build_last_update_freshness_checks(
    assets=list(SEC_ASSETS),
    lower_bound_delta=timedelta(days=2),
    deadline_cron="0 8 * * *",
    timezone="America/New_York",
)
freshness_checks = [*market_freshness_checks, *sec_freshness_checks]
freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=freshness_checks, name="freshness_checks_sensor"
)
