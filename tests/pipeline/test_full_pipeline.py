"""End to end on the snapshot: every gate passes and the planted truth comes back out of the marts."""

import json
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from orchestration.paths import SEEDS_DIR
from orchestration.sources.sec.source import SEC_SNAPSHOT_DIR
from tests.expected import gated_assets, miners_with_company_power
from tests.pipeline.published import publish_status
from tests.pipeline_run import PipelineRun

BETA_TOLERANCE = 0.05  # the bar: planted betas recovered within 0.05
SHOCK_TOLERANCE = 0.035  # the idiosyncratic noise is 1% a day: 3.5 sigma


def test_run_succeeds_with_every_gate_passing(pipeline: PipelineRun):
    assert pipeline.result.success
    checks = pipeline.result.get_asset_check_evaluations()
    gates = {c.asset_key.to_user_string() for c in checks if c.check_name == "ge_gate"}
    assert gates == gated_assets()
    failed = [f"{c.asset_key.to_user_string()}:{c.check_name}" for c in checks if not c.passed]
    assert failed == []
    assert len(checks) > 50  # dbt tests surface as checks too


def test_raw_table_is_labelled_synthetic_and_complete(pipeline: PipelineRun):
    summary = pipeline.query(
        "select count(distinct ticker) tickers, min(date) first, max(date) last, "
        "bool_and(is_synthetic) synthetic, any_value(source) source from raw.market_prices"
    ).iloc[0]
    assert summary["tickers"] == 21 and summary["synthetic"] and summary["source"] == "snapshot"
    assert summary["first"].date() == date(2022, 1, 1) and summary["last"].date() == date(2026, 11, 20)


def _windows_inside_regimes(pipeline: PipelineRun) -> list[tuple[str, str, dict]]:
    """(ticker, session to read, planted regime) for each regime that holds a whole 252-session window."""
    sessions = pipeline.query("select session_date from intermediate.int_us_sessions order by 1")["session_date"]
    sessions = pd.to_datetime(sessions).dt.date.tolist()
    picks = []
    for ticker, company in pipeline.truth["companies"].items():
        regimes = company["regimes"]
        for i, regime in enumerate(regimes):
            start = date.fromisoformat(regime["from"])
            stop = (
                date.fromisoformat(regimes[i + 1]["from"])
                if i + 1 < len(regimes)
                else sessions[-1] + pd.Timedelta(days=1)
            )
            inside = [s for s in sessions if start <= s < stop]
            if len(inside) > 253:  # the first session's return still belongs to the previous regime
                picks.append((ticker, inside[-1].isoformat(), regime))
    return picks


def test_planted_betas_are_recovered(pipeline: PipelineRun):
    picks = _windows_inside_regimes(pipeline)
    assert len(picks) >= 20
    misses = []
    for ticker, session, regime in picks:
        row = pipeline.query(
            "select beta_btc, beta_ai from marts.mart_factor_exposure "
            "where ticker = ? and session_date = ? and window_size = 252",
            [ticker, session],
        )
        assert len(row) == 1, (ticker, session)
        got = row.iloc[0]
        if (
            abs(got["beta_btc"] - regime["beta_btc"]) > BETA_TOLERANCE
            or abs(got["beta_ai"] - regime["beta_ai"]) > BETA_TOLERANCE
        ):
            misses.append((ticker, session, regime, got.to_dict()))
    assert misses == []


def test_ai_pivot_shows_in_rolling_betas(pipeline: PipelineRun):
    """A pivoted miner trades less like bitcoin and more like AI after its first contract (CORZ, APLD, WULF...)."""
    pivoted = [t for t, c in pipeline.truth["companies"].items() if c["first_ai_contract"] and len(c["regimes"]) == 2]
    latest = pipeline.query(
        "select ticker, beta_btc, beta_ai from marts.mart_factor_exposure where window_size = 60 "
        "qualify session_date = max(session_date) over (partition by ticker)"
    ).set_index("ticker")
    for ticker in pivoted:
        before = pipeline.truth["companies"][ticker]["regimes"][0]
        assert latest.loc[ticker, "beta_ai"] > before["beta_ai"] + 0.3, ticker


def test_planted_event_shocks_show_up(pipeline: PipelineRun):
    reactions = pipeline.query(
        "select ticker, event_id, session_date, abnormal_return, estimation_n_obs from marts.mart_event_reactions"
        " where model = 'market'"
    )
    reactions = reactions.set_index(["event_id", "ticker"])
    checked = 0
    for event_id, planted in pipeline.truth["event_shocks"].items():
        for ticker, shock in planted["shocks"].items():
            row = reactions.loc[(event_id, ticker)]
            assert str(row["session_date"].date()) == planted["session_date"], (event_id, ticker)
            if row["estimation_n_obs"] < 100:  # listed too recently for a market model (CORZ at the halving)
                assert pd.isna(row["abnormal_return"])
                continue
            if _regime_change_in_estimation_window(pipeline, ticker, planted["session_date"]):
                continue  # an AI pivot changed its betas inside the window: no market model recovers the shock
            assert row["abnormal_return"] == pytest.approx(shock, abs=SHOCK_TOLERANCE), (event_id, ticker)
            checked += 1
    assert checked >= 30


def _regime_change_in_estimation_window(pipeline: PipelineRun, ticker: str, session: str) -> bool:
    """A planted beta regime of `ticker` starts inside the event's estimation window (sessions -130..-11,
    about 190 to 15 calendar days before the event session): the market model then mixes two regimes."""
    end = date.fromisoformat(session)
    starts = [date.fromisoformat(r["from"]) for r in pipeline.truth["companies"][ticker]["regimes"][1:]]
    return any(15 <= (end - start).days <= 190 for start in starts)


def test_microsoft_pullback_hits_ai_pivoted_miners_hardest(pipeline: PipelineRun):
    """The 2025-03-26 report: miners fell, those already hosting AI fell more (as planted)."""
    rows = pipeline.query(
        "select r.ticker, r.abnormal_return, r.session_date from marts.mart_event_reactions r "
        "join staging.stg_reference__miners m using (ticker) "
        "where r.event_id = 'msft_datacenter_pullback_2025' and r.model = 'market' and m.is_miner"
    )
    assert (rows["abnormal_return"] < 0).all()
    assert str(rows["session_date"].iloc[0].date()) == "2025-03-26"
    pivoted = {
        t
        for t, c in pipeline.truth["companies"].items()
        if c["first_ai_contract"] and c["first_ai_contract"] <= "2025-03-26"
    }
    hit = rows.assign(pivoted=rows["ticker"].isin(pivoted)).groupby("pivoted")["abnormal_return"].mean()
    assert hit[True] < hit[False] - 0.03


CATEGORIES = ("total", "self_mining", "hosting", "hpc_ai", "other", "unclassified")


def test_planted_revenue_mix_is_recovered_exactly(pipeline: PipelineRun):
    truth = json.loads((SEC_SNAPSHOT_DIR / "planted_truth.json").read_text())
    assert truth["synthetic"] is True
    mart = pipeline.query(
        "select ticker, period_type, fiscal_year, fiscal_quarter, period_start::varchar period_start,"
        " period_end::varchar period_end, total_revenue total, self_mining_revenue self_mining,"
        " hosting_revenue hosting, hpc_ai_revenue hpc_ai, other_revenue other, unclassified_revenue unclassified"
        " from marts.mart_revenue_mix where period_end >= '2022-01-01'"  # the truth starts with 2022
    )
    got = {
        (r.ticker, r.period_start, r.period_end): (r.period_type, r.fiscal_year, r.fiscal_quarter)
        + tuple(Decimal(str(getattr(r, c))) for c in CATEGORIES)
        for r in mart.itertuples()
    }
    planted = {
        (r["ticker"], r["period_start"], r["period_end"]): (r["period_type"], r["fiscal_year"], r["fiscal_quarter"])
        + tuple(Decimal(str(r[c])) for c in CATEGORIES)
        for r in truth["revenue"]
    }
    assert len(planted) > 200
    assert set(got) == set(planted)
    wrong = {key: (got[key], planted[key]) for key in planted if _normalised(got[key]) != _normalised(planted[key])}
    assert wrong == {}


def _normalised(row: tuple) -> tuple:
    period_type, fiscal_year, fiscal_quarter, *values = row
    quarter = None if fiscal_quarter is None or pd.isna(fiscal_quarter) else int(fiscal_quarter)
    return (period_type, int(fiscal_year), quarter, *values)


def test_halving_and_ai_pivot_move_the_revenue_mix(pipeline: PipelineRun):
    mining = pipeline.query(
        "select ticker, period_end::varchar period_end, halving_era, self_mining_revenue from marts.mart_revenue_mix"
        " where period_type = 'quarter' and period_end in ('2024-03-31', '2024-09-30')"
    ).pivot(index="ticker", columns="period_end", values="self_mining_revenue")
    mining = mining[mining["2024-03-31"] > 0].dropna()
    assert len(mining) >= 9
    assert (mining["2024-09-30"] < mining["2024-03-31"]).all()  # the halving cut self-mining revenue
    corz = pipeline.query(
        "select period_end, hpc_ai_share from marts.mart_revenue_mix where ticker = 'CORZ' order by period_end"
    )
    assert corz[corz["period_end"] < "2024-06-30"]["hpc_ai_share"].fillna(0).max() == 0
    assert corz["hpc_ai_share"].iloc[-1] > 0.2  # CoreWeave's colocation revenue after the 2024 contracts


def test_ai_capacity_exposure_follows_the_contract_registry(pipeline: PipelineRun):
    latest = pipeline.query(
        "select ticker, ai_mw_contracted, terminated_mw, counterparties, largest_counterparty_share,"
        " latest_beta_ai, latest_hpc_ai_share, power_mw, share_of_power_capacity"
        " from marts.mart_ai_capacity_exposure qualify month_end = max(month_end) over () order by ticker"
    ).set_index("ticker")
    contracts = pd.read_csv(SEEDS_DIR / "ai_hpc_contracts.csv")
    signed = contracts[contracts["status_as_of_source"].str.startswith("contracted")]
    expected = signed.groupby("ticker")["critical_it_mw"].sum()
    assert latest.loc[expected.index, "ai_mw_contracted"].tolist() == pytest.approx(expected.tolist())
    assert latest.loc["CORZ", "counterparties"] == "CoreWeave" and latest.loc["CORZ", "largest_counterparty_share"] == 1
    assert latest.loc["CORZ", "power_mw"] == 1300  # the ~1.3 GW CoreWeave's offer described
    assert latest.loc["CORZ", "share_of_power_capacity"] == pytest.approx(590 / 0.7 / 1300)
    assert latest["latest_beta_ai"].notna().sum() >= 15
    assert latest.loc["MARA", "ai_mw_contracted"] == 0


def test_every_miner_with_cited_company_power_has_a_share_of_power(pipeline: PipelineRun):
    latest = pipeline.query(
        "select ticker, share_of_power_ai, share_of_power_capacity from marts.mart_ai_capacity_exposure"
        " qualify month_end = max(month_end) over ()"
    ).set_index("ticker")
    cited = sorted(miners_with_company_power())
    assert len(cited) >= 9
    assert latest.loc[cited, ["share_of_power_ai", "share_of_power_capacity"]].notna().all().all()
    assert latest[["share_of_power_ai", "share_of_power_capacity"]].stack().dropna().between(0, 1).all()


def test_pivot_scenarios_scale_with_the_share_moved(pipeline: PipelineRun):
    rows = pipeline.query(
        "select share_of_power_moved, incremental_annual_revenue_usd, valuation_uplift_usd, valuation_multiple"
        " from marts.mart_ai_pivot_scenarios where ticker = 'CORZ' and scenario_set = 'ev_multiple' order by 1"
    )
    assert rows["share_of_power_moved"].tolist() == [0.1, 0.2, 0.3, 0.5]
    per_share = rows["incremental_annual_revenue_usd"] / rows["share_of_power_moved"]
    assert per_share.max() == pytest.approx(per_share.min())
    assert (rows["valuation_uplift_usd"] == rows["incremental_annual_revenue_usd"] * rows["valuation_multiple"]).all()


def test_vaneck_dcf_preset_covers_its_grid_over_the_largest_cited_miners(pipeline: PipelineRun):
    rows = pipeline.query(
        "select ticker, margin, discount_rate, gpu_capex_usd_per_mw, is_base_case, in_dcf_universe, power_mw,"
        " npv_usd from marts.mart_ai_pivot_scenarios where scenario_set = 'vaneck_2024_dcf'"
    )
    assert rows.groupby("ticker").size().eq(27).all()  # 3 margins x 3 rates x 3 GPU costs per miner
    universe = rows[rows["in_dcf_universe"]]
    assert 0 < universe["ticker"].nunique() <= 12
    assert universe["power_mw"].notna().all() and universe["npv_usd"].notna().all()
    assert rows[rows["power_mw"].isna()]["npv_usd"].isna().all()
    assert rows.drop_duplicates("ticker")["ticker"].size == rows[rows["is_base_case"]]["ticker"].size


def test_planted_not_revenue_facts_are_excluded_with_their_reason(pipeline: PipelineRun):
    """The snapshot plants what real filings hold (facts named revenue that are not revenue, segment and
    consolidation axes, subtotal and concentration members, subsequent events): each is kept as filed and
    excluded with the planted reason, never counted."""
    truth = json.loads((SEC_SNAPSHOT_DIR / "planted_truth.json").read_text())
    facts = pipeline.query(
        "select accession_number, concept, coalesce(period_start::varchar, '') period_start,"
        " period_end::varchar period_end, coalesce(dimensions, '') dimensions, exclusion_reason"
        " from intermediate.int_revenue_facts_classified"
    )
    reasons = {
        (r.accession_number, r.concept, r.period_start, r.period_end, r.dimensions): r.exclusion_reason
        for r in facts.itertuples()
    }
    planted = truth["excluded_facts"]
    assert len(planted) > 100
    assert {p["exclusion_reason"] for p in planted} >= {
        "count_or_percentage",
        "run_rate",
        "deferred_revenue_item",
        "remaining_performance_obligation",
        "subsequent_event",
        "member_not_counted",
        "concentration_risk",
        "consolidation_item",
    }
    wrong = {}
    for fact in planted:
        dimensions = "|".join(f"{axis}={member}" for axis, member in sorted(fact["dimensions"].items()))
        key = (fact["accession"], fact["concept"], fact["period_start"] or "", fact["period_end"], dimensions)
        if reasons.get(key, "missing") != fact["exclusion_reason"]:
            wrong[key] = (reasons.get(key, "missing"), fact["exclusion_reason"])
    assert wrong == {}


def test_network_economics_is_served_fresh_and_the_halving_cuts_hashprice(pipeline: PipelineRun):
    """The snapshot's subsidy halves on 2024-04-20 and its hashrate does not: hashprice falls across it."""
    status = publish_status(pipeline.data_dir)["marts.mart_network_economics"]
    assert status["status"] == "fresh" and status["row_count"] > 1000
    hashprice = pipeline.query(
        "select avg(hashprice_usd_per_phs_day) filter (where network_date between '2024-04-13' and '2024-04-19')"
        " before, avg(hashprice_usd_per_phs_day) filter (where network_date between '2024-05-01' and '2024-05-31')"
        " after from marts.mart_network_economics"
    ).iloc[0]
    assert hashprice["after"] < 0.7 * hashprice["before"]
