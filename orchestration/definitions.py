"""The code location: assembles the definitions under orchestration/defs."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.assets import dbt_executable, dbt_models
from orchestration.defs.dbt.checks import mart_event_reactions_gate, mart_factor_exposure_gate
from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.ingest.assets import raw_market_prices
from orchestration.defs.ingest.checks import raw_market_prices_gate
from orchestration.defs.jobs import all_assets_job, market_data_job
from orchestration.defs.resources import MarketDataResource, WarehouseResource
from orchestration.defs.schedules import market_after_close_schedule

defs = dg.Definitions(
    assets=[raw_market_prices, dbt_models],
    asset_checks=[raw_market_prices_gate, mart_factor_exposure_gate, mart_event_reactions_gate],
    jobs=[all_assets_job, market_data_job],
    schedules=[market_after_close_schedule],
    resources={
        "warehouse": WarehouseResource(data_dir=dg.EnvVar("MINERS_DATA_DIR")),
        "market_data": MarketDataResource(source=dg.EnvVar("MINERS_SOURCE"), csv_dir=dg.EnvVar("MINERS_CSV_DIR")),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    },
    executor=dg.in_process_executor,
)
