"""The tables the pipeline gates and serves, as the dbt YAML declares them (read from dbt's manifest).

A table is declared once, in its dbt YAML `meta` (under `config:` for models, beside `dagster:` for sources):

- `grain`: the columns one row is unique on. dbt's `unique_combination` test reads it through a YAML
  anchor, the GE gate adds it to the table's suite, and a failed expectation names rows by it.
- `shown_with`: columns a failed expectation's sample rows show beside the grain (say, a row's status).
- `gated: true`: a blocking GE gate (`ge_gate`, suite expectations/<asset key>.json) guards the table.
- `served: true` (marts) or `served_as: <schema>.<table>` (reference models): publish copies it to the
  serving file, as the same relation or under that name.
- `universe_column: ticker` (reference staging models): the model keeps only the rows whose column names a
  company of the miners seed; the check `outside_universe` names the seed rows it left out.

The Dagster checks (`quality/gates.py`, `quality/universe.py`) and the publish list (`serving/publish.py`) are
derived from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestration.defs.dbt.project import dbt_project


@dataclass(frozen=True)
class DeclaredTable:
    asset_key: str  # the Dagster asset: the model's name, or a source's `dagster.asset_key`
    relation: str  # schema.table in the build warehouse
    grain: tuple[str, ...]
    shown_with: tuple[str, ...]
    gated: bool
    served_as: str | None  # serving schema.table, None when not served
    dbt_selector: str  # the node in dbt's selection syntax: `source:<source>.<table>` or the model's name

    @property
    def is_source(self) -> bool:
        """A raw table dbt reads (a dbt source), not a model dbt builds."""
        return self.dbt_selector.startswith("source:")

    @property
    def suite(self) -> str:
        """The GE suite's name: expectations/<suite>.json."""
        return self.asset_key


def _declared(node: dict, asset_key: str, relation: str, dbt_selector: str) -> DeclaredTable | None:
    meta = {**node.get("meta", {}), **node.get("config", {}).get("meta", {})}
    if not {"grain", "gated", "served", "served_as"} & meta.keys():
        return None
    return DeclaredTable(
        asset_key=asset_key,
        relation=relation,
        grain=tuple(meta.get("grain", ())),
        shown_with=tuple(meta.get("shown_with", ())),
        gated=bool(meta.get("gated")),
        served_as=meta.get("served_as") or (relation if meta.get("served") else None),
        dbt_selector=dbt_selector,
    )


@cache
def declared_tables(manifest_path: Path | None = None) -> tuple[DeclaredTable, ...]:
    """Every source and model whose YAML declares a grain, a gate or serving: sources first, then models, by
    name (the order checks and publish list them in)."""
    manifest = json.loads((manifest_path or dbt_project.manifest_path).read_text())
    tables = []
    for source in sorted(manifest["sources"].values(), key=lambda s: s["unique_id"]):
        key = source.get("meta", {}).get("dagster", {}).get("asset_key") or [source["name"]]
        relation = f"{source['schema']}.{source['identifier']}"
        selector = f"source:{source['source_name']}.{source['name']}"
        tables.append(_declared(source, "/".join(key), relation, selector))
    models = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")]
    for model in sorted(models, key=lambda n: n["name"]):
        tables.append(_declared(model, model["name"], f"{model['schema']}.{model['alias']}", model["name"]))
    return tuple(table for table in tables if table is not None)


def gated_tables() -> tuple[DeclaredTable, ...]:
    return tuple(table for table in declared_tables() if table.gated)


def served_tables() -> tuple[DeclaredTable, ...]:
    """Gated tables (the marts) first, then the reference tables."""
    served = [table for table in declared_tables() if table.served_as]
    return tuple(sorted(served, key=lambda table: not table.gated))


def declared(asset_key: str) -> DeclaredTable:
    for table in declared_tables():
        if table.asset_key == asset_key:
            return table
    raise KeyError(f"{asset_key}: no grain, gate or serving declared in the dbt YAML")


UNIVERSE_SEED = "miners"


@dataclass(frozen=True)
class UniverseFilter:
    asset_key: str  # the staging model that leaves out rows of companies outside the universe
    column: str  # the column naming the company (a ticker of the miners seed)
    seed: str  # the seed it reads
    seed_relation: str  # schema.table of that seed in the build warehouse
    universe_relation: str  # schema.table of the miners seed


@cache
def universe_filters(manifest_path: Path | None = None) -> tuple[UniverseFilter, ...]:
    """Every model whose YAML declares `universe_column`, with the seed it filters, by name."""
    manifest = json.loads((manifest_path or dbt_project.manifest_path).read_text())
    nodes = manifest["nodes"]
    seeds = {n["name"]: f"{n['schema']}.{n['alias']}" for n in nodes.values() if n["resource_type"] == "seed"}
    filters = []
    for model in sorted(nodes.values(), key=lambda n: n["name"]):
        column = model.get("config", {}).get("meta", {}).get("universe_column")
        if model["resource_type"] != "model" or not column:
            continue
        read = [nodes[d]["name"] for d in model["depends_on"]["nodes"] if d.startswith("seed.")]
        seed = next(name for name in read if name != UNIVERSE_SEED)
        filters.append(UniverseFilter(model["name"], column, seed, seeds[seed], seeds[UNIVERSE_SEED]))
    return tuple(filters)
