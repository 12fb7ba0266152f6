"""Seeded generator of the bundled network-statistics snapshot (SYNTHETIC numbers, real halving schedule).

Written as a recorded CoinMetrics community API response (`/v4/timeseries/asset-metrics`, btc, daily), so the
offline path runs through the live client and parser. Consistent with the rest of the snapshot: PriceUSD is
the snapshot's own BTC-USD close of the day, and issuance uses the real halving dates (6.25 BTC a block
before 2024-04-20, 3.125 from then).

Planted model, per UTC day:
- true hashrate grows log-linearly from START_EH to END_EH (EH/s) with AR(1) noise;
- difficulty retargets every 14 days to the previous fortnight's mean hashrate (600 s blocks);
- blocks ~ Poisson(144 x hashrate / the hashrate the difficulty expects);
- HashRate (TH/s) is estimated from them as CoinMetrics does: blocks x difficulty x 2^32 / 86,400 s;
- IssTotNtv = blocks x the day's subsidy; IssTotUSD = IssTotNtv x PriceUSD; fees lognormal around
  FEE_BTC, with the 2024 halving day's fee spike.
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.paths import SNAPSHOT_DIR
from orchestration.sources.network.halving import subsidy_on
from orchestration.sources.yahoo_replay import _load_chart

SEED = 20240420
START_EH, END_EH = 190.0, 1_050.0  # EH/s at the snapshot's first and last day
FEE_BTC = 20.0  # a typical day's fees
HALVING_DAY_FEES_BTC = 1_200.0  # 2024-04-20: the runes launch
RETARGET_DAYS = 14
HASHES_PER_DIFFICULTY = 2**32
COMMENT = "SYNTHETIC: Miner Convergence offline snapshot, not CoinMetrics data"


def _btc_closes(btc_chart: Path) -> pd.Series:
    """The snapshot's BTC-USD daily closes, by UTC day."""
    result = _load_chart(btc_chart)["chart"]["result"][0]
    days = pd.to_datetime(result["timestamp"], unit="s", utc=True).date
    return pd.Series(result["indicators"]["quote"][0]["close"], index=days)


def generate(btc_chart: Path) -> pd.DataFrame:
    """One row per day of the snapshot's BTC-USD bars, in CoinMetrics' metric names."""
    rng = np.random.default_rng(SEED)
    price = _btc_closes(btc_chart)
    n = len(price)
    noise = np.zeros(n)
    for i in range(1, n):
        noise[i] = 0.9 * noise[i - 1] + rng.normal(0, 0.02)
    hashrate_hs = np.exp(np.linspace(np.log(START_EH), np.log(END_EH), n) + noise) * 1e18
    difficulty = np.empty(n)
    for i in range(n):
        window = hashrate_hs[max(0, i - RETARGET_DAYS) : max(1, i)] if i % RETARGET_DAYS == 0 else None
        difficulty[i] = window.mean() * 600 / HASHES_PER_DIFFICULTY if window is not None else difficulty[i - 1]
    blocks = rng.poisson(144 * hashrate_hs / (difficulty * HASHES_PER_DIFFICULTY / 600))
    subsidy = np.array([subsidy_on(day) for day in price.index])
    fees = FEE_BTC * rng.lognormal(0, 0.4, n)
    fees[price.index == date(2024, 4, 20)] = HALVING_DAY_FEES_BTC
    issued = blocks * subsidy
    return pd.DataFrame(
        {
            "time": [f"{day.isoformat()}T00:00:00.000000000Z" for day in price.index],
            "HashRate": blocks * difficulty * HASHES_PER_DIFFICULTY / 86_400 / 1e12,
            "DiffMean": difficulty,
            "BlkCnt": blocks,
            "IssTotNtv": issued,
            "IssTotUSD": issued * price.to_numpy(),
            "FeeTotNtv": fees,
            "PriceUSD": price.to_numpy(),
        }
    )


def response(frame: pd.DataFrame) -> dict:
    """The API's answer: decimal strings, as CoinMetrics sends them (8 significant digits keep it small)."""
    data = [
        {"asset": "btc", "time": row.pop("time"), **{k: f"{v:.8g}" for k, v in row.items()}}
        for row in frame.to_dict(orient="records")
    ]
    return {"data": data, "comment": COMMENT}


def write_network_snapshot(
    out_dir: Path = SNAPSHOT_DIR, btc_chart: Path = SNAPSHOT_DIR / "yahoo_chart" / "BTC-USD.json.gz"
) -> pd.DataFrame:
    """Generate and write network/coinmetrics_btc.json.gz (gzip mtime 0: the same bytes every time)."""
    frame = generate(btc_chart)
    body = json.dumps(response(frame.copy()), separators=(",", ":")).encode()
    folder = out_dir / "network"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "coinmetrics_btc.json.gz").write_bytes(gzip.compress(body, mtime=0))
    return frame
