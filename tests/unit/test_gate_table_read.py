"""The gates read their table chunk by chunk (defs/quality/gates.py `read_table`): the frame must be exactly
DuckDB's one-shot `.df()`, whatever the types and wherever the nulls fall."""

import duckdb
import pytest

from orchestration.defs.quality import gates


@pytest.fixture
def connection():
    with duckdb.connect() as connection:
        # 5,000 rows: three chunks of one vector; the second chunk (rows 2,048-4,095) all null in the nullable
        # columns. DuckDB picks a column's pandas dtype from its values (int32 without nulls, Int32 with), so
        # the chunks' dtypes differ and their concatenation must come out as the one-shot read's.
        connection.execute(
            """
            create table t as
            select
                i as id,
                'T' || (i % 7) as ticker,
                date '2022-01-01' + cast(i as integer) as trade_date,
                case when i between 2048 and 4095 then null else cast(i as decimal(18, 4)) / 3 end as amount,
                case when i between 2048 and 4095 then null else cast(i as integer) end as quarter,
                case when i between 2048 and 4095 then null else i % 2 = 0 end as flag,
                case when i between 2048 and 4095 then null else i / 7.0 end as ratio
            from range(5000) r(i)
            """
        )
        yield connection


def test_chunks_make_the_same_frame_as_one_read(connection, monkeypatch):
    monkeypatch.setattr(gates, "CHUNK_VECTORS", 1)
    expected = connection.sql("select * from t").df()
    frame = gates.read_table(connection, "t")
    assert frame.dtypes.equals(expected.dtypes), (frame.dtypes, expected.dtypes)
    assert frame.equals(expected)


def test_an_empty_table_keeps_its_columns_and_types(connection):
    connection.execute("create table empty as select * from t limit 0")
    frame = gates.read_table(connection, "empty")
    expected = connection.sql("select * from empty").df()
    assert frame.empty and list(frame.columns) == list(expected.columns) and frame.dtypes.equals(expected.dtypes)
