"""The project's model-level generic tests (dbt_project/tests/generic), rendered with dbt's Jinja and run on
DuckDB: `not_null_columns`, `accepted_values_columns` and `expressions_are_true` each fail with one row per
column or rule that fails, say how many rows fail it, and pass on none."""

import duckdb
import pytest
from dbt_common.clients.jinja import get_template

from orchestration.paths import PROJECT_ROOT

GENERIC_TESTS = PROJECT_ROOT / "dbt_project" / "tests" / "generic"


class DuckDBQuoting:
    """The one adapter method the tests call, as dbt-duckdb quotes an identifier."""

    @staticmethod
    def quote(identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'


def failures(connection: duckdb.DuckDBPyConnection, test: str, **arguments) -> list[tuple]:
    template = get_template((GENERIC_TESTS / f"{test}.sql").read_text(), {"adapter": DuckDBQuoting()})
    sql = str(getattr(template.module, f"dbt_macro__test_{test}")(model="checked", **arguments))
    return sorted(connection.execute(sql).fetchall())


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(
        """create table checked as select * from (
               values (1, null, 'x', null), (null, null, 'y', 2), (60, 0.5, 'it''s', 3)
           ) as v(ticker, "window size", model, unlisted)"""
    )
    return connection


def test_not_null_columns_names_each_column_with_nulls_and_its_count(connection):
    found = failures(connection, "not_null_columns", column_names=["ticker", "window size", "model"])
    assert found == [("ticker", 1), ("window size", 2)]
    assert failures(connection, "not_null_columns", column_names=["model"]) == []


def test_accepted_values_columns_names_each_rejected_value_and_its_count(connection):
    columns = {"ticker": [1, 2], "model": ["x", "it's"], "window size": [0.5]}
    assert failures(connection, "accepted_values_columns", columns=columns) == [("model", "y", 1), ("ticker", "60", 1)]


def test_accepted_values_columns_lets_nulls_and_accepted_values_pass(connection):
    columns = {"ticker": [1, 60], "window size": [0.5], "unlisted": [2, 3]}
    assert failures(connection, "accepted_values_columns", columns=columns) == []


def test_expressions_are_true_names_each_false_rule_and_its_count(connection):
    expressions = {"small ticker": "ticker < 10", "named model": "length(model) >= 1", "in range": "unlisted > 2"}
    assert failures(connection, "expressions_are_true", expressions=expressions) == [
        ("in range", 1),  # 2 is not > 2; the null row passes
        ("small ticker", 1),
    ]
    assert failures(connection, "expressions_are_true", expressions={"named model": "model is not null"}) == []


@pytest.mark.parametrize(
    ("test", "arguments"),
    [
        ("not_null_columns", {"column_names": ["ticker", "window size"]}),
        ("accepted_values_columns", {"columns": {"ticker": [1]}}),
        ("expressions_are_true", {"expressions": {"never": "false"}}),
    ],
)
def test_an_empty_table_passes(connection, test, arguments):
    connection.execute("delete from checked")
    assert failures(connection, test, **arguments) == []
