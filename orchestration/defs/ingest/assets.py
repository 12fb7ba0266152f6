"""raw_market_prices: daily bars for the universe and the factor tickers, from the configured source, by month."""

import warnings
from datetime import date

import dagster as dg
import pandas as pd

from orchestration.defs.ingest.partitions import HISTORY_START, monthly_partitions
from orchestration.defs.ingest.warehouse_io import lineage, replace_market_prices
from orchestration.defs.resources import RAW_ASSET, WAREHOUSE_POOL, MarketDataResource, WarehouseResource
from orchestration.sources.market import MarketBatch
from orchestration.universe import load_universe

# A multi-year backfill must run as one run over the range (one download, one write), not one run per day,
# and `backfill_policy` is the only way to say so; Dagster flags the parameter as beta on every import.
warnings.filterwarnings(
    "ignore",
    message="Parameter `backfill_policy` of function `asset` is currently in beta",
    category=dg.BetaWarning,
    module=r"dagster\.",
)


def row_payload_paths(batch: MarketBatch) -> pd.Series | str:
    """The raw payload each row came from: its ticker's own file (CSV), else the batch's download (Yahoo).

    Never every payload on every row: with one file per ticker that is O(tickers) bytes on each of
    O(tickers x days) rows (2.8 GB of paths at 100 tickers x 10 years, and the gate reads them all).
    """
    shared = ";".join(str(p) for p in batch.payloads)
    if not batch.payload_by_ticker:
        return shared
    own = {ticker: str(path) for ticker, path in batch.payload_by_ticker.items()}
    return batch.rows["ticker"].map(own).fillna(shared)


@dg.asset(
    key="raw_market_prices",
    **RAW_ASSET,
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
    metadata={"table": "raw.market_prices"},
)
def raw_market_prices(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, market_data: MarketDataResource
) -> dg.MaterializeResult:
    """Daily OHLC, close and adjusted close, and volume for every universe and factor ticker.

    Source: MINERS_SOURCE (`snapshot` = bundled SYNTHETIC Yahoo responses replayed through yfinance,
    `live` = Yahoo through yfinance, `csv` = MINERS_CSV_DIR). A run replaces its partitions' days (whole
    months, from HISTORY_START up to the source's last day) for the tickers it loaded, so reruns are
    idempotent. A universe ticker the source lacks, or whose bars (Yahoo) or file (CSV) fail validation, is
    a warning here naming it and the reason, and keeps what an earlier run loaded; the gate decides whether
    coverage is enough. The raw payload is kept under the
    warehouse's raw/ folder.
    """
    window = context.partition_time_window  # the run's months
    start = max(window.start.date(), date.fromisoformat(HISTORY_START))
    end = (window.end - pd.Timedelta(days=1)).date()
    source = market_data.build(cache_dir=warehouse.root / "cache" / "yfinance")
    coverage = source.coverage()
    if coverage:  # nothing to ask for outside what the source has
        end = min(end, coverage[1])
    tickers = list(load_universe().tickers)
    if start > end:
        context.log.info(f"{source.name} has no data for {start}..{window.end.date()}: nothing to load")
        return dg.MaterializeResult(metadata={"dagster/row_count": 0, "source": source.name})
    payload_dir = warehouse.raw_dir / "market_prices" / source.name / context.run_id
    batch = source.fetch(tickers, start, end, payload_dir)

    for ticker, reason in batch.missing.items():
        context.log.warning(f"{ticker}: not loaded from {source.name} for {start}..{end}: {reason}")
    rows = batch.rows.assign(
        **lineage(source.name, source.is_synthetic, context.run_id), payload_path=row_payload_paths(batch)
    )
    loaded = sorted(rows["ticker"].unique())
    with warehouse.connect() as connection:
        written = replace_market_prices(connection, rows, start, end, loaded)

    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written,
            "source": source.name,
            "synthetic": source.is_synthetic,
            "partition_range": f"{start}..{end}",
            "date_range": f"{rows['date'].min()}..{rows['date'].max()}" if written else "empty",
            "tickers_loaded": len(loaded),
            "tickers": ", ".join(loaded),
            "tickers_missing": dg.MetadataValue.json(batch.missing),
            "payloads": ", ".join(str(p) for p in batch.payloads),
        }
    )
