"""The three market-data sources behind one interface: live Yahoo, the offline snapshot, a CSV folder."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd

from orchestration.paths import SNAPSHOT_DIR
from orchestration.sources.csv_prices import find_price_files, read_price_csv
from orchestration.sources.errors import MarketDataError
from orchestration.sources.prices import ROW_COLUMNS, normalize_history
from orchestration.sources.yahoo import YahooClient, check_reachable, split_by_ticker
from orchestration.sources.yahoo_replay import replay_session

SOURCES = ("snapshot", "live", "csv")


@dataclass
class MarketBatch:
    """What one fetch returned: validated rows, and the universe tickers it could not provide (why)."""

    rows: pd.DataFrame
    missing: dict[str, str] = field(default_factory=dict)
    payloads: list[Path] = field(default_factory=list)
    # ticker -> the payload its rows came from, when each ticker has its own (CSV); empty when all rows come
    # from one download (Yahoo: `payloads` is that one file)
    payload_by_ticker: dict[str, Path] = field(default_factory=dict)


class MarketSource(Protocol):
    name: str
    is_synthetic: bool

    def coverage(self) -> tuple[date, date] | None:
        """The first and last day this source has data for, if it knows."""

    def fetch(self, tickers: list[str], start: date, end: date, payload_dir: Path) -> MarketBatch:
        """Rows for `start`..`end` (inclusive); the raw payload is kept under `payload_dir`."""


def _clip(rows: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    return rows[(rows["date"] >= start) & (rows["date"] <= end)]


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=ROW_COLUMNS)
    return pd.concat(parts, ignore_index=True)


class YahooSource:
    """yfinance downloads: the live Yahoo API, or (snapshot) recorded chart responses replayed offline."""

    def __init__(self, name: str, client: YahooClient, is_synthetic: bool, coverage: tuple[date, date] | None):
        self.name = name
        self.client = client
        self.is_synthetic = is_synthetic
        self._coverage = coverage

    def coverage(self) -> tuple[date, date] | None:
        return self._coverage

    def fetch(self, tickers: list[str], start: date, end: date, payload_dir: Path) -> MarketBatch:
        frame, errors = self.client.download(tickers, start, end)
        payload_dir.mkdir(parents=True, exist_ok=True)
        payload = payload_dir / f"yahoo_{start}_{end}.csv.gz"
        if not frame.empty:  # what yfinance returned, long format, before any validation
            frame.stack(level="Ticker", future_stack=True).dropna(how="all").to_csv(payload, compression="gzip")
        origin = f"Yahoo download {start}..{end} ({payload.name})"
        by_ticker = split_by_ticker(frame, tickers)
        if not by_ticker:  # nothing at all: say so once if Yahoo is unreachable, not per ticker
            check_reachable(self.client, tickers, errors, start, end)
        parts, missing = [], {}
        for ticker in tickers:
            if ticker not in by_ticker:
                missing[ticker] = errors.get(ticker, "no rows returned (unknown, delisted or not yet listed)")
                continue
            try:
                rows = _clip(normalize_history(by_ticker[ticker], ticker, origin), start, end)
            except MarketDataError as error:  # one ticker's bad bars must not stop the others
                missing[ticker] = str(error)
                continue
            if rows.empty:
                missing[ticker] = f"no rows between {start} and {end}"
            else:
                parts.append(rows)
        return MarketBatch(rows=_combine(parts), missing=missing, payloads=[payload] if payload.exists() else [])


class CsvSource:
    """A folder of per-ticker CSV exports (`MINERS_CSV_DIR`).

    Each file loads on its own: a file that cannot be read or fails validation makes its ticker missing, with
    the reason naming the file, like a ticker Yahoo cannot provide; the other files still load.
    """

    name = "csv"
    is_synthetic = False

    def __init__(self, folder: Path):
        self.folder = folder

    def coverage(self) -> tuple[date, date] | None:
        firsts, lasts = [], []
        for path in sorted(self.folder.glob("*.csv")):
            try:
                frame = pd.read_csv(path, usecols=lambda c: c.strip() in ("Date", "Price"), dtype=str)
            except ValueError:  # unreadable (pandas' parser errors are ValueErrors): fetch names it if it is loaded
                continue
            if frame.columns.empty:
                continue
            dates = frame.iloc[:, 0]
            parsed = pd.to_datetime(dates.str.slice(0, 10), format="%Y-%m-%d", errors="coerce").dropna()
            if not parsed.empty:
                firsts.append(parsed.min().date())
                lasts.append(parsed.max().date())
        return (min(firsts), max(lasts)) if firsts else None

    def fetch(self, tickers: list[str], start: date, end: date, payload_dir: Path) -> MarketBatch:
        files = find_price_files(self.folder, tickers)
        payload_dir.mkdir(parents=True, exist_ok=True)
        parts, missing, payloads, by_ticker = [], {}, [], {}
        for ticker in tickers:
            if ticker not in files:
                missing[ticker] = f"no file {ticker}.csv in {self.folder}"
                continue
            path = files[ticker]
            try:
                rows = _clip(normalize_history(read_price_csv(path, ticker), ticker, str(path)), start, end)
            except MarketDataError as error:  # one ticker's bad file must not stop the others
                # The message names the ticker and the file's path. Nothing of the file is copied under raw/: it
                # is the user's own local file, still in MINERS_CSV_DIR to inspect, fix and load again.
                missing[ticker] = str(error)
                continue
            kept = payload_dir / path.name
            shutil.copyfile(path, kept)  # the file as it was when loaded, for re-parsing later
            payloads.append(kept)
            by_ticker[ticker] = kept
            if rows.empty:
                missing[ticker] = f"{path.name} has no rows between {start} and {end}"
            else:
                parts.append(rows)
        return MarketBatch(rows=_combine(parts), missing=missing, payloads=payloads, payload_by_ticker=by_ticker)


def read_snapshot_truth(snapshot_dir: Path = SNAPSHOT_DIR) -> dict:
    """The generator's planted ground truth (betas, event shocks, date range)."""
    return json.loads((snapshot_dir / "planted_truth.json").read_text())


def snapshot_coverage(snapshot_dir: Path = SNAPSHOT_DIR) -> tuple[date, date]:
    truth = read_snapshot_truth(snapshot_dir)
    return date.fromisoformat(truth["start"]), date.fromisoformat(truth["end"])


def build_source(name: str, csv_dir: str | None, cache_dir: Path, snapshot_dir: Path = SNAPSHOT_DIR) -> MarketSource:
    if name == "snapshot":
        client = YahooClient(session=replay_session(snapshot_dir / "yahoo_chart"), cache_dir=cache_dir)
        return YahooSource("snapshot", client, is_synthetic=True, coverage=snapshot_coverage(snapshot_dir))
    if name == "live":
        return YahooSource("live", YahooClient(cache_dir=cache_dir), is_synthetic=False, coverage=None)
    if name == "csv":
        if not csv_dir:
            raise MarketDataError("MINERS_SOURCE=csv needs MINERS_CSV_DIR, the folder of <TICKER>.csv files")
        return CsvSource(Path(csv_dir).expanduser())
    raise MarketDataError(f"unknown market source {name!r} (MINERS_SOURCE): expected one of {', '.join(SOURCES)}")
