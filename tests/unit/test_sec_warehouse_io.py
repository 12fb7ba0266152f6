"""The raw SEC tables: load errors across versions, and revenue filings written together or one by one."""

from datetime import date, datetime

import duckdb
import pandas as pd

from orchestration.defs.sec import warehouse_io

OLD_LOAD_ERRORS = """
create schema raw;
create table raw.sec_load_errors (
    asset varchar not null, cik varchar, accession_number varchar, document varchar, error varchar not null,
    source varchar not null, run_id varchar not null, logged_at timestamp not null
);
insert into raw.sec_load_errors values ('raw_sec_filings', '0000827876', null, null, 'old', 'live', 'r0', now());
"""


def columns(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in connection.execute("describe raw.sec_load_errors").fetchall()]


def test_an_older_load_errors_table_gets_payload_path_and_keeps_its_rows():
    with duckdb.connect() as connection:
        connection.execute(OLD_LOAD_ERRORS)
        warehouse_io.ensure_tables(connection)
        warehouse_io.ensure_tables(connection)  # idempotent
        assert columns(connection)[-1] == "payload_path" and columns(connection).count("payload_path") == 1
        warehouse_io.record_error(
            connection, "raw_sec_company_facts", "0000827876", None, None, "bad", "live", "r1", payload_path="/kept"
        )
        rows = connection.execute("select error, payload_path from raw.sec_load_errors order by error").fetchall()
    assert rows == [("bad", "/kept"), ("old", None)]


def test_a_new_warehouse_has_payload_path():
    with duckdb.connect() as connection:
        warehouse_io.ensure_tables(connection)
        assert "payload_path" in columns(connection)


def revenue_filing(cik: str, accession: str, value: str) -> warehouse_io.RevenueFiling:
    common = {"cik": cik, "ticker": "T", "accession_number": accession, "source": "live", "run_id": "r"}
    fact = {
        **common,
        "document": "d.htm",
        "concept": "us-gaap:Revenues",
        "context_id": "c1",
        "period_end": date(2025, 3, 31),
        "dimension_count": 0,
        "scale": 0,
        "sign": 1,
        "value": value,
        "is_nil": False,
        "is_synthetic": False,
        "loaded_at": datetime(2025, 5, 1),
    }
    shares = {**fact, "concept": "dei:EntityCommonStockSharesOutstanding", "context_id": "c2", "value": "1000"}
    filing = {**common, "document": "d.htm", "revenue_facts": 1, "loaded_at": datetime(2025, 5, 1)}
    return cik, accession, pd.DataFrame([filing]), pd.DataFrame([fact]), pd.DataFrame([shares])


def stored(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    return connection.execute(
        "select f.accession_number, f.value::varchar from raw.sec_revenue_facts f"
        " join raw.sec_revenue_filings m using (cik, accession_number) order by 1"
    ).fetchall()


def test_revenue_filings_are_written_together_and_a_rerun_replaces_them():
    with duckdb.connect() as connection:
        warehouse_io.ensure_tables(connection)
        batch = [revenue_filing("0000000001", "a-1", "10"), revenue_filing("0000000002", "a-2", "20")]
        assert warehouse_io.add_revenue_filings(connection, batch) == (2, [])
        assert warehouse_io.add_revenue_filings(connection, batch[:1]) == (1, [])
        assert stored(connection) == [("a-1", "10.0000"), ("a-2", "20.0000")]
        balance_sheet = "select accession_number, concept from raw.sec_balance_sheet_facts order by 1"
        assert connection.execute(balance_sheet).fetchall() == [
            ("a-1", "dei:EntityCommonStockSharesOutstanding"),
            ("a-2", "dei:EntityCommonStockSharesOutstanding"),
        ]


def test_a_filing_duckdb_rejects_fails_alone_and_the_others_are_written():
    with duckdb.connect() as connection:
        warehouse_io.ensure_tables(connection)
        batch = [
            revenue_filing("0000000001", "a-1", "10"),
            revenue_filing("0000000002", "a-2", "not a number"),
            revenue_filing("0000000003", "a-3", "30"),
        ]
        written, failures = warehouse_io.add_revenue_filings(connection, batch)
        assert written == 2
        assert [(cik, accession) for cik, accession, _ in failures] == [("0000000002", "a-2")]
        assert "not a number" in str(failures[0][2])
        assert stored(connection) == [("a-1", "10.0000"), ("a-3", "30.0000")]
