"""EDGAR's JSON bodies per company: the submissions index and companyfacts, derived from the filings and from
what their documents report, so the JSON and the documents agree."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from tools.snapshot.sec.balance_sheet import SHARE_CLASSES, balance_sheet, balance_sheet_dates, has_balance_sheet
from tools.snapshot.sec.companies import Company, shares_outstanding
from tools.snapshot.sec.filings import FOREIGN_PRIVATE_ISSUER_UNTIL, Filing
from tools.snapshot.sec.periods import fiscal_quarter_bounds, month_end
from tools.snapshot.sec.tagging import IFRS_REVENUE, REVENUES, RFCWC

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
    "us-gaap:CashAndCashEquivalentsAtCarryingValue": (
        "Cash and Cash Equivalents, at Carrying Value",
        "Amount of currency on hand as well as demand deposits with banks or financial institutions.",
    ),
    "us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents": (
        "Cash, Cash Equivalents, Restricted Cash, and Restricted Cash Equivalents",
        "Amount of cash and cash equivalents, and cash and cash equivalents restricted to withdrawal or usage.",
    ),
    "us-gaap:LongTermDebtCurrent": (
        "Long-Term Debt, Current Maturities",
        "Amount of long-term debt due within one year.",
    ),
    "us-gaap:LongTermDebtNoncurrent": (
        "Long-Term Debt, Excluding Current Maturities",
        "Amount of long-term debt due after one year.",
    ),
    "us-gaap:LongTermDebt": ("Long-Term Debt", "Amount of long-term debt, including the current portion."),
    "us-gaap:LoansPayableCurrent": ("Loans Payable, Current", "Carrying value of loans payable due within one year."),
    "us-gaap:LongTermLoansPayable": ("Long-Term Loans Payable", "Carrying value of loans payable due after one year."),
    "us-gaap:ConvertibleLongTermNotesPayable": (
        "Convertible Notes Payable, Noncurrent",
        "Carrying value of convertible notes due after one year.",
    ),
    "clsk:DigitalCurrencyMiningRevenues": (
        "Digital Currency Mining Revenues",
        "Revenue from bitcoin mined for the company's own account.",
    ),
}


def submissions_body(company: Company, filings: list[Filing]) -> dict:
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
        "fiscalYearEnd": f"{company.fyem:02d}{month_end(2001, company.fyem).day:02d}",
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


def company_facts_body(company: Company, periodic: list[Filing], reported: dict[str, dict]) -> dict:
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
        if company.ticker not in SHARE_CLASSES:  # a count per class is dimensional: not in companyfacts
            shares = {"end": filing.shares_date.isoformat(), "val": shares_outstanding(company, filing.shares_date)}
            entries[("dei:EntityCommonStockSharesOutstanding", "shares")].append({**shares, **base})
        if has_balance_sheet(filing):
            for day in balance_sheet_dates(filing):
                for _, concept, value in balance_sheet(company, day).facts(company.ticker):
                    entries[(concept, "USD")].append({"end": day.isoformat(), "val": value, **base})
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
