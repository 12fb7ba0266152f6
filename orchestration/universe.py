"""The universe of tickers, read from the dbt seeds: one source of truth for Python and dbt."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.paths import SEEDS_DIR

# A Yahoo symbol (MARA, BTC-USD, HUT.TO, ^GSPC, EURUSD=X): tickers end up in URLs and file names.
TICKER_PATTERN = re.compile(r"^\^?[A-Za-z0-9][A-Za-z0-9.=-]{0,19}\Z")


@dataclass(frozen=True)
class Universe:
    miners: tuple[str, ...]
    factors: dict[str, str]  # factor_role -> ticker

    @property
    def tickers(self) -> tuple[str, ...]:
        """Every ticker the market-data assets fetch: the companies, then the factor tickers."""
        extra = tuple(t for t in self.factors.values() if t not in self.miners)
        return self.miners + extra


def _read_seed(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with (seeds_dir / f"{name}.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def check_ticker(ticker: str, seed: str) -> str:
    """A ticker is a plain symbol: never a path, a query or whitespace (it reaches URLs and file names)."""
    if not TICKER_PATTERN.match(ticker or ""):
        raise ValueError(f"seed {seed}: invalid ticker {ticker!r}: expected a symbol such as MARA or BTC-USD")
    return ticker


def load_universe(seeds_dir: Path = SEEDS_DIR) -> Universe:
    miners = tuple(check_ticker(row["ticker"], "miners") for row in _read_seed("miners", seeds_dir))
    factors = {row["factor_role"]: check_ticker(row["ticker"], "factors") for row in _read_seed("factors", seeds_dir)}
    return Universe(miners=miners, factors=factors)


def load_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    """Rows of a reference seed (market_events, ai_hpc_contracts, ...) as strings."""
    return _read_seed(name, seeds_dir)
