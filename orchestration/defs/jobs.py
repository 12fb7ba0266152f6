"""Jobs: the whole pipeline, and the market slice that the after-close schedule runs."""

import dagster as dg

from orchestration.defs.ingest.partitions import daily_partitions

all_assets_job = dg.define_asset_job(
    "all_assets_job",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Everything: extract, dbt (seeds, models, tests) and every gate.",
)

market_data_job = dg.define_asset_job(
    "market_data_job",
    selection=dg.AssetSelection.assets("raw_market_prices").downstream(),
    partitions_def=daily_partitions,
    description="New market bars and everything built from them.",
)
