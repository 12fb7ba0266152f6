"""Writes into raw.network_daily: one transaction per load, the table holding one source's days."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from orchestration.defs.ingest.warehouse_io import replace_rows

RAW_NETWORK_DAILY_DDL = """
create schema if not exists raw;
create table if not exists raw.network_daily (
    date date not null,
    hashrate_ths double,
    difficulty double,
    blocks integer,
    block_subsidy_btc double not null,
    issuance_btc double,
    issuance_usd double,
    fees_btc double,
    price_usd double,
    miners_revenue_usd double,
    field_sources varchar not null,
    source varchar not null,
    is_synthetic boolean not null,
    loaded_at timestamp not null,
    run_id varchar not null,
    payload_path varchar
);
"""
COLUMNS = (
    "date, hashrate_ths, difficulty, blocks, block_subsidy_btc, issuance_btc, issuance_usd, fees_btc, price_usd, "
    "miners_revenue_usd, field_sources, source, is_synthetic, loaded_at, run_id, payload_path"
)


def replace_network_daily(
    connection: duckdb.DuckDBPyConnection, rows: pd.DataFrame, source: str, start: date, end: date
) -> int:
    """Replace the days `start`..`end`, and any day another source wrote, with `rows`, atomically: a rerun
    writes the same rows, and a switched source never mixes with the previous one. Returns rows written."""
    connection.execute(RAW_NETWORK_DAILY_DDL)
    return replace_rows(
        connection,
        "delete from raw.network_daily where date between ? and ? or source <> ?",
        [start, end, source],
        f"insert into raw.network_daily select {COLUMNS} from batch",  # noqa: S608 - a constant
        rows,
    )
