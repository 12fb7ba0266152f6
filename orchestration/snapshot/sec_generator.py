"""Seeded generator of the bundled SEC EDGAR snapshot (SYNTHETIC filings and numbers, real CIKs and calendars).

The snapshot is written as the bodies EDGAR serves, gzipped under the URL's own path, so the SEC client and
parsers run offline exactly as against live EDGAR:

- `submissions/CIK##########.json.gz`   https://data.sec.gov/submissions/CIK##########.json
- `companyfacts/CIK##########.json.gz`  https://data.sec.gov/api/xbrl/companyfacts/CIK##########.json
- `archives/{cik}/{accession without dashes}/{document}.gz`
                                        https://www.sec.gov/Archives/edgar/data/{cik}/{accession}/{document}
- `planted_truth.json`                  what a consumer should recover (not gzipped; not an EDGAR body)

Every filing document is small inline XBRL (10-Q, 10-Q/A, 10-K, 10-KT, 20-F, 40-F) or plain XHTML (8-K, 6-K,
DEF 14A, S-8), and every body says SYNTHETIC where a human reads it (a visible line in each document, the
`description` of each submissions body, the concept descriptions in companyfacts).

Planted revenue model (per company and fiscal quarter, whole dollars; numpy default_rng(SEED)):
- self_mining = base x hashrate x (BTC price / 40,000) x reward x days/91.3. The hashrate index grows at
  a company rate (a third of it after 2025) with lognormal noise; the BTC price is a planted quarterly path
  (`BTC_PRICE_PATH`, interpolated at the quarter's midpoint, with noise); `reward` is 1 before the
  2024-04-20 halving and 0.55 after it, pro rata in the quarter that contains it, so self-mining revenue per
  unit of hashrate drops 45% from the quarter ended 2024-09-30 on.
- hpc_ai = the sum over the company's AI/HPC contracts (seed `ai_hpc_contracts`) of a ramp: nothing until
  the first quarter that starts after the announce date, then 25%, 50%, 75%, 100% of a quarter of the
  annualised value (contract_value_usd / term_years; without both, critical_it_mw x 1.4 M$/MW/yr; the
  terminated CoreWeave/Core Scientific merger has neither and adds nothing). Bit Digital gets two planted
  GPU-cloud/colocation ramps from 2024 and 2025 (`OWN_HPC`); CoreWeave (not a miner) is 100% hpc_ai.
- hosting (CORZ, APLD, HUT, SLNH, GLXY, ABTC) and other (power, demand response, engineering: RIOT's
  engineering is large, WULF's other swings below zero) follow their own growth paths with noise.
- AncillaryServicesMember (BTBT, from 2025) is tiny (< 0.5% of a quarter) and maps to no category:
  the planted "unclassified" revenue.
- Each member is rounded to the filer's tagging unit (whole dollars, thousands or millions), and the total
  is the sum of the members, so every planted value survives the document's `scale` exactly.

Filing pattern (miners.csv): 10-Q for fiscal Q1-Q3 and 10-K for the year (MARA, RIOT, CLSK, CORZ, CIFR, WULF,
APLD, SLNH from periods ending 2022-03-31 on; HUT from 2024 after a 10-KT for 2023-07-01..2023-12-31; GLXY from
the quarter ended 2025-06-30; ABTC from 2025-09-30; CRWV from 2025-03-31; BTBT 20-F FY2022-23, 10-K FY2024,
10-Qs from 2025; IREN 20-F FY2022-24 (IFRS), 10-K FY2025, 10-Qs from the quarter ended 2025-09-30); BITF and
HIVE file 40-Fs, BTDR 20-Fs (IFRS), with interim 6-Ks without XBRL. 10-Qs are filed 36-45 days after the
quarter, 10-Ks 58-74 days after the year (moved to the next weekday), nothing after AS_OF. Earnings 8-Ks
(2.02,9.01) come the day of each 10-Q/10-K, contract 8-Ks (1.01,7.01,9.01) on each seed contract's date
once the company files 8-Ks (so not GLXY's March 2025 lease), plus 8.01 8-Ks, DEF 14As and S-8s, so a
consumer has to filter forms. Accession numbers are self-filed (`{cik}-{yy}-{seq}`, rising through a year).

The planted truth (`revenue`) has one row per fiscal quarter tagged as three months in some filing (current
or comparative) or derivable as FY - nine-month YTD, and one fiscal_year row per fiscal year reported in an
annual filing that has no such quarter in it (BITF, BTDR, HIVE, IREN FY2022-24, BTBT FY2022-23, and the
FY2023 comparatives of GLXY, ABTC and CRWV); periods ending from 2022-01-01; values from the latest filing
covering the period. Quarters only derivable otherwise (GLXY's Q1s as six months minus Q2) are not rows.

Quirks planted (each listed in planted_truth.json under "quirks" with ticker and accession):
 1. Non-December fiscal years: CLSK (Sep), APLD (May), HIVE (Mar), IREN (Jun); quarters and fiscal years
    follow miners.csv's fiscal_year_end_month (fiscal year = calendar year in which it ends).
 2. 10-Qs tag three-month facts and year-to-date facts (six months in Q2, nine in Q3) for the current and
    the prior-year period; Q1 has three months only.
 3. 10-Ks tag the fiscal year and the two prior years, never the fourth quarter: Q4 = FY - nine-month YTD.
    (40-Fs tag the year and one prior year.)
 4. Revenue on axes that are not a breakdown: pro-forma us-gaap:Revenues on us-gaap:BusinessAcquisitionAxis
    (MARA 10-K FY2024, member HostingSitesAcquisitionMember), srt:ConsolidationItemsAxis with
    srt:OperatingSegmentsMember / srt:IntersegmentEliminationMember (CORZ from 2024), srt:CryptoAssetAxis
    (RIOT 10-Ks, member BitcoinMember), and a two-dimension fact ProductOrServiceAxis x
    srt:StatementGeographicalAxis (MARA from 2023).
 5. Nil facts: where a member is zero in a comparative period (the business did not exist yet), CORZ,
    CIFR, WULF and IREN write it as xsi:nil="true".
 6. Scale: MARA, RIOT, CORZ, HUT, BITF, IREN, CIFR, WULF, BTDR, APLD and GLXY tag in thousands (scale="3",
    decimals="-3"), CRWV in millions (scale="6"), CLSK, HIVE, BTBT, SLNH and ABTC in whole dollars
    (scale="0").
 7. sign="-": WULF's OtherRevenueMember is negative in some quarters, shown in parentheses without a minus.
    (CORZ's intersegment eliminations and net losses use sign="-" as well.)
 8. An amendment: RIOT's 10-Q for the quarter ended 2024-06-30 is restated by a 10-Q/A ~2 months later
    (original self-mining revenue overstated); the planted truth is the amended numbers.
 9. CLSK tags no product axis: only us-gaap:Revenues and clsk:DigitalCurrencyMiningRevenues (same value);
    all of its revenue is self_mining (miners.csv default_revenue_category).
10. Concepts differ by filer: us-gaap:Revenues (MARA, RIOT, CLSK, CORZ, HUT, WULF, APLD, GLXY),
    us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax (CIFR, IREN's 10-K/10-Q, BTBT, ABTC, CRWV),
    both for the total but members only on the latter (SLNH, the two tags nested on one number), and
    ifrs-full:Revenue (BITF, BTDR, HIVE, IREN's 20-Fs) on ifrs-full:ProductsAndServicesAxis (HIVE:
    ifrs-full:SegmentsAxis). HUT tags us-gaap:StatementBusinessSegmentsAxis instead of
    srt:ProductOrServiceAxis.
11. Display: the total appears twice in each document (income statement and revenue note, the second
    without an id); zero members of dash-style filers are "—" with format ixt:fixed-zero; in one MARA 10-Q
    (quarter ended 2024-03-31) the totals' digits sit in a <span> nested inside the ix:nonFraction. That
    one breaks the Inline XBRL 1.1 schema (only text or one nested ix:nonFraction is allowed there; SLNH's
    double-tagged totals are the valid form of nesting), so it is planted once, for lenient parsers.
12. Every XBRL filing is inline XBRL (no separate instance documents).
13. Product and segment axes together (the real Riot's shape): RIOT's Q2 and Q3 10-Qs from 2024 (the 10-Q/A and
    the original it amends included) tag us-gaap:Revenues on srt:ProductOrServiceAxis for every column and, for
    the two three-month columns, on us-gaap:StatementBusinessSegmentsAxis alone (riot:BitcoinMiningSegmentMember
    = BitcoinMiningMember, riot:EngineeringSegmentMember = EngineeringMember) with the nested total
    us-gaap:ReportableSegmentAggregationBeforeOtherOperatingSegmentMember (the sum of the two) on the same axis.
    The product axis carries more facts (8 or 12 against 6), so it is the filing's breakdown. Beside them:
    StatementBusinessSegmentsAxis x srt:ConsolidationItemsAxis facts (us-gaap:OperatingSegmentsMember, the
    engineering segment including its intersegment sales; us-gaap:IntersegmentEliminationMember, negative with
    sign="-"), and srt:ConsolidationItemsAxis alone (the same elimination; us-gaap:CorporateNonSegmentMember =
    the data center leases, a dash while they are zero).
14. Concentration risk (RIOT 10-Ks): us-gaap:Revenues on srt:ProductOrServiceAxis=riot:RevenueNetEngineeringMember,
    one customer's engineering revenue in a sentence (scale 6, decimals -5: "$26.6 million"), alone for the year
    and with us-gaap:ConcentrationRiskByBenchmarkAxis and ConcentrationRiskByTypeAxis for the prior year; in the
    same context riot:NumberOfCustomersWhoGenerateMoreThanTenPercentOfTotalRevenue = "one" (unit customer,
    ixt-sec:numwordsen). Not breakdown lines.
15. Facts named after revenue that are not revenue: mara:PercentageOfTotalRevenue on the product axis (MARA
    10-Ks, unit pure, scale -2), btbt:NoncurrentPortionOfDeferredRevenue (BTBT 10-Ks, instants),
    btbt:AnnualizedRevenue for the quarter on the product axis (BTBT 10-Qs with cloud revenue),
    us-gaap:RevenueRemainingPerformanceObligation (APLD 10-Ks from FY2024, an instant without dimensions).
16. A subsequent event: us-gaap:Revenues for one day between the year end and the filing, on
    us-gaap:SubsequentEventTypeAxis=us-gaap:SubsequentEventMember (BTBT 10-Ks).
17. Restatement axis: RIOT's 10-Q/A tags the original total on srt:RestatementAxis=
    srt:ScenarioPreviouslyReportedMember and the (negative) correction on srt:RestatementAdjustmentMember.
Every fact a consumer must not count (13-17, and the other-axis facts of 4) is listed in planted_truth.json under
"excluded_facts" with its concept, period, dimensions, unit, value and expected exclusion_reason (the first
reason that applies in dbt's order; `also`: the others). Their numbers come from a separate random stream
(`_side_rng`), so the model's draws, and every planted revenue value, are what they were without them.

Everything planted, and the revenue a consumer should recover per company and period, is written to
`planted_truth.json`; the model is not tied to the market snapshot's BTC prices.
"""

from __future__ import annotations

import calendar
import gzip
import json
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from pathlib import Path

import numpy as np

from orchestration.paths import SEEDS_DIR, SNAPSHOT_DIR
from orchestration.universe import load_seed

SEED = 20241022
AS_OF = date(2026, 11, 20)
TRUTH_FROM = date(2022, 1, 1)  # planted truth covers periods ending on or after this day
FIRST_PERIOD_END = date(2022, 3, 31)  # the first fiscal period whose filing is bundled
HALVING = date(2024, 4, 20)
HALVING_CUT = 0.45
REFERENCE_QUARTER_END = date(2022, 3, 31)
HPC_USD_PER_MW_YEAR = 1_400_000
RAMP_QUARTERS = 4
MODEL_YEARS = range(2019, 2028)  # fiscal years modelled (comparatives reach back to FY2020)
CATEGORIES = ("self_mining", "hosting", "hpc_ai", "other", "unclassified")
SYNTHETIC_LINE = (
    "SYNTHETIC TEST DATA: generated by the Miner Convergence snapshot generator. This is not an SEC filing "
    "and these are not the company's numbers."
)

# Average BTC price per calendar quarter (planted, plausible; not market data).
BTC_PRICE_PATH = {
    2019: (4_000, 7_500, 10_500, 8_000),
    2020: (8_000, 8_500, 10_500, 15_000),
    2021: (45_000, 45_000, 40_000, 55_000),
    2022: (41_000, 32_000, 21_000, 18_000),
    2023: (22_500, 28_000, 28_000, 37_000),
    2024: (57_000, 65_000, 61_000, 82_000),
    2025: (92_000, 95_000, 113_000, 100_000),
    2026: (88_000, 92_000, 98_000, 102_000),
    2027: (104_000, 106_000, 108_000, 110_000),
}

NS = {
    "ix": "http://www.xbrl.org/2013/inlineXBRL",
    "ixt": "http://www.xbrl.org/inlineXBRL/transformation/2020-02-12",
    "ixt-sec": "http://www.sec.gov/inlineXBRL/transformation/2015-08-31",
    "xbrli": "http://www.xbrl.org/2003/instance",
    "xbrldi": "http://xbrl.org/2006/xbrldi",
    "link": "http://www.xbrl.org/2003/linkbase",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "iso4217": "http://www.xbrl.org/2003/iso4217",
    "us-gaap": "http://fasb.org/us-gaap/2024",
    "srt": "http://fasb.org/srt/2024",
    "dei": "http://xbrl.sec.gov/dei/2024",
    "country": "http://xbrl.sec.gov/country/2024",
    "ifrs-full": "https://xbrl.ifrs.org/taxonomy/2024-03-27/ifrs-full",
}

REVENUES = "us-gaap:Revenues"
RFCWC = "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax"
IFRS_REVENUE = "ifrs-full:Revenue"
PRODUCT_AXIS = "srt:ProductOrServiceAxis"


@dataclass(frozen=True)
class Tagging:
    """How a filer tags its revenue: domain for its namespace, concepts, axis, members and scale."""

    domain: str
    total_concepts: tuple[str, ...]  # US GAAP concepts carrying the total (the last also carries the members)
    members: dict[str, str]  # member local name -> planted category, in display order
    unit: int  # 1, 1_000 or 1_000_000: the tagging scale, and what every planted value is a multiple of
    zero_style: str = "dash"  # a zero member in a comparative: "dash" (ixt:fixed-zero) or "nil"
    axis: str = PRODUCT_AXIS
    ifrs_axis: str = "ifrs-full:ProductsAndServicesAxis"
    sic: str = "6199"


TAGGING: dict[str, Tagging] = {
    "MARA": Tagging(
        "mara.com", (REVENUES,), {"DigitalAssetMiningMember": "self_mining", "OtherRevenueMember": "other"}, 1000
    ),
    "RIOT": Tagging(
        "riotplatforms.com",
        (REVENUES,),
        {"BitcoinMiningMember": "self_mining", "DataCenterLeaseMember": "hpc_ai", "EngineeringMember": "other"},
        1000,
    ),
    "CLSK": Tagging("cleanspark.com", (REVENUES,), {}, 1),
    "CORZ": Tagging(
        "corescientific.com",
        (REVENUES,),
        {
            "SelfMiningMember": "self_mining",
            "HostingMember": "hosting",
            "HighPerformanceComputingHostingMember": "hpc_ai",
        },
        1000,
        zero_style="nil",
    ),
    "HUT": Tagging(
        "hut8.com",
        (REVENUES,),
        {
            "MiningSegmentMember": "self_mining",
            "HostingServicesMember": "hosting",
            "HpcSegmentMember": "hpc_ai",
            "EnergySalesMember": "other",
        },
        1000,
        axis="us-gaap:StatementBusinessSegmentsAxis",
    ),
    "BITF": Tagging(
        "bitfarms.com", (REVENUES,), {"BitcoinMiningMember": "self_mining", "EngineeringMember": "other"}, 1000
    ),
    "IREN": Tagging(
        "iren.com", (RFCWC,), {"BitcoinMiningMember": "self_mining", "AICloudServicesMember": "hpc_ai"}, 1000, "nil"
    ),
    "CIFR": Tagging(
        "ciphermining.com",
        (RFCWC,),
        {"BitcoinMiningMember": "self_mining", "DataCenterLeaseMember": "hpc_ai"},
        1000,
        zero_style="nil",
    ),
    "WULF": Tagging(
        "terawulf.com",
        (REVENUES,),
        {
            "SelfMiningMember": "self_mining",
            "HighPerformanceComputingHostingMember": "hpc_ai",
            "OtherRevenueMember": "other",
        },
        1000,
        zero_style="nil",
    ),
    "BTDR": Tagging(
        "bitdeer.com", (REVENUES,), {"SelfMiningMember": "self_mining", "OtherRevenueMember": "other"}, 1000
    ),
    "HIVE": Tagging(
        "hivedigitaltechnologies.com",
        (REVENUES,),
        {"DigitalAssetMiningMember": "self_mining", "OtherRevenueMember": "other"},
        1,
        ifrs_axis="ifrs-full:SegmentsAxis",
    ),
    "APLD": Tagging(
        "applieddigital.com",
        (REVENUES,),
        {"DataCenterHostingMember": "hosting", "DataCenterLeaseMember": "hpc_ai"},
        1000,
        sic="7374",
    ),
    "GLXY": Tagging(
        "galaxy.com",
        (REVENUES,),
        {
            "BitcoinMiningMember": "self_mining",
            "HostingServicesMember": "hosting",
            "DataCenterLeaseMember": "hpc_ai",
            "OtherRevenueMember": "other",
        },
        1000,
        sic="6211",
    ),
    "BTBT": Tagging(
        "bit-digital.com",
        (RFCWC,),
        {
            "DigitalAssetMiningMember": "self_mining",
            "CloudServicesMember": "hpc_ai",
            "ColocationServicesMember": "hpc_ai",
            "AncillaryServicesMember": "unclassified",
        },
        1,
    ),
    "SLNH": Tagging(
        "solunacomputing.com",
        (REVENUES, RFCWC),
        {"BitcoinMiningMember": "self_mining", "HostingMember": "hosting", "DemandResponseServicesMember": "other"},
        1,
    ),
    "ABTC": Tagging(
        "americanbitcoin.com", (RFCWC,), {"BitcoinMiningMember": "self_mining", "HostingMember": "hosting"}, 1
    ),
    "CRWV": Tagging("coreweave.com", (RFCWC,), {"AICloudServicesMember": "hpc_ai"}, 1_000_000, sic="7374"),
}

# Revenue model: mining = (USD per quarter at the reference quarter at 40k BTC, hashrate growth per quarter),
# hosting = (USD per quarter at the reference quarter, growth per quarter), other = (level, growth, noise sd as
# a share of the level) or other_share = share of self-mining revenue.
MODEL: dict[str, dict] = {
    "MARA": {"mining": (50e6, 0.09), "other_share": 0.015},
    "RIOT": {"mining": (55e6, 0.07), "other": (12e6, 0.02, 0.15)},
    "CLSK": {"mining": (30e6, 0.09)},
    "CORZ": {"mining": (85e6, 0.03), "hosting": (40e6, -0.02)},
    "HUT": {"mining": (30e6, 0.05), "hosting": (6e6, 0.03), "other": (5e6, 0.03, 0.2)},
    "BITF": {"mining": (40e6, 0.05), "other": (1.5e6, 0.02, 0.3)},
    "IREN": {"mining": (15e6, 0.11)},
    "CIFR": {"mining": (8e6, 0.12)},
    "WULF": {"mining": (3e6, 0.16), "other": (0.15e6, 0.0, 4.0)},
    "BTDR": {"mining": (30e6, 0.06), "other": (3e6, 0.03, 0.2)},
    "HIVE": {"mining": (25e6, 0.04), "other": (0.4e6, 0.0, 0.3)},
    "APLD": {"hosting": (8e6, 0.10)},
    "GLXY": {"mining": (12e6, 0.05), "hosting": (2e6, 0.02), "other": (25e6, 0.04, 0.2)},
    "BTBT": {"mining": (12e6, 0.02), "unclassified": (0.002, date(2025, 1, 1))},
    "SLNH": {"mining": (4e6, 0.02), "hosting": (1.2e6, 0.03), "other": (0.8e6, 0.02, 0.25)},
    "ABTC": {"mining": (6e6, 0.12), "hosting": (1e6, 0.02)},
    "CRWV": {"cloud": (15e6, 0.6, 0.92)},  # level at the quarter ended 2022-03-31, growth, growth decay
}

# Planted AI/HPC revenue ramps for a company without seed contracts: (announced, annual USD, member).
OWN_HPC = {
    "BTBT": [
        (date(2023, 12, 15), 60_000_000, "CloudServicesMember"),
        (date(2024, 12, 15), 40_000_000, "ColocationServicesMember"),
    ],
}

# Which forms each company files: ("quarterly", first fiscal year, first fiscal quarter), ("annual", form,
# first fiscal year, last fiscal year or None, GAAP), ("10-KT", start, end).
PLANS: dict[str, list[tuple]] = {
    "MARA": [("quarterly", 2022, 1)],
    "RIOT": [("quarterly", 2022, 1)],
    "CLSK": [("quarterly", 2022, 2)],
    "CORZ": [("quarterly", 2022, 1)],
    "HUT": [("10-KT", date(2023, 7, 1), date(2023, 12, 31)), ("quarterly", 2024, 1)],
    "BITF": [("annual", "40-F", 2022, None, "ifrs-full")],
    "IREN": [
        ("annual", "20-F", 2022, 2024, "ifrs-full"),
        ("annual", "10-K", 2025, 2025, "us-gaap"),
        ("quarterly", 2026, 1),
    ],
    "CIFR": [("quarterly", 2022, 1)],
    "WULF": [("quarterly", 2022, 1)],
    "BTDR": [("annual", "20-F", 2022, None, "ifrs-full")],
    "HIVE": [("annual", "40-F", 2022, None, "ifrs-full")],
    "APLD": [("quarterly", 2022, 4)],
    "GLXY": [("quarterly", 2025, 2)],
    "BTBT": [
        ("annual", "20-F", 2022, 2023, "us-gaap"),
        ("annual", "10-K", 2024, 2024, "us-gaap"),
        ("quarterly", 2025, 1),
    ],
    "SLNH": [("quarterly", 2022, 1)],
    "ABTC": [("quarterly", 2025, 3)],
    "CRWV": [("quarterly", 2025, 1)],
}

# When a company files 8-Ks (domestic forms) and when 6-Ks (foreign private issuer); None: never.
DOMESTIC_FROM = {
    "HUT": date(2023, 11, 30),
    "GLXY": date(2025, 5, 13),
    "ABTC": date(2025, 9, 3),
    "CRWV": date(2025, 3, 28),
    "BTBT": date(2025, 1, 1),
    "IREN": date(2025, 7, 1),
    "BITF": None,
    "HIVE": None,
    "BTDR": None,
}
# Foreign private issuers (20-F/40-F, interim 6-Ks): until when (None: throughout the snapshot).
FOREIGN_PRIVATE_ISSUER_UNTIL = {
    "BITF": None,
    "HIVE": None,
    "BTDR": None,
    "BTBT": date(2025, 1, 1),
    "IREN": date(2025, 7, 1),
}
# The one filing whose total sits in a <span> inside ix:nonFraction. Inline XBRL 1.1's schema allows only text
# or one nested ix:nonFraction there (EDGAR would reject it; Arelle reports SCHEMAV_ELEMENT_CONTENT), so it is
# planted once, as a robustness test for lenient parsers.
NESTED_SPAN = ("MARA", "10-Q", date(2024, 3, 31))
RESTATED = ("RIOT", 2024, 2)  # ticker, fiscal year, fiscal quarter restated by a 10-Q/A
RESTATEMENT_SHARE = 0.04  # the original 10-Q overstated self-mining revenue by this share
PERIODIC_FORMS = ("10-Q", "10-Q/A", "10-K", "10-KT", "20-F", "40-F")
CONCEPT_TEXT = {
    REVENUES: (
        "Revenues",
        "Amount of revenue recognized from goods sold, services rendered, insurance premiums, or other activities "
        "that constitute an earning process.",
    ),
    RFCWC: (
        "Revenue from Contract with Customer, Excluding Assessed Tax",
        "Amount, excluding tax collected from customer, of revenue from satisfaction of performance obligation by "
        "transferring promised good or service to customer.",
    ),
    "us-gaap:CostsAndExpenses": ("Costs and Expenses", "Total costs of sales and operating expenses for the period."),
    "us-gaap:NetIncomeLoss": (
        "Net Income (Loss) Attributable to Parent",
        "The portion of profit or loss for the period, net of income taxes, which is attributable to the parent.",
    ),
    IFRS_REVENUE: ("Revenue", "The income arising in the course of an entity's ordinary activities."),
    "ifrs-full:CostOfSales": ("Cost of sales", "The amount of costs relating to revenue."),
    "ifrs-full:ProfitLoss": (
        "Profit (loss)",
        "The total of income less expenses, excluding other comprehensive income.",
    ),
    "dei:EntityCommonStockSharesOutstanding": (
        "Entity Common Stock, Shares Outstanding",
        "Indicate number of shares or other units outstanding of each of registrant's classes of capital or common "
        "stock or other ownership interests, if and as stated on cover of related periodic report.",
    ),
    "clsk:DigitalCurrencyMiningRevenues": (
        "Digital Currency Mining Revenues",
        "Revenue from bitcoin mined for the company's own account.",
    ),
}


# -- calendars ------------------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def fiscal_quarter_bounds(fyem: int, fiscal_year: int, quarter: int) -> tuple[date, date]:
    """First and last day of fiscal quarter `quarter` of the fiscal year ending in month `fyem` of `fiscal_year`."""
    end_year, end_month = _shift_month(fiscal_year, fyem, -3 * (4 - quarter))
    start_year, start_month = _shift_month(end_year, end_month, -2)
    return date(start_year, start_month, 1), _month_end(end_year, end_month)


def fiscal_year_bounds(fyem: int, fiscal_year: int) -> tuple[date, date]:
    return fiscal_quarter_bounds(fyem, fiscal_year, 1)[0], _month_end(fiscal_year, fyem)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _months(period: tuple[date, date]) -> int:
    return round(((period[1] - period[0]).days + 1) / 30.44)


@dataclass(frozen=True)
class Quarter:
    fiscal_year: int
    fiscal_quarter: int
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


# -- the revenue model ----------------------------------------------------------------------------------


@dataclass
class Company:
    ticker: str
    name: str
    cik: str  # ten digits
    fyem: int
    is_miner: bool
    default_category: str
    tag: Tagging
    quarters: list[Quarter]
    series: dict[str, list[int]]  # member local name ("" = untagged revenue) -> value per quarter
    costs: list[int]
    drivers: list[dict]
    shares_base: float
    file_number: str
    first_hpc: date | None = None
    annual_history: list[tuple[date, date]] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return self.ticker.lower()

    @property
    def cik_int(self) -> str:
        return str(int(self.cik))

    def category(self, member: str) -> str:
        return self.tag.members.get(member, self.default_category) if member else self.default_category

    def span(self, period: tuple[date, date]) -> range:
        """Indices of the quarters that tile `period` exactly."""
        starts = [i for i, q in enumerate(self.quarters) if q.start == period[0]]
        ends = [i for i, q in enumerate(self.quarters) if q.end == period[1]]
        if not starts or not ends or ends[0] < starts[0]:
            raise ValueError(f"{self.ticker}: {period} is not a run of fiscal quarters")
        return range(starts[0], ends[0] + 1)


def _price_anchors(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    days, prices = [], []
    for year, quarter_prices in BTC_PRICE_PATH.items():
        for q, price in enumerate(quarter_prices, start=1):
            start, end = fiscal_quarter_bounds(12, year, q)
            days.append((start + (end - start) / 2).toordinal())
            prices.append(price * float(np.exp(rng.normal(0, 0.03))))
    return np.array(days, dtype=float), np.array(prices)


def _reward(q: Quarter) -> float:
    after = max(0, (q.end - max(q.start, HALVING)).days + 1)
    return 1 - HALVING_CUT * after / q.days


def _annualised(row: dict[str, str]) -> float | None:
    """A seed contract's annual revenue at full run-rate (None when it cannot be annualised)."""
    if row["status_as_of_source"].strip().lower().startswith("terminated"):
        return None
    value, term, mw = row["contract_value_usd"], row["term_years"], row["critical_it_mw"]
    if value and term:
        return float(value) / float(term)
    if mw:
        return float(mw) * HPC_USD_PER_MW_YEAR
    return None


def _ramp(quarters: list[Quarter], announced: date, annual: float) -> np.ndarray:
    out = np.zeros(len(quarters))
    k = 0
    for i, q in enumerate(quarters):
        if q.start > announced:
            k += 1
            out[i] = annual / 4 * min(k, RAMP_QUARTERS) / RAMP_QUARTERS
    return out


def _round_to(values: np.ndarray, unit: int) -> list[int]:
    return [int(round(v / unit)) * unit for v in values]


def _build_company(row: dict[str, str], contracts: list[dict[str, str]], anchors, rng) -> Company:
    ticker = row["ticker"]
    tag, spec = TAGGING[ticker], MODEL[ticker]
    fyem = int(row["fiscal_year_end_month"])
    quarters = [Quarter(fy, q, *fiscal_quarter_bounds(fyem, fy, q)) for fy in MODEL_YEARS for q in range(1, 5)]
    n = len(quarters)
    t = np.array([(q.end - REFERENCE_QUARTER_END).days / 91.31 for q in quarters])
    t_fast = np.minimum(t, 15.3)
    t_slow = np.maximum(t - 15.3, 0)
    days = np.array([q.days for q in quarters]) / 91.31
    mid = np.array([(q.start + (q.end - q.start) / 2).toordinal() for q in quarters], dtype=float)
    price = np.interp(mid, *anchors)
    reward = np.array([_reward(q) for q in quarters])
    members_by_category: dict[str, list[str]] = defaultdict(list)
    for member, category in tag.members.items():
        members_by_category[category].append(member)

    def member_for(category: str) -> str:
        return members_by_category[category][0] if members_by_category[category] else ""

    raw: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n))
    hashrate = np.zeros(n)
    if "mining" in spec:
        base, growth = spec["mining"]
        hashrate = (1 + growth) ** t_fast * (1 + growth / 3) ** t_slow * np.exp(rng.normal(0, 0.04, n))
        raw[member_for("self_mining")] += base * hashrate * price / 40_000 * reward * days
    if "hosting" in spec:
        base, growth = spec["hosting"]
        raw[member_for("hosting")] += base * (1 + growth) ** np.minimum(t, 12) * np.exp(rng.normal(0, 0.05, n)) * days
    if "other" in spec:
        level, growth, sd = spec["other"]
        raw[member_for("other")] += level * (1 + growth) ** t * (1 + rng.normal(0, sd, n)) * days
    if "other_share" in spec:
        raw[member_for("other")] += raw[member_for("self_mining")] * spec["other_share"] * rng.uniform(0.6, 1.4, n)
    first_hpc = None
    for contract in contracts:
        annual = _annualised(contract)
        if annual is None:
            continue
        announced = date.fromisoformat(contract["announce_date"])
        first_hpc = min(first_hpc or announced, announced)
        raw[member_for("hpc_ai")] += _ramp(quarters, announced, annual)
    for announced, annual, member in OWN_HPC.get(ticker, []):
        first_hpc = min(first_hpc or announced, announced)
        raw[member] += _ramp(quarters, announced, annual) * (1 + 0.03 * np.maximum(t - 8, 0))
    if "cloud" in spec:
        level, growth, decay = spec["cloud"]
        ref = int(np.argmin(np.abs(t)))
        path = np.ones(n)
        for i in range(ref + 1, n):
            path[i] = path[i - 1] * (1 + growth * decay ** t[i])
        for i in range(ref - 1, -1, -1):
            path[i] = path[i + 1] / (1 + growth)
        raw[member_for("hpc_ai")] += level * path * np.exp(rng.normal(0, 0.03, n))
    series = {member: _round_to(values, tag.unit) for member, values in raw.items()}
    if "unclassified" in spec:
        share, since = spec["unclassified"]
        total = np.sum([series[m] for m in series], axis=0)
        tiny = np.where([q.start >= since for q in quarters], total * share * rng.uniform(0.5, 1.0, n), 0)
        series[member_for("unclassified")] = _round_to(tiny, tag.unit)
    order = [m for m in tag.members if m in series] + ([""] if "" in series else [])
    series = {m: series[m] for m in order}
    total = np.sum([series[m] for m in series], axis=0)
    costs = _round_to(total * rng.uniform(0.75, 1.3, n), tag.unit)
    drivers = [
        {
            "fiscal_year": q.fiscal_year,
            "fiscal_quarter": q.fiscal_quarter,
            "period_end": q.end.isoformat(),
            "btc_price": round(float(price[i]), 2),
            "reward_factor": round(float(reward[i]), 4),
            "hashrate_index": round(float(hashrate[i]), 4),
        }
        for i, q in enumerate(quarters)
        if "mining" in spec and q.end >= TRUTH_FROM and q.start <= AS_OF
    ]
    company = Company(
        ticker=ticker,
        name=row["company_name"].split(" (fka")[0].strip(),
        cik=row["cik"],
        fyem=fyem,
        is_miner=row["is_miner"] == "true",
        default_category=row.get("default_revenue_category")
        or ("self_mining" if row["is_miner"] == "true" else "hpc_ai"),
        tag=tag,
        quarters=quarters,
        series=series,
        costs=costs,
        drivers=drivers,
        shares_base=float(rng.uniform(30e6, 350e6)),
        file_number=f"001-{int(rng.integers(33000, 42999))}",
        first_hpc=first_hpc,
    )
    company.annual_history = [fiscal_year_bounds(fyem, fy) for fy in MODEL_YEARS]
    if ticker == "HUT":  # USBTC's June fiscal year, then the six-month transition period, then calendar years
        company.annual_history = [(date(2022, 7, 1), date(2023, 6, 30)), (date(2023, 7, 1), date(2023, 12, 31))] + [
            fiscal_year_bounds(12, fy) for fy in MODEL_YEARS if fy >= 2024
        ]
    return company


# -- filings --------------------------------------------------------------------------------------------


@dataclass
class Filing:
    company: Company
    form: str
    filing_date: date
    report_date: date | None
    fiscal_year: int | None = None
    fiscal_period: str | None = None  # Q1, Q2, Q3 or FY
    columns: list[tuple[date, date]] = field(default_factory=list)
    document_period: tuple[date, date] | None = None
    gaap: str = "us-gaap"
    superseded: bool = False  # the original of a restated 10-Q: its numbers differ from the truth
    amends: Filing | None = None
    items: str = ""
    text: str = ""
    accession: str = ""
    accepted: str = ""
    document: str = ""
    body: bytes = b""
    film_number: str = ""
    shares_date: date | None = None

    @property
    def is_periodic(self) -> bool:
        return self.form in PERIODIC_FORMS

    @property
    def folder(self) -> str:
        return self.accession.replace("-", "")


def _lag(rng: np.random.Generator, form: str) -> int:
    low, high = {"10-Q": (36, 46), "10-K": (58, 75), "20-F": (95, 121), "40-F": (80, 91), "10-KT": (70, 81)}[form]
    return int(rng.integers(low, high))


def _annual_columns(company: Company, period: tuple[date, date], priors: int) -> list[tuple[date, date]]:
    history = company.annual_history
    i = history.index(period)
    return [history[j] for j in range(i, max(i - priors, 0) - 1, -1)]


def _periodic_filings(company: Company, rng: np.random.Generator) -> list[Filing]:
    out: list[Filing] = []
    fyem = company.fyem
    for step in PLANS[company.ticker]:
        if step[0] == "annual":
            _, form, first, last, gaap = step
            for fy in range(first, (last or max(MODEL_YEARS)) + 1):
                period = fiscal_year_bounds(fyem, fy)
                filed = _weekday(period[1] + timedelta(days=_lag(rng, form)))
                if filed > AS_OF:
                    break
                columns = _annual_columns(company, period, 1 if form == "40-F" else 2)
                out.append(Filing(company, form, filed, period[1], fy, "FY", columns, period, gaap))
        elif step[0] == "10-KT":
            _, start, end = step
            filed = _weekday(end + timedelta(days=_lag(rng, "10-KT")))
            three = (date(end.year, end.month - 2, 1), end)
            out.append(Filing(company, "10-KT", filed, end, end.year, "FY", [(start, end), three], (start, end)))
        else:
            _, fy, q = step
            while True:
                start, end = fiscal_quarter_bounds(fyem, fy, q)
                if q < 4:
                    filed = _weekday(end + timedelta(days=_lag(rng, "10-Q")))
                    prior = fiscal_quarter_bounds(fyem, fy - 1, q)
                    columns = [(start, end), prior]
                    ytd = (fiscal_year_bounds(fyem, fy)[0], end)
                    if q > 1:
                        columns += [ytd, (fiscal_year_bounds(fyem, fy - 1)[0], prior[1])]
                    filing = Filing(company, "10-Q", filed, end, fy, f"Q{q}", columns, ytd)
                else:
                    period = fiscal_year_bounds(fyem, fy)
                    filed = _weekday(end + timedelta(days=_lag(rng, "10-K")))
                    filing = Filing(company, "10-K", filed, end, fy, "FY", _annual_columns(company, period, 2), period)
                if filed > AS_OF:
                    break
                out.append(filing)
                if (company.ticker, fy, q) == RESTATED:
                    filing.superseded = True
                    amended_on = _weekday(filed + timedelta(days=int(rng.integers(55, 66))))
                    amendment = Filing(company, "10-Q/A", amended_on, end, fy, f"Q{q}", columns, filing.document_period)
                    amendment.amends = filing
                    out.append(amendment)
                fy, q = (fy + 1, 1) if q == 4 else (fy, q + 1)
    return out


def _is_domestic(ticker: str, day: date) -> bool:
    since = DOMESTIC_FROM.get(ticker, date(2021, 1, 1))
    return since is not None and day >= since


def _is_foreign_private_issuer(ticker: str, day: date) -> bool:
    if ticker not in FOREIGN_PRIVATE_ISSUER_UNTIL:
        return False
    until = FOREIGN_PRIVATE_ISSUER_UNTIL[ticker]
    return until is None or day < until


def _current_filings(
    company: Company, periodic: list[Filing], contracts: list[dict[str, str]], rng: np.random.Generator
) -> list[Filing]:
    ticker, out = company.ticker, []
    for filing in periodic:
        if filing.form in ("10-Q", "10-K", "10-KT"):
            out.append(
                Filing(
                    company,
                    "8-K",
                    filing.filing_date,
                    filing.filing_date,
                    items="2.02,9.01",
                    text=f"Results of operations for the period ended {filing.report_date:%B %d, %Y}.",
                )
            )
    for contract in contracts:
        announced = date.fromisoformat(contract["announce_date"])
        filed = _weekday(announced)
        if filed <= AS_OF and _is_domestic(ticker, announced):
            mw = f"{contract['critical_it_mw']} MW critical IT" if contract["critical_it_mw"] else "capacity not stated"
            out.append(
                Filing(
                    company,
                    "8-K",
                    filed,
                    announced,
                    items="1.01,7.01,9.01",
                    text=f"Entry into a material definitive agreement with {contract['counterparty']} "
                    f"({contract['deal_type']}; {mw}).",
                )
            )
    for year in range(2022, AS_OF.year + 1):
        for month in (1, 7):
            day = _weekday(date(year, month, 15))
            if day <= AS_OF and _is_domestic(ticker, day):
                out.append(Filing(company, "8-K", day, day, items="8.01", text="Other events: operations update."))
        proxy = _weekday(date(year, 4, 20))
        if proxy <= AS_OF and _is_domestic(ticker, proxy - timedelta(days=90)):
            out.append(Filing(company, "DEF 14A", proxy, None, text="Definitive proxy statement."))
    for q in company.quarters:
        if q.end < TRUTH_FROM:
            continue
        interim = _weekday(q.end + timedelta(days=int(rng.integers(40, 56))))
        update = _weekday(q.end + timedelta(days=int(rng.integers(3, 11))))
        for day, text in ((update, "Production and operations update"), (interim, "Interim financial report")):
            if day <= AS_OF and _is_foreign_private_issuer(ticker, day):
                out.append(Filing(company, "6-K", day, day, text=f"{text} for the quarter ended {q.end:%B %d, %Y}."))
    since = max(DOMESTIC_FROM.get(ticker) or date(2022, 1, 1), date(2022, 1, 1))
    s8 = _weekday(since + timedelta(days=int(rng.integers(30, 400))))
    if s8 <= AS_OF:
        out.append(Filing(company, "S-8", s8, None, text="Registration of securities for an employee equity plan."))
    return out


def _assign_accessions(company: Company, filings: list[Filing], rng: np.random.Generator) -> None:
    for filing in filings:
        if filing.is_periodic:
            hour, minute = int(rng.integers(16, 18)), int(rng.integers(10, 60))
        elif filing.items.startswith("2.02"):
            hour, minute = 16, int(rng.integers(0, 10))
        else:
            hour, minute = int(rng.integers(6, 18)), int(rng.integers(0, 60))
        filing.accepted = (
            f"{filing.filing_date.isoformat()}T{hour:02d}:{minute:02d}:{int(rng.integers(0, 60)):02d}.000Z"
        )
        filing.film_number = f"{filing.filing_date.year % 100:02d}{int(rng.integers(0, 10**7)):07d}"
    filings.sort(key=lambda f: (f.filing_date, f.accepted))
    sequence: dict[int, int] = {}
    for filing in filings:
        year = filing.filing_date.year % 100
        sequence[year] = sequence.get(year, int(rng.integers(0, 8))) + int(rng.integers(1, 4))
        filing.accession = f"{company.cik}-{year:02d}-{sequence[year]:06d}"
    if len({f.accession for f in filings}) != len(filings):
        raise AssertionError(f"{company.ticker}: duplicate accession numbers")


# -- values ---------------------------------------------------------------------------------------------


def period_values(company: Company, period: tuple[date, date], superseded: bool = False) -> dict[str, int]:
    """Member values (key "" for untagged revenue) for a period of whole fiscal quarters."""
    span = company.span(period)
    values = {member: sum(series[i] for i in span) for member, series in company.series.items()}
    if superseded:
        ticker, fy, fq = RESTATED
        restated = next(i for i, q in enumerate(company.quarters) if (q.fiscal_year, q.fiscal_quarter) == (fy, fq))
        if restated in span:
            member = next(m for m, c in company.tag.members.items() if c == "self_mining")
            values[member] += restatement_delta(company)
    return values


def restatement_delta(company: Company) -> int:
    _, fy, fq = RESTATED
    i = next(i for i, q in enumerate(company.quarters) if (q.fiscal_year, q.fiscal_quarter) == (fy, fq))
    member = next(m for m, c in company.tag.members.items() if c == "self_mining")
    return int(round(company.series[member][i] * RESTATEMENT_SHARE / company.tag.unit)) * company.tag.unit


def categories_of(company: Company, values: dict[str, int]) -> dict[str, int]:
    out = dict.fromkeys(CATEGORIES, 0)
    for member, value in values.items():
        out[company.category(member)] += value
    return out


def _shares(company: Company, day: date) -> int:
    return int(round(company.shares_base * 1.02 ** ((day - TRUTH_FROM).days / 91.31), -3))


# -- inline XBRL documents ------------------------------------------------------------------------------


class _Document:
    """Contexts, units and facts of one inline XBRL document."""

    def __init__(self, company: Company, filing: Filing) -> None:
        self.company, self.filing = company, filing
        self.contexts: dict[tuple, str] = {}
        self.context_xml: list[str] = []
        self.fact_count = 0
        self.used: set[str] = set()  # quirks seen while rendering
        self.units: dict[str, str] = {}  # unit id -> measure, beyond usd and shares (declared only when used)
        self.excluded: list[dict] = []  # the planted facts a consumer must not count as revenue, and why

    def context(self, period: tuple[date, date] | date, dims: tuple[tuple[str, str], ...] = ()) -> str:
        key = (period, dims)
        if key not in self.contexts:
            cid = f"c-{len(self.contexts) + 1}"
            self.contexts[key] = cid
            segment = ""
            if dims:
                members = "".join(
                    f'<xbrldi:explicitMember dimension="{axis}">{member}</xbrldi:explicitMember>'
                    for axis, member in dims
                )
                segment = f"<xbrli:segment>{members}</xbrli:segment>"
            if isinstance(period, date):
                when = f"<xbrli:instant>{period.isoformat()}</xbrli:instant>"
            else:
                when = (
                    f"<xbrli:startDate>{period[0].isoformat()}</xbrli:startDate>"
                    f"<xbrli:endDate>{period[1].isoformat()}</xbrli:endDate>"
                )
            self.context_xml.append(
                f'<xbrli:context id="{cid}"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">'
                f"{self.company.cik}</xbrli:identifier>{segment}</xbrli:entity><xbrli:period>{when}</xbrli:period>"
                "</xbrli:context>"
            )
        return self.contexts[key]

    def fact(
        self,
        name: str,
        period: tuple[date, date],
        value: int | None,
        dims: tuple[tuple[str, str], ...] = (),
        *,
        with_id: bool = True,
        span: bool = False,
        inner: str | None = None,
        excluded: tuple[str, str, tuple[str, ...]] | None = None,
    ) -> str:
        """One ix:nonFraction cell: nil when value is None, "—" (ixt:fixed-zero) or nil for a zero.

        `excluded` = (quirk, exclusion reason, other reasons that also apply) records a fact that is not revenue
        to count (see `exclude`).
        """
        unit = self.company.tag.unit
        scale = {1: 0, 1000: 3, 1_000_000: 6}[unit]
        cid = self.context(period, dims)
        self.fact_count += 1
        if excluded:
            shown_value = None if value == 0 and dims and self.company.tag.zero_style == "nil" else value
            self.exclude(excluded, name, period, dims, "USD", shown_value)
        fid = f' id="f-{self.fact_count}"' if with_id else ""
        if value == 0 and dims and self.company.tag.zero_style == "nil":
            value = None
        if value is None:
            self.used.add("nil_facts")
            return f'<ix:nonFraction name="{name}" contextRef="{cid}" unitRef="usd" xsi:nil="true"{fid}/>'
        if value == 0:
            self.used.add("fixed_zero_dash")
            return (
                f'<ix:nonFraction name="{name}" contextRef="{cid}" unitRef="usd" decimals="{-scale}" '
                f'format="ixt:fixed-zero" scale="{scale}"{fid}>—</ix:nonFraction>'
            )
        if value % unit:
            raise AssertionError(f"{self.company.ticker}: {value} is not a multiple of {unit}")
        shown = f"{abs(value) // unit:,}"
        if inner is not None:
            shown = inner
        elif span:
            self.used.add("nested_span")
            shown = f'<span style="font-weight:bold">{shown}</span>'
        sign = ' sign="-"' if value < 0 else ""
        cell = (
            f'<ix:nonFraction name="{name}" contextRef="{cid}" unitRef="usd" decimals="{-scale}" '
            f'format="ixt:num-dot-decimal" scale="{scale}"{sign}{fid}>{shown}</ix:nonFraction>'
        )
        return f"({cell})" if value < 0 else cell

    def other_fact(
        self,
        name: str,
        period: tuple[date, date] | date,
        value: Decimal,
        dims: tuple[tuple[str, str], ...],
        excluded: tuple[str, str, tuple[str, ...]],
        *,
        shown: str,
        unit: tuple[str, str] = ("usd", "iso4217:USD"),
        decimals: str,
        scale: int,
        fmt: str = "ixt:num-dot-decimal",
    ) -> str:
        """A fact outside the filer's revenue tagging (its own scale, format and unit); always a planted exclusion."""
        unit_id, measure = unit
        if unit_id not in ("usd", "shares"):
            self.units[unit_id] = measure
        cid = self.context(period, dims)
        self.fact_count += 1
        self.exclude(excluded, name, period, dims, measure.rpartition(":")[2], value)
        sign = ' sign="-"' if value < 0 else ""
        cell = (
            f'<ix:nonFraction name="{name}" contextRef="{cid}" unitRef="{unit_id}" decimals="{decimals}" '
            f'format="{fmt}" scale="{scale}"{sign} id="f-{self.fact_count}">{shown}</ix:nonFraction>'
        )
        return f"({cell})" if value < 0 else cell

    def exclude(
        self,
        excluded: tuple[str, str, tuple[str, ...]],
        name: str,
        period: tuple[date, date] | date,
        dims: tuple[tuple[str, str], ...],
        unit: str,
        value: int | Decimal | None,
    ) -> None:
        quirk, reason, also = excluded
        self.used.add(quirk)
        instant = isinstance(period, date)
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        self.excluded.append(
            {
                "quirk": quirk,
                "concept": name,
                "period_start": None if instant else period[0].isoformat(),
                "period_end": (period if instant else period[1]).isoformat(),
                "dimensions": dict(dims),
                "unit": unit,
                "value": value,
                "exclusion_reason": reason,
                "also": list(also),
            }
        )


CONTENT_TYPE = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>'


def _day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _label(period: tuple[date, date]) -> str:
    months = _months(period)
    lead = {3: "Three Months", 6: "Six Months", 9: "Nine Months", 12: "Year"}[months]
    return f"{lead} Ended {period[1]:%B} {period[1].day}, {period[1].year}"


def _table(header: list[str], rows: list[tuple[str, list[str]]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        f"<tr><td>{escape(label)}</td>{''.join(f'<td>{c}</td>' for c in cells)}</tr>" for label, cells in rows
    )
    return f'<table border="1"><tr><th></th>{head}</tr>{body}</table>'


MEMBER_LABELS = {
    "DigitalAssetMiningMember": "Digital asset mining",
    "BitcoinMiningMember": "Bitcoin mining",
    "SelfMiningMember": "Self-mining",
    "MiningSegmentMember": "Mining segment",
    "HostingMember": "Hosting",
    "DataCenterHostingMember": "Data center hosting",
    "HostingServicesMember": "Hosting services",
    "HighPerformanceComputingHostingMember": "HPC hosting",
    "ColocationServicesMember": "Colocation services",
    "CloudServicesMember": "Cloud services",
    "AICloudServicesMember": "AI cloud services",
    "DataCenterLeaseMember": "Data center leases",
    "HpcSegmentMember": "HPC segment",
    "EngineeringMember": "Engineering",
    "EnergySalesMember": "Energy sales",
    "DemandResponseServicesMember": "Demand response services",
    "OtherRevenueMember": "Other revenue",
    "AncillaryServicesMember": "Ancillary services",
}


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


def _plant_not_revenue(
    doc: _Document, filing: Filing, values: dict, header: list[str], extra: list
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
                f"During the year ended {_day(current[1])}, {count} customer generated more than ten percent of "
                f"engineering revenue: ${this_year} million (${last_year} million in the year ended {_day(prior[1])}).",
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
                f"{_day(columns[0][1])} and {cells[1]}% in the year ended {_day(columns[1][1])}.",
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
                [_day(end) for end in ends],
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
                f"On {_day(day)}, the Company completed the delivery of a colocation milestone and recognized "
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
                    f"{_day(p[1])}, times twelve): ${cell}.",
                )
            )

    if ticker == "APLD" and form == "10-K" and fy >= 2024:
        end = filing.report_date
        remaining = to_unit(sum(values[columns[0]].values()) * _side_rng(*_period_keys(end)).uniform(2.0, 4.0))
        cell = doc.fact("us-gaap:RevenueRemainingPerformanceObligation", end, remaining, excluded=RPO)
        notes.append(
            (
                "Remaining performance obligations",
                f"As of {_day(end)}, revenue of ${cell} thousand under contracts with customers had not yet been "
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
        extra.append(
            ("Restatement of previously issued financial statements: revenues", [_label(p) for p in restated], rows)
        )
    return notes


def _render_periodic(filing: Filing) -> tuple[bytes, set[str], dict, list[dict]]:
    """The inline XBRL document, the quirks it carries, what it reports per column and its planted exclusions."""
    company, tag = filing.company, filing.company.tag
    doc = _Document(company, filing)
    ifrs = filing.gaap == "ifrs-full"
    totals = (IFRS_REVENUE,) if ifrs else tag.total_concepts
    member_concept = totals[-1]
    axis = tag.ifrs_axis if ifrs else tag.axis
    cost_concept = "ifrs-full:CostOfSales" if ifrs else "us-gaap:CostsAndExpenses"
    income_concept = "ifrs-full:ProfitLoss" if ifrs else "us-gaap:NetIncomeLoss"
    prefix, columns = company.prefix, filing.columns
    values = {p: period_values(company, p, filing.superseded) for p in columns}
    reported = {p: {"members": v, "total": sum(v.values())} for p, v in values.items()}
    costs = {p: sum(company.costs[i] for i in company.span(p)) for p in columns}
    members = [m for m in company.series if m and any(values[p][m] for p in columns)]
    used: set[str] = set()
    is_10q = filing.form.startswith("10-Q")
    if is_10q and len(columns) == 4:
        used.add("ytd_facts_in_10q")
    if filing.form in ("10-K", "10-KT"):
        used.add("annual_report_without_q4")
    if not ifrs and len(tag.total_concepts) == 2:
        used.add("total_on_two_concepts")
    if ifrs:
        used.add("ifrs_revenue_concept")

    nested_span = (company.ticker, filing.form, filing.report_date) == NESTED_SPAN

    def total_cell(p: tuple[date, date], *, with_id: bool = True) -> str:
        total = reported[p]["total"]
        if len(totals) == 2:  # the same number tagged with both concepts, one nonFraction nested in the other
            inner = doc.fact(totals[1], p, total, with_id=with_id)
            return doc.fact(totals[0], p, total, with_id=with_id, inner=inner)
        return doc.fact(totals[0], p, total, with_id=with_id, span=nested_span)

    header = [_label(p) for p in columns]
    statement = [
        ("Total revenues", [total_cell(p) for p in columns]),
        ("Total costs and expenses", [doc.fact(cost_concept, p, costs[p]) for p in columns]),
        ("Net income (loss)", [doc.fact(income_concept, p, reported[p]["total"] - costs[p]) for p in columns]),
    ]
    note_rows = []
    for member in members:
        dims = ((axis, f"{prefix}:{member}"),)
        note_rows.append(
            (MEMBER_LABELS[member], [doc.fact(member_concept, p, values[p][member], dims) for p in columns])
        )
    if "" in company.series and company.ticker == "CLSK":
        note_rows.append(
            (
                "Digital currency mining revenue",
                [doc.fact("clsk:DigitalCurrencyMiningRevenues", p, values[p][""]) for p in columns],
            )
        )
        used.add("no_product_axis")
    note_rows.append(("Total revenues", [total_cell(p, with_id=False) for p in columns]))
    used.add("duplicate_total_fact")
    extra = []
    fy = filing.fiscal_year or 0
    if company.ticker == "MARA" and filing.form == "10-K" and fy == 2024:
        acquisition = (("us-gaap:BusinessAcquisitionAxis", "mara:HostingSitesAcquisitionMember"),)
        cells = []
        for p, uplift in zip(columns[:2], (1.06, 1.12), strict=True):
            pro_forma = int(round(reported[p]["total"] * uplift / tag.unit)) * tag.unit
            cells.append(doc.fact(REVENUES, p, pro_forma, acquisition, excluded=PRO_FORMA))
        extra.append(("Unaudited pro forma revenues (hosting sites acquisition)", header[:2], [("Revenues", cells)]))
        used.add("revenue_on_business_acquisition_axis")
    if company.ticker == "MARA" and fy >= 2023:
        mining = "DigitalAssetMiningMember"
        rows = []
        for country, share in (("US", 0.8), ("PY", None)):
            cells = []
            for p in columns:
                us = int(round(values[p][mining] * 0.8 / tag.unit)) * tag.unit
                value = us if share else values[p][mining] - us
                dims = ((PRODUCT_AXIS, f"mara:{mining}"), ("srt:StatementGeographicalAxis", f"country:{country}"))
                cells.append(doc.fact(REVENUES, p, value, dims, excluded=GEOGRAPHY))
            rows.append((f"Digital asset mining, {'United States' if country == 'US' else 'Paraguay'}", cells))
        extra.append(("Digital asset mining revenue by geography", header, rows))
        used.add("two_dimension_revenue_fact")
    if company.ticker == "CORZ" and fy >= 2024:
        rows = [("Operating segments", []), ("Intersegment eliminations", [])]
        for p in columns:
            elimination = int(round(reported[p]["total"] * 0.02 / tag.unit)) * tag.unit
            axis_c = "srt:ConsolidationItemsAxis"
            operating, eliminated = (
                ((axis_c, "srt:OperatingSegmentsMember"),),
                ((axis_c, "srt:IntersegmentEliminationMember"),),
            )
            rows[0][1].append(doc.fact(REVENUES, p, reported[p]["total"] + elimination, operating, excluded=CORZ_ITEMS))
            rows[1][1].append(doc.fact(REVENUES, p, -elimination, eliminated, excluded=CORZ_ITEMS))
        extra.append(("Segment revenues and eliminations", header, rows))
        used.add("revenue_on_consolidation_items_axis")
    if company.ticker == "RIOT" and filing.form == "10-K":
        dims = (("srt:CryptoAssetAxis", "riot:BitcoinMember"),)
        cells = [doc.fact(REVENUES, p, values[p]["BitcoinMiningMember"], dims, excluded=CRYPTO_ASSET) for p in columns]
        extra.append(("Revenue by crypto asset", header, [("Bitcoin", cells)]))
        used.add("revenue_on_crypto_asset_axis")
    if company.ticker == "WULF" and any(values[p].get("OtherRevenueMember", 0) < 0 for p in columns):
        used.add("negative_member_sign")
    notes = _plant_not_revenue(doc, filing, values, header, extra)

    # dei cover facts
    period = filing.document_period or columns[0]
    cover = doc.context(period)
    shares_ctx = doc.context(filing.shares_date)
    amended = "true" if filing.form.endswith("/A") else "false"
    fiscal_year_end = f"--{company.fyem:02d}-{_month_end(2001, company.fyem).day:02d}"

    def cover_fact(name: str, value: object, fmt: str | None = None) -> str:
        attributes = f' format="{fmt}"' if fmt else ""
        return f'<ix:nonNumeric name="dei:{name}" contextRef="{cover}"{attributes}>{value}</ix:nonNumeric>'

    dei = [
        cover_fact("DocumentType", filing.form.removesuffix("/A")),
        cover_fact("AmendmentFlag", amended, f"ixt:fixed-{amended}"),
        cover_fact("DocumentPeriodEndDate", filing.report_date.isoformat()),
        cover_fact("DocumentFiscalYearFocus", filing.fiscal_year),
        cover_fact("DocumentFiscalPeriodFocus", filing.fiscal_period),
        cover_fact("CurrentFiscalYearEndDate", fiscal_year_end),
        cover_fact("EntityCentralIndexKey", company.cik),
        cover_fact("EntityRegistrantName", escape(company.name, quote=False)),
        f'<ix:nonFraction name="dei:EntityCommonStockSharesOutstanding" contextRef="{shares_ctx}" unitRef="shares" '
        f'decimals="INF" format="ixt:num-dot-decimal" scale="0">{_shares(company, filing.shares_date):,}'
        "</ix:nonFraction>",
    ]
    if filing.form == "10-KT":
        dei.append(cover_fact("DocumentTransitionReport", "true", "ixt:fixed-true"))

    unit_words = {1: "in US dollars", 1000: "in thousands of US dollars", 1_000_000: "in millions of US dollars"}
    unit_words = unit_words[tag.unit]
    kind = {
        "10-Q": "QUARTERLY REPORT",
        "10-Q/A": "QUARTERLY REPORT (AMENDMENT No. 1)",
        "10-K": "ANNUAL REPORT",
        "10-KT": "TRANSITION REPORT",
        "20-F": "ANNUAL REPORT",
        "40-F": "ANNUAL REPORT",
    }[filing.form]
    if filing.form == "10-KT":
        period_text = f"For the transition period from {_day(period[0])} to {_day(period[1])}"
    else:
        period_text = f"For the {'quarterly period' if is_10q else 'fiscal year'} ended {_day(period[1])}"
    sections = [
        f'<p style="font-weight:bold;color:#b00">{escape(SYNTHETIC_LINE, quote=False)}</p>',
        f"<p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION — FORM {filing.form} — {kind}</p>",
        f"<p>{escape(company.name)} (CIK {company.cik}; Commission File Number {company.file_number})</p>",
        f"<p>{period_text}</p>",
        f"<h3>Consolidated Statements of Operations ({unit_words})</h3>",
        _table(header, statement),
        f"<h3>Revenue ({unit_words})</h3>",
        _table(header, note_rows),
    ]
    if filing.form == "10-Q/A":
        original = filing.amends
        sections.insert(
            3,
            f"<p>This amendment restates the quarterly report filed on {original.filing_date.isoformat()} "
            f"(accession {original.accession}).</p>",
        )
    for title, head, rows in extra:
        sections += [f"<h3>{escape(title)} ({unit_words})</h3>", _table(head, rows)]
    for title, paragraph in notes:
        sections += [f"<h3>{escape(title)}</h3>", f"<p>{paragraph}</p>"]
    stamp = filing.report_date.strftime("%Y%m%d")
    namespaces = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())
    extra_units = "".join(
        f'<xbrli:unit id="{u}"><xbrli:measure>{m}</xbrli:measure></xbrli:unit>' for u, m in doc.units.items()
    )
    header_xml = (
        f'<div style="display:none"><ix:header><ix:hidden>{"".join(dei)}</ix:hidden>'
        f'<ix:references><link:schemaRef xlink:type="simple" xlink:href="{prefix}-{stamp}.xsd"/></ix:references>'
        f"<ix:resources>{''.join(doc.context_xml)}"
        '<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>'
        '<xbrli:unit id="shares"><xbrli:measure>xbrli:shares</xbrli:measure></xbrli:unit>'
        f"{extra_units}"
        "</ix:resources></ix:header></div>"
    )
    body = "\n".join(
        [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<html xmlns="http://www.w3.org/1999/xhtml" {namespaces} xmlns:{prefix}="http://www.{tag.domain}/{stamp}">',
            f"<head>{CONTENT_TYPE}<title>{prefix}-{stamp} (SYNTHETIC)</title></head>",
            "<body>",
            header_xml,
            "".join(sections),
            "</body>",
            "</html>",
            "",
        ]
    )
    return body.encode("utf-8"), used | doc.used, reported, doc.excluded


def _render_plain(filing: Filing) -> bytes:
    """A small XHTML primary document (8-K, 6-K, DEF 14A, S-8): no XBRL, so a fetcher just gets a page."""
    company = filing.company
    items = f"<p>Items: {filing.items}</p>" if filing.items else ""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<html xmlns="http://www.w3.org/1999/xhtml">',
        f"<head>{CONTENT_TYPE}<title>{company.prefix} {filing.form} (SYNTHETIC)</title></head>",
        "<body>",
        f'<p style="font-weight:bold;color:#b00">{escape(SYNTHETIC_LINE, quote=False)}</p>',
        f"<p>{escape(company.name)} (CIK {company.cik}) — FORM {filing.form} — "
        f"{_day(filing.report_date or filing.filing_date)}</p>",
        f"{items}<p>{escape(filing.text, quote=False)}</p>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _document_name(filing: Filing) -> str:
    prefix = filing.company.prefix
    if filing.is_periodic:
        return f"{prefix}-{filing.report_date:%Y%m%d}.htm"
    stamp = filing.filing_date.strftime("%Y%m%d")
    return {
        "8-K": f"{prefix}-{stamp}.htm",
        "6-K": f"{prefix}-6k_{stamp}.htm",
        "DEF 14A": f"{prefix}-def14a_{stamp}.htm",
        "S-8": f"{prefix}-s8_{stamp}.htm",
    }[filing.form]


# -- EDGAR bodies ---------------------------------------------------------------------------------------


def _submissions(company: Company, filings: list[Filing]) -> dict:
    newest = sorted(filings, key=lambda f: (f.filing_date, f.accepted), reverse=True)
    descriptions = {"20-F": "FORM 20-F", "40-F": "FORM 40-F", "6-K": "FORM 6-K", "10-KT": "10-KT"}
    recent = {
        "accessionNumber": [f.accession for f in newest],
        "filingDate": [f.filing_date.isoformat() for f in newest],
        "reportDate": [f.report_date.isoformat() if f.report_date else "" for f in newest],
        "acceptanceDateTime": [f.accepted for f in newest],
        "act": ["33" if f.form == "S-8" else "34" for f in newest],
        "form": [f.form for f in newest],
        "fileNumber": [
            f"333-{int(f.film_number[-6:]) % 300000 + 200000}" if f.form == "S-8" else company.file_number
            for f in newest
        ],
        "filmNumber": [f.film_number for f in newest],
        "items": [f.items for f in newest],
        "size": [len(f.body) for f in newest],
        "isXBRL": [1 if f.is_periodic else 0 for f in newest],
        "isInlineXBRL": [1 if f.is_periodic else 0 for f in newest],
        "primaryDocument": [f.document for f in newest],
        "primaryDocDescription": [descriptions.get(f.form, f.form) for f in newest],
    }
    return {
        "cik": company.cik_int,
        "entityType": "operating",
        "sic": company.tag.sic,
        "sicDescription": {
            "6199": "Finance Services",
            "7374": "Services-Computer Processing & Data Preparation",
            "6211": "Security Brokers, Dealers & Flotation Companies",
        }[company.tag.sic],
        "ownerOrg": "",
        "insiderTransactionForOwnerExists": 0,
        "insiderTransactionForIssuerExists": 0 if company.ticker in FOREIGN_PRIVATE_ISSUER_UNTIL else 1,
        "name": company.name,
        "tickers": [company.ticker],
        "exchanges": ["Nasdaq"],
        "ein": "",
        "description": f"SYNTHETIC: offline test snapshot of EDGAR for {company.name}; the filings, accession numbers "
        "and numbers are generated (Miner Convergence), not SEC data.",
        "website": "",
        "investorWebsite": "",
        "category": "",
        "fiscalYearEnd": f"{company.fyem:02d}{_month_end(2001, company.fyem).day:02d}",
        "stateOfIncorporation": "",
        "stateOfIncorporationDescription": "",
        "addresses": {},
        "phone": "",
        "flags": "",
        "formerNames": [],
        "filings": {"recent": recent, "files": []},
    }


def _frame(period: tuple[date, date] | date) -> str | None:
    """The calendar frame a period most closely fits (CY2024Q1, CY2023, CY2024Q1I), None for other durations."""
    if isinstance(period, date):
        return f"CY{period.year}Q{(period.month - 1) // 3 + 1}I"
    start, end = period
    days = (end - start).days + 1
    if 80 <= days <= 100:
        best = max(
            ((y, q) for y in (start.year, end.year) for q in range(1, 5)),
            key=lambda yq: _overlap(period, fiscal_quarter_bounds(12, *yq)),
        )
        return f"CY{best[0]}Q{best[1]}"
    if 350 <= days <= 380:
        best_year = max((start.year, end.year), key=lambda y: (_overlap(period, (date(y, 1, 1), date(y, 12, 31))), y))
        return f"CY{best_year}"
    return None


def _overlap(a: tuple[date, date], b: tuple[date, date]) -> int:
    return max(0, (min(a[1], b[1]) - max(a[0], b[0])).days + 1)


def _company_facts(company: Company, periodic: list[Filing], reported: dict[str, dict]) -> dict:
    entries: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for filing in sorted(periodic, key=lambda f: (f.filing_date, f.accession)):
        ifrs = filing.gaap == "ifrs-full"
        totals = (IFRS_REVENUE,) if ifrs else company.tag.total_concepts
        base = {
            "accn": filing.accession,
            "fy": filing.fiscal_year,
            "fp": filing.fiscal_period,
            "form": filing.form,
            "filed": filing.filing_date.isoformat(),
        }
        for period in filing.columns:
            values = reported[filing.accession][period]
            cost = sum(company.costs[i] for i in company.span(period))
            numbers = dict.fromkeys(totals, values["total"])
            numbers["ifrs-full:CostOfSales" if ifrs else "us-gaap:CostsAndExpenses"] = cost
            numbers["ifrs-full:ProfitLoss" if ifrs else "us-gaap:NetIncomeLoss"] = values["total"] - cost
            if company.ticker == "CLSK":
                numbers["clsk:DigitalCurrencyMiningRevenues"] = values["members"][""]
            for concept, value in numbers.items():
                entry = {"start": period[0].isoformat(), "end": period[1].isoformat(), "val": value, **base}
                entries[(concept, "USD")].append(entry)
        shares = {"end": filing.shares_date.isoformat(), "val": _shares(company, filing.shares_date), **base}
        entries[("dei:EntityCommonStockSharesOutstanding", "shares")].append(shares)
    facts: dict[str, dict] = {}
    for (concept, unit), rows in entries.items():
        frames: dict[str, dict] = {}
        for row in rows:  # the latest filed fact for a calendar period carries its frame
            frame = _frame(
                (date.fromisoformat(row["start"]), date.fromisoformat(row["end"]))
                if "start" in row
                else date.fromisoformat(row["end"])
            )
            if frame:
                frames[frame] = row
        for frame, row in frames.items():
            row["frame"] = frame
        rows.sort(key=lambda r: (r["end"], r.get("start", ""), r["filed"], r["accn"]))
        taxonomy, _, local = concept.partition(":")
        label, description = CONCEPT_TEXT[concept]
        facts.setdefault(taxonomy, {})[local] = {
            "label": label,
            "description": f"SYNTHETIC test data (generated, not SEC data). {description}",
            "units": {unit: rows},
        }
    order = ["dei", "us-gaap", "ifrs-full", company.prefix]
    return {"cik": int(company.cik), "entityName": company.name, "facts": {t: facts[t] for t in order if t in facts}}


# -- planted truth ----------------------------------------------------------------------------------------


def _truth_rows(company: Company, periodic: list[Filing], reported: dict[str, dict]) -> list[dict]:
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


# -- public API -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecSnapshot:
    files: dict[str, bytes]  # path under the sec/ folder -> gzipped body (or planted_truth.json text)
    truth: dict
    filings: dict[str, list[Filing]]


def generate(seeds_dir: Path = SEEDS_DIR) -> SecSnapshot:
    """Build the synthetic EDGAR snapshot in memory (deterministic for a given seed and seeds folder)."""
    rng = np.random.default_rng(SEED)
    anchors = _price_anchors(rng)
    contracts_by_ticker: dict[str, list[dict[str, str]]] = defaultdict(list)
    for contract in load_seed("ai_hpc_contracts", seeds_dir):
        contracts_by_ticker[contract["ticker"]].append(contract)
    companies = [
        _build_company(row, contracts_by_ticker[row["ticker"]], anchors, rng) for row in load_seed("miners", seeds_dir)
    ]
    periodic: dict[str, list[Filing]] = {}
    current: dict[str, list[Filing]] = {}
    everything: dict[str, list[Filing]] = {}
    for company in companies:
        periodic[company.ticker] = _periodic_filings(company, rng)
        current[company.ticker] = _current_filings(
            company, periodic[company.ticker], contracts_by_ticker[company.ticker], rng
        )
        everything[company.ticker] = periodic[company.ticker] + current[company.ticker]
        for filing in periodic[company.ticker]:
            if filing.report_date < FIRST_PERIOD_END:
                raise AssertionError(f"{company.ticker}: {filing.form} for {filing.report_date} precedes the snapshot")
            filing.shares_date = filing.filing_date - timedelta(days=int(rng.integers(3, 12)))
        _assign_accessions(company, everything[company.ticker], rng)

    files: dict[str, bytes] = {}
    used: dict[str, set[str]] = {}
    excluded: list[dict] = []
    truth_rows: list[dict] = []
    reported_all: dict[str, dict] = {}
    for company in companies:
        reported: dict[str, dict] = {}
        for filing in everything[company.ticker]:
            filing.document = _document_name(filing)
            if filing.is_periodic:
                filing.body, used[filing.accession], reported[filing.accession], planted = _render_periodic(filing)
                head = {"ticker": company.ticker, "accession": filing.accession, "form": filing.form}
                excluded += [{**head, **fact} for fact in planted]
            else:
                filing.body = _render_plain(filing)
            path = f"archives/{company.cik_int}/{filing.folder}/{filing.document}.gz"
            files[path] = gzip.compress(filing.body, mtime=0)
        reported_all.update(reported)
        submissions = json.dumps(_submissions(company, everything[company.ticker]), separators=(",", ":"))
        files[f"submissions/CIK{company.cik}.json.gz"] = gzip.compress(submissions.encode(), mtime=0)
        facts = json.dumps(_company_facts(company, periodic[company.ticker], reported), separators=(",", ":"))
        files[f"companyfacts/CIK{company.cik}.json.gz"] = gzip.compress(facts.encode(), mtime=0)
        truth_rows += _truth_rows(company, periodic[company.ticker], reported)

    truth = {
        "synthetic": True,
        "generator": "orchestration/snapshot/sec_generator.py",
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
                "forms": dict(sorted(_count(f.form for f in everything[c.ticker]).items())),
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
    files["planted_truth.json"] = (json.dumps(truth, indent=2) + "\n").encode()
    return SecSnapshot(files=files, truth=truth, filings=everything)


def _count(items) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for item in items:
        out[item] += 1
    return dict(out)


def write_sec_snapshot(out_dir: Path = SNAPSHOT_DIR / "sec", seeds_dir: Path = SEEDS_DIR) -> SecSnapshot:
    """Generate the EDGAR snapshot and write it under `out_dir` (replacing what the generator wrote before)."""
    snapshot = generate(seeds_dir)
    for folder in ("submissions", "companyfacts", "archives"):
        if (out_dir / folder).is_dir():
            shutil.rmtree(out_dir / folder)
    for relative, body in sorted(snapshot.files.items()):
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return snapshot
