"""Seeded generator of the bundled market-data snapshot (SYNTHETIC prices, real tickers and calendar).

The snapshot is written as recorded Yahoo chart responses (`/v8/finance/chart/{symbol}` JSON), so the
offline path runs through yfinance's own parsing exactly like a live download.

Planted model, in simple daily returns on US sessions:
- market  r_m ~ N(0.0004, 0.011)                         (SPY, total return; SPY also pays dividends)
- AI      r_ai = 0.0012 + 1.5 r_m + u_ai                 (NVDA)
- BTC     every calendar day; its session-aligned return (last session's close to this one's) loads
          0.5 on r_m plus its own noise
- company r_i = alpha_i + beta_btc_i r_btc + beta_ai_i r_ai + e_i,  e_i ~ N(0, IDIO_VOL)
          beta_btc falls and beta_ai rises from the first session on or after the company's first
          AI/HPC contract (seed `ai_hpc_contracts`).
- events  on each dated event's session the factors carry no news of their own (their idiosyncratic
          parts are zero) and each company gets a planted abnormal return (`EVENT_SHOCKS`), so an event
          study on the market model recovers the shock.
Everything planted is written to `planted_truth.json` next to the chart files.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from orchestration.paths import SEEDS_DIR, SNAPSHOT_DIR
from orchestration.universe import load_seed, load_universe

SEED = 20240420
START = date(2022, 1, 1)
END = date(2026, 11, 20)
# Small enough that a 252-session window pins the planted betas within 0.05 even in the five-coefficient
# regression the marts fit (market, bitcoin same-day and previous-session, the AI factor).
IDIO_VOL = 0.005
NEW_YORK = "America/New_York"

# First day of US trading where the symbol's current listing starts later than the snapshot.
LISTING_START = {
    "CORZ": date(2024, 1, 24),  # relisted after Chapter 11
    "CRWV": date(2025, 3, 28),  # IPO
    "GLXY": date(2025, 5, 16),  # Nasdaq listing
    "ABTC": date(2025, 9, 3),  # American Bitcoin after the Gryphon merger
}

START_PRICE = {"BTC-USD": 47_000.0, "SPY": 475.0, "NVDA": 30.0, "WGMI": 12.0}

# Planted abnormal returns on an event's first US session: event_id -> {ticker or group: shock}.
# Groups: "miners" (every company that is a miner), "ai_pivoted" (miners whose first AI/HPC contract
# precedes the event). A ticker entry adds to its groups' shocks.
EVENT_SHOCKS: dict[str, dict[str, float]] = {
    "btc_halving_2024": {"miners": -0.04},
    "corz_coreweave_200mw_2024": {"CORZ": 0.20},
    "deepseek_selloff_2025": {"ai_pivoted": -0.10, "CRWV": 0.0},
    "msft_datacenter_pullback_2025": {"miners": -0.04, "ai_pivoted": -0.06, "CRWV": -0.08},
    "apld_coreweave_250mw_2025": {"APLD": 0.18},
    "crwv_to_acquire_corz_2025": {"CORZ": -0.15, "CRWV": -0.04},
    "wulf_fluidstack_google_200mw_2025": {"WULF": 0.15},
    "cifr_fluidstack_google_168mw_2025": {"CIFR": 0.20},
    "corz_holders_reject_crwv_merger_2025": {"CORZ": 0.05},
    "iren_msft_and_cifr_aws_2025": {"IREN": 0.12, "CIFR": 0.15},
    "hut_fluidstack_anthropic_245mw_2025": {"HUT": 0.12},
    "riot_amd_25mw_2026": {"RIOT": 0.08},
}


@dataclass(frozen=True)
class Snapshot:
    bars: dict[str, pd.DataFrame]  # ticker -> OHLC/adj close/volume indexed by date
    truth: dict


def _sessions() -> pd.DatetimeIndex:
    calendar = xcals.get_calendar("XNYS", start="2021-12-01", end=END.isoformat())
    return calendar.sessions_in_range(START.isoformat(), END.isoformat())


def _first_contract_dates(seeds_dir: Path) -> dict[str, date]:
    first: dict[str, date] = {}
    for row in load_seed("ai_hpc_contracts", seeds_dir):
        announced = date.fromisoformat(row["announce_date"])
        first[row["ticker"]] = min(announced, first.get(row["ticker"], announced))
    return first


def _event_sessions(sessions: pd.DatetimeIndex, seeds_dir: Path) -> dict[str, int]:
    """Event id -> session position, for the events with a planted shock."""
    positions = {}
    for row in load_seed("market_events", seeds_dir):
        if row["event_id"] not in EVENT_SHOCKS:
            continue
        day = pd.Timestamp(row["first_us_session"] or row["event_date"])
        positions[row["event_id"]] = int(sessions.searchsorted(day))
    return positions


def _ohlcv(rng: np.random.Generator, close: np.ndarray, volume_scale: float) -> dict[str, np.ndarray]:
    prev = np.concatenate([[close[0]], close[:-1]])
    open_ = prev * (1 + rng.normal(0, 0.005, len(close)))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.01, len(close))))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.01, len(close))))
    volume = np.round(volume_scale * rng.lognormal(0, 0.4, len(close)))
    return {"Open": open_, "High": high, "Low": low, "Close": close, "Volume": volume}


def generate(seeds_dir: Path = SEEDS_DIR) -> Snapshot:
    """Build the synthetic snapshot in memory (deterministic for a given seed and seeds folder)."""
    rng = np.random.default_rng(SEED)
    universe = load_universe(seeds_dir)
    miners = {row["ticker"]: row["is_miner"] == "true" for row in load_seed("miners", seeds_dir)}
    sessions = _sessions()
    n = len(sessions)
    days = pd.date_range(START, END, freq="D")
    event_pos = _event_sessions(sessions, seeds_dir)
    quiet = np.zeros(n, dtype=bool)
    quiet[list(event_pos.values())] = True

    # Factors. On event sessions the factors carry no idiosyncratic news.
    r_m = rng.normal(0.0004, 0.011, n)
    u_ai = np.where(quiet, 0.0, rng.normal(0, 0.022, n))
    r_ai = 0.0012 + 1.5 * r_m + u_ai
    session_of_day = sessions.searchsorted(days)  # the first session on or after each day
    btc_day = rng.normal(0.0008, 0.022, len(days))
    btc_day[quiet[np.minimum(session_of_day, n - 1)] & (session_of_day < n)] = 0.0
    is_session_day = days.isin(sessions)
    btc_day[is_session_day] += 0.5 * r_m[session_of_day[is_session_day]]
    btc_close_daily = START_PRICE["BTC-USD"] * np.cumprod(1 + btc_day)
    btc_on_sessions = btc_close_daily[days.searchsorted(sessions)]
    r_btc = np.concatenate([[0.0], btc_on_sessions[1:] / btc_on_sessions[:-1] - 1])

    first_contract = _first_contract_dates(seeds_dir)
    truth: dict = {
        "seed": SEED,
        "start": START.isoformat(),
        "end": END.isoformat(),
        "idio_vol": IDIO_VOL,
        "synthetic": True,
        "companies": {},
        "event_shocks": {},
    }
    returns: dict[str, np.ndarray] = {"SPY": r_m, "NVDA": r_ai}
    listed: dict[str, np.ndarray] = {}
    for ticker in universe.miners:
        listing = LISTING_START.get(ticker, START)
        is_listed = sessions >= pd.Timestamp(listing)
        if miners[ticker]:
            beta_btc = rng.uniform(1.1, 1.9)
            beta_ai = rng.uniform(0.0, 0.3)
            shift_btc, shift_ai = rng.uniform(0.4, 0.7), rng.uniform(0.6, 1.0)
        else:  # an AI cloud (CoreWeave): an AI stock with a little bitcoin in it
            beta_btc, beta_ai, shift_btc, shift_ai = rng.uniform(0.1, 0.3), rng.uniform(1.3, 1.7), 0.0, 0.0
        alpha = rng.normal(0, 0.0004)
        pivot = first_contract.get(ticker) if miners[ticker] else None
        after = sessions >= pd.Timestamp(pivot) if pivot else np.zeros(n, dtype=bool)
        b_btc = np.where(after, beta_btc - shift_btc, beta_btc)
        b_ai = np.where(after, beta_ai + shift_ai, beta_ai)
        r = alpha + b_btc * r_btc + b_ai * r_ai + rng.normal(0, IDIO_VOL, n)
        regimes = [{"from": max(listing, START).isoformat(), "beta_btc": beta_btc, "beta_ai": beta_ai}]
        if pivot:
            regimes.append({"from": pivot.isoformat(), "beta_btc": beta_btc - shift_btc, "beta_ai": beta_ai + shift_ai})
        truth["companies"][ticker] = {
            "alpha": alpha,
            "first_ai_contract": pivot.isoformat() if pivot else None,
            "listing_start": listing.isoformat(),
            "regimes": regimes,
        }
        returns[ticker] = r
        listed[ticker] = is_listed

    for event_id, pos in event_pos.items():
        session = sessions[pos].date()
        shocks = {}
        for ticker in universe.miners:
            if not listed[ticker][pos]:
                continue
            spec = EVENT_SHOCKS[event_id]
            pivot = truth["companies"][ticker]["first_ai_contract"]
            shock = spec.get(ticker, 0.0)
            if miners[ticker]:
                shock += spec.get("miners", 0.0)
                if pivot and date.fromisoformat(pivot) <= session:
                    shock += spec.get("ai_pivoted", 0.0)
            if shock:
                returns[ticker][pos] += shock
                shocks[ticker] = shock
        truth["event_shocks"][event_id] = {"session_date": session.isoformat(), "shocks": shocks}

    # The miners ETF holds the listed miners equally weighted.
    miner_matrix = np.array([np.where(listed[t], returns[t], np.nan) for t in universe.miners if miners[t]])
    returns["WGMI"] = np.nanmean(miner_matrix, axis=0) + rng.normal(0, 0.002, n)

    bars: dict[str, pd.DataFrame] = {}
    for ticker in universe.tickers:
        if ticker == "BTC-USD":
            ohlcv = _ohlcv(rng, btc_close_daily, 3e10)
            frame = pd.DataFrame(ohlcv, index=days)
            frame["Adj Close"] = frame["Close"]
            bars[ticker] = frame.round({"Open": 2, "High": 2, "Low": 2, "Close": 2, "Adj Close": 2})
            continue
        r = returns[ticker].copy()
        r[0] = 0.0
        total = START_PRICE.get(ticker, float(rng.uniform(3, 60))) * np.cumprod(1 + r)
        close = total.copy()
        if ticker == "SPY":  # quarterly dividends: the price drops by the dividend, adj close does not
            ex_dates = (
                (sessions.month % 3 == 0) & (sessions.day >= 15) & (sessions.day <= 21) & (sessions.dayofweek == 4)
            )
            dividend = np.where(ex_dates, 0.0032, 0.0)
            close = total * np.cumprod(1 - dividend)
        frame = pd.DataFrame(_ohlcv(rng, close, 2e7), index=sessions)
        # Yahoo's adjusted close: the price scaled so that its returns are total returns, equal to the
        # close on the last day.
        frame["Adj Close"] = total * close[-1] / total[-1]
        mask = listed.get(ticker, np.ones(n, dtype=bool))
        bars[ticker] = frame[mask].round(4)
    return Snapshot(bars=bars, truth=truth)


def _timestamps(index: pd.DatetimeIndex, ticker: str) -> list[int]:
    if ticker == "BTC-USD":  # crypto bars open at midnight UTC
        return [int(ts.timestamp()) for ts in index.tz_localize("UTC")]
    return [int(ts.timestamp()) for ts in (index + pd.Timedelta(hours=9, minutes=30)).tz_localize(NEW_YORK)]


def chart_response(ticker: str, frame: pd.DataFrame) -> dict:
    """A Yahoo `/v8/finance/chart` response body for the bars in `frame`."""
    crypto = ticker == "BTC-USD"
    stamps = _timestamps(frame.index, ticker)

    def column(name: str) -> list:
        return [None if pd.isna(v) else float(v) for v in frame[name]]

    volume = [None if pd.isna(v) else int(v) for v in frame["Volume"]]
    meta = {
        "currency": "USD",
        "symbol": ticker,
        "exchangeName": "CCC" if crypto else "NMS",
        "instrumentType": "CRYPTOCURRENCY" if crypto else "EQUITY",
        "firstTradeDate": stamps[0] if stamps else None,
        "regularMarketTime": stamps[-1] if stamps else None,
        "gmtoffset": 0 if crypto else -18000,
        "timezone": "UTC" if crypto else "EST",
        "exchangeTimezoneName": "UTC" if crypto else NEW_YORK,
        "dataGranularity": "1d",
        "range": "",
        "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
        "comment": "SYNTHETIC: Miner Convergence offline snapshot, not Yahoo data",
    }
    quote = {
        "open": column("Open"),
        "high": column("High"),
        "low": column("Low"),
        "close": column("Close"),
        "volume": volume,
    }
    result = {
        "meta": meta,
        "timestamp": stamps,
        "indicators": {"quote": [quote], "adjclose": [{"adjclose": column("Adj Close")}]},
    }
    return {"chart": {"result": [result], "error": None}}


def write_snapshot(out_dir: Path = SNAPSHOT_DIR, seeds_dir: Path = SEEDS_DIR) -> Snapshot:
    """Generate the snapshot and write one gzipped chart response per ticker plus the planted truth."""
    snapshot = generate(seeds_dir)
    chart_dir = out_dir / "yahoo_chart"
    chart_dir.mkdir(parents=True, exist_ok=True)
    for old in chart_dir.glob("*.json.gz"):
        old.unlink()
    for ticker, frame in snapshot.bars.items():
        body = json.dumps(chart_response(ticker, frame), separators=(",", ":")).encode()
        # mtime=0 keeps the gzip bytes identical from one generation to the next
        (chart_dir / f"{ticker}.json.gz").write_bytes(gzip.compress(body, mtime=0))
    (out_dir / "planted_truth.json").write_text(json.dumps(snapshot.truth, indent=2, sort_keys=True) + "\n")
    return snapshot
