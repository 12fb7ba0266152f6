"""The planted truth: the revenue a consumer should recover per company and period, and where each quirk is
planted (planted_truth.json beside the EDGAR bodies)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from tools.snapshot.sec.companies import (
    BTC_PRICE_PATH,
    CATEGORIES,
    HALVING,
    HALVING_CUT,
    HPC_USD_PER_MW_YEAR,
    MODEL_YEARS,
    OWN_HPC,
    RAMP_QUARTERS,
    SEED,
    Company,
    categories_of,
    period_values,
)
from tools.snapshot.sec.filings import FOREIGN_PRIVATE_ISSUER_UNTIL, Filing
from tools.snapshot.sec.not_revenue import RIOT_SEGMENTS, SEGMENT_AXIS
from tools.snapshot.sec.periods import AS_OF, TRUTH_FROM, fiscal_quarter_bounds, fiscal_year_bounds
from tools.snapshot.sec.tagging import PRODUCT_AXIS, RFCWC


def revenue_rows(company: Company, periodic: list[Filing], reported: dict[str, dict]) -> list[dict]:
    """What the latest filing covering each period says, for the periods a consumer can recover."""
    latest: dict[tuple[date, date], tuple[Filing, dict]] = {}
    for filing in sorted(periodic, key=lambda f: (f.filing_date, f.form.endswith("/A"), f.accession)):
        for period in filing.columns:
            latest[period] = (filing, reported[filing.accession][period])

    def row(period, fy, fq, period_type, values, accession, derivation) -> dict:
        cats = categories_of(company, values)
        total = sum(values.values())
        if sum(cats.values()) != total:
            raise AssertionError(f"{company.ticker} {period}: categories do not sum to the total")
        return {
            "ticker": company.ticker,
            "fiscal_year": fy,
            "fiscal_quarter": fq,
            "period_start": period[0].isoformat(),
            "period_end": period[1].isoformat(),
            "period_type": period_type,
            "total": total,
            **cats,
            "derivation": derivation,
            "accession": accession,
        }

    rows = []
    for q in company.quarters:
        period = (q.start, q.end)
        if q.end < TRUTH_FROM:
            continue
        if period in latest:
            filing, values = latest[period]
            rows.append(
                row(period, q.fiscal_year, q.fiscal_quarter, "quarter", values["members"], filing.accession, "reported")
            )
            continue
        fy = fiscal_year_bounds(company.fyem, q.fiscal_year)
        nine = (fy[0], fiscal_quarter_bounds(company.fyem, q.fiscal_year, 3)[1])
        if q.fiscal_quarter == 4 and fy in latest and nine in latest:
            (fy_filing, fy_values), (_, nine_values) = latest[fy], latest[nine]
            diff = {m: fy_values["members"][m] - nine_values["members"][m] for m in fy_values["members"]}
            rows.append(row(period, q.fiscal_year, 4, "quarter", diff, fy_filing.accession, "fy_minus_9m_ytd"))
    quarter_ends = {date.fromisoformat(r["period_end"]) for r in rows}
    for fy in MODEL_YEARS:
        period = fiscal_year_bounds(company.fyem, fy)
        if period[1] < TRUTH_FROM or period not in latest:
            continue
        if any(period[0] <= end <= period[1] for end in quarter_ends):
            continue
        filing, values = latest[period]
        rows.append(row(period, fy, None, "fiscal_year", values["members"], filing.accession, "reported"))
    rows.sort(key=lambda r: (r["period_end"], r["period_type"]))
    for r in rows:  # the latest filings carry the planted model (the superseded original is never the latest)
        model = categories_of(
            company,
            period_values(company, (date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"]))),
        )
        if any(model[c] != r[c] for c in CATEGORIES):
            raise AssertionError(f"{company.ticker} {r['period_end']}: truth differs from the model")
    return rows


QUIRK_TEXT = {
    "non_december_fiscal_year": "fiscal quarters and years follow a non-December fiscal_year_end_month",
    "ytd_facts_in_10q": "10-Q tags three-month and year-to-date facts for the current and prior-year periods",
    "annual_report_without_q4": "annual report tags fiscal years only; Q4 = FY - nine-month YTD",
    "revenue_on_business_acquisition_axis": "pro-forma us-gaap:Revenues on us-gaap:BusinessAcquisitionAxis "
    "(not a breakdown)",
    "revenue_on_consolidation_items_axis": "us-gaap:Revenues on srt:ConsolidationItemsAxis "
    "(operating segments, intersegment eliminations): not a breakdown",
    "revenue_on_crypto_asset_axis": "us-gaap:Revenues on srt:CryptoAssetAxis (riot:BitcoinMember), not a breakdown",
    "two_dimension_revenue_fact": "ProductOrServiceAxis x StatementGeographicalAxis facts (not a breakdown)",
    "nil_facts": 'zero members of comparative periods written as xsi:nil="true"',
    "fixed_zero_dash": "zero members shown as an em dash with format ixt:fixed-zero",
    "scale_thousands": "tags in thousands (scale=3, decimals=-3); planted values are whole thousands",
    "scale_millions": "tags in millions (scale=6, decimals=-6); planted values are whole millions",
    "scale_whole_dollars": "tags in whole dollars (scale=0, decimals=0)",
    "negative_member_sign": 'a negative OtherRevenueMember shown in parentheses with sign="-"',
    "amended_10q": "10-Q/A restating the quarter; the original 10-Q's numbers differ, the truth is the amendment's",
    "no_product_axis": "no revenue breakdown: us-gaap:Revenues and clsk:DigitalCurrencyMiningRevenues only; "
    "all self_mining",
    "total_on_two_concepts": "total tagged on us-gaap:Revenues and RevenueFromContractWithCustomerExcludingAssessedTax "
    "(nested ix:nonFraction); members only on the latter",
    "members_on_revenue_from_contract": "total and members on "
    "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
    "segment_axis": "members on us-gaap:StatementBusinessSegmentsAxis instead of srt:ProductOrServiceAxis",
    "ifrs_revenue_concept": "IFRS: ifrs-full:Revenue on ifrs-full:ProductsAndServicesAxis or ifrs-full:SegmentsAxis",
    "duplicate_total_fact": "the total appears twice (income statement and revenue note; the second has no id)",
    "nested_span": "total's digits inside a <span> nested in the ix:nonFraction",
    "transition_period_10kt": "10-KT for the six months 2023-07-01..2023-12-31 (six- and three-month facts)",
    "foreign_private_issuer_to_domestic": "20-F years, then 10-K and 10-Qs (same CIK)",
    "interim_6k_without_xbrl": "interim results only in 6-Ks without XBRL (isXBRL 0): fiscal-year rows only",
    "late_first_filing": "first periodic filing after 2022; earlier quarters only as comparatives",
    "revenue_on_product_and_segment_axes": "us-gaap:Revenues on srt:ProductOrServiceAxis and, for the three-month "
    "columns, also on us-gaap:StatementBusinessSegmentsAxis (segment = product member); the product axis carries "
    "more facts and is the breakdown",
    "aggregate_segment_member": "us-gaap:ReportableSegmentAggregationBeforeOtherOperatingSegmentMember on the "
    "segment axis: the sum of the reportable segments (a nested total, not a breakdown line)",
    "segment_consolidation_items": "StatementBusinessSegmentsAxis x srt:ConsolidationItemsAxis "
    "(us-gaap:OperatingSegmentsMember, negative us-gaap:IntersegmentEliminationMember) and ConsolidationItemsAxis "
    "alone (us-gaap:IntersegmentEliminationMember, us-gaap:CorporateNonSegmentMember)",
    "concentration_risk_member": "us-gaap:Revenues on srt:ProductOrServiceAxis=riot:RevenueNetEngineeringMember: "
    "one customer's engineering revenue (scale 6, decimals -5), alone for the year and with the concentration-risk "
    "axes for the prior year; not a breakdown line",
    "revenue_named_count": "riot:NumberOfCustomersWhoGenerateMoreThanTenPercentOfTotalRevenue: a count (unit "
    "customer, ixt-sec:numwordsen) on the product axis",
    "revenue_named_percentage": "mara:PercentageOfTotalRevenue: a share (unit pure, scale -2) on the product axis",
    "revenue_named_balance": "btbt:NoncurrentPortionOfDeferredRevenue: a balance-sheet amount (instant, USD)",
    "revenue_named_run_rate": "btbt:AnnualizedRevenue: an annualised run-rate for the quarter (three-month "
    "duration, USD) on the product axis",
    "remaining_performance_obligation": "us-gaap:RevenueRemainingPerformanceObligation: contracted revenue not yet "
    "recognised (instant, USD, no dimensions)",
    "subsequent_event_revenue": "us-gaap:Revenues for one day after the fiscal year, on "
    "us-gaap:SubsequentEventTypeAxis=us-gaap:SubsequentEventMember",
    "restatement_axis": "the 10-Q/A tags the original total on srt:RestatementAxis="
    "srt:ScenarioPreviouslyReportedMember and the correction on srt:RestatementAdjustmentMember (negative)",
}


def _quirks(
    companies: list[Company],
    periodic: dict[str, list[Filing]],
    used: dict[str, set[str]],
    current: dict[str, list[Filing]],
) -> list[dict]:
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    extra: dict[tuple[str, str], dict] = {}
    for company in companies:
        t = company.ticker
        filings = periodic[t]
        for filing in filings:
            for quirk in sorted(used[filing.accession]):
                found[(quirk, t)].append(filing.accession)
        if company.fyem != 12:
            found[("non_december_fiscal_year", t)] = [f.accession for f in filings]
        scale = {1: "scale_whole_dollars", 1000: "scale_thousands", 1_000_000: "scale_millions"}[company.tag.unit]
        found[(scale, t)] = [f.accession for f in filings]
        us_gaap = [f for f in filings if f.gaap == "us-gaap"]
        if company.tag.total_concepts == (RFCWC,) and us_gaap:
            found[("members_on_revenue_from_contract", t)] = [f.accession for f in us_gaap]
        if company.tag.axis != PRODUCT_AXIS:
            found[("segment_axis", t)] = [f.accession for f in filings]
        if any(f.form == "10-KT" for f in filings):
            found[("transition_period_10kt", t)] = [f.accession for f in filings if f.form == "10-KT"]
        if {"20-F", "10-K"} <= {f.form for f in filings}:
            found[("foreign_private_issuer_to_domestic", t)] = [
                f.accession for f in filings if f.form in ("20-F", "10-K")
            ]
        if FOREIGN_PRIVATE_ISSUER_UNTIL.get(t, date.min) is None:
            found[("interim_6k_without_xbrl", t)] = [f.accession for f in current[t] if f.form == "6-K"][:4]
        if t in ("GLXY", "ABTC", "CRWV"):
            found[("late_first_filing", t)] = [filings[0].accession]
        if found.get(("revenue_on_product_and_segment_axes", t)):
            extra[("revenue_on_product_and_segment_axes", t)] = {
                "breakdown_axis": PRODUCT_AXIS,
                "also_on_axis": SEGMENT_AXIS,
                "segment_members": {segment: f"{company.prefix}:{product}" for segment, product, _ in RIOT_SEGMENTS},
            }
        for filing in filings:
            if filing.form == "10-Q/A":
                found[("amended_10q", t)] = [filing.accession]
                original = filing.amends
                q = original.columns[0]
                extra[("amended_10q", t)] = {
                    "amends": original.accession,
                    "period_end": q[1].isoformat(),
                    "original": {
                        "total": sum(period_values(company, q, True).values()),
                        **categories_of(company, period_values(company, q, True)),
                    },
                }
    out = []
    for quirk in QUIRK_TEXT:
        for (name, ticker), accessions in sorted(found.items()):
            if name != quirk or not accessions:
                continue
            out.append(
                {
                    "quirk": quirk,
                    "ticker": ticker,
                    "accession": accessions[0],
                    "accessions": accessions,
                    "detail": QUIRK_TEXT[quirk],
                    **extra.get((quirk, ticker), {}),
                }
            )
    return out


def planted_truth(
    companies: list[Company],
    periodic: dict[str, list[Filing]],
    current: dict[str, list[Filing]],
    everything: dict[str, list[Filing]],
    used: dict[str, set[str]],
    excluded: list[dict],
    truth_rows: list[dict],
) -> dict:
    """planted_truth.json: the model's parameters, each filer's tagging, the quirks, the excluded facts and the
    revenue rows."""
    return {
        "synthetic": True,
        "generator": "tools/snapshot/sec",
        "seed": SEED,
        "as_of": AS_OF.isoformat(),
        "description": "SYNTHETIC SEC EDGAR snapshot: real CIKs, tickers, fiscal calendars and contract dates; "
        "generated filings, accession numbers and revenue. `revenue` is what a consumer should recover: "
        "one row per fiscal quarter reported as three months or derivable as FY - nine-month YTD, and one "
        "fiscal_year row per fiscal year without quarters; periods ending on or after 2022-01-01; values "
        "from the latest filing covering the period.",
        "model": {
            "halving": HALVING.isoformat(),
            "halving_cut": HALVING_CUT,
            "hpc_usd_per_mw_year": HPC_USD_PER_MW_YEAR,
            "ramp_quarters": RAMP_QUARTERS,
            "btc_price_path": {str(y): list(p) for y, p in BTC_PRICE_PATH.items()},
            "own_hpc": {
                t: [{"announced": a.isoformat(), "annual_usd": v, "member": m} for a, v, m in rows]
                for t, rows in OWN_HPC.items()
            },
            "companies": {
                c.ticker: {
                    "first_hpc_announced": c.first_hpc.isoformat() if c.first_hpc else None,
                    "mining_drivers": c.drivers,
                }
                for c in companies
            },
        },
        "filers": {
            c.ticker: {
                "cik": c.cik,
                "prefix": c.prefix,
                "fiscal_year_end_month": c.fyem,
                "unit": c.tag.unit,
                "scale": {1: 0, 1000: 3, 1_000_000: 6}[c.tag.unit],
                "total_concepts": list(c.tag.total_concepts),
                "member_concept": c.tag.total_concepts[-1],
                "axis": c.tag.axis,
                "ifrs_axis": c.tag.ifrs_axis if any(f.gaap == "ifrs-full" for f in periodic[c.ticker]) else None,
                "members": {f"{c.prefix}:{m}": cat for m, cat in c.tag.members.items()},
                "zero_style": c.tag.zero_style,
                "default_revenue_category": c.default_category,
                "forms": dict(sorted(Counter(f.form for f in everything[c.ticker]).items())),
            }
            for c in companies
        },
        "quirks": _quirks(companies, periodic, used, current),
        "excluded_facts_description": "Facts in the filings that a consumer must not count as revenue (their "
        "concept names revenue, or they sit on an axis or member that is not the filing's breakdown): one row per "
        "fact with its concept, period (period_start null for an instant), dimensions, unit, value as the document "
        "states it, the expected exclusion_reason (the most specific) and `also`, other reasons that describe it.",
        "excluded_facts": excluded,
        "revenue": truth_rows,
    }
