"""The SEC job: the raw SEC assets and everything built from them (the sensor launches it)."""

import dagster as dg

from orchestration.defs.jobs import SERVING
from orchestration.defs.sec.assets import SEC_TABLE_ASSETS

sec_filings_job = dg.define_asset_job(
    "sec_filings_job",
    selection=dg.AssetSelection.assets(*SEC_TABLE_ASSETS).downstream() - SERVING,
    description="New SEC filings: filings index, companyfacts, revenue facts, and the dbt models and gates after "
    "them; publish_job follows.",
)
