"""The companies and the planted revenue model: what each revenue member of each filer is worth per fiscal
quarter (whole multiples of its tagging unit), and the sums over periods that the documents and the truth both
read, so the two cannot disagree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from tools.snapshot.sec.periods import AS_OF, TRUTH_FROM, Quarter, fiscal_quarter_bounds, fiscal_year_bounds
from tools.snapshot.sec.tagging import TAGGING, Tagging

SEED = 20241022

HALVING = date(2024, 4, 20)
HALVING_CUT = 0.45
REFERENCE_QUARTER_END = date(2022, 3, 31)
HPC_USD_PER_MW_YEAR = 1_400_000
RAMP_QUARTERS = 4
MODEL_YEARS = range(2019, 2028)  # fiscal years modelled (comparatives reach back to FY2020)
CATEGORIES = ("self_mining", "hosting", "hpc_ai", "other", "unclassified")

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

RESTATED = ("RIOT", 2024, 2)  # ticker, fiscal year, fiscal quarter restated by a 10-Q/A
RESTATEMENT_SHARE = 0.04  # the original 10-Q overstated self-mining revenue by this share


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


def price_anchors(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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


def build_company(row: dict[str, str], contracts: list[dict[str, str]], anchors, rng) -> Company:
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


def shares_outstanding(company: Company, day: date) -> int:
    return int(round(company.shares_base * 1.02 ** ((day - TRUTH_FROM).days / 91.31), -3))
