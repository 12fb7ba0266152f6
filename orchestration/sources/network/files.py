"""Readers of the network statistics' public file formats (MINERS_NETWORK_FILES_DIR).

- CoinMetrics community CSV (`time`, `HashRate` in TH/s, `IssTotNtv`, `IssTotUSD`, `FeeTotNtv` in BTC,
  `PriceUSD`, `BlkCnt`, `DiffMean`; any subset), as the community API's Python client writes it.
- mempool.space `/api/v1/mining/hashrate/...` JSON: daily `hashrates` (H/s) and the `difficulty` retargets, a
  day's difficulty being the last retarget on or before it.
- blockchain.com charts: API JSON (`{name, unit, values[{x s, y}]}`), a bare `values` list (metric from the
  file name), site exports (`{metric1, metric2, <metric>[{x ms, y}], average}`), `"x","y"` CSV exports (metric
  from the file name) and site CSV exports (`Timestamp,<metric>`).

A file whose format, columns, metric or units cannot be told is a NetworkDataError naming the file and the
field; the caller records it and reads the other files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from orchestration.sources.errors import NetworkDataError
from orchestration.sources.network.daily import Part, utc_days

# Where several files give the same day and field, the earlier format wins (then the file name,
# alphabetically): CoinMetrics first (the live source's own metrics), then mempool.space (difficulty exactly
# from its retargets), then blockchain.com's API bytes, its CSV exports, its site exports, a bare values list.
FILE_PRECEDENCE = (
    "coinmetrics_csv",
    "mempool_json",
    "blockchain_api_json",
    "blockchain_xy_csv",
    "blockchain_site_csv",
    "blockchain_site_json",
    "blockchain_values_json",
)

# CoinMetrics metric -> field; CoinMetrics' units are the table's (HashRate in TH/s, *Ntv in BTC).
COINMETRICS_METRICS = {
    "HashRate": "hashrate_ths",
    "DiffMean": "difficulty",
    "BlkCnt": "blocks",
    "IssTotNtv": "issuance_btc",
    "IssTotUSD": "issuance_usd",
    "FeeTotNtv": "fees_btc",
    "PriceUSD": "price_usd",
}
# blockchain.com chart slug -> field; each chart's unit is fixed (TH/s, difficulty, USD, BTC).
BLOCKCHAIN_CHARTS = {
    "hash-rate": "hashrate_ths",
    "difficulty": "difficulty",
    "miners-revenue": "miners_revenue_usd",
    "transaction-fees": "fees_btc",
    "market-price": "price_usd",
}
# The API's chart name and the unit it must state, per slug.
BLOCKCHAIN_API_UNITS = {
    "Hash Rate": ("hash-rate", "Hash Rate TH/s"),
    "Difficulty": ("difficulty", "Difficulty"),
    "Miners Revenue": ("miners-revenue", "USD"),
    "Transaction Fees": ("transaction-fees", "BTC"),
    "Market Price (USD)": ("market-price", "USD"),
}
MEMPOOL_HASHRATE_TO_THS = 1e-12  # H/s -> TH/s
DAILY_AVERAGES = {"1d", "24h"}  # a site export's `average`: other windows (7D) are not a day's value
SLUG_IN_NAME = re.compile(r"^blockchain(?:com)?_(?P<slug>[a-z-]+?)_(?:xy|values)_")


def _series(path: Path, slug: str, points: pd.DataFrame) -> pd.DataFrame:
    """A chart's {x, y} points as `date` and the slug's field (the day's last point when one repeats)."""
    field = BLOCKCHAIN_CHARTS.get(slug)
    if field is None:
        raise NetworkDataError(f"{path.name}: field {slug!r} is not a network statistic this table holds")
    if not {"x", "y"} <= set(points.columns):
        raise NetworkDataError(f"{path.name}: field {slug}: expected x and y, found {', '.join(map(str, points))}")
    try:
        days = utc_days(points["x"])
        values = pd.to_numeric(points["y"], errors="raise")
    except (ValueError, TypeError) as error:
        raise NetworkDataError(f"{path.name}: field {slug}: unreadable values: {error}") from error
    return pd.DataFrame({"date": days, field: values}).drop_duplicates("date", keep="last")


def _slug_from_name(path: Path) -> str:
    match = SLUG_IN_NAME.match(path.name)
    if match is None:
        raise NetworkDataError(f"{path.name}: field unknown: the file name does not say which chart (units) it is")
    return match.group("slug")


def read_coinmetrics_csv(path: Path, frame: pd.DataFrame) -> Part:
    known = [column for column in frame.columns if column in COINMETRICS_METRICS]
    if not known:
        raise NetworkDataError(f"{path.name}: field unknown: no CoinMetrics metric among {', '.join(frame.columns)}")
    if "asset" in frame and set(frame["asset"].dropna().str.lower()) - {"btc"}:
        raise NetworkDataError(f"{path.name}: field asset: not bitcoin ({', '.join(set(frame['asset']))})")
    days = pd.to_datetime(frame["time"], utc=True, errors="coerce")
    if days.isna().any():
        raise NetworkDataError(f"{path.name}: field time: {int(days.isna().sum())} values are not dates")
    return Part(path.name, "coinmetrics_csv", coinmetrics_rows(frame, days.dt.date, path.name))


def coinmetrics_rows(frame: pd.DataFrame, days: pd.Series, origin: str) -> pd.DataFrame:
    """`date` and a field for each CoinMetrics metric `frame` has (a CSV's numbers or the API's decimal
    strings)."""
    rows = pd.DataFrame({"date": days})
    for metric, field in COINMETRICS_METRICS.items():
        if metric not in frame:
            continue
        try:
            rows[field] = pd.to_numeric(frame[metric], errors="raise")
        except (ValueError, TypeError) as error:
            raise NetworkDataError(f"{origin}: field {metric}: unreadable values: {error}") from error
    return rows


def read_csv(path: Path) -> Part:
    """A CoinMetrics CSV, a blockchain.com `"x","y"` export, or a site export `Timestamp,<metric>`."""
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as error:
        raise NetworkDataError(f"{path.name}: not a readable CSV: {error}") from error
    columns = list(frame.columns)
    if "time" in columns:
        return read_coinmetrics_csv(path, frame)
    if columns == ["x", "y"]:
        return Part(path.name, "blockchain_xy_csv", _series(path, _slug_from_name(path), frame))
    if len(columns) == 2 and columns[0] == "Timestamp":
        stamps = pd.to_datetime(frame["Timestamp"], utc=True, errors="coerce")
        if stamps.isna().any():
            raise NetworkDataError(f"{path.name}: field Timestamp: {int(stamps.isna().sum())} values are not dates")
        points = pd.DataFrame({"x": stamps.dt.as_unit("ms").astype("int64"), "y": frame[columns[1]]})
        return Part(path.name, "blockchain_site_csv", _series(path, columns[1], points))
    raise NetworkDataError(f"{path.name}: field unknown: columns {', '.join(map(str, columns))} match no format")


def read_mempool(path: Path, body: dict) -> Part:
    hashrates = pd.DataFrame(body["hashrates"])
    retargets = pd.DataFrame(body["difficulty"])
    for name, frame, needed in (
        ("hashrates", hashrates, {"timestamp", "avgHashrate"}),
        ("difficulty", retargets, {"time", "difficulty"}),
    ):
        if not needed <= set(frame.columns):
            raise NetworkDataError(f"{path.name}: field {name}: expected {', '.join(sorted(needed))}")
    rows = pd.DataFrame(
        {"date": utc_days(hashrates["timestamp"]), "hashrate_ths": hashrates["avgHashrate"] * MEMPOOL_HASHRATE_TO_THS}
    ).drop_duplicates("date", keep="last")
    steps = pd.DataFrame({"date": utc_days(retargets["time"]), "difficulty": retargets["difficulty"]})
    steps = steps.drop_duplicates("date", keep="last").sort_values("date")
    # a day's difficulty: the last retarget on or before it, up to the file's last day
    dated = pd.merge_asof(
        rows.assign(day=pd.to_datetime(rows["date"])).sort_values("day"),
        steps.assign(day=pd.to_datetime(steps["date"]))[["day", "difficulty"]],
        on="day",
    )
    return Part(path.name, "mempool_json", dated.drop(columns="day"))


def read_json(path: Path) -> Part:
    """mempool.space's hashrate JSON or one of blockchain.com's chart JSON shapes."""
    try:
        body = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        raise NetworkDataError(f"{path.name}: not readable JSON: {error}") from error
    if isinstance(body, list):
        return Part(path.name, "blockchain_values_json", _series(path, _slug_from_name(path), pd.DataFrame(body)))
    if not isinstance(body, dict):
        raise NetworkDataError(f"{path.name}: field unknown: a JSON {type(body).__name__}")
    if {"hashrates", "difficulty"} <= body.keys():
        return read_mempool(path, body)
    if {"values", "unit", "name"} <= body.keys():
        slug, unit = BLOCKCHAIN_API_UNITS.get(body["name"], (None, None))
        if slug is None or body["unit"] != unit:
            raise NetworkDataError(f"{path.name}: field {body['name']!r}: unknown chart or unit {body['unit']!r}")
        return Part(path.name, "blockchain_api_json", _series(path, slug, pd.DataFrame(body["values"])))
    if "metric1" in body:
        average = str(body.get("average", "1d"))
        metrics = [body[key] for key in ("metric1", "metric2") if key in body]
        if average.lower() not in DAILY_AVERAGES:
            raise NetworkDataError(f"{path.name}: field {metrics[0]}: a {average} average, not a day's value")
        series = [_series(path, slug, pd.DataFrame(body.get(slug, []))) for slug in metrics]
        rows = series[0].merge(series[1], on="date", how="outer") if len(series) == 2 else series[0]
        return Part(path.name, "blockchain_site_json", rows)
    raise NetworkDataError(f"{path.name}: field unknown: keys {', '.join(body)} match no format")


def read_network_file(path: Path) -> Part:
    """One file of the folder, in the table's units; NetworkDataError names the file and the field."""
    reader = read_csv if path.suffix.lower() == ".csv" else read_json
    try:
        return reader(path)
    except (KeyError, TypeError, AttributeError) as error:  # a shape that starts like a format and then is not
        raise NetworkDataError(f"{path.name}: field {error}: missing or malformed") from error


def network_files(folder: Path) -> list[Path]:
    """The folder's CSV and JSON files (its notes, such as a SOURCES.md, are not data)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".json"))
