"""raw_network_daily: the bitcoin network's statistics, one row per UTC day, from the configured source."""

from datetime import UTC, date, datetime

import dagster as dg

from orchestration.defs.ingest.partitions import HISTORY_START
from orchestration.defs.ingest.warehouse_io import lineage
from orchestration.defs.network.warehouse_io import replace_network_daily
from orchestration.defs.resources import RAW_ASSET, WAREHOUSE_POOL, NetworkSourceResource, WarehouseResource


@dg.asset(
    key="raw_network_daily",
    **RAW_ASSET,
    pool=WAREHOUSE_POOL,
    metadata={"table": "raw.network_daily"},
)
def raw_network_daily(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, network: NetworkSourceResource
) -> dg.MaterializeResult:
    """Network hashrate (TH/s), difficulty, blocks, issuance, fees (BTC), BTC price (USD) and miners' revenue
    (USD) per UTC day since MINERS_HISTORY_START, with the block subsidy the halving schedule gives the day.

    Source: MINERS_NETWORK_SOURCE (`snapshot` = a bundled SYNTHETIC CoinMetrics response replayed through the
    API client, `live` = the CoinMetrics community API, `files` = the public files in
    MINERS_NETWORK_FILES_DIR, where one declared precedence chooses among files covering a day). A field the
    source lacks is null; `field_sources` says which file or page gave each field. A file that cannot be read
    is a warning naming it and the field, and the others load. Each run replaces the whole history, so reruns
    are idempotent. The raw payload is kept under the warehouse's raw/ folder.
    """
    start, end = date.fromisoformat(HISTORY_START), datetime.now(UTC).date()
    source = network.build(cache_dir=warehouse.root / "cache" / "coinmetrics")
    batch = source.fetch(start, end, warehouse.raw_dir / "network" / source.name / context.run_id)
    for error in batch.errors.values():
        context.log.warning(f"raw_network_daily: not loaded: {error}")
    if batch.rows.empty:
        raise dg.Failure(
            description=f"raw_network_daily: {source.name} gave no day in {start}..{end}",
            metadata={"load_errors": dg.MetadataValue.json(batch.errors)},
        )
    rows = batch.rows.assign(**lineage(source.name, source.is_synthetic, context.run_id))
    with warehouse.connect() as connection:
        written = replace_network_daily(connection, rows, source.name, start, end)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written,
            "source": source.name,
            "synthetic": source.is_synthetic,
            "date_range": f"{rows['date'].min()}..{rows['date'].max()}",
            "load_errors": dg.MetadataValue.json(batch.errors),
            "payloads": ", ".join(str(p) for p in batch.payloads),
        }
    )
