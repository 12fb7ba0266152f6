"""The code location: assembles the definitions under orchestration/defs."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.assets import dbt_build
from orchestration.defs.dbt.command import dbt_executable
from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.executor import partition_checked_in_process_executor
from orchestration.defs.freshness import with_freshness_policies
from orchestration.defs.ingest.assets import raw_market_prices
from orchestration.defs.jobs import all_assets_job, market_data_job, publish_job
from orchestration.defs.network.assets import raw_network_daily
from orchestration.defs.progress import progress_logger
from orchestration.defs.quality.gates import gates
from orchestration.defs.quality.universe import universe_checks
from orchestration.defs.resources import (
    MarketDataResource,
    NetworkSourceResource,
    SecSourceResource,
    WarehouseResource,
)
from orchestration.defs.schedules import market_after_close_schedule, sec_daily_schedule
from orchestration.defs.sec.assets import raw_sec_company_facts, raw_sec_filings, raw_sec_revenue_facts
from orchestration.defs.sec.checks import sec_load_error_checks
from orchestration.defs.sec.jobs import sec_filings_job
from orchestration.defs.sec.sensors import sec_filings_sensor
from orchestration.defs.serving.publish import publish
from orchestration.defs.serving.report import convergence_report
from orchestration.defs.serving.sensors import publish_sensors
from orchestration.settings import export_settings


class CodeLocationLineage:
    """publish's `lineage` resource: the asset graph of these definitions, resolved when a publish runs."""

    def asset_graph(self) -> object:
        return defs.resolve_asset_graph()


# Environment over .env over defaults, however the code location is started, exported so that every EnvVar
# below is set; resources read them when a run starts (a run worker, a test's environment).
export_settings()

defs = dg.Definitions(
    assets=[
        *with_freshness_policies(
            [raw_market_prices, raw_network_daily, raw_sec_filings, raw_sec_company_facts, raw_sec_revenue_facts]
        ),
        dbt_build,
        publish,
        convergence_report,
    ],
    asset_checks=[*gates, *sec_load_error_checks, *universe_checks],
    jobs=[all_assets_job, market_data_job, sec_filings_job, publish_job],
    schedules=[market_after_close_schedule, sec_daily_schedule],
    sensors=[sec_filings_sensor, *publish_sensors],
    resources={
        "warehouse": WarehouseResource(data_dir=dg.EnvVar("MINERS_DATA_DIR")),
        "market_data": MarketDataResource(source=dg.EnvVar("MINERS_SOURCE"), csv_dir=dg.EnvVar("MINERS_CSV_DIR")),
        "sec": SecSourceResource(
            source=dg.EnvVar("MINERS_SEC_SOURCE"),
            market_source=dg.EnvVar("MINERS_SOURCE"),
            user_agent=dg.EnvVar("SEC_USER_AGENT"),  # a secret: EnvVar keeps it out of run config
            files_dir=dg.EnvVar("MINERS_SEC_FILES_DIR"),
        ),
        "network": NetworkSourceResource(
            source=dg.EnvVar("MINERS_NETWORK_SOURCE"), files_dir=dg.EnvVar("MINERS_NETWORK_FILES_DIR")
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        "lineage": CodeLocationLineage(),
    },
    loggers={"console": dg.default_loggers()["console"], "progress": progress_logger},
    executor=partition_checked_in_process_executor,
)
