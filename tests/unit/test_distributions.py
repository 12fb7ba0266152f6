"""The p-value macros of dbt_project/macros/distributions.sql, run in DuckDB, against scipy.stats."""

import duckdb
import jinja2
import numpy as np
import pytest
from scipy import stats

from orchestration.paths import DBT_PROJECT_DIR

TOLERANCE = 1e-12  # absolute, on p-values in [0, 1]
SQL = jinja2.Environment(autoescape=False)  # noqa: S701 - renders SQL, not HTML
MACROS = SQL.from_string((DBT_PROJECT_DIR / "macros" / "distributions.sql").read_text()).module


def evaluate(expression: str, rows: list[tuple], columns: str) -> np.ndarray:
    with duckdb.connect() as connection:
        connection.execute(f"create table inputs ({columns})")
        connection.executemany(f"insert into inputs values ({', '.join('?' * len(rows[0]))})", rows)
        found = connection.execute(f"select {expression} from inputs").fetchall()  # noqa: S608 - the macros' SQL
    return np.array([row[0] for row in found], dtype=float)


def test_normal_two_sided_p_matches_scipy():
    z = np.concatenate([np.linspace(-9, 9, 361), [0.0, 1e-12, 1.959963984540054, 8.49, 8.51, 40.0]])
    got = evaluate(MACROS.normal_two_sided_p("z"), [(float(v),) for v in z], "z double")
    np.testing.assert_allclose(got, 2 * stats.norm.sf(np.abs(z)), rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("df", [*range(1, 41), 99, 100, 250, 1001])
def test_student_t_two_sided_p_matches_scipy(df: int):
    t = np.array([0.0, 1e-3, 0.3, 1.0, -2.0, 2.2, 3.5, -6.0, 10.0, 50.0, 1e6])
    # an expression as df: the macro must parenthesise its arguments ("df - 1 + 1 % 2" would be wrong)
    got = evaluate(MACROS.student_t_two_sided_p("t", "df - 1 + 1"), [(float(v), df) for v in t], "t double, df integer")
    np.testing.assert_allclose(got, 2 * stats.t.sf(np.abs(t), df), rtol=0, atol=TOLERANCE)


def test_p_values_are_null_without_a_statistic_or_degrees_of_freedom():
    rows = [(None, 3), (1.0, 0), (1.0, None)]
    assert np.isnan(evaluate(MACROS.student_t_two_sided_p("t", "df"), rows, "t double, df integer")).all()
    assert np.isnan(evaluate(MACROS.normal_two_sided_p("t"), rows, "t double, df integer")[:1]).all()
