"""The balance sheet planted in each US GAAP periodic filing: cash and debt at the balance sheet date and at the
prior fiscal year end, and the cover's shares outstanding by class, tagged the ways real filers tag them.

Values are a closed-form function of the company and the date, not draws from the generator's random stream, so
the revenue model's numbers are what they were without them. Each is a multiple of the filer's tagging unit,
so it survives the document's `scale` exactly. IFRS filings (20-F, 40-F) carry no balance sheet here.

How each filer tags them (`DEBT_TAGGING`, `CASH_TAGGING`; planted_truth.json's `balance_sheets` says which rule
a consumer must apply, per filing):
- `sides`: us-gaap:LongTermDebtCurrent and us-gaap:LongTermDebtNoncurrent (most filers).
- `sides_and_note_total` (RIOT, like the real Riot's 10-Q for 2025-03-31): the two sides, and us-gaap:LongTermDebt
  for one note's subtotal (its equipment loans), far below the balance sheet's debt: a consumer that prefers the
  total undercounts.
- `loans` (CLSK, like the real CleanSpark): us-gaap:LoansPayableCurrent and us-gaap:LongTermLoansPayable, with
  us-gaap:LongTermDebt tagged on the noncurrent line too.
- `noncurrent_only` (MARA): us-gaap:ConvertibleLongTermNotesPayable alone (no debt due within a year).
- `total_only` (WULF): us-gaap:LongTermDebt alone.
- `none` (BTBT): no debt.
Cash: us-gaap:CashAndCashEquivalentsAtCarryingValue and the larger total with restricted cash
(us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents), except CLSK, which tags only the total
with restricted cash (the real CleanSpark's 10-Q for 2024-03-31). GLXY's cover gives its shares per class
(us-gaap:StatementClassOfStockAxis, Class A and Class B), to be summed, and companyfacts has no cover count for it
(companyfacts holds no dimensional facts).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import date

from tools.snapshot.sec.companies import Company, shares_outstanding
from tools.snapshot.sec.filings import Filing
from tools.snapshot.sec.periods import month_end

DEBT_TAGGING = {"RIOT": "sides_and_note_total", "CLSK": "loans", "MARA": "noncurrent_only", "WULF": "total_only"}
DEBT_TAGGING |= {"BTBT": "none"}
CASH_TAGGING = {"CLSK": "with_restricted_only"}
SHARE_CLASSES = {"GLXY": (("us-gaap:CommonClassAMember", 0.6), ("us-gaap:CommonClassBMember", None))}
CLASS_AXIS = "us-gaap:StatementClassOfStockAxis"

CASH = "us-gaap:CashAndCashEquivalentsAtCarryingValue"
CASH_WITH_RESTRICTED = "us-gaap:CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents"
SHARES = "dei:EntityCommonStockSharesOutstanding"


@dataclass(frozen=True)
class BalanceSheet:
    cash: int
    restricted_cash: int
    debt_current: int
    debt_noncurrent: int
    note_total: int  # RIOT's equipment loans, part of the noncurrent debt

    @property
    def debt(self) -> int:
        return self.debt_current + self.debt_noncurrent

    def facts(self, ticker: str) -> list[tuple[str, str, int]]:
        """(row label, concept, value) of each planted fact, in the order of the document's table."""
        rows = []
        if CASH_TAGGING.get(ticker) != "with_restricted_only":
            rows.append(("Cash and cash equivalents", CASH, self.cash))
        rows.append(
            ("Cash, cash equivalents and restricted cash", CASH_WITH_RESTRICTED, self.cash + self.restricted_cash)
        )
        style = DEBT_TAGGING.get(ticker, "sides")
        if style in ("sides", "sides_and_note_total"):
            rows += [
                ("Current portion of long-term debt", "us-gaap:LongTermDebtCurrent", self.debt_current),
                ("Long-term debt, less current portion", "us-gaap:LongTermDebtNoncurrent", self.debt_noncurrent),
            ]
        if style == "sides_and_note_total":
            rows.append(("Equipment loans, total (debt note)", "us-gaap:LongTermDebt", self.note_total))
        if style == "loans":
            rows += [
                ("Current portion of loans payable", "us-gaap:LoansPayableCurrent", self.debt_current),
                ("Loans payable, net of current portion", "us-gaap:LongTermLoansPayable", self.debt_noncurrent),
                (
                    "Long-term loans, excluding current portion (debt note)",
                    "us-gaap:LongTermDebt",
                    self.debt_noncurrent,
                ),
            ]
        if style == "noncurrent_only":
            rows.append(("Convertible notes, net", "us-gaap:ConvertibleLongTermNotesPayable", self.debt_noncurrent))
        if style == "total_only":
            rows.append(("Long-term debt", "us-gaap:LongTermDebt", self.debt))
        return rows


def debt_rule(ticker: str) -> str:
    """The rule a consumer applies to the filer's debt tagging (dbt's `debt_rule`)."""
    return {
        "total_only": "total",
        "none": "none_tagged",
        "noncurrent_only": "current_plus_noncurrent",
    }.get(DEBT_TAGGING.get(ticker, "sides"), "current_plus_noncurrent")


def _phase(ticker: str) -> float:
    return (zlib.crc32(ticker.encode()) % 1000) / 1000


def balance_sheet(company: Company, day: date) -> BalanceSheet:
    """Cash and debt in dollars at `day`: per share amounts that drift with the date, rounded to the tagging unit."""
    unit, phase = company.tag.unit, _phase(company.ticker)
    shares = shares_outstanding(company, day)
    t = day.toordinal() / 365.25

    def rounded(amount: float) -> int:
        return max(unit, int(round(amount / unit)) * unit)

    cash = rounded(shares * (0.8 + 1.5 * phase) * (1 + 0.4 * math.sin(t + 6 * phase)))
    restricted = rounded(cash * 0.03)
    debt = 0 if DEBT_TAGGING.get(company.ticker) == "none" else shares * (0.5 + 3 * phase) * (1.3 + math.cos(t))
    if DEBT_TAGGING.get(company.ticker) == "noncurrent_only":
        current = 0
    elif debt:
        current = rounded(debt * 0.04)
    else:
        current = 0
    noncurrent = rounded(debt) - current if debt else 0
    return BalanceSheet(cash, restricted, current, noncurrent, rounded(noncurrent * 0.01) if debt else 0)


def balance_sheet_dates(filing: Filing) -> list[date]:
    """The balance sheet date and the prior fiscal year end (the comparative column), newest first."""
    day, fyem = filing.report_date, filing.company.fyem
    year = day.year if (day.month, day.day) > (fyem, month_end(day.year, fyem).day) else day.year - 1
    prior = month_end(year, fyem)
    if prior >= day:
        prior = month_end(year - 1, fyem)
    return [day, prior]


def has_balance_sheet(filing: Filing) -> bool:
    return filing.gaap != "ifrs-full"


def share_classes(company: Company, day: date) -> list[tuple[str | None, int]]:
    """The cover's shares outstanding: one count, or one per class (member, count) summing to the company's."""
    total = shares_outstanding(company, day)
    classes = SHARE_CLASSES.get(company.ticker)
    if not classes:
        return [(None, total)]
    out, left = [], total
    for member, share in classes:
        count = int(round(total * share, -3)) if share is not None else left
        out.append((member, count))
        left -= count
    return out


def balance_sheet_truth(company: Company, periodic: list[Filing]) -> list[dict]:
    """What a consumer should recover per periodic filing: shares (summed over classes) at the cover date, and
    cash and debt at the balance sheet date, with the concept and rule that give them."""
    rows = []
    for filing in sorted(periodic, key=lambda f: (f.filing_date, f.accession)):
        counts = share_classes(company, filing.shares_date)
        row = {
            "ticker": company.ticker,
            "accession": filing.accession,
            "form": filing.form,
            "filing_date": filing.filing_date.isoformat(),
            "shares_outstanding": sum(count for _, count in counts),
            "shares_as_of": filing.shares_date.isoformat(),
            "share_classes": len(counts),
            "balance_sheet_date": None,
            "cash": None,
            "cash_concept": None,
            "debt": None,
            "debt_rule": None,
        }
        if has_balance_sheet(filing):
            sheet = balance_sheet(company, filing.report_date)
            restricted_only = CASH_TAGGING.get(company.ticker) == "with_restricted_only"
            row |= {
                "balance_sheet_date": filing.report_date.isoformat(),
                "cash": sheet.cash + sheet.restricted_cash if restricted_only else sheet.cash,
                "cash_concept": CASH_WITH_RESTRICTED if restricted_only else CASH,
                "debt": sheet.debt,
                "debt_rule": debt_rule(company.ticker),
            }
        rows.append(row)
    return rows
