"""Jobs: the whole pipeline, the market slice that the after-close schedule runs (market bars and the network's
daily statistics), and the publish that follows.

The pipeline jobs build and gate; they leave out the `serving` group. `publish_job` (publish and the report)
runs after each of them whatever its outcome: `miners run` runs it next in the same process, and the sensors in
defs/serving/sensors.py launch it after runs started anywhere else (schedules, sensors, the UI's Launchpad and
Materialize, once per backfill). Run apart, a failed gate cannot abandon publish: publish serves what passed and
carries over the rest.
"""

import dagster as dg

SERVING = dg.AssetSelection.groups("serving")

all_assets_job = dg.define_asset_job(
    "all_assets_job",
    selection=dg.AssetSelection.all() - SERVING,
    description="Everything but publish: extract, dbt (seeds, models, tests) and every gate; publish_job follows.",
)

market_data_job = dg.define_asset_job(
    "market_data_job",
    selection=dg.AssetSelection.assets("raw_market_prices", "raw_network_daily").downstream() - SERVING,
    description="New market bars and network statistics, and everything built from them; publish_job follows.",
)

publish_job = dg.define_asset_job(
    "publish_job",
    selection=SERVING,
    description="Publish each mart's last good version to serving.duckdb and Parquet (stale ones marked, with "
    "the reason), then the convergence report. Runs after every pipeline run, whatever its outcome.",
)
