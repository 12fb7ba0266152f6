"""The snapshot's dates and fiscal-calendar arithmetic, shared by the revenue model, the filing schedule, the
documents and the truth (the filers' fiscal years end in different months)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

AS_OF = date(2026, 11, 20)
TRUTH_FROM = date(2022, 1, 1)  # planted truth covers periods ending on or after this day
FIRST_PERIOD_END = date(2022, 3, 31)  # the first fiscal period whose filing is bundled


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def fiscal_quarter_bounds(fyem: int, fiscal_year: int, quarter: int) -> tuple[date, date]:
    """First and last day of fiscal quarter `quarter` of the fiscal year ending in month `fyem` of `fiscal_year`."""
    end_year, end_month = _shift_month(fiscal_year, fyem, -3 * (4 - quarter))
    start_year, start_month = _shift_month(end_year, end_month, -2)
    return date(start_year, start_month, 1), month_end(end_year, end_month)


def fiscal_year_bounds(fyem: int, fiscal_year: int) -> tuple[date, date]:
    return fiscal_quarter_bounds(fyem, fiscal_year, 1)[0], month_end(fiscal_year, fyem)


def next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def period_months(period: tuple[date, date]) -> int:
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
