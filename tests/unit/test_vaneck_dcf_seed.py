"""The VanEck DCF preset's seed carries VanEck's published figures as the method note has them (Sigel and
Frankovitz, "Bitcoin Miners' AI Arbitrage Play to Boost Revenue", VanEck, 16 August 2024), each with its
source; the inputs VanEck did not publish are declared as such, with a sensitivity grid and one base case."""

from __future__ import annotations

import csv
from collections import defaultdict

from orchestration.paths import SEEDS_DIR
from tests.unit.test_cited_seeds import URL

# VanEck's published numbers (the method note's table): the seed must carry exactly these
PUBLISHED = {
    "share_of_power_moved": 0.20,  # 20% of power capacity
    "pivot_year": 2027.0,  # by 2027
    "revenue_usd_per_mw_year": 9_110_000.0,  # about $9.11M per MW per year
    "dc_capex_usd_per_mw": 7_500_000.0,  # about $7.5M per MW, plus GPUs
    "horizon_years": 13.0,  # averaged over 13 years
    "universe_size": 12.0,  # the 12 largest listed miners
    "vaneck_npv_usd": 37_600_000_000.0,  # $37.6B NPV
    "vaneck_annual_uplift_usd": 13_900_000_000.0,  # more than $13.9B a year
}
# not published: the margin, the discount rate, the GPU cost per MW
DECLARED_UNKNOWNS = {"margin", "discount_rate", "gpu_capex_usd_per_mw"}


def seed_rows() -> list[dict[str, str]]:
    with (SEEDS_DIR / "vaneck_dcf_assumptions.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_published_values_are_vanecks():
    published = {row["assumption"]: float(row["value"]) for row in seed_rows() if row["status"] == "published"}
    assert published == PUBLISHED


def test_published_values_are_cited():
    for row in seed_rows():
        if row["status"] == "published":
            assert URL.fullmatch(row["source_url"]), row["assumption"]


def test_the_unknowns_are_declared_as_a_grid_with_one_base_case():
    grid: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in seed_rows():
        if row["status"] == "declared_unknown":
            grid[row["assumption"]].append(row)
    assert set(grid) == DECLARED_UNKNOWNS
    for assumption, points in grid.items():
        assert len(points) >= 3, f"{assumption}: a sensitivity grid needs several points"
        assert [p["is_base_case"] for p in points].count("true") == 1, assumption
        assert all(not p["source_url"] and p["note"].startswith("ASSUMPTION") for p in points), assumption


def test_every_status_is_known():
    assert {row["status"] for row in seed_rows()} <= {"published", "declared_unknown", "model_choice"}
