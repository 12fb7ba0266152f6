"""The convergence report: a self-contained HTML page rendered from a tiny serving file, and its asset."""

import logging
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from plotly.offline import get_plotlyjs

from orchestration.defs.resources import WarehouseResource
from orchestration.defs.serving.report import convergence_report
from orchestration.reporting import page as page_module
from orchestration.reporting.page import CHARTS, build_report, render_report
from orchestration.reporting.queries import ReportError

SCHEMA = """
create schema marts;
create schema reference;
create table marts.mart_revenue_mix (
    ticker varchar, period_type varchar, fiscal_year integer, fiscal_quarter integer,
    period_start date, period_end date, total_revenue decimal(38, 4), self_mining_revenue decimal(38, 4),
    hosting_revenue decimal(38, 4), hpc_ai_revenue decimal(38, 4), other_revenue decimal(38, 4),
    unclassified_revenue decimal(38, 4), hpc_ai_share double, halving_era varchar
);
create table marts.mart_ai_capacity_exposure (
    ticker varchar, month_end date, ai_mw_contracted double, announced_mw double, terminated_mw double,
    contracted_value_usd double, annualized_value_usd double, counterparties integer,
    largest_counterparty_share double, latest_hpc_ai_share double, latest_beta_btc double,
    latest_beta_ai double, share_of_power_capacity double, energized_mw double, contracted_mw double
);
create table marts.mart_factor_exposure (
    ticker varchar, session_date date, window_size integer, n_obs integer, beta_btc double, beta_ai double,
    alpha double, r_squared double, beta_btc_lower_95 double, beta_btc_upper_95 double, beta_ai_lower_95 double,
    beta_ai_upper_95 double
);
create table marts.mart_event_reactions (
    ticker varchar, event_id varchar, model varchar, event_date date, event_name varchar, session_date date,
    abnormal_return double, car_m1_p1 double, car_0_p5 double, estimation_n_obs integer
);
create table marts.mart_event_study_summary (
    event_id varchar, model varchar, window_label varchar, event_date date, event_name varchar, n_firms integer,
    mean_car double, t_kp double, p_kp double
);
create table marts.mart_ai_pivot_scenarios (
    scenario_set varchar, ticker varchar, share_of_power_moved double, margin double, discount_rate double,
    gpu_capex_usd_per_mw double, is_base_case boolean, power_mw double, power_as_of_date date,
    in_dcf_universe boolean, valuation_date date, power_mw_moved double, incremental_annual_revenue_usd double,
    annual_cash_flow_usd double, capex_usd double, npv_usd double, valuation_uplift_usd double
);
create table marts.mart_valuation_per_mw (
    ticker varchar, as_of_kind varchar, as_of_date date, energized_mw double, ev_per_energized_mw double
);
create table marts.mart_network_economics (
    network_date date, hashprice_usd_per_phs_day double, gross_usd_per_mw_year_20jth double,
    gross_usd_per_mw_year_35jth double
);
create table marts.mart_miner_unit_economics (
    ticker varchar, period_type varchar, period_start date, period_end date, realisation_ratio double,
    mining_usd_per_energized_mw_year double, ai_contract_usd_per_grid_mw_year double, pivot_multiple double,
    market_ai_contract_usd_per_grid_mw_year double, pivot_multiple_at_market_contracts double, known_from date
);
create table reference.vaneck_dcf_assumptions (
    assumption varchar, assumption_value double, unit varchar, status varchar, is_base_case boolean,
    source_url varchar, note varchar
);
create table reference.miners (ticker varchar, company_name varchar, is_miner boolean);
create table reference.ai_hpc_contracts (deal_id integer, ticker varchar, counterparty varchar, critical_it_mw double);
create table reference.market_events (event_id varchar, event_date date, event_name varchar);
create table main.publish_log (
    run_id varchar, published_at timestamp, source varchar, sec_source varchar, is_synthetic boolean,
    data_as_of date, table_name varchar, row_count bigint
);
"""

ROWS = """
insert into reference.miners values
    ('CORZ', 'Core Scientific, Inc.', true),
    ('MARA', 'MARA Holdings, Inc. (fka Marathon Digital Holdings)', true),
    ('BITF', 'Bitfarms Ltd.', true);
insert into marts.mart_revenue_mix values
    ('CORZ', 'quarter', 2024, 1, '2024-01-01', '2024-03-31', 180000000, 170000000, 10000000, 0, 0, 0, 0, 'pre'),
    ('CORZ', 'quarter', 2024, 2, '2024-04-01', '2024-06-30', 150000000, 120000000, 10000000, 12345670, 7654330, 0,
     0.08, 'post'),
    ('CORZ', 'fiscal_year', 2023, null, '2023-01-01', '2023-12-31', 500000000, 500000000, 0, 0, 0, 0, 0, 'pre'),
    ('MARA', 'quarter', 2024, 2, '2024-04-01', '2024-06-30', 145000000, 140000000, 0, 0, 0, 5000000, 0, 'post'),
    ('BITF', 'fiscal_year', 2023, null, '2023-01-01', '2023-12-31', 146000000, 146000000, 0, 0, 0, 0, 0, 'pre');
insert into marts.mart_ai_capacity_exposure
    select 'CORZ', d, mw, mw, 0, mw * 17500000, mw * 1458333, 1, 1.0, 0.08, 1.2, 0.9, null, 832.5, 1300.0
    from (values (date '2024-05-31', 0.0), (date '2024-06-30', 200.0), (date '2024-08-31', 270.0)) t(d, mw)
    union all
    select 'MARA', date '2024-08-31', 0, 0, 0, 0, 0, 0, null, 0, 1.8, 0.1, null, null, null;
insert into marts.mart_factor_exposure values
    ('CORZ', '2024-09-26', 252, 252, 1.111, 0.555, 0.001, 0.4, 0.9, 1.3, 0.3, 0.8),
    ('CORZ', '2024-09-27', 252, 252, 1.234, 0.567, 0.001, 0.4, 1.011, 1.457, 0.321, 0.813),
    ('MARA', '2024-09-27', 252, 252, 1.777, 0.123, 0.0, 0.5, 1.5, 2.0, -0.1, 0.3),
    ('CORZ', '2024-09-27', 60, 60, 9.876, 5.432, 0.0, 0.3, 9.0, 10.5, 5.0, 6.0);
insert into marts.mart_event_reactions values
    ('CORZ', 'btc_halving_2024', 'market', '2024-04-20', 'Bitcoin 4th halving (block 840000)', '2024-04-22',
     -0.0734, -0.09, -0.1, 120),
    ('CORZ', 'btc_halving_2024', 'market_btc', '2024-04-20', 'Bitcoin 4th halving (block 840000)', '2024-04-22',
     -0.0111, -0.02, -0.03, 120),
    ('MARA', 'btc_halving_2024', 'market', '2024-04-20', 'Bitcoin 4th halving (block 840000)', '2024-04-22',
     -0.0612, -0.08, -0.1, 120),
    ('CORZ', 'corz_coreweave_200mw_2024', 'market', '2024-06-03', 'CORZ-CoreWeave 200 MW / $3.5B / 12y hosting deal',
     '2024-06-03', 0.2250, 0.3, 0.35, 120);
insert into marts.mart_event_study_summary values
    ('btc_halving_2024', 'market', '[-1,+1]', '2024-04-20', 'Bitcoin 4th halving (block 840000)', 11,
     -0.0734, -1.23, 0.25),
    ('btc_halving_2024', 'market_btc', '[-1,+1]', '2024-04-20', 'Bitcoin 4th halving (block 840000)', 11,
     -0.05, -0.98, 0.35),
    ('btc_halving_2024', 'market', '[0,0]', '2024-04-20', 'Bitcoin 4th halving (block 840000)', 11,
     0.5, 9.0, 0.0);
insert into marts.mart_ai_pivot_scenarios values
    ('ev_multiple', 'CORZ', 0.2, null, null, null, null, 1300, '2025-07-07', null, null, 260, 100000000, null,
     null, null, 1000000000),
    ('vaneck_2024_dcf', 'CORZ', 0.2, 0.3, 0.12, 15000000, true, 1300, '2025-07-07', true, '2026-12-31', 260,
     2368600000, 710580000, 5850000000, 1234500000, null),
    ('vaneck_2024_dcf', 'CORZ', 0.2, 0.4, 0.10, 0, false, 1300, '2025-07-07', true, '2026-12-31', 260,
     2368600000, 947440000, 1950000000, -4567800000, null),
    ('vaneck_2024_dcf', 'MARA', 0.2, 0.3, 0.12, 15000000, true, null, null, false, '2026-12-31', null, null,
     null, null, null, null),
    ('vaneck_2024_dcf', 'MARA', 0.2, 0.4, 0.10, 0, false, null, null, false, '2026-12-31', null, null, null,
     null, null, null);
insert into marts.mart_valuation_per_mw values
    ('CORZ', 'latest', '2024-09-27', 832.5, 7654321.0),
    ('CORZ', 'month_end', '2024-08-31', 832.5, 99999999.0),
    ('MARA', 'latest', '2024-09-27', null, null);
insert into marts.mart_network_economics values
    ('2024-04-19', 104.4, 1906000.0, 1089000.0),
    ('2024-04-21', 51.9, 947000.0, 541000.0);
insert into marts.mart_miner_unit_economics values
    ('CORZ', 'quarter', '2024-04-01', '2024-06-30', 0.931, 574357.0, 1020833.0, 1.777, 1020833.0, 1.777,
     '2024-08-07'),
    ('MARA', 'quarter', '2024-01-01', '2024-03-31', 0.8765, 612345.0, null, null, 1234567.0, 2.016,
     '2024-05-09'),
    ('MARA', 'quarter', '2024-04-01', '2024-06-30', null, null, null, null, 1020833.0, null, '2024-08-01'),
    ('BITF', 'fiscal_year', '2023-01-01', '2023-12-31', null, null, null, null, null, null, '2024-03-07');
insert into reference.vaneck_dcf_assumptions values
    ('vaneck_npv_usd', 37600000000, 'USD', 'published', true, 'https://www.example.com/vaneck', 'headline NPV'),
    ('vaneck_annual_uplift_usd', 13900000000, 'USD per year', 'published', true, 'https://example.com/a',
     'annual uplift'),
    ('margin', 0.3, 'fraction of revenue', 'declared_unknown', true, null, 'ASSUMPTION: cash margin'),
    ('margin', 0.4, 'fraction of revenue', 'declared_unknown', false, null, 'ASSUMPTION: cash margin');
insert into reference.market_events values ('btc_halving_2024', '2024-04-20', 'Bitcoin 4th halving (block 840000)');
insert into main.publish_log values
    ('run-old', '2024-09-01 10:00:00', 'live', 'live', false, '2024-08-30', 'marts.mart_revenue_mix', 4),
    ('run-new-42', '2024-09-28 18:45:00', 'snapshot', 'snapshot', {synthetic}, '2024-09-27',
     'marts.mart_revenue_mix', 5),
    ('run-new-42', '2024-09-28 18:45:00', 'snapshot', 'snapshot', {synthetic}, '2024-09-27',
     'marts.mart_factor_exposure', 4);
"""


def make_serving_file(folder: Path, synthetic: bool = True, empty_marts: bool = False) -> Path:
    path = folder / "serving.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(SCHEMA)
        connection.execute(ROWS.replace("{synthetic}", "true" if synthetic else "false"))
        if empty_marts:
            for mart in ("mart_revenue_mix", "mart_ai_capacity_exposure", "mart_factor_exposure"):
                connection.execute(f"delete from marts.{mart}")
            connection.execute("delete from marts.mart_event_reactions")
            connection.execute("delete from marts.mart_event_study_summary")
            connection.execute("delete from marts.mart_valuation_per_mw")
            connection.execute("delete from marts.mart_ai_pivot_scenarios")
            connection.execute("delete from marts.mart_network_economics")
            connection.execute("delete from marts.mart_miner_unit_economics")
    return path


def render(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as connection:
        return render_report(connection)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    return render(make_serving_file(tmp_path_factory.mktemp("serving")))


@pytest.fixture(scope="module")
def page_without_bundle(page: str) -> str:
    return page.replace(get_plotlyjs(), "")


def test_page_is_self_contained(page: str, page_without_bundle: str):
    assert page.count(get_plotlyjs()) == 1  # plotly.js inline, once
    assert len(page) - len(page_without_bundle) > 3_000_000
    # (plotly.js itself names a CDN as its unused topojson default; nothing else may point outside)
    assert "cdn.plot.ly" not in page_without_bundle
    assert "<script src=" not in page.lower() and '<script src="http' not in page
    assert "http://" not in page_without_bundle and "https://" not in page_without_bundle
    assert "<link" not in page_without_bundle.lower()  # no stylesheets or fonts fetched
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_page_has_every_chart(page: str):
    assert page.count('class="plotly-graph-div"') == len(CHARTS)
    for anchor, (title, _) in CHARTS.items():
        assert f'id="chart-{anchor}"' in page
        assert f"<h2>{title}</h2>" in page
    assert "Revenue mix by quarter" in page and "Event-day abnormal returns" in page


def test_event_study_shows_each_models_mean_car_with_its_kp_t(page: str):
    """The [-1,+1] rows only: the halving's mean CAR per model, annotated with t_KP, p and n."""
    assert "-7.34" in page and "-5.0" in page
    assert "t_KP -1.23 · p 0.25 · n 11" in page
    assert "t_KP -0.98 · p 0.35 · n 11" in page
    assert "t_KP +9.00" not in page  # the [0,0] row is not this chart's window


def test_header_says_source_as_of_run_and_synthetic(page: str):
    assert "<h1>Miner Convergence</h1>" in page
    assert "SYNTHETIC snapshot data" in page
    assert "market data: <b>snapshot</b>" in page
    assert "2024-09-27" in page  # data as of, from the latest publish run
    assert "run-new-42" in page and "2024-09-28 18:45:00 UTC" in page
    assert "run-old" not in page and "2024-08-30" not in page


def test_real_data_are_not_called_synthetic(tmp_path: Path):
    page = render(make_serving_file(tmp_path, synthetic=False)).replace(get_plotlyjs(), "")
    assert "SYNTHETIC" not in page
    assert "synthetic: <b>no</b>" in page


def test_header_names_the_network_source_where_the_log_has_it(tmp_path: Path, page_without_bundle: str):
    assert "bitcoin network:" not in page_without_bundle  # a log written before the column: not named
    path = make_serving_file(tmp_path, synthetic=False)
    with duckdb.connect(str(path)) as connection:
        connection.execute("alter table main.publish_log add column network_source varchar")
        connection.execute("update main.publish_log set network_source = 'files'")
    assert "SEC filings: <b>snapshot</b> · bitcoin network: <b>files</b> · synthetic: <b>no</b>" in render(path)


def test_page_holds_the_published_values(page_without_bundle: str):
    page = page_without_bundle
    assert "CORZ" in page and "Core Scientific" in page and "MARA Holdings" in page
    assert "(fka" not in page  # short company names in panel titles
    assert "12.35" in page  # CORZ Q2 2024 HPC/AI revenue, $M
    assert "270.0" in page  # CORZ MW contracted to AI
    assert "832.5" in page and "1300.0" in page  # CORZ energized and contracted power
    assert "Power: energized vs contracted to AI" in page
    assert "1.234" in page and "0.567" in page  # CORZ 252-session betas
    assert "1.011" in page and "1.457" in page  # and the latest band of beta_btc
    assert "9.876" not in page  # 60-session betas are not charted
    assert "-7.34" in page and "22.5" in page  # event-day abnormal returns, %
    assert "-1.11" not in page  # of the market model only
    assert "2024-04-20" in page  # the halving line
    assert "Bitfarms Ltd.</b>" not in page and "fiscal years" in page  # BITF files annually only


def test_value_per_mw_shows_ev_per_mw_against_vanecks_marks(page_without_bundle: str):
    page = page_without_bundle
    assert "<h2>Value per megawatt</h2>" in page
    assert "7.65" in page  # CORZ latest EV per energized MW, $M
    assert "100.0" not in page  # month-end rows are not the latest
    assert "VanEck 2024: miners ~$4.5M\\u002fMW" in page and "data centres \\u003e$30M\\u002fMW" in page  # JSON escapes


def test_value_per_mw_prints_the_dcf_grid_and_its_assumptions(page_without_bundle: str):
    page = page_without_bundle
    assert "Aggregate over 1 miners (CORZ)" in page
    assert "excluded, no cited company-level power: MARA" in page
    assert "NPV as of 2026-12-31" in page and "VanEck: NPV $37.6B, $13.9B a year" in page
    assert "<td>$1.2B</td>" in page and "<td>-$4.6B</td>" in page  # the two grid points' NPV
    assert "<td>base case</td>" in page
    assert "<td>declared_unknown</td>" in page and "<td>published</td>" in page
    assert "<td>example.com</td>" in page  # the source's site, no link
    assert "ASSUMPTION: cash margin" in page


def test_what_a_megawatt_earns_draws_hashprice_each_efficiency_and_the_contracts(page_without_bundle: str):
    page = page_without_bundle
    assert "<h2>What a megawatt earns</h2>" in page
    assert "104.4" in page and "51.9" in page  # hashprice across the halving
    # one line per efficiency column the mart has, whatever they are
    assert "Mining at 20 J\\u002fTH (gross)" in page and "Mining at 35 J\\u002fTH (gross)" in page
    assert "1.906" in page  # $M per MW a year at 20 J/TH
    assert "AI\\u002fHPC contracts signed by then, per grid MW" in page and "1.235" in page


def test_what_a_megawatt_earns_lists_each_companys_latest_realised_period(page_without_bundle: str):
    page = page_without_bundle
    # CORZ: its own contracts; MARA: its latest period with a realised figure (Q1), at the market's contracts
    assert "<td>CORZ</td><td>Core Scientific, Inc.</td><td>2024-06-30 (quarter)</td><td>0.93</td>" in page
    assert "<td>$0.6M</td><td>$1.0M (own)</td><td>1.78</td><td>2024-08-07</td>" in page
    assert "<td>2024-03-31 (quarter)</td><td>0.88</td><td>$0.6M</td><td>$1.2M (market)</td><td>2.02</td>" in page
    assert "No hashrate or energized MW cited for a period with revenue: BITF." in page


def test_empty_marts_still_make_every_chart(tmp_path: Path):
    page = render(make_serving_file(tmp_path, empty_marts=True))
    assert page.count('class="plotly-graph-div"') == len(CHARTS)
    assert "No revenue periods are published yet." in page
    assert "contracts in the published data." in page  # (plotly's JSON writes "/" as "\\/")
    assert "No cited power or AI" in page
    assert "No company has both an enterprise value" in page
    assert "No VanEck DCF scenarios are published yet." in page
    assert "No bitcoin network data is published yet." in page


def test_a_file_that_is_not_a_serving_file_is_refused(tmp_path: Path):
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table t (x integer)")
    with pytest.raises(ReportError, match="main.publish_log"):
        render(path)


def test_asset_writes_the_report_next_to_the_serving_file(tmp_path: Path):
    make_serving_file(tmp_path)
    result = dg.materialize([convergence_report], resources={"warehouse": WarehouseResource(data_dir=str(tmp_path))})
    assert result.success
    report = tmp_path / "convergence_report.html"
    assert report.is_file() and report.read_text(encoding="utf-8").count('class="plotly-graph-div"') == len(CHARTS)
    [materialization] = result.asset_materializations_for_node("convergence_report")
    metadata = materialization.metadata
    assert metadata["report"] == dg.MetadataValue.path(str(report))
    assert metadata["report_url"] == dg.MetadataValue.url(report.as_uri())
    assert metadata["publish_run_id"].value == "run-new-42"
    assert metadata["is_synthetic"].value is True
    assert not list(tmp_path.glob(".convergence_report.html.*"))  # the page was written aside, then renamed


def test_asset_without_a_serving_file_says_run_publish_first(tmp_path: Path):
    with pytest.raises(dg.Failure, match="run publish first") as failure:
        dg.materialize([convergence_report], resources={"warehouse": WarehouseResource(data_dir=str(tmp_path))})
    assert str(tmp_path / "serving.duckdb") in str(failure.value)
    assert not (tmp_path / "convergence_report.html").exists()


# --- what the latest publish could not serve fresh: stale and missing tables --------------------------------------

SEC_MARTS = (
    "marts.mart_revenue_mix",
    "marts.mart_ai_capacity_exposure",
    "marts.mart_valuation_per_mw",
    "marts.mart_miner_unit_economics",
)
GATE_FAILED = (
    "upstream gate failed: raw_sec_filings in run run-new-42: expect_compound_columns_to_be_unique(cik, "
    "accession_number) failed"
)


def publish_status(connection: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """The latest publish's per-table status, as publish writes it (a view over its log)."""
    connection.execute(
        "create table main.status_rows (table_name varchar, status varchar, stale_reason varchar,"
        " built_in_run_id varchar, built_at timestamp)"
    )
    connection.executemany("insert into main.status_rows values (?, ?, ?, ?, ?)", rows)
    connection.execute("create view main.publish_status as select * from main.status_rows")


def without_sec_marts(folder: Path) -> Path:
    """A first run whose SEC gate failed: no SEC mart was ever published, the market marts are fresh."""
    path = make_serving_file(folder)
    with duckdb.connect(str(path)) as connection:
        for table in SEC_MARTS:
            connection.execute(f"drop table {table}")
        missing = [(t, "missing", f"{GATE_FAILED}; no earlier version to serve", None, None) for t in SEC_MARTS]
        publish_status(connection, [*missing, ("marts.mart_factor_exposure", "fresh", None, "run-new-42", None)])
        connection.execute(
            "insert into main.publish_log values ('run-new-42', '2024-09-28 18:45:00', 'snapshot', 'files', false,"
            " '2024-09-27', 'marts.mart_valuation_per_mw', 0)"
        )
    return path


def test_missing_sec_marts_become_sections_that_say_so_and_why(tmp_path: Path):
    with duckdb.connect(str(without_sec_marts(tmp_path)), read_only=True) as connection:
        report = build_report(connection)
    page = report.page
    without_bundle = page.replace(get_plotlyjs(), "")
    assert page.count(get_plotlyjs()) == 1  # inlined with the first chart drawn (the betas)
    drawn = {"betas", "event-reactions", "event-study", "megawatt"}  # the network's hashprice is not from SEC
    for anchor in CHARTS:
        assert f'<section id="{anchor}">' in page  # every section is there
        assert (f'id="chart-{anchor}"' in page) == (anchor in drawn), anchor
    assert page.count('class="plotly-graph-div"') == len(drawn)
    assert "1.234" in without_bundle and "-7.34" in without_bundle  # the market sections show their data
    for table in SEC_MARTS:
        assert f"{table} is not published: {GATE_FAILED}; no earlier version to serve." in without_bundle
    # the DCF grid under the value-per-MW chart reads its own tables, which were published
    assert "Aggregate over 1 miners (CORZ)" in without_bundle
    assert set(report.notices) == {"revenue-mix", "contracted-mw", "power", "value-per-mw", "megawatt"}
    assert "Not from this publish" in without_bundle and '<a href="#revenue-mix">' in without_bundle
    assert "Not published: marts.mart_revenue_mix, marts.mart_valuation_per_mw." in without_bundle


def test_a_stale_table_is_shown_as_its_last_good_version_with_why(tmp_path: Path):
    path = make_serving_file(tmp_path)
    with duckdb.connect(str(path)) as connection:
        publish_status(
            connection,
            [("marts.mart_revenue_mix", "stale", GATE_FAILED, "run-old", datetime(2024, 9, 1, 10, 0))],
        )
    with duckdb.connect(str(path), read_only=True) as connection:
        report = build_report(connection)
    page = report.page.replace(get_plotlyjs(), "")
    assert page.count('class="plotly-graph-div"') == len(CHARTS)  # every chart, the stale one too
    assert "12.35" in page  # the last good revenue mix is drawn
    assert (
        "marts.mart_revenue_mix is stale: the last good version (built in run run-old on 2024-09-01 10:00 UTC) "
        f"is shown; not rebuilt: {GATE_FAILED}." in page
    )
    assert report.notices == {"revenue-mix": [page.split('<p class="notice">')[1].split(".</p>")[0]]}
    assert "marts.mart_revenue_mix (5 rows, stale)" in page


def test_a_table_that_cannot_be_read_is_named_and_the_rest_is_drawn(tmp_path: Path):
    """A stale table carried over from an older schema may lack a column the report reads."""
    path = make_serving_file(tmp_path)
    with duckdb.connect(str(path)) as connection:
        connection.execute("alter table marts.mart_factor_exposure drop column beta_ai")
    with duckdb.connect(str(path), read_only=True) as connection:
        report = build_report(connection)
    assert list(report.notices) == ["betas"]
    [notice] = report.notices["betas"]
    assert notice.startswith("marts.mart_factor_exposure, reference.miners is published but could not be read: ")
    assert "beta_ai" in notice
    assert report.page.count('class="plotly-graph-div"') == len(CHARTS) - 1


def test_asset_reports_without_the_sec_marts_and_warns_per_section(tmp_path: Path):
    without_sec_marts(tmp_path)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [convergence_report], resources={"warehouse": WarehouseResource(data_dir=str(tmp_path))}, instance=instance
    )
    assert result.success
    assert (tmp_path / "convergence_report.html").is_file()
    [materialization] = result.asset_materializations_for_node("convergence_report")
    not_fresh = materialization.metadata["sections_not_fresh"].value
    assert set(not_fresh) == {"revenue-mix", "contracted-mw", "power", "value-per-mw", "megawatt"}
    warnings = [e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING]
    assert any(
        w.startswith("convergence_report: section revenue-mix: marts.mart_revenue_mix is not published: ")
        for w in warnings
    ), warnings


def test_a_universe_larger_than_the_charts_is_charted_in_part_and_says_so(tmp_path: Path, monkeypatch):
    """With room for two companies, BITF and CORZ (miners first, by ticker) are drawn and MARA is not: it is
    named only by the DCF preset's caption, an aggregate over the universe. The header says how many are charted."""
    monkeypatch.setattr(page_module, "MAX_CHARTED_COMPANIES", 2)
    page = render(make_serving_file(tmp_path)).replace(get_plotlyjs(), "")
    assert "the first 2 of 3 (miners first, by ticker)" in page
    assert "Core Scientific" in page and "MARA Holdings" not in page
    assert page.count("MARA") == page.count("no cited company-level power: MARA") == 1
    assert page.count('class="plotly-graph-div"') == len(CHARTS)


def test_a_universe_the_charts_hold_says_nothing_of_it(page_without_bundle: str):
    assert "Companies charted" not in page_without_bundle and "MARA Holdings" in page_without_bundle
