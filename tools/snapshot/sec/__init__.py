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
(`not_revenue._side_rng`), so the model's draws, and every planted revenue value, are what they were without them.

Everything planted, and the revenue a consumer should recover per company and period, is written to
`planted_truth.json`; the model is not tied to the market snapshot's BTC prices.

The parts, in the order they are used: `periods` (dates and fiscal calendars), `tagging` (how each filer tags
revenue), `companies` (the revenue model), `filings` (what is filed when), `ixbrl`, `not_revenue`,
`balance_sheet` (shares, cash and debt, and how each filer tags them) and `documents` (the documents),
`edgar_json` (submissions and companyfacts), `truth` (planted_truth.json).
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from orchestration.paths import SEEDS_DIR, SNAPSHOT_DIR
from orchestration.universe import load_seed
from tools.snapshot.sec.balance_sheet import balance_sheet_truth
from tools.snapshot.sec.companies import SEED, build_company, price_anchors
from tools.snapshot.sec.documents import render_periodic, render_plain
from tools.snapshot.sec.edgar_json import company_facts_body, submissions_body
from tools.snapshot.sec.filings import Filing, assign_accessions, current_filings, document_name, periodic_filings
from tools.snapshot.sec.periods import AS_OF, FIRST_PERIOD_END
from tools.snapshot.sec.truth import planted_truth, revenue_rows

__all__ = ["AS_OF", "SecSnapshot", "generate", "write_sec_snapshot"]


@dataclass(frozen=True)
class SecSnapshot:
    files: dict[str, bytes]  # path under the sec/ folder -> gzipped body (or planted_truth.json text)
    truth: dict
    filings: dict[str, list[Filing]]


def generate(seeds_dir: Path = SEEDS_DIR) -> SecSnapshot:
    """Build the synthetic EDGAR snapshot in memory (deterministic for a given seed and seeds folder)."""
    rng = np.random.default_rng(SEED)
    anchors = price_anchors(rng)
    contracts_by_ticker: dict[str, list[dict[str, str]]] = defaultdict(list)
    for contract in load_seed("ai_hpc_contracts", seeds_dir):
        contracts_by_ticker[contract["ticker"]].append(contract)
    companies = [
        build_company(row, contracts_by_ticker[row["ticker"]], anchors, rng) for row in load_seed("miners", seeds_dir)
    ]
    periodic: dict[str, list[Filing]] = {}
    current: dict[str, list[Filing]] = {}
    everything: dict[str, list[Filing]] = {}
    for company in companies:
        periodic[company.ticker] = periodic_filings(company, rng)
        current[company.ticker] = current_filings(
            company, periodic[company.ticker], contracts_by_ticker[company.ticker], rng
        )
        everything[company.ticker] = periodic[company.ticker] + current[company.ticker]
        for filing in periodic[company.ticker]:
            if filing.report_date < FIRST_PERIOD_END:
                raise AssertionError(f"{company.ticker}: {filing.form} for {filing.report_date} precedes the snapshot")
            filing.shares_date = filing.filing_date - timedelta(days=int(rng.integers(3, 12)))
        assign_accessions(company, everything[company.ticker], rng)

    files: dict[str, bytes] = {}
    used: dict[str, set[str]] = {}
    excluded: list[dict] = []
    truth_rows: list[dict] = []
    balance_sheets: list[dict] = []
    for company in companies:
        reported: dict[str, dict] = {}
        for filing in everything[company.ticker]:
            filing.document = document_name(filing)
            if filing.is_periodic:
                filing.body, used[filing.accession], reported[filing.accession], planted = render_periodic(filing)
                head = {"ticker": company.ticker, "accession": filing.accession, "form": filing.form}
                excluded += [{**head, **fact} for fact in planted]
            else:
                filing.body = render_plain(filing)
            path = f"archives/{company.cik_int}/{filing.folder}/{filing.document}.gz"
            files[path] = gzip.compress(filing.body, mtime=0)
        submissions = json.dumps(submissions_body(company, everything[company.ticker]), separators=(",", ":"))
        files[f"submissions/CIK{company.cik}.json.gz"] = gzip.compress(submissions.encode(), mtime=0)
        facts = json.dumps(company_facts_body(company, periodic[company.ticker], reported), separators=(",", ":"))
        files[f"companyfacts/CIK{company.cik}.json.gz"] = gzip.compress(facts.encode(), mtime=0)
        truth_rows += revenue_rows(company, periodic[company.ticker], reported)
        balance_sheets += balance_sheet_truth(company, periodic[company.ticker])

    truth = planted_truth(companies, periodic, current, everything, used, excluded, truth_rows)
    truth["balance_sheets"] = balance_sheets
    files["planted_truth.json"] = (json.dumps(truth, indent=2) + "\n").encode()
    return SecSnapshot(files=files, truth=truth, filings=everything)


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
