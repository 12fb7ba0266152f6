"""The dbt YAML's declarations are complete and stated once: every raw table and mart declares its grain and
its gate, every mart is served, every gate has its suite, and no suite restates a grain."""

import json

from orchestration.defs.dbt.tables import declared_tables, gated_tables, served_tables
from orchestration.paths import EXPECTATIONS_DIR
from tests.expected import gated_assets, mart_assets


def test_every_raw_table_and_mart_is_gated_with_a_grain():
    gated = {table.asset_key: table for table in gated_tables()}
    assert set(gated) == gated_assets()
    for table in gated.values():
        assert table.grain, f"{table.asset_key}: declare its grain in the dbt YAML meta"


def test_every_mart_is_served_under_its_own_name():
    served = {table.asset_key: table.served_as for table in served_tables() if table.gated}
    assert served == {mart: f"marts.{mart}" for mart in mart_assets()}


def test_reference_tables_are_served_ungated_in_the_reference_schema():
    reference = [table for table in served_tables() if not table.gated]
    assert reference and all(table.served_as.startswith("reference.") for table in reference)
    assert all(table.relation.startswith("staging.stg_reference__") for table in reference)


def test_every_gate_has_its_suite_and_every_suite_a_gate():
    suites = {path.stem for path in EXPECTATIONS_DIR.glob("*.json")}
    assert suites == {table.suite for table in gated_tables()}


def test_no_suite_restates_a_grain():
    """The grain lives in the dbt YAML; the gate adds its uniqueness to the suite."""
    for table in declared_tables():
        if table.gated:
            suite = json.loads((EXPECTATIONS_DIR / f"{table.suite}.json").read_text())
            types = {expectation["type"] for expectation in suite["expectations"]}
            assert "expect_compound_columns_to_be_unique" not in types, table.suite
            unique_columns = {
                e["kwargs"]["column"] for e in suite["expectations"] if e["type"] == "expect_column_values_to_be_unique"
            }
            assert not unique_columns & set(table.grain), table.suite  # a one-column grain


def test_shown_columns_are_not_grain_columns():
    for table in declared_tables():
        assert not set(table.shown_with) & set(table.grain), table.asset_key


# a GE expectation -> the dbt generic test that states the same invariant of one column
SAME_AS_DBT_TEST = {
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_in_set": "accepted_values",
}
# the project's model-level test of several columns -> the one-column test it states for each
PER_COLUMN_OF = {"not_null_columns": "not_null", "accepted_values_columns": "accepted_values"}


def _dbt_column_tests(manifest: dict) -> dict[str, set[tuple[str, str, tuple[str, ...]]]]:
    """model name -> (test, column, values) of its error-severity not_null and accepted_values tests, a
    not_null_columns (accepted_values_columns) test counting as a not_null (accepted_values) test of each
    column it lists."""
    tests: dict[str, set] = {}
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        name = PER_COLUMN_OF.get(meta.get("name"), meta.get("name"))
        if node["resource_type"] != "test" or name not in SAME_AS_DBT_TEST.values():
            continue
        if node["config"].get("severity", "error").lower() != "error":
            continue
        kwargs = {**meta.get("kwargs", {}), **meta.get("kwargs", {}).get("arguments", {})}
        model = (node.get("attached_node") or "").split(".")[-1]
        per_column = kwargs.get("columns") or {
            column: kwargs.get("values") or () for column in kwargs.get("column_names") or [node.get("column_name")]
        }
        for column, values in per_column.items():
            tests.setdefault(model, set()).add((name, column, tuple(sorted(map(str, values)))))
    return tests


def test_a_model_level_test_counts_for_each_of_its_columns(dbt_manifest):
    tests = _dbt_column_tests(json.loads(dbt_manifest.read_text()))
    assert ("not_null", "n_obs", ()) in tests["mart_factor_exposure"]
    assert ("accepted_values", "window_size", ("252", "60")) in tests["mart_factor_exposure"]


def test_no_model_suite_restates_a_dbt_test(dbt_manifest):
    """One layer per check: a model's structural invariants (not null, accepted values) are its dbt tests,
    which run in the build and withhold it from publish when they fail; its GE suite holds the rest."""
    tests = _dbt_column_tests(json.loads(dbt_manifest.read_text()))
    restated = []
    for table in gated_tables():
        if table.is_source:  # the raw gate runs before the build: it holds the raw layer's checks
            continue
        suite = json.loads((EXPECTATIONS_DIR / f"{table.suite}.json").read_text())
        for expectation in suite["expectations"]:
            kind, kwargs = SAME_AS_DBT_TEST.get(expectation["type"]), expectation["kwargs"]
            if kind is None or expectation.get("severity") == "warning" or "row_condition" in kwargs:
                continue
            values = tuple(sorted(map(str, kwargs.get("value_set") or ())))
            if (kind, kwargs["column"], values) in tests.get(table.asset_key, set()):
                restated.append(f"{table.suite}: {expectation['type']}({kwargs['column']})")
    assert not restated, restated


def test_no_raw_source_has_a_dbt_test(dbt_manifest):
    """A raw table's checks are its GE gate's, which runs before the build and blocks what reads the table."""
    manifest = json.loads(dbt_manifest.read_text())
    on_sources = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and any(d.startswith("source.") for d in node["depends_on"]["nodes"])
    ]
    assert not on_sources, on_sources
