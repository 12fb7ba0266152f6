"""A SYNTHETIC universe of N tickers x Y years, as a runnable copy of the project plus a folder of price CSVs.

`write_universe(root, tickers, years, end)` builds, under `root`:

- `root/project/`: a copy of the repository's `orchestration/`, `dbt_project/` (without target/ and logs/)
  and `expectations/`, whose `dbt_project/seeds/miners.csv` holds N companies: the first min(N, 17) real
  rows of the repository's seed (their CIKs keep the bundled SEC snapshot's filings in play) and N - 17
  SYNTHETIC companies `SYN0001`, `SYN0002`, ... (no CIK, so the SEC assets skip them; self-mining miners,
  the notes column says "SYNTHETIC benchmark company"). The other seeds stay as shipped: below 17 companies,
  the pipeline leaves out their rows of companies outside the universe, as it does for any trimmed universe.
- `root/prices/`: one `<TICKER>.csv` (Date, Open, High, Low, Close, Adj Close, Volume, as yfinance exports
  them) per company and per factor ticker of `factors.csv`, for `MINERS_SOURCE=csv`.

Prices are SYNTHETIC, seeded and deterministic. Daily simple returns on the XNYS session calendar
(exchange_calendars, as tools/snapshot/market.py uses), BTC-USD on every calendar day:

- market  r_m  ~ N(0.0004, 0.011)                                  (SPY)
- AI      r_ai = 0.0012 + 1.5 r_m + N(0, 0.022)                     (NVDA)
- BTC     every calendar day N(0.0008, 0.03), plus 0.5 r_m on sessions; its session-aligned return
          (previous session's close to this one's) is what equities load on
- company r_i = alpha_i + beta_btc_i r_btc + beta_ai_i r_ai + beta_m_i r_m + e_i,  e_i ~ N(0, vol_i)
- sector  (WGMI) the equally weighted mean of the listed companies' returns plus N(0, 0.002)

About 15% of the synthetic companies list late (a random session in the first 80% of the history).
Prices are written with 6 significant digits, so they never round to zero however far they drift
(pyarrow's CSV writer, which the environment has through dagster/dbt: no new dependency).

    uv run python -m benchmarks.synthetic_universe /tmp/universe --tickers 1000 --years 10
"""

from __future__ import annotations

import argparse
import csv
import shutil
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

REPO = Path(__file__).resolve().parents[1]
SEED = 20161121
END = date(2026, 11, 20)
REAL_COMPANIES = 17
SYNTHETIC_NOTE = "SYNTHETIC benchmark company"
COPIED = ("orchestration", "dbt_project", "expectations")
START_PRICE = {"BTC-USD": 740.0, "SPY": 215.0, "NVDA": 2.3, "WGMI": 12.0}
LATE_LISTING_SHARE = 0.15


@dataclass(frozen=True)
class SyntheticUniverse:
    root: Path
    project_dir: Path  # the runnable copy: cwd and PYTHONPATH of `python -m orchestration.cli run`
    prices_dir: Path  # MINERS_CSV_DIR
    companies: tuple[str, ...]
    factor_tickers: tuple[str, ...]
    start: date  # first calendar day of the history (MINERS_HISTORY_START)
    end: date
    sessions: int
    price_rows: int  # rows over all CSV files
    seconds: float  # time to write it all

    def as_dict(self) -> dict:
        return {
            "root": str(self.root),
            "project_dir": str(self.project_dir),
            "prices_dir": str(self.prices_dir),
            "companies": len(self.companies),
            "factor_tickers": list(self.factor_tickers),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "sessions": self.sessions,
            "price_rows": self.price_rows,
            "seconds": round(self.seconds, 2),
            "synthetic": True,
        }


def history_start(end: date, years: int) -> date:
    """The day after the same calendar day `years` earlier: `years` whole years ending at `end`."""
    try:
        anchor = end.replace(year=end.year - years)
    except ValueError:  # 29 February
        anchor = end.replace(year=end.year - years, day=28)
    return anchor + timedelta(days=1)


def us_sessions(start: date, end: date) -> pd.DatetimeIndex:
    """XNYS sessions between `start` and `end`, as the bundled snapshot generator takes them."""
    calendar = xcals.get_calendar("XNYS", start=(start - timedelta(days=31)).isoformat(), end=end.isoformat())
    return calendar.sessions_in_range(start.isoformat(), end.isoformat())


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def synthetic_company(index: int, header: list[str]) -> dict[str, str]:
    ticker = f"SYN{index:04d}"
    row = dict.fromkeys(header, "")
    row.update(
        ticker=ticker,
        company_name=f"Synthetic Miner {index:04d} (SYNTHETIC benchmark company)",
        cik="",
        is_miner="true",
        exchange="SYNTHETIC",
        fiscal_year_end="Dec-31",
        fiscal_year_end_month="12",
        annual_report_form="10-K",
        default_revenue_category="self_mining",
        cik_check="none: SYNTHETIC",
        form_check="none: SYNTHETIC",
        notes=SYNTHETIC_NOTE,
    )
    return row


def copy_project(project_dir: Path, repo: Path = REPO) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "target", "logs", ".user.yml")
    project_dir.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copytree(repo / name, project_dir / name, ignore=ignore, dirs_exist_ok=True)


def write_seeds(seeds_dir: Path, tickers: int) -> tuple[list[str], dict[str, str]]:
    """Rewrite the copy's miners seed for `tickers` companies; returns the companies and the factor tickers."""
    header, real = _read_csv(seeds_dir / "miners.csv")
    rows = real[: min(tickers, REAL_COMPANIES)]
    rows += [synthetic_company(i, header) for i in range(1, tickers - len(rows) + 1)]
    _write_csv(seeds_dir / "miners.csv", header, rows)
    companies = [row["ticker"] for row in rows]
    _, factor_rows = _read_csv(seeds_dir / "factors.csv")
    factors = {row["factor_role"]: row["ticker"] for row in factor_rows}
    return companies, factors


def _bars(rng: np.random.Generator, close: np.ndarray, volume_scale: float) -> dict[str, np.ndarray]:
    """Open/high/low around the closes (high >= open, close >= low), and a lognormal volume."""
    prev = np.concatenate([[close[0]], close[:-1]])
    open_ = prev * (1 + rng.normal(0, 0.005, len(close)))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.01, len(close))))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.01, len(close))))
    volume = np.round(volume_scale * rng.lognormal(0, 0.4, len(close))).astype(np.int64)
    return {"Open": open_, "High": high, "Low": low, "Close": close, "Adj Close": close, "Volume": volume}


def significant(values: np.ndarray, digits: int = 6) -> np.ndarray:
    """Round to `digits` significant digits: monotone (high >= close >= low survive it), never to zero."""
    exponent = np.floor(np.log10(np.abs(values)))
    scale = 10.0 ** (digits - 1 - exponent)
    return np.round(values * scale) / scale


def _write_prices(path: Path, dates: np.ndarray, bars: dict[str, np.ndarray]) -> None:
    """One yfinance-style CSV (flat header), written by Arrow's C++ CSV writer."""
    columns = {"Date": pa.array(dates, pa.string())}
    for name, values in bars.items():
        columns[name] = pa.array(values if name == "Volume" else significant(values))
    with path.open("wb") as f:
        f.write((",".join(columns) + "\n").encode())
        pa_csv.write_csv(pa.table(columns), f, pa_csv.WriteOptions(include_header=False, quoting_style="none"))


def write_prices(
    prices_dir: Path, companies: list[str], factors: dict[str, str], start: date, end: date, seed: int = SEED
) -> tuple[int, int]:
    """One CSV per company and factor ticker; returns (sessions, rows written)."""
    rng = np.random.default_rng(seed)
    sessions = us_sessions(start, end)
    days = pd.date_range(start, end, freq="D")
    n, n_companies = len(sessions), len(companies)
    session_text = np.asarray(sessions.strftime("%Y-%m-%d"))
    day_text = np.asarray(days.strftime("%Y-%m-%d"))

    r_m = rng.normal(0.0004, 0.011, n)
    r_ai = 0.0012 + 1.5 * r_m + rng.normal(0, 0.022, n)
    btc_day = rng.normal(0.0008, 0.03, len(days))
    day_pos = days.searchsorted(sessions)  # each session's calendar day
    btc_day[day_pos] += 0.5 * r_m
    btc_close = START_PRICE["BTC-USD"] * np.cumprod(1 + btc_day)
    btc_on_sessions = btc_close[day_pos]
    r_btc = np.concatenate([[0.0], btc_on_sessions[1:] / btc_on_sessions[:-1] - 1])

    # companies: one (sessions x companies) matrix, each column a factor model with its own loadings
    beta_btc = rng.uniform(0.6, 1.8, n_companies)
    beta_ai = rng.uniform(-0.1, 0.9, n_companies)
    beta_m = rng.uniform(0.0, 0.6, n_companies)
    alpha = rng.normal(0, 0.0003, n_companies)
    vol = rng.uniform(0.015, 0.035, n_companies)
    returns = (
        alpha
        + np.outer(r_btc, beta_btc)
        + np.outer(r_ai, beta_ai)
        + np.outer(r_m, beta_m)
        + rng.standard_normal((n, n_companies)) * vol
    )
    returns[0] = 0.0
    # log-price paths: cumulative log returns never reach zero
    closes = rng.uniform(2.0, 60.0, n_companies) * np.exp(np.cumsum(np.log1p(returns), axis=0))
    first = np.zeros(n_companies, dtype=np.int64)
    synthetic = np.array([t.startswith("SYN") for t in companies])
    late = synthetic & (rng.random(n_companies) < LATE_LISTING_SHARE)
    first[late] = rng.integers(1, int(0.8 * n), late.sum())
    listed = np.arange(n)[:, None] >= first[None, :]

    prices_dir.mkdir(parents=True, exist_ok=True)
    rows = 0
    for j, ticker in enumerate(companies):
        keep = slice(first[j], None)
        _write_prices(prices_dir / f"{ticker}.csv", session_text[keep], _bars(rng, closes[keep, j], 2e6))
        rows += int(n - first[j])

    sector = np.nanmean(np.where(listed, returns, np.nan), axis=1) + rng.normal(0, 0.002, n)
    sector[0] = 0.0
    factor_returns = {factors["market"]: r_m, factors["ai"]: r_ai, factors.get("sector", "WGMI"): sector}
    for ticker, r in factor_returns.items():
        if ticker in companies:
            continue
        r = r.copy()
        r[0] = 0.0
        close = START_PRICE.get(ticker, 20.0) * np.cumprod(1 + r)
        _write_prices(prices_dir / f"{ticker}.csv", session_text, _bars(rng, close, 2e7))
        rows += n
    btc = factors["btc"]
    if btc not in companies:
        _write_prices(prices_dir / f"{btc}.csv", day_text, _bars(rng, btc_close, 3e10))
        rows += len(days)
    return n, rows


def write_universe(root: Path, tickers: int, years: int = 10, end: date = END, seed: int = SEED) -> SyntheticUniverse:
    """Write a runnable project copy with `tickers` companies and `years` years of SYNTHETIC prices under `root`."""
    if tickers < 1:
        raise ValueError("tickers must be at least 1")
    began = time.perf_counter()
    root = Path(root)
    project_dir, prices_dir = root / "project", root / "prices"
    copy_project(project_dir)
    companies, factors = write_seeds(project_dir / "dbt_project" / "seeds", tickers)
    start = history_start(end, years)
    if prices_dir.exists():
        shutil.rmtree(prices_dir)
    sessions, rows = write_prices(prices_dir, companies, factors, start, end, seed)
    (root / "README.txt").write_text(
        f"SYNTHETIC benchmark universe: {len(companies)} companies, {start}..{end}, seed {seed}.\n"
        "Generated by benchmarks/synthetic_universe.py; not market data.\n"
    )
    return SyntheticUniverse(
        root=root,
        project_dir=project_dir,
        prices_dir=prices_dir,
        companies=tuple(companies),
        factor_tickers=tuple(factors.values()),
        start=start,
        end=end,
        sessions=sessions,
        price_rows=rows,
        seconds=time.perf_counter() - began,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--tickers", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--end", type=date.fromisoformat, default=END)
    args = parser.parse_args(argv)
    universe = write_universe(args.root, args.tickers, args.years, args.end)
    print(universe.as_dict())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
