"""What the real-data run publishes: revenue mix from the real 10-Qs/10-Ks, reactions on real closes.

Expected values are the filings' own statements of operations (thousands of dollars, as printed), and the
real closes of 2025-03-26.
"""

import pytest

from tests.expected import miners_with_company_power
from tests.real_data.conftest import RealRun


def test_real_run_publishes_with_every_blocking_gate_passed(real_run: RealRun):
    assert real_run.returncode == 0, real_run.output[-6000:]
    assert "GATE FAILED" not in real_run.output
    assert (real_run.data_dir / "serving.duckdb").is_file()
    log = real_run.serving("select distinct source, sec_source, network_source, is_synthetic from publish_log")
    # without the real network files the network data are the synthetic snapshot's, and the log says so
    network = "files" if real_run.network_dir else "snapshot"
    expected = {"source": "csv", "sec_source": "files", "network_source": network, "is_synthetic": network != "files"}
    assert log.to_dict("records") == [expected]


def test_the_run_names_its_sources_and_warehouse_first(real_run: RealRun):
    head = "\n".join(real_run.output.splitlines()[:5])
    assert "csv" in head and "files" in head and str(real_run.data_dir) in head


def test_warnings_are_listed_by_name(real_run: RealRun):
    warnings = [line for line in real_run.output.splitlines() if line.startswith("CHECK WARNING:")]
    # the Bit Digital press release has no inline XBRL: a load error naming the file
    assert any("raw_sec_filings load_errors" in w and "btbt_ex99-press-release" in w for w in warnings), warnings
    # Riot's fourth quarter of 2023 as first derived (the 10-K's year, the next 10-Q's re-cut nine months): flagged
    assert any("mart_revenue_mix_vintages ge_gate" in w and "ticker=RIOT" in w for w in warnings), warnings
    # the BTCS 10-Q is outside the universe: skipped with a warning naming the file and the CIK
    assert "skipped document btcs_10-Q-2025-09-30.html: CIK 0001436229" in real_run.output


# (ticker, period_end, total, self-mining, other) in thousands, as the statements print them
QUARTERS = [
    ("CLSK", "2023-03-31", 42_546, 42_546, 0),
    ("CLSK", "2023-12-31", 73_786, 73_786, 0),
    ("CLSK", "2024-03-31", 111_799, 111_799, 0),
    ("CLSK", "2024-06-30", 104_108, 104_108, 0),
    ("CLSK", "2024-12-31", 162_306, 162_306, 0),
    ("CLSK", "2025-06-30", 198_644, 198_644, 0),
    ("RIOT", "2024-03-31", 79_296, 71_396, 7_900),  # other = engineering 4,675 + other 3,225
    ("RIOT", "2024-09-30", 84_786, 67_491, 17_295),  # engineering 12,638 + other 4,657
    ("RIOT", "2025-03-31", 161_387, 142_859, 18_528),  # the segment axis and its subtotal are not added again
]


@pytest.mark.parametrize(("ticker", "period_end", "total", "mining", "other"), QUARTERS)
def test_real_quarters_reconcile_to_the_statements(real_run: RealRun, ticker, period_end, total, mining, other):
    row = real_run.serving(
        "select * from marts.mart_revenue_mix"
        f" where ticker = '{ticker}' and period_end = '{period_end}' and period_type = 'quarter'"
    ).iloc[0]
    assert (row.total_revenue, row.self_mining_revenue, row.other_revenue) == (
        total * 1000,
        mining * 1000,
        other * 1000,
    )
    assert row.reconciliation_status == "reconciled"


def test_a_q4_from_a_later_filings_comparatives_is_flagged(real_run: RealRun):
    """Riot's Q4 2023 as the 10-K for 2023 allows it: its year (with a hosting line) minus the nine months as the
    2024 10-Q restates them (no hosting line). The total holds; the categories mix two classifications, and say
    so. The 10-K for 2024 restates the year without hosting: its Q4 takes the same nine months, one presentation,
    reconciles, and is the one served."""
    k23, k24 = real_run.accession("riot_10-K_2023-12-31.htm"), real_run.accession("riot_10-K_2024-12-31.htm")
    nine_months = real_run.accession("riot_10-Q_2024-09-30.htm")
    vintages = real_run.serving(
        "select * from marts.mart_revenue_mix_vintages where ticker = 'RIOT' and period_end = '2023-12-31'"
        " and period_type = 'quarter'"
    ).set_index("vintage_accession")
    assert vintages.is_derived_q4.all()
    assert (vintages.total_revenue == (280_678 - 201_866) * 1000).all()
    assert set(vintages.nine_months_accession) == {nine_months}
    assert vintages.loc[k23, "reconciliation_status"] == "q4_category_bases_differ"
    assert vintages.loc[k23, "hosting_revenue"] == 27_282_000
    assert vintages.loc[k24, "reconciliation_status"] == "reconciled"
    assert vintages.loc[k24, "restatement_kind"] == "categories_reclassified"
    served = real_run.serving(
        "select * from marts.mart_revenue_mix where ticker = 'RIOT' and period_end = '2023-12-31'"
        " and period_type = 'quarter'"
    ).iloc[0]
    assert (served.vintage_accession, served.first_reported_accession, served.is_restated) == (k24, k23, True)


def test_riot_fiscal_2022_ignores_the_concentration_member(real_run: RealRun):
    """The 10-K for 2023's 2022 column: mining 156,870 + hosting 36,862 + engineering 65,342 + other 97 = 259,171;
    the $29.7M tagged on RevenueNetEngineeringMember is one customer's revenue, not another line."""
    k23 = real_run.accession("riot_10-K_2023-12-31.htm")
    row = real_run.serving(
        "select * from marts.mart_revenue_mix_vintages where ticker = 'RIOT' and period_end = '2022-12-31'"
        f" and vintage_accession = '{k23}'"
    ).iloc[0]
    assert (row.total_revenue, row.hosting_revenue, row.other_revenue) == (259_171_000, 36_862_000, 65_439_000)
    assert row.reconciliation_status == "reconciled"
    assert row.is_first_report


def test_restated_comparatives_are_kept_as_vintages(real_run: RealRun):
    """Riot's 10-K for 2024 restates fiscal 2022 with hosting folded into other (other 36,959 + 65,342 = 102,301,
    the total unchanged). Both are kept; the mart serves the latest, says it was restated and names the first."""
    k23, k24 = real_run.accession("riot_10-K_2023-12-31.htm"), real_run.accession("riot_10-K_2024-12-31.htm")
    vintages = real_run.serving(
        "select * from marts.mart_revenue_mix_vintages where ticker = 'RIOT' and period_end = '2022-12-31'"
        " order by vintage_number"
    )
    assert list(vintages.vintage_accession) == [k23, k24]
    assert list(vintages.restatement_kind.fillna("first")) == ["first", "categories_reclassified"]
    assert list(vintages.hosting_revenue) == [36_862_000, 0]
    assert list(vintages.other_revenue) == [65_439_000, 102_301_000]
    assert vintages.superseded_on.iloc[0] == vintages.known_from.iloc[1]
    served = real_run.serving(
        "select * from marts.mart_revenue_mix where ticker = 'RIOT' and period_end = '2022-12-31'"
    )
    assert len(served) == 1
    assert (served.vintage_accession.iloc[0], served.first_reported_accession.iloc[0]) == (k24, k23)
    assert served.is_restated.iloc[0]


def test_the_mix_as_known_on_a_date_is_one_where_away(real_run: RealRun):
    """The README's point-in-time query: on 2024-06-30 Riot's fiscal 2022 is as first reported, hosting and all."""
    known = real_run.serving(
        "select * from marts.mart_revenue_mix_vintages"
        " where known_from <= date '2024-06-30' and (superseded_on > date '2024-06-30' or superseded_on is null)"
    )
    assert not known.duplicated(["ticker", "period_start", "period_end"]).any()
    riot_2022 = known[(known.ticker == "RIOT") & (known.period_end.astype(str).str[:10] == "2022-12-31")].iloc[0]
    assert riot_2022.vintage_accession == real_run.accession("riot_10-K_2023-12-31.htm")
    assert riot_2022.hosting_revenue == 36_862_000
    # nothing filed after the date is seen: the 10-Q for 2024-06-30 (cover dated 2024-07-29) is not
    assert (known.known_from <= "2024-06-30").all()
    assert real_run.accession("riot_10-Q_2024-06-30.htm") not in set(known.vintage_accession)


def test_bit_digital_staking_is_other_revenue(real_run: RealRun):
    """btbt:ETHStakingMember maps by the seed's staking rule to other: no Bit Digital revenue is unclassified."""
    mix = real_run.serving("select * from marts.mart_revenue_mix_vintages where ticker = 'BTBT'")
    assert not mix.empty
    assert (mix.unclassified_revenue == 0).all()
    staking = real_run.serving(
        "select distinct member_rule_id, revenue_category from marts.mart_revenue_facts"
        " where ticker = 'BTBT' and member like '%ETHStaking%' and mix_treatment = 'counted'"
    )
    assert staking.to_dict("records") == [{"member_rule_id": "staking", "revenue_category": "other"}]


EXCLUDED = [
    ("RIOT", "riot:NumberOfCustomersWhoGenerateMoreThanTenPercentOfTotalRevenue", "count_or_percentage"),
    ("RIOT", "riot:AdditionalLandLeaseRevenue", "instant"),
    ("RIOT", "us-gaap:RevenueRemainingPerformanceObligation", "remaining_performance_obligation"),
    ("RIOT", "us-gaap:DeferredRevenueNoncurrent", "deferred_revenue_item"),
    ("RIOT", "us-gaap:BusinessAcquisitionsProFormaRevenue", "pro_forma"),
    ("RIOT", "us-gaap:CostOfRevenue", "cost_or_expense"),
    ("CLSK", "clsk:RepresentationOfCompanysRevenuePercent", "count_or_percentage"),
]


@pytest.mark.parametrize(("ticker", "concept", "reason"), EXCLUDED)
def test_facts_named_revenue_that_are_not_revenue_are_kept_with_a_reason(real_run: RealRun, ticker, concept, reason):
    facts = real_run.serving(
        f"select * from marts.mart_revenue_facts where ticker = '{ticker}' and concept = '{concept}'"
    )
    assert not facts.empty
    assert set(facts.exclusion_reason) == {reason}
    assert set(facts.mix_treatment) == {"excluded"}


@pytest.mark.parametrize(
    ("ticker", "dimension", "reason"),
    [
        ("RIOT", "srt:ConsolidationItemsAxis=us-gaap:IntersegmentEliminationMember", "consolidation_item"),
        ("RIOT", "us-gaap:AdjustmentsForNewAccountingPronouncementsAxis=", "restatement_or_adjustment"),
        ("RIOT", "=us-gaap:ReportableSegmentAggregationBeforeOtherOperatingSegmentMember", "member_not_counted"),
        ("CLSK", "us-gaap:BusinessAcquisitionAxis=clsk:GriidInfrastructureIncMember", "acquisition_pro_forma"),
    ],
)
def test_revenue_on_axes_that_are_not_a_breakdown_is_never_counted(real_run: RealRun, ticker, dimension, reason):
    facts = real_run.serving(
        "select * from marts.mart_revenue_facts"
        f" where ticker = '{ticker}' and concept = 'us-gaap:Revenues' and dimensions like '%{dimension}%'"
    )
    assert not facts.empty
    assert reason in set(facts.exclusion_reason)
    assert "counted" not in set(facts.mix_treatment)


def test_counted_facts_are_usd_durations_of_fiscal_periods(real_run: RealRun):
    counted = real_run.serving("select * from marts.mart_revenue_facts where mix_treatment = 'counted'")
    assert not counted.empty
    assert set(counted.unit) == {"USD"}
    assert counted.period_start.notna().all()
    assert set(counted.period_months) <= {3, 6, 9, 12}


def test_microsoft_pullback_reactions_on_real_closes(real_run: RealRun):
    """2025-03-26: reports that Microsoft dropped ~2 GW of data-centre plans; AI-exposed miners fell 9-12%."""
    day = real_run.serving(
        "select * from marts.mart_event_reactions"
        " where event_id = 'msft_datacenter_pullback_2025' and session_date = '2025-03-26' and model = 'market'"
    ).set_index("ticker")
    for ticker in ("CORZ", "APLD", "CIFR", "WULF"):
        assert day.loc[ticker, "raw_return"] < -0.09
        assert day.loc[ticker, "abnormal_return"] < 0
        assert not day.loc[ticker, "is_short_estimation_window"]


def test_every_member_on_a_category_axis_maps_by_a_seed_rule(real_run: RealRun):
    """Each product/service or segment member of the real filings is classified by a commented rule of the
    revenue_member_map seed (a category, or excluded as a subtotal or concentration member): none is left
    unclassified."""
    unmapped = real_run.warehouse(
        "select distinct member from intermediate.int_revenue_facts_classified"
        " where axis_priority is not null and member_rule_id is null"
    )
    assert unmapped.empty, list(unmapped.member)
    rules = real_run.serving("select rule_id, comment from reference.revenue_member_map")
    assert rules.comment.str.len().min() > 20


def test_every_miner_with_cited_company_power_has_a_share_of_power(real_run: RealRun):
    """The seeds are the same in both runs: the share of power is there for every miner the seeds cite at
    company level, within [0, 1]."""
    latest = real_run.serving(
        "select ticker, share_of_power_ai, share_of_power_capacity from marts.mart_ai_capacity_exposure"
        " qualify month_end = max(month_end) over ()"
    ).set_index("ticker")
    cited = sorted(miners_with_company_power())
    assert latest.loc[cited, ["share_of_power_ai", "share_of_power_capacity"]].notna().all().all()
    assert latest[["share_of_power_ai", "share_of_power_capacity"]].stack().dropna().between(0, 1).all()


def test_market_value_from_the_real_filings(real_run: RealRun):
    """Shares from each filing's cover, cash and debt from its balance sheet (the filings' own numbers), and a
    local file is known from its cover's date: the month end before a filing uses the filing before it."""
    rows = real_run.warehouse(
        "select ticker, as_of_kind, as_of_date, close, shares_outstanding, market_cap, cash, debt, debt_rule,"
        " enterprise_value from intermediate.int_market_value_by_month"
    )
    filings = real_run.warehouse(
        "select ticker, accession_number, known_from, shares_outstanding, cash, debt"
        " from intermediate.int_company_balance_sheet"
    ).set_index("accession_number")
    # each filing's own numbers, as its cover and balance sheet print them
    for document, shares, cash, debt in (
        ("clsk_10-Q-2025-06-30.html", 281_083_382, 34_553_000, 176_424_000 + 643_913_000),
        ("riot_10-Q_2025-03-31.htm", 357_263_742, 163_719_000, 314_000 + 584_999_000),
    ):
        filing = filings.loc[real_run.accession(document)]
        assert (filing["shares_outstanding"], filing["cash"], filing["debt"]) == (shares, cash, debt), document
    # the latest value uses the newest filing known, whichever the corpus holds
    latest = rows[rows["as_of_kind"] == "latest"].set_index("ticker")
    for ticker in ("CLSK", "RIOT"):
        newest = filings[filings["ticker"] == ticker].sort_values("known_from").iloc[-1]
        row = latest.loc[ticker]
        assert (row["shares_outstanding"], row["cash"], row["debt"]) == (
            newest["shares_outstanding"],
            newest["cash"],
            newest["debt"],
        ), (ticker, row, newest)
        assert row["market_cap"] == pytest.approx(row["close"] * newest["shares_outstanding"])
        assert row["enterprise_value"] == pytest.approx(row["market_cap"] + newest["debt"] - newest["cash"])
    month_ends = rows[(rows["as_of_kind"] == "month_end") & (rows["ticker"] == "RIOT")].set_index("as_of_date")
    # the 10-Q for 2024-03-31 (cover 2024-04-29) is not known at the March month end: the 10-K's count is
    assert month_ends.loc["2024-03-31", "shares_outstanding"] == 253_538_213
    assert month_ends.loc["2024-04-30", "shares_outstanding"] == 288_784_946
    # the 10-K tags no debt concept: 0, said so
    assert month_ends.loc["2024-03-31", "debt_rule"] == "none_tagged"
