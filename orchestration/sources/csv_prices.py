"""Per-ticker CSV files as yfinance exports them (`<TICKER>.csv`: `Date`, `Close`, optional OHLC/volume)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from orchestration.sources.errors import MarketDataError


def read_price_csv(path: Path, ticker: str) -> pd.DataFrame:
    """Read one export; both the flat header and yfinance's three-line MultiIndex header are accepted."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MarketDataError(f"{ticker}: cannot read {path}: {exc}") from exc
    lines = text.splitlines()
    head = lines[:2]
    if not head:
        raise MarketDataError(f"{ticker}: empty file {path}")
    if not text.endswith(("\n", "\r")) and lines[-1].count(",") < lines[0].count(","):
        # a copy or download cut short: its last line stops mid-row (a cut inside the last column cannot be seen)
        raise MarketDataError(f"{ticker}: {path} looks truncated: its last line {lines[-1]!r} is incomplete")
    try:
        if head[0].startswith("Price,") and len(head) > 1 and head[1].startswith("Ticker,"):
            # df.to_csv() of a yfinance download: "Price,Close,...", "Ticker,MARA,...", "Date,,..."
            frame = pd.read_csv(
                path,
                header=[0, 1],
                skiprows=[2],
                dtype=str,
                encoding="utf-8-sig",
                keep_default_na=False,
                na_values=[""],
            )
            frame.columns = [top if top != "Price" else "Date" for top, _ in frame.columns]
        else:
            frame = pd.read_csv(
                path, dtype=str, encoding="utf-8-sig", skipinitialspace=True, keep_default_na=False, na_values=[""]
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise MarketDataError(f"{ticker}: malformed CSV {path}: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def find_price_files(folder: Path, tickers: list[str]) -> dict[str, Path]:
    """Universe ticker -> its file; files for other tickers are ignored."""
    if not folder.is_dir():
        raise MarketDataError(f"price CSV folder {folder} does not exist (MINERS_CSV_DIR)")
    by_name = {p.stem.upper(): p for p in sorted(folder.glob("*.csv"))}
    return {t: by_name[t.upper()] for t in tickers if t.upper() in by_name}
