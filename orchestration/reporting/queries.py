"""What the report reads from the serving file: the latest publish, each served table's status, and one query per
chart. The tables each query reads are taken from its SQL, not listed beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import pandas as pd

# The betas and the event-study window the report shows
BETA_WINDOW = 252
EVENT_STUDY_WINDOW = "[-1,+1]"
DCF_SCENARIO_SET = "vaneck_2024_dcf"
# What makes a file a serving file; every other table may be missing (its sections then say so and why).
REQUIRED_TABLES = ("main.publish_log",)


class ReportError(ValueError):
    """The serving file cannot make a report (not a serving file, nothing published)."""


@dataclass(frozen=True)
class TableStatus:
    """What the latest publish did with one served table (its `publish_status` row), or that the file lacks it."""

    table: str
    status: str  # fresh, stale, missing (not in the file), or unreadable (in the file, but its query failed)
    reason: str | None = None
    built_in_run_id: str | None = None
    built_at: datetime | None = None

    def notice(self) -> str:
        """One sentence for a section: what is shown of this table and why it is not this publish's build."""
        why = f": {self.reason}" if self.reason else ""
        if self.status == "stale":
            built = f"built in run {self.built_in_run_id}" if self.built_in_run_id else "built by an earlier run"
            when = f" on {self.built_at:%Y-%m-%d %H:%M} UTC" if self.built_at else ""
            return f"{self.table} is stale: the last good version ({built}{when}) is shown; not rebuilt{why}"
        if self.status == "unreadable":
            return f"{self.table} is published but could not be read{why}"
        return f"{self.table} is not published{why}"


@dataclass(frozen=True)
class PublishInfo:
    """The latest publish run recorded in the serving file's publish_log."""

    run_id: str
    published_at: datetime
    source: str
    sec_source: str
    network_source: str | None
    is_synthetic: bool
    data_as_of: date | None
    tables: dict[str, int] = field(default_factory=dict)


def latest_publish(connection: duckdb.DuckDBPyConnection) -> PublishInfo:
    """The latest publish's row of each table (a file written before a column existed lacks it: None then)."""
    log = connection.execute(
        "select * from main.publish_log where published_at = (select max(published_at) from main.publish_log)"
        " order by table_name"
    ).df()
    if log.empty:
        raise ReportError("the serving file's publish_log is empty: nothing has been published yet")
    first = log.iloc[0]
    as_of = log["data_as_of"].dropna()
    return PublishInfo(
        run_id=first["run_id"],
        published_at=first["published_at"].to_pydatetime(),
        source=first["source"],
        sec_source=first["sec_source"],
        network_source=first.get("network_source"),
        is_synthetic=bool(log["is_synthetic"].any()),
        data_as_of=pd.Timestamp(as_of.max()).date() if len(as_of) else None,
        tables=dict(zip(log["table_name"], log["row_count"].astype(int), strict=True)),
    )


def present_tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    present = {
        f"{schema}.{table}"
        for schema, table in connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    missing = [table for table in REQUIRED_TABLES if table not in present]
    if missing:
        raise ReportError(f"the serving file lacks {', '.join(missing)}: is it a serving file written by publish?")
    return present


def table_statuses(connection: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, TableStatus]:
    """Per served table, the latest publish's status (`publish_status`): fresh, stale with why, or missing
    with why. A file written before per-table status has no `publish_status`: its tables count as fresh."""
    if "main.publish_status" not in present:
        return {}
    rows = connection.execute(
        "select table_name, status, stale_reason, built_in_run_id, built_at from main.publish_status"
    ).fetchall()
    return {row[0]: TableStatus(*row) for row in rows}


def table_status(table: str, present: set[str], statuses: dict[str, TableStatus]) -> TableStatus:
    known = statuses.get(table)
    if table not in present:
        reason = known.reason if known and known.status != "fresh" else None
        return TableStatus(table, "missing", reason or "the serving file does not hold it")
    return known or TableStatus(table, "fresh")


def frame(connection: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return connection.execute(sql).df()


QUERIES = {
    "companies": "select ticker, company_name from reference.miners order by not coalesce(is_miner, false), ticker",
    "revenue": """
        select ticker, period_type, cast(period_start as varchar) as period_start,
               cast(period_end as varchar) as period_end,
               cast(self_mining_revenue as double) as self_mining_revenue,
               cast(hosting_revenue as double) as hosting_revenue,
               cast(hpc_ai_revenue as double) as hpc_ai_revenue,
               cast(other_revenue as double) as other_revenue,
               cast(unclassified_revenue as double) as unclassified_revenue
        from marts.mart_revenue_mix
        where ticker in (select ticker from reference.miners)
        order by ticker, period_end
    """,
    "capacity": """
        select ticker, cast(month_end as varchar) as month_end,
               cast(ai_mw_contracted as double) as ai_mw_contracted,
               cast(energized_mw as double) as energized_mw,
               cast(contracted_mw as double) as contracted_mw
        from marts.mart_ai_capacity_exposure
        where ticker in (select ticker from reference.miners)
        order by ticker, month_end
    """,
    "betas": f"""
        select
            ticker, cast(session_date as varchar) as session_date, beta_btc, beta_ai,
            beta_btc_lower_95, beta_btc_upper_95, beta_ai_lower_95, beta_ai_upper_95
        from marts.mart_factor_exposure
        where window_size = {BETA_WINDOW} and ticker in (select ticker from reference.miners)
        order by ticker, session_date
    """,  # noqa: S608 - the constant BETA_WINDOW
    "events": """
        select ticker, event_id, cast(event_date as varchar) as event_date, event_name, abnormal_return
        from marts.mart_event_reactions
        where model = 'market' and ticker in (select ticker from reference.miners)
        order by event_date, event_id, ticker
    """,
    "event_study": f"""
        select event_id, cast(event_date as varchar) as event_date, event_name, model, n_firms, mean_car,
               t_kp, p_kp
        from marts.mart_event_study_summary
        where window_label = '{EVENT_STUDY_WINDOW}'
        order by event_date, event_id, model
    """,  # noqa: S608 - the constant EVENT_STUDY_WINDOW
    "valuation": """
        select ticker, cast(as_of_date as varchar) as as_of_date, cast(energized_mw as double) as energized_mw,
               cast(ev_per_energized_mw as double) as ev_per_energized_mw
        from marts.mart_valuation_per_mw
        where as_of_kind = 'latest' and ticker in (select ticker from reference.miners where is_miner)
        order by ticker
    """,
    "dcf": f"""
        with universe as (
            select * from marts.mart_ai_pivot_scenarios where scenario_set = '{DCF_SCENARIO_SET}'
        ),
        names as (
            select
                string_agg(distinct ticker, ', ' order by ticker) filter (where in_dcf_universe) as tickers,
                string_agg(distinct ticker, ', ' order by ticker) filter (where power_mw is null) as excluded,
                cast(min(power_as_of_date) filter (where in_dcf_universe) as varchar) as power_as_of_min,
                cast(max(power_as_of_date) filter (where in_dcf_universe) as varchar) as power_as_of_max,
                count(distinct ticker) filter (where in_dcf_universe) as n_miners,
                cast(max(valuation_date) as varchar) as valuation_date
            from universe
        )
        select margin, discount_rate, gpu_capex_usd_per_mw, bool_or(is_base_case) as is_base_case,
               sum(power_mw_moved) as power_mw_moved, sum(incremental_annual_revenue_usd) as annual_revenue_usd,
               sum(annual_cash_flow_usd) as annual_cash_flow_usd, sum(capex_usd) as capex_usd,
               sum(npv_usd) as npv_usd, any_value(names.tickers) as tickers,
               any_value(names.excluded) as excluded, any_value(names.power_as_of_min) as power_as_of_min,
               any_value(names.power_as_of_max) as power_as_of_max, any_value(names.n_miners) as n_miners,
               any_value(names.valuation_date) as valuation_date
        from universe cross join names
        where in_dcf_universe
        group by margin, discount_rate, gpu_capex_usd_per_mw
        order by margin, discount_rate, gpu_capex_usd_per_mw
    """,  # noqa: S608 - the constant DCF_SCENARIO_SET
    "network": """
        select cast(network_date as varchar) as network_date, hashprice_usd_per_phs_day,
               columns('^gross_usd_per_mw_year_\\d+jth$')
        from marts.mart_network_economics
        order by network_date
    """,
    "unit_economics": """
        select ticker, period_type, cast(period_end as varchar) as period_end, realisation_ratio,
               mining_usd_per_energized_mw_year, ai_contract_usd_per_grid_mw_year, pivot_multiple,
               market_ai_contract_usd_per_grid_mw_year, pivot_multiple_at_market_contracts,
               cast(known_from as varchar) as known_from
        from marts.mart_miner_unit_economics
        where ticker in (select ticker from reference.miners)
        order by ticker, period_end
    """,
    "dcf_assumptions": """
        select assumption, assumption_value, unit, status,
               regexp_extract(source_url, '^https?://(?:www\\.)?([^/]+)', 1) as source, note
        from reference.vaneck_dcf_assumptions
        order by case status when 'published' then 0 when 'declared_unknown' then 1 else 2 end, assumption,
                 assumption_value
    """,
}
# query -> the served tables it reads (schema-qualified names in its SQL)
QUERY_TABLES = {
    name: tuple(dict.fromkeys(re.findall(r"\b(?:marts|reference)\.\w+", sql))) for name, sql in QUERIES.items()
}


def read_queries(connection: duckdb.DuckDBPyConnection, present: set[str], statuses: dict[str, TableStatus]):
    """Each query's frame, or None with the status of the table that kept it from being read."""
    frames: dict[str, pd.DataFrame | None] = {}
    problems: dict[str, list[TableStatus]] = {}
    for name, sql in QUERIES.items():
        tables = [table_status(table, present, statuses) for table in QUERY_TABLES[name]]
        absent = [status for status in tables if status.status == "missing"]
        frames[name] = None
        if absent:
            problems[name] = absent
            continue
        try:
            frames[name] = frame(connection, sql)
        except duckdb.Error as error:  # e.g. a stale table carried over from an older schema
            first_line = str(error).splitlines()[0]
            problems[name] = [TableStatus(", ".join(QUERY_TABLES[name]), "unreadable", first_line)]
    return frames, problems
