"""What the tests expect of the definitions, from the project's rule rather than a list: every raw table (a dbt
source) and every model in models/marts/ is guarded by a blocking GE gate, and every mart is served.

Read from dbt's manifest by folder, not from the `meta` the code derives its checks from, so a mart that
forgets its declaration fails these tests.
"""

import json
from functools import cache

from orchestration.defs.dbt.project import dbt_project


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
