"""Writes into raw.market_prices: one transaction per batch, replacing what the batch covers; and what every raw
table's rows carry and how a batch replaces rows (raw.network_daily uses them too)."""

from __future__ import annotations

from datetime import UTC, date, datetime

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
    return replace_rows(
        connection,
        "delete from raw.market_prices where date between ? and ? and list_contains(?, ticker)",
        [start, end, tickers],
        """
        insert into raw.market_prices
        select ticker, date, open, high, low, close, adj_close, volume, source, is_synthetic,
               loaded_at, run_id, payload_path
        from batch
        """,
        rows,
    )


def replace_rows(
    connection: duckdb.DuckDBPyConnection, delete: str, parameters: list, insert: str, rows: pd.DataFrame
) -> int:
    """`delete` (with `parameters`), then `insert` from `rows` (registered as `batch`), in one transaction: a
    failed write leaves the table as it was. Returns the rows written."""
    connection.execute("begin transaction")
    try:
        connection.execute(delete, parameters)
        connection.register("batch", rows)
        connection.execute(insert)
        connection.unregister("batch")
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return len(rows)


def lineage(source_name: str, is_synthetic: bool, run_id: str) -> dict:
    """The columns every raw row carries: which source, whether synthetic, when and by which run it loaded."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    return {"source": source_name, "is_synthetic": is_synthetic, "loaded_at": loaded_at, "run_id": run_id}
