"""raw.sec_load_errors across versions: a warehouse made before payload_path existed gets it, once."""

import duckdb

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
