"""Every row of the cited seeds says where it comes from: an http(s) source and a confidence of high or medium
(rows the research marked low are never carried). The dbt test `cited` states the same rule inside `dbt build`;
this one reads the CSV files, so it fails before any build."""

from __future__ import annotations

import csv
import re

import pytest

from orchestration.paths import SEEDS_DIR

CITED_SEEDS = ("miner_power_capacity", "miner_hashrate", "ai_hpc_contracts", "miner_fleet_efficiency")
URL = re.compile(r"https?://\S+")


def citation_problem(row: dict[str, str]) -> str | None:
    """Why a seed row is not properly cited, or None when it is."""
    if not URL.fullmatch(row.get("source_url") or ""):
        return f"source_url {row.get('source_url')!r} is not an http(s) address"
    if row.get("confidence") not in ("high", "medium"):
        return f"confidence {row.get('confidence')!r} is not high or medium"
    return None


def rows(seed: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{seed}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("seed", CITED_SEEDS)
def test_every_seed_row_is_cited(seed: str):
    seed_rows = rows(seed)
    assert seed_rows, f"{seed} is empty"
    problems = [f"row {n}: {problem}" for n, row in enumerate(seed_rows, 2) if (problem := citation_problem(row))]
    assert not problems, f"{seed}.csv: " + "; ".join(problems)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"source_url": "", "confidence": "high"}, "source_url"),
        ({"source_url": "www.example.com/a", "confidence": "high"}, "source_url"),
        ({"source_url": "https://example.com/a b", "confidence": "high"}, "source_url"),
        ({"source_url": "https://example.com/a", "confidence": "low"}, "confidence"),
        ({"source_url": "https://example.com/a", "confidence": ""}, "confidence"),
    ],
)
def test_an_uncited_row_is_named(row: dict[str, str], problem: str):
    assert (citation_problem(row) or "").startswith(problem)


def test_a_cited_row_passes():
    assert citation_problem({"source_url": "http://example.com/x?a=1", "confidence": "medium"}) is None


def test_site_rows_that_make_the_company_say_so_in_their_notes():
    for row in rows("miner_power_capacity"):
        if row["sums_to_company"] == "true":
            assert row["scope"] == "site", row
            assert "company" in row["notes"], f"capacity_id {row['capacity_id']}: the notes must say why"
