"""Freshness policies on the raw assets: the UI marks an asset failing its freshness when data stops arriving.

Dagster's freshness daemon (run by `dagster dev`) evaluates them; no checks, sensor or job step are needed.
"""

from collections.abc import Sequence
from datetime import timedelta

import dagster as dg

from orchestration.defs.sec.assets import SEC_TABLE_ASSETS

# Market bars: yesterday's session must be loaded by 20:00 New York on weekdays (the schedule runs 18:30).
MARKET_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 20 * * 1-5", lower_bound_delta=timedelta(days=1), timezone="America/New_York"
)
# SEC filings: loaded within the last two days (the daily refresh runs at 07:00). A cron policy cannot say
# this: its lower bound may not exceed the cron's interval.
SEC_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=2))
# The network's daily statistics load with the market bars (market_data_job, after the close): the same deadline.
FRESHNESS_POLICIES = {
    "raw_market_prices": MARKET_FRESHNESS,
    "raw_network_daily": MARKET_FRESHNESS,
    **dict.fromkeys(SEC_TABLE_ASSETS, SEC_FRESHNESS),
}


def with_freshness_policies(assets: Sequence[dg.AssetsDefinition]) -> Sequence[dg.AssetsDefinition]:
    """`assets` with the policy above attached to each asset it names."""

    def attach(spec: dg.AssetSpec) -> dg.AssetSpec:
        policy = FRESHNESS_POLICIES.get(spec.key.to_user_string())
        return dg.apply_freshness_policy(spec, policy) if policy else spec

    return dg.map_asset_specs(attach, assets)
