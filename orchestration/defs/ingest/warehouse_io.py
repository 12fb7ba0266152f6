"""Writes into raw.market_prices: one transaction per batch, replacing what the batch covers."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

RAW_MARKET_PRICES_DDL = """
create schema if not exists raw;
create table if not exists raw.market_prices (
    ticker varchar not null,
    date date not null,
    open double,
    high double,
    low double,
    close double,
    adj_close double,
    volume bigint,
    source varchar not null,
    is_synthetic boolean not null,
    loaded_at timestamp not null,
    run_id varchar not null,
    payload_path varchar
);
"""


def replace_market_prices(
    connection: duckdb.DuckDBPyConnection, rows: pd.DataFrame, start: date, end: date, tickers: list[str]
) -> int:
    """Replace the rows of `tickers` between `start` and `end` with `rows`, atomically. Returns rows written.

    Tickers the source could not provide this time keep what they had: a failed download loses nothing.
    """
    connection.execute(RAW_MARKET_PRICES_DDL)
    connection.execute("begin transaction")
    try:
        connection.execute(
            "delete from raw.market_prices where date between ? and ? and list_contains(?, ticker)",
            [start, end, tickers],
        )
        connection.register("batch", rows)
        connection.execute(
            """
            insert into raw.market_prices
            select ticker, date, open, high, low, close, adj_close, volume, source, is_synthetic,
                   loaded_at, run_id, payload_path
            from batch
            """
        )
        connection.unregister("batch")
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return len(rows)
