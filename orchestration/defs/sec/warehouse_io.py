"""The raw SEC tables and how each load writes them: one transaction per company or filing.

A company's or a filing's rows are written in one transaction, so a failure leaves nothing partial and
the other companies and filings still load. Load errors are kept in raw.sec_load_errors until the item
loads cleanly.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# A filing's facts as read from its XBRL: the revenue facts and the balance sheet facts have the same shape.
FACT_COLUMNS = """
    cik varchar not null,
    ticker varchar not null,
    accession_number varchar not null,
    document varchar not null,
    concept varchar not null,
    context_id varchar not null,
    period_start date,
    period_end date not null,
    dimensions varchar,
    dimension_count integer not null,
    axis varchar,
    member varchar,
    unit varchar,
    decimals varchar,
    scale integer not null,
    sign integer not null,
    formatted varchar,
    value decimal(38, 4),
    is_nil boolean not null,
    fact_id varchar,
    source varchar not null,
    is_synthetic boolean not null,
    loaded_at timestamp not null,
    run_id varchar not null,
    payload_path varchar
"""

RAW_SEC_DDL = f"""
create schema if not exists raw;
create table if not exists raw.sec_filings (
    cik varchar not null,
    ticker varchar not null,
    accession_number varchar not null,
    form varchar not null,
    filing_date date,
    report_date date,
    acceptance_datetime timestamp,
    primary_document varchar not null,
    primary_doc_description varchar,
    items varchar,
    is_xbrl boolean,
    is_inline_xbrl boolean,
    source varchar not null,
    is_synthetic boolean not null,
    loaded_at timestamp not null,
    run_id varchar not null,
    payload_path varchar
);
create table if not exists raw.sec_company_facts (
    cik varchar not null,
    ticker varchar not null,
    taxonomy varchar not null,
    concept varchar not null,
    unit varchar not null,
    period_start date,
    period_end date not null,
    value decimal(38, 4) not null,
    accession_number varchar,
    fiscal_year integer,
    fiscal_period varchar,
    form varchar,
    filed date,
    frame varchar,
    source varchar not null,
    is_synthetic boolean not null,
    loaded_at timestamp not null,
    run_id varchar not null,
    payload_path varchar
);
create table if not exists raw.sec_revenue_facts ({FACT_COLUMNS});
create table if not exists raw.sec_balance_sheet_facts ({FACT_COLUMNS});
create table if not exists raw.sec_revenue_filings (
    cik varchar not null,
    ticker varchar not null,
    accession_number varchar not null,
    document varchar not null,
    document_type varchar,
    document_period_end date,
    fiscal_year_focus varchar,
    fiscal_period_focus varchar,
    amendment_flag boolean,
    current_fiscal_year_end varchar,
    revenue_facts integer not null,
    source varchar not null,
    loaded_at timestamp not null,
    run_id varchar not null,
    payload_path varchar,
    reader_version integer
);
create table if not exists raw.sec_load_errors (
    asset varchar not null,
    cik varchar,
    accession_number varchar,
    document varchar,
    error varchar not null,
    source varchar not null,
    run_id varchar not null,
    logged_at timestamp not null,
    payload_path varchar
);
"""  # noqa: S608 - DDL from this module's constants (FACT_COLUMNS)


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(RAW_SEC_DDL)
    # `create table if not exists` leaves a table made by an older version as it was: add what came later
    # (nullable, at the end), and only when missing, since even a no-op ALTER is a catalog write.
    later_columns = {
        ("sec_load_errors", "payload_path"): "alter table raw.sec_load_errors add column payload_path varchar",
        ("sec_revenue_filings", "reader_version"): (
            "alter table raw.sec_revenue_filings add column reader_version integer"
        ),
    }
    present = set(
        connection.execute(
            "select table_name, column_name from duckdb_columns()"
            " where database_name = current_database() and schema_name = 'raw'"
        ).fetchall()
    )
    for column, ddl in later_columns.items():
        if column not in present:
            connection.execute(ddl)


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame) -> None:
    if rows.empty:
        return
    columns = ", ".join(rows.columns)
    # not unregistered in a `finally`: inside a failed transaction that would raise too, hiding the real
    # error; the next register() replaces the view anyway
    connection.register("batch", rows)
    connection.execute(f"insert into {table} ({columns}) select {columns} from batch")  # noqa: S608 - table: module constants; columns: the loader's frames
    connection.unregister("batch")


def _in_transaction(connection: duckdb.DuckDBPyConnection, *statements) -> None:
    connection.execute("begin transaction")
    try:
        for statement in statements:
            statement()
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise


def _clear_errors(connection: duckdb.DuckDBPyConnection, asset: str, cik: str | None, accession: str | None) -> None:
    connection.execute(
        "delete from raw.sec_load_errors"
        " where asset = ? and coalesce(cik, '') = ? and coalesce(accession_number, '') = ?",
        [asset, cik or "", accession or ""],
    )


def known_accessions(connection: duckdb.DuckDBPyConnection, table: str, cik: str) -> set[str]:
    if table not in {"raw.sec_filings", "raw.sec_revenue_filings"}:
        raise ValueError(f"not an accession-keyed table: {table}")
    rows = connection.execute(f"select accession_number from {table} where cik = ?", [cik]).fetchall()  # noqa: S608 - table checked against a fixed set
    return {r[0] for r in rows}


def clear_asset_errors(connection: duckdb.DuckDBPyConnection, asset: str) -> None:
    """Forget an asset's recorded errors: for an asset that reads every item again on each run, so that its
    errors are the latest run's (an item fixed or removed since leaves no error behind)."""
    connection.execute("delete from raw.sec_load_errors where asset = ?", [asset])


def add_filings(connection: duckdb.DuckDBPyConnection, cik: str, rows: pd.DataFrame) -> int:
    """Insert the filings not yet known for `cik` (incremental by accession, each accession once). Returns rows
    added.

    `rows` must hold each accession once. An accession a version before this rule stored twice for `cik` is
    brought back to one row (the first stored), so that such a warehouse passes the gate again.
    """
    known = known_accessions(connection, "raw.sec_filings", cik)
    new = rows[~rows["accession_number"].isin(known)] if not rows.empty else rows
    _in_transaction(
        connection,
        lambda: connection.execute(
            "delete from raw.sec_filings where cik = ? and rowid not in"
            " (select min(rowid) from raw.sec_filings where cik = ? group by accession_number)",
            [cik, cik],
        ),
        lambda: _insert(connection, "raw.sec_filings", new),
        lambda: _clear_errors(connection, "raw_sec_filings", cik, None),
    )
    return len(new)


def replace_company_facts(connection: duckdb.DuckDBPyConnection, cik: str, rows: pd.DataFrame) -> int:
    """companyfacts is a complete document per company: replace that company's rows."""
    _in_transaction(
        connection,
        lambda: connection.execute("delete from raw.sec_company_facts where cik = ?", [cik]),
        lambda: _insert(connection, "raw.sec_company_facts", rows),
        lambda: _clear_errors(connection, "raw_sec_company_facts", cik, None),
    )
    return len(rows)


# cik, accession, manifest row, revenue facts, balance sheet facts
RevenueFiling = tuple[str, str, pd.DataFrame, pd.DataFrame, pd.DataFrame]


def _write_revenue_filings(connection: duckdb.DuckDBPyConnection, batch: list[RevenueFiling]) -> int:
    """The filings' revenue and balance sheet facts and manifest rows in one transaction (a rerun replaces the
    same accessions)."""
    keys = pd.DataFrame([(cik, accession) for cik, accession, *_ in batch], columns=["cik", "accession_number"])
    facts = pd.concat([f[3] for f in batch if not f[3].empty] or [batch[0][3]], ignore_index=True)
    balance_sheet = pd.concat([f[4] for f in batch if not f[4].empty] or [batch[0][4]], ignore_index=True)
    filings = pd.concat([f[2] for f in batch], ignore_index=True)

    def delete_previous() -> None:
        connection.register("written_keys", keys)
        for table in ("raw.sec_revenue_facts", "raw.sec_balance_sheet_facts", "raw.sec_revenue_filings"):
            connection.execute(
                f"delete from {table} t using written_keys k"  # noqa: S608 - table: a constant tuple
                " where t.cik = k.cik and t.accession_number = k.accession_number"
            )
        connection.execute(
            "delete from raw.sec_load_errors e using written_keys k where e.asset = 'raw_sec_revenue_facts'"
            " and coalesce(e.cik, '') = k.cik and coalesce(e.accession_number, '') = k.accession_number"
        )
        connection.unregister("written_keys")

    _in_transaction(
        connection,
        delete_previous,
        lambda: _insert(connection, "raw.sec_revenue_facts", facts),
        lambda: _insert(connection, "raw.sec_balance_sheet_facts", balance_sheet),
        lambda: _insert(connection, "raw.sec_revenue_filings", filings),
    )
    return len(facts)


def add_revenue_filings(
    connection: duckdb.DuckDBPyConnection, batch: list[RevenueFiling]
) -> tuple[int, list[tuple[str, str, duckdb.Error]]]:
    """Many filings in one transaction, else one transaction each.

    One transaction for the lot costs one commit instead of one per filing (213 on the snapshot: 3 s of
    commits and DataFrame scans). If it fails, nothing of it stays and each filing is written alone, so
    only a filing DuckDB rejects fails. Returns the facts written and the (cik, accession, error) failures.
    """
    if not batch:
        return 0, []
    try:
        return _write_revenue_filings(connection, batch), []
    except duckdb.Error:
        written, failures = 0, []
        for filing in batch:
            try:
                written += _write_revenue_filings(connection, [filing])
            except duckdb.Error as error:
                failures.append((filing[0], filing[1], error))
        return written, failures


def record_error(
    connection: duckdb.DuckDBPyConnection,
    asset: str,
    cik: str | None,
    accession: str | None,
    document: str | None,
    error: str,
    source: str,
    run_id: str,
    payload_path: str | None = None,
) -> None:
    """Keep the latest error per item (asset, CIK, accession) so the UI and the checks can show it, with where
    the item's response is kept (`payload_path`, `;`-separated when several arrived), if one arrived."""
    _in_transaction(
        connection,
        lambda: _clear_errors(connection, asset, cik, accession),
        lambda: connection.execute(
            "insert into raw.sec_load_errors"
            " (asset, cik, accession_number, document, error, source, run_id, logged_at, payload_path)"
            " values (?, ?, ?, ?, ?, ?, ?, now()::timestamp, ?)",
            [asset, cik, accession, document, error, source, run_id, payload_path],
        ),
    )


def drop_other_sources(connection: duckdb.DuckDBPyConnection, cik: str, source: str) -> None:
    """Switching MINERS_SEC_SOURCE must not mix synthetic and real filings of one company."""
    tables = (
        "raw.sec_filings",
        "raw.sec_revenue_facts",
        "raw.sec_balance_sheet_facts",
        "raw.sec_revenue_filings",
        "raw.sec_company_facts",
    )

    def delete() -> None:
        for table in tables:
            connection.execute(f"delete from {table} where cik = ? and source <> ?", [cik, source])  # noqa: S608 - table: a constant tuple

    _in_transaction(connection, delete)
