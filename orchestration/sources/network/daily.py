"""One row per UTC day from several parts (files, API pages), each field from one declared precedence.

A part is what one file or response gives: a `date` column and some of FIELDS, in the table's units, with the
part's origin (its file name) and kind. Where parts overlap on a day and field, the kind earlier in the
precedence the caller declares wins (then the file name, alphabetically); a field no part gives is null.
Each row's `field_sources` (JSON: field -> file) says which part gave each field, and `payload_path` the kept
payloads those parts came from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from orchestration.sources.network.halving import subsidy_on

# The measured fields of raw.network_daily, in its units (a source's units are converted when parsed).
FIELDS = (
    "hashrate_ths",  # network hashrate, TH/s
    "difficulty",
    "blocks",  # blocks mined that day
    "issuance_btc",  # new coins: subsidy x blocks
    "issuance_usd",
    "fees_btc",  # transaction fees paid to miners
    "price_usd",  # BTC price in USD, as the source gives it
    "miners_revenue_usd",  # subsidy and fees in USD, when the source gives it as one figure
)
ROW_COLUMNS = ("date", *FIELDS, "block_subsidy_btc", "field_sources", "payload_path")


@dataclass
class Part:
    """What one file or response gives, in the table's units."""

    origin: str  # the file's name: what `field_sources` names
    kind: str  # its format, ranked by the precedence
    rows: pd.DataFrame  # `date` (datetime.date) and some of FIELDS
    payload: str = ""  # where it is kept under raw/


def utc_days(stamps: pd.Series) -> pd.Series:
    """Epoch seconds or milliseconds (told apart by size: 1e11 s is the year 5138) as UTC days."""
    numbers = pd.to_numeric(stamps, errors="raise")
    unit = "ms" if numbers.abs().max() > 1e11 else "s"
    return pd.to_datetime(numbers, unit=unit, utc=True).dt.date


def combine(parts: Sequence[Part], precedence: Sequence[str], start: date, end: date) -> pd.DataFrame:
    """The parts' days `start`..`end`, one row each, every field from the first part in precedence order that
    has it, and the subsidy the halving schedule gives the day."""
    rank = {kind: position for position, kind in enumerate(precedence)}
    long = [
        part.rows.melt(id_vars="date", var_name="field", value_name="value")
        .dropna(subset=["value"])
        .assign(origin=part.origin, payload=part.payload, rank=rank[part.kind])
        for part in parts
        if not part.rows.empty
    ]
    if not long:
        return pd.DataFrame(columns=list(ROW_COLUMNS))
    values = pd.concat(long, ignore_index=True)
    values = values[(values["date"] >= start) & (values["date"] <= end)]
    chosen = values.sort_values(["rank", "origin"], kind="stable").drop_duplicates(["date", "field"])
    rows = chosen.pivot(index="date", columns="field", values="value").reindex(columns=list(FIELDS))
    rows = rows.astype("float64").sort_index()
    grouped = chosen.sort_values("field").groupby("date")
    rows["field_sources"] = grouped.apply(lambda g: json.dumps(dict(zip(g["field"], g["origin"], strict=True))))
    rows["payload_path"] = grouped["payload"].agg(lambda paths: ";".join(sorted(set(paths) - {""})) or None)
    rows = rows.reset_index()
    rows["block_subsidy_btc"] = rows["date"].map(subsidy_on)
    return rows[list(ROW_COLUMNS)]
