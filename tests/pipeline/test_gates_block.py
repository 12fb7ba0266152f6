"""A bad batch that reaches the raw table fails its gate, and nothing built from it is built or published;
what it does not taint is built, gated and published fresh."""

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.quality.blocking import gate_blocked
from orchestration.defs.serving.publish import served_marts, served_tables
from tests.pipeline.published import (
    built_rows,
    check_outcomes,
    copy_warehouse,
    last_snapshot_month,
    materialized,
    month_after_snapshot,
    publish_status,
    served_files,
    served_rows,
)
from tests.pipeline_run import PipelineRun

# problem -> (the statement that makes it, the blocking expectation that must name it)
BAD_ROWS = {
    "null close": (
        "insert into raw.market_prices select * replace (null as close, date '2026-11-21' as date) "
        "from raw.market_prices where ticker = 'MARA' and date = date '2026-11-20'",
        "expect_column_values_to_not_be_null(close)",
    ),
    "negative price": (
        "update raw.market_prices set close = -3.5 where ticker = 'RIOT' and date = date '2026-11-20'",
        "expect_column_values_to_be_between(close)",
    ),
    "duplicate bar": (
        "insert into raw.market_prices select * from raw.market_prices "
        "where ticker = 'CLSK' and date = date '2026-11-20'",
        "expect_compound_columns_to_be_unique(ticker,date)",
    ),
}


def blocking_expectations(gate: dg.AssetCheckEvaluation) -> set[str]:
    """The critical expectations a gate failed, as `expectation(columns)`."""
    named = set()
    for failure in gate.metadata["failures"].value:
        kwargs = failure["kwargs"]
        columns = kwargs.get("column") or ",".join(kwargs.get("column_list") or [kwargs.get("column_A", "")])
        if failure["severity"] == "critical":
            named.add(f"{failure['expectation']}({columns})")
    return named


def mart_digest(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = [
            connection.execute(f"select * from marts.{t} order by all").fetchall()
            for t in ("mart_factor_exposure", "mart_event_reactions")
        ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.parametrize("problem", sorted(BAD_ROWS))
def test_bad_batch_fails_gate_and_blocks_downstream(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str
):
    from orchestration.definitions import defs

    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute(BAD_ROWS[problem][0])
    before = mart_digest(tmp_path / "warehouse.duckdb")
    served = served_files(tmp_path)

    # The market job for the month after the snapshot: the raw step loads nothing new, its gate sees the table.
    result = defs.resolve_job_def("market_data_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, partition_key=month_after_snapshot()
    )
    gate = next(
        c
        for c in result.get_asset_check_evaluations()
        if c.asset_key.to_user_string() == "raw_market_prices" and c.check_name == "ge_gate"
    )
    assert gate_blocked(gate)
    assert BAD_ROWS[problem][1] in blocking_expectations(gate), blocking_expectations(gate)
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    from_market = dg.AssetSelection.assets("raw_market_prices").downstream().resolve(defs.resolve_asset_graph())
    # nothing built from the market bars, nothing published (the job's network side still loads and builds)
    assert built & {key.to_user_string() for key in from_market} == {"raw_market_prices"}
    assert mart_digest(tmp_path / "warehouse.duckdb") == before
    assert served_files(tmp_path) == served  # BI tools still see the last good publish


SEC_MARTS = ("mart_revenue_mix", "mart_ai_capacity_exposure", "mart_ai_pivot_scenarios")
BAD_FILINGS = {
    # a period that ends before it starts: no filing says that (another currency is legitimate: dbt excludes it)
    "period ends before it starts": (
        "raw_sec_revenue_facts",
        "update raw.sec_revenue_facts set period_start = period_end + interval 5 day"
        " where ticker = 'MARA' and period_end = date '2024-03-31'",
        "expect_column_pair_values_a_to_be_greater_than_b(period_end)",
    ),
    # the same fact twice in one filing: the raw key is no longer unique
    "duplicate fact": (
        "raw_sec_revenue_facts",
        "insert into raw.sec_revenue_facts select * from raw.sec_revenue_facts where ticker = 'RIOT' limit 1",
        "expect_compound_columns_to_be_unique(accession_number,concept,context_id,unit)",
    ),
    # a malformed accession number in the filings index
    "bad accession": (
        "raw_sec_filings",
        "update raw.sec_filings set accession_number = '12-34' where ticker = 'CLSK' and form = '8-K'"
        " and accession_number = (select min(accession_number) from raw.sec_filings where ticker = 'CLSK'"
        " and form = '8-K')",
        "expect_column_values_to_match_regex(accession_number)",
    ),
}


def sec_mart_digest(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = [connection.execute(f"select * from marts.{t} order by all").fetchall() for t in SEC_MARTS]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.parametrize("problem", sorted(BAD_FILINGS))
def test_bad_filing_fails_its_gate_and_blocks_the_marts(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str
):
    from orchestration.definitions import defs

    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    asset, statement, expectation = BAD_FILINGS[problem]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute(statement)
    before = sec_mart_digest(tmp_path / "warehouse.duckdb")
    served = served_files(tmp_path)

    # The SEC job on a warehouse that already holds every snapshot filing: nothing new is fetched,
    # the gates see the tampered tables.
    result = defs.resolve_job_def("sec_filings_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    gate = next(
        c
        for c in result.get_asset_check_evaluations()
        if c.asset_key.to_user_string() == asset and c.check_name == "ge_gate"
    )
    assert gate_blocked(gate)
    assert expectation in blocking_expectations(gate), blocking_expectations(gate)
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert not built & {*SEC_MARTS, "publish", "convergence_report"}
    assert sec_mart_digest(tmp_path / "warehouse.duckdb") == before
    assert served_files(tmp_path) == served


def test_a_failed_sec_gate_leaves_the_market_marts_fresh(
    pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A whole run with a bad SEC batch: the market side builds, gates and publishes fresh; the SEC marts are
    served as last published, marked stale because of the failed gate."""
    from orchestration.definitions import defs

    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    _, statement, _ = BAD_FILINGS["duplicate fact"]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        connection.execute(statement)
    served = served_files(tmp_path)
    # by the asset graph: the marts built from the bad table, and those built from no SEC data at all
    graph = defs.resolve_asset_graph()
    ancestors = {m: graph.get_ancestor_asset_keys(dg.AssetKey(m)) for m in served_marts()}
    tainted = [m for m in served_marts() if dg.AssetKey("raw_sec_revenue_facts") in ancestors[m]]
    market_marts = [m for m in served_marts() if not any(a.path[0].startswith("raw_sec") for a in ancestors[m])]
    assert {"mart_revenue_mix", "mart_ai_capacity_exposure"} <= set(tainted) and "mart_factor_exposure" in market_marts
    sec_tables = [f"marts.{m}" for m in tainted]
    previous = served_rows(tmp_path, sec_tables)

    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("all_assets_job").execute_in_process(
        instance=instance, raise_on_error=False, partition_key=last_snapshot_month()
    )
    outcomes = check_outcomes(result)
    assert outcomes[("raw_sec_revenue_facts", "ge_gate")] is False
    for mart in market_marts:  # built and gated in the same run, by the same dbt build
        assert mart in materialized(result), mart
        assert outcomes[(mart, "ge_gate")], mart
    assert not materialized(result) & set(tainted)
    assert served_files(tmp_path) == served

    published = defs.resolve_job_def("publish_job").execute_in_process(instance=instance, raise_on_error=False)
    assert published.success
    status = publish_status(tmp_path)
    fresh = {f"marts.{m}" for m in market_marts} | {t for t, (_, gated) in served_tables().items() if not gated}
    served_fresh = {t for t, row in status.items() if row["status"] == "fresh"}
    assert fresh <= served_fresh and not served_fresh & set(sec_tables)
    marts = sorted(f"marts.{m}" for m in market_marts)
    assert served_rows(tmp_path, marts) == built_rows(tmp_path, marts)
    for table in sec_tables:
        assert status[table]["status"] == "stale", table
        reason = status[table]["stale_reason"]
        assert "upstream gate failed: raw_sec_revenue_facts" in reason, reason
        assert status[table]["built_in_run_id"] == pipeline.result.run_id  # the session's build, carried over
    assert served_rows(tmp_path, sec_tables) == previous
    after = served_files(tmp_path)
    for table in sec_tables:
        name = f"{table.split('.')[1]}.parquet"
        assert after[name] == served[name], name


def test_unreconciled_breakdown_fails_the_mart_gate(pipeline: PipelineRun, tmp_path: Path):
    """A filing whose members do not add up to its total: the revenue-mix suite blocks on it."""
    from orchestration.defs.quality.gates import validate_table

    frame = pipeline.query("select * from marts.mart_revenue_mix")
    row = frame.index[frame["has_breakdown"]][0]
    frame.loc[row, "reconciliation_gap"] = 0.02  # members 2% above the reported total
    result = validate_table(frame, "mart_revenue_mix")
    assert not result.success
    assert [f.kwargs["column"] for f in result.blocking_failures] == ["reconciliation_gap"]
    assert result.blocking_failures[0].sample[0]["ticker"] == frame.loc[row, "ticker"]
