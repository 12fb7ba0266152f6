"""mart_miner_unit_economics on the real filings and network files: each company's realisation ratio and mining
revenue per MW recomputed by hand from the served tables (revenue mix, cited hashrate and power, hashprice), using
only the figures public when the period's revenue was; and the ratios a real miner can earn."""

from datetime import timedelta

import pandas as pd
import pytest
import yaml

from orchestration.paths import PROJECT_ROOT
from tests.real_data.conftest import RealRun

DBT_VARS = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
MAX_AGE = timedelta(days=DBT_VARS["unit_economics_max_figure_age_days"])
OPENING_WINDOW = timedelta(days=DBT_VARS["unit_economics_opening_window_days"])
MIN_COVERAGE = DBT_VARS["unit_economics_min_network_coverage"]


@pytest.fixture(scope="module")
def unit_economics(real_run: RealRun) -> pd.DataFrame:
    if real_run.network_dir is None:
        pytest.skip("the shared real network files are not available here")
    assert real_run.returncode == 0, real_run.output[-6000:]
    return real_run.serving("select * from marts.mart_miner_unit_economics order by ticker, period_end")


def latest(figures: pd.DataFrame, on_or_before: pd.Timestamp, max_age: timedelta) -> float | None:
    """The latest figure dated on or before a date, no older than max_age there."""
    dated = figures[(figures.as_of_date <= on_or_before) & (figures.as_of_date >= on_or_before - max_age)]
    return None if dated.empty else float(dated.sort_values("as_of_date").iloc[-1].figure)


def by_hand(real_run: RealRun) -> pd.DataFrame:
    """Per revenue-mix period: average hashrate, hashprice, realisation ratio, mining revenue per energized MW."""
    periods = real_run.serving(
        "select ticker, period_start, period_end, self_mining_revenue, known_from from marts.mart_revenue_mix"
    )
    hashrate = real_run.serving(
        "select ticker, as_of_date, published_date, hashrate_ehs as figure from reference.miner_hashrate"
        " where hashrate_basis = 'self_mining'"
    )
    power = real_run.serving(
        "select ticker, as_of_date, published_date, power_mw as figure, scope, sums_to_company"
        " from reference.miner_power_capacity where kind = 'energized' and mw_basis = 'grid'"
    )
    sites = power[(power.scope == "site") & power.sums_to_company.fillna(False).astype(bool)]
    summed = sites.groupby(["ticker", "as_of_date"], as_index=False).agg(
        published_date=("published_date", "max"), figure=("figure", "sum")
    )
    companies = power[power.scope == "company"][["ticker", "as_of_date", "published_date", "figure"]]
    # a company row wins over a sum of sites of the same date
    power = pd.concat([summed.assign(order=1), companies.assign(order=0)]).sort_values(["as_of_date", "order"])
    power = power.drop_duplicates(["ticker", "as_of_date"], keep="first")
    network = real_run.serving("select network_date, hashprice_usd_per_phs_day from marts.mart_network_economics")
    network = network.dropna().set_index(pd.to_datetime(network.network_date)).hashprice_usd_per_phs_day
    rows = []
    for period in periods.itertuples():
        start, end, known = (pd.Timestamp(d) for d in (period.period_start, period.period_end, period.known_from))
        days = (end - start).days + 1
        public = hashrate[(hashrate.ticker == period.ticker) & (pd.to_datetime(hashrate.published_date) <= known)]
        public = public.assign(as_of_date=pd.to_datetime(public.as_of_date))
        opening = latest(public, start, OPENING_WINDOW)
        within = public[(public.as_of_date > start) & (public.as_of_date <= end)].figure.astype(float).tolist()
        figures = ([] if opening is None else [opening]) + within
        average = sum(figures) / len(figures) if figures else None
        hashprice = network[start:end]
        hashprice = hashprice.mean() if len(hashprice) >= days * MIN_COVERAGE else None
        revenue = float(period.self_mining_revenue)
        ratio = revenue / days / average / (hashprice * 1000) if average and hashprice else None
        mw = power[(power.ticker == period.ticker) & (pd.to_datetime(power.published_date) <= known)]
        mw = latest(mw.assign(as_of_date=pd.to_datetime(mw.as_of_date)), end, MAX_AGE)
        rows.append((period.ticker, str(start.date()), ratio, revenue * 365 / days / mw if mw else None))
    return pd.DataFrame(rows, columns=["ticker", "period_start", "ratio", "mining_per_mw"])


def test_every_realisation_ratio_is_the_hand_computation(real_run: RealRun, unit_economics: pd.DataFrame):
    expected = by_hand(real_run).set_index(["ticker", "period_start"])
    served = unit_economics.assign(period_start=unit_economics.period_start.astype(str))
    served = served.set_index(["ticker", "period_start"]).reindex(expected.index)
    assert expected.ratio.notna().sum() >= 2  # the corpus holds periods with a cited hashrate
    assert (served.realisation_ratio.notna() == expected.ratio.notna()).all()
    both = expected.ratio.dropna().index
    relative = (served.realisation_ratio[both] - expected.ratio[both]).abs() / expected.ratio[both]
    assert relative.max() <= 1e-9, relative.idxmax()


def test_every_mining_revenue_per_mw_is_the_hand_computation(real_run: RealRun, unit_economics: pd.DataFrame):
    expected = by_hand(real_run).set_index(["ticker", "period_start"]).mining_per_mw
    served = unit_economics.assign(period_start=unit_economics.period_start.astype(str))
    served = served.set_index(["ticker", "period_start"]).mining_usd_per_energized_mw_year.reindex(expected.index)
    assert expected.notna().sum() >= 1  # the corpus holds periods with a cited energized MW
    assert (served.notna() == expected.notna()).all()
    both = expected.dropna().index
    relative = (served[both] - expected[both]).abs() / expected[both]
    assert relative.max() <= 1e-9, relative.idxmax()


def test_a_real_miner_earns_close_to_what_the_network_pays(unit_economics: pd.DataFrame):
    """Curtailment, pool fees and idle machines keep a miner below the network's hashprice, and a fleet quoted as
    deployed while it is being installed lower still (Riot's summer 2024: about 0.5). Outside 0.3..1.5, a
    hashrate, a revenue or a period is read wrong (a year's revenue over a quarter's days is 4x)."""
    ratios = unit_economics.dropna(subset=["realisation_ratio"])
    assert not ratios.empty
    outside = ratios[(ratios.realisation_ratio < 0.3) | (ratios.realisation_ratio > 1.5)]
    assert outside.empty, outside[["ticker", "period_end", "realisation_ratio", "hashrate_basis"]]


def test_no_figure_published_after_the_revenue_is_used(unit_economics: pd.DataFrame):
    used = unit_economics.dropna(subset=["hashrate_published"])
    assert not used.empty
    assert (pd.to_datetime(used.hashrate_published) <= pd.to_datetime(used.known_from)).all()
