"""Which filings each company makes and when (periodic reports, 8-Ks, 6-Ks, proxies, S-8s), with accession
numbers and document names: the filing index, settled before any document is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from tools.snapshot.sec.companies import MODEL_YEARS, RESTATED, Company
from tools.snapshot.sec.periods import AS_OF, TRUTH_FROM, fiscal_quarter_bounds, fiscal_year_bounds, next_weekday

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

PERIODIC_FORMS = ("10-Q", "10-Q/A", "10-K", "10-KT", "20-F", "40-F")


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


def periodic_filings(company: Company, rng: np.random.Generator) -> list[Filing]:
    out: list[Filing] = []
    fyem = company.fyem
    for step in PLANS[company.ticker]:
        if step[0] == "annual":
            _, form, first, last, gaap = step
            for fy in range(first, (last or max(MODEL_YEARS)) + 1):
                period = fiscal_year_bounds(fyem, fy)
                filed = next_weekday(period[1] + timedelta(days=_lag(rng, form)))
                if filed > AS_OF:
                    break
                columns = _annual_columns(company, period, 1 if form == "40-F" else 2)
                out.append(Filing(company, form, filed, period[1], fy, "FY", columns, period, gaap))
        elif step[0] == "10-KT":
            _, start, end = step
            filed = next_weekday(end + timedelta(days=_lag(rng, "10-KT")))
            three = (date(end.year, end.month - 2, 1), end)
            out.append(Filing(company, "10-KT", filed, end, end.year, "FY", [(start, end), three], (start, end)))
        else:
            _, fy, q = step
            while True:
                start, end = fiscal_quarter_bounds(fyem, fy, q)
                if q < 4:
                    filed = next_weekday(end + timedelta(days=_lag(rng, "10-Q")))
                    prior = fiscal_quarter_bounds(fyem, fy - 1, q)
                    columns = [(start, end), prior]
                    ytd = (fiscal_year_bounds(fyem, fy)[0], end)
                    if q > 1:
                        columns += [ytd, (fiscal_year_bounds(fyem, fy - 1)[0], prior[1])]
                    filing = Filing(company, "10-Q", filed, end, fy, f"Q{q}", columns, ytd)
                else:
                    period = fiscal_year_bounds(fyem, fy)
                    filed = next_weekday(end + timedelta(days=_lag(rng, "10-K")))
                    filing = Filing(company, "10-K", filed, end, fy, "FY", _annual_columns(company, period, 2), period)
                if filed > AS_OF:
                    break
                out.append(filing)
                if (company.ticker, fy, q) == RESTATED:
                    filing.superseded = True
                    amended_on = next_weekday(filed + timedelta(days=int(rng.integers(55, 66))))
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


def current_filings(
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
        filed = next_weekday(announced)
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
            day = next_weekday(date(year, month, 15))
            if day <= AS_OF and _is_domestic(ticker, day):
                out.append(Filing(company, "8-K", day, day, items="8.01", text="Other events: operations update."))
        proxy = next_weekday(date(year, 4, 20))
        if proxy <= AS_OF and _is_domestic(ticker, proxy - timedelta(days=90)):
            out.append(Filing(company, "DEF 14A", proxy, None, text="Definitive proxy statement."))
    for q in company.quarters:
        if q.end < TRUTH_FROM:
            continue
        interim = next_weekday(q.end + timedelta(days=int(rng.integers(40, 56))))
        update = next_weekday(q.end + timedelta(days=int(rng.integers(3, 11))))
        for day, text in ((update, "Production and operations update"), (interim, "Interim financial report")):
            if day <= AS_OF and _is_foreign_private_issuer(ticker, day):
                out.append(Filing(company, "6-K", day, day, text=f"{text} for the quarter ended {q.end:%B %d, %Y}."))
    since = max(DOMESTIC_FROM.get(ticker) or date(2022, 1, 1), date(2022, 1, 1))
    s8 = next_weekday(since + timedelta(days=int(rng.integers(30, 400))))
    if s8 <= AS_OF:
        out.append(Filing(company, "S-8", s8, None, text="Registration of securities for an employee equity plan."))
    return out


def assign_accessions(company: Company, filings: list[Filing], rng: np.random.Generator) -> None:
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


def document_name(filing: Filing) -> str:
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
