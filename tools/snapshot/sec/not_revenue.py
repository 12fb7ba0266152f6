"""The facts planted in the filings that a consumer must not count as revenue, each recorded with the exclusion
reason the pipeline must give it. Their numbers come from their own random stream, so adding them never moves a
draw of the revenue model."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np

from tools.snapshot.sec.companies import SEED, period_values
from tools.snapshot.sec.filings import Filing
from tools.snapshot.sec.ixbrl import Document, column_label, long_date
from tools.snapshot.sec.tagging import PRODUCT_AXIS, REVENUES

# Facts named like revenue, or revenue on axes, that a consumer must not count: (quirk, exclusion reason, other
# reasons that also describe it). The reason is the first that applies in the order dbt checks them (concept,
# unit, instant, fiscal period length, then the axes: subsequent event, concentration risk, acquisition,
# restatement, consolidation items, other axis, then the member); `also` lists the others.
PRO_FORMA = ("revenue_on_business_acquisition_axis", "acquisition_pro_forma", ("pro_forma", "other_axis"))
GEOGRAPHY = ("two_dimension_revenue_fact", "other_axis", ())
CORZ_ITEMS = ("revenue_on_consolidation_items_axis", "consolidation_item", ("other_axis",))
CRYPTO_ASSET = ("revenue_on_crypto_asset_axis", "other_axis", ())
SEGMENT_AGGREGATE = ("aggregate_segment_member", "member_not_counted", ("other_axis",))
SEGMENT_ITEMS = ("segment_consolidation_items", "consolidation_item", ("other_axis",))
CONCENTRATION = ("concentration_risk_member", "member_not_counted", ("concentration_risk",))
CONCENTRATION_AXES = ("concentration_risk_member", "concentration_risk", ("member_not_counted", "other_axis"))
CUSTOMER_COUNT = ("revenue_named_count", "count_or_percentage", ("not_usd", "member_not_counted"))
PERCENTAGE = ("revenue_named_percentage", "count_or_percentage", ("not_usd",))
BALANCE = ("revenue_named_balance", "deferred_revenue_item", ("balance", "instant"))
RUN_RATE = ("revenue_named_run_rate", "run_rate", ())
RPO = ("remaining_performance_obligation", "remaining_performance_obligation", ("instant",))
SUBSEQUENT = ("subsequent_event_revenue", "subsequent_event", ("not_a_fiscal_period", "other_axis"))
RESTATEMENT = ("restatement_axis", "restatement_or_adjustment", ("other_axis",))

SEGMENT_AXIS = "us-gaap:StatementBusinessSegmentsAxis"
CONSOLIDATION_AXIS = "srt:ConsolidationItemsAxis"
# RIOT's reportable segments from its 10-Qs of 2024 on: (segment member, the product member it equals, label).
RIOT_SEGMENTS = (
    ("riot:BitcoinMiningSegmentMember", "BitcoinMiningMember", "Bitcoin Mining"),
    ("riot:EngineeringSegmentMember", "EngineeringMember", "Engineering"),
)


def _side_rng(*keys: int) -> np.random.Generator:
    """Random numbers for the not-revenue quirks, apart from the model's stream (whose draws they never move)."""
    return np.random.default_rng([SEED, 1, *keys])


def _period_keys(period: tuple[date, date] | date) -> tuple[int, ...]:
    return (period.toordinal(),) if isinstance(period, date) else (period[0].toordinal(), period[1].toordinal())


def plant_not_revenue(
    doc: Document, filing: Filing, values: dict, header: list[str], extra: list
) -> list[tuple[str, str]]:
    """The shapes of the real corpus that are not (or not more) revenue: segment and product axes together with a
    nested aggregate and eliminations (RIOT 10-Qs), a concentration-risk member and a customer count (RIOT 10-Ks),
    a percentage (MARA 10-Ks), a balance and a one-day subsequent event (BTBT 10-Ks), a run-rate (BTBT 10-Qs),
    remaining performance obligations (APLD 10-Ks) and restatement-axis facts (RIOT's 10-Q/A). Tables go to
    `extra`; narrative paragraphs are returned as (title, html)."""
    company, columns = filing.company, filing.columns
    unit = company.tag.unit
    ticker, form, fy = company.ticker, filing.form, filing.fiscal_year or 0
    notes: list[tuple[str, str]] = []

    def to_unit(x: float) -> int:
        return int(round(x / unit)) * unit

    if ticker == "RIOT" and form.startswith("10-Q") and len(columns) == 4 and fy >= 2024:
        quarters = columns[:2]  # the segment note covers the three-month columns
        product_facts = sum(1 for m in company.series if m and any(values[p][m] for p in columns)) * len(columns)
        if product_facts < (len(RIOT_SEGMENTS) + 1) * len(quarters):
            raise AssertionError(
                f"RIOT {filing.report_date}: the segment axis would carry more facts than the product axis"
            )
        aggregate = "us-gaap:ReportableSegmentAggregationBeforeOtherOperatingSegmentMember"
        rows: list[tuple[str, list[str]]] = []
        intersegment = {
            p: to_unit(values[p]["EngineeringMember"] * _side_rng(*_period_keys(p)).uniform(0.15, 0.3))
            for p in quarters
        }
        for segment, product, label in RIOT_SEGMENTS:
            cells = [doc.fact(REVENUES, p, values[p][product], ((SEGMENT_AXIS, segment),)) for p in quarters]
            rows.append((f"{label} segment revenue", cells))
        cells = [
            doc.fact(
                REVENUES,
                p,
                sum(values[p][m] for _, m, _ in RIOT_SEGMENTS),
                ((SEGMENT_AXIS, aggregate),),
                excluded=SEGMENT_AGGREGATE,
            )
            for p in quarters
        ]
        rows.append(("Total reportable segments", cells))
        for segment, product, label in RIOT_SEGMENTS:
            gross = {
                p: values[p][product] + (intersegment[p] if product == "EngineeringMember" else 0) for p in quarters
            }
            dims = ((SEGMENT_AXIS, segment), (CONSOLIDATION_AXIS, "us-gaap:OperatingSegmentsMember"))
            rows.append(
                (
                    f"{label}: operating segment revenue, including intersegment",
                    [doc.fact(REVENUES, p, gross[p], dims, excluded=SEGMENT_ITEMS) for p in quarters],
                )
            )
        dims = (
            (SEGMENT_AXIS, "riot:EngineeringSegmentMember"),
            (CONSOLIDATION_AXIS, "us-gaap:IntersegmentEliminationMember"),
        )
        rows.append(
            (
                "Engineering: intersegment eliminations",
                [doc.fact(REVENUES, p, -intersegment[p], dims, excluded=SEGMENT_ITEMS) for p in quarters],
            )
        )
        dims = ((CONSOLIDATION_AXIS, "us-gaap:IntersegmentEliminationMember"),)
        rows.append(
            (
                "Intersegment eliminations",
                [doc.fact(REVENUES, p, -intersegment[p], dims, excluded=SEGMENT_ITEMS) for p in quarters],
            )
        )
        dims = ((CONSOLIDATION_AXIS, "us-gaap:CorporateNonSegmentMember"),)
        rows.append(
            (
                "Corporate and other (data center leases)",
                [
                    doc.fact(REVENUES, p, values[p].get("DataCenterLeaseMember", 0), dims, excluded=SEGMENT_ITEMS)
                    for p in quarters
                ],
            )
        )
        extra.append(("Segment information", header[:2], rows))
        doc.used.add("revenue_on_product_and_segment_axes")

    if ticker == "RIOT" and form == "10-K":
        member = (PRODUCT_AXIS, "riot:RevenueNetEngineeringMember")
        current, prior = columns[0], columns[1]
        customer = {
            p: Decimal(int(round(values[p]["EngineeringMember"] * _side_rng(*_period_keys(p)).uniform(0.35, 0.6), -5)))
            for p in (current, prior)
        }
        concentration = (
            member,
            ("us-gaap:ConcentrationRiskByBenchmarkAxis", "us-gaap:RevenueFromContractWithCustomerMember"),
            ("us-gaap:ConcentrationRiskByTypeAxis", "us-gaap:CustomerConcentrationRiskMember"),
        )
        millions = {p: f"{customer[p] / 1_000_000:.1f}" for p in customer}
        count = doc.other_fact(
            "riot:NumberOfCustomersWhoGenerateMoreThanTenPercentOfTotalRevenue",
            current,
            Decimal(1),
            (member,),
            CUSTOMER_COUNT,
            shown="one",
            unit=("customer", f"{company.prefix}:customer"),
            decimals="INF",
            scale=0,
            fmt="ixt-sec:numwordsen",
        )
        this_year = doc.other_fact(
            REVENUES,
            current,
            customer[current],
            (member,),
            CONCENTRATION,
            shown=millions[current],
            decimals="-5",
            scale=6,
        )
        last_year = doc.other_fact(
            REVENUES,
            prior,
            customer[prior],
            concentration,
            CONCENTRATION_AXES,
            shown=millions[prior],
            decimals="-5",
            scale=6,
        )
        notes.append(
            (
                "Concentration of engineering revenue",
                f"During the year ended {long_date(current[1])}, {count} customer generated more than ten percent of "
                f"engineering revenue: ${this_year} million (${last_year} million in the year ended "
                f"{long_date(prior[1])}).",
            )
        )

    if ticker == "MARA" and form == "10-K":
        mining = "DigitalAssetMiningMember"
        cells = []
        for p in columns[:2]:
            total = sum(values[p].values())
            percent = Decimal(str(round(values[p][mining] / total * 100, 1)))
            cells.append(
                doc.other_fact(
                    "mara:PercentageOfTotalRevenue",
                    p,
                    percent / 100,
                    ((PRODUCT_AXIS, f"mara:{mining}"),),
                    PERCENTAGE,
                    shown=f"{percent}",
                    unit=("pure", "xbrli:pure"),
                    decimals="3",
                    scale=-2,
                )
            )
        notes.append(
            (
                "Revenue concentration",
                f"Digital asset mining revenue was {cells[0]}% of total revenue in the year ended "
                f"{long_date(columns[0][1])} and {cells[1]}% in the year ended {long_date(columns[1][1])}.",
            )
        )

    if ticker == "BTBT" and form == "10-K":
        ends = [columns[0][1], columns[1][1]]
        cells = [
            doc.fact(
                "btbt:NoncurrentPortionOfDeferredRevenue",
                end,
                to_unit(_side_rng(*_period_keys(end)).uniform(1.5e6, 3.5e6)),
                excluded=BALANCE,
            )
            for end in ends
        ]
        extra.append(
            (
                "Deferred revenue (balance sheet)",
                [long_date(end) for end in ends],
                [("Deferred revenue, net of current portion", cells)],
            )
        )
        day = filing.report_date + (filing.filing_date - filing.report_date) // 2
        daily = sum(values[columns[0]].values()) / 365 * _side_rng(day.toordinal()).uniform(0.8, 1.2)
        dims = (("us-gaap:SubsequentEventTypeAxis", "us-gaap:SubsequentEventMember"),)
        event = doc.fact(REVENUES, (day, day), to_unit(daily), dims, excluded=SUBSEQUENT)
        notes.append(
            (
                "Subsequent events",
                f"On {long_date(day)}, the Company completed the delivery of a colocation milestone and recognized "
                f"revenue of ${event} on that day.",
            )
        )

    if ticker == "BTBT" and form == "10-Q":
        p = columns[0]
        cloud = values[p].get("CloudServicesMember", 0)
        if cloud:
            run_rate = to_unit(cloud * 4 * _side_rng(*_period_keys(p)).uniform(1.0, 1.15))
            dims = ((PRODUCT_AXIS, "btbt:CloudServicesMember"),)
            cell = doc.fact("btbt:AnnualizedRevenue", p, run_rate, dims, excluded=RUN_RATE)
            notes.append(
                (
                    "Key metrics",
                    "Annualized cloud services revenue (the last month of the quarter ended "
                    f"{long_date(p[1])}, times twelve): ${cell}.",
                )
            )

    if ticker == "APLD" and form == "10-K" and fy >= 2024:
        end = filing.report_date
        remaining = to_unit(sum(values[columns[0]].values()) * _side_rng(*_period_keys(end)).uniform(2.0, 4.0))
        cell = doc.fact("us-gaap:RevenueRemainingPerformanceObligation", end, remaining, excluded=RPO)
        notes.append(
            (
                "Remaining performance obligations",
                f"As of {long_date(end)}, revenue of ${cell} thousand under contracts with customers had not yet been "
                "recognized (about 60% of it within two years).",
            )
        )

    if form == "10-Q/A" and filing.amends is not None:
        original = {p: sum(period_values(company, p, True).values()) for p in columns}
        restated = [p for p in columns if original[p] != sum(values[p].values())]
        rows = []
        for label, member in (
            ("As previously reported", "srt:ScenarioPreviouslyReportedMember"),
            ("Restatement adjustment", "srt:RestatementAdjustmentMember"),
        ):
            dims = (("srt:RestatementAxis", member),)
            cells = []
            for p in restated:
                value = (
                    original[p]
                    if member.endswith("PreviouslyReportedMember")
                    else sum(values[p].values()) - original[p]
                )
                cells.append(doc.fact(REVENUES, p, value, dims, excluded=RESTATEMENT))
            rows.append((label, cells))
        title = "Restatement of previously issued financial statements: revenues"
        extra.append((title, [column_label(p) for p in restated], rows))
    return notes
