"""End to end on the snapshot: every gate passes and the planted truth comes back out of the marts."""

from datetime import date

import pandas as pd
import pytest

from tests.pipeline.conftest import PipelineRun

BETA_TOLERANCE = 0.05
SHOCK_TOLERANCE = 0.035  # the idiosyncratic noise is 1% a day: 3.5 sigma


def test_run_succeeds_with_every_gate_passing(pipeline: PipelineRun):
    assert pipeline.result.success
    checks = pipeline.result.get_asset_check_evaluations()
    gates = {c.asset_key.to_user_string() for c in checks if c.check_name == "ge_gate"}
    assert gates == {"raw_market_prices", "mart_factor_exposure", "mart_event_reactions"}
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
            assert row["abnormal_return"] == pytest.approx(shock, abs=SHOCK_TOLERANCE), (event_id, ticker)
            checked += 1
    assert checked >= 30


def test_microsoft_pullback_hits_ai_pivoted_miners_hardest(pipeline: PipelineRun):
    """The 2025-03-26 report: miners fell, those already hosting AI fell more (as planted)."""
    rows = pipeline.query(
        "select r.ticker, r.abnormal_return, r.session_date from marts.mart_event_reactions r "
        "join staging.stg_reference__miners m using (ticker) "
        "where r.event_id = 'msft_datacenter_pullback_2025' and m.is_miner"
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
