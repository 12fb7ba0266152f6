"""What the tests expect of the definitions, from the project's rule rather than a list: every raw table (a dbt
source) and every model in models/marts/ is guarded by a blocking GE gate, and every mart is served.

Read from dbt's manifest by folder, not from the `meta` the code derives its checks from, so a mart that
forgets its declaration fails these tests.
"""

import csv
import json
from functools import cache

from orchestration.defs.dbt.project import dbt_project
from orchestration.paths import SEEDS_DIR
from orchestration.universe import load_universe


@cache
def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


def raw_assets() -> frozenset[str]:
    return frozenset("/".join(s["meta"]["dagster"]["asset_key"]) for s in _manifest()["sources"].values())


def mart_assets() -> frozenset[str]:
    models = _manifest()["nodes"].values()
    return frozenset(n["name"] for n in models if n["resource_type"] == "model" and n["fqn"][1] == "marts")


def gated_assets() -> frozenset[str]:
    return raw_assets() | mart_assets()


def miners_with_company_power() -> frozenset[str]:
    """Miners whose power the seeds cite at company level (a company row, or site rows that make the company),
    in grid MW, energized or contracted, and in the miners seed (the rows of other companies are left out): each
    must have a share of power in mart_ai_capacity_exposure."""
    with (SEEDS_DIR / "miner_power_capacity.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    universe = set(load_universe(SEEDS_DIR).miners)
    return frozenset(
        row["ticker"]
        for row in rows
        if row["ticker"] in universe
        and row["mw_basis"] == "grid"
        and row["kind"] in ("energized", "contracted")
        and (row["scope"] == "company" or row["sums_to_company"] == "true")
    )
