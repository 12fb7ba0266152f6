"""The daily update is incremental (macros/incremental_by_session.sql): five one-session updates after a run that
stopped five sessions early serve what a cold full run serves, row for row, and each update recomputes only what
its new bars reach. The run that stopped early is the session's cold run rolled back (no full-history run here),
and it has not seen the newest event of the seed yet."""

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.ingest.partitions import partition_range_tags
from orchestration.defs.serving.publish import served_tables
from orchestration.sources import market
from tests.pipeline.published import assert_same_tables, copy_warehouse, publish_status, served_rows
from tests.pipeline_run import PipelineRun

UPDATES = 5
BY_SESSION = ("int_daily_returns", "int_factor_returns", "int_factor_exposure_fits")
BY_EVENT = ("int_event_model_fits", "int_event_abnormal_returns", "int_event_cars")
INCREMENTAL = BY_SESSION + BY_EVENT


def _stamped_last(data_dir: Path) -> dict[str, tuple[int, int]]:
    """Per incremental model: (rows rewritten by the latest build, rows in all)."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return {
            model: connection.execute(
                f"select count(*) filter (where rebuilt_at = (select max(rebuilt_at) from intermediate.{model})),"  # noqa: S608
                f" count(*) from intermediate.{model}"
            ).fetchone()
            for model in INCREMENTAL
        }


@pytest.fixture
def last_sessions(pipeline: PipelineRun) -> list[date]:
    """The snapshot's last UPDATES + 1 US sessions, oldest first."""
    frame = pipeline.query(
        f"select session_date from intermediate.int_us_sessions order by session_date desc limit {UPDATES + 1}"
    )
    return sorted(frame["session_date"].dt.date)


def _roll_back(data_dir: Path, last_session: date) -> str:
    """The warehouse as a run that stopped at last_session left it: no bars after it, and the incremental
    models' rows up to it (they depend only on earlier sessions, so a cold build's rows are that run's). The
    newest event's rows are gone too, as if the seed gained it since: the event models must add it back."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as connection:
        connection.execute("delete from raw.market_prices where date > ?", [last_session])
        for model in BY_SESSION:
            connection.execute(f"delete from intermediate.{model} where session_date > ?", [last_session])  # noqa: S608
        (newest_event,) = connection.execute(
            "select event_id from intermediate.int_event_model_fits order by event_session_index desc limit 1"
        ).fetchone()
        for model in BY_EVENT:
            connection.execute(f"delete from intermediate.{model} where event_id = ?", [newest_event])  # noqa: S608
    return newest_event


def _events_reached(data_dir: Path, first_session: date) -> set[str]:
    """The events whose span (estimation window to +5) holds a session on or after first_session."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            """
            select distinct fits.event_id
            from intermediate.int_event_model_fits as fits, intermediate.int_us_sessions as sessions
            where sessions.session_date >= ? and sessions.session_index <= fits.event_session_index + 5
            """,
            [first_session],
        ).fetchall()
    return {event_id for (event_id,) in rows}


def _events_rebuilt_last(data_dir: Path, model: str) -> set[str]:
    """The events of `model` recomputed by the latest build: stamped with its start, which every SQL model of one
    dbt invocation shares, and int_daily_returns (which every update writes) shows."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            f"select distinct event_id from intermediate.{model}"  # noqa: S608
            " where rebuilt_at = (select max(rebuilt_at) from intermediate.int_daily_returns)"
        ).fetchall()
    return {event_id for (event_id,) in rows}


def test_five_one_session_updates_serve_what_a_cold_run_serves(
    pipeline: PipelineRun, last_sessions: list[date], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from orchestration.definitions import defs

    start, _ = market.snapshot_coverage()
    copy_warehouse(pipeline.data_dir, tmp_path)
    newest_event = _roll_back(tmp_path, last_sessions[0])
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    instance = dg.DagsterInstance.ephemeral()
    graph = defs.resolve_asset_graph()
    market_marts = {
        table
        for table, (relation, gated) in served_tables().items()
        if gated
        and dg.AssetKey("raw_market_prices") in graph.get_ancestor_asset_keys(dg.AssetKey(relation.split(".")[-1]))
    }
    for session in last_sessions[1:]:
        monkeypatch.setattr(market, "snapshot_coverage", lambda *_, end=session: (start, end))  # the source's last day
        update = defs.resolve_job_def("market_data_job").execute_in_process(  # `miners run --job market_data_job
            instance=instance,
            tags=partition_range_tags(session, session),
            raise_on_error=False,  # --start D --end D`
        )
        assert update.success, session
        assert defs.resolve_job_def("publish_job").execute_in_process(instance=instance).success
        stamped = _stamped_last(tmp_path)
        # the update reloads its month's bars (a partition is a month): only the sessions from the month's
        # first one are recomputed, and the fits read no more than their windows' look-back
        with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
            reached = connection.execute(
                "select count(*) from intermediate.int_factor_exposure_fits where session_date >= ?",
                [session.replace(day=1)],
            ).fetchone()[0]
        assert stamped["int_factor_exposure_fits"][0] == reached < stamped["int_factor_exposure_fits"][1]
        assert stamped["int_daily_returns"][0] < stamped["int_daily_returns"][1] / 10
        # the event models recompute the events whose span reaches the reloaded month, and (first update) the
        # event they had no row of; the rows of every other event are left as they were
        reached = _events_reached(tmp_path, session.replace(day=1))
        expected = reached | ({newest_event} if session == last_sessions[1] else set())
        for model in BY_EVENT:
            assert _events_rebuilt_last(tmp_path, model) == expected, (model, session)

    status = publish_status(tmp_path)
    assert market_marts and all(status[table]["status"] == "fresh" for table in market_marts)  # the updates' builds
    tables = list(served_tables())
    assert_same_tables(served_rows(tmp_path, tables), served_rows(pipeline.data_dir, tables))


def test_full_refresh_rebuilds_every_row(pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A rerun with nothing new recomputes no row of the incremental models; one tagged as `miners run
    --full-refresh` tags it recomputes every row."""
    from orchestration.definitions import defs
    from orchestration.defs.dbt.assets import dbt_build
    from orchestration.defs.run_tags import DBT_FULL_REFRESH_TAG

    copy_warehouse(pipeline.data_dir, tmp_path)
    monkeypatch.setenv("MINERS_DATA_DIR", str(tmp_path))
    before = _stamped_last(tmp_path)

    def build(**tags: str) -> None:
        result = dg.materialize(
            [dbt_build],
            selection=[dg.AssetKey(model) for model in INCREMENTAL],
            resources={"dbt": defs.resources["dbt"]},
            instance=dg.DagsterInstance.ephemeral(),
            tags=tags,
        )
        assert result.success

    build()
    assert _stamped_last(tmp_path) == before  # nothing new: no row recomputed
    build(**{DBT_FULL_REFRESH_TAG: "true"})
    after = _stamped_last(tmp_path)
    assert all(after[model][0] == after[model][1] == before[model][1] for model in INCREMENTAL), after
