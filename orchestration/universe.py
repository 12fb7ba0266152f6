"""The universe of tickers, read from the dbt seeds: one source of truth for Python and dbt."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from orchestration.paths import SEEDS_DIR


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


def load_universe(seeds_dir: Path = SEEDS_DIR) -> Universe:
    miners = tuple(row["ticker"] for row in _read_seed("miners", seeds_dir))
    factors = {row["factor_role"]: row["ticker"] for row in _read_seed("factors", seeds_dir)}
    return Universe(miners=miners, factors=factors)


def load_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    """Rows of a reference seed (market_events, ai_hpc_contracts, ...) as strings."""
    return _read_seed(name, seeds_dir)
