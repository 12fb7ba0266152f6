"""The generic test `not_null_columns` (dbt_project/tests/generic), rendered with dbt's Jinja and run on DuckDB:
it fails with one row per listed column that holds nulls, and passes on none."""

from pathlib import Path

import duckdb
import pytest
from dbt_common.clients.jinja import get_template

from orchestration.paths import PROJECT_ROOT

GENERIC_TEST = PROJECT_ROOT / "dbt_project" / "tests" / "generic" / "not_null_columns.sql"


class DuckDBQuoting:
    """The one adapter method the test calls, as dbt-duckdb quotes an identifier."""

    @staticmethod
    def quote(identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'


def failures(connection: duckdb.DuckDBPyConnection, column_names: list[str]) -> list[tuple[str, int]]:
    template = get_template(Path(GENERIC_TEST).read_text(), {"adapter": DuckDBQuoting()})
    sql = str(template.module.dbt_macro__test_not_null_columns(model="checked", column_names=column_names))
    return sorted(connection.execute(sql).fetchall())


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(
        """create table checked as select * from (values (1, null, 'x', null), (null, null, 'y', 2))
           as v(ticker, "window size", model, unlisted)"""
    )
    return connection


def test_each_column_with_nulls_is_one_failing_row_with_its_count(connection):
    assert failures(connection, ["ticker", "window size", "model"]) == [("ticker", 1), ("window size", 2)]


def test_columns_without_nulls_and_unlisted_columns_pass(connection):
    assert failures(connection, ["model"]) == []


def test_an_empty_table_passes(connection):
    connection.execute("delete from checked")
    assert failures(connection, ["ticker", "window size"]) == []
